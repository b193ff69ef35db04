// Package export selects a part of the graph with the partnership map's
// filters, lays it out and writes it in the formats drawing tools read:
// GraphML (yEd, Gephi), GEXF (Gephi), Cytoscape.js JSON, graphology JSON
// (sigma.js) and CSV (nodes.csv and edges.csv).
//
// The map page, its data endpoint, the GraphQL partnershipMap query, the
// /export/... endpoints and `regiongraph export` all go through Select with
// the same Filter, so they always show the same nodes and relations.
//
// The package imports only the domain package, the standard library and gonum.
package export

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// Filter is what the map and the exports show. The zero Filter is the whole
// graph.
//
// Semantics (every store gives the same answer, because only the Store's
// documented methods are used):
//
//   - Kinds: only nodes of these kinds are shown (empty: every kind).
//   - Relations: only relations of these kinds are shown and followed
//     (empty: every kind).
//   - Year: only relations that hold in that year (fromYear <= Year <= toYear,
//     a missing bound unbounded) are shown and followed, and initiatives and
//     plans whose plan year is another year are left out. Nodes without a plan
//     year (actors, areas, topics) are not affected by Year.
//   - FocusArea (a FocusArea id): the focus area, the initiatives IN_FOCUS_AREA
//     it (in Year, of the plan Year) and every node one shown relation away
//     from one of those.
//   - Network (a Network id): the network and every node one shown relation
//     away from it.
//   - Focus (any node id) with Depth (1..MaxDepth, default 1): the node and
//     every node within Depth shown relations of it.
//   - Text: the nodes of the shown kinds whose name, alias or code contains
//     the text (case- and accent-insensitive, as search does) and every node
//     one shown relation away from one of them.
//
// When several of FocusArea, Network, Focus and Text are set, a node is
// shown only when each of them would show it (the intersection). A node
// given by id (the focus area, network or focus) is used as a starting point
// even when its kind is not shown. The relations shown are always every
// relation of the shown kinds that holds in Year with both ends shown, so a
// neighbourhood also shows the relations among the neighbours.
type Filter struct {
	Kinds     []rg.Kind
	Relations []rg.RelKind
	Year      *int
	FocusArea string
	Network   string
	Focus     string
	Depth     int
	Text      string
}

// MaxNodes bounds a selection that is drawn or laid out (Select, Build: the
// map, its data, partnershipMap and the exports of a neighbourhood or text
// selection); a filter selecting more is BAD_USER_INPUT. An export of whole
// kinds above it is streamed instead (Streamed, Stream).
const MaxNodes = 10000

// tooMany is the error of a selection of n nodes, over MaxNodes.
func tooMany(n int) error {
	return rg.Errorf(rg.EBADINPUT, "%d nodes match; at most %d can be drawn or laid out: narrow the filter (the GraphML, GEXF, JSON, CSV and spreadsheet exports of whole kinds, with only kind, relation and year, stream at any size)", n, MaxNodes)
}

// Validate checks the filter without looking at the graph. Errors are
// BAD_USER_INPUT naming the field (the URL parameter).
func (f Filter) Validate() error {
	for _, k := range f.Kinds {
		if !k.Valid() {
			return rg.FieldErrorf("kind", "unknown node kind %q", k)
		}
	}
	for _, r := range f.Relations {
		if !r.Valid() {
			return rg.FieldErrorf("relation", "unknown relation kind %q", r)
		}
	}
	if f.Year != nil && (*f.Year < rg.MinYear || *f.Year > rg.MaxYear) {
		return rg.FieldErrorf("year", "year %d is outside %d–%d", *f.Year, rg.MinYear, rg.MaxYear)
	}
	for _, c := range []struct{ field, id string }{{"focusArea", f.FocusArea}, {"network", f.Network}, {"focus", f.Focus}} {
		if c.id != "" && !rg.ValidID(c.id) {
			return rg.FieldErrorf(c.field, "%q is not a node id", c.id)
		}
	}
	if f.Depth < 0 || f.Depth > rg.MaxDepth {
		return rg.FieldErrorf("depth", "depth %d is outside 1..%d", f.Depth, rg.MaxDepth)
	}
	if f.Depth != 0 && f.Focus == "" {
		return rg.FieldErrorf("depth", "depth needs focus")
	}
	if n := len([]rune(f.Text)); n > rg.MaxNameLen {
		return rg.FieldErrorf("text", "is %d characters; at most %d are allowed", n, rg.MaxNameLen)
	}
	return nil
}

// FilterParams are the URL query parameters ParseQuery reads. Lists may be
// repeated (kind=Municipality&kind=Network) or comma-separated
// (kind=Municipality,Network).
var FilterParams = []string{"kind", "relation", "year", "focusArea", "network", "focus", "depth", "text"}

// ParseQuery reads a Filter from URL query parameters (FilterParams). Other
// parameters are BAD_USER_INPUT unless listed in extra, so that a misspelt
// filter is not silently ignored. Kinds are accepted as domain names
// ("FocusArea") or GraphQL enum values ("FOCUS_AREA"), in any case.
func ParseQuery(q url.Values, extra ...string) (Filter, error) {
	var f Filter
	for k := range q {
		if !slices.Contains(FilterParams, k) && !slices.Contains(extra, k) {
			return Filter{}, rg.FieldErrorf(k, "unknown parameter; the filters are %s", strings.Join(FilterParams, ", "))
		}
	}
	for _, v := range splitValues(q["kind"]) {
		k, ok := ParseKind(v)
		if !ok {
			return Filter{}, rg.FieldErrorf("kind", "unknown node kind %q", v)
		}
		f.Kinds = append(f.Kinds, k)
	}
	for _, v := range splitValues(q["relation"]) {
		r, ok := ParseRelation(v)
		if !ok {
			return Filter{}, rg.FieldErrorf("relation", "unknown relation kind %q", v)
		}
		f.Relations = append(f.Relations, r)
	}
	if v := strings.TrimSpace(q.Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			return Filter{}, rg.FieldErrorf("year", "%q is not a year", v)
		}
		f.Year = &y
	}
	if v := strings.TrimSpace(q.Get("depth")); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil {
			return Filter{}, rg.FieldErrorf("depth", "%q is not a number", v)
		}
		f.Depth = d
	}
	f.FocusArea = strings.TrimSpace(q.Get("focusArea"))
	f.Network = strings.TrimSpace(q.Get("network"))
	f.Focus = strings.TrimSpace(q.Get("focus"))
	f.Text = strings.TrimSpace(q.Get("text"))
	return f, f.Validate()
}

// Query returns the filter as URL query parameters, the inverse of ParseQuery.
func (f Filter) Query() url.Values {
	q := url.Values{}
	for _, k := range f.Kinds {
		q.Add("kind", string(k))
	}
	for _, r := range f.Relations {
		q.Add("relation", string(r))
	}
	if f.Year != nil {
		q.Set("year", strconv.Itoa(*f.Year))
	}
	for _, p := range []struct{ k, v string }{{"focusArea", f.FocusArea}, {"network", f.Network}, {"focus", f.Focus}, {"text", f.Text}} {
		if p.v != "" {
			q.Set(p.k, p.v)
		}
	}
	if f.Depth != 0 {
		q.Set("depth", strconv.Itoa(f.Depth))
	}
	return q
}

// Describe is the filter in words for file headers: "kind=Municipality,Network;
// year=2014", or "everything" when empty.
func (f Filter) Describe() string {
	q := f.Query()
	var parts []string
	for _, k := range FilterParams {
		if vs := q[k]; len(vs) > 0 {
			parts = append(parts, k+"="+strings.Join(vs, ","))
		}
	}
	if len(parts) == 0 {
		return "everything"
	}
	return strings.Join(parts, "; ")
}

func splitValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// ParseKind reads a node kind given as its domain name ("FocusArea") or its
// GraphQL enum value ("FOCUS_AREA"), in any case.
func ParseKind(s string) (rg.Kind, bool) {
	for _, k := range rg.Kinds {
		if strings.EqualFold(s, string(k)) || strings.EqualFold(s, EnumName(k)) {
			return k, true
		}
	}
	return "", false
}

// ParseRelation reads a relation kind ("MEMBER_OF"), in any case.
func ParseRelation(s string) (rg.RelKind, bool) {
	for _, r := range rg.RelKinds {
		if strings.EqualFold(s, string(r)) {
			return r, true
		}
	}
	return "", false
}

// EnumName is the GraphQL enum value of a kind: FocusArea -> FOCUS_AREA.
func EnumName(k rg.Kind) string {
	var b strings.Builder
	for i, c := range string(k) {
		if i > 0 && c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(c)
	}
	return strings.ToUpper(b.String())
}

// Select returns the nodes and relations f shows, ordered by id, read
// through the store's Subgraph, Edges, Nodes and FindNodes. An invalid
// filter is BAD_USER_INPUT; a focus area, network or focus node that does
// not exist is NOT_FOUND, and one of the wrong kind BAD_USER_INPUT.
func Select(ctx context.Context, s rg.Store, f Filter) (*rg.Subgraph, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	// Whole kinds over the cap are refused from a count, before anything
	// is loaded, when the count is exact: without a year, or without the
	// kinds it narrows.
	if !f.Narrows() && (f.Year == nil || len(f.Kinds) > 0 && !slices.Contains(f.Kinds, rg.KindInitiative) && !slices.Contains(f.Kinds, rg.KindPlan)) {
		n, err := countKinds(ctx, s, f.Kinds)
		if err != nil {
			return nil, err
		}
		if n > MaxNodes {
			return nil, tooMany(n)
		}
	}
	planYearOK := func(n *rg.Node) bool {
		return f.Year == nil || n.PlanYear == nil || (n.Kind != rg.KindInitiative && n.Kind != rg.KindPlan) || *n.PlanYear == *f.Year
	}
	var (
		keep   map[string]bool // nil: no narrowing
		narrow = func(ids map[string]bool) {
			if keep == nil {
				keep = ids
				return
			}
			for id := range keep {
				if !ids[id] {
					delete(keep, id)
				}
			}
		}
	)
	// around returns the ids within depth shown relations of roots.
	around := func(roots []string, depth int) (map[string]bool, error) {
		ids := map[string]bool{}
		if len(roots) == 0 {
			return ids, nil
		}
		sg, err := s.Subgraph(ctx, rg.SubgraphFilter{Kinds: f.Kinds, Relations: f.Relations, Year: f.Year, Roots: roots, Depth: depth})
		if err != nil {
			return nil, fmt.Errorf("export: neighbourhood of %d nodes: %w", len(roots), err)
		}
		for _, n := range sg.Nodes {
			ids[n.ID] = true
		}
		for _, r := range roots {
			ids[r] = true
		}
		return ids, nil
	}
	if f.FocusArea != "" {
		if _, err := nodeOfKind(ctx, s, "focusArea", f.FocusArea, rg.KindFocusArea); err != nil {
			return nil, err
		}
		es, err := s.Edges(ctx, rg.EdgeFilter{NodeIDs: []string{f.FocusArea}, Direction: rg.In, Kinds: []rg.RelKind{rg.RelInFocusArea}, Year: f.Year})
		if err != nil {
			return nil, fmt.Errorf("export: relations of focus area %s: %w", f.FocusArea, err)
		}
		var from []string
		for _, e := range es {
			if e.To == f.FocusArea {
				from = append(from, e.From)
			}
		}
		members, err := s.Nodes(ctx, from)
		if err != nil {
			return nil, fmt.Errorf("export: members of focus area %s: %w", f.FocusArea, err)
		}
		roots := []string{f.FocusArea}
		for _, n := range members {
			if n.Kind == rg.KindInitiative && planYearOK(n) {
				roots = append(roots, n.ID)
			}
		}
		ids, err := around(roots, 1)
		if err != nil {
			return nil, err
		}
		narrow(ids)
	}
	if f.Network != "" {
		if _, err := nodeOfKind(ctx, s, "network", f.Network, rg.KindNetwork); err != nil {
			return nil, err
		}
		ids, err := around([]string{f.Network}, 1)
		if err != nil {
			return nil, err
		}
		narrow(ids)
	}
	if f.Focus != "" {
		if _, err := nodeOfKind(ctx, s, "focus", f.Focus, ""); err != nil {
			return nil, err
		}
		ids, err := around([]string{f.Focus}, max(f.Depth, 1))
		if err != nil {
			return nil, err
		}
		narrow(ids)
	}
	if f.Text != "" {
		hits, err := findAll(ctx, s, rg.NodeFilter{Kinds: f.Kinds, Text: f.Text, Order: rg.Order{Field: rg.OrderByID}})
		if err != nil {
			return nil, err
		}
		var roots []string
		for _, n := range hits {
			if planYearOK(n) {
				roots = append(roots, n.ID)
			}
		}
		ids, err := around(roots, 1)
		if err != nil {
			return nil, err
		}
		narrow(ids)
	}

	all, err := s.Subgraph(ctx, rg.SubgraphFilter{Kinds: f.Kinds, Relations: f.Relations, Year: f.Year})
	if err != nil {
		return nil, fmt.Errorf("export: subgraph: %w", err)
	}
	kindOK := func(k rg.Kind) bool { return len(f.Kinds) == 0 || slices.Contains(f.Kinds, k) }
	relOK := func(k rg.RelKind) bool { return len(f.Relations) == 0 || slices.Contains(f.Relations, k) }
	out := &rg.Subgraph{Nodes: []*rg.Node{}, Edges: []*rg.Edge{}}
	shown := map[string]bool{}
	for _, n := range all.Nodes {
		if kindOK(n.Kind) && planYearOK(n) && (keep == nil || keep[n.ID]) {
			out.Nodes = append(out.Nodes, n)
			shown[n.ID] = true
		}
	}
	if len(out.Nodes) > MaxNodes {
		return nil, tooMany(len(out.Nodes))
	}
	for _, e := range all.Edges {
		if shown[e.From] && shown[e.To] && relOK(e.Kind) && e.HoldsInYear(f.Year) {
			out.Edges = append(out.Edges, e)
		}
	}
	slices.SortFunc(out.Nodes, func(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(out.Edges, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// nodeOfKind returns the node id, NOT_FOUND when there is none and
// BAD_USER_INPUT when it is not of kind (any kind when kind is "").
func nodeOfKind(ctx context.Context, s rg.Store, field, id string, kind rg.Kind) (*rg.Node, error) {
	ns, err := s.Nodes(ctx, []string{id})
	if err != nil {
		return nil, fmt.Errorf("export: read %s %s: %w", field, id, err)
	}
	if len(ns) == 0 {
		return nil, &rg.Error{Code: rg.ENOTFOUND, Field: field, Message: fmt.Sprintf("no node %q", id)}
	}
	if kind != "" && ns[0].Kind != kind {
		return nil, rg.FieldErrorf(field, "%q is a %s, not a %s", id, ns[0].Kind, kind)
	}
	return ns[0], nil
}

// findAll reads every page of f.
func findAll(ctx context.Context, s rg.Store, f rg.NodeFilter) ([]*rg.Node, error) {
	f.First = rg.MaxPageSize
	var out []*rg.Node
	for {
		p, err := s.FindNodes(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("export: find nodes: %w", err)
		}
		out = append(out, p.Nodes...)
		if len(out) > MaxNodes {
			err := rg.Errorf(rg.EBADINPUT, "more than %d nodes match: narrow the filter", MaxNodes)
			if f.Text != "" {
				err.Field = "text"
			}
			return nil, err
		}
		if !p.HasNextPage || p.EndCursor == "" {
			return out, nil
		}
		f.After = p.EndCursor
	}
}
