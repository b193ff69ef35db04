// Package e2e holds tests that run regiongraph whole.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph/auth"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/server"
)

var updateDocs = flag.Bool("update-docs", false, "copy the browser test's screenshots to docs/ (map.png, map-phone.png, explorer.png)")

// need reports a missing tool: under CI=true the test fails, elsewhere it
// is skipped with the reason.
func need(t *testing.T, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" && os.Getenv("CI") != "false" {
		t.Fatalf("the browser test needs %s (CI is set, so this fails instead of skipping; .ci/browser.sh installs it)", what)
	}
	t.Skipf("skipped: the browser test needs %s (run .ci/browser.sh)", what)
}

// startServer serves the bundled dataset from a fresh embedded store on
// 127.0.0.1:0, as `regiongraph serve` does, accepting one editor's token,
// and returns its base URL and the token.
func startServer(t *testing.T) (string, string) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "browser.db"), boltstore.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Apply(context.Background(), ds.Changes()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	token, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	list, err := auth.ParseList("browser-test:editor:"+auth.Hash(token), "the browser test")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.NewSet(list...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- server.Serve(ctx, ln, server.New(store, server.Config{Logger: log, Tokens: tokens}), log, 5*time.Second)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		if err := store.Close(); err != nil {
			t.Errorf("close the store: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), token
}

// TestBrowser runs e2e/browser/map.spec.mjs and explorer.spec.mjs
// (playwright-core driving Debian's chromium) against the server.
//
// The map: the page loads without console errors or failed requests, draws
// as many nodes as partnershipMap reports, opens details on click and from
// the keyboard, the year slider and a kind filter change what is drawn; plan
// and classification relations are off until one click; every actor is
// named and no names overlap; the two E134 nodes are told apart; every
// relation in the details has its own source; the year slider covers every
// year in the data; Fit zooms to the selection; on a phone every node is a
// target of at least 24 px and the details sheet leaves the selection in
// view.
//
// The explorer (GraphiQL): an example runs, a query typed with
// autocomplete runs and its result is shown, a wrong field is marked, the
// docs browser lists the schema, and the Bearer token field sends the token
// (a mutation refused without it is done with it).
//
// Screenshots go to e2e/browser/out; -update-docs copies them to docs/.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode")
	}
	nodeBin, err := exec.LookPath("node")
	need(t, err == nil, "node")
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err = os.Stat(chromium)
	need(t, err == nil, "chromium at "+chromium+" (apt-get install -y chromium)")
	_, err = os.Stat(filepath.Join("browser", "node_modules", "playwright-core", "package.json"))
	need(t, err == nil, "e2e/browser/node_modules (npm ci --prefix e2e/browser)")

	out, err := filepath.Abs(filepath.Join("browser", "out"))
	if err != nil {
		t.Fatal(err)
	}
	screenshots := map[string][]string{
		"map.spec.mjs":      {"map.png", "map-phone.png"},
		"explorer.spec.mjs": {"explorer.png"},
	}
	for _, spec := range []string{"map.spec.mjs", "explorer.spec.mjs"} {
		t.Run(spec, func(t *testing.T) {
			// Each spec gets a server of its own: the explorer's writes a node.
			base, token := startServer(t)
			for _, name := range screenshots[spec] {
				_ = os.Remove(filepath.Join(out, name))
			}
			ctx, cancel := testContext(t)
			defer cancel()
			cmd := reaped(ctx, nodeBin, spec)
			cmd.Dir = "browser"
			cmd.Env = append(os.Environ(), "BASE_URL="+base, "CHROMIUM="+chromium, "OUT_DIR="+out, "EDITOR_TOKEN="+token)
			var output bytes.Buffer
			cmd.Stdout, cmd.Stderr = &output, &output
			err := cmd.Run()
			t.Logf("%s:\n%s", spec, output.String())
			var exit *exec.ExitError
			switch {
			case errors.As(err, &exit):
				t.Fatalf("the browser test failed (exit %d)", exit.ExitCode())
			case err != nil:
				t.Fatalf("run node: %v", err)
			}
			for _, name := range screenshots[spec] {
				if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() < 10000 {
					t.Errorf("screenshot %s missing or empty: %v", name, err)
				}
			}
		})
	}
	if *updateDocs && !t.Failed() {
		for _, names := range screenshots {
			for _, name := range names {
				b, err := os.ReadFile(filepath.Join(out, name))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join("..", "docs", name), b, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("copied the screenshot to docs/%s", name)
			}
		}
	}
}
