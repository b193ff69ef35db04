package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/storetest"
)

func openBolt(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path, boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// An import in batches of a few hundred changes gives the store the bundled
// dataset exactly as one batch does, says how far it got on stderr, and a
// second run changes nothing.
func TestImportInBatches(t *testing.T) {
	dir := t.TempDir()
	one, batched := filepath.Join(dir, "one.db"), filepath.Join(dir, "batched.db")
	if _, stderr, printed, code := runApp(t, nil, "import", "-data", one); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, printed, stderr)
	}
	stdout, stderr, printed, code := runApp(t, nil, "import", "-data", batched, "-batch", "300")
	if code != 0 {
		t.Fatalf("import -batch 300: exit %d: %s %s", code, printed, stderr)
	}
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	total := len(ds.Nodes) + len(ds.Edges)
	n := (total + 299) / 300
	if !strings.Contains(stderr, "batch 1 of ") || !strings.Contains(stderr, "changes 1 to 300 of ") ||
		strings.Count(stderr, "applied (changes") != n {
		t.Errorf("progress on stderr, want %d batches:\n%s", n, stderr)
	}
	if !strings.Contains(stdout, "imported") {
		t.Errorf("stdout:\n%s", stdout)
	}
	want := storetest.TakeSnapshot(t, openBolt(t, one))
	got := openBolt(t, batched)
	storetest.WantSnapshot(t, got, want)
	if h := storetest.HistoryLen(t, got, ""); h != total {
		t.Errorf("history of the batched import: %d entries, want one per change (%d)", h, total)
	}
}

// failingStore fails the Apply of one batch, as a full disk would.
type failingStore struct {
	rg.Store
	calls, failAt int
	code          string // of the error; UNAVAILABLE when empty
}

func (f *failingStore) Apply(ctx context.Context, cs []rg.Change) (rg.ApplyResult, error) {
	f.calls++
	if f.calls == f.failAt {
		if f.code != "" {
			return rg.ApplyResult{}, &rg.Error{Code: f.code, Field: "changes[7].node.id", Message: "refused"}
		}
		return rg.ApplyResult{}, rg.Errorf(rg.EUNAVAILABLE, "cannot reach the database")
	}
	return f.Store.Apply(ctx, cs)
}

// A batch the store refuses is not applied, and the error names the
// change of the file it refused.
func TestImportRefusedBatch(t *testing.T) {
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	s := openBolt(t, filepath.Join(t.TempDir(), "store.db"))
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	_, err = a.importBatches(context.Background(), &failingStore{Store: s, failAt: 2, code: rg.ECONFLICT}, ds, "k.yaml", 200)
	for _, want := range []string{"batch 2 of ", "at change 208 of the file (relation ", "nothing of it was applied", "the batch before it (changes 1 to 200"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
}

// A batch that fails part way through an import leaves the batches before
// it applied, and the error says which batch failed, what is applied and
// that running the import again resumes; the same import run again then
// completes, and the store holds what one import in one batch gives.
func TestImportResumesAfterAFailedBatch(t *testing.T) {
	dir := t.TempDir()
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	ref := openBolt(t, filepath.Join(dir, "ref.db"))
	storetest.MustApply(t, ref, ds.Changes()...)

	s := openBolt(t, filepath.Join(dir, "store.db"))
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	_, err = a.importBatches(context.Background(), &failingStore{Store: s, failAt: 3}, ds, "k.yaml", 200)
	if err == nil {
		t.Fatal("the import did not fail")
	}
	if rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Errorf("code %q, want the store's UNAVAILABLE", rg.ErrorCode(err))
	}
	for _, want := range []string{"batch 3 of ", "changes 401 to 600 of ", "it may or may not have been applied", "the 2 batches before it (changes 1 to 400: 400 created", "run the same import again to resume"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if v, _ := s.GraphVersion(context.Background()); v.Nodes+v.Relations != 400 {
		t.Errorf("after the failed batch the store holds %d nodes and relations, want the 400 of the first two batches", v.Nodes+v.Relations)
	}
	res, err := a.importBatches(context.Background(), s, ds, "k.yaml", 200)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != 400 || res.Created != len(ds.Nodes)+len(ds.Edges)-400 {
		t.Errorf("the import run again: %+v, want 400 unchanged and the rest created", res)
	}
	storetest.WantSnapshot(t, s, storetest.TakeSnapshot(t, ref))
}

// A file that makes a stored node another kind, or a stored relation
// another kind or ends, is refused before anything is written, naming
// them.
func TestImportRefusesConflictsWithTheStore(t *testing.T) {
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	s := openBolt(t, filepath.Join(t.TempDir(), "store.db"))
	n := ds.Nodes[len(ds.Nodes)-1]
	e := ds.Edges[len(ds.Edges)-1]
	other := rg.KindTopic
	if n.Kind == other {
		other = rg.KindPartner
	}
	node := &rg.Node{ID: n.ID, Kind: other, Name: "x", Source: rg.Source{Outside: true, Reference: "r"}}
	a1 := &rg.Node{ID: "conflict-a", Kind: rg.KindPartner, Name: "a", Source: node.Source}
	a2 := &rg.Node{ID: "conflict-b", Kind: rg.KindPartner, Name: "b", Source: node.Source}
	storetest.MustApply(t, s, storetest.CreateNodes(node, a1, a2)...)
	storetest.MustApply(t, s, storetest.CreateEdges(&rg.Edge{ID: e.ID, Kind: rg.RelPartnerOf, From: "conflict-a", To: "conflict-b", Source: node.Source})...)
	before := storetest.HistoryLen(t, s, "")

	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	_, err = a.importBatches(context.Background(), s, ds, "k.yaml", 100)
	if rg.ErrorCode(err) != rg.EBADINPUT {
		t.Fatalf("error %v, want BAD_USER_INPUT", err)
	}
	msg := err.Error()
	for _, want := range []string{"2 nodes and relations of the file conflict with the store, nothing was imported", "node " + `"` + n.ID + `" is a ` + string(other), "relation " + `"` + e.ID + `" is PARTNER_OF conflict-a -> conflict-b`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	if after := storetest.HistoryLen(t, s, ""); after != before {
		t.Errorf("the refused import wrote %d history entries", after-before)
	}
	var e2 *rg.Error
	if !errors.As(err, &e2) {
		t.Errorf("not a *regiongraph.Error: %T", err)
	}
}
