package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

// countingStore counts the calls made to the store it wraps.
type countingStore struct {
	rg.Store
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingStore) inc(m string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[m]++
}

func (c *countingStore) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

func (c *countingStore) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = map[string]int{}
}

func (c *countingStore) Nodes(ctx context.Context, ids []string) ([]*rg.Node, error) {
	c.inc("Nodes")
	return c.Store.Nodes(ctx, ids)
}

func (c *countingStore) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	c.inc("FindNodes")
	return c.Store.FindNodes(ctx, f)
}

func (c *countingStore) Edges(ctx context.Context, f rg.EdgeFilter) ([]*rg.Edge, error) {
	c.inc("Edges")
	return c.Store.Edges(ctx, f)
}

func (c *countingStore) Expand(ctx context.Context, f rg.EdgeFilter) (rg.Expansion, error) {
	c.inc("Expand")
	return c.Store.Expand(ctx, f)
}

func (c *countingStore) Subgraph(ctx context.Context, f rg.SubgraphFilter) (*rg.Subgraph, error) {
	c.inc("Subgraph")
	return c.Store.Subgraph(ctx, f)
}

func (c *countingStore) ShortestPaths(ctx context.Context, from, to string, o rg.PathOptions) ([]rg.Path, error) {
	c.inc("ShortestPaths")
	return c.Store.ShortestPaths(ctx, from, to, o)
}

// bundled returns the bundled dataset's changes, repeated copies times: the
// second and later copies with every id suffixed "-copyN".
func bundled(tb testing.TB, copies int) []rg.Change {
	tb.Helper()
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		tb.Fatalf("bundled dataset: %v", err)
	}
	var out []rg.Change
	for c := 0; c < copies; c++ {
		suffix := ""
		if c > 0 {
			suffix = "-copy" + string(rune('a'+c))
		}
		for _, n := range ds.Nodes {
			m := n.Clone()
			m.ID += suffix
			out = append(out, rg.Change{Op: rg.OpUpsertNode, Node: m})
		}
		for _, e := range ds.Edges {
			f := e.Clone()
			f.ID, f.From, f.To = f.ID+suffix, f.From+suffix, f.To+suffix
			out = append(out, rg.Change{Op: rg.OpUpsertEdge, Edge: f})
		}
	}
	return out
}

func openStore(tb testing.TB, copies int) *countingStore {
	tb.Helper()
	s, err := boltstore.Open(filepath.Join(tb.TempDir(), "test.db"), boltstore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	if _, err := s.Apply(context.Background(), bundled(tb, copies)); err != nil {
		tb.Fatalf("load dataset ×%d: %v", copies, err)
	}
	return &countingStore{Store: s, calls: map[string]int{}}
}

type response struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func post(tb testing.TB, h http.Handler, query string) response {
	tb.Helper()
	return postVars(tb, h, query, nil)
}

func postVars(tb testing.TB, h http.Handler, query string, vars map[string]any) response {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		tb.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return r
}

// nestedQuery lists every municipality with its networks (directly and
// through the regions it is a member of), each network's initiatives and
// each initiative's funders.
const nestedQuery = `{
  municipalities(first: 1000) {
    totalCount
    nodes {
      name
      participatesIn { ... on Network { name coordinates { ... on Initiative { name funders { name } } } } }
      memberOf {
        name
        facilitates { ... on Network { name coordinates { ... on Initiative { name funders { name } } } } }
      }
    }
  }
}`

func TestNoNPlusOne(t *testing.T) {
	counts := map[int]int{}
	sizes := map[int]float64{}
	for _, copies := range []int{1, 2} {
		store := openStore(t, copies)
		// A generous batching window: the test is about how many store
		// calls a query makes, not about how fast goroutines are scheduled.
		// The query's estimated cost (first: 1000 times four nested relation
		// lists) is far over the default limit; this test is not about it.
		h := gqlhttp.NewHandler(store, gqlhttp.Options{LoaderWait: 50 * time.Millisecond, Limits: gqlhttp.Limits{MaxComplexity: math.MaxInt32}})
		store.reset()
		r := post(t, h, nestedQuery)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		counts[copies] = store.total()
		// Everything was read ahead: no dataloader (which calls Edges and
		// Nodes, after waiting) was needed.
		if store.calls["Edges"]+store.calls["Nodes"] > 0 {
			t.Errorf("dataset ×%d: %d Edges and %d Nodes calls; want every relation level read ahead by Expand", copies, store.calls["Edges"], store.calls["Nodes"])
		}
		m := r.Data["municipalities"].(map[string]any)
		sizes[copies] = m["totalCount"].(float64)
		t.Logf("dataset ×%d: %v municipalities, %d store calls %v", copies, m["totalCount"], store.total(), store.calls)
	}
	if sizes[2] != 2*sizes[1] || sizes[1] == 0 {
		t.Fatalf("the doubled dataset has %v municipalities, the bundled one %v", sizes[2], sizes[1])
	}
	if counts[1] != counts[2] {
		t.Errorf("store calls grow with the data: %d for the bundled dataset, %d for twice the rows", counts[1], counts[2])
	}
	// One FindNodes, then one Expand per relation field (seven of them),
	// each for every node of its level at once.
	if counts[1] > 8 {
		t.Errorf("%d store calls for a query with seven relation fields; want at most 8", counts[1])
	}
}

// acceptance are the four questions of the core issue's acceptance test.
var acceptance = map[string]string{
	"CostsPerFocusArea": `{ focusAreas(orderBy: {field: CODE}) { nodes { code initiatives(planYear: 2011) { code amountIn(year: 2011) parent { id } } } } }`,
	"Lettered2014":      `{ initiatives(filter: {planYear: 2014}, orderBy: {field: CODE}, first: 100) { totalCount nodes { code name } } }`,
	"PLOMCoordinates":   `{ search(text: "PLOM", kinds: [NETWORK]) { nodes { ... on Network { id name coordinates { ... on Initiative { id code name planYear parent { code name } } } } } } }`,
	"WhoFundsLUP2011":   `{ initiatives(filter: {text: "LUP 2011", planYear: 2011}) { nodes { name costNok funding { asWritten from { name } } } } }`,
}

func BenchmarkAcceptanceQueries(b *testing.B) {
	store := openStore(b, 1)
	h := gqlhttp.NewHandler(store, gqlhttp.Options{LoaderWait: benchWait})
	for _, name := range []string{"CostsPerFocusArea", "Lettered2014", "PLOMCoordinates", "WhoFundsLUP2011"} {
		q := acceptance[name]
		b.Run(name, func(b *testing.B) {
			if r := post(b, h, q); len(r.Errors) > 0 {
				b.Fatalf("errors: %+v", r.Errors)
			}
			store.reset()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				post(b, h, q)
			}
			b.ReportMetric(float64(store.total())/float64(b.N), "storecalls/op")
		})
	}
}

// benchWait is the batching window the benchmarks use: the handler's default.
var benchWait = time.Duration(0)

// benchQueries are the queries of the load benchmark (bench/): the README's
// three coordinator questions, a four-level relation walk and a search.
var benchQueries = []struct{ name, query string }{
	{"Typename", `{ __typename }`},
	{"WhoFundsLUP", `{ initiatives(filter: {text: "LUP 2011"}) { nodes { name costNok funding { asWritten from { name } source { citation } } } } }`},
	{"PLOMCoordinates", `{ search(text: "plom", kinds: [NETWORK]) { nodes { ... on Network { name coordinates { ... on Initiative { code name costNok parent { name } } } } } } }`},
	{"FocusAreas2011", `{ focusAreas(orderBy: {field: CODE}) { nodes { code name initiatives(planYear: 2011) { code name amountIn(year: 2011) funders { name } } } } }`},
	{"Nested4Levels", `{ municipalities { nodes { name memberOf { name facilitates { ... on Network { name coordinates { ... on Initiative { name funders { name } } } } } } } } }`},
	{"Search", `{ search(text: "kongsberg") { totalCount nodes { __typename ... on Node { id name } } } }`},
}

// BenchmarkResolverPath runs the load benchmark's queries through the
// handler in process (no network), reporting allocations and store calls
// per query.
func BenchmarkResolverPath(b *testing.B) {
	store := openStore(b, 1)
	h := gqlhttp.NewHandler(store, gqlhttp.Options{Limits: gqlhttp.Limits{MaxComplexity: math.MaxInt32}})
	for _, q := range benchQueries {
		b.Run(q.name, func(b *testing.B) {
			if r := post(b, h, q.query); len(r.Errors) > 0 {
				b.Fatalf("errors: %+v", r.Errors)
			}
			store.reset()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				post(b, h, q.query)
			}
			// CPU time, unlike ns/op, does not grow when other processes
			// keep the machine busy.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
			b.ReportMetric(float64(store.total())/float64(b.N), "storecalls/op")
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
