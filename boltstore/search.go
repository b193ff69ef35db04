package boltstore

import (
	"context"
	"slices"
	"sort"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// termIndex is the in-memory inverted index full-text search finds
// candidates in: each term (regiongraph.SearchDoc.TermFields) to the nodes
// that have it, with the first (heaviest) field each has it in, so that
// search ranks from the index alone (regiongraph.RankIndexed); and the
// terms sorted, for prefix lookups by binary search. It is rebuilt from the
// nodes when the store opens and kept current by putNode and deleteNode,
// under the graph's lock.
type termIndex struct {
	postings map[string]map[string]uint8 // term -> node id -> field's place in SearchFields
	terms    []string                    // sorted keys of postings
	byNode   map[string][]string         // node id -> its terms
	docs     map[string]*rg.SearchDoc
}

func newTermIndex() *termIndex {
	return &termIndex{postings: map[string]map[string]uint8{}, byNode: map[string][]string{}, docs: map[string]*rg.SearchDoc{}}
}

// put indexes node n, whose rg.AnalyseForSearch is d and d.TermFields()
// ts and places.
func (x *termIndex) put(n *rg.Node, d *rg.SearchDoc, ts []string, places []uint8) {
	x.remove(n.ID)
	x.byNode[n.ID] = ts
	x.docs[n.ID] = d
	for i, t := range ts {
		p := x.postings[t]
		if p == nil {
			p = map[string]uint8{}
			x.postings[t] = p
			x.terms = insertSorted(x.terms, t)
		}
		p[n.ID] = places[i]
	}
}

func (x *termIndex) remove(id string) {
	for _, t := range x.byNode[id] {
		p := x.postings[t]
		delete(p, id)
		if len(p) == 0 {
			delete(x.postings, t)
			if i, ok := slices.BinarySearch(x.terms, t); ok {
				x.terms = slices.Delete(x.terms, i, i+1)
			}
		}
	}
	delete(x.byNode, id)
	delete(x.docs, id)
}

// each calls fn for every term of the index that q matches
// (regiongraph.TermMatches: its stem or raw form, or, when q.Prefix, any
// term its raw form starts) with its postings; a term may come twice
// (TermMatch.Add keeps the best, so it counts once).
func (x *termIndex) each(q rg.QueryTerm, fn func(t string, p map[string]uint8)) {
	for _, t := range []string{q.Stem, q.Raw} {
		if p := x.postings[t]; p != nil {
			fn(t, p)
		}
	}
	if q.Prefix() {
		for i := sort.SearchStrings(x.terms, q.Raw); i < len(x.terms) && strings.HasPrefix(x.terms[i], q.Raw); i++ {
			fn(x.terms[i], x.postings[x.terms[i]])
		}
	}
}

// Search implements regiongraph.Store: the nodes having a match for every
// query term, ranked from the index (regiongraph.RankIndexed, which ranks
// as regiongraph.RankCandidates does).
func (s *Store) Search(ctx context.Context, q rg.SearchQuery) (res rg.SearchResult, err error) {
	terms, err := q.Validate()
	if err != nil {
		return rg.SearchResult{}, err
	}
	err = s.read(ctx, func(g *graph) error {
		// Each candidate's matches of the terms, term by term: the first
		// term finds the candidates, each later one only updates them.
		// The first term's postings bound the candidates.
		size := 0
		g.index.each(terms[0], func(_ string, p map[string]uint8) { size += len(p) })
		slot := make(map[string]int, size)
		docs := make([]*rg.SearchDoc, 0, size)
		matches := make([]rg.TermMatch, 0, size*len(terms))
		for j, q := range terms {
			g.index.each(q, func(t string, p map[string]uint8) {
				quality := rg.TermMatches(q, t) // the same for every document having t
				for id, place := range p {
					i, ok := slot[id]
					if !ok {
						if j > 0 {
							continue
						}
						i = len(docs)
						slot[id] = i
						docs = append(docs, g.index.docs[id])
						matches = append(matches, make([]rg.TermMatch, len(terms))...)
					}
					matches[i*len(terms)+j].AddQuality(quality, place)
				}
			})
			if len(docs) == 0 {
				break
			}
		}
		// Only those every term matched are candidates (and count
		// against the bound).
		n := 0
	candidates:
		for i, d := range docs {
			ms := matches[i*len(terms) : (i+1)*len(terms)]
			for _, m := range ms {
				if m.Best == 0 {
					continue candidates
				}
			}
			docs[n] = d
			copy(matches[n*len(terms):], ms)
			n++
		}
		docs, matches = docs[:n], matches[:n*len(terms)]
		if len(docs) > rg.MaxSearchCandidates {
			return rg.FieldErrorf("text", "more than %d nodes match; add a word", rg.MaxSearchCandidates)
		}
		// The hits' nodes are the graph's, shared as every read's are
		// (writes replace a node, never change it in place).
		res, err = rg.RankIndexed(docs, matches, q, terms)
		return err
	})
	return res, err
}
