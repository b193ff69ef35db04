package storeguard

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

// Retrying is a store opened in the background, retrying with exponential
// backoff (1s doubling to 4s, so that a database that comes up is found
// within seconds) until it succeeds or the context ends. Until
// then every call fails fast with UNAVAILABLE. `regiongraph serve -store
// neo4j` serves a Guard over a Retrying over the Neo4j store.
type Retrying struct {
	mu      sync.RWMutex
	store   rg.Store
	lastErr error
	cancel  context.CancelFunc
	done    chan struct{}
}

var _ rg.Store = (*Retrying)(nil)

// NewRetrying starts opening a store with open, in the background, until
// it succeeds or ctx ends.
func NewRetrying(ctx context.Context, open func(context.Context) (rg.Store, error), log *slog.Logger) *Retrying {
	ctx, cancel := context.WithCancel(ctx)
	r := &Retrying{cancel: cancel, done: make(chan struct{}), lastErr: errors.New("connecting")}
	go func() {
		defer close(r.done)
		wait := time.Second
		for {
			s, err := open(ctx)
			if err == nil {
				r.mu.Lock()
				r.store, r.lastErr = s, nil
				r.mu.Unlock()
				log.Info("store connected")
				return
			}
			r.mu.Lock()
			r.lastErr = err
			r.mu.Unlock()
			log.Warn("store not reachable; retrying", "err", err, "retryIn", wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 4*time.Second)
		}
	}()
	return r
}

func (r *Retrying) get() (rg.Store, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.store == nil {
		return nil, rg.Errorf(rg.EUNAVAILABLE, "the database is not reachable yet: %s", rg.ErrorMessage(r.lastErr))
	}
	return r.store, nil
}

// Ready reports whether the store is connected and answering.
func (r *Retrying) Ready(ctx context.Context) error {
	s, err := r.get()
	if err != nil {
		return err
	}
	if rd, ok := s.(interface{ Ready(context.Context) error }); ok {
		return rd.Ready(ctx)
	}
	return nil
}

func (r *Retrying) Nodes(ctx context.Context, ids []string) ([]*rg.Node, error) {
	s, err := r.get()
	if err != nil {
		return nil, err
	}
	return s.Nodes(ctx, ids)
}

func (r *Retrying) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	s, err := r.get()
	if err != nil {
		return rg.NodePage{}, err
	}
	return s.FindNodes(ctx, f)
}

func (r *Retrying) Search(ctx context.Context, q rg.SearchQuery) (rg.SearchResult, error) {
	s, err := r.get()
	if err != nil {
		return rg.SearchResult{}, err
	}
	return s.Search(ctx, q)
}

func (r *Retrying) Edges(ctx context.Context, f rg.EdgeFilter) ([]*rg.Edge, error) {
	s, err := r.get()
	if err != nil {
		return nil, err
	}
	return s.Edges(ctx, f)
}

func (r *Retrying) Expand(ctx context.Context, f rg.EdgeFilter) (rg.Expansion, error) {
	s, err := r.get()
	if err != nil {
		return rg.Expansion{}, err
	}
	return s.Expand(ctx, f)
}

func (r *Retrying) Stats(ctx context.Context) (rg.GraphStats, error) {
	s, err := r.get()
	if err != nil {
		return rg.GraphStats{}, err
	}
	return s.Stats(ctx)
}

func (r *Retrying) Subgraph(ctx context.Context, f rg.SubgraphFilter) (*rg.Subgraph, error) {
	s, err := r.get()
	if err != nil {
		return nil, err
	}
	return s.Subgraph(ctx, f)
}

func (r *Retrying) ShortestPaths(ctx context.Context, from, to string, o rg.PathOptions) ([]rg.Path, error) {
	s, err := r.get()
	if err != nil {
		return nil, err
	}
	return s.ShortestPaths(ctx, from, to, o)
}

func (r *Retrying) Apply(ctx context.Context, changes []rg.Change) (rg.ApplyResult, error) {
	s, err := r.get()
	if err != nil {
		return rg.ApplyResult{}, err
	}
	return s.Apply(ctx, changes)
}

func (r *Retrying) History(ctx context.Context, f rg.HistoryFilter) (rg.HistoryPage, error) {
	s, err := r.get()
	if err != nil {
		return rg.HistoryPage{}, err
	}
	return s.History(ctx, f)
}

// NodeDegrees passes regiongraph.NodeDegreer through.
func (r *Retrying) NodeDegrees(ctx context.Context, id string) (rg.GraphStats, error) {
	s, err := r.get()
	if err != nil {
		return rg.GraphStats{}, err
	}
	return rg.NodeDegreesOf(ctx, s, id)
}

// GraphVersion passes regiongraph.Versioned through.
func (r *Retrying) GraphVersion(ctx context.Context) (rg.GraphVersion, error) {
	s, err := r.get()
	if err != nil {
		return rg.GraphVersion{}, err
	}
	return rg.VersionOf(ctx, s)
}

// Close stops connecting and closes the store if it was opened.
func (r *Retrying) Close() error {
	r.cancel()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.store == nil {
		return nil
	}
	return r.store.Close()
}
