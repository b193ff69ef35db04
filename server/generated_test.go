package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/storetest"
)

// generatedStore is an embedded store holding a synthetic graph of
// partners (actors) and initiatives: every initiative has two or three
// participants, so the actor graph links the partners that share one, and
// the partners form a chain of PARTNER_OF besides, so the actor graph is
// connected. Seeded, so every run has the same graph.
func generatedStore(t testing.TB, partners, initiatives int) *boltstore.Store {
	t.Helper()
	var g storetest.Graph
	addGenerated(&g, rand.New(rand.NewPCG(12, 2026)), partners, initiatives)
	return loadGenerated(t, "generated.db", g)
}

// addGenerated adds generatedStore's partners and initiatives to g,
// drawing from rnd.
func addGenerated(g *storetest.Graph, rnd *rand.Rand, partners, initiatives int) {
	for i := range partners {
		g.Nodes = append(g.Nodes, storetest.Partner(partnerID(i)))
		if i > 0 {
			g.Edges = append(g.Edges, storetest.PartnerOf(fmt.Sprintf("chain-%05d", i), partnerID(i-1), partnerID(i)))
		}
	}
	for i := range initiatives {
		id := fmt.Sprintf("tiltak-%05d", i)
		g.Nodes = append(g.Nodes, storetest.N(id, rg.KindInitiative, "Tiltak "+id))
		seen := map[int]bool{}
		for k := range 2 + rnd.IntN(2) {
			p := rnd.IntN(partners)
			if seen[p] {
				continue
			}
			seen[p] = true
			g.Edges = append(g.Edges, storetest.E(fmt.Sprintf("%s-p%d", id, k), rg.RelParticipatesIn, partnerID(p), id))
		}
	}
}

func partnerID(i int) string { return fmt.Sprintf("partner-%05d", i) }

// loadGenerated opens an embedded store in the named file of a temporary
// folder and applies g to it, nodes first, then relations, in batches the
// store accepts.
func loadGenerated(t testing.TB, file string, g storetest.Graph) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), file), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	changes := g.Changes()
	for len(changes) > 0 {
		n := min(len(changes), rg.MaxChanges)
		if _, err := s.Apply(context.Background(), changes[:n]); err != nil {
			t.Fatalf("load the generated graph: %v", err)
		}
		changes = changes[n:]
	}
	return s
}
