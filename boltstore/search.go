package boltstore

import (
	"context"
	"slices"
	"sort"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// termIndex is the in-memory inverted index full-text search finds
// candidates in: each term (regiongraph.SearchTokens) to the nodes that
// have it, and the terms sorted, for prefix lookups by binary search. It is
// rebuilt from the nodes when the store opens and kept current by putNode
// and deleteNode, under the graph's lock.
type termIndex struct {
	postings map[string]map[string]bool
	terms    []string            // sorted keys of postings
	byNode   map[string][]string // node id -> its terms
	docs     map[string]*rg.SearchDoc
}

func newTermIndex() *termIndex {
	return &termIndex{postings: map[string]map[string]bool{}, byNode: map[string][]string{}, docs: map[string]*rg.SearchDoc{}}
}

// put indexes node n, whose rg.AnalyseForSearch is d and d.Tokens() ts.
func (x *termIndex) put(n *rg.Node, d *rg.SearchDoc, ts []string) {
	x.remove(n.ID)
	x.byNode[n.ID] = ts
	x.docs[n.ID] = d
	for _, t := range ts {
		p := x.postings[t]
		if p == nil {
			p = map[string]bool{}
			x.postings[t] = p
			x.terms = insertSorted(x.terms, t)
		}
		p[n.ID] = true
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

// matching returns the ids of the nodes with a term that q matches
// (regiongraph.TermMatches): its stem or raw form, or, when q.Prefix, any
// term its raw form starts.
func (x *termIndex) matching(q rg.QueryTerm) map[string]bool {
	out := map[string]bool{}
	for _, t := range []string{q.Stem, q.Raw} {
		for id := range x.postings[t] {
			out[id] = true
		}
	}
	if q.Prefix() {
		for i := sort.SearchStrings(x.terms, q.Raw); i < len(x.terms) && strings.HasPrefix(x.terms[i], q.Raw); i++ {
			for id := range x.postings[x.terms[i]] {
				out[id] = true
			}
		}
	}
	return out
}

// Search implements regiongraph.Store: the nodes having a match for every
// query term, ranked by regiongraph.RankCandidates.
func (s *Store) Search(ctx context.Context, q rg.SearchQuery) (res rg.SearchResult, err error) {
	terms, err := q.Validate()
	if err != nil {
		return rg.SearchResult{}, err
	}
	err = s.read(ctx, func(g *graph) error {
		var ids map[string]bool
		for _, t := range terms {
			m := g.index.matching(t)
			if ids == nil {
				ids = m
			} else {
				for id := range ids {
					if !m[id] {
						delete(ids, id)
					}
				}
			}
			if len(ids) == 0 {
				break
			}
		}
		docs := make([]*rg.SearchDoc, 0, len(ids))
		for id := range ids {
			docs = append(docs, g.index.docs[id])
		}
		// The hits' nodes are the graph's, shared as every read's are
		// (writes replace a node, never change it in place).
		res, err = rg.RankMatchingDocs(docs, q, terms)
		return err
	})
	return res, err
}
