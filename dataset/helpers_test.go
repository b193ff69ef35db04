package dataset_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// bundled parses the bundled dataset once.
var bundled = sync.OnceValues(func() (*dataset.Dataset, error) {
	return dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
})

func mustBundled(t testing.TB) *dataset.Dataset {
	t.Helper()
	ds, err := bundled()
	if err != nil {
		t.Fatalf("bundled dataset does not parse:\n%v", err)
	}
	return ds
}

// planFiles maps plan ids to their text in data/sources.
var planFiles = map[string]string{
	"plan-2011": "handlingsplan-2011.txt",
	"plan-2014": "handlingsplan-2014.txt",
}

func readSource(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "data", "sources", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// planText returns the text of a plan: for 2014 only the transcript after
// "Transkript:" (the lines before it list other documents' titles).
func planText(t testing.TB, planID string) string {
	t.Helper()
	f, ok := planFiles[planID]
	if !ok {
		t.Fatalf("no source text for plan %q", planID)
	}
	s := readSource(t, f)
	if planID == "plan-2014" {
		_, after, ok := strings.Cut(s, "Transkript:")
		if !ok {
			t.Fatal("handlingsplan-2014.txt has no \"Transkript:\" line")
		}
		s = after
	}
	return s
}

var (
	htmlTag = regexp.MustCompile(`<[^>]*>`)
	spaces  = regexp.MustCompile(`\s+`)
)

// normalize removes HTML tags and bullets and collapses white space (tabs
// and line breaks included), so a quote may span table cells.
func normalize(s string) string {
	s = htmlTag.ReplaceAllString(s, " ")
	s = strings.ReplaceAll(s, "•", " ")
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// index is a dataset with lookups.
type index struct {
	ds    *dataset.Dataset
	nodes map[string]*regiongraph.Node
	out   map[string][]*regiongraph.Edge // by From
	in    map[string][]*regiongraph.Edge // by To
}

func newIndex(ds *dataset.Dataset) *index {
	ix := &index{ds: ds, nodes: map[string]*regiongraph.Node{}, out: map[string][]*regiongraph.Edge{}, in: map[string][]*regiongraph.Edge{}}
	for _, n := range ds.Nodes {
		ix.nodes[n.ID] = n
	}
	for _, e := range ds.Edges {
		ix.out[e.From] = append(ix.out[e.From], e)
		ix.in[e.To] = append(ix.in[e.To], e)
	}
	return ix
}

func (ix *index) has(from string, kind regiongraph.RelKind, to string) bool {
	for _, e := range ix.out[from] {
		if e.Kind == kind && e.To == to {
			return true
		}
	}
	return false
}

func (ix *index) outOf(from string, kind regiongraph.RelKind) []*regiongraph.Edge {
	var es []*regiongraph.Edge
	for _, e := range ix.out[from] {
		if e.Kind == kind {
			es = append(es, e)
		}
	}
	return es
}

func (ix *index) into(to string, kind regiongraph.RelKind) []*regiongraph.Edge {
	var es []*regiongraph.Edge
	for _, e := range ix.in[to] {
		if e.Kind == kind {
			es = append(es, e)
		}
	}
	return es
}

// isPart reports whether an initiative is PART_OF another initiative.
func (ix *index) parentOf(id string) string {
	for _, e := range ix.outOf(id, regiongraph.RelPartOf) {
		if n := ix.nodes[e.To]; n != nil && n.Kind == regiongraph.KindInitiative {
			return e.To
		}
	}
	return ""
}
