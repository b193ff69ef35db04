package resolvers_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/gqlhttp"
)

func TestSearch(t *testing.T) {
	h := gqlhttp.NewHandler(openStore(t, 1), gqlhttp.Options{})
	for _, c := range []struct{ q, want string }{
		{"nore", "Nore og Uvdal"},
		{"NOTODDEN", "Notodden"},
		{"sorlandsbanen", "Sørlandsbanen"},
		{"hoykon", "HØYKON Gevinst"},
		{"e134", "E134"},
	} {
		r := post(t, h, fmt.Sprintf(`{ search(text: %q) { totalCount nodes { ... on Node { name } } } }`, c.q))
		if len(r.Errors) > 0 {
			t.Fatalf("search %q: %+v", c.q, r.Errors)
		}
		var names []string
		for _, n := range r.Data["search"].(map[string]any)["nodes"].([]any) {
			names = append(names, n.(map[string]any)["name"].(string))
		}
		if !slices.Contains(names, c.want) {
			t.Errorf("search %q found %q, want %q among them", c.q, names, c.want)
		}
		if len(names) > 0 && c.q == "nore" && names[0] != "Nore og Uvdal" {
			t.Errorf("search nore ranks %q first", names[0])
		}
	}
}

func TestPaginationThroughGraphQL(t *testing.T) {
	h := gqlhttp.NewHandler(openStore(t, 1), gqlhttp.Options{})
	var all []string
	after := ""
	total := -1
	for page := 0; page < 100; page++ {
		q := fmt.Sprintf(`{ initiatives(first: 7, after: %q, orderBy: {field: COST_NOK, direction: DESC}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, after)
		r := post(t, h, q)
		if len(r.Errors) > 0 {
			t.Fatalf("page %d: %+v", page, r.Errors)
		}
		conn := r.Data["initiatives"].(map[string]any)
		if total == -1 {
			total = int(conn["totalCount"].(float64))
		} else if int(conn["totalCount"].(float64)) != total {
			t.Fatalf("totalCount changed across pages")
		}
		for _, e := range conn["edges"].([]any) {
			all = append(all, e.(map[string]any)["node"].(map[string]any)["id"].(string))
		}
		pi := conn["pageInfo"].(map[string]any)
		if !pi["hasNextPage"].(bool) {
			break
		}
		after = pi["endCursor"].(string)
	}
	if len(all) != total || total < 50 {
		t.Fatalf("paged through %d initiatives, totalCount %d", len(all), total)
	}
	seen := map[string]bool{}
	for _, id := range all {
		if seen[id] {
			t.Fatalf("%s appears on two pages", id)
		}
		seen[id] = true
	}
}

func TestErrorCodes(t *testing.T) {
	h := gqlhttp.NewHandler(openStore(t, 1), gqlhttp.Options{})
	for name, c := range map[string]struct{ q, code, field string }{
		"PageTooLarge":   {`{ municipalities(first: 5000) { totalCount } }`, "BAD_USER_INPUT", "first"},
		"BadCursor":      {`{ municipalities(after: "not-a-cursor") { totalCount } }`, "BAD_USER_INPUT", "after"},
		"CursorForOther": {`{ municipalities(after: "eyJmIjoiQ09TVF9OT0siLCJ2IjpudWxsLCJpZCI6ImEifQ") { totalCount } }`, "BAD_USER_INPUT", "after"},
		"EmptySearch":    {`{ search(text: "  ") { totalCount } }`, "BAD_USER_INPUT", "text"},
		"UnknownField":   {`{ municipalities { nope } }`, "BAD_USER_INPUT", ""},
		"SyntaxError":    {`{ municipalities { `, "BAD_USER_INPUT", ""},
		"BadEnum":        {`{ search(text: "x", kinds: [PLANET]) { totalCount } }`, "BAD_USER_INPUT", ""},
		"YearOutOfRange": {`{ initiatives(filter: {planYear: 1500}) { totalCount } }`, "BAD_USER_INPUT", "planYear"},
	} {
		t.Run(name, func(t *testing.T) {
			r := post(t, h, c.q)
			if len(r.Errors) == 0 {
				t.Fatalf("no error for %s", c.q)
			}
			ext := r.Errors[0].Extensions
			if ext["code"] != c.code {
				t.Errorf("code %v, want %s (%s)", ext["code"], c.code, r.Errors[0].Message)
			}
			if c.field != "" && ext["field"] != c.field {
				t.Errorf("field %v, want %s", ext["field"], c.field)
			}
		})
	}
	t.Run("MissingNodeIsNull", func(t *testing.T) {
		r := post(t, h, `{ node(id: "kommune-finnes-ikke") { id } nodes(ids: ["kommune-kongsberg", "kommune-finnes-ikke"]) { id } }`)
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		b, _ := json.Marshal(r.Data)
		if string(b) != `{"node":null,"nodes":[{"id":"kommune-kongsberg"},null]}` {
			t.Errorf("got %s", b)
		}
	})
}

func TestYearOnRelationFields(t *testing.T) {
	h := gqlhttp.NewHandler(openStore(t, 1), gqlhttp.Options{})
	// Sigdal joined in 2020 (outside knowledge); the seven founding members since 2005.
	q := `{ regions { nodes { id y2014: members(year: 2014) { id } y2021: members(year: 2021) { id } all: members { id } } } }`
	r := post(t, h, q)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	reg := r.Data["regions"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	ids := func(k string) []string {
		var out []string
		for _, m := range reg[k].([]any) {
			out = append(out, m.(map[string]any)["id"].(string))
		}
		return out
	}
	if slices.Contains(ids("y2014"), "kommune-sigdal") || !slices.Contains(ids("y2021"), "kommune-sigdal") {
		t.Errorf("Sigdal's membership ignores the year: 2014 %v, 2021 %v", ids("y2014"), ids("y2021"))
	}
	if len(ids("y2014")) != 7 || len(ids("all")) != 8 {
		t.Errorf("members in 2014: %d (want 7), in any year: %d (want 8)", len(ids("y2014")), len(ids("all")))
	}
}

func TestCitationNamesThePlan(t *testing.T) {
	h := gqlhttp.NewHandler(openStore(t, 1), gqlhttp.Options{})
	r := post(t, h, `{ initiatives(filter: {text: "LUP 2011"}) { nodes { source { citation planId } funding { source { citation } } } } municipalities(first: 1) { nodes { source { outside citation } } } }`)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	b, _ := json.Marshal(r.Data)
	for _, want := range []string{`"citation":"Handlingsplan 2011`, `«250 000 Regionale utviklingsmidler»`, `"outside":true`, `"citation":"Outside the plans: `} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}

// TestSearchHits: the queries over GraphQL find what the plans say
// (a description, a spelling variant, "E 134", "aa" for "å") with the field
// and a snippet whose highlights are inside it, and page by cursor.
func TestSearchHits(t *testing.T) {
	h := gqlhttp.NewHandler(openStore(t, 1), gqlhttp.Options{})
	for _, c := range []struct{ q, id, field, in string }{
		{"riksveg", "sak-e134", "DESCRIPTION", "Riksveg"},
		{"fylkesvei", "sak-fylkesveger", "NAME", "fylkesveger"},
		{"E 134", "sak-e134", "NAME", "E134"},
		{"aarhus", "sak-e134-kongsberg-gvammen", "NAME", "Århus"},
	} {
		r := post(t, h, fmt.Sprintf(`{ searchHits(text: %q, first: 5) { totalCount hits { node { id } score field snippet highlights { start end } matches { field snippet } } } }`, c.q))
		if len(r.Errors) > 0 {
			t.Fatalf("searchHits %q: %+v", c.q, r.Errors)
		}
		var found bool
		for _, hit := range r.Data["searchHits"].(map[string]any)["hits"].([]any) {
			hm := hit.(map[string]any)
			snip := hm["snippet"].(string)
			for _, hl := range hm["highlights"].([]any) {
				sp := hl.(map[string]any)
				if s, e := int(sp["start"].(float64)), int(sp["end"].(float64)); s < 0 || e > len([]rune(snip)) || s >= e {
					t.Errorf("%q: highlight %v outside %q", c.q, sp, snip)
				}
			}
			if hm["node"].(map[string]any)["id"] == c.id {
				found = true
				if hm["field"] != c.field || !strings.Contains(snip, c.in) {
					t.Errorf("%q: %s matched in %v %q, want %s holding %q", c.q, c.id, hm["field"], snip, c.field, c.in)
				}
			}
		}
		if !found {
			t.Errorf("searchHits %q does not find %s", c.q, c.id)
		}
	}
	// Paging: two pages of 2 are the first page of 4.
	ids := func(q string) []string {
		r := post(t, h, q)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", q, r.Errors)
		}
		var out []string
		for _, e := range r.Data["searchHits"].(map[string]any)["edges"].([]any) {
			out = append(out, e.(map[string]any)["node"].(map[string]any)["node"].(map[string]any)["id"].(string)+"@"+e.(map[string]any)["cursor"].(string))
		}
		return out
	}
	four := ids(`{ searchHits(text: "kommunale", first: 4) { edges { cursor node { node { id } } } } }`)
	two := ids(`{ searchHits(text: "kommunale", first: 2) { edges { cursor node { node { id } } } } }`)
	if len(four) != 4 || len(two) != 2 {
		t.Fatalf("pages %v, %v", four, two)
	}
	_, cursor, _ := strings.Cut(two[1], "@")
	next := ids(fmt.Sprintf(`{ searchHits(text: "kommunale", first: 2, after: %q) { edges { cursor node { node { id } } } } }`, cursor))
	if !slices.Equal(append(two, next...), four) {
		t.Errorf("two pages %v + %v, want %v", two, next, four)
	}
}
