package boltstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/auth"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/server"
	"github.com/regiongraph/regiongraph/storetest"
)

// writeFaults are the ways the disk or the file system refuses a write,
// shaped as the os package and bbolt return them (with the file's path in
// the error, which must not reach the client).
func writeFaults(path string) map[string]struct {
	fault func() error
	cause string
} {
	pathErr := func(op string, errno syscall.Errno) func() error {
		return func() error { return &os.PathError{Op: op, Path: path, Err: errno} }
	}
	return map[string]struct {
		fault func() error
		cause string
	}{
		"DiskFull":       {pathErr("write", syscall.ENOSPC), "the disk is full"},
		"DiskFullOnSync": {func() error { return syscall.ENOSPC }, "the disk is full"},
		"QuotaExceeded":  {pathErr("truncate", syscall.EDQUOT), "quota"},
		"ReadOnlyFS":     {pathErr("write", syscall.EROFS), "read-only"},
		"IOError":        {pathErr("write", syscall.EIO), "read or write error"},
	}
}

// TestWriteFailuresAreUnavailable: a write the disk or the file system
// refuses is UNAVAILABLE with a message naming the cause and not the file,
// changes nothing, and Ready reports the store not ready for writes until a
// write succeeds. Before, the write was an opaque INTERNAL and the store
// always ready.
func TestWriteFailuresAreUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := openAt(t, path)
	storetest.Load(t, s, richGraph())
	ctx := context.Background()
	for name, f := range writeFaults(path) {
		t.Run(name, func(t *testing.T) {
			before := storetest.TakeSnapshot(t, s)
			history := storetest.HistoryLen(t, s, "")
			boltstore.FailWrites(s, f.fault)
			_, err := s.Apply(ctx, storetest.CreateNodes(storetest.Partner("p-"+strings.ToLower(name))))
			wantUnwritable(t, err, f.cause, path)
			storetest.WantSnapshot(t, s, before)
			if n := storetest.HistoryLen(t, s, ""); n != history {
				t.Errorf("history has %d entries, want %d", n, history)
			}
			wantUnwritable(t, s.Ready(ctx), f.cause, path)
			if msg := rg.ErrorMessage(s.Ready(ctx)); !strings.Contains(msg, "not ready for writes") {
				t.Errorf("Ready: %q does not say it is not ready for writes", msg)
			}
			boltstore.FailWrites(s, nil)
			storetest.MustApply(t, s, storetest.CreateNodes(storetest.Partner("p-"+strings.ToLower(name)))...)
			if err := s.Ready(ctx); err != nil {
				t.Errorf("Ready after a write succeeded: %v", err)
			}
		})
	}
	t.Run("OpenReadOnly", func(t *testing.T) {
		// bbolt's own refusal, not an injected one.
		path := filepath.Join(t.TempDir(), "ro.db")
		s := openAt(t, path)
		storetest.Load(t, s, richGraph())
		if err := boltstore.ReopenReadOnly(s); err != nil {
			t.Fatal(err)
		}
		_, err := s.Apply(ctx, storetest.CreateNodes(storetest.Partner("ro")))
		wantUnwritable(t, err, "read-only", path)
		wantUnwritable(t, s.Ready(ctx), "read-only", path)
	})
}

func wantUnwritable(t *testing.T, err error, cause, path string) {
	t.Helper()
	if rg.ErrorCode(err) != rg.EUNAVAILABLE {
		t.Fatalf("error %v, want UNAVAILABLE", err)
	}
	msg := rg.ErrorMessage(err)
	if !strings.Contains(msg, cause) {
		t.Errorf("message %q does not name the cause %q", msg, cause)
	}
	if strings.Contains(msg, path) || strings.Contains(msg, filepath.Base(path)) || strings.Contains(msg, "/") {
		t.Errorf("message %q names the file", msg)
	}
}

// TestWriteFailureThroughTheServer: with the disk full, a mutation by an
// editor answers UNAVAILABLE naming the cause (no path), and /readyz is
// 503 "not ready for writes"; once writes work again, both recover.
func TestWriteFailureThroughTheServer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := openAt(t, path)
	storetest.Load(t, s, richGraph())
	tokens, err := auth.Load("", "alice:editor:"+auth.Hash("editor-token"), "test")
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(s, server.Config{Tokens: tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	mutation := func(id string) (int, map[string]any) {
		body, _ := json.Marshal(map[string]any{"query": `mutation($in: PartnerInput!) { createPartner(input: $in) { id } }`,
			"variables": map[string]any{"in": map[string]any{"id": id, "name": "Ny partner", "source": map[string]any{"outside": true, "reference": "test"}}}})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer editor-token")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s: %v", rec.Body.String(), err)
		}
		return rec.Code, out
	}
	readyz := func() (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code, rec.Body.String()
	}

	boltstore.FailWrites(s, func() error { return &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC} })
	_, out := mutation("partner-full")
	errs, _ := out["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("disk full: %v, want one error", out)
	}
	e := errs[0].(map[string]any)
	msg, _ := e["message"].(string)
	if code := e["extensions"].(map[string]any)["code"]; code != rg.EUNAVAILABLE || !strings.Contains(msg, "the disk is full") || strings.Contains(msg, "/") {
		t.Errorf("disk full: code %v, message %q; want UNAVAILABLE naming the full disk and no path", code, msg)
	}
	if status, body := readyz(); status != http.StatusServiceUnavailable || !strings.Contains(body, "not ready for writes") || !strings.Contains(body, "the disk is full") || strings.Contains(body, "/") {
		t.Errorf("/readyz with the disk full: %d %q", status, body)
	}

	boltstore.FailWrites(s, nil)
	if status, out := mutation("partner-room"); status != http.StatusOK || out["errors"] != nil {
		t.Errorf("after room was made: %d %v", status, out)
	}
	if status, body := readyz(); status != http.StatusOK {
		t.Errorf("/readyz after a write succeeded: %d %q", status, body)
	}
}
