package regiongraph

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Full-text search over what the plans say: a node's name, aliases and
// code, its description, goals and activities, and the quote of its
// source. Both stores find candidates by the same terms (the embedded
// store in an in-memory token index, Neo4j in a full-text index over the
// node's SearchTokens) and rank them with ScoreSearch, so they rank alike.
//
// Analysis: text is cut into runs of letters and digits; each run is
// folded (Fold: lower case, æ→ae, ø→o, å→a and other accents to ASCII),
// then the Norwegian double-letter spellings are folded too ("aa"→"a" as
// in Aarhus/Århus, "oe"→"o" as in Tromsoe/Tromsø), "vei" at the end of a
// word (or before -en, -er, -ene, -s) is read as "veg" (fylkesvei and
// fylkesveg are one word), and a light Norwegian stemmer drops inflection
// endings (-ene, -er, -en, -et, -e, -s, ...) when at least three letters
// remain (fylkesveger → fylkesveg). A run of one or two letters followed by
// a number is also indexed joined ("E 134" → e134, "fv 40" → fv40), so
// "E 134" and "E134" are one term.
//
// Why not bleve: the embedded store keeps its graph in memory beside a
// bbolt file and answers from it under one lock; a separate bleve index
// would be a second store to keep transactionally in step with Apply and
// to rebuild after a crash, and its BM25 scores could not be reproduced on
// Neo4j, so the two stores would rank apart. The corpus is small (plans'
// sentences, thousands of nodes), so a folded term index with prefix
// lookups, rebuilt from the nodes at open, is enough and keeps one ranking
// function (RankCandidates) for both stores.
//
// Matching: every word of the query must match a term of the node: its
// term (stemmed) equal to it, or, for a word of at least MinPrefix
// characters, the word (folded as above but not stemmed) a prefix of it
// ("bredbånd" finds "bredbåndstilbudet"; "nore" finds "Nore" but not
// "Norsk").

// SearchField is where a search hit matched.
type SearchField string

const (
	FieldName        SearchField = "NAME"
	FieldAlias       SearchField = "ALIAS"
	FieldCode        SearchField = "CODE"
	FieldDescription SearchField = "DESCRIPTION"
	FieldGoal        SearchField = "GOAL"
	FieldActivity    SearchField = "ACTIVITY"
	FieldSourceQuote SearchField = "SOURCE_QUOTE"
)

// SearchFields lists the fields in the order they rank.
var SearchFields = []SearchField{FieldName, FieldAlias, FieldCode, FieldDescription, FieldGoal, FieldActivity, FieldSourceQuote}

// FieldWeights weigh a term matched in each field.
var FieldWeights = map[SearchField]float64{
	FieldName: 8, FieldAlias: 6, FieldCode: 6, FieldDescription: 3, FieldGoal: 2, FieldActivity: 2, FieldSourceQuote: 1,
}

// nameField reports whether f names the node (name, alias or code).
func nameField(f SearchField) bool { return f == FieldName || f == FieldAlias || f == FieldCode }

// Search limits and scores.
const (
	MinPrefix       = 3   // a query term this long also matches words it starts
	MaxSearchTerms  = 16  // terms in one query
	MaxSearchText   = 200 // characters in one query
	PrefixQuality   = 0.6 // a prefix match counts this much of an exact one
	PhraseBonus     = 10  // the whole query equals a name or alias
	StartsBonus     = 4   // a name or alias starts with the whole query
	SnippetRunes    = 160 // at most this long, plus the ellipses
	MaxFieldMatches = 5   // matches listed per hit
	// SearchAnalysisVersion changes whenever the analysis does, so that a
	// store can tell which stored tokens to recompute.
	SearchAnalysisVersion = 1
)

// Span is a match inside a snippet: [Start, End) in characters (runes).
type Span struct{ Start, End int }

// FieldMatch is where in one field a hit matched.
type FieldMatch struct {
	Field SearchField
	// Index is the position of the alias, goal or activity; 0 otherwise.
	Index      int
	Snippet    string
	Highlights []Span
}

// SearchHit is a node found by a search, its score, the best field it
// matched in with a snippet of it, and every field that matched (at most
// MaxFieldMatches, best first).
type SearchHit struct {
	Node    *Node
	Score   float64
	Best    FieldMatch
	Matches []FieldMatch
	// NameTerms is how many of the query's terms matched the name, an
	// alias or the code: hits where all did rank first.
	NameTerms, Terms int

	pending []pendingMatch
}

// SearchQuery is a full-text search. First bounds the hits returned
// (0: DefaultPageSize, at most MaxPageSize).
type SearchQuery struct {
	Text  string
	Kinds []Kind
	First int
	// NoSnippets leaves the hits' Best and Matches empty, for a caller
	// that shows none (cutting the snippets is most of a search's work).
	NoSnippets bool
}

// Validate checks q, returning its terms.
func (q SearchQuery) Validate() ([]QueryTerm, error) {
	for i, k := range q.Kinds {
		if !k.Valid() {
			return nil, FieldErrorf("kinds", "kinds[%d]: unknown kind %q", i, k)
		}
	}
	if q.First < 0 || q.First > MaxPageSize {
		return nil, FieldErrorf("first", "must be 0..%d", MaxPageSize)
	}
	if utf8.RuneCountInString(q.Text) > MaxSearchText {
		return nil, FieldErrorf("text", "at most %d characters", MaxSearchText)
	}
	terms := QueryTerms(q.Text)
	if len(terms) == 0 {
		return nil, FieldErrorf("text", "give a word to search for")
	}
	if len(terms) > MaxSearchTerms {
		return nil, FieldErrorf("text", "%d words; at most %d", len(terms), MaxSearchTerms)
	}
	return terms, nil
}

// token is one analysed word of a text: its term (stemmed), its folded
// form (not stemmed) and where it is.
type token struct {
	term, raw  string
	start, end int // byte offsets in the text
}

// QueryTerm is one word of a query: Stem must equal a node's term, or Raw
// (when MinPrefix long) start one.
type QueryTerm struct{ Stem, Raw string }

// tokens analyses text. With joined, a short letter run followed by a
// number gives the joined term too (documents); without, only the joined
// one (queries).
func tokens(text string, joined bool) []token {
	var raw []token
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			raw = append(raw, token{start: start, end: i})
			start = -1
		}
	}
	if start >= 0 {
		raw = append(raw, token{start: start, end: len(text)})
	}
	var out []token
	for i := 0; i < len(raw); i++ {
		t := raw[i]
		word := text[t.start:t.end]
		if i+1 < len(raw) && isShortLetters(word) && isDigits(text[raw[i+1].start:raw[i+1].end]) &&
			strings.TrimSpace(text[t.end:raw[i+1].start]) == "" {
			jt := Fold(word) + text[raw[i+1].start:raw[i+1].end]
			j := token{term: jt, raw: jt, start: t.start, end: raw[i+1].end}
			if !joined {
				out = append(out, j)
				i++
				continue
			}
			out = append(out, j)
		}
		t.raw = rawTerm(word)
		t.term = stem(t.raw)
		out = append(out, t)
	}
	return out
}

func isShortLetters(s string) bool {
	n := 0
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
		n++
	}
	return n >= 1 && n <= 2
}

func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

var doubleFold = strings.NewReplacer("aa", "a", "oe", "o")

// norwegianEndings are the inflection endings Term drops, longest first
// (after the Snowball Norwegian stemmer's step 1, lightly).
var norwegianEndings = []string{
	"hetenes", "hetene", "hetens", "heten", "heter", "endes", "edes", "enes", "ande", "ende",
	"ane", "ene", "ens", "ers", "ets", "het", "ast", "ede", "en", "ar", "er", "as", "es", "et", "a", "e", "s",
}

// rawTerm folds one word as Term does, without stemming.
func rawTerm(word string) string {
	t := Fold(word)
	for _, r := range t {
		if unicode.IsDigit(r) {
			return t // codes and numbers are kept as written
		}
	}
	if strings.Contains(t, "aa") || strings.Contains(t, "oe") {
		t = doubleFold.Replace(t)
	}
	if i := strings.LastIndex(t, "vei"); i >= 0 {
		switch t[i+3:] {
		case "", "en", "er", "ene", "s", "ens":
			t = t[:i] + "veg" + t[i+3:]
		}
	}
	return t
}

// Term returns the search term of one word (see the analysis above).
func Term(word string) string { return stem(rawTerm(word)) }

// stem drops a Norwegian inflection ending from a raw term (Term's second
// step).
func stem(t string) string {
	if t == "" || strings.ContainsFunc(t, unicode.IsDigit) {
		return t
	}
	for _, e := range norwegianEndings {
		if strings.HasSuffix(t, e) && utf8.RuneCountInString(t)-len(e) >= 3 {
			return t[:len(t)-len(e)]
		}
	}
	return t
}

// QueryTerms returns the distinct terms of a query, in order.
func QueryTerms(q string) []QueryTerm {
	var out []QueryTerm
	for _, t := range tokens(q, false) {
		if qt := (QueryTerm{t.term, t.raw}); t.term != "" && !slices.Contains(out, qt) {
			out = append(out, qt)
		}
	}
	return out
}

// Prefix reports whether the term also matches the terms its Raw form
// starts (MinPrefix characters or more).
func (q QueryTerm) Prefix() bool {
	// utf8.RuneCountInString(q.Raw) >= MinPrefix, counting no further.
	n := 0
	for range q.Raw {
		if n++; n >= MinPrefix {
			return true
		}
	}
	return false
}

// fieldText is one searchable text of a node.
type fieldText struct {
	field SearchField
	index int
	text  string
}

func searchFieldTexts(n *Node) []fieldText {
	out := []fieldText{{FieldName, 0, n.Name}}
	for i, a := range n.Aliases {
		out = append(out, fieldText{FieldAlias, i, a})
	}
	if n.Code != "" {
		out = append(out, fieldText{FieldCode, 0, n.Code})
	}
	if n.Description != "" {
		out = append(out, fieldText{FieldDescription, 0, n.Description})
	}
	for i, g := range n.Goals {
		out = append(out, fieldText{FieldGoal, i, g})
	}
	for i, a := range n.Activities {
		out = append(out, fieldText{FieldActivity, i, a})
	}
	if n.Source.Quote != "" {
		out = append(out, fieldText{FieldSourceQuote, 0, n.Source.Quote})
	}
	return out
}

// SearchTokens returns the distinct terms of every searchable field of n,
// sorted: what a store indexes n by.
func SearchTokens(n *Node) []string { return AnalyseForSearch(n).Tokens() }

// TermMatches reports how the query term q matches the node term t: 1 for
// its stem equal to t, PrefixQuality for its raw form starting t (when
// q.Prefix), 0 for no match.
func TermMatches(q QueryTerm, t string) float64 { return termMatches(q, q.Prefix(), t) }

// termMatches is TermMatches with q.Prefix() known.
func termMatches(q QueryTerm, prefix bool, t string) float64 {
	switch {
	case q.Stem == t || q.Raw == t:
		return 1
	case prefix && strings.HasPrefix(t, q.Raw):
		return PrefixQuality
	}
	return 0
}

// weightsDescend reports whether FieldWeights never grow along
// SearchFields, the order of a document's fields: then scoring may stop at
// a field that can improve nothing (scoreDoc).
var weightsDescend = func() bool {
	for i := 1; i < len(SearchFields); i++ {
		if FieldWeights[SearchFields[i]] > FieldWeights[SearchFields[i-1]] {
			return false
		}
	}
	return true
}()

// allAtLeast reports whether every one of bests is at least w.
func allAtLeast(bests []float64, w float64) bool {
	for _, b := range bests {
		if b < w {
			return false
		}
	}
	return true
}

// ScoreSearch scores node n against the query terms (from QueryTerms),
// with the snippets of where it matched. It reports false when some term
// does not match.
//
// A term's score is the best, over the fields, of the field's weight
// (FieldWeights) times the match quality (TermMatches); the node's score
// is the sum over the terms, plus PhraseBonus when the query's terms are
// its name's or an alias's, or StartsBonus when they begin them.
func ScoreSearch(n *Node, terms []QueryTerm) (SearchHit, bool) {
	h, ok := scoreSearch(n, terms)
	if ok {
		h.cutSnippets()
	}
	return h, ok
}

// SearchDoc is a node analysed for search: each field's words and, for
// the name and the aliases, their terms as a query would have them. A store
// may keep one per node (the embedded store does), so that scoring does not
// analyse the node again; AnalyseForSearch and ScoreSearch give the same
// answers either way.
type SearchDoc struct {
	Node   *Node
	fields []docField
}

type docField struct {
	ft    fieldText
	toks  []token
	terms []QueryTerm // name and aliases only
	w     float64     // FieldWeights[ft.field]
	named bool        // nameField(ft.field)
	place uint8       // the field's place in SearchFields
}

// AnalyseForSearch analyses n for search.
func AnalyseForSearch(n *Node) *SearchDoc {
	d := &SearchDoc{Node: n}
	for _, ft := range searchFieldTexts(n) {
		df := docField{ft: ft, toks: tokens(ft.text, true), w: FieldWeights[ft.field], named: nameField(ft.field), place: uint8(slices.Index(SearchFields, ft.field))}
		if ft.field == FieldName || ft.field == FieldAlias {
			df.terms = QueryTerms(ft.text)
		}
		d.fields = append(d.fields, df)
	}
	return d
}

// Tokens returns the document's distinct terms, sorted (SearchTokens).
func (d *SearchDoc) Tokens() []string {
	var out []string
	for _, f := range d.fields {
		for _, t := range f.toks {
			if t.term != "" {
				out = append(out, t.term)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TermFields returns the document's distinct terms, sorted (as Tokens),
// and for each the first of SearchFields it occurs in, the heaviest: what
// an index keeps so that it can rank as scoring the document does
// (TermMatch, RankIndexed).
func (d *SearchDoc) TermFields() ([]string, []uint8) {
	first := map[string]uint8{}
	for fi := range d.fields {
		df := &d.fields[fi]
		for _, t := range df.toks {
			if t.term == "" {
				continue
			}
			if p, ok := first[t.term]; !ok || df.place < p {
				first[t.term] = df.place
			}
		}
	}
	terms := make([]string, 0, len(first))
	for t := range first {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	places := make([]uint8, len(terms))
	for i, t := range terms {
		places[i] = first[t]
	}
	return terms, places
}

// TermMatch is what an index of TermFields tells of one document's match
// of one query term: the best weight (match quality times field weight, as
// scoring gives it), whether a name field (name, alias, code) matched, and
// whether the name or an alias matched exactly (the phrase bonuses can
// apply only then).
type TermMatch struct {
	Best             float64
	Named, ExactName bool
}

// Add merges into m the match of query term q with the document's term t,
// first found in the field at place in SearchFields (TermFields). The best
// over the document's terms is scoring's best over its fields: for each
// term, the heaviest field it is in.
func (m *TermMatch) Add(q QueryTerm, t string, place uint8) {
	m.AddQuality(TermMatches(q, t), place)
}

// AddQuality is Add with TermMatches(q, t) worked out: once for all the
// documents having t.
func (m *TermMatch) AddQuality(quality float64, place uint8) {
	if quality == 0 || int(place) >= len(SearchFields) {
		return
	}
	f := SearchFields[place]
	m.Best = max(m.Best, quality*FieldWeights[f])
	if nameField(f) {
		m.Named = true
		if quality == 1 && f != FieldCode {
			m.ExactName = true
		}
	}
}

func scoreSearch(n *Node, terms []QueryTerm) (SearchHit, bool) {
	return scoreDoc(AnalyseForSearch(n), terms, scoreSpans)
}

// What scoreDoc gives.
const (
	// scoreRank: only what ranks a hit (Score, NameTerms, Terms): no
	// field matches, nothing allocated.
	scoreRank = iota
	// scoreSpans: that and the pending matches, to cut snippets from.
	scoreSpans
)

// scoreDoc scores d against terms, giving what mode says.
func scoreDoc(d *SearchDoc, terms []QueryTerm, mode int) (SearchHit, bool) {
	n := d.Node
	spans := mode == scoreSpans
	type fieldHit struct {
		ft      fieldText
		place   uint8   // the field's place in SearchFields
		best    float64 // best weighted match in this field
		matched bool
		spans   [][2]int
	}
	// Most documents scored match in no field or one: nothing is
	// allocated for a field without a match, nor for up to 8 terms.
	var hitBuf [6]fieldHit
	hits := hitBuf[:0]
	var bestBuf [8]float64
	var nameBuf [8]bool
	var termBest []float64
	var termName []bool
	if len(terms) <= len(bestBuf) {
		termBest, termName = bestBuf[:len(terms)], nameBuf[:len(terms)]
	} else {
		termBest, termName = make([]float64, len(terms)), make([]bool, len(terms))
	}
	var prefixBuf [8]bool
	prefix := prefixBuf[:0]
	if len(terms) > len(prefixBuf) {
		prefix = make([]bool, 0, len(terms))
	}
	for _, q := range terms {
		prefix = append(prefix, q.Prefix())
	}
	for fi := range d.fields {
		df := &d.fields[fi]
		if !spans && !df.named && weightsDescend && allAtLeast(termBest, df.w) {
			// No field from here on weighs more: no term's best can
			// grow, no name field is left, and a later field cannot
			// be the best (an earlier one wins a tie).
			break
		}
		ft := df.ft
		fh := fieldHit{ft: ft, place: df.place}
		for _, tk := range df.toks {
			for i, q := range terms {
				m := termMatches(q, prefix[i], tk.term)
				if m == 0 {
					continue
				}
				w := m * df.w
				termBest[i] = max(termBest[i], w)
				fh.best = max(fh.best, w)
				if df.named {
					termName[i] = true
				}
				fh.matched = true
				if spans {
					fh.spans = append(fh.spans, [2]int{tk.start, tk.end})
				}
			}
		}
		if fh.matched && mode != scoreRank {
			hits = append(hits, fh)
		}
	}
	h := SearchHit{Node: n, Terms: len(terms)}
	for i := range terms {
		if termBest[i] == 0 {
			return SearchHit{}, false
		}
		h.Score += termBest[i]
		if termName[i] {
			h.NameTerms++
		}
	}
	h.Score += phraseBonus(d, terms)
	h.Score = roundScore(h.Score)
	if mode == scoreRank {
		return h, true
	}
	slices.SortStableFunc(hits, func(a, b fieldHit) int {
		return cmp.Or(-cmp.Compare(a.best, b.best), cmp.Compare(a.place, b.place), a.ft.index-b.ft.index)
	})
	h.pending = make([]pendingMatch, 0, min(len(hits), MaxFieldMatches))
	for i, fh := range hits {
		if i == MaxFieldMatches {
			break
		}
		h.pending = append(h.pending, pendingMatch{fh.ft, fh.spans})
	}
	h.Best = FieldMatch{Field: hits[0].ft.field, Index: hits[0].ft.index}
	return h, true
}

// phraseBonus is what the whole query earns against whole names, compared
// as terms ("E 134" equals "E134", "tromso" equals "Tromsø"): PhraseBonus
// when it is a name or an alias, StartsBonus when it begins one.
func phraseBonus(d *SearchDoc, terms []QueryTerm) float64 {
	bonus := 0.0
	for fi := range d.fields {
		df := &d.fields[fi]
		if df.ft.field != FieldName && df.ft.field != FieldAlias {
			continue
		}
		nt := df.terms
		switch {
		case slices.Equal(nt, terms):
			bonus = max(bonus, PhraseBonus)
		case len(nt) > len(terms) && slices.Equal(nt[:len(terms)], terms):
			bonus = max(bonus, StartsBonus)
		}
	}
	return bonus
}

// pendingMatch is a field match whose snippet is not cut yet.
type pendingMatch struct {
	ft    fieldText
	spans [][2]int
}

// cutSnippets fills in the hit's Matches and Best from its pending
// matches; RankCandidates does it only for the hits it returns.
func (h *SearchHit) cutSnippets() {
	h.Matches = make([]FieldMatch, 0, len(h.pending))
	for _, p := range h.pending {
		snip, hl := snippet(p.ft.text, p.spans)
		h.Matches = append(h.Matches, FieldMatch{Field: p.ft.field, Index: p.ft.index, Snippet: snip, Highlights: hl})
	}
	h.pending = nil
	if len(h.Matches) > 0 {
		h.Best = h.Matches[0]
	}
}

// snippet returns at most SnippetRunes characters of text around the first
// match (cut at spaces, "…" where cut) and the matches inside it, in runes.
func snippet(text string, spans [][2]int) (string, []Span) {
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) })
	spans = slices.Compact(spans)
	runes := []rune(text)
	// byte offset -> rune offset
	idx := make(map[int]int, len(runes)+1)
	b := 0
	for i, r := range runes {
		idx[b] = i
		b += utf8.RuneLen(r)
	}
	idx[b] = len(runes)
	first := idx[spans[0][0]]
	lo, hi := 0, len(runes)
	if len(runes) > SnippetRunes {
		lo = max(0, first-SnippetRunes/3)
		hi = min(len(runes), lo+SnippetRunes)
		lo = max(0, hi-SnippetRunes)
		for lo > 0 && lo < first && !unicode.IsSpace(runes[lo-1]) {
			lo++
		}
		for hi < len(runes) && hi > idx[spans[0][1]] && !unicode.IsSpace(runes[hi]) {
			hi--
		}
	}
	prefix, suffix := "", ""
	if lo > 0 {
		prefix = "…"
	}
	if hi < len(runes) {
		suffix = "…"
	}
	body := strings.TrimSpace(string(runes[lo:hi]))
	shift := lo - len([]rune(prefix))
	if trimmed := len([]rune(string(runes[lo:hi]))) - len([]rune(strings.TrimLeftFunc(string(runes[lo:hi]), unicode.IsSpace))); trimmed > 0 {
		shift += trimmed
	}
	var out []Span
	for _, s := range spans {
		a, z := idx[s[0]], idx[s[1]]
		if a < lo || z > hi {
			continue
		}
		out = append(out, Span{a - shift, z - shift})
	}
	return prefix + body + suffix, out
}

// compareHits is the order of search hits: those whose every term matched
// a name, alias or code first, then by score (descending), then name and
// id.
func compareHits(a, b *SearchHit) int {
	return compareRanks(a.Terms-a.NameTerms, a.Score, a.Node, b.Terms-b.NameTerms, b.Score, b.Node)
}

// compareRanks is compareHits over what it looks at: the terms not matched
// by a name, the score and the node.
func compareRanks(aUnnamed int, aScore float64, an *Node, bUnnamed int, bScore float64, bn *Node) int {
	return cmp.Or(cmp.Compare(aUnnamed, bUnnamed), -cmp.Compare(aScore, bScore),
		CompareLower(an.Name, bn.Name), strings.Compare(an.ID, bn.ID))
}

// SearchResult is one search's ranked hits (at most the query's First) and
// how many nodes matched in all.
type SearchResult struct {
	Hits       []SearchHit
	TotalCount int
}

// MaxSearchCandidates bounds the nodes one search scores; a query that
// matches more is BAD_USER_INPUT (add a word).
const MaxSearchCandidates = 20000

// RankCandidates scores candidates (nodes sharing the query's terms, in any
// order, each once) for q, drops those of other kinds or that do not match
// every term, ranks the rest (compareHits) and keeps q.First. Both
// stores end their search here, so they rank alike.
func RankCandidates(cands []*Node, q SearchQuery, terms []QueryTerm) (SearchResult, error) {
	if len(cands) > MaxSearchCandidates {
		return SearchResult{}, FieldErrorf("text", "more than %d nodes match; add a word", MaxSearchCandidates)
	}
	docs := make([]*SearchDoc, 0, len(cands))
	for _, n := range cands {
		if len(q.Kinds) == 0 || slices.Contains(q.Kinds, n.Kind) {
			docs = append(docs, AnalyseForSearch(n))
		}
	}
	return RankDocs(docs, q, terms)
}

// RankDocs is RankCandidates over nodes already analysed.
func RankDocs(docs []*SearchDoc, q SearchQuery, terms []QueryTerm) (SearchResult, error) {
	if err := checkRank(len(docs), terms); err != nil {
		return SearchResult{}, err
	}
	// The candidates share the query's terms: most of them are hits. The
	// documents whose every term a name field matches rank before all
	// others and are scored by their names alone (nameRank); the others
	// are scored in full. Each is scored for its rank only; the First best
	// are ranked in a heap (a prefix matches thousands of initiatives of a
	// national graph) and only they are scored again for where they
	// matched.
	hits := make([]ranked, 0, len(docs))
	for i, d := range docs {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, d.Node.Kind) {
			continue
		}
		if namesDecide {
			if s, named := nameRank(d, terms); named == len(terms) {
				hits = append(hits, ranked{s, 0, i})
				continue
			}
		}
		if h, ok := scoreDoc(d, terms, scoreRank); ok {
			hits = append(hits, ranked{h.Score, h.Terms - h.NameTerms, i})
		}
	}
	return page(docs, hits, q, terms), nil
}

// RankIndexed is RankDocs for documents found through an index of their
// TermFields: matches[i*len(terms)+j] is document i's match of term j
// (TermMatch.Add over the document's terms). The hits, their scores and
// their order are RankDocs's, but the documents are not looked into, but
// for the phrase bonuses of those whose names or aliases match every term
// exactly and for the snippets of the hits returned: a prefix shared by
// thousands of documents costs what their index entries cost.
func RankIndexed(docs []*SearchDoc, matches []TermMatch, q SearchQuery, terms []QueryTerm) (SearchResult, error) {
	if err := checkRank(len(docs), terms); err != nil {
		return SearchResult{}, err
	}
	if len(matches) != len(docs)*len(terms) {
		return SearchResult{}, fmt.Errorf("regiongraph: RankIndexed: %d matches for %d documents and %d terms", len(matches), len(docs), len(terms))
	}
	hits := make([]ranked, 0, len(docs))
docs:
	for i, d := range docs {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, d.Node.Kind) {
			continue
		}
		// The sums of scoreDoc, in its order.
		score, unnamed, exact := 0.0, 0, true
		for _, m := range matches[i*len(terms) : (i+1)*len(terms)] {
			if m.Best == 0 {
				continue docs
			}
			score += m.Best
			if !m.Named {
				unnamed++
			}
			exact = exact && m.ExactName
		}
		if exact {
			score += phraseBonus(d, terms)
		}
		hits = append(hits, ranked{roundScore(score), unnamed, i})
	}
	return page(docs, hits, q, terms), nil
}

// checkRank bounds what one ranking takes.
func checkRank(docs int, terms []QueryTerm) error {
	if docs > MaxSearchCandidates {
		return FieldErrorf("text", "more than %d nodes match; add a word", MaxSearchCandidates)
	}
	if len(terms) > MaxSearchTerms {
		return FieldErrorf("text", "%d words; at most %d", len(terms), MaxSearchTerms)
	}
	return nil
}

// ranked is a hit as it ranks: its score, the terms no name field matched
// and its document's index.
type ranked struct {
	score        float64
	unnamed, doc int
}

// page keeps the First best of hits (compareHits' order), scored again for
// their snippets unless q.NoSnippets, and counts them all.
func page(docs []*SearchDoc, hits []ranked, q SearchQuery, terms []QueryTerm) SearchResult {
	first := q.First
	if first == 0 {
		first = DefaultPageSize
	}
	total := len(hits)
	top := Smallest(hits, first, func(a, b ranked) int {
		return compareRanks(a.unnamed, a.score, docs[a.doc].Node, b.unnamed, b.score, docs[b.doc].Node)
	})
	out := make([]SearchHit, len(top))
	for i, r := range top {
		if q.NoSnippets {
			// The rank holds all a hit without snippets says.
			out[i] = SearchHit{Node: docs[r.doc].Node, Score: r.score, NameTerms: len(terms) - r.unnamed, Terms: len(terms)}
		} else {
			out[i], _ = scoreDoc(docs[r.doc], terms, scoreSpans)
			out[i].cutSnippets()
		}
	}
	return SearchResult{Hits: out, TotalCount: total}
}

// roundScore rounds a score to thousandths, as every score is.
func roundScore(s float64) float64 { return float64(int64(s*1000+0.5)) / 1000 }

// namesDecide reports whether a term matched by a name field (name, alias,
// code) always scores more there than any other field can give it: the
// weakest name-field match, a prefix in the lightest name field, against
// the heaviest other field's exact match. Then a document whose every term
// a name field matches has its score from its name fields alone (nameRank).
var namesDecide = func() bool {
	minName, maxOther := 0.0, 0.0
	for f, w := range FieldWeights {
		if nameField(f) {
			if minName == 0 || w*PrefixQuality < minName {
				minName = w * PrefixQuality
			}
		} else {
			maxOther = max(maxOther, w)
		}
	}
	return minName > maxOther
}()

// nameRank scores d by its name fields only: how many terms they match and,
// when they match every term and namesDecide, the document's score, equal
// to scoreDoc's (the same sums in the same order).
func nameRank(d *SearchDoc, terms []QueryTerm) (score float64, named int) {
	var bestBuf [MaxSearchTerms]float64
	termBest := bestBuf[:len(terms)]
	for fi := range d.fields {
		df := &d.fields[fi]
		if !df.named {
			continue
		}
		for _, tk := range df.toks {
			for i, q := range terms {
				if m := TermMatches(q, tk.term); m > 0 {
					termBest[i] = max(termBest[i], m*df.w)
				}
			}
		}
	}
	for _, b := range termBest {
		if b > 0 {
			named++
			score += b
		}
	}
	if named < len(terms) {
		return 0, named
	}
	score += phraseBonus(d, terms)
	return roundScore(score), named
}
