package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/export"
)

// runExport runs `regiongraph export args...` on dataFile and returns its
// standard output and error.
func runExport(t *testing.T, dataFile string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	err := a.run(context.Background(), append([]string{"export", "-data", dataFile, "-log-level", "warn"}, args...))
	return stdout.String(), stderr.String(), err
}

// selectIDs opens the data file and returns the ids export.Select gives for
// the URL query q.
func selectIDs(t *testing.T, dataFile, q string) (nodes, edges []string) {
	t.Helper()
	s, err := boltstore.Open(dataFile, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f, err := export.ParseQuery(mustParseQuery(t, q))
	if err != nil {
		t.Fatal(err)
	}
	sg, err := export.Select(context.Background(), s, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sg.Nodes {
		nodes = append(nodes, n.ID)
	}
	for _, e := range sg.Edges {
		edges = append(edges, e.ID)
	}
	return nodes, edges
}

func TestExportCommand(t *testing.T) {
	dataFile := filepath.Join(t.TempDir(), "export.db")

	// GraphML to standard output, filtered by kind and year: the ids are
	// Select's for the same filter.
	out, stderr, err := runExport(t, dataFile, "--format", "graphml", "--kind", "Municipality,Region", "--kind", "Network", "--year", "2014")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	var doc struct {
		Nodes []struct {
			ID string `xml:"id,attr"`
		} `xml:"graph>node"`
		Edges []struct {
			ID string `xml:"id,attr"`
		} `xml:"graph>edge"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("GraphML: %v", err)
	}
	var gotN, gotE []string
	for _, n := range doc.Nodes {
		gotN = append(gotN, n.ID)
	}
	for _, e := range doc.Edges {
		gotE = append(gotE, e.ID)
	}
	wantN, wantE := selectIDs(t, dataFile, "kind=Municipality,Region,Network&year=2014")
	if len(wantN) == 0 || !slices.Equal(gotN, wantN) || !slices.Equal(gotE, wantE) {
		t.Errorf("GraphML has %d nodes, %d relations; Select %d, %d", len(gotN), len(gotE), len(wantN), len(wantE))
	}

	// Cytoscape.js JSON to a file, around a focus node.
	file := filepath.Join(t.TempDir(), "map.json")
	if _, stderr, err := runExport(t, dataFile, "-format", "cytoscape", "-focus", "kongsbergregionen", "-depth", "1", "-o", file); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	} else if !strings.Contains(stderr, "wrote "+file) {
		t.Errorf("stderr %q", stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cy export.Cytoscape
	if err := json.Unmarshal(b, &cy); err != nil {
		t.Fatal(err)
	}
	wantN, wantE = selectIDs(t, dataFile, "focus=kongsbergregionen")
	if len(cy.Elements.Nodes) != len(wantN) || len(cy.Elements.Edges) != len(wantE) || len(wantN) < 2 {
		t.Errorf("Cytoscape has %d nodes, %d relations; Select %d, %d", len(cy.Elements.Nodes), len(cy.Elements.Edges), len(wantN), len(wantE))
	}

	// csv writes nodes.csv and edges.csv into a directory.
	dir := t.TempDir()
	if _, stderr, err := runExport(t, dataFile, "-format", "csv", "-text", "Nore og Uvdal", "-o", dir); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	wantN, wantE = selectIDs(t, dataFile, "text=Nore+og+Uvdal")
	for name, want := range map[string][]string{"nodes.csv": wantN, "edges.csv": wantE} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[0])
		}
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

func TestExportCommandErrors(t *testing.T) {
	dataFile := filepath.Join(t.TempDir(), "export.db")
	if _, stderr, err := runExport(t, dataFile, "-format", "pdf"); !errors.Is(err, errUsage) || !strings.Contains(stderr, "-format must be one of") {
		t.Errorf("unknown format: %v, %q", err, stderr)
	}
	if _, _, err := runExport(t, dataFile); !errors.Is(err, errUsage) {
		t.Errorf("no format: %v", err)
	}
	if _, _, err := runExport(t, dataFile, "-format", "gexf", "-kind", "Kommune"); rg.ErrorCode(err) != rg.EBADINPUT || !strings.Contains(err.Error(), "Kommune") {
		t.Errorf("unknown kind: %v", err)
	}
	if _, _, err := runExport(t, dataFile, "-format", "gexf", "-network", "satsingsomrade-1"); rg.ErrorCode(err) != rg.EBADINPUT {
		t.Errorf("network of the wrong kind: %v", err)
	}
	if _, _, err := runExport(t, dataFile, "-format", "gexf", "-focus-area", "no-such-area"); rg.ErrorCode(err) != rg.ENOTFOUND {
		t.Errorf("missing focus area: %v", err)
	}
}

func mustParseQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
