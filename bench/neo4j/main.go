// Command neo4j is regiongraph's benchmark on Neo4j (issue 10): the README
// queries and the nested municipalities → memberOf → facilitates →
// coordinates → funders query, against
//
//   - embedded:     regiongraph on the embedded store (bbolt),
//   - neo4j:        regiongraph on Neo4j (neo4jstore),
//   - neo4jgraphql: @neo4j/graphql 7 (bench/neo4jgraphql) over the very
//     database regiongraph imported,
//
// in one run. It starts a local Neo4j (internal/neo4jlocal, data in a
// temporary folder) unless -neo4j-uri names one (which it then fills with
// regiongraph import: use a scratch database), imports the bundled dataset
// with regiongraph import, checks the answers (embedded and neo4j: the
// same JSON; neo4jgraphql: the same values, see compare.go), counts the
// Bolt round trips and messages per request of both Neo4j clients through
// a counting proxy (boltproxy.go; sequential requests, after a warm-up),
// then times every query at every client count on the three servers,
// interleaved, and prints markdown tables.
//
//	go run ./bench/neo4j                   # from the repository's root, after
//	(cd bench/neo4jgraphql && npm ci)      # once
//
// Only 127.0.0.1 is used; every process it starts is stopped when it ends.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/regiongraph/regiongraph/bench/internal/loadgen"
	"github.com/regiongraph/regiongraph/internal/neo4jlocal"
)

type options struct {
	neo4jURI string
	harness  string
	bin      string
	names    []string
	clients  []int
	dur      time.Duration
	warm     time.Duration
	prewarm  time.Duration
	count    int
	timing   bool
	rgEnv    []string
}

func main() {
	var (
		o       options
		names   = flag.String("queries", "lup,plom,focus,search,nested", "query names from the harness's queries.json")
		clients = flag.String("clients", "1,16", "client counts (closed loop, keep-alive)")
	)
	flag.StringVar(&o.neo4jURI, "neo4j-uri", "", "a running Neo4j to use (NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE from the environment); it is filled by regiongraph import, so use a scratch database. Empty: start a local one (scripts/neo4j-local's launcher) in a temporary folder")
	flag.StringVar(&o.harness, "harness", "bench/neo4jgraphql", "the @neo4j/graphql harness's folder (node_modules installed with npm ci)")
	flag.StringVar(&o.bin, "bin", "", "regiongraph binary to run; empty: go build ./cmd/regiongraph into a temporary folder")
	flag.DurationVar(&o.dur, "duration", 5*time.Second, "length of each measured run")
	flag.DurationVar(&o.warm, "warmup", time.Second, "unmeasured load before each run")
	flag.DurationVar(&o.prewarm, "prewarm", 4*time.Second, "unmeasured load per query and server, at the highest client count, before the first timed run (the JVM's JIT, the query plan caches)")
	flag.IntVar(&o.count, "count", 20, "sequential requests per query and server for counting round trips")
	flag.BoolVar(&o.timing, "timing", true, "time the queries after counting round trips (false: check the answers and count only, a minute or two)")
	rgEnv := flag.String("rg-env", "", "extra environment for regiongraph, comma-separated NAME=value")
	flag.Parse()
	o.names = loadgen.SplitList(*names)
	o.rgEnv = loadgen.SplitList(*rgEnv)
	cs, err := loadgen.Clients(*clients)
	if err != nil {
		log.Fatal("bench/neo4j: ", err)
	}
	o.clients = cs
	if o.count < 1 || o.count > 1000 {
		log.Fatal("bench/neo4j: -count must be from 1 to 1000")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal("bench/neo4j: ", err)
	}
}

// query is one benchmark query in the harness's queries.json: regiongraph's
// text and @neo4j/graphql's for the same question.
type query struct {
	About        string `json:"about"`
	Regiongraph  string `json:"regiongraph"`
	Neo4jGraphQL string `json:"neo4jgraphql"`
}

func run(ctx context.Context, o options) error {
	harness, err := filepath.Abs(o.harness)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(filepath.Join(harness, "queries.json"))
	if err != nil {
		return fmt.Errorf("the harness's queries (-harness): %w", err)
	}
	var all map[string]query
	if err := json.Unmarshal(raw, &all); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(harness, "queries.json"), err)
	}
	for _, n := range o.names {
		if q := all[n]; q.Regiongraph == "" || q.Neo4jGraphQL == "" {
			return fmt.Errorf("no query %q (with both texts) in queries.json", n)
		}
	}
	if _, err := os.Stat(filepath.Join(harness, "node_modules", "@neo4j", "graphql")); err != nil {
		return fmt.Errorf("the harness has no node_modules: run npm ci in %s", harness)
	}
	tmp, err := os.MkdirTemp("", "regiongraph-bench-neo4j-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := o.bin
	if bin == "" {
		bin = filepath.Join(tmp, "regiongraph")
		build := exec.Command("go", "build", "-o", bin, "./cmd/regiongraph")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/regiongraph (run from the repository's root): %w", err)
		}
	}

	// Neo4j: the one given, or a local one in tmp.
	uri, neo4jPid := o.neo4jURI, 0
	if uri == "" {
		if missing := neo4jlocal.MissingTools(); missing != "" {
			return fmt.Errorf("no -neo4j-uri and no local Neo4j: %s", missing)
		}
		log.Printf("starting a local Neo4j (the first time: Maven downloads it)")
		n4j, err := neo4jlocal.Start(ctx, neo4jlocal.Options{Data: filepath.Join(tmp, "neo4j")})
		if err != nil {
			return err
		}
		defer func() {
			if err := n4j.Stop(30 * time.Second); err != nil {
				log.Print(err)
			}
		}()
		uri, neo4jPid = n4j.URI, n4j.Pid()
		log.Printf("Neo4j on %s, started in %s", uri, n4j.StartedIn.Round(time.Millisecond))
	}
	hostPort := uri[strings.Index(uri, "://")+3:]
	neoEnv := func(uri string) []string {
		return []string{"NEO4J_URI=" + uri, "REGIONGRAPH_OPEN_TIMEOUT=2m"}
	}

	imp := exec.CommandContext(ctx, bin, "import", "--store", "neo4j")
	imp.Env = append(os.Environ(), neoEnv(uri)...)
	imp.Dir = tmp
	if out, err := imp.CombinedOutput(); err != nil {
		return fmt.Errorf("regiongraph import --store neo4j: %w\n%s", err, out)
	}

	// The servers that are timed, and the two that count round trips
	// through the proxy.
	proxy, err := startBoltProxy(hostPort, 5*time.Millisecond)
	if err != nil {
		return err
	}
	defer proxy.Close()
	common := append([]string{"REGIONGRAPH_MAX_COMPLEXITY=20000000"}, o.rgEnv...)
	var started []*loadgen.Server
	defer func() {
		for _, s := range slices.Backward(started) {
			s.Stop()
		}
	}()
	startRG := func(name string, env ...string) (*loadgen.Server, error) {
		port, err := loadgen.FreePort()
		if err != nil {
			return nil, err
		}
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		env = append(append(env, common...), "REGIONGRAPH_ADDR=127.0.0.1:"+strconv.Itoa(port))
		s, err := loadgen.Start(name, tmp, env, base+"/healthz", bin, "serve")
		if err != nil {
			return nil, err
		}
		started = append(started, s)
		s.URL, s.Metrics = base+"/graphql", base+"/metrics"
		return s, nil
	}
	startN4G := func(name, uri string) (*loadgen.Server, error) {
		port, err := loadgen.FreePort()
		if err != nil {
			return nil, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		s, err := loadgen.Start(name, harness, []string{"NODE_ENV=production", "N4G_ADDR=" + addr, "NEO4J_URI=" + uri}, "http://"+addr+"/healthz", "node", "server.mjs")
		if err != nil {
			return nil, err
		}
		started = append(started, s)
		s.URL = "http://" + addr + "/graphql"
		return s, nil
	}
	embedded, err := startRG("embedded", "REGIONGRAPH_STORE=bolt", "REGIONGRAPH_DATA="+filepath.Join(tmp, "bench.db"))
	if err != nil {
		return err
	}
	onNeo4j, err := startRG("neo4j", append(neoEnv(uri), "REGIONGRAPH_STORE=neo4j")...)
	if err != nil {
		return err
	}
	n4g, err := startN4G("neo4jgraphql", uri)
	if err != nil {
		return err
	}
	countedRG, err := startRG("neo4j (counted)", append(neoEnv("bolt://"+proxy.Addr()), "REGIONGRAPH_STORE=neo4j")...)
	if err != nil {
		return err
	}
	countedN4G, err := startN4G("neo4jgraphql (counted)", "bolt://"+proxy.Addr())
	if err != nil {
		return err
	}

	client := loadgen.NewClient()
	fmt.Printf("# %s, %d cores, Neo4j %s, %s per run (%s warm-up), load average %s\n\n",
		time.Now().Format(time.RFC3339), loadgen.NumCPU(), uri, o.dur, o.warm, loadgen.Loadavg())

	// Answers.
	fmt.Println("## Answers")
	fmt.Println()
	bad := false
	for _, n := range o.names {
		q := all[n]
		same := loadgen.Compare(client, q.Regiongraph, embedded.URL, onNeo4j.URL, "embedded", "neo4j")
		fmt.Printf("- %s: embedded vs neo4j: %s\n", n, same)
		if !strings.HasPrefix(same, "same data (") {
			bad = true
		}
		verdict, ok := compareValues(client, embedded.URL, q.Regiongraph, n4g.URL, q.Neo4jGraphQL)
		fmt.Printf("- %s: embedded vs neo4jgraphql: %s\n", n, verdict)
		if !ok {
			bad = true
		}
	}
	fmt.Println()
	if bad {
		return errors.New("the servers' answers differ (above)")
	}

	// Round trips.
	fmt.Printf("## Bolt per request (%d sequential requests after 3 unmeasured, through a counting proxy)\n\n", o.count)
	fmt.Println("| server | query | round trips | transactions (BEGIN) | statements (RUN) | PULL | COMMIT | other messages | store calls | KB to Neo4j | KB from Neo4j |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
	for _, n := range o.names {
		for _, s := range []*loadgen.Server{countedRG, countedN4G} {
			text := all[n].Regiongraph
			if s == countedN4G {
				text = all[n].Neo4jGraphQL
			}
			line, err := countBolt(client, proxy, s, text, o.count)
			if err != nil {
				return fmt.Errorf("%s %s: %w", s.Name, n, err)
			}
			fmt.Printf("| %s | %s | %s\n", strings.TrimSuffix(s.Name, " (counted)"), n, line)
		}
	}
	fmt.Println()
	// The counting servers are done: stop them so that they do not take
	// CPU from the timed runs.
	countedRG.Stop()
	countedN4G.Stop()
	proxy.Close()
	if !o.timing {
		return nil
	}

	// Timing.
	if o.prewarm > 0 {
		for _, n := range o.names {
			for _, s := range []*loadgen.Server{embedded, onNeo4j, n4g} {
				text := all[n].Regiongraph
				if s == n4g {
					text = all[n].Neo4jGraphQL
				}
				body, _ := json.Marshal(map[string]string{"query": text})
				loadgen.Load(client, s.URL, body, slices.Max(o.clients), o.prewarm)
			}
		}
	}
	fmt.Println("## Latency and throughput")
	fmt.Println()
	if neo4jPid != 0 {
		// What the JVM spends with no request (GC, JIT, checkpoints) is in
		// every run's Neo4j µs/req: say how much it is.
		idle := 3 * time.Second
		t0, err := loadgen.CPUTime(neo4jPid)
		if err != nil {
			return err
		}
		time.Sleep(idle)
		t1, err := loadgen.CPUTime(neo4jPid)
		if err != nil {
			return err
		}
		fmt.Printf("CPU µs/req: the server process; Neo4j µs/req: the Neo4j JVM over the same run, which includes what it spends idle (GC, JIT, checkpoints): %.0f ms of CPU per second over %s before the first run, so at R req/s about %.0f/R ms of each figure.\n",
			(t1-t0).Seconds()*1e3/idle.Seconds(), idle, (t1-t0).Seconds()*1e3/idle.Seconds())
	} else {
		fmt.Println("CPU µs/req: the server process (Neo4j's CPU is not measured: it was given with -neo4j-uri).")
	}
	fmt.Println()
	fmt.Println("| server | query | clients | req/s | p50 ms | p99 ms | CPU µs/req | Neo4j µs/req | alloc KB/req | errors |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, n := range o.names {
		for _, c := range o.clients {
			for _, s := range []*loadgen.Server{embedded, onNeo4j, n4g} {
				if err := ctx.Err(); err != nil {
					return err
				}
				text := all[n].Regiongraph
				if s == n4g {
					text = all[n].Neo4jGraphQL
				}
				body, _ := json.Marshal(map[string]string{"query": text})
				pids := []int{s.Pid()}
				if neo4jPid != 0 {
					pids = append(pids, neo4jPid)
				}
				res, err := loadgen.Measure(client, s.URL, s.Metrics, pids, body, c, o.dur, o.warm)
				if err != nil {
					return fmt.Errorf("%s %s ×%d: %w", s.Name, n, c, err)
				}
				alloc, neoCPU := "—", "—"
				if res.AllocPerReq >= 0 {
					alloc = fmt.Sprintf("%.1f", res.AllocPerReq/1024)
				}
				if neo4jPid != 0 && s != embedded {
					neoCPU = fmt.Sprintf("%.0f", res.CPUPerReq[1])
				}
				fmt.Printf("| %s | %s | %d | %.0f | %.3f | %.3f | %.0f | %s | %s | %d |\n",
					s.Name, n, c, res.RPS, loadgen.MS(res.P50), loadgen.MS(res.P99), res.CPUPerReq[0], neoCPU, alloc, res.Errors)
			}
		}
	}
	// The cost limit's graph statistics (gqlhttp's statsCache) are
	// refreshed in the background once a second under load; a request that
	// finds them stale waits up to 50 ms for the refresh.
	fmt.Println()
	for _, s := range []*loadgen.Server{embedded, onNeo4j} {
		sum := loadgen.MetricSums(client, s.Metrics, "regiongraph_store_call_duration_seconds_sum")
		count := loadgen.MetricSums(client, s.Metrics, "regiongraph_store_call_duration_seconds_count")
		var parts []string
		for _, m := range slices.Sorted(maps.Keys(count)) {
			if count[m] > 0 {
				parts = append(parts, fmt.Sprintf("%s %.0f × %.2f ms", m, count[m], sum[m]/count[m]*1e3))
			}
		}
		fmt.Printf("- %s store calls over the whole run (count × mean): %s\n", s.Name, strings.Join(parts, ", "))
	}
	fmt.Printf("\n# load average at the end: %s\n", loadgen.Loadavg())
	return nil
}

// countBolt sends text to s 3 times unmeasured, then count times, one after
// another, and returns the table cells of what went over Bolt per request.
func countBolt(client *http.Client, proxy *boltProxy, s *loadgen.Server, text string, count int) (string, error) {
	for range 3 {
		if _, err := loadgen.PostData(client, s.URL, text); err != nil {
			return "", err
		}
	}
	calls0 := loadgen.MetricSums(client, s.Metrics, "regiongraph_store_calls_total")
	before := proxy.Snapshot()
	for range count {
		if _, err := loadgen.PostData(client, s.URL, text); err != nil {
			return "", err
		}
	}
	d := proxy.Snapshot().sub(before)
	calls1 := loadgen.MetricSums(client, s.Metrics, "regiongraph_store_calls_total")
	per := func(v int) string { return strconv.FormatFloat(float64(v)/float64(count), 'f', -1, 64) }
	var other []string
	for _, k := range slices.Sorted(maps.Keys(d.Messages)) {
		switch k {
		case "BEGIN", "RUN", "PULL", "COMMIT":
		default:
			other = append(other, k+" "+per(d.Messages[k]))
		}
	}
	if d.Conns > 0 {
		other = append(other, "new connections "+per(d.Conns))
	}
	calls := "—"
	if s.Metrics != "" {
		var parts []string
		total := 0.0
		for _, m := range slices.Sorted(maps.Keys(calls1)) {
			if v := calls1[m] - calls0[m]; v > 0 {
				total += v
				parts = append(parts, fmt.Sprintf("%s %g", m, v/float64(count)))
			}
		}
		calls = fmt.Sprintf("%g (%s)", total/float64(count), strings.Join(parts, ", "))
	}
	return fmt.Sprintf("%s | %s | %s | %s | %s | %s | %s | %.1f | %.1f |",
		per(d.RoundTrips), per(d.Messages["BEGIN"]), per(d.Messages["RUN"]), per(d.Messages["PULL"]), per(d.Messages["COMMIT"]),
		strings.Join(other, ", "), calls, float64(d.BytesUp)/1024/float64(count), float64(d.BytesDown)/1024/float64(count)), nil
}
