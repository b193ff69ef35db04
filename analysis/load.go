package analysis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	rg "github.com/regiongraph/regiongraph"
)

// Load reads the nodes of kinds and relations of relations (empty: all)
// that an analysis over the whole graph needs, as of year. A graph of more
// than MaxNodes nodes is refused with a BAD_USER_INPUT error naming the
// limit.
func Load(ctx context.Context, store rg.Store, kinds []rg.Kind, relations []rg.RelKind, year *int) (*rg.Subgraph, error) {
	sg, err := store.Subgraph(ctx, rg.SubgraphFilter{Kinds: kinds, Relations: relations, Year: year, MaxNodes: MaxNodes})
	if err != nil {
		return nil, fmt.Errorf("load the graph for analysis: %w", err)
	}
	if sg.Truncated {
		return nil, rg.Errorf(rg.EBADINPUT, "the graph has more than %d nodes; whole-graph analysis is limited to %d nodes (MaxNodes)", MaxNodes, MaxNodes)
	}
	return sg, nil
}

// LoadActorGraph returns the actor graph of store's graph as of year.
//
// On a store that versions its graph (regiongraph.Versioned, as both stores
// do) the graph is read once per version, kept in integer form for every
// year, and the actor graph of each year derived once from it and shared:
// every caller until the next change gets the same *ActorGraph, with the
// analyses already computed on it (see Centrality, Communities, Brokers).
// Before anything is read, the store's cheap counts are checked against
// MaxRelations. On another store the graph is read and projected on every
// call.
func LoadActorGraph(ctx context.Context, store rg.Store, year *int) (*ActorGraph, error) {
	sc, err := cacheFor(ctx, store)
	if err != nil {
		return nil, err
	}
	if sc == nil {
		sg, err := Load(ctx, store, ProjectionKinds, ProjectionRelations, year)
		if err != nil {
			return nil, err
		}
		return Project(ctx, sg, year)
	}
	return do(ctx, sc.memo, "actors:"+yearKey(year), func(ctx context.Context) (*ActorGraph, error) {
		if v, ok := carried[*ActorGraph](ctx, sc, store, "actors:"+yearKey(year), actorsPart); ok {
			return v, nil
		}
		b, err := do(ctx, sc.memo, "actors", func(ctx context.Context) (*base, error) {
			if v, ok := carried[*base](ctx, sc, store, "actors", actorsPart); ok {
				return v, nil
			}
			sg, err := Load(ctx, store, ProjectionKinds, ProjectionRelations, nil)
			if err != nil {
				return nil, err
			}
			return newBase(ctx, sg)
		})
		if err != nil {
			return nil, err
		}
		return b.actorGraph(ctx, year)
	})
}

func yearKey(year *int) string {
	if year == nil {
		return "all"
	}
	return strconv.Itoa(*year)
}

// The cache: per store (by regiongraph.GraphVersion.Store), the values
// derived from its newest version seen. A new version replaces the old
// values (computations still running for the old one finish for their
// callers and are then dropped). At most maxStores stores are kept, the
// least recently used dropped first; nothing in the cache refers to a
// store, so a closed store is never kept alive.
const (
	maxStores = 4
	// valuesPerVersion bounds the values kept for one version: the
	// graphs read, and the actor graphs and funding views of the years
	// asked for.
	valuesPerVersion = 48
)

type storeCache struct {
	version rg.GraphVersion
	used    uint64
	memo    *memo
	// prev is the cache of the version before, whose values are carried
	// over where the changes since do not touch them (see carried).
	prev atomic.Pointer[storeCache]
}

var cache = struct {
	sync.Mutex
	tick   uint64
	stores map[uint64]*storeCache
}{stores: map[uint64]*storeCache{}}

// cacheFor returns the cache of store's current version, or nil when the
// store does not version its graph. It refuses a graph beyond MaxRelations
// from the version's counts.
func cacheFor(ctx context.Context, store rg.Store) (*storeCache, error) {
	v, err := rg.VersionOf(ctx, store)
	if errors.Is(err, rg.ErrNoVersion) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("analysis: the graph's version: %w", err)
	}
	if v.Relations > MaxRelations {
		return nil, rg.Errorf(rg.EBADINPUT, "the graph has %d relations; whole-graph analysis is limited to graphs of %d relations (MaxRelations)", v.Relations, MaxRelations)
	}
	cache.Lock()
	defer cache.Unlock()
	cache.tick++
	sc := cache.stores[v.Store]
	if sc == nil || sc.version != v {
		prev := sc
		sc = &storeCache{version: v, memo: newMemo(valuesPerVersion)}
		if prev != nil && prev.version.Seq < v.Seq {
			prev.prev.Store(nil) // only one version back is kept
			sc.prev.Store(prev)
		}
		cache.stores[v.Store] = sc
	}
	sc.used = cache.tick
	for len(cache.stores) > maxStores {
		var oldest uint64
		var ou uint64
		first := true
		for id, c := range cache.stores {
			if first || c.used < ou {
				oldest, ou, first = id, c.used, false
			}
		}
		delete(cache.stores, oldest)
	}
	return sc, nil
}

// The parts of the cache that a change may leave alone.
const (
	actorsPart  = "actors"
	fundingPart = "funding"
)

// maxCarriedChanges bounds the history read to decide what to carry over:
// beyond it everything is read again.
const maxCarriedChanges = 1000

// carried returns the previous version's value for key when the changes
// between the two versions do not touch part: no change to a node or
// relation the part reads. The decision reads those changes from the
// store's history once per version.
func carried[T any](ctx context.Context, sc *storeCache, store rg.Store, key, part string) (T, bool) {
	var zero T
	prev := sc.prev.Load()
	if prev == nil {
		return zero, false
	}
	touched, err := do(ctx, sc.memo, "changes", func(ctx context.Context) (map[string]bool, error) {
		return touchedParts(ctx, store, prev.version.Seq, sc.version.Seq)
	})
	if err != nil || touched[part] {
		return zero, false
	}
	prev.memo.mu.Lock()
	c := prev.memo.calls[key]
	prev.memo.mu.Unlock()
	if c == nil {
		return zero, false
	}
	select {
	case <-c.done:
	default:
		return zero, false
	}
	v, ok := c.val.(T)
	return v, ok && c.err == nil
}

// touchedParts reads the history entries after seq from up to seq to and
// says which parts of the cache they touch: actorsPart for actors (their
// fields are shown), initiatives created or deleted, and relations the
// projection reads; fundingPart for the nodes and relations funding reads.
// More than maxCarriedChanges entries touch everything.
func touchedParts(ctx context.Context, store rg.Store, from, to int64) (map[string]bool, error) {
	all := map[string]bool{actorsPart: true, fundingPart: true}
	if to-from > maxCarriedChanges || to <= from {
		return all, nil
	}
	out := map[string]bool{}
	after := rg.HistoryCursor(to + 1)
	for {
		page, err := store.History(ctx, rg.HistoryFilter{First: int(min(to-from, rg.MaxPageSize)), After: after})
		if err != nil {
			return nil, fmt.Errorf("analysis: the changes since the last version: %w", err)
		}
		for _, h := range page.Entries {
			if h.Seq <= from {
				return out, nil
			}
			for _, n := range []*rg.Node{h.Before, h.After} {
				switch {
				case n == nil:
				case n.Kind.IsActor():
					out[actorsPart], out[fundingPart] = true, true
				case n.Kind == rg.KindInitiative && h.Op != rg.OpUpdateNode:
					out[actorsPart], out[fundingPart] = true, true
				case slices.Contains(FundingKinds, n.Kind):
					out[fundingPart] = true
				}
			}
			for _, e := range []*rg.Edge{h.BeforeEdge, h.AfterEdge} {
				if e != nil && slices.Contains(ProjectionRelations, e.Kind) {
					out[actorsPart] = true
				}
				if e != nil && slices.Contains(FundingRelations, e.Kind) {
					out[fundingPart] = true
				}
			}
		}
		if !page.HasNextPage {
			return out, nil
		}
		after = page.EndCursor
	}
}
