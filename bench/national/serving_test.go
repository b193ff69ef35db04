package national

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The serving rows of issue 14's table, with the queries of
// ../shared/bench/national/loadtest.py, through the GraphQL handler in
// process:
//
//	go test ./bench/national/ -run '^$' -bench NationalServing -national.scales 0.01,0.1,1
//
// Each row reports, besides the mean wall time (ns/op), the 50th and 99th
// percentiles of the wall time (p50-ms, p99-ms) and the process CPU time
// per request (cpu-ms/op), which does not grow when the machine is shared
// (with -national.store neo4j or both, the Neo4j server's too:
// neo4j-cpu-ms/op).
// The store is warm (a request has run before); the graph does not change.

// The serving queries of loadtest.py.
const (
	qNode = `query NodeById($id: ID!) { node(id: $id) { id kind name
  ... on Initiative { code planYear costNok }
  relations { id kind fromYear toYear from { id name } to { id name } source { citation } } } }`
	qNodePage = `query NodePage($id: ID!) { node(id: $id) { id kind name
  relationsConnection(first: 100) { totalCount nodes { id kind fromYear toYear from { id name } to { id name } source { citation } } } } }`
	qNb = `query Nb($id: ID!, $first: Int) { neighbourhood(id: $id, depth: 2, first: $first) {
  truncated nodes { id kind name } relations { id kind fromId toId } } }`
	qPaths = `query Paths($a: ID!, $b: ID!) { paths(from: $a, to: $b, maxHops: 4, first: 10) {
  hops steps { from { id name } relation { kind } to { id name } source { citation } } } }`
	qSearch = `query Search($t: String!) { search(text: $t, first: 20) { totalCount nodes { id kind name } } }`
	qList   = `query List($f: InitiativeFilter) { initiatives(first: 100, filter: $f) {
  totalCount pageInfo { endCursor hasNextPage } nodes { id code name planYear costNok } } }`
)

// prefixes are loadtest.py's search prefixes.
var prefixes = []string{"bred", "nær", "reis", "komp", "klim", "folk", "samf", "digi", "inno", "omst", "stat",
	"innov", "fylk", "oslo", "tro", "kongs", "hå", "ør", "ås", "sand"}

type servingRow struct {
	name string
	q    string
	vars func(f *fixture, r *rand.Rand) map[string]any
}

func servingRows() []servingRow {
	id := func(pick func(g *Graph) string) func(*fixture, *rand.Rand) map[string]any {
		return func(f *fixture, _ *rand.Rand) map[string]any { return map[string]any{"id": pick(f.g)} }
	}
	nb := func(pick func(g *Graph) string, first int) func(*fixture, *rand.Rand) map[string]any {
		return func(f *fixture, _ *rand.Rand) map[string]any { return map[string]any{"id": pick(f.g), "first": first} }
	}
	median := func(g *Graph) string { return g.Median }
	hub := func(g *Graph) string { return g.Hub }
	return []servingRow{
		{"node-median+relations", qNode, id(median)},
		{"node-initiative+relations", qNode, func(f *fixture, r *rand.Rand) map[string]any {
			return map[string]any{"id": f.g.Initiatives[r.IntN(len(f.g.Initiatives))]}
		}},
		{"node-hub+relationsConnection-first100", qNodePage, id(hub)},
		{"neighbourhood-d2-median-first200", qNb, nb(median, 200)},
		{"neighbourhood-d2-hub-first200", qNb, nb(hub, 200)},
		{"neighbourhood-d2-median-first1000", qNb, nb(median, 1000)},
		{"neighbourhood-d2-hub-first1000", qNb, nb(hub, 1000)},
		{"paths-muni-muni-maxHops4", qPaths, func(f *fixture, r *rand.Rand) map[string]any {
			ms := f.g.Municipalities
			a := r.IntN(len(ms))
			b := (a + 1 + r.IntN(len(ms)-1)) % len(ms)
			return map[string]any{"a": ms[a], "b": ms[b]}
		}},
		{"search-prefix", qSearch, func(f *fixture, r *rand.Rand) map[string]any {
			return map[string]any{"t": prefixes[r.IntN(len(prefixes))]}
		}},
		{"initiatives-first100-filter", qList, func(f *fixture, r *rand.Rand) map[string]any {
			y := Years[r.IntN(len(Years))]
			switch r.IntN(3) {
			case 0:
				return map[string]any{"f": map[string]any{"planYear": y, "focusArea": fmt.Sprintf("satsingsomrade-%d", 1+r.IntN(5))}}
			case 1:
				return map[string]any{"f": map[string]any{"text": prefixes[r.IntN(len(prefixes))], "planYear": y}}
			}
			return map[string]any{"f": map[string]any{"coordinatedBy": f.g.Regions[r.IntN(len(f.g.Regions))]}}
		}},
	}
}

func BenchmarkNationalServing(b *testing.B) {
	for _, store := range stores(b) {
		for _, scale := range scales(b) {
			b.Run(fmt.Sprintf("store=%s/scale=%g", store, scale), func(b *testing.B) {
				f := storeFixture(b, store, scale)
				for _, row := range servingRows() {
					b.Run(row.name, func(b *testing.B) {
						r := rand.New(rand.NewPCG(7, 7))
						f.query(b, row.q, row.vars(f, r))
						lat := make([]time.Duration, 0, b.N)
						start := f.usage()
						b.ResetTimer()
						for range b.N {
							vars := row.vars(f, r)
							t0 := time.Now()
							f.query(b, row.q, vars)
							lat = append(lat, time.Since(t0))
						}
						b.StopTimer()
						f.report(b, f.usage().since(start))
						slices.Sort(lat)
						pct := func(p float64) float64 {
							i := min(len(lat)-1, int(p*float64(len(lat))))
							return float64(lat[i].Microseconds()) / 1000
						}
						b.ReportMetric(pct(0.5), "p50-ms")
						b.ReportMetric(pct(0.99), "p99-ms")
					})
				}
			})
		}
	}
}
