package metrics

import (
	"context"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

// Store returns s with every call counted and timed. Errors pass through
// unchanged. Methods added to rg.Store later pass through uncounted until
// they are listed here.
func (m *Metrics) Store(s rg.Store) rg.Store {
	if m == nil {
		return s
	}
	return &store{Store: s, m: m}
}

type store struct {
	rg.Store
	m *Metrics
}

func (s *store) observe(method string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = rg.ErrorCode(err)
	}
	s.m.storeCall(method, outcome, time.Since(start))
}

func (s *store) Nodes(ctx context.Context, ids []string) ([]*rg.Node, error) {
	start := time.Now()
	out, err := s.Store.Nodes(ctx, ids)
	s.observe("Nodes", start, err)
	return out, err
}

func (s *store) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	start := time.Now()
	out, err := s.Store.FindNodes(ctx, f)
	s.observe("FindNodes", start, err)
	return out, err
}

func (s *store) Search(ctx context.Context, q rg.SearchQuery) (rg.SearchResult, error) {
	start := time.Now()
	out, err := s.Store.Search(ctx, q)
	s.observe("Search", start, err)
	return out, err
}

func (s *store) Edges(ctx context.Context, f rg.EdgeFilter) ([]*rg.Edge, error) {
	start := time.Now()
	out, err := s.Store.Edges(ctx, f)
	s.observe("Edges", start, err)
	return out, err
}

func (s *store) Expand(ctx context.Context, f rg.EdgeFilter) (rg.Expansion, error) {
	start := time.Now()
	out, err := s.Store.Expand(ctx, f)
	s.observe("Expand", start, err)
	return out, err
}

func (s *store) Stats(ctx context.Context) (rg.GraphStats, error) {
	start := time.Now()
	out, err := s.Store.Stats(ctx)
	s.observe("Stats", start, err)
	return out, err
}

func (s *store) Subgraph(ctx context.Context, f rg.SubgraphFilter) (*rg.Subgraph, error) {
	start := time.Now()
	out, err := s.Store.Subgraph(ctx, f)
	s.observe("Subgraph", start, err)
	return out, err
}

func (s *store) ShortestPaths(ctx context.Context, from, to string, o rg.PathOptions) ([]rg.Path, error) {
	start := time.Now()
	out, err := s.Store.ShortestPaths(ctx, from, to, o)
	s.observe("ShortestPaths", start, err)
	return out, err
}

func (s *store) Apply(ctx context.Context, changes []rg.Change) (rg.ApplyResult, error) {
	start := time.Now()
	out, err := s.Store.Apply(ctx, changes)
	s.observe("Apply", start, err)
	return out, err
}

func (s *store) History(ctx context.Context, f rg.HistoryFilter) (rg.HistoryPage, error) {
	start := time.Now()
	out, err := s.Store.History(ctx, f)
	s.observe("History", start, err)
	return out, err
}

// NodeDegrees passes regiongraph.NodeDegreer through, uncounted (a
// count in memory, asked by the cost estimate).
func (s *store) NodeDegrees(ctx context.Context, id string) (rg.GraphStats, error) {
	return rg.NodeDegreesOf(ctx, s.Store, id)
}

// GraphVersion passes regiongraph.Versioned through, counted.
func (s *store) GraphVersion(ctx context.Context) (rg.GraphVersion, error) {
	start := time.Now()
	out, err := rg.VersionOf(ctx, s.Store)
	if err == rg.ErrNoVersion {
		return out, err
	}
	s.observe("GraphVersion", start, err)
	return out, err
}
