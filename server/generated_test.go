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
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "generated.db"), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	rnd := rand.New(rand.NewPCG(12, 2026))
	var g storetest.Graph
	pid := func(i int) string { return fmt.Sprintf("partner-%05d", i) }
	for i := range partners {
		g.Nodes = append(g.Nodes, storetest.Partner(pid(i)))
		if i > 0 {
			g.Edges = append(g.Edges, storetest.PartnerOf(fmt.Sprintf("chain-%05d", i), pid(i-1), pid(i)))
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
			g.Edges = append(g.Edges, storetest.E(fmt.Sprintf("%s-p%d", id, k), rg.RelParticipatesIn, pid(p), id))
		}
	}
	// Nodes first, then relations, in batches the store accepts.
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
