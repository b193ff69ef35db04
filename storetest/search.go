package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// searchCorpus is the bundled Kongsbergregionen dataset plus one node
// named with an ø (the plans name no such place in a node).
func searchCorpus(t *testing.T) Graph {
	t.Helper()
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	g := Graph{Nodes: ds.Nodes, Edges: ds.Edges}
	tromso := Partner("partner-tromso-regionrad")
	tromso.Name = "Tromsø-områdets regionråd"
	tromso.Description = "Regionrådet i Tromsø-området; nevnt i listen over lignende dokumenter."
	tromso.Source = rg.Source{Outside: true, Reference: "test corpus"}
	g.Nodes = append(g.Nodes, tromso)
	return g
}

// searchCase is a query of the issue and what must come first.
type searchCase struct {
	text  string
	kinds []rg.Kind
	top   []string // the first hits, in order (sorted by id when any: in any order)
	any   bool
	field rg.SearchField // the first hit's best field
	in    string         // the first hit's snippet holds this (case-insensitive)
}

var searchCases = []searchCase{
	// Only in a description: "Riksveg (europaveg) gjennom regionen".
	{text: "riksveg", top: []string{"sak-e134"}, field: rg.FieldDescription, in: "Riksveg"},
	{text: "riksvei", top: []string{"sak-e134"}, field: rg.FieldDescription, in: "Riksveg"},
	// The node says "fylkesveger"; the aliases "Fylkesveg 40/37" follow.
	{text: "fylkesvei", top: []string{"sak-fv-37", "sak-fv-40", "sak-fylkesveger"}, any: true, in: "fylkesveg"},
	{text: "fylkesveger", top: []string{"sak-fylkesveger", "sak-fv-37", "sak-fv-40"}, field: rg.FieldName, in: "fylkesveger"},
	// "E 134" is E134: the topic and the 2011 row, then the sub-topics.
	{text: "E 134", top: []string{"sak-e134", "tiltak-2011-2-1", "sak-e134-kongsberg-gvammen", "sak-e134-saggrenda-gvammen"}, field: rg.FieldName, in: "E134"},
	{text: "e134", kinds: []rg.Kind{rg.KindTopic}, top: []string{"sak-e134", "sak-e134-kongsberg-gvammen", "sak-e134-saggrenda-gvammen"}, field: rg.FieldName, in: "E134"},
	// "aa" for "å".
	{text: "Aarhus", top: []string{"sak-e134-kongsberg-gvammen"}, field: rg.FieldName, in: "Århus"},
	{text: "bredbaand", top: []string{"sak-bredband"}, field: rg.FieldAlias, in: "bredbånd"},
	// ø as o and oe.
	{text: "tromso", top: []string{"partner-tromso-regionrad"}, field: rg.FieldName, in: "Tromsø"},
	{text: "Tromsoe", top: []string{"partner-tromso-regionrad"}, field: rg.FieldName, in: "Tromsø"},
	// A name hit outranks hits in goals and quotes only.
	{text: "rullering NTP", kinds: []rg.Kind{rg.KindTopic}, top: []string{"sak-ntp"}, field: rg.FieldName, in: "NTP"},
	// Goals: Sørlandsbanen's is «Fokus på tilbud».
	{text: "fokus på tilbud", top: []string{"sak-sorlandsbanen"}, field: rg.FieldGoal, in: "Fokus på tilbud"},
	// A description: "Strekningen skal posisjoneres ...".
	{text: "posisjonere strekningen", kinds: []rg.Kind{rg.KindTopic}, top: []string{"sak-e134-saggrenda-gvammen", "sak-kongsbergbanen"}, field: rg.FieldDescription, in: "posisjoneres"},
}

func testSearch(t *testing.T, open Opener) {
	g := searchCorpus(t)
	s := openWith(t, open, g)

	t.Run("the issue's queries rank their hits first", func(t *testing.T) {
		for _, c := range searchCases {
			res, err := s.Search(bg, rg.SearchQuery{Text: c.text, Kinds: c.kinds, First: 10})
			if err != nil {
				t.Fatalf("%q: %v", c.text, err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.Node.ID)
			}
			first := slices.Clone(got[:min(len(got), len(c.top))])
			if c.any {
				slices.Sort(first)
			}
			if !slices.Equal(first, c.top) {
				t.Errorf("%q: hits %v, want %v first", c.text, got, c.top)
				continue
			}
			best := res.Hits[0].Best
			if (c.field != "" && best.Field != c.field) || !strings.Contains(strings.ToLower(best.Snippet), strings.ToLower(c.in)) {
				t.Errorf("%q: best match %s %q, want %s holding %q", c.text, best.Field, best.Snippet, c.field, c.in)
			}
			for _, sp := range best.Highlights {
				r := []rune(best.Snippet)
				if sp.Start < 0 || sp.End > len(r) || sp.Start >= sp.End {
					t.Errorf("%q: highlight %v outside the snippet %q", c.text, sp, best.Snippet)
				}
			}
			t.Logf("%-14q → %v; %s: %s", c.text, got[:min(len(got), 5)], best.Field, best.Snippet)
		}
	})

	t.Run("ranks exactly as scoring every node does", func(t *testing.T) {
		all := TakeSnapshot(t, s).Nodes
		for _, c := range append(searchCases, searchCase{text: "kommunal"}, searchCase{text: "nettverk"}, searchCase{text: "ikt drift"}, searchCase{text: "nore"}) {
			q := rg.SearchQuery{Text: c.text, Kinds: c.kinds, First: rg.MaxPageSize}
			terms, err := q.Validate()
			if err != nil {
				t.Fatal(err)
			}
			want, err := rg.RankCandidates(all, q, terms)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Search(bg, q)
			if err != nil {
				t.Fatal(err)
			}
			if got.TotalCount != want.TotalCount || !slices.EqualFunc(got.Hits, want.Hits, func(a, b rg.SearchHit) bool {
				return a.Node.ID == b.Node.ID && a.Score == b.Score && a.Best.Snippet == b.Best.Snippet
			}) {
				t.Errorf("%q: %d hits %v, want %d %v", c.text, got.TotalCount, hitIDs(got.Hits), want.TotalCount, hitIDs(want.Hits))
			}
		}
	})

	t.Run("names the hits first and pages", func(t *testing.T) {
		res, err := s.Search(bg, rg.SearchQuery{Text: "nore", First: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Node.ID != "kommune-nore-og-uvdal" {
			t.Errorf("nore: %v, want Nore og Uvdal first", hitIDs(res.Hits))
		}
		if len(res.Hits) > 3 {
			t.Errorf("First 3 gave %d hits", len(res.Hits))
		}
		for _, h := range res.Hits {
			if strings.HasPrefix(strings.ToLower(h.Node.Name), "norsk") {
				t.Errorf("nore finds %s: a prefix of a stem, not of the word", h.Node.Name)
			}
		}
	})

	t.Run("sees writes at once", func(t *testing.T) {
		n := Partner("partner-sokkelvegen")
		n.Name = "Sokkelvegen samarbeid"
		n.Source = rg.Source{Outside: true, Reference: "test"}
		MustApply(t, s, rg.Change{Op: rg.OpCreateNode, Node: n})
		res, err := s.Search(bg, rg.SearchQuery{Text: "sokkelveien"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 1 || res.Hits[0].Node.ID != n.ID {
			t.Errorf("after create: %v", hitIDs(res.Hits))
		}
		MustApply(t, s, rg.Change{Op: rg.OpDeleteNode, ID: n.ID})
		if res, err = s.Search(bg, rg.SearchQuery{Text: "sokkelveien"}); err != nil || len(res.Hits) != 0 {
			t.Errorf("after delete: %v, %v", hitIDs(res.Hits), err)
		}
	})

	t.Run("refuses bad queries", func(t *testing.T) {
		for _, q := range []rg.SearchQuery{{Text: "  "}, {Text: "-- !!"}, {Text: strings.Repeat("a", rg.MaxSearchText+1)},
			{Text: manyWords(rg.MaxSearchTerms + 1)}, {Text: "x", First: -1}, {Text: "x", Kinds: []rg.Kind{"Planet"}}} {
			_, err := s.Search(bg, q)
			if rg.ErrorCode(err) != rg.EBADINPUT {
				t.Errorf("Search(%.20q, first %d, kinds %v): %v, want %s", q.Text, q.First, q.Kinds, err, rg.EBADINPUT)
			}
		}
	})
}

func hitIDs(hs []rg.SearchHit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Node.ID)
	}
	return out
}

func manyWords(n int) string {
	var ws []string
	for i := range n {
		ws = append(ws, fmt.Sprintf("ord%d", i))
	}
	return strings.Join(ws, " ")
}
