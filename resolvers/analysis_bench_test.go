package resolvers_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

// analysisQueries are the benchmarked analysis queries, one per query
// field, asking for every metric and list they offer.
var analysisQueries = map[string]string{
	"neighbourhood":  `{ neighbourhood(id: "kongsbergregionen", depth: 2, first: 1000) { nodes { id } relations { id kind } truncated } }`,
	"paths":          `{ paths(from: "kommune-tinn", to: "partner-statens-vegvesen", maxHops: 4, first: 10) { hops steps { relation { kind } source { citation } } } }`,
	"centrality":     `{ centrality(orderBy: BETWEENNESS, first: 50) { actorCount scores { actor { id } degree weightedDegree betweenness betweennessNormalized closeness pageRank } } }`,
	"centralityPR":   `{ centrality(orderBy: PAGERANK, first: 50) { actorCount scores { actor { id } pageRank } } }`,
	"brokers":        `{ brokers(between: [{kinds: [MUNICIPALITY], county: "Telemark"}, {ids: ["partner-buskerud-fylkeskommune"]}], first: 20) { pairs brokers { actor { id } crossBetweenness constraint effectiveSize } } }`,
	"communities":    `{ communities(resolution: 1.0, first: 50) { modularity totalCount communities { id size } } }`,
	"fundingSummary": `{ fundingSummary(groupBy: [FUND, FOCUS_AREA], year: 2011) { totalNok buckets { totalNok initiatives { initiative { id } amountNok shared } } } }`,
	"fundingFlows":   `{ fundingFlows(stages: [FUNDER, FUND, FOCUS_AREA], year: 2011) { totalNok nodes { id valueNok } links { source target valueNok } } }`,
	"lobbyingBrief":  `{ lobbyingBrief(topic: "sak-e134") { title initiatives { initiative { id } } paths { path { hops } } brokers { actor { id } } sources { citation } } }`,
}

// replicatedHandler loads copies joined copies of the dataset into a new
// embedded store, in batches of at most rg.MaxChanges.
func replicatedHandler(b *testing.B, copies int) http.Handler {
	b.Helper()
	s, err := boltstore.Open(filepath.Join(b.TempDir(), "bench.db"), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	f, err := analysistest.Replicated(copies)
	if err != nil {
		b.Fatal(err)
	}
	var nodes, edges []rg.Change
	for _, c := range f.Changes() {
		if c.Node != nil {
			nodes = append(nodes, c)
		} else {
			edges = append(edges, c)
		}
	}
	for _, batch := range [][]rg.Change{nodes, edges} {
		for len(batch) > 0 {
			n := min(len(batch), rg.MaxChanges)
			if _, err := s.Apply(context.Background(), batch[:n]); err != nil {
				b.Fatal(err)
			}
			batch = batch[n:]
		}
	}
	return gqlhttp.NewHandler(s, gqlhttp.Options{Logger: slog.New(slog.DiscardHandler)})
}

// BenchmarkAnalysisQueries runs each analysis query through GraphQL over
// the embedded store, on the bundled dataset (x1) and on 100 joined
// copies (x100).
func BenchmarkAnalysisQueries(b *testing.B) {
	for _, copies := range []int{1, 100} {
		b.Run(fmt.Sprintf("x%d", copies), func(b *testing.B) {
			h := replicatedHandler(b, copies)
			for _, name := range []string{"neighbourhood", "paths", "centrality", "centralityPR", "brokers", "communities", "fundingSummary", "fundingFlows", "lobbyingBrief"} {
				q := analysisQueries[name]
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if r := post(b, h, q); len(r.Errors) > 0 {
							b.Fatalf("%s: %v", name, r.Errors)
						}
					}
				})
			}
		})
	}
}
