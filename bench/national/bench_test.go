package national

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

// The national benchmarks load the generated graph at each scale into the
// embedded store and run the analysis rows of issue 14's table through the
// GraphQL handler, in process (no network), with the queries of
// ../shared/bench/national/loadtest.py:
//
//	go test ./bench/national/ -run '^$' -bench National -benchtime 3x -timeout 60m
//	go test ./bench/national/ -run '^$' -bench National -national.scales 0.01,0.1
//
// Each row runs after each kind of change in changes (cold: everything
// read from the store again; then what the cache keeps or patches across a
// relation edit, an actor's rename and an initiative's cost) and warm (the
// graph and the answer cached for the store's version). Besides the wall time per request (ns/op) each
// reports the process CPU time per request (cpu-ms/op), which does not grow
// when the machine is shared, and the load average (load1). -national.dir
// keeps the stores between runs. -national.store neo4j (or both) runs the
// same rows on Neo4j, adding its server's CPU per request (neo4j-cpu-ms/op;
// see neo4j_test.go).

var (
	scalesFlag = flag.String("national.scales", "0.01,0.1,1", "comma-separated scales of the national graph to benchmark")
	dirFlag    = flag.String("national.dir", "", "directory to keep the loaded stores in between runs (default: a temporary one, removed)")
	seedFlag   = flag.Uint64("national.seed", 1, "generator seed")
)

type fixture struct {
	kind    string // storeBolt or storeNeo4j
	g       *Graph
	store   rg.Store // what the benchmark's changes are applied to
	bolt    *boltstore.Store
	h       http.Handler
	closers []func() error
	pid     int // the Neo4j server's process, 0 when unknown or embedded
	bumps   int
	load    time.Duration
	loadCPU time.Duration
	// loadNeoCPU is the Neo4j server's CPU for the load.
	loadNeoCPU time.Duration
	bytes      int64
	path       string // the embedded store's file
}

func (f *fixture) close() {
	for i := len(f.closers) - 1; i >= 0; i-- {
		_ = f.closers[i]()
	}
	f.closers = nil
}

type fixtureKey struct {
	store string
	scale float64
}

var (
	fixMu    sync.Mutex
	fixtures = map[fixtureKey]*fixture{}
	tmpDir   string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	fixMu.Lock()
	for _, f := range fixtures {
		f.close()
	}
	// The JVM a benchmark started ends with the process: stopped here,
	// and killed by the kernel (neo4jlocal's Pdeathsig) if the process
	// ends otherwise.
	if err := stopNeo4j(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	fixMu.Unlock()
	if tmpDir != "" {
		_ = os.RemoveAll(tmpDir)
	}
	os.Exit(code)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// usage is the CPU used so far by this process and by the Neo4j server.
type usage struct{ own, neo time.Duration }

func (f *fixture) usage() usage {
	return usage{own: cpuTime(), neo: procCPU(f.pid)}
}

func (u usage) since(start usage) usage { return usage{u.own - start.own, u.neo - start.neo} }

func (u usage) add(v usage) usage { return usage{u.own + v.own, u.neo + v.neo} }

// report reports the CPU per request of this process (cpu-ms/op) and of
// the Neo4j server (neo4j-cpu-ms/op, where its process is known), and
// the 1-minute load average at the end of the row (load1).
func (f *fixture) report(b *testing.B, u usage) {
	b.ReportMetric(float64(u.own.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	if f.pid != 0 {
		b.ReportMetric(float64(u.neo.Microseconds())/1000/float64(b.N), "neo4j-cpu-ms/op")
	}
	b.ReportMetric(load1(), "load1")
}

// benchLimits are the handler's limits: the defaults, with the exec
// timeout raised so that a slow cold request on a loaded machine is
// measured rather than refused.
func benchLimits() gqlhttp.Limits {
	lim := gqlhttp.DefaultLimits
	lim.ExecTimeout = 10 * time.Minute
	return lim
}

// fixtureFor is the embedded store's fixture at scale.
func fixtureFor(b *testing.B, scale float64) *fixture { return storeFixture(b, storeBolt, scale) }

// storeFixture generates and loads the graph at scale into store once per
// process (or reuses the store kept in -national.dir).
func storeFixture(b *testing.B, store string, scale float64) *fixture {
	b.Helper()
	fixMu.Lock()
	defer fixMu.Unlock()
	key := fixtureKey{store, scale}
	if f, ok := fixtures[key]; ok {
		return f
	}
	dir := *dirFlag
	if dir == "" {
		if tmpDir == "" {
			d, err := os.MkdirTemp("", "regiongraph-national-")
			if err != nil {
				b.Fatal(err)
			}
			tmpDir = d
		}
		dir = tmpDir
	}
	g := Generate(scale, *seedFlag)
	var f *fixture
	if store == storeNeo4j {
		f = neo4jFixture(b, scale, g, dir)
	} else {
		f = boltFixture(b, scale, g, dir)
	}
	fixtures[key] = f
	return f
}

func boltFixture(b *testing.B, scale float64, g *Graph, dir string) *fixture {
	path := filepath.Join(dir, fmt.Sprintf("national-%g-%d.db", scale, *seedFlag))
	s, err := boltstore.Open(path, boltstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	f := &fixture{kind: storeBolt, g: g, store: s, bolt: s, path: path, closers: []func() error{s.Close},
		h: gqlhttp.NewHandler(s, gqlhttp.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: benchLimits()})}
	v, err := s.GraphVersion(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if v.Nodes < len(g.Nodes) || v.Relations < len(g.Edges) {
		start, startCPU := time.Now(), cpuTime()
		for _, batch := range g.Changes() {
			if _, err := s.Apply(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
		}
		f.load, f.loadCPU = time.Since(start), cpuTime()-startCPU
	}
	if fi, err := os.Stat(path); err == nil {
		f.bytes = fi.Size()
	}
	b.Logf("scale %g: %d nodes, %d relations; loaded in %v (CPU %v) in batches of %d; file %.1f MB (%.0f bytes per relation)",
		scale, len(g.Nodes), len(g.Edges), f.load.Round(time.Millisecond), f.loadCPU.Round(time.Millisecond), rg.MaxChanges,
		float64(f.bytes)/1e6, float64(f.bytes)/float64(len(g.Edges)))
	return f
}

// A change before a request, and what the cache can keep of it.
type change struct {
	name string
	do   func(f *fixture, b *testing.B)
}

var changes = []change{
	// More changes than the cache follows through the history: every
	// graph is read from the store again, as after a restart.
	{"cold", func(f *fixture, b *testing.B) { f.rename(b, rg.KindInitiative, 1001) }},
	// A relation between two actors: the actor graph is read again, the
	// funding graph kept.
	{"after-relation-edit", func(f *fixture, b *testing.B) { f.relate(b) }},
	// An actor renamed: the actor graph's numbers are kept and its actors
	// patched; the funding graph patched.
	{"after-actor-rename", func(f *fixture, b *testing.B) { f.rename(b, rg.KindPartner, 1) }},
	// An initiative's cost: the actor graph kept, the funding graph
	// patched.
	{"after-initiative-edit", func(f *fixture, b *testing.B) { f.cost(b) }},
}

func (f *fixture) apply(b *testing.B, cs []rg.Change) {
	if _, err := f.store.Apply(context.Background(), cs); err != nil {
		b.Fatal(err)
	}
}

// rename renames the first n nodes of kind.
func (f *fixture) rename(b *testing.B, kind rg.Kind, n int) {
	f.bumps++
	var cs []rg.Change
	for _, x := range f.g.Nodes {
		if x.Kind == kind && len(cs) < n {
			c := x.Clone()
			c.Name = fmt.Sprintf("%s (%d)", c.Name, f.bumps)
			cs = append(cs, rg.Change{Op: rg.OpUpsertNode, Node: c})
		}
	}
	f.apply(b, cs)
}

// cost changes an initiative's cost.
func (f *fixture) cost(b *testing.B) {
	f.bumps++
	for _, x := range f.g.Nodes {
		if x.Kind == rg.KindInitiative && x.CostNok != nil {
			c := x.Clone()
			*c.CostNok += int64(f.bumps)
			c.CostText = spaced(*c.CostNok)
			f.apply(b, []rg.Change{{Op: rg.OpUpsertNode, Node: c}})
			return
		}
	}
}

// relate adds a PARTNER_OF between two partners.
func (f *fixture) relate(b *testing.B) {
	f.bumps++
	a, c := f.g.Partners[f.bumps%len(f.g.Partners)], f.g.Partners[(f.bumps*7+3)%len(f.g.Partners)]
	if a == c {
		c = f.g.Partners[(f.bumps+1)%len(f.g.Partners)]
	}
	f.apply(b, []rg.Change{{Op: rg.OpCreateEdge, Edge: &rg.Edge{ID: fmt.Sprintf("bench-partnership-%d-%d", time.Now().UnixNano(), f.bumps), Kind: rg.RelPartnerOf, From: a, To: c,
		Source: rg.Source{Outside: true, Reference: "benchmark"}}}})
}

func (f *fixture) query(b *testing.B, q string, vars map[string]any) {
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	var resp struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != http.StatusOK || len(resp.Errors) > 0 {
		b.Fatalf("status %d: %.500s", rec.Code, rec.Body.String())
	}
}

// The queries of loadtest.py.
const (
	qFund    = `query Fund($y: Int) { fundingSummary(groupBy: [FUND, FOCUS_AREA], year: $y, first: 100) { totalNok count totalBuckets buckets { totalNok count keys { id label } } } }`
	qComm    = `query Comm($y: Int) { communities(year: $y, first: 50) { modularity totalCount communities { id size internalWeight } } }`
	qBrokers = `query Brokers($county: String!, $b: [ID!]!, $y: Int) { brokers(between: [{kinds: [MUNICIPALITY], county: $county}, {ids: $b}], year: $y, first: 20) {
  pairs connectedPairs totalCount brokers { actor { id name } crossBetweenness share constraint effectiveSize } } }`
	qCentrality = `query C($y: Int) { centrality(orderBy: %s, year: $y, first: 50) { actorCount linkCount totalCount scores { actor { id } %s } } }`
)

type row struct {
	name string
	q    string
	vars func(f *fixture, year *int) map[string]any
}

func rows() []row {
	yearVar := func(_ *fixture, y *int) map[string]any { return map[string]any{"y": y} }
	rs := []row{}
	for _, m := range []struct{ metric, field string }{{"DEGREE", "degree weightedDegree"}, {"PAGERANK", "pageRank"}, {"BETWEENNESS", "betweenness"}, {"CLOSENESS", "closeness"}} {
		rs = append(rs, row{"centrality-" + m.metric, fmt.Sprintf(qCentrality, m.metric, m.field), yearVar})
	}
	rs = append(rs,
		row{"communities", qComm, yearVar},
		row{"brokers-county-x-SVV", qBrokers, func(f *fixture, y *int) map[string]any {
			return map[string]any{"county": "Viken", "b": []string{f.g.RoadAuthority}, "y": y}
		}},
		row{"fundingSummary", qFund, yearVar},
	)
	return rs
}

func scales(b *testing.B) []float64 {
	var out []float64
	for _, s := range strings.Split(*scalesFlag, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			b.Fatalf("-national.scales: %v", err)
		}
		out = append(out, v)
	}
	return out
}

func BenchmarkNational(b *testing.B) {
	year := 2015
	for _, store := range stores(b) {
		for _, scale := range scales(b) {
			b.Run(fmt.Sprintf("store=%s/scale=%g", store, scale), func(b *testing.B) {
				f := storeFixture(b, store, scale)
				for _, r := range rows() {
					for _, y := range []*int{nil, &year} {
						yname := "all-years"
						if y != nil {
							yname = "year"
						}
						vars := r.vars(f, y)
						for _, ch := range changes {
							b.Run(r.name+"/"+yname+"/"+ch.name, func(b *testing.B) {
								f.query(b, r.q, vars)
								var used usage
								for range b.N {
									b.StopTimer()
									ch.do(f, b)
									start := f.usage()
									b.StartTimer()
									f.query(b, r.q, vars)
									b.StopTimer()
									used = used.add(f.usage().since(start))
									b.StartTimer()
								}
								f.report(b, used)
							})
						}
						b.Run(r.name+"/"+yname+"/warm", func(b *testing.B) {
							f.query(b, r.q, vars)
							start := f.usage()
							b.ResetTimer()
							for range b.N {
								f.query(b, r.q, vars)
							}
							b.StopTimer()
							f.report(b, f.usage().since(start))
						})
					}
				}
			})
		}
	}
}
