package analysis

import "slices"

// csr is an undirected, weighted graph over the nodes 0..n-1 in compressed
// sparse rows: the neighbours of u are nbr[off[u]:off[u+1]], ascending, and
// w holds the weights of those links, so each link is stored once from
// each end. It is built once and then only read, by any number of
// goroutines.
type csr struct {
	off []int32
	nbr []int32
	w   []float64
}

func (g *csr) n() int { return len(g.off) - 1 }

// links returns the number of links (each counted once).
func (g *csr) links() int { return len(g.nbr) / 2 }

func (g *csr) row(u int) ([]int32, []float64) {
	a, b := g.off[u], g.off[u+1]
	return g.nbr[a:b], g.w[a:b]
}

func (g *csr) degree(u int) int { return int(g.off[u+1] - g.off[u]) }

// weight returns the weight of the link u–v.
func (g *csr) weight(u, v int) (float64, bool) {
	nb, w := g.row(u)
	k, ok := slices.BinarySearch(nb, int32(v))
	if !ok {
		return 0, false
	}
	return w[k], true
}

// upperLink is a link u–v with u < v.
type upperLink struct {
	u, v int32
	w    float64
}

// newCSR builds the graph over n nodes from links ordered by (u, v), each
// with u < v and given once. Each row comes out ascending: a row's lower
// neighbours arrive first (their links come earlier in the order), then its
// own upper ones.
func newCSR(n int, links []upperLink) csr {
	g := csr{off: make([]int32, n+1), nbr: make([]int32, 2*len(links)), w: make([]float64, 2*len(links))}
	for _, l := range links {
		g.off[l.u+1]++
		g.off[l.v+1]++
	}
	for i := range n {
		g.off[i+1] += g.off[i]
	}
	next := slices.Clone(g.off[:n])
	for _, l := range links {
		g.nbr[next[l.u]], g.w[next[l.u]] = l.v, l.w
		next[l.u]++
		g.nbr[next[l.v]], g.w[next[l.v]] = l.u, l.w
		next[l.v]++
	}
	return g
}
