package export_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
)

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	slices.Sort(out)
	return out
}

func nodeIDs(ns []*rg.Node) []string { return ids(ns, func(n *rg.Node) string { return n.ID }) }
func edgeIDs(es []*rg.Edge) []string { return ids(es, func(e *rg.Edge) string { return e.ID }) }

func sorted(xs ...string) []string { slices.Sort(xs); return xs }

// allExcept returns every fixture id of nodes (or edges) but the given ones.
func allExcept(all []string, not ...string) []string {
	var out []string
	for _, id := range all {
		if !slices.Contains(not, id) {
			out = append(out, id)
		}
	}
	return sorted(out...)
}

func mustQuery(t *testing.T, q string) export.Filter {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	f, err := export.ParseQuery(v)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", q, err)
	}
	return f
}

// TestSelectSemantics checks each filter of the documented semantics
// against the hand-computed answer for the fixture.
func TestSelectSemantics(t *testing.T) {
	nodes, edges := fixture()
	s := newStore(t, nodes, edges)
	allN, allE := nodeIDs(nodes), edgeIDs(edges)
	cases := []struct {
		query        string
		nodes, edges []string
	}{
		{"", allN, allE},
		{"kind=Municipality,REGION", sorted("region-kongsberg", "kommune-nore-og-uvdal", "kommune-tinn", "kommune-kongsberg", "kommune-notodden"),
			sorted("rel-member-nore", "rel-member-tinn", "rel-member-kongsberg", "rel-member-notodden")},
		{"relation=FUNDS", allN, sorted("rel-funds-2011-1", "rel-funds-2014-b")},
		// 2014: the 2011 initiatives and plan go, and so does Tinn's membership (until 2012).
		{"year=2014", allExcept(allN, "tiltak-2011-1", "tiltak-2011-2", "plan-2011"),
			allExcept(allE, "rel-member-tinn", "rel-coord-2011-1", "rel-funds-2011-1", "rel-fa-2011-1", "rel-fa-2011-2",
				"rel-concerns-2011-2", "rel-plan-2011-1", "rel-plan-2011-2", "rel-plan-sats-1")},
		// 2012: no plan has that year, so no initiative or plan is shown; Tinn's
		// health network (from 2014) goes, its membership (until 2012) stays.
		{"year=2012", allExcept(allN, "tiltak-2011-1", "tiltak-2011-2", "plan-2011", "tiltak-2014-a", "tiltak-2014-b", "plan-2014"),
			sorted("rel-admin-rup", "rel-concerns-notodden", "rel-fa-skole", "rel-fac-helse", "rel-fac-skole", "rel-member-kongsberg", "rel-member-nore",
				"rel-member-notodden", "rel-member-tinn", "rel-part-kongsberg-skole", "rel-part-notodden-skole", "rel-part-region-skole", "rel-partner-vtfk")},
		{"focusArea=sats-1", sorted("sats-1", "tiltak-2011-1", "tiltak-2011-2", "plan-2011", "region-kongsberg", "fond-rup", "tema-jernbane"),
			sorted("rel-coord-2011-1", "rel-funds-2011-1", "rel-fa-2011-1", "rel-fa-2011-2", "rel-concerns-2011-2", "rel-plan-2011-1", "rel-plan-2011-2", "rel-plan-sats-1")},
		// In 2014 focus area 1 has no initiatives of that year's plan.
		{"focusArea=sats-1&year=2014", sorted("sats-1"), nil},
		{"network=nettverk-skole", sorted("nettverk-skole", "kommune-kongsberg", "kommune-notodden", "region-kongsberg", "sats-2"),
			sorted("rel-part-kongsberg-skole", "rel-part-notodden-skole", "rel-part-region-skole", "rel-fac-skole", "rel-fa-skole", "rel-member-kongsberg", "rel-member-notodden")},
		// The network is the starting point even when networks are not shown.
		{"network=nettverk-skole&kind=Municipality", sorted("kommune-kongsberg", "kommune-notodden"), nil},
		{"text=rjukan", sorted("kommune-tinn", "region-kongsberg", "nettverk-helse"), sorted("rel-member-tinn", "rel-part-tinn-helse", "rel-fac-helse")},
		{"text=SORLANDSBANEN", sorted("tema-jernbane", "tiltak-2011-2", "kommune-notodden"), sorted("rel-concerns-2011-2", "rel-concerns-notodden")},
		{"text=ingenting+slikt", nil, nil},
		// Several narrowings: the intersection.
		{"network=nettverk-skole&text=kongsberg", sorted("nettverk-skole", "kommune-kongsberg", "kommune-notodden", "region-kongsberg"),
			sorted("rel-part-kongsberg-skole", "rel-part-notodden-skole", "rel-part-region-skole", "rel-fac-skole", "rel-member-kongsberg", "rel-member-notodden")},
		{"focus=partner-usn", sorted("partner-usn"), nil},
		{"focus=partner-vtfk", sorted("partner-vtfk", "tiltak-2014-a", "fond-rup", "region-kongsberg"), sorted("rel-coord-2014-a", "rel-admin-rup", "rel-partner-vtfk")},
		{"focus=partner-vtfk&depth=2", sorted("partner-vtfk", "tiltak-2014-a", "fond-rup", "region-kongsberg", "sats-2", "plan-2014", "tiltak-2011-1", "tiltak-2014-b",
			"kommune-nore-og-uvdal", "kommune-tinn", "kommune-kongsberg", "kommune-notodden", "nettverk-skole", "nettverk-helse"),
			sorted("rel-coord-2014-a", "rel-admin-rup", "rel-partner-vtfk", "rel-fa-2014-a", "rel-plan-2014-a", "rel-funds-2011-1", "rel-funds-2014-b",
				"rel-member-nore", "rel-member-tinn", "rel-member-kongsberg", "rel-member-notodden", "rel-part-region-skole", "rel-fac-skole", "rel-fac-helse",
				"rel-coord-2011-1", "rel-part-kongsberg-skole", "rel-part-notodden-skole", "rel-part-tinn-helse", "rel-fa-skole", "rel-fa-2014-b", "rel-plan-2014-b")},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			sg, err := export.Select(context.Background(), s, mustQuery(t, c.query))
			if err != nil {
				t.Fatal(err)
			}
			if got := nodeIDs(sg.Nodes); !slices.Equal(got, c.nodes) && (len(got) > 0 || len(c.nodes) > 0) {
				t.Errorf("nodes\n got %q\nwant %q", got, c.nodes)
			}
			if got := edgeIDs(sg.Edges); !slices.Equal(got, c.edges) && (len(got) > 0 || len(c.edges) > 0) {
				t.Errorf("edges\n got %q\nwant %q", got, c.edges)
			}
		})
	}
}

// TestSelectWithoutNarrowingIsTheStoresSubgraph: with only kinds and
// relations, Select returns exactly the store's Subgraph.
func TestSelectWithoutNarrowingIsTheStoresSubgraph(t *testing.T) {
	nodes, edges := fixture()
	s := newStore(t, nodes, edges)
	for _, q := range []string{"", "kind=Initiative&kind=FocusArea", "relation=MEMBER_OF,PARTICIPATES_IN", "kind=Municipality,Network&relation=PARTICIPATES_IN"} {
		f := mustQuery(t, q)
		sg, err := export.Select(context.Background(), s, f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Subgraph(context.Background(), rg.SubgraphFilter{Kinds: f.Kinds, Relations: f.Relations})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(nodeIDs(sg.Nodes), nodeIDs(want.Nodes)) || !slices.Equal(edgeIDs(sg.Edges), edgeIDs(want.Edges)) {
			t.Errorf("%q: Select differs from Subgraph", q)
		}
	}
}

func TestSelectErrors(t *testing.T) {
	nodes, edges := fixture()
	s := newStore(t, nodes, edges)
	cases := []struct {
		query, code, field string
	}{
		{"focusArea=sats-9", rg.ENOTFOUND, "focusArea"},
		{"focusArea=nettverk-skole", rg.EBADINPUT, "focusArea"},
		{"network=sats-1", rg.EBADINPUT, "network"},
		{"network=nettverk-mangler", rg.ENOTFOUND, "network"},
		{"focus=ingen-slik", rg.ENOTFOUND, "focus"},
	}
	for _, c := range cases {
		_, err := export.Select(context.Background(), s, mustQuery(t, c.query))
		if rg.ErrorCode(err) != c.code || rg.ErrorField(err) != c.field {
			t.Errorf("%q: got %v (code %s, field %q), want %s on %q", c.query, err, rg.ErrorCode(err), rg.ErrorField(err), c.code, c.field)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	cases := []struct{ query, field string }{
		{"kind=Kommune", "kind"},
		{"relation=KNOWS", "relation"},
		{"year=twenty", "year"},
		{"year=1066", "year"},
		{"depth=2", "depth"},
		{"focus=a&depth=9", "depth"},
		{"network=Not+A+Slug", "network"},
		{"kinds=Municipality", "kinds"},
		{"text=" + strings.Repeat("x", rg.MaxNameLen+1), "text"},
	}
	for _, c := range cases {
		v, _ := url.ParseQuery(c.query)
		_, err := export.ParseQuery(v)
		if rg.ErrorCode(err) != rg.EBADINPUT || rg.ErrorField(err) != c.field {
			t.Errorf("%q: got %v, want BAD_USER_INPUT on %q", c.query, err, c.field)
		}
	}
	// Parameters the caller allows are not errors.
	v, _ := url.ParseQuery("metric=degree&kind=Plan")
	if _, err := export.ParseQuery(v, "metric"); err != nil {
		t.Errorf("allowed extra parameter: %v", err)
	}
}

// TestFilterQueryRoundTrip: Query is the inverse of ParseQuery.
func TestFilterQueryRoundTrip(t *testing.T) {
	f := mustQuery(t, "kind=municipality&kind=FOCUS_AREA&relation=member_of&year=2014&focusArea=sats-1&network=nettverk-skole&focus=kommune-tinn&depth=2&text=Sør+%26+nord")
	want := export.Filter{Kinds: []rg.Kind{rg.KindMunicipality, rg.KindFocusArea}, Relations: []rg.RelKind{rg.RelMemberOf}, Year: yr(2014),
		FocusArea: "sats-1", Network: "nettverk-skole", Focus: "kommune-tinn", Depth: 2, Text: "Sør & nord"}
	if f.Describe() != want.Describe() || *f.Year != 2014 || f.Text != want.Text || !slices.Equal(f.Kinds, want.Kinds) {
		t.Fatalf("parsed %+v, want %+v", f, want)
	}
	g, err := export.ParseQuery(f.Query())
	if err != nil {
		t.Fatal(err)
	}
	if g.Describe() != f.Describe() {
		t.Errorf("round trip: %s, want %s", g.Describe(), f.Describe())
	}
}
