package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/sheet"
)

// largeDataFile is a data file holding n partners in a chain of PARTNER_OF.
func largeDataFile(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "large.db")
	s, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := rg.Source{Outside: true, Reference: "test"}
	var changes []rg.Change
	id := func(i int) string { return fmt.Sprintf("partner-%05d", i) }
	for i := range n {
		changes = append(changes, rg.Change{Op: rg.OpCreateNode, Node: &rg.Node{ID: id(i), Kind: rg.KindPartner, Name: "Partner " + id(i), Source: src}})
	}
	for i := 1; i < n; i++ {
		changes = append(changes, rg.Change{Op: rg.OpCreateEdge, Edge: &rg.Edge{ID: fmt.Sprintf("chain-%05d", i), Kind: rg.RelPartnerOf, From: id(i - 1), To: id(i), Source: src}})
	}
	for batch := range slices.Chunk(changes, rg.MaxChanges) {
		if _, err := s.Apply(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// failAfter fails every write after the first n bytes.
type failAfter struct {
	n   int
	buf bytes.Buffer
}

var errDiskFull = errors.New("no space left on device")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.buf.Len()+len(p) > f.n {
		return 0, errDiskFull
	}
	return f.buf.Write(p)
}

// TestExportCommandStreams: `regiongraph export` of a graph above the
// map's cap streams it, whole, to files (under a temporary name, renamed
// once whole) and to standard output; a failure removes the file, and on
// standard output leaves a document that is not whole and a failed command.
func TestExportCommandStreams(t *testing.T) {
	const n = export.MaxNodes + 50
	t0 := time.Now()
	dataFile := largeDataFile(t, n)
	t.Logf("generated %d nodes in %v", n, time.Since(t0).Round(time.Millisecond))

	dir := t.TempDir()
	_, stderr, err := runExport(t, dataFile, "--format", "csv", "-o", dir)
	if err != nil {
		t.Fatalf("export csv: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "streamed without a layout") {
		t.Errorf("stderr does not say the export was streamed:\n%s", stderr)
	}
	for name, want := range map[string]int{"nodes.csv": n, "edges.csv": n - 1} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rows)-1 != want {
			t.Errorf("%s: %d rows, want %d", name, len(rows)-1, want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*partial")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	out, stderr, err := runExport(t, dataFile, "--format", "graphml", "--kind", "Partner", "--year", "2014")
	if err != nil {
		t.Fatalf("export graphml: %v\n%s", err, stderr)
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
	if len(doc.Nodes) != n || len(doc.Edges) != n-1 {
		t.Errorf("GraphML: %d nodes, %d relations, want %d and %d", len(doc.Nodes), len(doc.Edges), n, n-1)
	}

	// Standard output failing midway: the command fails, what was written
	// does not parse.
	w := &failAfter{n: 100 << 10}
	a := &app{stdout: w, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	err = a.run(context.Background(), []string{"export", "-data", dataFile, "-log-level", "warn", "--format", "gexf"})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("export to a failing standard output: %v, want its error", err)
	}
	if w.buf.Len() == 0 || xml.Unmarshal(w.buf.Bytes(), &struct{}{}) == nil {
		t.Errorf("standard output holds %d bytes that parse as a whole document", w.buf.Len())
	}

	// A file that cannot be put in place is removed.
	blocked := filepath.Join(t.TempDir(), "taken")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runExport(t, dataFile, "--format", "nodes.csv", "-o", blocked); err == nil {
		t.Fatal("export onto a directory succeeded")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(blocked), ".*partial")); len(left) > 0 {
		t.Errorf("temporary files left after a failure: %v", left)
	}
}

// TestSheetExportCommandStreams: `regiongraph export --format xlsx` and
// `--format csv-sheets` of a graph above the map's cap stream it: every
// node and relation once, to files put in place once whole, and the
// workbook and the CSV files import back into the same data file as no
// change; a workbook on a standard output that fails midway is no
// workbook, and the command fails.
func TestSheetExportCommandStreams(t *testing.T) {
	const n = export.MaxNodes + 50
	dataFile := largeDataFile(t, n)
	dir := t.TempDir()
	book := filepath.Join(dir, "graf.xlsx")
	_, stderr, err := runExport(t, dataFile, "--format", "xlsx", "-o", book)
	if err != nil {
		t.Fatalf("export xlsx: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "streamed") {
		t.Errorf("stderr does not say the workbook was streamed:\n%s", stderr)
	}
	b, err := os.ReadFile(book)
	if err != nil {
		t.Fatal(err)
	}
	f, err := sheet.ReadXLSX(b, "graf.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	wantRows(t, "graf.xlsx", f, n)
	out, err := runSheet(t, nil, "import", "-data", dataFile, "-log-level", "warn", "--dry-run", book)
	unchanged := fmt.Sprintf("0 created, 0 updated, 0 deleted, %d unchanged, 0 refused\nnothing changed", 2*n-1)
	if err != nil || !strings.Contains(out, unchanged) {
		t.Fatalf("import of the streamed workbook: %v\n%s", err, out)
	}

	csvDir := filepath.Join(dir, "ark")
	if _, stderr, err := runExport(t, dataFile, "--format", "csv-sheets", "--excel-csv", "-o", csvDir); err != nil {
		t.Fatalf("export csv-sheets: %v\n%s", err, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(csvDir, "*.csv"))
	if len(files) != len(rg.Kinds)+1 {
		t.Fatalf("%d CSV files: %v", len(files), files)
	}
	if left, _ := filepath.Glob(filepath.Join(csvDir, ".*partial")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	var sheets []*sheet.Sheet
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\ufeff")) || !strings.Contains(string(b[:bytes.IndexByte(b, '\n')]), ";") {
			t.Errorf("%s is not written for Norwegian Excel (a BOM, ';')", name)
		}
		f, err := sheet.ReadCSV(b, filepath.Base(name), sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		sheets = append(sheets, f.Sheets...)
	}
	wantRows(t, "the CSV sheets", &sheet.File{Sheets: sheets}, n)
	out, err = runSheet(t, nil, append([]string{"import", "-data", dataFile, "-log-level", "warn", "--dry-run"}, files...)...)
	if err != nil || !strings.Contains(out, unchanged) {
		t.Fatalf("import of the streamed CSV sheets: %v\n%s", err, out)
	}

	w := &failAfter{n: 64 << 10}
	a := &app{stdout: w, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	err = a.run(context.Background(), []string{"export", "-data", dataFile, "-log-level", "warn", "--format", "xlsx"})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("a workbook to a failing standard output: %v, want its error", err)
	}
	if w.buf.Len() == 0 {
		t.Fatal("nothing reached standard output")
	}
	if _, err := zip.NewReader(bytes.NewReader(w.buf.Bytes()), int64(w.buf.Len())); err == nil {
		t.Errorf("the %d bytes on standard output open as a zip archive", w.buf.Len())
	}
}

// wantRows checks that f has n partners and the n-1 relations of their
// chain (largeDataFile), each once.
func wantRows(t *testing.T, what string, f *sheet.File, n int) {
	t.Helper()
	seen := map[string]bool{}
	var partners, relations int
	for _, sh := range f.Sheets {
		for _, r := range sh.Rows {
			id := r.Cell(0)
			if seen[id] {
				t.Fatalf("%s: %s twice", what, id)
			}
			seen[id] = true
			switch sh.Name {
			case string(rg.KindPartner):
				partners++
			case sheet.RelationsSheet:
				relations++
			case sheet.GuideSheet:
			default:
				t.Errorf("%s: sheet %s has row %d", what, sh.Name, r.Num)
			}
		}
	}
	if partners != n || relations != n-1 {
		t.Errorf("%s: %d partners, %d relations, want %d and %d", what, partners, relations, n, n-1)
	}
}
