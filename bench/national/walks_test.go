package national

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
)

// The store's walks from node to node, without the GraphQL layer (issue
// 14: what the adjacency lists cost), and the heap a loaded store holds
// per relation:
//
//	go test ./bench/national/ -run '^$' -bench 'NationalWalks|NationalOpen' -national.scales 0.1 -benchmem
//
// cpu-ms/op is the process CPU time per walk, as in the serving rows.

func BenchmarkNationalWalks(b *testing.B) {
	ctx := context.Background()
	for _, scale := range scales(b) {
		b.Run(fmt.Sprintf("scale=%g", scale), func(b *testing.B) {
			f := fixtureFor(b, scale)
			nb := func(root string, first int) func(*rand.Rand) (int, error) {
				return func(*rand.Rand) (int, error) {
					sg, err := f.store.Subgraph(ctx, rg.SubgraphFilter{Roots: []string{root}, Depth: 2, MaxNodes: first})
					if err != nil {
						return 0, err
					}
					return len(sg.Edges), nil
				}
			}
			rows := []struct {
				name string
				walk func(*rand.Rand) (int, error)
			}{
				{"subgraph-d2-median-first200", nb(f.g.Median, 200)},
				{"subgraph-d2-hub-first200", nb(f.g.Hub, 200)},
				{"subgraph-d2-median-first1000", nb(f.g.Median, 1000)},
				{"shortestPaths-muni-muni-maxHops4", func(r *rand.Rand) (int, error) {
					ms := f.g.Municipalities
					a := r.IntN(len(ms))
					c := (a + 1 + r.IntN(len(ms)-1)) % len(ms)
					ps, err := f.store.ShortestPaths(ctx, ms[a], ms[c], rg.PathOptions{MaxHops: 4, First: 10})
					return len(ps), err
				}},
			}
			for _, row := range rows {
				b.Run(row.name, func(b *testing.B) {
					r := rand.New(rand.NewPCG(7, 7))
					if n, err := row.walk(r); err != nil || n == 0 {
						b.Fatalf("%d relations or paths, %v", n, err)
					}
					b.ReportAllocs()
					start := cpuTime()
					b.ResetTimer()
					for range b.N {
						if _, err := row.walk(r); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
				})
			}
		})
	}
}

// BenchmarkNationalOpen opens a copy of the loaded store's file and
// reports the heap the open store holds (after a collection) per relation,
// heap-B/rel, nodes, search index and all.
func BenchmarkNationalOpen(b *testing.B) {
	for _, scale := range scales(b) {
		b.Run(fmt.Sprintf("scale=%g", scale), func(b *testing.B) {
			f := fixtureFor(b, scale)
			src, err := os.ReadFile(f.path)
			if err != nil {
				b.Fatal(err)
			}
			path := filepath.Join(b.TempDir(), "copy.db")
			if err := os.WriteFile(path, src, 0o600); err != nil {
				b.Fatal(err)
			}
			src = nil
			var heap, cpu float64
			for range b.N {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				before := ms.HeapAlloc
				start := cpuTime()
				s, err := boltstore.Open(path, boltstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
				if err != nil {
					b.Fatal(err)
				}
				cpu += float64((cpuTime() - start).Microseconds()) / 1000
				runtime.GC()
				runtime.ReadMemStats(&ms)
				heap += float64(ms.HeapAlloc) - float64(before)
				runtime.KeepAlive(s)
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(heap/float64(b.N)/float64(len(f.g.Edges)), "heap-B/rel")
			b.ReportMetric(cpu/float64(b.N), "cpu-ms/op")
		})
	}
}
