package boltstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/storetest"
)

func quiet() boltstore.Options {
	return boltstore.Options{Timeout: 200 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
}

func openAt(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path, quiet())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) rg.Store {
		return openAt(t, filepath.Join(t.TempDir(), "store.db"))
	})
}

// richGraph has every optional field of nodes and relations.
func richGraph() storetest.Graph {
	org := storetest.N("org", rg.KindRegion, "Org")
	org.Aliases = []string{"O"}
	plan := storetest.N("plan-2020", rg.KindPlan, "Plan")
	plan.PlanYear, plan.Adopted = storetest.Int(2020), "2020-01"
	return storetest.Graph{
		Nodes: []*rg.Node{org, plan, storetest.FullInitiative("init"), storetest.Partner("lone")},
		Edges: []*rg.Edge{
			storetest.FullEdge("funds", "org", "init"),
			storetest.E("in-plan", rg.RelInPlan, "init", "plan-2020"),
			storetest.EY("coord", rg.RelCoordinates, "org", "init", nil, storetest.Int(2030)),
		},
	}
}

func TestReopenRestoresEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := boltstore.Open(path, quiet())
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, s, richGraph())
	storetest.MustApply(t, s,
		rg.Change{Op: rg.OpDeleteNode, ID: "lone"},
		rg.Change{Op: rg.OpUpdateEdge, Edge: storetest.EY("coord", rg.RelCoordinates, "org", "init", storetest.Int(2019), nil)},
	)
	before := storetest.TakeSnapshot(t, s)
	if len(before.Nodes) != 3 || len(before.Edges) != 3 {
		t.Fatalf("before close: %d nodes, %d relations", len(before.Nodes), len(before.Edges))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path)
	if s.Empty() {
		t.Fatal("reopened store is empty")
	}
	storetest.WantSnapshot(t, s, before)
	// The adjacency is rebuilt too.
	es, err := s.Edges(context.Background(), rg.EdgeFilter{NodeIDs: []string{"init"}, Direction: rg.In, Year: storetest.Int(2020)})
	if err != nil {
		t.Fatal(err)
	}
	storetest.WantIDs(t, "relations into init in 2020", storetest.EdgeIDs(es), []string{"coord", "funds"})
}

func TestEmpty(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "store.db"))
	if !s.Empty() {
		t.Fatal("new store is not empty")
	}
	storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("a"))...)
	if s.Empty() {
		t.Fatal("store with a node is empty")
	}
}

func TestFailedApplyLeavesTheFileUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := boltstore.Open(path, quiet())
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, s, richGraph())
	before := storetest.TakeSnapshot(t, s)
	_, err = s.Apply(context.Background(), []rg.Change{
		{Op: rg.OpCreateNode, Node: storetest.Partner("new")},
		{Op: rg.OpDeleteNode, ID: "org", Detach: true},
		{Op: rg.OpCreateEdge, Edge: storetest.PartnerOf("bad", "new", "missing")},
	})
	storetest.WantCode(t, err, rg.ENOTFOUND)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path)
	storetest.WantSnapshot(t, s, before)
}

func TestClosedStoreIsUnavailable(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), quiet())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	_, err = s.Nodes(context.Background(), []string{"a"})
	storetest.WantCode(t, err, rg.EUNAVAILABLE)
	_, err = s.Apply(context.Background(), storetest.CreateNodes(storetest.Partner("a")))
	storetest.WantCode(t, err, rg.EUNAVAILABLE)
}

func TestCanceledContext(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "store.db"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Apply(ctx, storetest.CreateNodes(storetest.Partner("a"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply with a canceled context: %v", err)
	}
	if _, err := s.FindNodes(ctx, rg.NodeFilter{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("FindNodes with a canceled context: %v", err)
	}
	if !s.Empty() {
		t.Fatal("canceled Apply wrote")
	}
}

// wantOpenError opens path, expects an error naming the file and
// containing one of the "|"-separated wants, and checks that the file's
// bytes did not change.
func wantOpenError(t *testing.T, path, want string) {
	t.Helper()
	before, readErr := os.ReadFile(path)
	s, err := boltstore.Open(path, quiet())
	if err == nil {
		_ = s.Close()
		t.Fatalf("Open(%s) succeeded", path)
	}
	says := false
	for _, w := range strings.Split(want, "|") {
		says = says || strings.Contains(err.Error(), w)
	}
	if !strings.HasPrefix(err.Error(), "boltstore: open "+path+": ") || !says {
		t.Fatalf("Open error %q, want it to name %s and say %q", err, path, want)
	}
	// Go's own words (a memory fault read as a nil dereference) mean
	// nothing to whoever reads this.
	for _, leak := range []string{"runtime error", "nil pointer", "invalid memory address"} {
		if strings.Contains(err.Error(), leak) {
			t.Fatalf("Open error %q shows Go's %q", err, leak)
		}
	}
	if readErr == nil {
		after, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(before, after) {
			t.Fatalf("Open changed the file (%v)", err)
		}
	}
}

func TestOpenRandomBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "random.db")
	data := make([]byte, 64<<10)
	_, _ = rand.Read(data)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	wantOpenError(t, path, "not a valid bbolt file")
}

func TestOpenTruncatedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "store.db")
	s, err := boltstore.Open(path, quiet())
	if err != nil {
		t.Fatal(err)
	}
	var g storetest.Graph
	for i := range 2000 {
		g.Nodes = append(g.Nodes, storetest.FullInitiative(fmt.Sprintf("init-%04d", i)))
	}
	storetest.Load(t, s, g)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.db")
	if len(data) < 1<<20 {
		t.Fatalf("file of %d bytes, want more than 1 MiB", len(data))
	}
	// Cut at every page boundary from the third page to half the file, and
	// at one odd size: each is reported as truncated, with the sizes.
	for _, n := range []int{2 * 4096, 3 * 4096, 16 << 10, 64 << 10, 100000, len(data) / 2} {
		if err := os.WriteFile(cut, data[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		wantOpenError(t, cut, fmt.Sprintf("truncated: %d bytes, the database needs", n))
	}
}

func TestOpenCorruptPages(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "store.db")
	s, err := boltstore.Open(path, quiet())
	if err != nil {
		t.Fatal(err)
	}
	var g storetest.Graph
	for i := range 500 {
		g.Nodes = append(g.Nodes, storetest.FullInitiative(fmt.Sprintf("init-%04d", i)))
	}
	storetest.Load(t, s, g)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Overwrite everything after the two meta pages and the first few
	// pages with garbage, keeping the length.
	junk := make([]byte, len(data)-6*4096)
	_, _ = rand.Read(junk)
	copy(data[6*4096:], junk)
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, data, 0o600); err != nil {
		t.Fatal(err)
	}
	wantOpenError(t, bad, "corrupt file|not a valid bbolt file")
}

func TestOpenNotAStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("something")); return err }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wantOpenError(t, path, "not a regiongraph store")
}

func TestOpenDirectory(t *testing.T) {
	wantOpenError(t, t.TempDir(), "not a regular file")
}

func TestOpenMissingDirectory(t *testing.T) {
	wantOpenError(t, filepath.Join(t.TempDir(), "nope", "store.db"), "no such file or directory")
}

func TestOpenPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode; permission denied cannot be provoked")
	}
	path := filepath.Join(t.TempDir(), "store.db")
	s := openAt(t, path)
	storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("a"))...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(path, 0o600) })
	wantOpenError(t, path, "permission denied")
}

func TestSecondOpenIsInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := openAt(t, path)
	storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("a"))...)
	start := time.Now()
	_, err := boltstore.Open(path, boltstore.Options{Timeout: 300 * time.Millisecond, Logger: quiet().Logger})
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), path) {
		t.Fatalf("second Open: %v, want an in-use error naming the file", err)
	}
	// It waited for the lock before giving up. Only a lower bound is
	// checked (bbolt gives up one lock retry, 50ms, before the timeout): a
	// loaded machine makes it later, never earlier.
	if took < 200*time.Millisecond {
		t.Fatalf("second Open gave up after %s, without waiting for the 300ms timeout", took)
	}
	t.Logf("second Open gave up after %s (timeout 300ms): %v", took.Round(time.Millisecond), err)
	// The first store still works.
	if got, err := s.Nodes(context.Background(), []string{"a"}); err != nil || len(got) != 1 {
		t.Fatalf("first store after the second Open: %v, %v", got, err)
	}
}

func TestOpenEmptyFileCreatesStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	if !s.Empty() {
		t.Fatal("store from an empty file is not empty")
	}
	storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("a"))...)
}

func TestOpenDoesNotWriteAnExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := boltstore.Open(path, quiet())
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, s, richGraph())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err = boltstore.Open(path, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindNodes(context.Background(), rg.NodeFilter{Text: "bredbånd"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("opening and reading changed the file (%v)", err)
	}
}

// Every read that walks a node's relations sees a relation's latest value
// and none deleted, whether the change came in a batch (put many at once)
// or alone, and after the file is opened again (issue 14: the adjacency
// lists hold the stored relations themselves, not their ids).
func TestWalksSeeTheLatestRelations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "walks.db")
	s := openAt(t, path)
	g := storetest.Graph{Nodes: []*rg.Node{storetest.Partner("hub")}}
	for i := range 100 {
		g.Nodes = append(g.Nodes, storetest.Partner(fmt.Sprintf("p-%03d", i)))
		g.Edges = append(g.Edges, storetest.PartnerOf(fmt.Sprintf("r-%03d", i), "hub", fmt.Sprintf("p-%03d", i)))
	}
	storetest.Load(t, s, g)
	want := map[string]string{} // relation id -> role
	for _, e := range g.Edges {
		want[e.ID] = ""
	}
	var batch []rg.Change
	for _, e := range g.Edges[:70] {
		c := e.Clone()
		c.Role = "batch"
		want[c.ID] = c.Role
		batch = append(batch, rg.Change{Op: rg.OpUpdateEdge, Edge: c})
	}
	batch = append(batch, rg.Change{Op: rg.OpDeleteEdge, ID: "r-099"})
	delete(want, "r-099")
	storetest.MustApply(t, s, batch...)
	one := g.Edges[80].Clone()
	one.Role = "alone"
	want[one.ID] = one.Role
	storetest.MustApply(t, s, rg.Change{Op: rg.OpUpdateEdge, Edge: one})

	check := func(t *testing.T, s *boltstore.Store) {
		t.Helper()
		ctx := context.Background()
		same := func(what string, es []*rg.Edge) {
			t.Helper()
			got := map[string]string{}
			for _, e := range es {
				got[e.ID] = e.Role
			}
			if len(got) != len(want) {
				t.Errorf("%s: %d relations, want %d", what, len(got), len(want))
			}
			for id, role := range want {
				if r, ok := got[id]; !ok || r != role {
					t.Errorf("%s: %s has role %q (listed %v), want %q", what, id, r, ok, role)
				}
			}
		}
		es, err := s.Edges(ctx, rg.EdgeFilter{NodeIDs: []string{"hub"}})
		if err != nil {
			t.Fatal(err)
		}
		same("Edges of hub", es)
		x, err := s.Expand(ctx, rg.EdgeFilter{NodeIDs: []string{"hub"}})
		if err != nil {
			t.Fatal(err)
		}
		same("Expand of hub", x.Edges)
		sg, err := s.Subgraph(ctx, rg.SubgraphFilter{Roots: []string{"hub"}, Depth: 1})
		if err != nil {
			t.Fatal(err)
		}
		same("Subgraph around hub", sg.Edges)
		ps, err := s.ShortestPaths(ctx, "p-000", "p-080", rg.PathOptions{MaxHops: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 1 || len(ps[0].Edges) != 2 || ps[0].Edges[0].Role != "batch" || ps[0].Edges[1].Role != "alone" {
			t.Errorf("ShortestPaths p-000 to p-080 = %+v, want one path by r-000 (batch) and r-080 (alone)", ps)
		}
		if ps, err := s.ShortestPaths(ctx, "p-000", "p-099", rg.PathOptions{MaxHops: 4}); err != nil || len(ps) != 0 {
			t.Errorf("ShortestPaths to p-099, whose relation is deleted = %d paths, %v; want none", len(ps), err)
		}
	}
	t.Run("in memory", func(t *testing.T) { check(t, s) })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	t.Run("opened again", func(t *testing.T) { check(t, openAt(t, path)) })
}
