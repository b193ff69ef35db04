// Command neo4jfloor measures the floor of an import into Neo4j on the
// machine: the dataset's nodes (:Entity and their kind, id and name) and
// relationships (their type and id), each written by bare UNWIND ... CREATE
// statements of -batch rows, one transaction each, with none of what the
// store adds (no reads, no other properties, no history, no checks). What
// the store's import costs above it is the store's own work.
//
//	python3 ../shared/bench/national/gen_national.py --scale 1 -o /tmp/national.yaml --meta /tmp/meta.json
//	NEO4J_LOCAL_PORT=7698 NEO4J_LOCAL_DATA=/tmp/floor-data scripts/neo4j-local start
//	go run ./bench/national/neo4jfloor -uri neo4j://127.0.0.1:7698 -pid "$(cat /tmp/floor-data/neo4j-local.pid)" /tmp/national.yaml
//
// The database must be empty of nodes (a scratch database: the command
// writes into it and deletes nothing); it needs the store's schema (run
// "regiongraph import" of an empty file, or let -schema create the id
// constraints). With -pid (Neo4j's process id) it also reports Neo4j's CPU
// time per phase, read from /proc: on a shared machine the wall time
// depends on the load, the CPU time much less.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/dataset"
)

func main() {
	if err := run(); err != nil {
		slog.Error("neo4jfloor", "err", err)
		os.Exit(1)
	}
}

func run() error {
	uri := flag.String("uri", "neo4j://127.0.0.1:7687", "Neo4j's Bolt URI (no authentication)")
	pid := flag.Int("pid", 0, "Neo4j's process id, to report its CPU time (Linux)")
	batch := flag.Int("batch", 10000, "rows per statement and transaction")
	schema := flag.Bool("schema", false, "create the id uniqueness constraints first (:Entity and every relationship type)")
	flag.Parse()
	if flag.NArg() != 1 {
		return errors.New("usage: neo4jfloor [flags] national.yaml")
	}
	b, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		return err
	}
	ds, err := dataset.ParseLarge(b, flag.Arg(0))
	if err != nil {
		return err
	}
	ctx := context.Background()
	d, err := neo4j.NewDriverWithContext(*uri, neo4j.NoAuth())
	if err != nil {
		return err
	}
	defer func() { _ = d.Close(ctx) }()
	write := func(q string, params map[string]any) error {
		s := d.NewSession(ctx, neo4j.SessionConfig{})
		defer func() { _ = s.Close(ctx) }()
		_, err := s.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			r, err := tx.Run(ctx, q, params)
			if err != nil {
				return nil, err
			}
			return r.Consume(ctx)
		})
		return err
	}
	res, err := neo4j.ExecuteQuery(ctx, d, "MATCH (n) RETURN count(n) AS n", nil, neo4j.EagerResultTransformer)
	if err != nil {
		return err
	}
	if n, _ := res.Records[0].Get("n"); n.(int64) != 0 {
		return fmt.Errorf("the database holds %d nodes: give an empty one", n)
	}
	if *schema {
		qs := []string{"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE"}
		for _, k := range rg.RelKinds {
			qs = append(qs, fmt.Sprintf("CREATE CONSTRAINT %s_id_unique IF NOT EXISTS FOR ()-[r:%s]-() REQUIRE r.id IS UNIQUE", strings.ToLower(string(k)), k))
		}
		qs = append(qs, "CALL db.awaitIndexes(300)")
		for _, q := range qs {
			if err := write(q, nil); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
	}
	phase := func(what string, n int, f func() error) error {
		c0, l0, t0 := cpuSeconds(*pid), load(), time.Now()
		if err := f(); err != nil {
			return err
		}
		wall, c := time.Since(t0).Seconds(), cpuSeconds(*pid)-c0
		fmt.Printf("%-13s %7d in %6.1f s wall (%6.0f/s)", what, n, wall, float64(n)/wall)
		if *pid > 0 {
			fmt.Printf(", Neo4j CPU %5.1f s (%6.0f per CPU second)", c, float64(n)/c)
		}
		fmt.Printf(", load %s -> %s\n", l0, load())
		return nil
	}
	nodes := map[rg.Kind][]any{}
	for _, n := range ds.Nodes {
		nodes[n.Kind] = append(nodes[n.Kind], map[string]any{"id": n.ID, "name": n.Name})
	}
	edges := map[rg.RelKind][]any{}
	for _, e := range ds.Edges {
		edges[e.Kind] = append(edges[e.Kind], map[string]any{"id": e.ID, "from": e.From, "to": e.To})
	}
	if err := phase("nodes", len(ds.Nodes), func() error {
		for _, k := range rg.Kinds {
			for rows := range slices.Chunk(nodes[k], *batch) {
				if err := write("UNWIND $rows AS r CREATE (n:Entity:"+string(k)+" {id: r.id, name: r.name})", map[string]any{"rows": rows}); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return phase("relationships", len(ds.Edges), func() error {
		for _, k := range rg.RelKinds {
			for rows := range slices.Chunk(edges[k], *batch) {
				q := "UNWIND $rows AS e MATCH (a:Entity {id: e.from}) MATCH (b:Entity {id: e.to}) CREATE (a)-[:" + string(k) + " {id: e.id}]->(b)"
				if err := write(q, map[string]any{"rows": rows}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// cpuSeconds is the user and system CPU time of process pid (0: none).
func cpuSeconds(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100 // clock ticks: 100 per second on Linux
}

// load is the one-minute load average.
func load() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
