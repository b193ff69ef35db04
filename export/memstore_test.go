package export_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// memStore is a minimal in-memory Store with the documented semantics of
// the read methods export uses (Nodes, FindNodes by kind and text, Edges,
// Subgraph), so the export tests do not depend on a concrete store.
type memStore struct {
	nodes map[string]*rg.Node
	edges []*rg.Edge // ordered by id
}

var _ rg.Store = (*memStore)(nil)

func newMemStore(nodes []*rg.Node, edges []*rg.Edge) *memStore {
	s := &memStore{nodes: map[string]*rg.Node{}}
	for _, n := range nodes {
		s.nodes[n.ID] = n
	}
	s.edges = slices.Clone(edges)
	slices.SortFunc(s.edges, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
	return s
}

func (s *memStore) Nodes(_ context.Context, ids []string) ([]*rg.Node, error) {
	var out []*rg.Node
	seen := map[string]bool{}
	for _, id := range ids {
		if n, ok := s.nodes[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, n.Clone())
		}
	}
	return out, nil
}

func (s *memStore) sortedNodes() []*rg.Node {
	out := make([]*rg.Node, 0, len(s.nodes))
	for _, n := range s.nodes {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (s *memStore) FindNodes(_ context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	if f.Order.Field == "" {
		f.Order.Field = rg.OrderByName
	}
	if err := f.Validate(); err != nil {
		return rg.NodePage{}, err
	}
	if len(f.IDs) > 0 || f.PlanYear != nil || f.Code != "" || len(f.Related) > 0 {
		return rg.NodePage{}, fmt.Errorf("memStore: filter not supported: %+v", f)
	}
	var matches []*rg.Node
	for _, n := range s.sortedNodes() {
		if (len(f.Kinds) == 0 || slices.Contains(f.Kinds, n.Kind)) && rg.Matches(n, f.Text) {
			matches = append(matches, n)
		}
	}
	slices.SortStableFunc(matches, func(a, b *rg.Node) int { return rg.CompareNodes(f.Order, a, b) })
	size, _ := rg.PageSize(f.First)
	start := 0
	if f.After != "" {
		c, err := rg.DecodeCursor(f.Order, f.After)
		if err != nil {
			return rg.NodePage{}, err
		}
		for start < len(matches) && !c.After(f.Order, matches[start]) {
			start++
		}
	}
	end := min(start+size, len(matches))
	p := rg.NodePage{TotalCount: len(matches), HasNextPage: end < len(matches)}
	for _, n := range matches[start:end] {
		p.Nodes = append(p.Nodes, n.Clone())
	}
	if end > start {
		p.EndCursor = rg.CursorFor(f.Order, matches[end-1])
	}
	return p, nil
}

func (s *memStore) Edges(_ context.Context, f rg.EdgeFilter) ([]*rg.Edge, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var out []*rg.Edge
	for _, e := range s.edges {
		if len(f.IDs) > 0 && !slices.Contains(f.IDs, e.ID) || len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind) || !e.HoldsInYear(f.Year) {
			continue
		}
		if len(f.NodeIDs) > 0 {
			out1 := slices.Contains(f.NodeIDs, e.From)
			in1 := slices.Contains(f.NodeIDs, e.To)
			switch f.Direction {
			case rg.Out:
				if !out1 {
					continue
				}
			case rg.In:
				if !in1 {
					continue
				}
			default:
				if !out1 && !in1 {
					continue
				}
			}
		}
		out = append(out, e.Clone())
	}
	return out, nil
}

func (s *memStore) Subgraph(_ context.Context, f rg.SubgraphFilter) (*rg.Subgraph, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	nodeOK := func(n *rg.Node) bool { return len(f.Kinds) == 0 || slices.Contains(f.Kinds, n.Kind) }
	edgeOK := func(e *rg.Edge) bool {
		return (len(f.Relations) == 0 || slices.Contains(f.Relations, e.Kind)) && e.HoldsInYear(f.Year)
	}
	in := map[string]bool{}
	if len(f.Roots) == 0 {
		for _, n := range s.nodes {
			if nodeOK(n) {
				in[n.ID] = true
			}
		}
	} else {
		level := []string{}
		for _, id := range f.Roots {
			if _, ok := s.nodes[id]; !ok {
				return nil, &rg.Error{Code: rg.ENOTFOUND, Field: "roots", Message: fmt.Sprintf("no node %q", id)}
			}
			if !in[id] {
				in[id] = true
				level = append(level, id)
			}
		}
		for d := 0; d < f.Depth; d++ {
			var next []string
			for _, id := range level {
				for _, e := range s.edges {
					if (e.From != id && e.To != id) || !edgeOK(e) {
						continue
					}
					o := e.Other(id)
					if !in[o] && nodeOK(s.nodes[o]) {
						in[o] = true
						next = append(next, o)
					}
				}
			}
			level = next
		}
	}
	sg := &rg.Subgraph{}
	for _, n := range s.sortedNodes() {
		if in[n.ID] {
			sg.Nodes = append(sg.Nodes, n.Clone())
		}
	}
	for _, e := range s.edges {
		if in[e.From] && in[e.To] && edgeOK(e) {
			sg.Edges = append(sg.Edges, e.Clone())
		}
	}
	return sg, nil
}

func (s *memStore) ShortestPaths(context.Context, string, string, rg.PathOptions) ([]rg.Path, error) {
	return nil, fmt.Errorf("memStore: ShortestPaths is not supported")
}

func (s *memStore) Apply(context.Context, []rg.Change) (rg.ApplyResult, error) {
	return rg.ApplyResult{}, fmt.Errorf("memStore: Apply is not supported")
}

func (s *memStore) Close() error { return nil }
