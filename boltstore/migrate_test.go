package boltstore

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/storetest"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func fileFormat(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	_ = db.View(func(tx *bolt.Tx) error { v = string(tx.Bucket(bucketMeta).Get(keyFormat)); return nil })
	return v
}

// A file of format 1 (JSON records, one index key per entry and id),
// written by the code of that format (testdata/format1.db, see
// testdata/gen_format1_test.go.txt), opens, is migrated to the current
// format and reads the same as a store that was given the same changes
// in the current format: every node and relation, the whole history and
// each id's history (deleted ones too), the graph version; and a change
// after the migration continues the history's numbering.
func TestMigrateFormat1(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "old.db")
	copyFile(t, "testdata/format1.db", path)
	if v := fileFormat(t, path); v != format1 {
		t.Fatalf("testdata/format1.db is of format %q", v)
	}
	quiet := slog.New(slog.DiscardHandler)

	want, err := Open(filepath.Join(dir, "new.db"), Options{Now: format1Clock(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	for _, b := range format1Batches() {
		if _, err := want.Apply(b.ctx, b.changes); err != nil {
			t.Fatal(err)
		}
	}

	got, err := Open(path, Options{Logger: quiet})
	if err != nil {
		t.Fatalf("Open of a format 1 file: %v", err)
	}
	defer got.Close()
	storetest.WantSnapshot(t, got, storetest.TakeSnapshot(t, want))
	if len(got.g.edges) == 0 || len(got.g.nodes) == 0 {
		t.Fatal("the migrated store is empty")
	}

	ids := []string{"", "lone", "lone-partner-of-org", "p-00-partner-of-org"}
	for id := range want.g.nodes {
		ids = append(ids, id)
	}
	for id := range want.g.edges {
		ids = append(ids, id)
	}
	for _, id := range ids {
		hw, hg := storetest.AllHistory(t, want, id), storetest.AllHistory(t, got, id)
		if len(hw) == 0 {
			t.Fatalf("no history of %q", id)
		}
		if !reflect.DeepEqual(hg, hw) {
			t.Errorf("history of %q after the migration:", id)
			for i := range max(len(hg), len(hw)) {
				var a, b *rg.HistoryEntry
				if i < len(hg) {
					a = hg[i]
				}
				if i < len(hw) {
					b = hw[i]
				}
				if !reflect.DeepEqual(a, b) {
					t.Errorf("  [%d] got  %+v\n       want %+v", i, a, b)
				}
			}
		}
	}
	vg, _ := got.GraphVersion(context.Background())
	vw, _ := want.GraphVersion(context.Background())
	if vg.Seq != vw.Seq || vg.Nodes != vw.Nodes || vg.Relations != vw.Relations || vg.Seq == 0 {
		t.Errorf("graph version after the migration %+v, want %+v", vg, vw)
	}

	storetest.MustApply(t, got, storetest.CreateNodes(storetest.Partner("after"))...)
	if h := storetest.AllHistory(t, got, "after"); len(h) != 1 || h[0].Seq != vw.Seq+1 {
		t.Errorf("history after the migration: %+v, want seq %d", h, vw.Seq+1)
	}
	if err := got.Close(); err != nil {
		t.Fatal(err)
	}
	if v := fileFormat(t, path); v != FormatVersion {
		t.Errorf("the file is of format %q after the migration, want %q", v, FormatVersion)
	}
	if _, err := os.Stat(path + ".migrating"); !os.IsNotExist(err) {
		t.Errorf("the migration left %s.migrating behind (%v)", path, err)
	}
	// Opened again, it is not migrated again and reads the same.
	again, err := Open(path, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n := storetest.HistoryLen(t, again, ""); n != int(vw.Seq)+1 {
		t.Errorf("history after reopening: %d entries, want %d", n, vw.Seq+1)
	}
}

// A format 1 file that cannot be migrated (a history entry that is not
// JSON) is an error, and the file is left exactly as it was, with no
// leftover of the attempt.
func TestFailedMigrationLeavesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	copyFile(t, "testdata/format1.db", path)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketHistory).Put(seqKey(3), []byte("{not json")) })
	if cerr := db.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{Logger: slog.New(slog.DiscardHandler), Timeout: 200 * time.Millisecond})
	if err == nil {
		_ = s.Close()
		t.Fatal("Open migrated a file with a broken history entry")
	}
	if !strings.Contains(err.Error(), "migrate from format 1") {
		t.Errorf("error %q does not say the migration failed", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the failed migration changed the file")
	}
	if _, err := os.Stat(path + ".migrating"); !os.IsNotExist(err) {
		t.Errorf("the failed migration left %s.migrating behind (%v)", path, err)
	}
}
