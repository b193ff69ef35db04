package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

// TestSource is the source given to the nodes and relations the helpers build.
var TestSource = rg.Source{Plan: "plan-test", Section: "1", Quote: "test"}

// Int returns a pointer to v.
func Int(v int) *int { return &v }

// Int64 returns a pointer to v.
func Int64(v int64) *int64 { return &v }

// N returns a node with the given id, kind and name and TestSource.
func N(id string, kind rg.Kind, name string) *rg.Node {
	return &rg.Node{ID: id, Kind: kind, Name: name, Source: TestSource}
}

// E returns a relation of kind from -> to with TestSource.
func E(id string, kind rg.RelKind, from, to string) *rg.Edge {
	return &rg.Edge{ID: id, Kind: kind, From: from, To: to, Source: TestSource}
}

// EY returns E with the years fromYear and toYear (nil: unbounded).
func EY(id string, kind rg.RelKind, from, to string, fromYear, toYear *int) *rg.Edge {
	e := E(id, kind, from, to)
	e.FromYear, e.ToYear = fromYear, toYear
	return e
}

// Partner returns a Partner node; partners may be joined by PARTNER_OF to any
// actor, which makes them handy for graphs of arbitrary shape.
func Partner(id string) *rg.Node { return N(id, rg.KindPartner, "Partner "+id) }

// PartnerOf returns a PARTNER_OF relation from -> to.
func PartnerOf(id, from, to string) *rg.Edge { return E(id, rg.RelPartnerOf, from, to) }

// CreateNodes returns a CREATE_NODE change for each node.
func CreateNodes(ns ...*rg.Node) []rg.Change {
	cs := make([]rg.Change, len(ns))
	for i, n := range ns {
		cs[i] = rg.Change{Op: rg.OpCreateNode, Node: n}
	}
	return cs
}

// CreateEdges returns a CREATE_EDGE change for each relation.
func CreateEdges(es ...*rg.Edge) []rg.Change {
	cs := make([]rg.Change, len(es))
	for i, e := range es {
		cs[i] = rg.Change{Op: rg.OpCreateEdge, Edge: e}
	}
	return cs
}

// Graph is a set of nodes and relations to load into a store.
type Graph struct {
	Nodes []*rg.Node
	Edges []*rg.Edge
}

// Changes returns the changes that create g: nodes first, then relations.
func (g Graph) Changes() []rg.Change {
	return append(CreateNodes(g.Nodes...), CreateEdges(g.Edges...)...)
}

// MustApply applies changes and fails the test on error.
func MustApply(t testing.TB, s rg.Store, changes ...rg.Change) rg.ApplyResult {
	t.Helper()
	res, err := s.Apply(context.Background(), changes)
	if err != nil {
		t.Fatalf("Apply(%d changes): %v", len(changes), err)
	}
	return res
}

// Load creates g in s in one batch and fails the test on error.
func Load(t testing.TB, s rg.Store, g Graph) {
	t.Helper()
	if len(g.Nodes)+len(g.Edges) == 0 {
		return
	}
	MustApply(t, s, g.Changes()...)
}

// NodeIDs returns the ids of ns.
func NodeIDs(ns []*rg.Node) []string {
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	return ids
}

// EdgeIDs returns the ids of es.
func EdgeIDs(es []*rg.Edge) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

// PathIDs renders a path as "a -e1- b -e2- c".
func PathIDs(p rg.Path) string {
	var b strings.Builder
	for i, n := range p.Nodes {
		if i > 0 {
			if i-1 < len(p.Edges) {
				fmt.Fprintf(&b, " -%s- ", p.Edges[i-1].ID)
			} else {
				b.WriteString(" -?- ")
			}
		}
		b.WriteString(n.ID)
	}
	return b.String()
}

// PathsIDs renders paths with PathIDs.
func PathsIDs(ps []rg.Path) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = PathIDs(p)
	}
	return out
}

// WantCode fails the test unless err has the error code want.
func WantCode(t testing.TB, err error, want string) {
	t.Helper()
	if got := rg.ErrorCode(err); got != want {
		t.Fatalf("error code %q (err %v), want %q", got, err, want)
	}
}

// WantField fails the test unless err's field path starts with prefix.
func WantField(t testing.TB, err error, prefix string) {
	t.Helper()
	if got := rg.ErrorField(err); !strings.HasPrefix(got, prefix) {
		t.Fatalf("error field %q (err %v), want prefix %q", got, err, prefix)
	}
}

// WantIDs fails the test unless got equals want.
func WantIDs(t testing.TB, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// NormNode returns a copy of n with empty lists made nil, so that nodes that
// differ only there compare equal.
func NormNode(n *rg.Node) *rg.Node { return n.Normalized() }

// SameNode reports whether a and b are equal but for nil versus empty lists.
func SameNode(a, b *rg.Node) bool { return reflect.DeepEqual(NormNode(a), NormNode(b)) }

// SameEdge reports whether a and b are equal.
func SameEdge(a, b *rg.Edge) bool { return reflect.DeepEqual(a, b) }

// WantNodes fails the test unless got and want hold equal nodes in order.
func WantNodes(t testing.TB, what string, got, want []*rg.Node) {
	t.Helper()
	WantIDs(t, what+" (ids)", NodeIDs(got), NodeIDs(want))
	for i := range got {
		if !SameNode(got[i], want[i]) {
			t.Fatalf("%s: node %s\n got %+v\nwant %+v", what, got[i].ID, *got[i], *want[i])
		}
	}
}

// WantEdges fails the test unless got and want hold equal relations in order.
func WantEdges(t testing.TB, what string, got, want []*rg.Edge) {
	t.Helper()
	WantIDs(t, what+" (ids)", EdgeIDs(got), EdgeIDs(want))
	for i := range got {
		if !SameEdge(got[i], want[i]) {
			t.Fatalf("%s: relation %s\n got %+v\nwant %+v", what, got[i].ID, *got[i], *want[i])
		}
	}
}

// Snapshot is everything a store holds, read through the Store interface.
type Snapshot struct {
	Nodes []*rg.Node // by id
	Edges []*rg.Edge // by id
}

// TakeSnapshot reads every node (paging through FindNodes by id) and every
// relation.
func TakeSnapshot(t testing.TB, s rg.Store) Snapshot {
	t.Helper()
	ctx := context.Background()
	var snap Snapshot
	f := rg.NodeFilter{Order: rg.Order{Field: rg.OrderByID}, First: rg.MaxPageSize}
	for {
		p, err := s.FindNodes(ctx, f)
		if err != nil {
			t.Fatalf("FindNodes: %v", err)
		}
		snap.Nodes = append(snap.Nodes, p.Nodes...)
		if !p.HasNextPage {
			break
		}
		f.After = p.EndCursor
	}
	es, err := s.Edges(ctx, rg.EdgeFilter{})
	if err != nil {
		t.Fatalf("Edges: %v", err)
	}
	snap.Edges = es
	return snap
}

// WantSnapshot fails the test unless the store holds exactly want.
func WantSnapshot(t testing.TB, s rg.Store, want Snapshot) {
	t.Helper()
	got := TakeSnapshot(t, s)
	WantNodes(t, "nodes", got.Nodes, want.Nodes)
	WantEdges(t, "relations", got.Edges, want.Edges)
}

// As returns a context whose changes are recorded as made by name with reason.
func As(name string, role rg.Role, reason string) context.Context {
	ctx := rg.WithPrincipal(context.Background(), rg.Principal{Name: name, Role: role})
	if reason != "" {
		ctx = rg.WithReason(ctx, reason)
	}
	return ctx
}

// AllHistory reads the whole history (of id, or of the store when id is
// ""), newest first, paging with a small page size to exercise cursors.
func AllHistory(t testing.TB, s rg.Store, id string) []*rg.HistoryEntry {
	t.Helper()
	var out []*rg.HistoryEntry
	f := rg.HistoryFilter{ID: id, First: 7}
	for {
		p, err := s.History(context.Background(), f)
		if err != nil {
			t.Fatalf("History(%+v): %v", f, err)
		}
		out = append(out, p.Entries...)
		if !p.HasNextPage {
			return out
		}
		if len(p.Entries) == 0 {
			t.Fatalf("History(%+v): an empty page says it has a next page", f)
		}
		f.After = p.EndCursor
	}
}

// HistoryLen returns the TotalCount of the history of id ("" for the store).
func HistoryLen(t testing.TB, s rg.Store, id string) int {
	t.Helper()
	p, err := s.History(context.Background(), rg.HistoryFilter{ID: id, First: 1})
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	return p.TotalCount
}

// WantFieldIs fails the test unless err's field path is exactly want.
func WantFieldIs(t testing.TB, err error, want string) {
	t.Helper()
	if got := rg.ErrorField(err); got != want {
		t.Fatalf("error field %q (err %v), want %q", got, err, want)
	}
}

// Summary renders a history entry as "seq op id actor" for messages.
func Summary(h *rg.HistoryEntry) string {
	return fmt.Sprintf("%d %s %s by %s", h.Seq, h.Op, h.ID, h.Actor)
}
