package analysis_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
)

// Benchmarks run every analysis on the bundled dataset (x1) and on 100
// copies of it joined into one graph (x100), from a subgraph in memory:
// the cost of the analysis itself, without a store.

var (
	benchMu     sync.Mutex
	benchGraphs = map[int]*rg.Subgraph{}
)

func benchGraph(b *testing.B, copies int) *rg.Subgraph {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if sg, ok := benchGraphs[copies]; ok {
		return sg
	}
	f, err := analysistest.Replicated(copies)
	if err != nil {
		b.Fatal(err)
	}
	sg := f.Subgraph()
	benchGraphs[copies] = sg
	return sg
}

func benchSizes(b *testing.B, f func(b *testing.B, sg *rg.Subgraph)) {
	for _, copies := range []int{1, 100} {
		b.Run(fmt.Sprintf("x%d", copies), func(b *testing.B) {
			sg := benchGraph(b, copies)
			b.ReportAllocs()
			b.ResetTimer()
			f(b, sg)
		})
	}
}

func project(b *testing.B, sg *rg.Subgraph) *analysis.ActorGraph {
	ag, err := analysis.Project(context.Background(), sg, nil)
	if err != nil {
		b.Fatal(err)
	}
	return ag
}

func BenchmarkProject(b *testing.B) {
	benchSizes(b, func(b *testing.B, sg *rg.Subgraph) {
		for b.Loop() {
			project(b, sg)
		}
	})
}

func BenchmarkCentrality(b *testing.B) {
	for _, m := range []analysis.Metric{analysis.Degree, analysis.Betweenness, analysis.Closeness, analysis.PageRank} {
		b.Run(string(m), func(b *testing.B) {
			benchSizes(b, func(b *testing.B, sg *rg.Subgraph) {
				ag := project(b, sg)
				b.ResetTimer()
				for b.Loop() {
					if _, err := analysis.Centrality(context.Background(), ag, m); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func BenchmarkBrokers(b *testing.B) {
	benchSizes(b, func(b *testing.B, sg *rg.Subgraph) {
		ag := project(b, sg)
		ga, err := analysis.Group{Kinds: []rg.Kind{rg.KindMunicipality}, County: "Telemark"}.Resolve(ag, "a")
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			if _, err := analysis.Brokers(context.Background(), ag, ga, []string{"partner-buskerud-fylkeskommune"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCommunities(b *testing.B) {
	benchSizes(b, func(b *testing.B, sg *rg.Subgraph) {
		ag := project(b, sg)
		b.ResetTimer()
		for b.Loop() {
			if _, err := analysis.Communities(context.Background(), ag, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFundingSummary(b *testing.B) {
	y := 2011
	benchSizes(b, func(b *testing.B, sg *rg.Subgraph) {
		for b.Loop() {
			if _, err := analysis.FundingSummary(context.Background(), sg, []analysis.FundingGroup{analysis.GroupFund, analysis.GroupFocusArea}, &y, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFundingFlows(b *testing.B) {
	y := 2011
	benchSizes(b, func(b *testing.B, sg *rg.Subgraph) {
		for b.Loop() {
			if _, err := analysis.FundingFlows(context.Background(), sg, []analysis.FundingGroup{analysis.GroupFunder, analysis.GroupFund, analysis.GroupFocusArea}, &y, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkBrief(b *testing.B) {
	benchSizes(b, func(b *testing.B, sg *rg.Subgraph) {
		for b.Loop() {
			if _, err := analysis.BuildBrief(context.Background(), sg, analysis.Subject{Topic: "sak-e134"}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
