package regiongraph

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold maps letters to their plain ASCII base so that "tromso" finds
// "Tromsø" and "arhus" finds "Århus".
var fold = strings.NewReplacer(
	"æ", "ae", "ø", "o", "å", "a", "ä", "a", "ö", "o", "ü", "u", "é", "e", "è", "e",
	"ê", "e", "á", "a", "à", "a", "ó", "o", "ò", "o", "ô", "o", "í", "i", "ú", "u",
	"ñ", "n", "ç", "c", "ß", "ss", "–", "-", "—", "-",
)

// Fold returns s lower-cased, with Norwegian and other accented letters
// folded to ASCII and runs of white space collapsed to one space. Search
// compares folded text.
func Fold(s string) string {
	s = strings.ToLower(s)
	if !isASCII(s) { // fold's letters are all beyond ASCII
		s = fold.Replace(s)
	}
	if singleSpaced(s) {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// singleSpaced reports whether s is its fields joined by single spaces:
// no white space but ' ', none at either end, never two together.
func singleSpaced(s string) bool {
	prev := true // a space at the start is one too many
	for _, r := range s {
		space := unicode.IsSpace(r)
		if space && (r != ' ' || prev) {
			return false
		}
		prev = space
	}
	return !prev || s == ""
}

// SearchText is the folded text a node is found by: its name, aliases and
// code, separated by newlines.
func SearchText(n *Node) string {
	parts := make([]string, 0, 2+len(n.Aliases))
	parts = append(parts, Fold(n.Name))
	for _, a := range n.Aliases {
		parts = append(parts, Fold(a))
	}
	if n.Code != "" {
		parts = append(parts, Fold(n.Code))
	}
	return strings.Join(parts, "\n")
}

// Matches reports whether node n is found by the search text q: the folded q
// is a substring of n's SearchText. An empty q matches everything.
func Matches(n *Node, q string) bool {
	fq := Fold(q)
	return fq == "" || strings.Contains(SearchText(n), fq)
}

// SearchRank orders search hits: 0 when a name or alias equals q, 1 when one
// starts with it, 2 when a word in one starts with it, 3 otherwise.
func SearchRank(n *Node, q string) int {
	fq := Fold(q)
	best := 3
	for _, t := range strings.Split(SearchText(n), "\n") {
		switch {
		case t == fq:
			return 0
		case strings.HasPrefix(t, fq):
			best = min(best, 1)
		case strings.Contains(t, " "+fq) || strings.Contains(t, "-"+fq) || strings.Contains(t, "("+fq):
			best = min(best, 2)
		}
	}
	return best
}
