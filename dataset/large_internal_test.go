package dataset

import (
	"testing"

	"github.com/regiongraph/regiongraph/data"
)

// The bundled dataset and Encode's output are cut, not parsed whole: every
// top-level item is one item of its section.
func TestCutTop(t *testing.T) {
	ds, err := ParseBytes(data.Kongsbergregionen, "k.yaml")
	if err != nil {
		t.Fatal(err)
	}
	enc, err := Encode(ds)
	if err != nil {
		t.Fatal(err)
	}
	secs, dup, ok := cutTop(enc)
	if !ok || len(dup) != 0 || len(secs) != 3 {
		t.Fatalf("cutTop(Encode(bundled)): ok %v, dup %v, %d sections", ok, dup, len(secs))
	}
	plans := 0
	for _, n := range ds.Nodes {
		if n.Kind == "Plan" {
			plans++
		}
	}
	if len(secs[0].items) != plans || len(secs[1].items) != len(ds.Nodes)-plans || len(secs[2].items) != len(ds.Edges) {
		t.Errorf("items %d, %d, %d; want %d plans, %d nodes, %d relations", len(secs[0].items), len(secs[1].items), len(secs[2].items), plans, len(ds.Nodes)-plans, len(ds.Edges))
	}
	if secs, _, ok := cutTop(data.Kongsbergregionen); !ok || len(secs) != 3 || len(secs[1].items) < 100 {
		t.Errorf("cutTop(bundled): ok %v, %d sections", ok, len(secs))
	}
	for _, s := range []string{"nodes: []\n", "x: 1\n", "nodes:\n\t- a\n", "nodes:\n  - a\n - b\n"} {
		if _, _, ok := cutTop([]byte(s)); ok {
			t.Errorf("cutTop(%q) cut a file it should leave to ParseBytes", s)
		}
	}
}
