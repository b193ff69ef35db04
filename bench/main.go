// Command bench is regiongraph's load benchmark against the reference peer
// (a graphql-js server over the same data, in ../shared/bench/peer): it
// builds and starts the real binary and starts the peer, checks that both
// answer every query with the same data, then runs the queries against both,
// interleaved (regiongraph, then the peer, per query and client count), and
// prints per run: throughput, p50 and p99 latency, CPU per request (utime +
// stime of each server process from /proc) and, for regiongraph, bytes
// allocated per request (go_memstats_alloc_bytes_total from /metrics).
//
//	go run ./bench -peer ../shared/bench/peer -clients 1,16 -duration 5s
//
// With -floor lane (or raw, nethttp, or several, comma-separated), the
// floors of bench/floor (a Go server answering {__typename}'s data from a
// constant: through httplane, by hand, or through net/http) are built and
// measured on {__typename} in the same interleaved run, and the summary
// sets our CPU per request and the peer's beside theirs: what no Go
// server on the machine goes below.
//
// Only 127.0.0.1 is used; every server is stopped when the run ends.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/regiongraph/regiongraph/bench/internal/loadgen"
)

func main() {
	var (
		peerDir  = flag.String("peer", "../shared/bench/peer", "the reference peer's folder (node_modules installed with npm ci)")
		bin      = flag.String("bin", "", "regiongraph binary to run; empty: go build ./cmd/regiongraph into a temporary folder")
		queries  = flag.String("queries", "typename,lup,plom,focus,nested,search", "query names from the peer's queries.json")
		clients  = flag.String("clients", "1,16", "client counts (closed loop, keep-alive)")
		duration = flag.Duration("duration", 5*time.Second, "length of each measured run")
		warmup   = flag.Duration("warmup", time.Second, "unmeasured load before each run")
		repeats  = flag.Int("repeats", 1, "rounds over every query and client count")
		rgEnv    = flag.String("rg-env", "", "extra environment for regiongraph, comma-separated NAME=value (e.g. REGIONGRAPH_MAX_COMPLEXITY=20000000)")
		noPeer   = flag.Bool("no-peer", false, "measure regiongraph alone")
		floors   = flag.String("floor", "", "bench/floor modes to measure on {__typename} beside the servers, comma-separated: lane, raw, nethttp")
	)
	flag.Parse()
	o := options{peerDir: *peerDir, bin: *bin, names: loadgen.SplitList(*queries), clients: *clients, dur: *duration, warm: *warmup,
		repeats: *repeats, rgEnv: loadgen.SplitList(*rgEnv), noPeer: *noPeer, floors: loadgen.SplitList(*floors)}
	if err := run(os.Stdout, o); err != nil {
		log.Fatal("bench: ", err)
	}
}

// options are the flags.
type options struct {
	peerDir, bin string
	names        []string
	clients      string
	dur, warm    time.Duration
	repeats      int
	rgEnv        []string
	noPeer       bool
	floors       []string
	// floorBin, when set, is bench/floor already built (tests).
	floorBin string
}

// floorModes maps -floor's names to bench/floor's FLOOR_MODE.
var floorModes = map[string]string{"lane": "lane", "raw": "raw", "nethttp": ""}

func run(out io.Writer, o options) error {
	peerDir, bin, names, dur, warm, repeats, rgEnv, noPeer := o.peerDir, o.bin, o.names, o.dur, o.warm, o.repeats, o.rgEnv, o.noPeer
	for _, f := range o.floors {
		if _, ok := floorModes[f]; !ok {
			return fmt.Errorf("-floor %q: want lane, raw or nethttp", f)
		}
	}
	if len(o.floors) > 0 && !slices.Contains(names, "typename") {
		return fmt.Errorf("-floor measures {__typename}: add typename to -queries")
	}
	cs, err := loadgen.Clients(o.clients)
	if err != nil {
		return err
	}
	peerDir, err = filepath.Abs(peerDir)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(filepath.Join(peerDir, "queries.json"))
	if err != nil {
		return fmt.Errorf("the peer's queries (-peer): %w", err)
	}
	var all map[string]string
	if err := json.Unmarshal(raw, &all); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(peerDir, "queries.json"), err)
	}
	for _, n := range names {
		if all[n] == "" {
			return fmt.Errorf("no query %q in queries.json", n)
		}
	}
	tmp, err := os.MkdirTemp("", "regiongraph-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if bin == "" {
		bin = filepath.Join(tmp, "regiongraph")
		build := exec.Command("go", "build", "-o", bin, "./cmd/regiongraph")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/regiongraph (run from the repository's root): %w", err)
		}
	}

	rgPort, err := loadgen.FreePort()
	if err != nil {
		return err
	}
	env := append([]string{"REGIONGRAPH_ADDR=127.0.0.1:" + strconv.Itoa(rgPort), "REGIONGRAPH_DATA=" + filepath.Join(tmp, "bench.db")}, rgEnv...)
	base := "http://127.0.0.1:" + strconv.Itoa(rgPort)
	rg, err := loadgen.Start("regiongraph", tmp, env, base+"/healthz", bin)
	if err != nil {
		return err
	}
	defer rg.Stop()
	rg.URL, rg.Metrics = base+"/graphql", base+"/metrics"
	servers := []*loadgen.Server{rg}

	if !noPeer {
		if _, err := os.Stat(filepath.Join(peerDir, "node_modules", "graphql")); err != nil {
			return fmt.Errorf("the peer has no node_modules: run npm ci in %s", peerDir)
		}
		peerPort, err := loadgen.FreePort()
		if err != nil {
			return err
		}
		addr := "127.0.0.1:" + strconv.Itoa(peerPort)
		peer, err := loadgen.Start("peer", peerDir, []string{"NODE_ENV=production", "PEER_ADDR=" + addr}, "http://"+addr+"/graphql", "node", "server.mjs")
		if err != nil {
			return err
		}
		defer peer.Stop()
		peer.URL = "http://" + addr + "/graphql"
		servers = append(servers, peer)
	}
	floorBin := o.floorBin
	if len(o.floors) > 0 && floorBin == "" {
		floorBin = filepath.Join(tmp, "floor")
		build := exec.Command("go", "build", "-o", floorBin, "./bench/floor")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./bench/floor (run from the repository's root): %w", err)
		}
	}
	for _, f := range o.floors {
		port, err := loadgen.FreePort()
		if err != nil {
			return err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		fl, err := loadgen.Start("floor-"+f, tmp, []string{"REGIONGRAPH_ADDR=" + addr, "FLOOR_MODE=" + floorModes[f], "FLOOR_TIMEOUTS=1"}, "http://"+addr+"/healthz", floorBin)
		if err != nil {
			return err
		}
		defer fl.Stop()
		fl.URL = "http://" + addr + "/graphql"
		servers = append(servers, fl)
	}

	client := loadgen.NewClient()
	fmt.Fprintf(out, "# %s, %d cores, %s per run (%s warm-up), load average %s\n", time.Now().Format(time.RFC3339), loadgen.NumCPU(), dur, warm, loadgen.Loadavg())
	if !noPeer {
		for _, n := range names {
			fmt.Fprintf(out, "# %-8s %s\n", n, loadgen.Compare(client, all[n], rg.URL, servers[1].URL, "regiongraph", "peer"))
		}
	}
	fmt.Fprintln(out, "| server | query | clients | round | req/s | p50 ms | p99 ms | CPU µs/req | alloc KB/req | errors |")
	fmt.Fprintln(out, "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	type key struct {
		server, query string
		clients       int
	}
	results := map[key][]loadgen.Result{}
	for r := 1; r <= repeats; r++ {
		for _, n := range names {
			body, _ := json.Marshal(map[string]string{"query": all[n]})
			for _, c := range cs {
				for _, s := range servers {
					if strings.HasPrefix(s.Name, "floor-") && n != "typename" {
						continue // a floor answers {__typename}'s data to everything
					}
					res, err := loadgen.Measure(client, s.URL, s.Metrics, []int{s.Pid()}, body, c, dur, warm)
					if err != nil {
						return fmt.Errorf("%s %s ×%d: %w", s.Name, n, c, err)
					}
					results[key{s.Name, n, c}] = append(results[key{s.Name, n, c}], res)
					alloc := "—"
					if res.AllocPerReq >= 0 {
						alloc = fmt.Sprintf("%.1f", res.AllocPerReq/1024)
					}
					fmt.Fprintf(out, "| %s | %s | %d | %d | %.0f | %.3f | %.3f | %.0f | %s | %d |\n",
						s.Name, n, c, r, res.RPS, loadgen.MS(res.P50), loadgen.MS(res.P99), res.CPUPerReq[0], alloc, res.Errors)
				}
			}
		}
	}
	fmt.Fprintf(out, "# load average at the end: %s\n", loadgen.Loadavg())
	// Medians over the rounds: regiongraph against the peer, and against
	// its own {__typename}.
	med := func(k key, f func(loadgen.Result) float64) float64 {
		var xs []float64
		for _, r := range results[k] {
			xs = append(xs, f(r))
		}
		if len(xs) == 0 {
			return 0
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	cpu := func(r loadgen.Result) float64 { return r.CPUPerReq[0] }
	rps := func(r loadgen.Result) float64 { return r.RPS }
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| query | clients | CPU ours / peer | req/s ours / peer | req/s ours / ours {__typename} | alloc KB/req |")
	fmt.Fprintln(out, "| --- | --- | ---: | ---: | ---: | ---: |")
	ratio := func(a, b float64) string {
		if a == 0 || b == 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	for _, n := range names {
		for _, c := range cs {
			rg, peer, tn := key{"regiongraph", n, c}, key{"peer", n, c}, key{"regiongraph", "typename", c}
			fmt.Fprintf(out, "| %s | %d | %s | %s | %s | %.1f |\n", n, c, ratio(med(rg, cpu), med(peer, cpu)), ratio(med(rg, rps), med(peer, rps)),
				ratio(med(rg, rps), med(tn, rps)), med(rg, func(r loadgen.Result) float64 { return r.AllocPerReq / 1024 }))
		}
	}
	// The floors: CPU per request on {__typename}, beside ours and the
	// peer's.
	for _, f := range o.floors {
		for _, c := range cs {
			fl, rg, peer := med(key{"floor-" + f, "typename", c}, cpu), med(key{"regiongraph", "typename", c}, cpu), med(key{"peer", "typename", c}, cpu)
			fmt.Fprintf(out, "# {__typename}, %d client(s), CPU µs per request: floor %s %.1f, regiongraph %.1f (floor + %.1f)", c, f, fl, rg, rg-fl)
			if peer > 0 {
				fmt.Fprintf(out, ", peer %.1f: the floor is %s of the peer's, regiongraph %s", peer, ratio(fl, peer), ratio(rg, peer))
			}
			fmt.Fprintln(out)
		}
	}
	// The depth series d0..dN (a relation level more each): p50 per level.
	if depth := depthSeries(names); len(depth) > 1 {
		p50 := func(r loadgen.Result) float64 { return loadgen.MS(r.P50) }
		for _, c := range cs {
			for _, s := range servers {
				first, last := med(key{s.Name, depth[0], c}, p50), med(key{s.Name, depth[len(depth)-1], c}, p50)
				fmt.Fprintf(out, "# %s, %d client(s): p50 %s %.3f ms, %s %.3f ms: %.3f ms per relation level\n",
					s.Name, c, depth[0], first, depth[len(depth)-1], last, (last-first)/float64(len(depth)-1))
			}
		}
	}
	return nil
}

// depthSeries returns the queries d0, d1, ... of names, in order, as long
// as they follow each other.
func depthSeries(names []string) []string {
	var out []string
	for i := 0; slices.Contains(names, fmt.Sprintf("d%d", i)); i++ {
		out = append(out, fmt.Sprintf("d%d", i))
	}
	return out
}
