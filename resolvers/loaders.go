package resolvers

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	rg "github.com/regiongraph/regiongraph"
)

// edgeKey asks for one node's relations in one direction, of one kind ("" for
// every kind), in one year (when HasYear).
type edgeKey struct {
	NodeID  string
	Dir     rg.Direction
	Kind    rg.RelKind
	Year    int
	HasYear bool
}

// group is what edgeKeys that can share one Store.Edges call have in common.
type group struct {
	Dir     rg.Direction
	Kind    rg.RelKind
	Year    int
	HasYear bool
}

func (k edgeKey) group() group { return group{k.Dir, k.Kind, k.Year, k.HasYear} }

// groupLists is the relation lists of one group read ahead, by node id.
type groupLists struct {
	g     group
	lists map[string]readList
}

// readList is a node's relation list read ahead: the relations, ordered by
// id, and for each the node at its other end (nil if the store did not
// return it).
type readList struct {
	edges []*rg.Edge
	ends  []*rg.Node
}

// listsOf returns the relation lists of g read ahead (nil when none were):
// a request reads a handful of groups, so they are found by a scan, which
// compares the kind's string (mostly the same string, so by its address)
// rather than hashing it as a map keyed by group would on every lookup.
// The caller holds l.mu.
func (l *Loaders) listsOf(g group) map[string]readList {
	for i := range l.lists {
		if l.lists[i].g == g {
			return l.lists[i].lists
		}
	}
	return nil
}

// Loaders hold a request's reads. Relation lists and nodes are read ahead
// (readahead.go): when a field returns nodes, the relation fields selected
// below it are read for all of them at once, one Store.Expand per relation
// field and level, before any child resolver runs, and kept here; the
// resolvers then find them without waiting. What was not read ahead (nodes
// reached through analysis results, mutations, ...) goes through the
// dataloaders, which batch the keys that arrive within the wait.
type Loaders struct {
	store rg.Store
	wait  time.Duration

	// The dataloaders, made when first needed (most requests are served
	// from what was read ahead).
	once  sync.Once
	nodes *dataloadgen.Loader[string, *rg.Node]
	edges *dataloadgen.Loader[edgeKey, []*rg.Edge]

	mu sync.RWMutex
	// The nodes read in this request: those remembered one by one, and
	// the batches read ahead, each ordered by id as Store.Expand gives
	// them, found by a binary search (knownNode) rather than copied into
	// the map: a level of a nested query brings a hundred nodes, whose
	// hashing and the map's growth cost more than the searches.
	known   map[string]*rg.Node
	batches [][]*rg.Node
	lists   []groupLists // relation lists read ahead, by read and id

	fieldsMu sync.Mutex
	fields   map[fieldsKey][]graphql.CollectedField
}

// fieldsKey is a selection set (its first element's address, which the key
// keeps alive, and its length) on objects of a type (the first of the
// types it satisfies, which says the rest).
type fieldsKey struct {
	sel *ast.Selection
	n   int
	typ string
}

// collect is graphql.CollectFields(oc, sel, types), computed once per
// selection and type in the request, for reading ahead and for the direct
// path alike (gqlgen's own cache hashes every type name on every call).
// Without variables, what is collected depends on the document alone, and
// is kept across requests (the query cache keeps their documents).
func (l *Loaders) collect(oc *graphql.OperationContext, sel ast.SelectionSet, types []string) []graphql.CollectedField {
	if len(types) == 0 {
		return graphql.CollectFields(oc, sel, types)
	}
	k := fieldsKey{n: len(sel), typ: types[0]}
	if len(sel) > 0 {
		k.sel = &sel[0]
	}
	if len(oc.Variables) == 0 {
		return collected.get(k, func() []graphql.CollectedField { return graphql.CollectFields(oc, sel, types) })
	}
	l.fieldsMu.Lock()
	fs, ok := l.fields[k]
	l.fieldsMu.Unlock()
	if ok {
		return fs
	}
	fs = graphql.CollectFields(oc, sel, types)
	l.fieldsMu.Lock()
	if l.fields == nil {
		l.fields = map[fieldsKey][]graphql.CollectedField{}
	}
	l.fields[k] = fs
	l.fieldsMu.Unlock()
	return fs
}

// collected keeps the fields collected for operations without variables,
// across requests: at most maxCollected selections (then it starts again).
var collected = &fieldsCache{}

const maxCollected = 1 << 14

type fieldsCache struct {
	mu sync.RWMutex
	m  map[fieldsKey][]graphql.CollectedField
}

func (c *fieldsCache) get(k fieldsKey, collect func() []graphql.CollectedField) []graphql.CollectedField {
	c.mu.RLock()
	fs, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return fs
	}
	fs = collect()
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCollected {
		c.m = map[fieldsKey][]graphql.CollectedField{}
	}
	c.m[k] = fs
	c.mu.Unlock()
	return fs
}

// NewLoaders returns fresh loaders over store, batching the keys that arrive
// within wait of each other where nothing was read ahead.
func NewLoaders(store rg.Store, wait time.Duration) *Loaders {
	return &Loaders{store: store, wait: wait}
}

// loaders makes the dataloaders once.
func (l *Loaders) loaders() {
	l.once.Do(func() {
		store := l.store
		opts := []dataloadgen.Option{dataloadgen.WithWait(l.wait), dataloadgen.WithBatchCapacity(rg.MaxBatchIDs)}
		l.nodes = dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*rg.Node, []error) {
			return fetchNodes(ctx, store, ids)
		}, opts...)
		l.edges = dataloadgen.NewLoader(func(ctx context.Context, keys []edgeKey) ([][]*rg.Edge, []error) {
			return fetchEdges(ctx, store, keys)
		}, opts...)
	})
}

func (l *Loaders) nodeLoader() *dataloadgen.Loader[string, *rg.Node] {
	l.loaders()
	return l.nodes
}

func (l *Loaders) edgeLoader() *dataloadgen.Loader[edgeKey, []*rg.Edge] {
	l.loaders()
	return l.edges
}

// clear forgets what the dataloaders read (after a write).
func (l *Loaders) clear() {
	l.nodeLoader().ClearAll()
	l.edgeLoader().ClearAll()
}

// fetchNodes reads ids in one store call; an id that does not exist loads
// as nil, not as an error.
func fetchNodes(ctx context.Context, store rg.Store, ids []string) ([]*rg.Node, []error) {
	out := make([]*rg.Node, len(ids))
	ns, err := store.Nodes(ctx, ids)
	if err != nil {
		errs := make([]error, len(ids))
		err = fmt.Errorf("load %d nodes: %w", len(ids), err)
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	m := make(map[string]*rg.Node, len(ns))
	for _, n := range ns {
		m[n.ID] = n
	}
	for i, id := range ids {
		out[i] = m[id]
	}
	return out, nil
}

func fetchEdges(ctx context.Context, store rg.Store, keys []edgeKey) ([][]*rg.Edge, []error) {
	out := make([][]*rg.Edge, len(keys))
	errs := make([]error, len(keys))
	groups := map[group][]int{}
	var order []group
	for i, k := range keys {
		g := group{k.Dir, k.Kind, k.Year, k.HasYear}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], i)
	}
	for _, g := range order {
		idx := groups[g]
		ids := make([]string, len(idx))
		byID := make(map[string][]int, len(idx))
		for j, i := range idx {
			ids[j] = keys[i].NodeID
			byID[keys[i].NodeID] = append(byID[keys[i].NodeID], i)
		}
		f := rg.EdgeFilter{NodeIDs: ids, Direction: g.Dir}
		if g.Kind != "" {
			f.Kinds = []rg.RelKind{g.Kind}
		}
		if g.HasYear {
			y := g.Year
			f.Year = &y
		}
		es, err := store.Edges(ctx, f)
		if err != nil {
			err = fmt.Errorf("load %s relations of %d nodes: %w", g.Dir, len(ids), err)
			for _, i := range idx {
				errs[i] = err
			}
			continue
		}
		for _, i := range idx {
			out[i] = []*rg.Edge{}
		}
		for _, e := range es {
			if g.Dir != rg.In {
				for _, i := range byID[e.From] {
					out[i] = append(out[i], e)
				}
			}
			if g.Dir != rg.Out && e.To != e.From {
				for _, i := range byID[e.To] {
					out[i] = append(out[i], e)
				}
			}
		}
	}
	return out, errs
}

type loadersKey struct{}

// LoadersKey is the context key of a request's loaders (WithLoaders): a
// context type that carries them itself (a field of a per-request value,
// not a context.WithValue of their own) answers Value(LoadersKey{}) with
// them.
type LoadersKey = loadersKey

// Init makes l fresh loaders over store, as NewLoaders does, for loaders
// kept in a larger value. l must not be in use.
func (l *Loaders) Init(store rg.Store, wait time.Duration) {
	*l = Loaders{store: store, wait: wait}
}

// WithLoaders returns a context carrying l.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// LoaderMiddleware gives every request its own loaders, so nothing is cached
// across requests.
func LoaderMiddleware(store rg.Store, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithLoaders(r.Context(), NewLoaders(store, wait))))
	})
}

// loaders returns the request's loaders, or fresh unbatched ones when the
// context has none (for callers outside an HTTP request).
func (r *Resolver) loaders(ctx context.Context) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	return NewLoaders(r.Store, 0)
}

// knownNode returns the node id read in this request, if it was. The
// caller holds l.mu.
func (l *Loaders) knownNode(id string) (*rg.Node, bool) {
	if n, ok := l.known[id]; ok {
		return n, true
	}
	for _, b := range l.batches {
		if n := findByID(b, id); n != nil {
			return n, true
		}
	}
	return nil, false
}

// sortedByID is ns ordered by id: ns itself when it is (as Store.Expand
// returns its nodes), else a sorted copy.
func sortedByID(ns []*rg.Node) []*rg.Node {
	if slices.IsSortedFunc(ns, compareIDs) {
		return ns
	}
	return slices.SortedFunc(slices.Values(ns), compareIDs)
}

// findByID returns the node id in ns, ordered by id, or nil.
func findByID(ns []*rg.Node, id string) *rg.Node {
	if i, ok := slices.BinarySearchFunc(ns, id, func(n *rg.Node, id string) int { return strings.Compare(n.ID, id) }); ok {
		return ns[i]
	}
	return nil
}

// compareIDs orders nodes by id.
func compareIDs(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) }

// remember keeps nodes read in this request.
func (l *Loaders) remember(ns []*rg.Node) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.known == nil {
		l.known = make(map[string]*rg.Node, len(ns))
	}
	for _, n := range ns {
		l.known[n.ID] = n
	}
}

// node loads one node; nil when it does not exist.
func (r *Resolver) node(ctx context.Context, id string) (*rg.Node, error) {
	l := r.loaders(ctx)
	l.mu.RLock()
	n, ok := l.knownNode(id)
	l.mu.RUnlock()
	if ok {
		return n, nil
	}
	return l.nodeLoader().Load(ctx, id)
}

// nodesByID loads many nodes, in order, skipping those that do not exist.
func (r *Resolver) nodesByID(ctx context.Context, ids []string) ([]*rg.Node, error) {
	l := r.loaders(ctx)
	out := make([]*rg.Node, 0, len(ids))
	var missing []string
	l.mu.RLock()
	for _, id := range ids {
		if n, ok := l.knownNode(id); ok {
			out = append(out, n)
		} else {
			missing = append(missing, id)
		}
	}
	l.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := l.nodeLoader().LoadAll(ctx, missing)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*rg.Node, len(loaded))
	for _, n := range loaded {
		if n != nil {
			byID[n.ID] = n
		}
	}
	out = out[:0]
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, id := range ids {
		if n, ok := l.knownNode(id); ok {
			out = append(out, n)
		} else if n := byID[id]; n != nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// prime keeps nodes already read, for the rest of the request.
func (r *Resolver) prime(ctx context.Context, ns []*rg.Node) {
	r.loaders(ctx).remember(ns)
}

// edges loads one node's relations, ordered by id.
func (r *Resolver) edges(ctx context.Context, id string, dir rg.Direction, kind rg.RelKind, year *int) ([]*rg.Edge, error) {
	k := edgeKey{NodeID: id, Dir: dir, Kind: kind}
	if year != nil {
		k.Year, k.HasYear = *year, true
	}
	l := r.loaders(ctx)
	l.mu.RLock()
	rl, ok := l.listsOf(k.group())[id]
	l.mu.RUnlock()
	if ok {
		return rl.edges, nil
	}
	return l.edgeLoader().Load(ctx, k)
}
