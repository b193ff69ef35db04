package sheet_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/sheet"
)

// TestWorkbookInPagesIsWriteXLSX: rows added a page at a time make the
// workbook WriteXLSX makes of them all at once, part for part.
func TestWorkbookInPagesIsWriteXLSX(t *testing.T) {
	s := bundled(t)
	sg := graphOf(t, s)
	var whole bytes.Buffer
	if err := sheet.WriteXLSX(&whole, sg.Nodes, sg.Edges, sheet.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := sheet.NewWorkbook(sheet.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i := 0; i < len(sg.Nodes); i += 7 {
		if err := b.AddNodes(sg.Nodes[i:min(i+7, len(sg.Nodes))]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < len(sg.Edges); i += 13 {
		if err := b.AddEdges(sg.Edges[i:min(i+13, len(sg.Edges))]); err != nil {
			t.Fatal(err)
		}
	}
	if b.Rows() != len(sg.Nodes)+len(sg.Edges) {
		t.Errorf("Rows %d, want %d", b.Rows(), len(sg.Nodes)+len(sg.Edges))
	}
	var paged bytes.Buffer
	n, err := b.WriteTo(&paged)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(paged.Len()) {
		t.Errorf("WriteTo returned %d, wrote %d", n, paged.Len())
	}
	want, got := zipParts(t, whole.Bytes()), zipParts(t, paged.Bytes())
	if len(got) != len(want) {
		t.Fatalf("%d parts, want %d", len(got), len(want))
	}
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("part %s differs", name)
		}
	}
	if _, err := b.WriteTo(&paged); err == nil {
		t.Error("a workbook was written twice")
	}
	if err := b.AddNodes(sg.Nodes[:1]); err == nil {
		t.Error("rows were added to a workbook written already")
	}

	tpl, err := sheet.NewWorkbook(sheet.WriteOptions{Template: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tpl.Close()
	if err := tpl.AddNodes(sg.Nodes[:1]); err == nil {
		t.Error("a template took rows")
	}
}

// TestWorkbookKeepsLargeSheetsOnDisk: a sheet of more than 16 MiB is kept
// in a temporary file while the workbook is built (not in memory), the
// workbook written from it holds every row, and Close removes the file.
func TestWorkbookKeepsLargeSheetsOnDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	const nodes, descr = 5000, 4 << 10 // 20 MiB of descriptions
	b, err := sheet.NewWorkbook(sheet.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	page := make([]*rg.Node, 0, 500)
	for i := range nodes {
		page = append(page, &rg.Node{ID: fmt.Sprintf("partner-%05d", i), Kind: rg.KindPartner, Name: fmt.Sprintf("Partner %d", i),
			Description: strings.Repeat(string(rune('a'+i%26)), descr), Source: rg.Source{Outside: true, Reference: "test"}})
		if len(page) == cap(page) {
			if err := b.AddNodes(page); err != nil {
				t.Fatal(err)
			}
			page = page[:0]
		}
	}
	var spilled int64
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			spilled += fi.Size()
		}
	}
	t.Logf("%d nodes with %d-byte descriptions: %d bytes in %d temporary files", nodes, descr, spilled, len(entries))
	if spilled < 16<<20 {
		t.Errorf("%d bytes in temporary files after %d MiB of rows: the rows are held in memory", spilled, nodes*descr>>20)
	}
	var out bytes.Buffer
	if _, err := b.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("temporary files left after Close: %v", left)
	}
	f, err := sheet.Read(out.Bytes(), "large.xlsx", sheet.Limits{MaxCell: 2 * descr})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range f.Sheets {
		if sh.Name != string(rg.KindPartner) {
			continue
		}
		if len(sh.Rows) != nodes {
			t.Fatalf("%d partner rows, want %d", len(sh.Rows), nodes)
		}
		for i, r := range sh.Rows {
			if r.Cell(0) != fmt.Sprintf("partner-%05d", i) || len(r.Cell(3)) != descr {
				t.Fatalf("row %d: %q, description of %d bytes", r.Num, r.Cell(0), len(r.Cell(3)))
			}
		}
		return
	}
	t.Fatal("no Partner sheet")
}

// TestCSVSheetsAreWriteCSV: the CSV sheets written a page at a time are
// WriteCSV's files of Tables, byte for byte, in both dialects; an aborted
// set ends every file with the row given.
func TestCSVSheetsAreWriteCSV(t *testing.T) {
	sg := graphOf(t, bundled(t))
	for _, o := range []sheet.CSVOptions{{}, {Semicolon: true, BOM: true}} {
		files := map[string]*bytes.Buffer{}
		var order []string
		c, err := sheet.NewCSVSheets(func(name string) (w io.Writer, err error) {
			files[name] = &bytes.Buffer{}
			order = append(order, name)
			return files[name], nil
		}, o)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(sg.Nodes); i += 9 {
			if err := c.AddNodes(sg.Nodes[i:min(i+9, len(sg.Nodes))]); err != nil {
				t.Fatal(err)
			}
			if err := c.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.AddEdges(sg.Edges); err != nil {
			t.Fatal(err)
		}
		if err := c.Flush(); err != nil {
			t.Fatal(err)
		}
		tables := sheet.Tables(sg.Nodes, sg.Edges)
		if len(order) != len(tables) {
			t.Fatalf("%d files, want %d", len(order), len(tables))
		}
		for i, tb := range tables {
			var want bytes.Buffer
			if err := sheet.WriteCSV(&want, tb, o); err != nil {
				t.Fatal(err)
			}
			if order[i] != tb.Name || !bytes.Equal(files[tb.Name].Bytes(), want.Bytes()) {
				t.Errorf("%+v: file %d (%s) differs from WriteCSV's %s", o, i, order[i], tb.Name)
			}
		}
		mark := sheet.IncompleteMark + ": the export stopped before its end (test); this file is not whole"
		if err := c.Abort(mark); err != nil {
			t.Fatal(err)
		}
		for name, b := range files {
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if got := strings.Trim(lines[len(lines)-1], `"`); got != mark {
				t.Errorf("%s: last line %q", name, got)
			}
			if _, err := sheet.Read(b.Bytes(), name+".csv", sheet.Limits{}); rg.ErrorCode(err) != rg.EBADINPUT {
				t.Errorf("%s with its incomplete row: %v, want BAD_USER_INPUT", name, err)
			}
		}
	}
}

// zipParts reads the parts of a zip archive by name.
func zipParts(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(r)
		_ = r.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
