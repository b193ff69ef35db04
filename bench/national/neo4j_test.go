package national

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/internal/neo4jlocal"
	"github.com/regiongraph/regiongraph/neo4jstore"
	"github.com/regiongraph/regiongraph/storeguard"
)

// The same rows on Neo4j (-national.store neo4j or both): the generated
// graph is loaded as `regiongraph import -store neo4j -batch N` loads a
// large file (nodes then relations, each in id order, in batches of
// -national.batch changes, one Apply and one transaction each, with the
// import's transaction timeout) and served as `regiongraph serve -store
// neo4j` serves it: the GraphQL handler over a store guarded by storeguard
// with serve's defaults (-store-timeout 5s, the analysis timeout for a
// read of the whole graph).
//
// The Neo4j is NEO4J_URI's (with NEO4J_USER, NEO4J_PASSWORD,
// NEO4J_DATABASE; emptied when it holds another graph) or else a local
// Neo4j (internal/neo4jlocal) per scale, in a folder of its own under
// -national.dir (kept, and used again when its counts match) or a
// temporary one, started when a benchmark first asks for that scale and
// stopped when the next scale is asked for or the benchmark process ends.
// Nothing starts unless a benchmark asks for Neo4j.

var (
	storeFlag        = flag.String("national.store", "bolt", "the store(s) to benchmark: bolt, neo4j or both")
	batchFlag        = flag.Int("national.batch", 10000, "changes per Apply (one transaction) when loading Neo4j, as import -batch")
	storeTimeoutFlag = flag.Duration("national.store-timeout", 5*time.Second, "the guard's bound on every Neo4j call, as serve -store-timeout")
	neo4jPidFlag     = flag.Int("national.neo4j-pid", 0, "the process id of NEO4J_URI's server, to report its CPU per request (a local Neo4j's is known)")
)

const (
	storeBolt  = "bolt"
	storeNeo4j = "neo4j"
)

// stores are the stores -national.store names.
func stores(b *testing.B) []string {
	switch *storeFlag {
	case storeBolt, storeNeo4j:
		return []string{*storeFlag}
	case "both":
		return []string{storeBolt, storeNeo4j}
	}
	b.Fatalf("-national.store %q: give bolt, neo4j or both", *storeFlag)
	return nil
}

// The Neo4j the benchmarks run against: one local server at a time (the
// current scale's), or NEO4J_URI's.
var neo struct {
	server *neo4jlocal.Server
	scale  float64
}

// importTxTimeout is the import's bound on one batch's transaction
// (cmd/regiongraph importTxTimeout).
const importTxTimeout = 10 * time.Minute

// openTimeout is serve's -open-timeout default.
const openTimeout = 10 * time.Second

// neo4jEnv returns the Neo4j for scale and its JVM's pid (0 when unknown),
// starting a local one (and stopping the previous scale's) unless
// NEO4J_URI is set. fixMu is held.
func neo4jEnv(b *testing.B, scale float64, dir string) (neo4jlocal.Env, int) {
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		return neo4jlocal.Env{URI: uri, User: os.Getenv("NEO4J_USER"), Password: os.Getenv("NEO4J_PASSWORD"), Database: os.Getenv("NEO4J_DATABASE")}, *neo4jPidFlag
	}
	if neo.server != nil && neo.scale == scale {
		return neo4jlocal.Env{URI: neo.server.URI}, neo.server.Pid()
	}
	if neo.server != nil {
		// One JVM at a time: the fixtures on the previous scale's server
		// go with it (asked for again, they start it again).
		for k, f := range fixtures {
			if k.store == storeNeo4j {
				f.close()
				delete(fixtures, k)
			}
		}
		if err := neo.server.Stop(time.Minute); err != nil {
			b.Fatal(err)
		}
		neo.server = nil
	}
	if missing := neo4jlocal.MissingTools(); missing != "" {
		b.Fatalf("-national.store %s needs NEO4J_URI or a local Neo4j: %s", *storeFlag, missing)
	}
	// The national graph needs more than the launcher's default heap
	// (512m), and a benchmark measures the JVM with both its compilers
	// (neo4jlocal gives a test binary the quick one alone).
	for k, v := range map[string]string{"NEO4J_LOCAL_HEAP": "2g", "NEO4J_LOCAL_JIT": "full"} {
		if os.Getenv(k) == "" {
			_ = os.Setenv(k, v)
		}
	}
	s, err := neo4jlocal.Start(context.Background(), neo4jlocal.Options{Data: filepath.Join(dir, fmt.Sprintf("neo4j-%g-%d", scale, *seedFlag))})
	if err != nil {
		b.Fatal(err)
	}
	neo.server, neo.scale = s, scale
	b.Logf("local Neo4j at %s (pid %d, heap %s) started in %v", s.URI, s.Pid(), os.Getenv("NEO4J_LOCAL_HEAP"), s.StartedIn.Round(100*time.Millisecond))
	return neo4jlocal.Env{URI: s.URI}, s.Pid()
}

// stopNeo4j stops the local Neo4j, if one runs (TestMain).
func stopNeo4j() error {
	if neo.server == nil {
		return nil
	}
	err := neo.server.Stop(time.Minute)
	neo.server = nil
	return err
}

// neo4jFixture loads g into Neo4j (unless the database holds it already)
// and serves it as serve does. fixMu is held.
func neo4jFixture(b *testing.B, scale float64, g *Graph, dir string) *fixture {
	ctx := context.Background()
	env, pid := neo4jEnv(b, scale, dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := neo4jstore.Config{URI: env.URI, User: env.User, Password: env.Password, Database: env.Database}
	// The import's store: its transactions bounded as an import's.
	icfg := cfg
	icfg.QueryTimeout = importTxTimeout
	imp, err := neo4jstore.Open(ctx, icfg)
	if err != nil {
		b.Fatal(err)
	}
	f := &fixture{kind: storeNeo4j, g: g, store: imp, pid: pid, closers: []func() error{imp.Close}}
	v, err := imp.GraphVersion(ctx)
	if err != nil {
		f.close()
		b.Fatal(err)
	}
	// A database holding this graph (the benchmark's edits add partner
	// relations only) is used as it is; anything else is emptied first.
	if v.Nodes != len(g.Nodes) || v.Relations < len(g.Edges) {
		if v.Nodes > 0 || v.Relations > 0 {
			b.Logf("the database holds %d nodes and %d relations, not this graph: emptying it", v.Nodes, v.Relations)
			if err := neo4jlocal.Clear(ctx, env); err != nil {
				f.close()
				b.Fatal(err)
			}
		}
		start, startCPU, startNeo := time.Now(), cpuTime(), procCPU(pid)
		for i, batch := range importBatches(g, *batchFlag) {
			if _, err := imp.Apply(ctx, batch); err != nil {
				f.close()
				b.Fatalf("batch %d of %d changes: %v", i+1, len(batch), err)
			}
		}
		f.load, f.loadCPU, f.loadNeoCPU = time.Since(start), cpuTime()-startCPU, procCPU(pid)-startNeo
	}
	// The server's store as serve opens it (cmd/regiongraph openNeo4j):
	// serve's configuration (the open timeout, the store's default query
	// timeout), connected in the background by a storeguard.Retrying,
	// behind a storeguard.Guard.
	lim := benchLimits()
	open := func(ctx context.Context) (rg.Store, error) {
		scfg := cfg
		scfg.ConnectTimeout = openTimeout
		ctx, cancel := context.WithTimeout(ctx, openTimeout)
		defer cancel()
		return neo4jstore.Open(ctx, scfg)
	}
	// The guard's and the connection's warnings (a call past its
	// timeout, the guard opening) go to stderr, as serve logs them.
	warn := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	conn := storeguard.NewRetrying(ctx, open, warn)
	guarded := storeguard.New(conn, storeguard.Options{CallTimeout: *storeTimeoutFlag, WholeGraphTimeout: lim.AnalysisTimeout, Logger: warn})
	f.closers = append(f.closers, guarded.Close)
	// Serving starts once the store is connected (as a load test waits
	// for /readyz; asked of the connection, not of the guard, which a
	// store not yet connected would open).
	for deadline := time.Now().Add(2 * time.Minute); ; {
		err := conn.Ready(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			f.close()
			b.Fatalf("the served store is not ready after 2 minutes: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.h = gqlhttp.NewHandler(guarded, gqlhttp.Options{Logger: quiet, Limits: lim})
	b.Logf("neo4j, scale %g: %d nodes, %d relations; loaded in %v (CPU: %v ours, %v Neo4j's) in batches of %d; load average %s",
		scale, len(g.Nodes), len(g.Edges), f.load.Round(time.Millisecond), f.loadCPU.Round(time.Millisecond), f.loadNeoCPU.Round(10*time.Millisecond), *batchFlag, loadAvg())
	return f
}

// importBatches are g's upserts as `regiongraph import` applies a file of
// more than one batch: every node and then every relation, each in id
// order, in batches of at most n changes.
func importBatches(g *Graph, n int) [][]rg.Change {
	nodes, edges := slices.Clone(g.Nodes), slices.Clone(g.Edges)
	slices.SortFunc(nodes, func(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(edges, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
	all := make([]rg.Change, 0, len(nodes)+len(edges))
	for _, x := range nodes {
		all = append(all, rg.Change{Op: rg.OpUpsertNode, Node: x.Clone()})
	}
	for _, e := range edges {
		all = append(all, rg.Change{Op: rg.OpUpsertEdge, Edge: e.Clone()})
	}
	return slices.Collect(slices.Chunk(all, n))
}

// procCPU is the user + system CPU time of process pid and its threads
// (/proc/PID/stat), 0 for pid 0 or where it cannot be read.
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	d, err := parseStatCPU(string(b))
	if err != nil {
		return 0
	}
	return d
}

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// parseStatCPU reads utime + stime (fields 14 and 15) of a /proc/PID/stat
// line. The command (field 2) is in parentheses and may hold spaces and
// parentheses: the fields are counted after its last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("no command in parentheses")
	}
	fields := strings.Fields(stat[i+1:]) // from field 3 (state) on
	if len(fields) < 13 {
		return 0, fmt.Errorf("%d fields after the command, want at least 13", len(fields))
	}
	var ticks int64
	for _, s := range fields[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("utime/stime %q: %w", s, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// loadAvg is the machine's load average (1, 5, 15 minutes).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// load1 is the 1-minute load average, -1 where unknown.
func load1() float64 {
	v, err := strconv.ParseFloat(strings.Fields(loadAvg() + " ")[0], 64)
	if err != nil {
		return -1
	}
	return v
}
