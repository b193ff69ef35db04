package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFloorMeasuredBesideTypename runs the benchmark with a floor beside
// the server (bench/floor stands in for both, as it answers /healthz and
// POST /graphql): the floor is measured on {__typename} only, in the same
// interleaved rounds, and the summary sets its CPU per request beside the
// server's.
func TestFloorMeasuredBesideTypename(t *testing.T) {
	dir := t.TempDir()
	floor := filepath.Join(dir, "floor")
	if out, err := exec.Command("go", "build", "-o", floor, "./floor").CombinedOutput(); err != nil {
		t.Fatalf("go build ./floor: %v\n%s", err, out)
	}
	peer := filepath.Join(dir, "peer")
	if err := os.Mkdir(peer, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(peer, "queries.json"), []byte(`{"typename": "{ __typename }", "other": "{ regions { nodes { name } } }"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	o := options{peerDir: peer, bin: floor, floorBin: floor, names: []string{"typename", "other"}, clients: "1",
		dur: 200 * time.Millisecond, warm: 50 * time.Millisecond, repeats: 1, noPeer: true, floors: []string{"lane"}}
	var out bytes.Buffer
	if err := run(&out, o); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"| regiongraph | typename | 1 | 1 |",
		"| floor-lane | typename | 1 | 1 |",
		"| regiongraph | other | 1 | 1 |",
		"# {__typename}, 1 client(s), CPU µs per request: floor lane ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the output:\n%s", want, got)
		}
	}
	if strings.Contains(got, "| floor-lane | other |") {
		t.Errorf("the floor was measured on another query than {__typename}:\n%s", got)
	}
	for _, bad := range []options{
		{peerDir: peer, names: []string{"typename"}, clients: "1", floors: []string{"epoll"}},
		{peerDir: peer, names: []string{"other"}, clients: "1", floors: []string{"lane"}},
	} {
		if err := run(&out, bad); err == nil {
			t.Errorf("floors %v on %v: no error", bad.floors, bad.names)
		}
	}
}
