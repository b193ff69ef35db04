package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

// The direct path answers the common read queries (lists, node, nodes, neighbourhood,
// search and relations, with any fields and relation fields of nodes,
// relations and sources below them) without gqlgen's executor: it reads
// ahead as the resolvers do, then walks the selection itself and writes the
// JSON of `data` into one pooled buffer. gqlgen's executor makes, for every
// object, a field set, a @defer map and a path, for every field a field
// context and for every list element a goroutine; for a query of a few
// hundred objects that is most of the request's CPU and allocations. The
// direct path does none of that, so a nested query costs about what its
// store reads and its JSON cost.
//
// It answers only what it fully knows: a query (not a mutation) whose
// fields are all among directFields, with no directive but @skip and
// @include. Anything else, and any error on the way (a bad argument, a
// store error), is answered by gqlgen's executor from the start, which
// reports errors with their paths exactly as before; the direct path never
// writes an error. Its answers are the executor's (TestDirectMatchesExecutor).

// DirectOutcome is what Direct did.
type DirectOutcome int

const (
	// DirectNo: the operation is not one Direct answers (or failed on the
	// way): execute it with gqlgen's executor.
	DirectNo DirectOutcome = iota
	// DirectOK: data holds the operation's data.
	DirectOK
	// DirectOverResults: the response would hold more than maxResults
	// values (counted as the results cap counts: one per field but
	// __typename, one more per list element).
	DirectOverResults
	// DirectCancelled: the context ended.
	DirectCancelled
)

var errOverResults = errors.New("over the results cap")
var errUnsupported = errors.New("not answered directly")

// Direct answers operation oc directly when it can (see above). data is the
// JSON of the response's data member; it is the caller's.
func (r *Resolver) Direct(ctx context.Context, oc *graphql.OperationContext, maxResults int) (data []byte, out DirectOutcome) {
	var buf bytes.Buffer
	if out = r.DirectTo(ctx, oc, maxResults, &buf); out == DirectOK {
		data = buf.Bytes()
	}
	return data, out
}

// DirectTo is Direct writing the data at the end of buf, which is left as
// it was unless the outcome is DirectOK. Strings are escaped as
// encoding/json escapes them (<, >, & and U+2028, U+2029 included), so the
// data can be sent as it is.
func (r *Resolver) DirectTo(ctx context.Context, oc *graphql.OperationContext, maxResults int, buf *bytes.Buffer) DirectOutcome {
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query || !directSelection(oc.Operation.SelectionSet, "Query", map[string]bool{}) {
		return DirectNo
	}
	ctx = graphql.WithOperationContext(ctx, oc)
	if _, ok := ctx.Value(loadersKey{}).(*Loaders); !ok {
		ctx = WithLoaders(ctx, NewLoaders(r.Store, 0))
	}
	w := &directWriter{r: r, ctx: ctx, oc: oc, l: r.loaders(ctx), max: int64(maxResults), buf: buf}
	n0 := buf.Len()
	err := w.query(oc.Operation.SelectionSet)
	out := DirectOK
	switch {
	case ctx.Err() != nil:
		out = DirectCancelled
	case errors.Is(err, errOverResults):
		out = DirectOverResults
	case err != nil:
		out = DirectNo
	}
	if out != DirectOK {
		buf.Truncate(n0)
	}
	return out
}

// nodeTypeNames are the node types and interfaces.
var nodeTypeNames = map[string]bool{"Node": true, "Actor": true}

func init() {
	for k := range kindNames {
		nodeTypeNames[string(k)] = true
	}
}

// directQueryFields are the root fields Direct answers.
var directQueryFields = map[string]bool{
	"node": true, "nodes": true, "search": true, "relations": true, "municipalities": true, "regions": true,
	"networks": true, "partners": true, "funds": true, "initiatives": true, "focusAreas": true,
	"strategyAreas": true, "topics": true, "plans": true, "neighbourhood": true,
}

// directField reports whether Direct answers field name of type typ.
func directField(typ, name string) bool {
	switch {
	case name == "__typename":
		return true
	case typ == "Query":
		return directQueryFields[name]
	case nodeTypeNames[typ]:
		return name != "changes"
	}
	switch typ {
	case "Relation", "Source", "YearAmount", "PageInfo", "NodeConnection", "NodeEdge", "RelationConnection", "RelationEdge", "Neighbourhood":
		return true
	}
	for k := range kindNames {
		if typ == string(k)+"Connection" || typ == string(k)+"Edge" {
			return true
		}
	}
	return false
}

// directSelection reports whether Direct answers every field of sel, of
// type typ, and of what is below them; fragments are looked at once each.
func directSelection(sel ast.SelectionSet, typ string, seen map[string]bool) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.ObjectDefinition == nil || s.Definition == nil || !directField(s.ObjectDefinition.Name, s.Name) || !plainDirectives(s.Directives) {
				return false
			}
			if !directSelection(s.SelectionSet, typeName(s), seen) {
				return false
			}
		case *ast.InlineFragment:
			if !plainDirectives(s.Directives) || !directSelection(s.SelectionSet, typ, seen) {
				return false
			}
		case *ast.FragmentSpread:
			if !plainDirectives(s.Directives) || s.Definition == nil {
				return false
			}
			if !seen[s.Name] {
				seen[s.Name] = true
				if !directSelection(s.Definition.SelectionSet, typ, seen) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

func plainDirectives(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

// directWriter writes one operation's data.
type directWriter struct {
	r      *Resolver
	ctx    context.Context
	oc     *graphql.OperationContext
	l      *Loaders
	buf    *bytes.Buffer
	values int64
	max    int64
	writes int
	args   map[*ast.Field]map[string]any // each field's arguments, coerced once

	// Scratch for relation lists: the other ends and the sort keys are
	// used up before the next list is read; pages are cut from slab and
	// live until the request's answer is written.
	ends []*rg.Node
	keys []keyedNode
	slab []*rg.Node

	// The fields last collected: a list's objects mostly share their
	// selection and type, so they are looked up here, without a lock or a
	// hash, before the Loaders' cache. A query nests a few selections on
	// a few types each (a list of funders holds municipalities and
	// organisations), and the writer goes down and back up through them
	// for every row: room for sixteen.
	recent     [16]recentFields
	recentNext int
	// The node kinds' GraphQL types and the relation fields last looked
	// up, for the same reason.
	kinds     [4]recentKind
	kindsNext int
	rels      [8]recentRel
	relsNext  int

	// The nodes written with a selection that goes deeper, by node and
	// selection (see node).
	subtrees map[subtreeKey]subtree
}

// recentKind is a node kind's GraphQL types.
type recentKind struct {
	kind  rg.Kind
	types []string
}

// recentRel is what relFields says of a field on a type.
type recentRel struct {
	f    *ast.Field
	typ  string
	spec relSpec
	ok   bool
}

// typesOf is graphQLTypes[k], remembering the last few.
func (w *directWriter) typesOf(k rg.Kind) []string {
	for i := range w.kinds {
		if r := &w.kinds[i]; r.kind == k && r.types != nil {
			return r.types
		}
	}
	ts := graphQLTypes[k]
	w.kinds[w.kindsNext] = recentKind{kind: k, types: ts}
	w.kindsNext = (w.kindsNext + 1) % len(w.kinds)
	return ts
}

// relSpecOf is relFields[typ+"."+f.Name], remembering the last few.
func (w *directWriter) relSpecOf(typ string, f *ast.Field) (relSpec, bool) {
	for i := range w.rels {
		if r := &w.rels[i]; r.f == f && r.typ == typ {
			return r.spec, r.ok
		}
	}
	s, ok := relFields[typ+"."+f.Name]
	w.rels[w.relsNext] = recentRel{f: f, typ: typ, spec: s, ok: ok}
	w.relsNext = (w.relsNext + 1) % len(w.rels)
	return s, ok
}

// recentFields is what collecting a selection (its first element and
// length) on a type gave.
type recentFields struct {
	sel    *ast.Selection
	n      int
	typ    string
	fields []graphql.CollectedField
}

// collect is Loaders.collect, remembering the last few answers.
func (w *directWriter) collect(sel ast.SelectionSet, types []string) []graphql.CollectedField {
	if len(sel) == 0 || len(types) == 0 {
		return w.l.collect(w.oc, sel, types)
	}
	first := &sel[0]
	for i := range w.recent {
		if r := &w.recent[i]; r.sel == first && r.n == len(sel) && r.typ == types[0] {
			return r.fields
		}
	}
	fs := w.l.collect(w.oc, sel, types)
	w.recent[w.recentNext] = recentFields{sel: first, n: len(sel), typ: types[0], fields: fs}
	w.recentNext = (w.recentNext + 1) % len(w.recent)
	return fs
}

// page returns an empty slice with room for n nodes, cut from w's slab.
func (w *directWriter) page(n int) []*rg.Node {
	if n > len(w.slab) {
		if n > 64 {
			return make([]*rg.Node, 0, n)
		}
		w.slab = make([]*rg.Node, 256)
	}
	p := w.slab[:0:n]
	w.slab = w.slab[n:]
	return p
}

// The types of objects that are not nodes, as CollectFields wants them.
var (
	queryTypes              = []string{"Query"}
	pageInfoTypes           = []string{"PageInfo"}
	yearAmountTypes         = []string{"YearAmount"}
	relationConnectionTypes = []string{"RelationConnection"}
	relationEdgeTypes       = []string{"RelationEdge"}
	relationTypes           = []string{"Relation"}
	neighbourhoodTypes      = []string{"Neighbourhood"}
	sourceTypes             = []string{"Source"}
)

// argsOf returns f's arguments (with the variables and defaults applied),
// computing them once per field of the query, not once per object.
func (w *directWriter) argsOf(f graphql.CollectedField) map[string]any {
	if a, ok := w.args[f.Field]; ok {
		return a
	}
	if w.args == nil {
		w.args = map[*ast.Field]map[string]any{}
	}
	a := f.ArgumentMap(w.oc.Variables)
	w.args[f.Field] = a
	return a
}

// count adds n values against the results cap.
func (w *directWriter) count(n int) error { return w.count64(int64(n)) }

func (w *directWriter) count64(n int64) error {
	w.values += n
	if w.values > w.max {
		return errOverResults
	}
	return nil
}

// fields collects sel on an object of the given types and writes the
// object, calling field for every field but __typename.
func (w *directWriter) object(sel ast.SelectionSet, types []string, field func(f graphql.CollectedField) error) error {
	if w.writes++; w.writes&63 == 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
	}
	fields := w.collect(sel, types)
	w.buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.buf.WriteByte('"')
		w.buf.WriteString(f.Alias)
		w.buf.WriteString(`":`)
		if f.Name == "__typename" {
			w.str(types[0])
			continue
		}
		if err := w.count(1); err != nil {
			return err
		}
		if err := field(f); err != nil {
			return err
		}
	}
	w.buf.WriteByte('}')
	return nil
}

func (w *directWriter) query(sel ast.SelectionSet) error {
	return w.object(sel, queryTypes, func(f graphql.CollectedField) error {
		args := f.ArgumentMap(w.oc.Variables)
		switch f.Name {
		case "node":
			id, _ := args["id"].(string)
			ns, err := w.r.Store.Nodes(w.ctx, []string{id})
			if err != nil {
				return err
			}
			if len(ns) == 0 {
				w.null()
				return nil
			}
			w.r.readAhead(w.ctx, ns, f.Selections)
			return w.node(ns[0], f.Selections)
		case "nodes":
			ids := argStrings(args, "ids")
			if len(ids) > rg.MaxPageSize {
				return errUnsupported // the resolver refuses it
			}
			ns, err := w.r.Store.Nodes(w.ctx, ids)
			if err != nil {
				return err
			}
			w.r.readAhead(w.ctx, ns, f.Selections)
			byID := make(map[string]*rg.Node, len(ns))
			for _, n := range ns {
				byID[n.ID] = n
			}
			return w.list(len(ids), func(i int) error {
				if n := byID[ids[i]]; n != nil {
					return w.node(n, f.Selections)
				}
				w.null()
				return nil
			})
		case "search":
			var kinds []model.NodeKind
			for _, k := range argStrings(args, "kinds") {
				kinds = append(kinds, model.NodeKind(k))
			}
			text, _ := args["text"].(string)
			hits, offset, total, more, err := w.r.searchPage(w.ctx, text, kinds, argIntPtr(args, "first"), argStringPtr(args, "after"), false)
			if err != nil {
				return err
			}
			ns := hitNodes(hits)
			w.r.readAhead(w.ctx, ns, connectionNodeSelection(w.oc, w.l, f.Field))
			var end *string
			if len(ns) > 0 {
				c := encodeOffset(offset + len(ns))
				end = &c
			}
			return w.connection(f, ns, total, more, end, func(i int) string { return encodeOffset(offset + i + 1) })
		case "neighbourhood":
			return w.neighbourhood(f, args)
		case "relations":
			var kinds []model.RelationKind
			for _, k := range argStrings(args, "kinds") {
				kinds = append(kinds, model.RelationKind(k))
			}
			if len(argStrings(args, "ids")) == 0 && len(kinds) == 0 {
				return errUnsupported
			}
			year := argIntPtr(args, "year")
			es, err := w.r.Store.Edges(w.ctx, rg.EdgeFilter{IDs: argStrings(args, "ids"), Kinds: toDomainRels(kinds), Year: year})
			if err != nil || len(es) > maxRelations {
				return errUnsupported
			}
			w.r.readAheadEndsSel(w.ctx, es, f.Selections)
			return w.list(len(es), func(i int) error { return w.relation(es[i], f.Selections) })
		}
		kind, ok := rootKinds[f.Name]
		if !ok {
			return errUnsupported
		}
		var orderBy *model.NodeOrder
		var first *int
		var after *string
		if err := decodeArg(args, "orderBy", &orderBy); err != nil {
			return err
		}
		first, after = argIntPtr(args, "first"), argStringPtr(args, "after")
		var nf rg.NodeFilter
		if kind == rg.KindInitiative {
			var filter *model.InitiativeFilter
			if err := decodeArg(args, "filter", &filter); err != nil {
				return err
			}
			if filter != nil {
				relatedDefaults(filter.Related)
			}
			nf = initiativeFilter(filter, orderBy, first, after)
		} else {
			var filter *model.NodeFilter
			if err := decodeArg(args, "filter", &filter); err != nil {
				return err
			}
			if filter != nil {
				relatedDefaults(filter.Related)
			}
			nf = nodeFilter(kind, filter, orderBy, first, after)
		}
		p, err := w.r.Store.FindNodes(w.ctx, nf)
		if err != nil {
			return err
		}
		w.r.readAhead(w.ctx, p.Nodes, connectionNodeSelection(w.oc, w.l, f.Field))
		var end *string
		if p.EndCursor != "" {
			end = &p.EndCursor
		}
		return w.connection(f, p.Nodes, p.TotalCount, p.HasNextPage, end, func(i int) string { return rg.CursorFor(nf.Order, p.Nodes[i]) })
	})
}

// neighbourhood writes a neighbourhood: a map page's one request, up to
// MaxNeighbourhoodNodes nodes and the relations among them (for a national
// graph's municipality, 200 nodes and some 4 500 relations).
func (w *directWriter) neighbourhood(f graphql.CollectedField, args map[string]any) error {
	var kinds []model.NodeKind
	for _, k := range argStrings(args, "kinds") {
		kinds = append(kinds, model.NodeKind(k))
	}
	var rels []model.RelationKind
	for _, k := range argStrings(args, "relations") {
		rels = append(rels, model.RelationKind(k))
	}
	id, _ := args["id"].(string)
	depth, _ := argInt(args, "depth")
	year := argIntPtr(args, "year")
	sg, root, err := w.r.neighbourhood(w.ctx, id, depth, toDomainKinds(kinds), toDomainRels(rels), year, argIntPtr(args, "first"))
	if err != nil {
		return err
	}
	return w.object(f.Selections, neighbourhoodTypes, func(c graphql.CollectedField) error {
		switch c.Name {
		case "root":
			w.r.readAhead(w.ctx, []*rg.Node{root}, c.Selections)
			return w.node(root, c.Selections)
		case "depth":
			w.int(depth)
		case "year":
			w.optInt(year)
		case "nodes":
			w.r.readAhead(w.ctx, sg.Nodes, c.Selections)
			return w.nodes(sg.Nodes, c.Selections)
		case "relations":
			w.r.readAheadEndsSel(w.ctx, sg.Edges, c.Selections)
			return w.relations(sg.Edges, c.Selections)
		case "truncated":
			w.bool(sg.Truncated)
		default:
			return errUnsupported
		}
		return nil
	})
}

// rootKinds are the list queries and the kind each lists.
var rootKinds = map[string]rg.Kind{
	"municipalities": rg.KindMunicipality, "regions": rg.KindRegion, "networks": rg.KindNetwork,
	"partners": rg.KindPartner, "funds": rg.KindFund, "initiatives": rg.KindInitiative,
	"focusAreas": rg.KindFocusArea, "strategyAreas": rg.KindStrategyArea, "topics": rg.KindTopic, "plans": rg.KindPlan,
}

// relatedDefaults gives RelatedFilter.direction its schema default, which
// an argument literal leaves out (the other inputs Direct decodes have no
// defaults, or none that differ from their zero value's meaning: NodeOrder's
// NAME and ASC).
func relatedDefaults(rs []*model.RelatedFilter) {
	for _, r := range rs {
		if r != nil && r.Direction == "" {
			r.Direction = model.DirectionOut
		}
	}
}

// decodeArg decodes an input object argument into v (through JSON: the
// models carry the schema's names as JSON tags). The common filters and
// orders are decoded directly (decodeInput), as the JSON round trip would.
func decodeArg(args map[string]any, name string, v any) error {
	a, ok := args[name]
	if !ok || a == nil {
		return nil
	}
	if m, ok := a.(map[string]any); ok && decodeInput(m, v) {
		return nil
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// connection writes a node connection (any of the XConnection types).
func (w *directWriter) connection(f graphql.CollectedField, ns []*rg.Node, total int, hasNext bool, end *string, cursor func(int) string) error {
	ctype := typeName(f.Field)
	return w.object(f.Selections, []string{ctype}, func(c graphql.CollectedField) error {
		switch c.Name {
		case "totalCount":
			w.int(total)
		case "pageInfo":
			return w.pageInfo(c.Selections, hasNext, end)
		case "nodes":
			return w.list(len(ns), func(i int) error { return w.node(ns[i], c.Selections) })
		case "edges":
			etypes := []string{typeName(c.Field)}
			return w.list(len(ns), func(i int) error {
				return w.object(c.Selections, etypes, func(e graphql.CollectedField) error {
					switch e.Name {
					case "cursor":
						w.str(cursor(i))
					case "node":
						return w.node(ns[i], e.Selections)
					default:
						return errUnsupported
					}
					return nil
				})
			})
		default:
			return errUnsupported
		}
		return nil
	})
}

func (w *directWriter) pageInfo(sel ast.SelectionSet, hasNext bool, end *string) error {
	return w.object(sel, pageInfoTypes, func(p graphql.CollectedField) error {
		switch p.Name {
		case "hasNextPage":
			w.bool(hasNext)
		case "endCursor":
			w.strPtr(end)
		default:
			return errUnsupported
		}
		return nil
	})
}

// list writes n elements, counting them against the results cap.
func (w *directWriter) list(n int, elem func(i int) error) error {
	if err := w.count(n); err != nil {
		return err
	}
	w.buf.WriteByte('[')
	for i := range n {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		if err := elem(i); err != nil {
			return err
		}
	}
	w.buf.WriteByte(']')
	return nil
}

func (w *directWriter) nodes(ns []*rg.Node, sel ast.SelectionSet) error {
	return w.list(len(ns), func(i int) error { return w.node(ns[i], sel) })
}

// subtreeKey is a node written with a selection.
type subtreeKey struct {
	n   *rg.Node
	sel *ast.Selection
	len int
}

// subtree is where a node's object was written in the buffer, and the
// values it counted against the results cap.
type subtree struct {
	start, end int
	values     int64
}

// node writes a node with the fields of its GraphQL type. A node written
// before in this response with the same selection, one that goes on to
// other objects, is written again as a copy of those bytes: the same
// node under the same selection (and variables) is the same JSON, and a
// graph's nodes recur all over a nested answer (each network under every
// municipality that takes part in it, with everything below it). What it
// holds still counts against the results cap, as written out.
func (w *directWriter) node(n *rg.Node, sel ast.SelectionSet) error {
	types := w.typesOf(n.Kind)
	if types == nil {
		return errUnsupported
	}
	if len(sel) == 0 || !hasSubselection(w.collect(sel, types)) {
		return w.nodeFields(n, sel, types)
	}
	k := subtreeKey{n: n, sel: &sel[0], len: len(sel)}
	if t, ok := w.subtrees[k]; ok {
		if err := w.count64(t.values); err != nil {
			return err
		}
		w.buf.Write(w.buf.Bytes()[t.start:t.end])
		return nil
	}
	start, values := w.buf.Len(), w.values
	if err := w.nodeFields(n, sel, types); err != nil {
		return err
	}
	if w.subtrees == nil {
		w.subtrees = map[subtreeKey]subtree{}
	}
	w.subtrees[k] = subtree{start: start, end: w.buf.Len(), values: w.values - values}
	return nil
}

// hasSubselection reports whether a field of fs selects fields of its own.
func hasSubselection(fs []graphql.CollectedField) bool {
	for _, f := range fs {
		if len(f.Selections) > 0 {
			return true
		}
	}
	return false
}

// nodeFields writes a node's object.
func (w *directWriter) nodeFields(n *rg.Node, sel ast.SelectionSet, types []string) error {
	return w.object(sel, types, func(f graphql.CollectedField) error {
		switch f.Name {
		case "id":
			w.str(n.ID)
		case "kind":
			w.str(string(kindNames[n.Kind]))
		case "name":
			w.str(n.Name)
		case "aliases":
			w.strs(n.Aliases)
		case "description":
			w.optStr(n.Description)
		case "source":
			return w.source(n.Source, f.Selections)
		case "number":
			w.optStr(n.Number)
		case "county":
			w.optStr(n.County)
		case "field":
			w.optStr(n.Field)
		case "category":
			w.optStr(n.Category)
		case "code":
			w.optStr(n.Code)
		case "planYear", "year":
			w.optInt(n.PlanYear)
		case "costText":
			w.optStr(n.CostText)
		case "costNok":
			w.optInt64(n.CostNok)
		case "adopted":
			w.optStr(n.Adopted)
		case "goals":
			w.strs(n.Goals)
		case "activities":
			w.strs(n.Activities)
		case "yearlyAmounts":
			return w.list(len(n.YearlyAmounts), func(i int) error {
				ya := n.YearlyAmounts[i]
				return w.object(f.Selections, yearAmountTypes, func(y graphql.CollectedField) error {
					switch y.Name {
					case "year":
						w.int(ya.Year)
					case "amountNok":
						w.int64(ya.AmountNok)
					default:
						return errUnsupported
					}
					return nil
				})
			})
		case "amountIn":
			y, _ := argInt(w.argsOf(f), "year")
			if v, ok := n.AmountIn(y); ok {
				w.int64(v)
			} else {
				w.null()
			}
		default:
			return w.relationField(n, types[0], f)
		}
		return nil
	})
}

// relationField writes one of a node's relation fields.
func (w *directWriter) relationField(n *rg.Node, typ string, f graphql.CollectedField) error {
	args := w.argsOf(f)
	year := argIntPtr(args, "year")
	opts := listOpts{orderBy: argOrder(args), first: argIntPtr(args, "first"), after: argStringPtr(args, "after"), planYear: argIntPtr(args, "planYear")}
	switch f.Name {
	case "relations", "relationsConnection", "neighbours":
		dir := rg.Both
		if d, ok := args["direction"].(string); ok {
			dir = rg.Direction(d)
		}
		var kinds []rg.RelKind
		for _, k := range argStrings(args, "kinds") {
			kinds = append(kinds, rg.RelKind(k))
		}
		all, err := w.r.edgesOfKinds(w.ctx, n.ID, dir, kinds, year)
		if err != nil {
			return err
		}
		switch f.Name {
		case "relations":
			return w.relations(all, f.Selections)
		case "neighbours":
			var ks []rg.Kind
			for _, k := range argStrings(args, "nodeKinds") {
				ks = append(ks, domainKinds[model.NodeKind(k)])
			}
			ns, err := w.r.nodesByID(w.ctx, otherEnds(n.ID, all))
			if err != nil {
				return err
			}
			page, err := pageOf(ns, acceptKinds(ks), opts)
			if err != nil {
				return err
			}
			return w.nodes(page, f.Selections)
		}
		if opts.first == nil {
			d := 100
			opts.first = &d
		}
		if opts.after != nil && *opts.after == "" {
			opts.after = nil
		}
		es, err := edgePage(all, opts.first, opts.after)
		if err != nil {
			return err
		}
		var end *string
		if len(es) > 0 {
			end = &es[len(es)-1].ID
		}
		hasNext := len(es) > 0 && es[len(es)-1].ID != all[len(all)-1].ID
		return w.object(f.Selections, relationConnectionTypes, func(c graphql.CollectedField) error {
			switch c.Name {
			case "totalCount":
				w.int(len(all))
			case "pageInfo":
				return w.pageInfo(c.Selections, hasNext, end)
			case "nodes":
				return w.relations(es, c.Selections)
			case "edges":
				return w.list(len(es), func(i int) error {
					return w.object(c.Selections, relationEdgeTypes, func(e graphql.CollectedField) error {
						switch e.Name {
						case "cursor":
							w.str(es[i].ID)
						case "node":
							return w.relation(es[i], e.Selections)
						default:
							return errUnsupported
						}
						return nil
					})
				})
			default:
				return errUnsupported
			}
			return nil
		})
	}
	s, ok := w.relSpecOf(typ, f.Field)
	if !ok {
		return errUnsupported
	}
	switch s.mode {
	case modeRelations:
		es, err := w.r.edges(w.ctx, n.ID, s.dir, s.kind, year)
		if err != nil {
			return err
		}
		return w.relations(es, f.Selections)
	case modeOne:
		one := 1
		ns, err := w.relatedNodes(n.ID, s, nil, listOpts{first: &one})
		if err != nil {
			return err
		}
		if len(ns) == 0 {
			w.null()
			return nil
		}
		return w.node(ns[0], f.Selections)
	}
	ns, err := w.relatedNodes(n.ID, s, year, opts)
	if err != nil {
		return err
	}
	return w.nodes(ns, f.Selections)
}

// relatedNodes is Resolver.relatedNodes served from what was read ahead,
// with the writer's loaders at hand; what was not read ahead is read the
// resolvers' way.
func (w *directWriter) relatedNodes(id string, s relSpec, year *int, o listOpts) ([]*rg.Node, error) {
	g := group{Dir: s.dir, Kind: s.kind}
	if year != nil {
		g.Year, g.HasYear = *year, true
	}
	l := w.l
	l.mu.RLock()
	rl, ok := l.listsOf(g)[id]
	var ns []*rg.Node
	if ok {
		// The nodes at the other ends, each once, as otherEnds and
		// nodesByID give them.
		ns = w.ends[:0]
		var seen map[*rg.Node]bool
		if len(rl.ends) > 16 {
			seen = make(map[*rg.Node]bool, len(rl.ends))
		}
		for _, n := range rl.ends {
			if n == nil {
				ok = false
				break
			}
			if seen != nil {
				if seen[n] {
					continue
				}
				seen[n] = true
			} else if slices.Contains(ns, n) {
				continue
			}
			ns = append(ns, n)
		}
	}
	l.mu.RUnlock()
	if !ok {
		return w.r.relatedNodes(w.ctx, id, s, year, o)
	}
	w.ends = ns[:0]
	return pageInto(ns, s.accept, o, &w.keys, w.page)
}

func (w *directWriter) relations(es []*rg.Edge, sel ast.SelectionSet) error {
	return w.list(len(es), func(i int) error { return w.relation(es[i], sel) })
}

// relation writes a relation.
func (w *directWriter) relation(e *rg.Edge, sel ast.SelectionSet) error {
	return w.object(sel, relationTypes, func(f graphql.CollectedField) error {
		switch f.Name {
		case "id":
			w.str(e.ID)
		case "kind":
			w.str(string(e.Kind))
		case "from", "to":
			id := e.From
			if f.Name == "to" {
				id = e.To
			}
			n, err := w.r.node(w.ctx, id)
			if err != nil {
				return err
			}
			if n == nil {
				return errUnsupported // a non-null field without a node: the executor reports it
			}
			return w.node(n, f.Selections)
		case "fromId":
			w.str(e.From)
		case "toId":
			w.str(e.To)
		case "fromYear":
			w.optInt(e.FromYear)
		case "toYear":
			w.optInt(e.ToYear)
		case "amountNok":
			w.optInt64(e.AmountNok)
		case "asWritten":
			w.optStr(e.AsWritten)
		case "role":
			w.optStr(e.Role)
		case "source":
			return w.source(e.Source, f.Selections)
		default:
			return errUnsupported
		}
		return nil
	})
}

// source writes a source.
func (w *directWriter) source(s rg.Source, sel ast.SelectionSet) error {
	return w.object(sel, sourceTypes, func(f graphql.CollectedField) error {
		switch f.Name {
		case "plan":
			if s.Plan == "" {
				w.null()
				return nil
			}
			n, err := w.r.node(w.ctx, s.Plan)
			if err != nil {
				return err
			}
			if n == nil || n.Kind != rg.KindPlan {
				w.null()
				return nil
			}
			return w.node(n, f.Selections)
		case "planId":
			w.optStr(s.Plan)
		case "section":
			w.optStr(s.Section)
		case "quote":
			w.optStr(s.Quote)
		case "outside":
			w.bool(s.Outside)
		case "reference":
			w.optStr(s.Reference)
		case "citation":
			c, err := w.r.citation(w.ctx, toSource(s))
			if err != nil {
				return err
			}
			w.str(c)
		default:
			return errUnsupported
		}
		return nil
	})
}

// JSON values.

func (w *directWriter) null() { w.buf.WriteString("null") }

func (w *directWriter) bool(b bool) {
	if b {
		w.buf.WriteString("true")
	} else {
		w.buf.WriteString("false")
	}
}

func (w *directWriter) int(v int) {
	var b [24]byte
	w.buf.Write(strconv.AppendInt(b[:0], int64(v), 10))
}

func (w *directWriter) int64(v int64) {
	var b [24]byte
	w.buf.Write(strconv.AppendInt(b[:0], v, 10))
}

func (w *directWriter) optInt(v *int) {
	if v == nil {
		w.null()
		return
	}
	w.int(*v)
}

func (w *directWriter) optInt64(v *int64) {
	if v == nil {
		w.null()
		return
	}
	w.int64(*v)
}

// optStr writes s, or null when it is empty (as the models' *string do).
func (w *directWriter) optStr(s string) {
	if s == "" {
		w.null()
		return
	}
	w.str(s)
}

func (w *directWriter) strPtr(s *string) {
	if s == nil {
		w.null()
		return
	}
	w.str(*s)
}

func (w *directWriter) strs(xs []string) {
	// A list of scalars: counted as gqlgen's results cap counts it is not
	// (the field was counted; its elements are counted by list below).
	w.values += int64(len(xs))
	w.buf.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.str(x)
	}
	w.buf.WriteByte(']')
}

// plainJSON holds the bytes str writes as they are: ASCII but for the
// control characters, the quote, the backslash and <, > and & (one load
// per byte instead of six comparisons).
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// str writes s as a JSON string, as encoding/json does: quotes,
// backslashes and control characters escaped, <, > and & as \u003c, \u003e
// and \u0026, U+2028 and U+2029 as \u2028 and \u2029, invalid UTF-8
// replaced by U+FFFD.
func (w *directWriter) str(s string) {
	const hex = "0123456789abcdef"
	b := w.buf
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plainJSON[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
