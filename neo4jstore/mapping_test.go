package neo4jstore

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/regiongraph/regiongraph"
)

func intp(v int) *int       { return &v }
func int64p(v int64) *int64 { return &v }

// fullInitiative sets every field an Initiative may have.
func fullInitiative() *regiongraph.Node {
	return &regiongraph.Node{
		ID: "tiltak-2011-5-6b", Kind: regiongraph.KindInitiative, Name: "Bredbånd i Tromsø",
		Aliases: []string{"SuksIT", "Broadband"}, Description: "Line one\nline two",
		Source: regiongraph.Source{Plan: "plan-2011", Section: "5.6", Quote: "«sitat»"},
		Code:   "5.6 b)", PlanYear: intp(2011), CostNok: int64p(1_200_000), CostText: "1,2 mill.",
		YearlyAmounts: []regiongraph.YearAmount{{Year: 2011, AmountNok: 700_000}, {Year: 2012, AmountNok: 500_000}},
		Goals:         []string{"Goal"}, Activities: []string{"Act 1", "Act 2"},
	}
}

// asStored turns properties into what the driver hands back: lists as []any
// of int64 or string.
func asStored(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch x := v.(type) {
		case []string:
			l := make([]any, len(x))
			for i := range x {
				l[i] = x[i]
			}
			out[k] = l
		case []int64:
			l := make([]any, len(x))
			for i := range x {
				l[i] = x[i]
			}
			out[k] = l
		default:
			out[k] = v
		}
	}
	return out
}

func TestNodeRoundTrip(t *testing.T) {
	plan := &regiongraph.Node{ID: "plan-2011", Kind: regiongraph.KindPlan, Name: "Handlingsplan", PlanYear: intp(2011), Adopted: "2011-03",
		Source: regiongraph.Source{Outside: true, Reference: "https://example.org"}}
	for _, n := range []*regiongraph.Node{fullInitiative(), plan} {
		props := nodeProps(n)
		dn := dbtype.Node{ElementId: "4:x:1", Labels: []string{entityLabel, string(n.Kind)}, Props: asStored(props)}
		got, err := nodeFromDB(dn)
		if err != nil {
			t.Fatalf("nodeFromDB(%s): %v", n.ID, err)
		}
		if !reflect.DeepEqual(got, n) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", n.ID, *got, *n)
		}
	}
}

func TestNodePropsLayout(t *testing.T) {
	p := nodeProps(fullInitiative())
	for k, want := range map[string]any{
		pNameKey:           "bredbånd i tromsø",
		pSearchText:        "bredband i tromso\nsuksit\nbroadband\n5.6 b)",
		pPlanYear:          int64(2011),
		pCostNok:           int64(1_200_000),
		pYearlyAmountYears: []int64{2011, 2012},
		pYearlyAmountNok:   []int64{700_000, 500_000},
		pSourcePlan:        "plan-2011",
		pSourceSection:     "5.6",
	} {
		if !reflect.DeepEqual(p[k], want) {
			t.Errorf("property %s = %#v, want %#v", k, p[k], want)
		}
	}
	if p[pSearchText] != regiongraph.SearchText(fullInitiative()) {
		t.Errorf("searchText is not regiongraph.SearchText")
	}
	for _, k := range []string{pSourceOutside, pAdopted, pNumber, pSourceReference} {
		if _, ok := p[k]; ok {
			t.Errorf("empty property %s is stored", k)
		}
	}
	for k := range p {
		if !strings.Contains(strings.Join(propertyKeys, ","), k) {
			t.Errorf("property %s is not in propertyKeys (the analyser's schema)", k)
		}
	}
}

func TestNodeFromDBNullsAndMissing(t *testing.T) {
	dn := dbtype.Node{ElementId: "e", Labels: []string{"Topic", entityLabel}, Props: map[string]any{
		"id": "e134", "name": "E134", "aliases": nil, "planYear": nil, "goals": []any{}, "nameKey": "e134", "unknownProp": 1.5,
	}}
	n, err := nodeFromDB(dn)
	if err != nil {
		t.Fatal(err)
	}
	want := &regiongraph.Node{ID: "e134", Kind: regiongraph.KindTopic, Name: "E134"}
	if !reflect.DeepEqual(n, want) {
		t.Errorf("got %+v, want %+v", *n, *want)
	}
}

func TestNodeFromDBErrors(t *testing.T) {
	base := func(props map[string]any, labels ...string) dbtype.Node {
		m := map[string]any{"id": "x", "name": "X"}
		for k, v := range props {
			m[k] = v
		}
		if labels == nil {
			labels = []string{entityLabel, "Initiative"}
		}
		return dbtype.Node{ElementId: "4:x:9", Labels: labels, Props: m}
	}
	for _, tc := range []struct {
		name string
		dn   dbtype.Node
		want string
	}{
		{"no id", dbtype.Node{ElementId: "4:x:9", Labels: []string{entityLabel, "Plan"}, Props: map[string]any{"name": "X"}}, "has no id"},
		{"no kind label", base(nil, entityLabel), "name no kind"},
		{"two kind labels", base(nil, entityLabel, "Plan", "Topic"), "name two kinds"},
		{"float plan year", base(map[string]any{"planYear": 2011.0}), "property planYear is float64"},
		{"string cost", base(map[string]any{"costNok": "1000"}), "property costNok is string"},
		{"integer in a string list", base(map[string]any{"aliases": []any{"a", int64(2)}}), "aliases[1]"},
		{"uneven yearly amounts", base(map[string]any{"yearlyAmountYears": []any{int64(2011)}, "yearlyAmountNok": []any{}}), "1 yearly amount years but 0 amounts"},
		{"datetime adopted", base(map[string]any{"adopted": time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC)}), "temporal values other than a date"},
		{"local datetime description", base(map[string]any{"description": dbtype.LocalDateTime(time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC))}), "property description is dbtype.LocalDateTime"},
		{"boolean outside as string", base(map[string]any{"sourceOutside": "yes"}), "property sourceOutside is string"},
		{"plan year beyond int", base(map[string]any{"planYear": int64(1) << 62}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := nodeFromDB(tc.dn)
			if tc.want == "" {
				// 1<<62 fits in a 64-bit int: only a 32-bit build rejects it.
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestTemporalDateMapsToISO(t *testing.T) {
	dn := dbtype.Node{ElementId: "e", Labels: []string{entityLabel, "Plan"}, Props: map[string]any{
		"id": "plan-2019", "name": "Plan", "adopted": dbtype.Date(time.Date(2019, 6, 12, 0, 0, 0, 0, time.UTC)),
	}}
	n, err := nodeFromDB(dn)
	if err != nil {
		t.Fatal(err)
	}
	if n.Adopted != "2019-06-12" {
		t.Errorf("adopted = %q, want 2019-06-12", n.Adopted)
	}
}

func TestEdgeRoundTrip(t *testing.T) {
	e := &regiongraph.Edge{ID: "funds-1", Kind: regiongraph.RelFunds, From: "fund-a", To: "tiltak-b",
		FromYear: intp(2011), ToYear: intp(2013), AmountNok: int64p(300_000), AsWritten: "Regonrådet / DiFi", Role: "medfinansiering",
		Source: regiongraph.Source{Outside: true, Reference: "https://example.org/vedtak"}}
	r := dbtype.Relationship{ElementId: "5:x:1", StartElementId: "4:x:1", EndElementId: "4:x:2", Type: string(e.Kind), Props: asStored(edgeProps(e))}
	got, err := edgeFromDB(r, "fund-a", "tiltak-b")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Errorf("got %+v, want %+v", *got, *e)
	}
	if _, err := edgeFromDB(dbtype.Relationship{Type: "LIKES", Props: map[string]any{"id": "x"}}, "a", "b"); err == nil || !strings.Contains(err.Error(), "unknown type") {
		t.Errorf("unknown type: err = %v", err)
	}
	if _, err := edgeFromDB(dbtype.Relationship{Type: "FUNDS", Props: map[string]any{"id": "x", "fromYear": "2011"}}, "a", "b"); err == nil || !strings.Contains(err.Error(), "fromYear") {
		t.Errorf("string year: err = %v", err)
	}
}

func TestRecordMapping(t *testing.T) {
	n := fullInitiative()
	dn := dbtype.Node{ElementId: "4:x:1", Labels: []string{entityLabel, "Initiative"}, Props: asStored(nodeProps(n))}
	rel := dbtype.Relationship{ElementId: "5:x:1", StartElementId: "4:x:1", EndElementId: "4:x:2", Type: "IN_PLAN", Props: map[string]any{"id": "r1"}}
	rec := &neo4j.Record{Keys: []string{"n", "r", "from", "to", "total"}, Values: []any{dn, rel, n.ID, "plan-2011", int64(7)}}
	got, err := recordNode(rec, "n")
	if err != nil || got.ID != n.ID {
		t.Fatalf("recordNode: %v, %v", got, err)
	}
	e, err := recordEdge(rec)
	if err != nil || e.From != n.ID || e.To != "plan-2011" || e.Kind != regiongraph.RelInPlan {
		t.Fatalf("recordEdge: %+v, %v", e, err)
	}
	if total, err := recordInt(rec, "total"); err != nil || total != 7 {
		t.Fatalf("recordInt: %d, %v", total, err)
	}
	if _, err := recordNode(rec, "missing"); err == nil || !strings.Contains(err.Error(), `no column "missing"`) {
		t.Errorf("missing column: %v", err)
	}
	if _, err := recordInt(rec, "from"); err == nil || !strings.Contains(err.Error(), "is string") {
		t.Errorf("wrong column type: %v", err)
	}
	nullRec := &neo4j.Record{Keys: []string{"n"}, Values: []any{nil}}
	if _, err := recordNode(nullRec, "n"); err == nil {
		t.Error("a null node mapped without error")
	}
}

func TestPathFromDB(t *testing.T) {
	node := func(eid, id string) dbtype.Node {
		return dbtype.Node{ElementId: eid, Labels: []string{entityLabel, "Partner"}, Props: map[string]any{"id": id, "name": id}}
	}
	a, b, c := node("4:1", "a"), node("4:2", "b"), node("4:3", "c")
	// a -e1-> b <-e2- c: the second relationship runs against the path.
	p := dbtype.Path{
		Nodes: []dbtype.Node{a, b, c},
		Relationships: []dbtype.Relationship{
			{ElementId: "5:1", StartElementId: "4:1", EndElementId: "4:2", Type: "PARTNER_OF", Props: map[string]any{"id": "e1"}},
			{ElementId: "5:2", StartElementId: "4:3", EndElementId: "4:2", Type: "PARTNER_OF", Props: map[string]any{"id": "e2"}},
		},
	}
	got, err := pathFromDB(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Edges[0].From != "a" || got.Edges[0].To != "b" || got.Edges[1].From != "c" || got.Edges[1].To != "b" {
		t.Errorf("directions: %+v %+v", *got.Edges[0], *got.Edges[1])
	}
	if len(got.Nodes) != 3 || got.Nodes[2].ID != "c" {
		t.Errorf("nodes: %v", got.Nodes)
	}
	p.Relationships[1].StartElementId = "4:9"
	if _, err := pathFromDB(p); err == nil {
		t.Error("a relationship not joining its neighbours mapped without error")
	}
	p.Relationships = p.Relationships[:1]
	if _, err := pathFromDB(p); err == nil {
		t.Error("a path with too few relationships mapped without error")
	}
}

// TestProjectionsMapAsWholeValues: a node or relationship read as a
// projection ({{NODE n}}, {{RELATION r}}) maps to the same domain value as
// the whole node or relationship, for values with every field set and with
// none; every property the store writes is projected but the derived ones
// no read maps back; and malformed projections are errors.
func TestProjectionsMapAsWholeValues(t *testing.T) {
	project := func(keys []string, head []any, props map[string]any) []any {
		vals := slices.Clone(head)
		for _, k := range keys {
			vals = append(vals, props[k]) // nil when missing
		}
		return vals
	}
	plan := &regiongraph.Node{ID: "plan-2011", Kind: regiongraph.KindPlan, Name: "Handlingsplan", PlanYear: intp(2011), Adopted: "2011-03",
		Source: regiongraph.Source{Outside: true, Reference: "https://example.org"}}
	bare := &regiongraph.Node{ID: "p", Kind: regiongraph.KindPartner, Name: "P"}
	for _, n := range []*regiongraph.Node{fullInitiative(), plan, bare} {
		props := asStored(nodeProps(n))
		labels := []any{entityLabel, string(n.Kind)}
		whole, err := nodeFromDB(dbtype.Node{ElementId: "4:x:1", Labels: []string{entityLabel, string(n.Kind)}, Props: props})
		if err != nil {
			t.Fatal(err)
		}
		got, err := nodeFromList(project(nodeReadKeys, []any{labels}, props))
		if err != nil {
			t.Fatalf("nodeFromList(%s): %v", n.ID, err)
		}
		if !reflect.DeepEqual(got, whole) || !reflect.DeepEqual(got, n) {
			t.Errorf("%s as a projection:\n got %+v\nwant %+v", n.ID, *got, *n)
		}
	}
	derived := []string{pNameKey, pSearchText, pSearchTokens, pSearchVersion}
	for k := range nodeProps(fullInitiative()) {
		if !slices.Contains(nodeReadKeys, k) && !slices.Contains(derived, k) {
			t.Errorf("node property %s is written but not projected", k)
		}
	}
	for _, k := range []string{pSourceOutside, pSourceReference, pNumber, pCounty, pField, pCategory, pAdopted} {
		if !slices.Contains(nodeReadKeys, k) {
			t.Errorf("node property %s is not projected", k)
		}
	}

	full := &regiongraph.Edge{ID: "funds-1", Kind: regiongraph.RelFunds, From: "fund-a", To: "tiltak-b",
		FromYear: intp(2011), ToYear: intp(2013), AmountNok: int64p(300_000), AsWritten: "Regonrådet / DiFi", Role: "medfinansiering",
		Source: regiongraph.Source{Plan: "plan-2011", Section: "5", Quote: "q", Outside: true, Reference: "https://example.org/vedtak"}}
	for _, e := range []*regiongraph.Edge{full, partnerOf("e1", "a", "b"), {ID: "e2", Kind: regiongraph.RelMemberOf, From: "a", To: "b"}} {
		props := asStored(edgeProps(e))
		got, err := edgeFromList(project(edgeReadKeys, []any{string(e.Kind), e.From, e.To}, props))
		if err != nil {
			t.Fatalf("edgeFromList(%s): %v", e.ID, err)
		}
		whole, err := edgeFromDB(dbtype.Relationship{Type: string(e.Kind), Props: props}, e.From, e.To)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, whole) || !reflect.DeepEqual(got, e) {
			t.Errorf("%s as a projection:\n got %+v\nwant %+v", e.ID, *got, *e)
		}
	}
	for k := range edgeProps(full) {
		if !slices.Contains(edgeReadKeys, k) {
			t.Errorf("relationship property %s is written but not projected", k)
		}
	}

	// The statements' projections are the ones decoded: the head, then
	// the keys' values.
	if got := nodeProjection("n"); got != "[labels(n)] + [k IN $nodeKeys | n[k]]" {
		t.Errorf("nodeProjection(n) = %s", got)
	}
	if got := edgeProjection("r"); got != "[type(r), startNode(r).id, endNode(r).id] + [k IN $relationKeys | r[k]]" {
		t.Errorf("edgeProjection(r) = %s", got)
	}

	okNode := project(nodeReadKeys, []any{[]any{entityLabel, "Partner"}}, map[string]any{pID: "x"})
	for name, v := range map[string]any{
		"not a list":     "x",
		"short":          okNode[:5],
		"labels":         append([]any{"Partner"}, okNode[1:]...),
		"no id":          append([]any{okNode[0]}, make([]any, len(nodeReadKeys))...),
		"no kind":        append([]any{[]any{entityLabel}}, okNode[1:]...),
		"typed property": func() any { v := slices.Clone(okNode); v[1+slices.Index(nodeReadKeys, pPlanYear)] = "2011"; return v }(),
	} {
		if _, err := nodeFromList(v); err == nil {
			t.Errorf("node projection %s: no error", name)
		}
	}
	okEdge := project(edgeReadKeys, []any{"FUNDS", "a", "b"}, map[string]any{pID: "x"})
	if _, err := edgeFromList(okEdge); err != nil {
		t.Fatalf("a minimal relationship projection: %v", err)
	}
	for name, v := range map[string]any{
		"short":        okEdge[:4],
		"unknown type": append([]any{"LIKES"}, okEdge[1:]...),
		"no end":       append([]any{"FUNDS", nil}, okEdge[2:]...),
		"no id":        append([]any{"FUNDS", "a", "b"}, make([]any, len(edgeReadKeys))...),
	} {
		if _, err := edgeFromList(v); err == nil {
			t.Errorf("relationship projection %s: no error", name)
		}
	}
}
