package resolvers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

// Reading ahead: a field that returns nodes (a list query, node, nodes,
// search) calls readAhead with them and its selection before it returns.
// readAhead looks at what the selection asks of those nodes, level by
// level: for every relation field selected (memberOf, funders, relations,
// ...), one Store.Expand for all the nodes of the level that select it with
// the same direction, kind and year, which also brings the nodes at the
// other ends; those become the next level, with the field's own selection.
// Sources whose plan or citation is selected add one Store.Nodes per level
// for the plans not read yet. The results are kept in the request's
// Loaders, where the resolvers find them: the store is called once per
// relation field and level, however many rows there are, and nothing waits
// for a timer. Reading ahead is an optimisation only: whatever it does not
// read (or fails to read) the resolvers load themselves.

// maxReadAheadLevels bounds how deep readAhead goes (the query's depth is
// bounded by the limits anyway).
const maxReadAheadLevels = 32

// readJob is a set of nodes and the selection made on each of them.
type readJob struct {
	nodes []*rg.Node
	sel   ast.SelectionSet
}

// readKey is one Store.Expand of a level: a direction, a relation kind
// ("" for every kind) and a year.
type readKey struct {
	dir     rg.Direction
	kind    rg.RelKind
	year    int
	hasYear bool
}

func (k readKey) group() group {
	return group{Dir: k.dir, Kind: k.kind, Year: k.year, HasYear: k.hasYear}
}

// follow is one selected relation field on a set of parents: which reads
// serve it and what is selected on what it returns.
type follow struct {
	parents  []*rg.Node
	keys     []readKey
	field    *ast.Field
	accept   func(*rg.Node) bool
	opts     listOpts
	one      bool // first by name only
	edges    bool // returns relations, not nodes
	connSel  bool // a connection: the relations' selection is under nodes / edges.node
	typeName string
}

// readAhead reads, for the nodes ns that the current field returns with
// selection sel, what that selection asks of them (see above).
func (r *Resolver) readAhead(ctx context.Context, ns []*rg.Node, sel ast.SelectionSet) {
	if len(ns) == 0 || len(sel) == 0 || !graphql.HasOperationContext(ctx) {
		return
	}
	oc := graphql.GetOperationContext(ctx)
	l := r.loaders(ctx)
	l.remember(ns)
	jobs := []readJob{{nodes: ns, sel: sel}}
	for level := 0; len(jobs) > 0 && level < maxReadAheadLevels && ctx.Err() == nil; level++ {
		jobs = r.readLevel(ctx, oc, l, jobs)
	}
}

// readAheadField reads ahead for the nodes returned by the current field,
// whose selection is the field's own.
func (r *Resolver) readAheadField(ctx context.Context, ns []*rg.Node) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil {
		r.readAhead(ctx, ns, fc.Field.Selections)
	}
}

// readAheadConnection reads ahead for the nodes of a connection returned by
// the current field: the selection under nodes and under edges.node.
func (r *Resolver) readAheadConnection(ctx context.Context, ns []*rg.Node) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || !graphql.HasOperationContext(ctx) {
		return
	}
	r.readAhead(ctx, ns, connectionNodeSelection(graphql.GetOperationContext(ctx), r.loaders(ctx), fc.Field.Field))
}

// connectionNodeSelection is the selection made on the nodes of connection
// field f: under nodes and under edges.node. For an operation without
// variables, it is the same slice from one request to the next (kept
// with the collected fields), and so are the keys of what is collected
// from it (Loaders.collect).
func connectionNodeSelection(oc *graphql.OperationContext, l *Loaders, f *ast.Field) ast.SelectionSet {
	if len(oc.Variables) > 0 || len(f.SelectionSet) == 0 {
		return joinConnectionNodes(oc, l, f)
	}
	k := fieldsKey{sel: &f.SelectionSet[0], n: len(f.SelectionSet), typ: connectionNodesKey}
	return collected.get(k, func() []graphql.CollectedField {
		return []graphql.CollectedField{{Selections: joinConnectionNodes(oc, l, f)}}
	})[0].Selections
}

// connectionNodesKey is the type in the fieldsKey of a connection's node
// selection (no GraphQL type is named so).
const connectionNodesKey = "\x00connection nodes"

func joinConnectionNodes(oc *graphql.OperationContext, l *Loaders, f *ast.Field) ast.SelectionSet {
	var out ast.SelectionSet
	for _, c := range l.collect(oc, f.SelectionSet, []string{typeName(f)}) {
		switch c.Name {
		case "nodes":
			out = joinSelections(out, c.Selections)
		case "edges":
			for _, e := range l.collect(oc, c.Selections, []string{typeName(c.Field)}) {
				if e.Name == "node" {
					out = joinSelections(out, e.Selections)
				}
			}
		}
	}
	return out
}

// joinSelections is append(out, sel...), but for the first selection, which
// is kept as it is, not copied (clipped, so that a later append copies): a
// selection made in one place keeps its address, by which the fields
// collected from it are cached (Loaders.collect).
func joinSelections(out, sel ast.SelectionSet) ast.SelectionSet {
	if len(out) == 0 && len(sel) > 0 {
		return slices.Clip(sel)
	}
	return append(out, sel...)
}

// typeName is the name of the named type of f (list and non-null removed).
func typeName(f *ast.Field) string {
	if f.Definition == nil || f.Definition.Type == nil {
		return ""
	}
	return f.Definition.Type.Name()
}

// graphQLTypes names each node kind's GraphQL type and the interfaces it
// implements, as CollectFields wants them.
var graphQLTypes = func() map[rg.Kind][]string {
	m := map[rg.Kind][]string{}
	for k := range kindNames {
		name := graphQLTypeName(k)
		if k.IsActor() {
			m[k] = []string{name, "Actor", "Node"}
		} else {
			m[k] = []string{name, "Node"}
		}
	}
	return m
}()

func graphQLTypeName(k rg.Kind) string {
	return string(k) // the domain's kind names are the GraphQL type names
}

// kindGroup is the nodes of one kind among a level's, in their order.
type kindGroup struct {
	kind  rg.Kind
	nodes []*rg.Node
}

// groupByKind appends to gs the nodes grouped by kind, kinds in the order
// they first appear (a handful of kinds: a scan, not a map).
func groupByKind(gs []kindGroup, nodes []*rg.Node) []kindGroup {
	if len(nodes) > 0 && !slices.ContainsFunc(nodes[1:], func(n *rg.Node) bool { return n.Kind != nodes[0].Kind }) {
		return append(gs, kindGroup{kind: nodes[0].Kind, nodes: nodes}) // one kind (the common case): no copy
	}
	for _, n := range nodes {
		i := slices.IndexFunc(gs, func(g kindGroup) bool { return g.kind == n.Kind })
		if i < 0 {
			gs = append(gs, kindGroup{kind: n.Kind})
			i = len(gs) - 1
		}
		gs[i].nodes = append(gs[i].nodes, n)
	}
	return gs
}

// leafOnly reports whether sel, with its fragments, selects scalar fields
// only: a field with a selection of its own (a relation, a connection,
// source) is what a level reads ahead for.
func leafOnly(oc *graphql.OperationContext, sel ast.SelectionSet) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if len(s.SelectionSet) > 0 {
				return false
			}
		case *ast.InlineFragment:
			if !leafOnly(oc, s.SelectionSet) {
				return false
			}
		case *ast.FragmentSpread:
			def := s.Definition
			if def == nil && oc.Doc != nil {
				def = oc.Doc.Fragments.ForName(s.Name)
			}
			if def == nil || !leafOnly(oc, def.SelectionSet) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// readLevel reads what jobs select and returns the next level's jobs.
func (r *Resolver) readLevel(ctx context.Context, oc *graphql.OperationContext, l *Loaders, jobs []readJob) []readJob {
	var follows []*follow
	plans := map[string]bool{}      // plan ids whose names or nodes are selected (no allocation while empty)
	var planSels []ast.SelectionSet // selections on those plans
	var edgeSources []*ast.Field    // source fields selected on relations
	var groups []kindGroup
	for _, j := range jobs {
		if leafOnly(oc, j.sel) {
			continue // scalars only (a search's names and ids): nothing to read
		}
		groups = groupByKind(groups[:0], j.nodes)
		for _, g := range groups {
			k, ns := g.kind, g.nodes
			types := graphQLTypes[k]
			if types == nil {
				continue
			}
			for _, f := range l.collect(oc, j.sel, types) {
				if f.Name == "source" {
					if sourceNeedsPlan(oc, f.Field) {
						for _, n := range ns {
							if n.Source.Plan != "" && !n.Source.Outside {
								plans[n.Source.Plan] = true
							}
						}
						planSels = append(planSels, planSelection(oc, f.Field)...)
					}
					continue
				}
				if fw := followFor(types[0], f.Field, oc.Variables); fw != nil {
					fw.parents = ns
					follows = append(follows, fw)
				}
			}
		}
	}

	// One Expand per read key, for every parent that wants it (a level
	// has a few keys: a scan, not a map).
	type keyParents struct {
		key readKey
		ids []string
	}
	var reads []keyParents
	for _, fw := range follows {
		for _, k := range fw.keys {
			i := slices.IndexFunc(reads, func(kp keyParents) bool { return kp.key == k })
			if i < 0 {
				reads = append(reads, keyParents{key: k, ids: make([]string, 0, len(fw.parents))})
				i = len(reads) - 1
			}
			for _, p := range fw.parents {
				reads[i].ids = append(reads[i].ids, p.ID)
			}
		}
	}
	for _, kp := range reads {
		if err := r.expandInto(ctx, l, kp.key, uniqueIDs(kp.ids)); err != nil {
			return nil // the resolvers read (and report) it themselves
		}
	}

	// The next level.
	var next []readJob
	for _, fw := range follows {
		if fw.edges {
			next = append(next, relationJobs(oc, l, fw, plans, &edgeSources)...)
			continue
		}
		if children := childNodes(l, fw); len(children) > 0 && len(fw.field.SelectionSet) > 0 {
			next = append(next, readJob{nodes: children, sel: fw.field.SelectionSet})
		}
	}
	for _, f := range edgeSources {
		planSels = append(planSels, planSelection(oc, f)...)
	}
	if len(plans) > 0 {
		ids := make([]string, 0, len(plans))
		l.mu.RLock()
		for id := range plans {
			if _, ok := l.knownNode(id); !ok {
				ids = append(ids, id)
			}
		}
		l.mu.RUnlock()
		slices.Sort(ids)
		if len(ids) > 0 {
			ns, err := l.store.Nodes(ctx, ids)
			if err != nil {
				return next
			}
			l.remember(ns)
		}
		if len(planSels) > 0 {
			var ps []*rg.Node
			l.mu.RLock()
			for id := range plans {
				if n, _ := l.knownNode(id); n != nil && n.Kind == rg.KindPlan {
					ps = append(ps, n)
				}
			}
			l.mu.RUnlock()
			slices.SortFunc(ps, compareIDs)
			var sel ast.SelectionSet
			for _, s := range planSels {
				sel = append(sel, s...)
			}
			if len(ps) > 0 {
				next = append(next, readJob{nodes: ps, sel: sel})
			}
		}
	}
	return next
}

// expandInto reads one level for ids with one Store.Expand per chunk and
// keeps each id's relations (ordered by id) and the nodes.
func (r *Resolver) expandInto(ctx context.Context, l *Loaders, k readKey, ids []string) error {
	f := rg.EdgeFilter{Direction: k.dir}
	if k.kind != "" {
		f.Kinds = []rg.RelKind{k.kind}
	}
	if k.hasYear {
		y := k.year
		f.Year = &y
	}
	for chunk := range slices.Chunk(ids, rg.MaxBatchIDs) {
		l.mu.RLock()
		todo := make([]string, 0, len(chunk))
		read := l.listsOf(k.group())
		for _, id := range chunk {
			if _, ok := read[id]; !ok {
				todo = append(todo, id)
			}
		}
		l.mu.RUnlock()
		if len(todo) == 0 {
			continue
		}
		f.NodeIDs = todo
		x, err := l.store.Expand(ctx, f)
		if err != nil {
			return fmt.Errorf("read ahead %s %s relations of %d nodes: %w", k.dir, k.kind, len(todo), err)
		}
		// Each id's list is a window of one array (and the nodes at the
		// other ends a window of another): two passes, two allocations.
		// x.Edges is by id, so each list is by id. todo is sorted (as
		// ids is), so an end is found in it by a binary search, and so
		// is a node in x.Nodes, which is by id.
		nodes := sortedByID(x.Nodes)
		ends := func(e *rg.Edge, visit func(j int)) {
			if k.dir != rg.In {
				if j, ok := slices.BinarySearch(todo, e.From); ok {
					visit(j)
				}
			}
			if k.dir != rg.Out && e.To != e.From {
				if j, ok := slices.BinarySearch(todo, e.To); ok {
					visit(j)
				}
			}
		}
		counts := make([]int, len(todo))
		total := 0
		for _, e := range x.Edges {
			ends(e, func(j int) { counts[j]++; total++ })
		}
		backing := make([]*rg.Edge, total)
		endsBacking := make([]*rg.Node, total)
		lists := make([]readList, len(todo))
		next := 0
		for j, n := range counts {
			lists[j] = readList{edges: backing[next : next : next+n], ends: endsBacking[next : next : next+n]}
			next += n
		}
		for _, e := range x.Edges {
			ends(e, func(j int) {
				rl := &lists[j]
				rl.edges = append(rl.edges, e)
				rl.ends = append(rl.ends, findByID(nodes, e.Other(todo[j])))
			})
		}
		l.mu.Lock()
		g := k.group()
		read = l.listsOf(g)
		if read == nil {
			read = make(map[string]readList, len(todo))
			l.lists = append(l.lists, groupLists{g: g, lists: read})
		}
		for j, id := range todo {
			read[id] = lists[j]
		}
		if len(nodes) > 0 {
			l.batches = append(l.batches, nodes)
		}
		l.mu.Unlock()
	}
	return nil
}

// reads are the relation lists read ahead for each key (l.mu held).
func (l *Loaders) reads(keys []readKey) []map[string]readList {
	out := make([]map[string]readList, len(keys))
	for i, k := range keys {
		out[i] = l.listsOf(k.group())
	}
	return out
}

// childNodes returns the nodes a node-returning follow gives its parents
// (each parent's page of them), each once.
func childNodes(l *Loaders, fw *follow) []*rg.Node {
	var out []*rg.Node
	seen := map[string]bool{}
	l.mu.RLock()
	defer l.mu.RUnlock()
	reads := l.reads(fw.keys)
	var ns []*rg.Node // each parent's in turn: its page is copied into out
	for _, p := range fw.parents {
		ns = ns[:0]
		for _, read := range reads {
			for _, n := range read[p.ID].ends {
				if n != nil {
					ns = append(ns, n)
				}
			}
		}
		opts := fw.opts
		if fw.one {
			one := 1
			opts = listOpts{first: &one}
		}
		var page []*rg.Node
		if opts.first == nil && opts.after == nil {
			page = accepted(ns, fw.accept, opts.planYear) // order does not matter here
		} else {
			var err error
			if page, err = pageOf(uniqueNodes(ns), fw.accept, opts); err != nil {
				return nil
			}
		}
		for _, n := range page {
			if !seen[n.ID] {
				seen[n.ID] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// relationJobs returns the next level for a relation-returning follow: the
// nodes at the from and to ends with what is selected on them; the plans of
// the relations' sources are added to plans when selected.
func relationJobs(oc *graphql.OperationContext, l *Loaders, fw *follow, plans map[string]bool, sources *[]*ast.Field) []readJob {
	sel := fw.field.SelectionSet
	if fw.connSel {
		sel = connectionNodeSelection(oc, l, fw.field)
	}
	var fromSel, toSel ast.SelectionSet
	wantSource := false
	for _, f := range l.collect(oc, sel, []string{"Relation"}) {
		switch f.Name {
		case "from":
			fromSel = joinSelections(fromSel, f.Selections)
		case "to":
			toSel = joinSelections(toSel, f.Selections)
		case "source":
			if sourceNeedsPlan(oc, f.Field) {
				wantSource = true
				*sources = append(*sources, f.Field)
			}
		}
	}
	if fromSel == nil && toSel == nil && !wantSource {
		return nil
	}
	var from, to []*rg.Node
	seenFrom, seenTo := map[string]bool{}, map[string]bool{}
	l.mu.RLock()
	reads := l.reads(fw.keys)
	for _, p := range fw.parents {
		var es []*rg.Edge
		for _, read := range reads {
			es = append(es, read[p.ID].edges...)
		}
		if len(fw.keys) > 1 {
			slices.SortFunc(es, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
			es = slices.CompactFunc(es, func(a, b *rg.Edge) bool { return a.ID == b.ID })
		}
		es, err := edgePage(es, fw.opts.first, fw.opts.after)
		if err != nil {
			continue
		}
		for _, e := range es {
			if wantSource && e.Source.Plan != "" && !e.Source.Outside {
				plans[e.Source.Plan] = true
			}
			if n, _ := l.knownNode(e.From); n != nil && fromSel != nil && !seenFrom[n.ID] {
				seenFrom[n.ID] = true
				from = append(from, n)
			}
			if n, _ := l.knownNode(e.To); n != nil && toSel != nil && !seenTo[n.ID] {
				seenTo[n.ID] = true
				to = append(to, n)
			}
		}
	}
	l.mu.RUnlock()
	var out []readJob
	if len(from) > 0 {
		out = append(out, readJob{nodes: from, sel: fromSel})
	}
	if len(to) > 0 {
		out = append(out, readJob{nodes: to, sel: toSel})
	}
	return out
}

// followFor is a copy of followOf(typ, f, vars), for the caller to fill in
// its parents. Without variables, what followOf says of a field depends on
// the document alone, and is kept across requests (as the collected
// fields are: the query cache keeps the documents), so that a level does
// not read every relation field's arguments again on every request.
func followFor(typ string, f *ast.Field, vars map[string]any) *follow {
	if len(vars) > 0 {
		return followOf(typ, f, vars)
	}
	k := followKey{f: f, typ: typ}
	follows.mu.RLock()
	tmpl, ok := follows.m[k]
	follows.mu.RUnlock()
	if !ok {
		tmpl = followOf(typ, f, nil)
		follows.mu.Lock()
		if follows.m == nil || len(follows.m) >= maxCollected {
			follows.m = map[followKey]*follow{}
		}
		follows.m[k] = tmpl
		follows.mu.Unlock()
	}
	if tmpl == nil {
		return nil
	}
	fw := *tmpl // its keys, options and accept are only read
	return &fw
}

// followKey is a field (whose address keeps it alive) on objects of a type.
type followKey struct {
	f   *ast.Field
	typ string
}

// follows keeps followOf's answers for operations without variables: at
// most maxCollected fields (then it starts again). A nil answer (not a
// relation field) is kept too.
var follows struct {
	mu sync.RWMutex
	m  map[followKey]*follow
}

// followOf describes the relation field f of GraphQL type typ, or nil when
// f is not one.
func followOf(typ string, f *ast.Field, vars map[string]any) *follow {
	switch f.Name {
	case "relations", "relationsConnection", "neighbours":
	default:
		if _, ok := relFields[typ+"."+f.Name]; !ok {
			return nil // not a relation field: nothing to read (its arguments unread)
		}
	}
	args := f.ArgumentMap(vars)
	year, hasYear := argInt(args, "year")
	key := func(dir rg.Direction, kind rg.RelKind) readKey {
		return readKey{dir: dir, kind: kind, year: year, hasYear: hasYear}
	}
	opts := listOpts{orderBy: argOrder(args), first: argIntPtr(args, "first"), after: argStringPtr(args, "after"), planYear: argIntPtr(args, "planYear")}
	switch f.Name {
	case "relations", "relationsConnection", "neighbours":
		dir := rg.Both
		if d, ok := args["direction"].(string); ok {
			dir = rg.Direction(d)
		}
		var keys []readKey
		kinds := argStrings(args, "kinds")
		if len(kinds) == 0 {
			keys = []readKey{key(dir, "")}
		}
		for _, k := range kinds {
			keys = append(keys, key(dir, rg.RelKind(k)))
		}
		fw := &follow{keys: keys, field: f, opts: opts, typeName: typ}
		switch f.Name {
		case "neighbours":
			var ks []rg.Kind
			for _, k := range argStrings(args, "nodeKinds") {
				ks = append(ks, domainKinds[model.NodeKind(k)])
			}
			fw.accept = acceptKinds(ks)
		case "relationsConnection":
			fw.edges, fw.connSel = true, true
			if fw.opts.first == nil {
				n := 100
				fw.opts.first = &n
			}
		default:
			fw.edges = true
		}
		return fw
	}
	s, ok := relFields[typ+"."+f.Name]
	if !ok {
		return nil
	}
	fw := &follow{keys: []readKey{key(s.dir, s.kind)}, field: f, accept: s.accept, opts: opts, typeName: typ}
	switch s.mode {
	case modeOne:
		fw.one = true
		fw.keys = []readKey{{dir: s.dir, kind: s.kind}}
	case modeRelations:
		fw.edges = true
	}
	return fw
}

// sourceNeedsPlan reports whether a source field selects citation or plan.
func sourceNeedsPlan(oc *graphql.OperationContext, f *ast.Field) bool {
	for _, c := range graphql.CollectFields(oc, f.SelectionSet, []string{"Source"}) {
		if c.Name == "citation" || c.Name == "plan" {
			return true
		}
	}
	return false
}

// planSelection is what a source field selects on its plan.
func planSelection(oc *graphql.OperationContext, f *ast.Field) []ast.SelectionSet {
	var out []ast.SelectionSet
	for _, c := range graphql.CollectFields(oc, f.SelectionSet, []string{"Source"}) {
		if c.Name == "plan" && len(c.Selections) > 0 {
			out = append(out, c.Selections)
		}
	}
	return out
}

// accepted keeps, in place, the nodes accept takes that are of planYear
// (when given).
func accepted(ns []*rg.Node, accept func(*rg.Node) bool, planYear *int) []*rg.Node {
	out := ns[:0]
	for _, n := range ns {
		if accept(n) && (planYear == nil || (n.PlanYear != nil && *n.PlanYear == *planYear)) {
			out = append(out, n)
		}
	}
	return out
}

func uniqueIDs(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}

func uniqueNodes(ns []*rg.Node) []*rg.Node {
	if len(ns) < 2 {
		return ns
	}
	seen := make(map[string]bool, len(ns))
	out := ns[:0]
	for _, n := range ns {
		if !seen[n.ID] {
			seen[n.ID] = true
			out = append(out, n)
		}
	}
	return out
}

// Arguments as ArgumentMap gives them: Int as int64, enums and ID as
// string, input objects as map[string]any, lists as []any.

func argInt(args map[string]any, name string) (int, bool) {
	switch v := args[name].(type) {
	case int64:
		return int(v), true
	case int:
		return v, true
	}
	return 0, false
}

func argIntPtr(args map[string]any, name string) *int {
	if v, ok := argInt(args, name); ok {
		return &v
	}
	return nil
}

func argStringPtr(args map[string]any, name string) *string {
	if v, ok := args[name].(string); ok {
		return &v
	}
	return nil
}

func argStrings(args map[string]any, name string) []string {
	var out []string
	switch v := args[name].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = v
	}
	return out
}

func argOrder(args map[string]any) *model.NodeOrder {
	m, ok := args["orderBy"].(map[string]any)
	if !ok {
		return nil
	}
	o := &model.NodeOrder{Field: model.NodeOrderFieldName, Direction: model.OrderDirectionAsc}
	if f, ok := m["field"].(string); ok {
		o.Field = model.NodeOrderField(f)
	}
	if d, ok := m["direction"].(string); ok {
		o.Direction = model.OrderDirection(d)
	}
	return o
}

// readAheadEnds reads ahead for relations returned by the current field:
// the nodes at their ends (one Store.Nodes) and what is selected on them.
func (r *Resolver) readAheadEnds(ctx context.Context, es []*rg.Edge) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil {
		r.readAheadEndsSel(ctx, es, fc.Field.Selections)
	}
}

// readAheadEndsSel reads ahead for relations es returned with selection sel.
func (r *Resolver) readAheadEndsSel(ctx context.Context, es []*rg.Edge, sel ast.SelectionSet) {
	if len(es) == 0 || !graphql.HasOperationContext(ctx) {
		return
	}
	oc := graphql.GetOperationContext(ctx)
	var fromSel, toSel ast.SelectionSet
	for _, f := range r.loaders(ctx).collect(oc, sel, []string{"Relation"}) {
		switch f.Name {
		case "from":
			fromSel = joinSelections(fromSel, f.Selections)
		case "to":
			toSel = joinSelections(toSel, f.Selections)
		}
	}
	if fromSel == nil && toSel == nil {
		return
	}
	var ids []string
	for _, e := range es {
		if fromSel != nil {
			ids = append(ids, e.From)
		}
		if toSel != nil {
			ids = append(ids, e.To)
		}
	}
	ns, err := r.Store.Nodes(ctx, uniqueIDs(ids))
	if err != nil {
		return
	}
	byID := make(map[string]*rg.Node, len(ns))
	for _, n := range ns {
		byID[n.ID] = n
	}
	r.loaders(ctx).remember(ns)
	pick := func(end func(*rg.Edge) string) []*rg.Node {
		var out []*rg.Node
		seen := map[string]bool{}
		for _, e := range es {
			if id := end(e); !seen[id] && byID[id] != nil {
				seen[id] = true
				out = append(out, byID[id])
			}
		}
		return out
	}
	if fromSel != nil {
		r.readAhead(ctx, pick(func(e *rg.Edge) string { return e.From }), fromSel)
	}
	if toSel != nil {
		r.readAhead(ctx, pick(func(e *rg.Edge) string { return e.To }), toSel)
	}
}
