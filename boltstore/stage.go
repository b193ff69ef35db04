package boltstore

import (
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	rg "github.com/regiongraph/regiongraph"
)

// stage is a copy-on-write view of a graph: the changes of one batch laid
// over the graph, which stays untouched until commit. A nil entry marks a
// deletion.
type stage struct {
	g     *graph
	nodes map[string]*rg.Node
	edges map[string]*rg.Edge
	// touch lists, for each node, the relations staged that touch it
	// (some may since have been deleted or replaced again). It is made
	// when a node delete first asks (a bulk import of relations never
	// does) and kept current from then on.
	touch map[string]map[string]bool
	// log is the history of the batch, in order, without seq, time, actor
	// and (unless the change gives its own) reason, which write fills in.
	log []*rg.HistoryEntry
	// reason is the Reason of the change being staged.
	reason string
	// recs are the records write wrote, for writeHistory.
	recs *records
}

func newStage(g *graph) *stage {
	return &stage{g: g, nodes: map[string]*rg.Node{}, edges: map[string]*rg.Edge{}}
}

func (s *stage) node(id string) *rg.Node {
	if n, ok := s.nodes[id]; ok {
		return n
	}
	return s.g.nodes[id]
}

func (s *stage) edge(id string) *rg.Edge {
	if e, ok := s.edges[id]; ok {
		return e
	}
	return s.g.edges[id]
}

// edgesOf returns the ids of the relations touching node id in the view.
func (s *stage) edgesOf(id string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(eid string) {
		if seen[eid] {
			return
		}
		seen[eid] = true
		if e := s.edge(eid); e != nil && (e.From == id || e.To == id) {
			out = append(out, eid)
		}
	}
	s.g.incident(id, rg.Both, nil, func(e *rg.Edge) { add(e.ID) })
	if s.touch == nil {
		s.touch = map[string]map[string]bool{}
		for _, e := range s.edges {
			if e != nil {
				s.addTouch(e)
			}
		}
	}
	for eid := range s.touch[id] {
		add(eid)
	}
	return out
}

func (s *stage) putEdge(e *rg.Edge) {
	s.edges[e.ID] = e
	if s.touch != nil {
		s.addTouch(e)
	}
}

func (s *stage) addTouch(e *rg.Edge) {
	for _, id := range []string{e.From, e.To} {
		if s.touch[id] == nil {
			s.touch[id] = map[string]bool{}
		}
		s.touch[id][e.ID] = true
	}
}

// apply stages the changes in order, each seeing the ones before it, and
// returns what ApplyResult reports. The changes are already valid on their
// own (ValidateChanges); here they are checked against the graph.
func (s *stage) apply(changes []rg.Change) (rg.ApplyResult, error) {
	var res rg.ApplyResult
	for i, c := range changes {
		s.reason = c.Reason
		at := fmt.Sprintf("changes[%d]", i)
		notFound := func(field, what, id string) error {
			return &rg.Error{Code: rg.ENOTFOUND, Field: at + "." + field, Message: fmt.Sprintf("no %s %q", what, id)}
		}
		conflict := func(field, format string, args ...any) error {
			return &rg.Error{Code: rg.ECONFLICT, Field: at + "." + field, Message: fmt.Sprintf(format, args...)}
		}
		switch c.Op {
		case rg.OpCreateNode, rg.OpUpdateNode, rg.OpUpsertNode:
			n := c.Node.Normalized()
			old := s.node(n.ID)
			if len(c.Fields) > 0 { // partial update
				if old == nil {
					return rg.ApplyResult{}, notFound("node.id", "node", n.ID)
				}
				merged, err := rg.MergeNode(old, c.Node, c.Fields)
				if err != nil {
					return rg.ApplyResult{}, rg.WithField(err, at+".node")
				}
				n = merged.Normalized()
			}
			switch {
			case c.Op == rg.OpCreateNode && old != nil:
				return rg.ApplyResult{}, conflict("node.id", "node %q exists", n.ID)
			case c.Op == rg.OpUpdateNode && old == nil:
				return rg.ApplyResult{}, notFound("node.id", "node", n.ID)
			case old != nil && old.Kind != n.Kind:
				return rg.ApplyResult{}, rg.FieldErrorf(at+".node.kind", "node %q is a %s; its kind may not change to %s", n.ID, old.Kind, n.Kind)
			}
			// An unchanged node is not staged: it is neither written
			// again nor replaced in memory.
			switch {
			case old == nil:
				res.Created++
				s.nodes[n.ID] = n
				s.record(rg.OpCreateNode, n.ID, nil, n, nil, nil)
			case rg.SameNode(old, n):
				res.Unchanged++
			default:
				res.Updated++
				s.nodes[n.ID] = n
				s.record(rg.OpUpdateNode, n.ID, old, n, nil, nil)
			}
			res.Nodes = append(res.Nodes, n.Clone())

		case rg.OpDeleteNode:
			old := s.node(c.ID)
			if old == nil || (c.Kind != "" && old.Kind != c.Kind) {
				what := "node"
				if c.Kind != "" {
					what = string(c.Kind)
				}
				return rg.ApplyResult{}, notFound("id", what, c.ID)
			}
			if eids := s.edgesOf(c.ID); len(eids) > 0 {
				if !c.Detach {
					return rg.ApplyResult{}, conflict("id", "node %q has %d relations; delete them first or detach", c.ID, len(eids))
				}
				slices.Sort(eids)
				for _, eid := range eids {
					s.record(rg.OpDeleteEdge, eid, nil, nil, s.edge(eid), nil)
					s.edges[eid] = nil
				}
			}
			s.nodes[c.ID] = nil
			s.record(rg.OpDeleteNode, c.ID, old, nil, nil, nil)
			res.Deleted++
			res.Nodes = append(res.Nodes, old.Clone())

		case rg.OpCreateEdge, rg.OpUpdateEdge, rg.OpUpsertEdge:
			e := c.Edge.Clone()
			old := s.edge(e.ID)
			if len(c.Fields) > 0 { // partial update
				if old == nil {
					return rg.ApplyResult{}, notFound("edge.id", "relation", e.ID)
				}
				merged, err := rg.MergeEdge(old, c.Edge, c.Fields)
				if err != nil {
					return rg.ApplyResult{}, rg.WithField(err, at+".edge")
				}
				e = merged
			}
			switch {
			case c.Op == rg.OpCreateEdge && old != nil:
				return rg.ApplyResult{}, conflict("edge.id", "relation %q exists", e.ID)
			case c.Op == rg.OpUpdateEdge && old == nil:
				return rg.ApplyResult{}, notFound("edge.id", "relation", e.ID)
			case old != nil && old.Kind != e.Kind:
				return rg.ApplyResult{}, rg.FieldErrorf(at+".edge.kind", "relation %q is %s; its kind may not change to %s", e.ID, old.Kind, e.Kind)
			case old != nil && old.From != e.From:
				return rg.ApplyResult{}, rg.FieldErrorf(at+".edge.from", "relation %q starts at %q; its ends may not change", e.ID, old.From)
			case old != nil && old.To != e.To:
				return rg.ApplyResult{}, rg.FieldErrorf(at+".edge.to", "relation %q ends at %q; its ends may not change", e.ID, old.To)
			}
			from, to := s.node(e.From), s.node(e.To)
			if from == nil {
				return rg.ApplyResult{}, notFound("edge.from", "node", e.From)
			}
			if to == nil {
				return rg.ApplyResult{}, notFound("edge.to", "node", e.To)
			}
			if err := rg.CheckEndpoints(e.Kind, from.Kind, to.Kind); err != nil {
				return rg.ApplyResult{}, rg.WithField(err, at+".edge")
			}
			switch {
			case old == nil:
				res.Created++
				s.putEdge(e)
				s.record(rg.OpCreateEdge, e.ID, nil, nil, nil, e)
			case rg.SameEdge(old, e):
				res.Unchanged++ // not staged, as for nodes
			default:
				res.Updated++
				s.putEdge(e)
				s.record(rg.OpUpdateEdge, e.ID, nil, nil, old, e)
			}
			res.Edges = append(res.Edges, e.Clone())

		case rg.OpDeleteEdge:
			old := s.edge(c.ID)
			if old == nil {
				return rg.ApplyResult{}, notFound("id", "relation", c.ID)
			}
			s.edges[c.ID] = nil
			s.record(rg.OpDeleteEdge, c.ID, nil, nil, old, nil)
			res.Deleted++
			res.Edges = append(res.Edges, old.Clone())

		default: // ValidateChanges rejects unknown ops; keep the guard.
			return rg.ApplyResult{}, rg.FieldErrorf(at+".op", "unknown change %q", c.Op)
		}
	}
	return res, nil
}

// record appends a history entry for one change to the log. The values
// are not copied: those of the graph are never modified, and every change
// stages a value of its own (a copy of what it was given, or a merge), so
// later changes in the batch cannot alter them. (write replaces their
// strings by the string table's equal copies.)
func (s *stage) record(op rg.Op, id string, before, after *rg.Node, beforeEdge, afterEdge *rg.Edge) {
	s.log = append(s.log, &rg.HistoryEntry{
		Op: op, Target: rg.TargetOf(op), ID: id,
		Before: before, After: after, BeforeEdge: beforeEdge, AfterEdge: afterEdge,
		Reason: s.reason,
	})
}

// write writes the net effect of the stage to the file, interning strings
// through tab (and replacing them in the staged values by the table's
// copies, so that the graph in memory shares them). The history is written
// by writeHistory in the same transaction.
func (s *stage) write(tx *bolt.Tx, tab *strtab) error {
	nb, eb := tx.Bucket(bucketNodes), tx.Bucket(bucketEdges)
	if nb == nil || eb == nil {
		return fmt.Errorf("missing bucket nodes or edges")
	}
	sb, err := tx.CreateBucketIfNotExists(bucketStrings)
	if err != nil {
		return fmt.Errorf("create bucket strings: %w", err)
	}
	nb.FillPercent, eb.FillPercent = fillRandom, fillRandom
	enc := &encoder{tab: tab, b: sb, canon: true}
	s.recs = &records{nodes: make(map[*rg.Node][]byte, len(s.nodes)), edges: make(map[*rg.Edge][]byte, len(s.edges))}
	for _, id := range sortedKeys(s.nodes) {
		n := s.nodes[id]
		if n == nil {
			if err := nb.Delete([]byte(id)); err != nil {
				return fmt.Errorf("node %q: %w", id, err)
			}
			continue
		}
		rec, err := enc.encodeNode(n)
		if err == nil {
			rec = slices.Clone(rec)
			s.recs.nodes[n] = rec
			err = nb.Put([]byte(id), rec)
		}
		if err != nil {
			return fmt.Errorf("node %q: %w", id, err)
		}
	}
	for _, id := range sortedKeys(s.edges) {
		e := s.edges[id]
		if e == nil {
			if err := eb.Delete([]byte(id)); err != nil {
				return fmt.Errorf("relation %q: %w", id, err)
			}
			continue
		}
		rec, err := enc.encodeEdge(e)
		if err == nil {
			rec = slices.Clone(rec)
			s.recs.edges[e] = rec
			err = eb.Put([]byte(id), rec)
		}
		if err != nil {
			return fmt.Errorf("relation %q: %w", id, err)
		}
	}
	return nil
}

// commit applies the stage to the graph. It cannot fail.
func (s *stage) commit() {
	for id, e := range s.edges {
		if e == nil {
			s.g.deleteEdge(id)
		}
	}
	put := make([]*rg.Node, 0, len(s.nodes))
	for id, n := range s.nodes {
		if n == nil {
			s.g.deleteNode(id)
		} else {
			put = append(put, n)
		}
	}
	s.g.putNodes(put)
	es := make([]*rg.Edge, 0, len(s.edges))
	for _, e := range s.edges {
		if e != nil {
			es = append(es, e)
		}
	}
	// In id order: putEdges then appends to the adjacency lists in order.
	slices.SortFunc(es, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
	s.g.putEdges(es)
}
