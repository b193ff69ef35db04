package regiongraph

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTerm: the analysis folds Norwegian letters and spellings, reads vei
// as veg and drops inflection endings, leaving codes alone.
func TestTerm(t *testing.T) {
	for in, want := range map[string]string{
		"Fylkesveger": "fylkesveg", "fylkesvei": "fylkesveg", "fylkesveien": "fylkesveg", "riksvei": "riksveg",
		"Tromsø": "tromso", "Tromsoe": "tromso", "Århus": "arhu", "Aarhus": "arhu", "bredbåndstilbudet": "bredbandstilbud",
		"E134": "e134", "Nore": "nor", "kommunene": "kommun", "veileder": "veiled",
	} {
		if got := Term(in); got != want {
			t.Errorf("Term(%q) = %q, want %q", in, got, want)
		}
	}
	if got := QueryTerms("E 134 og fv 40"); !slices.Equal(got, []QueryTerm{{"e134", "e134"}, {"og", "og"}, {"fv40", "fv40"}}) {
		t.Errorf("QueryTerms joins a short letter run and a number: %v", got)
	}
	if got := SearchTokens(&Node{Name: "FV 40 / FV 37"}); !slices.Equal(got, []string{"37", "40", "fv", "fv37", "fv40"}) {
		t.Errorf("SearchTokens keeps the parts and the joined terms: %v", got)
	}
}

// TestSnippet: a long field is cut around the first match with ellipses,
// and the highlights are the matched words, counted in characters.
func TestSnippet(t *testing.T) {
	long := strings.Repeat("lang tekst om samarbeid ", 20) + "og her står Tromsø-områdets regionråd midt i " + strings.Repeat("mer tekst etterpå ", 20)
	n := &Node{ID: "x", Kind: KindPartner, Name: "X", Description: long}
	h, ok := ScoreSearch(n, QueryTerms("tromso regionråd"))
	if !ok {
		t.Fatal("no match")
	}
	s := h.Best.Snippet
	if h.Best.Field != FieldDescription || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") || len([]rune(s)) > SnippetRunes+2 {
		t.Fatalf("snippet %q (%d characters) of %s", s, len([]rune(s)), h.Best.Field)
	}
	var words []string
	for _, sp := range h.Best.Highlights {
		words = append(words, string([]rune(s)[sp.Start:sp.End]))
	}
	if !slices.Equal(words, []string{"Tromsø", "regionråd"}) {
		t.Errorf("highlights %v in %q", words, s)
	}
	if _, ok := ScoreSearch(n, QueryTerms("tromso bergen")); ok {
		t.Error("a node matching one of two words is a hit")
	}
}

// TestRankWithoutSnippets: NoSnippets gives the same hits, scores, order
// and count, with no snippets cut.
func TestRankWithoutSnippets(t *testing.T) {
	ns := []*Node{
		{ID: "kommune-kongsberg", Kind: KindMunicipality, Name: "Kongsberg", Description: "Byen Kongsberg ligger i Numedal."},
		{ID: "kongsbergregionen", Kind: KindRegion, Name: "Kongsbergregionen", Aliases: []string{"Kongsberg-regionen"}},
		{ID: "tiltak-1", Kind: KindInitiative, Name: "Kongsbergbanen", Description: "Tog fra Kongsberg til Oslo; kongsberg stasjon."},
		{ID: "tiltak-2", Kind: KindInitiative, Name: "Notodden", Description: "Ingenting her."},
	}
	terms := QueryTerms("kongsberg")
	with, err := RankCandidates(ns, SearchQuery{Text: "kongsberg"}, terms)
	if err != nil {
		t.Fatal(err)
	}
	without, err := RankCandidates(ns, SearchQuery{Text: "kongsberg", NoSnippets: true}, terms)
	if err != nil {
		t.Fatal(err)
	}
	if len(with.Hits) < 2 || with.TotalCount != without.TotalCount || len(with.Hits) != len(without.Hits) {
		t.Fatalf("with snippets %d of %d hits, without %d of %d", len(with.Hits), with.TotalCount, len(without.Hits), without.TotalCount)
	}
	for i, h := range without.Hits {
		w := with.Hits[i]
		if h.Node != w.Node || h.Score != w.Score || h.Terms != w.Terms || h.NameTerms != w.NameTerms {
			t.Errorf("hit %d: %s %v, with snippets %s %v", i, h.Node.ID, h.Score, w.Node.ID, w.Score)
		}
		if w.Best.Snippet == "" {
			t.Errorf("hit %d (%s): no snippet when asked for", i, w.Node.ID)
		}
		if h.Best.Snippet != "" || len(h.Matches) != 0 || len(h.pending) != 0 {
			t.Errorf("hit %d (%s): snippets cut: %+v", i, h.Node.ID, h)
		}
	}
}

// TestRankKeepsTheBestOfAll: RankCandidates (each candidate scored for its
// rank, the First best kept in a heap, only they scored again for their
// snippets) gives exactly the first hits of every candidate scored in full
// and sorted, with their snippets, for pages smaller and larger than the
// hits, with ties in score and name.
func TestRankKeepsTheBestOfAll(t *testing.T) {
	words := []string{"bredbånd", "bredde", "breddeidrett", "innovasjon", "innovativ", "inntak", "kongsberg", "kongsbergbanen", "veg", "vegvesen", "skole", "samferdsel"}
	kinds := []Kind{KindInitiative, KindMunicipality, KindPartner, KindNetwork}
	var ns []*Node
	for i := 0; i < 600; i++ {
		pick := func(k int) string { return words[(i*7+k*5+i/13)%len(words)] }
		n := &Node{ID: fmt.Sprintf("n-%03d", i), Kind: kinds[i%len(kinds)], Name: pick(0) + " " + pick(1)}
		if i%3 == 0 {
			n.Description = "Om " + pick(2) + " og " + pick(3) + " i regionen."
		}
		if i%11 == 0 {
			n.Name = "Bredbånd" // ties broken by id
		}
		if i%5 == 0 {
			n.Aliases = []string{pick(4), pick(6) + " " + pick(7)}
		}
		if i%7 == 0 {
			n.Code = fmt.Sprintf("%s-%d", pick(5), i)
		}
		switch i % 17 {
		case 0:
			n.Name = "E 134" // joined terms, phrase bonus
		case 1:
			n.Aliases = append(n.Aliases, "E134 "+pick(8))
		case 2:
			n.Description += " Langs fv 40 og E 134."
		}
		ns = append(ns, n)
	}
	for _, text := range []string{"bred", "innov", "kongsberg", "veg skole", "in", "bredbånd", "inno bred", "kongsberg veg skole", "samf", "E 134", "e134 veg", "fv 40", "kongsbergbanen"} {
		terms := QueryTerms(text)
		var all []SearchHit
		for _, n := range ns {
			if h, ok := ScoreSearch(n, terms); ok {
				all = append(all, h)
			}
		}
		slices.SortFunc(all, func(a, b SearchHit) int { return compareHits(&a, &b) })
		for _, first := range []int{1, 5, 20, 100, 1000} {
			got, err := RankCandidates(ns, SearchQuery{Text: text, First: first}, terms)
			if err != nil {
				t.Fatal(err)
			}
			want := all[:min(first, len(all))]
			check := func(how string, got SearchResult) {
				t.Helper()
				if got.TotalCount != len(all) || len(got.Hits) != len(want) {
					t.Fatalf("%s %q first %d: %d of %d hits, want %d of %d", how, text, first, len(got.Hits), got.TotalCount, len(want), len(all))
				}
				for i := range want {
					if !reflect.DeepEqual(got.Hits[i], want[i]) {
						t.Fatalf("%s %q first %d, hit %d:\n got %+v\nwant %+v", how, text, first, i, got.Hits[i], want[i])
					}
				}
			}
			check("RankCandidates", got)
			// The embedded store's path: the candidates (any document with
			// a match of some term) ranked from an index of their
			// TermFields, never scored but for the page.
			var docs []*SearchDoc
			var matches []TermMatch
			for _, n := range ns {
				d := AnalyseForSearch(n)
				ts, places := d.TermFields()
				ms := make([]TermMatch, len(terms))
				some := false
				for j, q := range terms {
					for k, t := range ts {
						ms[j].Add(q, t, places[k])
					}
					some = some || ms[j].Best > 0
				}
				if some {
					docs = append(docs, d)
					matches = append(matches, ms...)
				}
			}
			indexed, err := RankIndexed(docs, matches, SearchQuery{Text: text, First: first}, terms)
			if err != nil {
				t.Fatal(err)
			}
			check("RankIndexed", indexed)
		}
	}
}

// TestScoreRankAsSpans: scoring for the rank alone (all a search without
// snippets returns) gives the score and name terms scoring with the spans
// does (it stops at a field that can change nothing; the spans need every
// field), and QueryTerm.Prefix counts runes as utf8.RuneCountInString
// does, over random nodes and queries.
func TestScoreRankAsSpans(t *testing.T) {
	words := []string{"Kongsberg", "kongsbergregionen", "Numedal", "bredbånd", "bredbåndstilbudet", "E 134", "E134",
		"fylkesvei", "fylkesveger", "Tromsø", "Tromsoe", "nore", "Norsk", "ål", "øl", "ab", "a", "1.1", "3.1.2 d)", "vei", "Ås"}
	rnd := rand.New(rand.NewPCG(13, 13))
	text := func(max int) string {
		n := rnd.IntN(max + 1)
		ws := make([]string, n)
		for i := range ws {
			ws[i] = words[rnd.IntN(len(words))]
		}
		return strings.Join(ws, " ")
	}
	list := func(max int) []string {
		out := make([]string, rnd.IntN(max+1))
		for i := range out {
			out[i] = text(6)
		}
		return out
	}
	compared := 0
	for i := range 3000 {
		n := &Node{ID: fmt.Sprint("n", i), Kind: KindInitiative, Name: text(3), Aliases: list(2), Code: text(1),
			Description: text(12), Goals: list(3), Activities: list(3), Source: Source{Quote: text(8)}}
		d := AnalyseForSearch(n)
		terms := QueryTerms(text(3))
		if len(terms) == 0 {
			continue
		}
		for _, q := range terms {
			if got, want := q.Prefix(), utf8.RuneCountInString(q.Raw) >= MinPrefix; got != want {
				t.Fatalf("QueryTerm{%q}.Prefix() = %v, want %v", q.Raw, got, want)
			}
		}
		full, okFull := scoreDoc(d, terms, scoreSpans)
		rank, okRank := scoreDoc(d, terms, scoreRank)
		if okRank != okFull || rank.Score != full.Score || rank.NameTerms != full.NameTerms || rank.Terms != full.Terms || rank.Node != full.Node {
			t.Fatalf("node %+v, terms %v: ranked alone %v %+v, from the spans %v %+v", n, terms, okRank, rank, okFull, full)
		}
		if okFull {
			compared++
		}
	}
	if compared < 300 {
		t.Fatalf("only %d hits compared", compared)
	}
	t.Logf("%d hits compared", compared)
}
