package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/server"
	"github.com/regiongraph/regiongraph/sheet"
	"github.com/regiongraph/regiongraph/storetest"
)

// heavyStore is generatedStore's graph (partners in a chain, initiatives
// with two or three participants) with programmes besides: a few
// initiatives with hundreds of participants each, which join every pair of
// them in the actor graph. The store stays small and quick to load (about
// 12 000 nodes, more than export.MaxNodes), while the actor graph has
// hundreds of thousands of links, so that every analysis on it takes
// seconds of CPU. Seeded.
func heavyStore(t testing.TB, partners, initiatives, programmes, size int) *boltstore.Store {
	t.Helper()
	rnd := rand.New(rand.NewPCG(17, 2026))
	var g storetest.Graph
	// The plan every node and relation cites (storetest.TestSource), so
	// that the graph is one the spreadsheet import accepts.
	g.Nodes = append(g.Nodes, storetest.N(storetest.TestSource.Plan, rg.KindPlan, "Testplan"))
	addGenerated(&g, rnd, partners, initiatives)
	for i := range programmes {
		id := fmt.Sprintf("program-%03d", i)
		g.Nodes = append(g.Nodes, storetest.N(id, rg.KindInitiative, "Program "+id))
		for k, p := range rnd.Perm(partners)[:size] {
			g.Edges = append(g.Edges, storetest.E(fmt.Sprintf("%s-p%04d", id, k), rg.RelParticipatesIn, partnerID(p), id))
		}
	}
	return loadGenerated(t, "heavy.db", g)
}

// cpuTime is the CPU time (user and system) this process has used: the
// server under test runs in it.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuStops compares the CPU this process used in the window before (measured
// by the caller, over beforeWindow) with the second from now, just after
// the answer or the client's going: the work must have stopped, the second
// after using well under a quarter of the rate of the window before. The
// windows are compared, nothing is a time budget.
func cpuStops(t *testing.T, what string, before, beforeWindow time.Duration) {
	t.Helper()
	// The collector's cycle over the garbage the work left (hundreds of
	// megabytes here) runs on idle processors and would be counted in the
	// second after: finish it first, so that the second measures the
	// work, not the runtime freeing its memory.
	runtime.GC()
	rate := time.Duration(float64(before) / beforeWindow.Seconds())
	if before < 20*time.Millisecond {
		t.Fatalf("%s used only %v of CPU in %v of work; cannot tell stopping from idling", what, before, beforeWindow)
	}
	// The seconds after are measured until one is idle, up to three (on a
	// loaded machine the runtime's and the server's own winding down can
	// spill into the first), and the test fails if the work never stops:
	// work that ignored its context would keep a core busy through all
	// three (the busy store alone works on for about four seconds after
	// the client leaves, then the real work follows). Under -race every
	// memory access is instrumented, so the work runs many times slower
	// between two looks at its context: there up to ten.
	seconds := 3
	if raceDetector {
		seconds = 10
	}
	for i := 1; ; i++ {
		c1 := cpuTime(t)
		time.Sleep(time.Second)
		after := cpuTime(t) - c1
		t.Logf("%s: CPU %v in %v before, %v in second %d after", what, before, beforeWindow, after, i)
		if after <= rate/4 {
			return
		}
		if i == seconds {
			t.Errorf("%s: CPU %v in second %d after, %v per second before: the work did not stop", what, after, i, rate)
			return
		}
	}
}

// heavyServer serves store with metrics and lim.
func heavyServer(t *testing.T, store rg.Store, lim gqlhttp.Limits) (http.Handler, *httptest.Server) {
	t.Helper()
	h := server.New(store, server.Config{Logger: slog.New(slog.DiscardHandler), Metrics: metrics.New(), GraphQL: gqlhttp.Options{Limits: lim}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

// TestLargeGraphWorkStops is issue 17's acceptance on a generated graph of
// about 12 000 nodes whose actor graph has about a million links (see
// heavyStore):
//
//   - every whole-graph export streams, is complete and parses, where the
//     map refuses to draw that many nodes;
//   - a client that goes away mid-request stops the work, for an export,
//     the map's data, centrality and communities: the CPU used in the
//     second after it left is well under that of the second before, and
//     requests_in_flight and analyses_running are back to 0 after that
//     (TestWorkHoldsItsPlaceUntilItStops and TestClientGoneIsClientClosed
//     show, with a store that stalls, that they stay up while work runs);
//   - brokers past the analysis deadline: answered 503 with Retry-After,
//     and the same.
func TestLargeGraphWorkStops(t *testing.T) {
	const partners, initiatives, programmes, size = 4000, 8000, 16, 400
	t0 := time.Now()
	store := heavyStore(t, partners, initiatives, programmes, size)
	gv, err := store.GraphVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated %d nodes, %d relations in %v", gv.Nodes, gv.Relations, time.Since(t0).Round(time.Millisecond))
	if gv.Nodes <= export.MaxNodes {
		t.Fatalf("%d nodes: not above the map's cap of %d", gv.Nodes, export.MaxNodes)
	}

	t.Run("ExportStreamsAboveTheCap", func(t *testing.T) {
		h, srv := heavyServer(t, store, gqlhttp.Limits{AnalysisTimeout: 2 * time.Minute})
		formats := export.Formats
		if raceDetector {
			// Under -race each of the six takes many seconds: two
			// of them, JSON and CSV, which stream through the same
			// paging as the others.
			formats = []export.Format{formats[2], formats[5]}
		}
		for _, f := range formats {
			t0 := time.Now()
			resp, b, err := send(context.Background(), srv, http.MethodGet, "/export/"+f.Name, "")
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != f.ContentType {
				t.Fatalf("%s: %d %s: %s", f.Name, resp.StatusCode, resp.Header.Get("Content-Type"), cutBody(b))
			}
			nodes, edges := countExport(t, f.Name, b)
			t.Logf("%s: %d bytes, %d nodes, %d relations, streamed (Content-Length %d) in %v", f.Name, len(b), nodes, edges, resp.ContentLength, time.Since(t0).Round(time.Millisecond))
			wantN, wantE := gv.Nodes, gv.Relations
			switch f.Name {
			case "nodes.csv":
				wantE = 0
			case "edges.csv":
				wantN = 0
			}
			if nodes != wantN || edges != wantE {
				t.Errorf("%s: %d nodes, %d relations, want the graph's %d and %d", f.Name, nodes, edges, wantN, wantE)
			}
		}
		// The workbook streams too: every node and relation once, and
		// it imports back as no change. (Under -race it takes about a
		// minute, most of it in excelize's cell writing: the race
		// detector's run covers its concurrency with ClientGone/Workbook
		// and TestStreamedWorkbookPastItsDeadline.)
		if !raceDetector {
			checkLargeWorkbook(t, srv, store, gv)
		}
		if v := scrape(t, h, "regiongraph_analyses_running"); v != 0 {
			t.Errorf("analyses_running %v after the exports", v)
		}
		// The map keeps its cap, refused from a count; a narrower export
		// is laid out as before.
		resp, b, err := send(context.Background(), srv, http.MethodGet, "/map/data.json", "")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "BAD_USER_INPUT") {
			t.Errorf("the map of %d nodes: %d %s, want 400 BAD_USER_INPUT", gv.Nodes, resp.StatusCode, cutBody(b))
		}
		resp, b, err = send(context.Background(), srv, http.MethodGet, "/export/cytoscape.json?kind=Fund,Partner", "")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || resp.ContentLength <= 0 || !strings.Contains(string(b), `"position":{"x":`) {
			t.Errorf("an export of %d partners: %d, Content-Length %d, want one laid out", partners, resp.StatusCode, resp.ContentLength)
		}
	})

	var a, b []string
	for i := range 300 {
		a = append(a, strconv.Quote(fmt.Sprintf("partner-%05d", 2*i)))
		b = append(b, strconv.Quote(fmt.Sprintf("partner-%05d", 2*i+1)))
	}
	brokers := `{"query":"query($a:[ID!],$b:[ID!]){ brokers(between: [{ids: $a}, {ids: $b}]) { pairs brokers { constraint } } }","variables":{"a":[` + strings.Join(a, ",") + `],"b":[` + strings.Join(b, ",") + `]}}`

	for _, c := range []struct {
		name, route, method, target, body string
		// pace: a store that takes 40 ms over each read, so that the
		// work lasts for seconds on an idle machine too.
		pace bool
		// busy: a store whose Subgraph and FindNodes work (burn CPU,
		// watching their context) for seconds before they answer, and that has no
		// version, so nothing is taken from the analysis caches of the
		// cases before: on an idle machine an analysis of a cached graph
		// can end before the client has left.
		busy bool
	}{
		{"Export", "/export/", http.MethodGet, "/export/graphml", "", false, true},
		// The workbook is read whole before a byte of it is written, in
		// about a second of CPU here: paced, it is cut off while it reads.
		{"Workbook", "/export/", http.MethodGet, "/export/graph.xlsx", "", true, false},
		{"MapData", "/map/data.json", http.MethodGet, "/map/data.json?kind=Partner&metric=betweenness", "", false, true},
		{"Centrality", "/graphql", http.MethodPost, "/graphql", `{"query":"{ centrality(orderBy: CLOSENESS) { actorCount } }"}`, false, true},
		{"Communities", "/graphql", http.MethodPost, "/graphql", `{"query":"{ communities(resolution: 10) { totalCount } }"}`, false, true},
	} {
		t.Run("ClientGone/"+c.name, func(t *testing.T) {
			var s rg.Store = store
			if c.pace {
				s = pacedStore{Store: store, delay: 40 * time.Millisecond}
			}
			if c.busy {
				s = busyStore{Store: store, work: 5 * time.Second}
			}
			h, srv := heavyServer(t, s, gqlhttp.Limits{AnalysisTimeout: 2 * time.Minute})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				req, err := http.NewRequestWithContext(ctx, c.method, srv.URL+c.target, strings.NewReader(c.body))
				if err != nil {
					done <- err
					return
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := srv.Client().Do(req)
				if err != nil {
					done <- err
					return
				}
				defer resp.Body.Close()
				if _, err = io.Copy(io.Discard, resp.Body); err == nil {
					err = fmt.Errorf("answered %d in full before the client went away: the graph is too small", resp.StatusCode)
				}
				done <- err
			}()
			time.Sleep(200 * time.Millisecond) // past the start
			c0, w0 := cpuTime(t), time.Now()
			time.Sleep(time.Second)
			before, window := cpuTime(t)-c0, time.Since(w0)
			flight := `regiongraph_requests_in_flight{route="` + c.route + `"}`
			if v := scrape(t, h, flight); v != 1 {
				t.Errorf("%s = %v while the request works, want 1", flight, v)
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
			cpuStops(t, c.name, before, window)
			eventually(t, "the in-flight count back to 0", func() bool {
				return scrape(t, h, flight) == 0 && scrape(t, h, "regiongraph_analyses_running") == 0
			})
			if v := scrape(t, h, `regiongraph_requests_total{outcome="client_closed",route="`+c.route+`"}`); v != 1 {
				t.Errorf("client_closed counted %v times, want 1", v)
			}
		})
	}

	t.Run("BrokersPastTheDeadline", func(t *testing.T) {
		const deadline = 1500 * time.Millisecond
		h, srv := heavyServer(t, store, gqlhttp.Limits{AnalysisTimeout: deadline})
		type answer struct {
			resp *http.Response
			body []byte
			err  error
		}
		done := make(chan answer, 1)
		go func() {
			resp, b, err := send(context.Background(), srv, http.MethodPost, "/graphql", brokers)
			done <- answer{resp, b, err}
		}()
		time.Sleep(200 * time.Millisecond)
		c0, w0 := cpuTime(t), time.Now()
		time.Sleep(time.Second)
		before, window := cpuTime(t)-c0, time.Since(w0)
		ans := <-done
		if ans.err != nil {
			t.Fatal(ans.err)
		}
		if ans.resp.StatusCode != http.StatusServiceUnavailable || ans.resp.Header.Get("Retry-After") == "" || limitOf(ans.body) != gqlhttp.LimitAnalysisTime {
			t.Fatalf("brokers past the %v deadline: %d, Retry-After %q: %s", deadline, ans.resp.StatusCode, ans.resp.Header.Get("Retry-After"), cutBody(ans.body))
		}
		cpuStops(t, "brokers", before, window)
		eventually(t, "the in-flight counts back to 0", func() bool {
			return scrape(t, h, `regiongraph_requests_in_flight{route="/graphql"}`) == 0 &&
				scrape(t, h, "regiongraph_graphql_requests_in_flight") == 0 && scrape(t, h, "regiongraph_analyses_running") == 0
		})
	})
}

// countExport parses a whole export (idsIn) and counts its nodes and
// relations, failing the test if it repeats an id.
func countExport(t *testing.T, format string, b []byte) (nodes, edges int) {
	t.Helper()
	ns, es := idsIn(t, format, b)
	for _, ids := range [][]string{ns, es} {
		// idsIn sorts: a repeated id is next to itself.
		for i := 1; i < len(ids); i++ {
			if ids[i] == ids[i-1] {
				t.Fatalf("%s: %s twice", format, ids[i])
			}
		}
	}
	return len(ns), len(es)
}

// pacedStore takes delay over every page of nodes and every expansion
// (as a store across a network would), or until the context ends.
// busyStore is a store whose Subgraph and FindNodes keep a core busy for
// work before they answer, returning early when its context ends, as a store doing real
// work would. It hides the store's version (rg.Versioned), so that
// analyses on it are not served from a cache.
type busyStore struct {
	rg.Store
	work time.Duration
}

// burn keeps a core busy for s.work or until ctx ends.
func (s busyStore) burn(ctx context.Context) error {
	end := time.Now().Add(s.work)
	for x := uint64(1); time.Now().Before(end); {
		for range 100_000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if x == 0 {
			break
		}
	}
	return nil
}

func (s busyStore) Subgraph(ctx context.Context, f rg.SubgraphFilter) (*rg.Subgraph, error) {
	if err := s.burn(ctx); err != nil {
		return nil, err
	}
	return s.Store.Subgraph(ctx, f)
}

func (s busyStore) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	if err := s.burn(ctx); err != nil {
		return rg.NodePage{}, err
	}
	return s.Store.FindNodes(ctx, f)
}

type pacedStore struct {
	rg.Store
	delay time.Duration
}

func (s pacedStore) pause(ctx context.Context) error {
	t := time.NewTimer(s.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s pacedStore) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	if err := s.pause(ctx); err != nil {
		return rg.NodePage{}, err
	}
	return s.Store.FindNodes(ctx, f)
}

func (s pacedStore) Expand(ctx context.Context, f rg.EdgeFilter) (rg.Expansion, error) {
	if err := s.pause(ctx); err != nil {
		return rg.Expansion{}, err
	}
	return s.Store.Expand(ctx, f)
}

// checkLargeWorkbook downloads the workbook of the whole graph, which
// must stream (no Content-Length), hold every node and relation once and
// import back into store as no change.
func checkLargeWorkbook(t *testing.T, srv *httptest.Server, store rg.Store, gv rg.GraphVersion) {
	t.Helper()
	t0 := time.Now()
	resp, b, err := send(context.Background(), srv, http.MethodGet, "/export/graph.xlsx", "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != sheet.ContentTypeXLSX || resp.ContentLength != -1 {
		t.Fatalf("graph.xlsx: %d %s, Content-Length %d: %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.ContentLength, cutBody(b))
	}
	wb, err := sheet.ReadXLSX(b, "regiongraph.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatalf("graph.xlsx does not open: %v", err)
	}
	nodes, edges := countWorkbook(t, wb)
	t.Logf("graph.xlsx: %d bytes, %d nodes, %d relations, streamed in %v", len(b), nodes, edges, time.Since(t0).Round(time.Millisecond))
	if nodes != gv.Nodes || edges != gv.Relations {
		t.Errorf("graph.xlsx: %d nodes, %d relations, want the graph's %d and %d", nodes, edges, gv.Nodes, gv.Relations)
	}
	t0 = time.Now()
	d, err := sheet.Import(context.Background(), store, []*sheet.File{wb}, sheet.Options{}, true, "")
	if err != nil {
		t.Fatalf("importing graph.xlsx (dry run): %v", err)
	}
	t.Logf("graph.xlsx imported as a dry run in %v: %+v", time.Since(t0).Round(time.Millisecond), d.Counts)
	if d.Counts != (sheet.Counts{Unchanged: gv.Nodes + gv.Relations}) {
		t.Errorf("graph.xlsx imported back: %+v, want every row unchanged", d.Counts)
	}
}

// countWorkbook counts the nodes (the rows of the kinds' sheets) and
// relations of a workbook as the import reads it, failing the test if an
// id is there twice.
func countWorkbook(t *testing.T, f *sheet.File) (nodes, edges int) {
	t.Helper()
	seen := map[string]bool{}
	for _, sh := range f.Sheets {
		if sh.Name == sheet.GuideSheet {
			continue
		}
		if len(sh.Header) == 0 || sh.Header[0] != "id" {
			t.Fatalf("sheet %s: header %q", sh.Name, sh.Header)
		}
		for _, r := range sh.Rows {
			id := r.Cell(0)
			if id == "" || seen[id] {
				t.Fatalf("sheet %s row %d: id %q empty or seen before", sh.Name, r.Num, id)
			}
			seen[id] = true
			if sh.Name == sheet.RelationsSheet {
				edges++
			} else {
				nodes++
			}
		}
	}
	return nodes, edges
}

func cutBody(b []byte) []byte { return b[:min(len(b), 300)] }

// cutStore is the bundled dataset claiming, in its Stats, more nodes than
// the map's cap (so that every export of whole kinds streams), paging its
// nodes 50 at a time, and stalling on the second page until the request's
// context ends.
type cutStore struct {
	*stallStore
	calls atomic.Int32
}

func (s *cutStore) Stats(ctx context.Context) (rg.GraphStats, error) {
	st, err := s.stallStore.Store.Stats(ctx)
	if err != nil {
		return st, err
	}
	st.Nodes = maps.Clone(st.Nodes)
	st.Nodes[rg.KindPartner] += export.MaxNodes
	return st, nil
}

func (s *cutStore) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	if s.calls.Add(1) >= 2 {
		<-ctx.Done()
		return rg.NodePage{}, ctx.Err()
	}
	f.First = min(f.First, 50)
	return s.stallStore.Store.FindNodes(ctx, f)
}

// TestStreamedExportCutShortIsNotWhole: a streamed export whose deadline
// passes after its first page has gone out cannot be taken for a whole
// file: the transfer is cut (the client gets an error, not an end), the
// document is not whole (XML unterminated, with a comment saying why; CSV
// with a last row saying so), and the request counts as a timeout, its
// place freed.
func TestStreamedExportCutShortIsNotWhole(t *testing.T) {
	for _, c := range []struct{ format, sign string }{
		{"graphml", "<!-- regiongraph: INCOMPLETE EXPORT: the export stopped before its end (its time limit passed)"},
		{"nodes.csv", "#regiongraph: INCOMPLETE EXPORT: the export stopped before its end (its time limit passed)"},
		{"cytoscape.json", ""},
	} {
		t.Run(c.format, func(t *testing.T) {
			store := &cutStore{stallStore: newStallStore(t)}
			h, srv := heavyServer(t, store, gqlhttp.Limits{AnalysisTimeout: 300 * time.Millisecond})
			resp, err := srv.Client().Get(srv.URL + "/export/" + c.format)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d before the first page", resp.StatusCode)
			}
			b, err := io.ReadAll(resp.Body)
			if err == nil {
				t.Fatalf("the cut export was read to its end without an error: %d bytes", len(b))
			}
			if len(b) == 0 {
				t.Fatal("nothing of the first page arrived")
			}
			switch {
			case strings.HasSuffix(c.format, ".json"):
				var v any
				if json.Unmarshal(b, &v) == nil {
					t.Errorf("the cut export parses as JSON")
				}
			case c.format == "graphml":
				var v struct{}
				if xml.Unmarshal(b, &v) == nil {
					t.Errorf("the cut export parses as XML")
				}
			}
			if c.sign != "" && !bytes.Contains(b, []byte(c.sign)) {
				t.Errorf("the cut export does not end saying so:\n%s", b[max(0, len(b)-400):])
			}
			eventually(t, "the request counted as a timeout and its place freed", func() bool {
				return scrape(t, h, `regiongraph_requests_total{outcome="timeout",route="/export/"}`) == 1 &&
					scrape(t, h, `regiongraph_requests_in_flight{route="/export/"}`) == 0 && scrape(t, h, "regiongraph_analyses_running") == 0
			})
		})
	}
}

// TestStreamedWorkbookPastItsDeadline: a streamed workbook is read whole
// before any of it is written, so one whose deadline passes while it reads
// is answered as any request past its deadline is (503 with Retry-After),
// never with part of a file, and counted as a timeout, its place freed.
func TestStreamedWorkbookPastItsDeadline(t *testing.T) {
	store := &cutStore{stallStore: newStallStore(t)}
	h, srv := heavyServer(t, store, gqlhttp.Limits{AnalysisTimeout: 300 * time.Millisecond})
	resp, b, err := send(context.Background(), srv, http.MethodGet, "/export/graph.xlsx", "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || resp.Header.Get("Content-Type") == sheet.ContentTypeXLSX {
		t.Fatalf("graph.xlsx past its deadline: %d %s, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"), cutBody(b))
	}
	if store.calls.Load() < 2 {
		t.Fatalf("the store was read %d times: the workbook was not streamed", store.calls.Load())
	}
	eventually(t, "the request counted as a timeout and its place freed", func() bool {
		return scrape(t, h, `regiongraph_requests_total{outcome="timeout",route="/export/"}`) == 1 &&
			scrape(t, h, `regiongraph_requests_in_flight{route="/export/"}`) == 0 && scrape(t, h, "regiongraph_analyses_running") == 0
	})
}
