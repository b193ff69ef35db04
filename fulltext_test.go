package regiongraph

import (
	"slices"
	"strings"
	"testing"
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
