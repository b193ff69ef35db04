package resolvers_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

// strs picks field k of every object in the list at v.
func strs(v any, k string) []string {
	var out []string
	for _, x := range v.([]any) {
		s, _ := x.(map[string]any)[k].(string)
		out = append(out, s)
	}
	return out
}

func TestRelationListOrder(t *testing.T) {
	h := gqlhttp.NewHandler(openStore(t, 1), gqlhttp.Options{})
	r := post(t, h, `{ focusAreas(orderBy: {field: CODE}) { nodes { code
		byDefault: initiatives(planYear: 2011) { code name }
		byName: initiatives(planYear: 2011, orderBy: {field: NAME}) { code name }
		byCodeDesc: initiatives(planYear: 2011, orderBy: {field: CODE, direction: DESC}) { code }
		byCost: initiatives(planYear: 2011, orderBy: {field: COST_NOK, direction: DESC}) { code costNok }
	} } regions { nodes { members(orderBy: {field: NAME, direction: DESC}) { name } } } }`)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	checked := 0
	for _, fa := range r.Data["focusAreas"].(map[string]any)["nodes"].([]any) {
		m := fa.(map[string]any)
		codes := strs(m["byDefault"], "code")
		if len(codes) < 2 {
			continue
		}
		checked++
		if !slices.IsSortedFunc(codes, compareCodes) {
			t.Errorf("focus area %v: initiatives by default in %q, want code order", m["code"], codes)
		}
		desc := strs(m["byCodeDesc"], "code")
		if !slices.Equal(desc, reversed(codes)) {
			t.Errorf("focus area %v: CODE DESC gives %q, want %q", m["code"], desc, reversed(codes))
		}
		names := strs(m["byName"], "name")
		if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
			t.Errorf("focus area %v: NAME gives %q", m["code"], names)
		}
		// Descending, a missing cost comes first (as null does in Neo4j).
		var last int64 = 1 << 62
		seenCost := false
		for _, x := range m["byCost"].([]any) {
			c, ok := x.(map[string]any)["costNok"].(float64)
			switch {
			case !ok && seenCost:
				t.Errorf("focus area %v: COST_NOK DESC puts a missing cost after a cost", m["code"])
			case !ok:
			case int64(c) > last:
				t.Errorf("focus area %v: COST_NOK DESC not descending", m["code"])
			default:
				last, seenCost = int64(c), true
			}
		}
	}
	// Focus area 5 has 5.1 to 5.15: 5.2 comes before 5.10.
	r5 := post(t, h, `{ node(id: "satsingsomrade-5") { ... on FocusArea { initiatives { code } } } }`)
	if len(r5.Errors) > 0 {
		t.Fatal(r5.Errors)
	}
	codes := strs(r5.Data["node"].(map[string]any)["initiatives"], "code")
	if i, j := slices.Index(codes, "5.2"), slices.Index(codes, "5.10"); i < 0 || j < 0 || i > j {
		t.Errorf("focus area 5's initiatives: %q; want 5.2 before 5.10", codes)
	}
	if checked < 3 {
		t.Fatalf("only %d focus areas have two or more 2011 initiatives", checked)
	}
	members := strs(r.Data["regions"].(map[string]any)["nodes"].([]any)[0].(map[string]any)["members"], "name")
	if len(members) < 2 || !slices.IsSortedFunc(members, func(a, b string) int { return strings.Compare(strings.ToLower(b), strings.ToLower(a)) }) {
		t.Errorf("members NAME DESC: %q", members)
	}
}

// compareCodes compares codes such as "5.2" and "5.10" with their numbers
// as numbers.
func compareCodes(a, b string) int {
	for a != "" && b != "" {
		na, ra := leadingNumber(a)
		nb, rb := leadingNumber(b)
		switch {
		case na >= 0 && nb >= 0:
			if na != nb {
				return na - nb
			}
			a, b = ra, rb
		case a[0] != b[0]:
			return int(a[0]) - int(b[0])
		default:
			a, b = a[1:], b[1:]
		}
	}
	return len(a) - len(b)
}

// leadingNumber parses the digits s starts with (-1 when none) and returns
// the rest.
func leadingNumber(s string) (int, string) {
	i, n := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		n = 10*n + int(s[i]-'0')
		i++
	}
	if i == 0 {
		return -1, s
	}
	return n, s[i:]
}

func reversed(xs []string) []string {
	out := slices.Clone(xs)
	slices.Reverse(out)
	return out
}

// TestHubRelationsPaged pages through the relations of a hub with 5000 of
// them, whole, in order, without duplicates or gaps, under the default
// results cap that the whole list would exceed.
func TestHubRelationsPaged(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "hub.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	src := rg.Source{Outside: true, Reference: "test"}
	changes := []rg.Change{{Op: rg.OpCreateNode, Node: &rg.Node{ID: "hub", Kind: rg.KindRegion, Name: "Hub", Source: src}}}
	const n = 5000
	var want []string
	for i := range n {
		id := fmt.Sprintf("m-%04d", i)
		changes = append(changes, rg.Change{Op: rg.OpCreateNode, Node: &rg.Node{ID: id, Kind: rg.KindMunicipality, Name: "M " + id, Source: src}})
		eid := fmt.Sprintf("rel-%04d", i)
		changes = append(changes, rg.Change{Op: rg.OpCreateEdge, Edge: &rg.Edge{ID: eid, Kind: rg.RelMemberOf, From: id, To: "hub", Source: src}})
		want = append(want, eid)
	}
	for batch := range slices.Chunk(changes, rg.MaxBatchIDs) {
		if _, err := s.Apply(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	h := gqlhttp.NewHandler(s, gqlhttp.Options{Limits: gqlhttp.Limits{MaxResults: 5000}})

	// The whole list is more than the results cap allows.
	if r := post(t, h, `{ node(id: "hub") { relations { id from { name } } } }`); len(r.Errors) == 0 || r.Errors[0].Extensions["limit"] == nil {
		t.Fatalf("the whole list of %d relations came back under a cap of 5000 values: %+v", n, r.Errors)
	}
	var got []string
	after := ""
	for page := 0; page < 100; page++ {
		r := post(t, h, fmt.Sprintf(`{ node(id: "hub") { relationsConnection(first: 700, after: %q) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id from { id } } } } } }`, after))
		if len(r.Errors) > 0 {
			t.Fatalf("page %d: %+v", page, r.Errors)
		}
		c := r.Data["node"].(map[string]any)["relationsConnection"].(map[string]any)
		if tc := int(c["totalCount"].(float64)); tc != n {
			t.Fatalf("page %d: totalCount %d, want %d", page, tc, n)
		}
		edges := c["edges"].([]any)
		for _, e := range edges {
			em := e.(map[string]any)
			node := em["node"].(map[string]any)
			if em["cursor"] != node["id"] {
				t.Fatalf("cursor %v for relation %v", em["cursor"], node["id"])
			}
			got = append(got, node["id"].(string))
		}
		pi := c["pageInfo"].(map[string]any)
		if !pi["hasNextPage"].(bool) {
			if len(edges) > 0 && pi["endCursor"] != edges[len(edges)-1].(map[string]any)["cursor"] {
				t.Fatalf("last page's endCursor %v", pi["endCursor"])
			}
			break
		}
		after = pi["endCursor"].(string)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged through %d relations; want the %d in id order, each once (first difference at %d)", len(got), n, firstDiff(got, want))
	}
	// A page past the end is empty; first beyond the page limit is refused.
	r := post(t, h, `{ node(id: "hub") { relationsConnection(after: "rel-4999") { totalCount pageInfo { hasNextPage endCursor } nodes { id } } } }`)
	if len(r.Errors) > 0 || len(r.Data["node"].(map[string]any)["relationsConnection"].(map[string]any)["nodes"].([]any)) != 0 {
		t.Fatalf("after the last relation: %+v %v", r.Errors, r.Data)
	}
	r = post(t, h, `{ node(id: "hub") { relationsConnection(first: 5000) { totalCount } } }`)
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != rg.EBADINPUT {
		t.Fatalf("first: 5000 was not refused: %+v", r.Errors)
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
