package regiongraph

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSmallestIsTheSortedPrefix: Smallest gives exactly the first k of the
// sorted slice, for every k around the heap/sort switch, with duplicates
// and ties broken by a second key.
func TestSmallestIsTheSortedPrefix(t *testing.T) {
	type item struct{ v, id int }
	by := func(a, b item) int { return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.id, b.id)) }
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 7, 20, 100, 1000} {
		for _, k := range []int{0, 1, 2, 5, 19, 20, 21, 24, 25, 26, 99, 100, 101, 2000} {
			xs := make([]item, n)
			for i := range xs {
				xs[i] = item{v: rnd.IntN(n/3 + 1), id: i}
			}
			want := slices.Clone(xs)
			slices.SortFunc(want, by)
			want = want[:min(k, n)]
			got := Smallest(slices.Clone(xs), k, by)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d k=%d: got %v, want %v", n, k, got, want)
			}
		}
	}
}
