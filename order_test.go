package regiongraph

import (
	"strings"
	"testing"
)

// FuzzCompareLower checks CompareLower against comparing lower-cased
// copies, as SortValue orders names.
func FuzzCompareLower(f *testing.F) {
	for _, p := range [][2]string{
		{"Kongsberg", "kongsberg"}, {"Øvre Eiker", "Åsen"}, {"ÆØÅ", "æøå"}, {"a", "ab"}, {"", "x"},
		{"İstanbul", "istanbul"}, {"K", "k"}, {"ẞ", "ß"}, {"\xff", "\uFFFD"}, {"Ab\xc3", "ab\xc3\xa5"}, {"Z", "a"},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		want := strings.Compare(strings.ToLower(a), strings.ToLower(b))
		if got := CompareLower(a, b); got != want {
			t.Fatalf("CompareLower(%q, %q) = %d, comparing lower-cased copies %d", a, b, got, want)
		}
	})
}
