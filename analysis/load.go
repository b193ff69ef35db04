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
	key := "actors:" + yearKey(year)
	return do(ctx, sc.memo, key, func(ctx context.Context) (*ActorGraph, error) {
		// The base first, so that each version's cache holds it for the
		// next one to carry or patch.
		b, err := do(ctx, sc.memo, "actors", func(ctx context.Context) (*base, error) {
			d := sc.changes(ctx, store)
			if pb, ok := prevValue[*base](d, "actors"); ok {
				if !d.touched[actorsPart] {
					return pb, nil
				}
				if d.actorFieldsOnly {
					return pb.withActorUpdates(d.entries), nil
				}
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
		d := sc.changes(ctx, store)
		if pag, ok := prevValue[*ActorGraph](d, key); ok {
			switch {
			case !d.touched[actorsPart] && pag.base == b:
				return pag, nil
			case d.actorFieldsOnly:
				return pag.withBase(b), nil
			}
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

// delta is what changed between the previous cached version (prev) and
// this one: the history entries, oldest first, and the parts they touch.
type delta struct {
	prev    *storeCache
	entries []*rg.HistoryEntry
	touched map[string]bool
	// actorFieldsOnly is set when every change the actor part reads
	// updates an actor's fields (its id, kind and relations stay).
	actorFieldsOnly bool
}

// changes returns what changed since the previous cached version, read
// from the store's history once per version; nil when there is no
// previous version or the changes are too many to follow.
func (sc *storeCache) changes(ctx context.Context, store rg.Store) *delta {
	prev := sc.prev.Load()
	if prev == nil {
		return nil
	}
	d, err := do(ctx, sc.memo, "changes", func(ctx context.Context) (*delta, error) {
		return readDelta(ctx, store, prev, sc.version.Seq)
	})
	if err != nil {
		return nil
	}
	return d
}

// prevValue returns the previous version's finished value for key.
func prevValue[T any](d *delta, key string) (T, bool) {
	var zero T
	if d == nil {
		return zero, false
	}
	d.prev.memo.mu.Lock()
	c := d.prev.memo.calls[key]
	d.prev.memo.mu.Unlock()
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

// readDelta reads the history entries after prev's seq up to seq to and
// says which parts of the cache they touch: actorsPart for actors (their
// fields are shown), initiatives created or deleted, and relations the
// projection reads; fundingPart for the nodes and relations funding reads.
// More than maxCarriedChanges entries are not read: they touch everything.
func readDelta(ctx context.Context, store rg.Store, prev *storeCache, to int64) (*delta, error) {
	from := prev.version.Seq
	d := &delta{prev: prev, touched: map[string]bool{}, actorFieldsOnly: true}
	if to-from > maxCarriedChanges || to <= from {
		return nil, nil
	}
	after := rg.HistoryCursor(to + 1)
	for done := false; !done; {
		page, err := store.History(ctx, rg.HistoryFilter{First: int(min(to-from, rg.MaxPageSize)), After: after})
		if err != nil {
			return nil, fmt.Errorf("analysis: the changes since the last version: %w", err)
		}
		for _, h := range page.Entries {
			if h.Seq <= from {
				done = true
				break
			}
			d.entries = append(d.entries, h)
		}
		if !page.HasNextPage {
			done = true
		}
		after = page.EndCursor
	}
	slices.Reverse(d.entries)
	for _, h := range d.entries {
		actorFields := h.Op == rg.OpUpdateNode && h.Before != nil && h.After != nil && h.Before.Kind.IsActor() && h.After.Kind == h.Before.Kind
		for _, n := range []*rg.Node{h.Before, h.After} {
			switch {
			case n == nil:
			case n.Kind.IsActor():
				d.touched[actorsPart], d.touched[fundingPart] = true, true
				d.actorFieldsOnly = d.actorFieldsOnly && actorFields
			case n.Kind == rg.KindInitiative && h.Op != rg.OpUpdateNode:
				d.touched[actorsPart], d.touched[fundingPart] = true, true
				d.actorFieldsOnly = false
			case slices.Contains(FundingKinds, n.Kind):
				d.touched[fundingPart] = true
			}
		}
		for _, e := range []*rg.Edge{h.BeforeEdge, h.AfterEdge} {
			if e != nil && slices.Contains(ProjectionRelations, e.Kind) {
				d.touched[actorsPart] = true
				d.actorFieldsOnly = false
			}
			if e != nil && slices.Contains(FundingRelations, e.Kind) {
				d.touched[fundingPart] = true
			}
		}
	}
	return d, nil
}
