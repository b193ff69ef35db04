package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/sheet"
)

// sheetRows is a workbook's or CSV files' content as the import reads it:
// by sheet, the header and the rows (each row's cells joined), sorted, so
// that two files with the same rows in another order compare equal.
type sheetRows map[string][]string

func rowsOf(t *testing.T, files ...*sheet.File) sheetRows {
	t.Helper()
	out := sheetRows{}
	for _, f := range files {
		for _, sh := range f.Sheets {
			rows := []string{"header: " + strings.Join(sh.Header, "|")}
			for _, r := range sh.Rows {
				cells := slices.Clone(r.Cells)
				for len(cells) > 0 && cells[len(cells)-1] == "" {
					cells = cells[:len(cells)-1]
				}
				rows = append(rows, strings.Join(cells, "|"))
			}
			slices.Sort(rows[1:])
			out[sh.Name] = rows
		}
	}
	return out
}

func compareRows(t *testing.T, what string, got, want sheetRows) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: sheets %v, want %v", what, slices.Sorted(mapKeys(got)), slices.Sorted(mapKeys(want)))
	}
	for name, w := range want {
		g := got[name]
		if !slices.Equal(g, w) {
			t.Errorf("%s: sheet %s: %d rows, want %d; first difference:\n%s", what, name, len(g)-1, len(w)-1, firstDiff(g, w))
		}
	}
}

func mapKeys(m sheetRows) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf(" got %q\nwant %q", g, w)
		}
	}
	return ""
}

// wantWorkbook is the workbook of Select's selection, written whole.
func wantWorkbook(t *testing.T, s rg.Store, f export.Filter) ([]byte, *rg.Subgraph) {
	t.Helper()
	sg, err := export.Select(context.Background(), s, f)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := sheet.WriteXLSX(&b, sg.Nodes, sg.Edges, sheet.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), sg
}

func readFile(t *testing.T, b []byte, name string) *sheet.File {
	t.Helper()
	f, err := sheet.Read(b, name, sheet.Limits{})
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return f
}

// streamCSVSheets streams the CSV sheets of f into memory.
func streamCSVSheets(t *testing.T, s rg.Store, f export.Filter, o sheet.CSVOptions) (map[string]*bytes.Buffer, export.StreamResult, error) {
	t.Helper()
	files := map[string]*bytes.Buffer{}
	res, err := export.StreamSheetsCSV(context.Background(), s, f, func(name string) (io.Writer, error) {
		files[name] = &bytes.Buffer{}
		return files[name], nil
	}, o)
	return files, res, err
}

// TestStreamWorkbookIsTheSelection: the streamed workbook, and the
// workbook's sheets streamed as CSV, hold what the workbook of Select's
// selection holds, written whole: the same sheets, headers and columns,
// and the same rows (nodes by id, so in another order), cell for cell, for
// the whole graph and for filters by kind, relation and year, on a graph of
// one page and on one of several; and they import back as no change.
func TestStreamWorkbookIsTheSelection(t *testing.T) {
	nodes, edges := fixture()
	// A name a spreadsheet would take for a formula, and a list with one.
	nodes = append(nodes, &rg.Node{ID: "partner-formula", Kind: rg.KindPartner, Name: `=HYPERLINK("http://x")`, Aliases: []string{"+47", "@handle"},
		Source: rg.Source{Outside: true, Reference: "-minus"}})
	small := newStore(t, nodes, edges)
	large := generated(t, 1200, 1300)
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		s       rg.Store
		queries []string
	}{
		{"one page", small, []string{"", "kind=Municipality,Network,Topic", "relation=FUNDS,PARTICIPATES_IN", "year=2014", "year=2011&relation=MEMBER_OF,IN_PLAN&kind=Municipality,Region,Plan,Initiative"}},
		{"several pages", large, []string{"", "year=2014&kind=Partner,Initiative&relation=PARTICIPATES_IN"}},
	} {
		for _, q := range c.queries {
			t.Run(c.name+"/"+q, func(t *testing.T) {
				f := mustQuery(t, q)
				wb, sg := wantWorkbook(t, c.s, f)
				want := rowsOf(t, readFile(t, wb, "want.xlsx"))

				var b bytes.Buffer
				res, err := export.StreamWorkbook(ctx, c.s, f, &b)
				if err != nil {
					t.Fatal(err)
				}
				if res.Nodes != len(sg.Nodes) || res.Edges != len(sg.Edges) || res.Bytes != int64(b.Len()) {
					t.Errorf("counted %d nodes, %d relations, %d bytes; want %d, %d, %d", res.Nodes, res.Edges, res.Bytes, len(sg.Nodes), len(sg.Edges), b.Len())
				}
				got := readFile(t, b.Bytes(), "streamed.xlsx")
				var names []string
				for _, sh := range got.Sheets {
					names = append(names, sh.Name)
				}
				wantNames := append(slices.Collect(func(yield func(string) bool) {
					for _, k := range rg.Kinds {
						if !yield(string(k)) {
							return
						}
					}
				}), sheet.RelationsSheet, sheet.GuideSheet)
				if !slices.Equal(names, wantNames) {
					t.Errorf("sheets %q, want %q", names, wantNames)
				}
				compareRows(t, "xlsx", rowsOf(t, got), want)
				if c.name == "one page" && q == "" {
					checkNoFormulas(t, b.Bytes())
				}

				for _, o := range []sheet.CSVOptions{{}, {Semicolon: true, BOM: true}} {
					files, res, err := streamCSVSheets(t, c.s, f, o)
					if err != nil {
						t.Fatal(err)
					}
					if res.Nodes != len(sg.Nodes) || res.Edges != len(sg.Edges) {
						t.Errorf("csv %+v: counted %d nodes, %d relations; want %d, %d", o, res.Nodes, res.Edges, len(sg.Nodes), len(sg.Edges))
					}
					var read []*sheet.File
					var total int64
					for name, fb := range files {
						total += int64(fb.Len())
						if o.BOM != bytes.HasPrefix(fb.Bytes(), []byte("\ufeff")) {
							t.Errorf("csv %+v: %s: BOM %v", o, name, !o.BOM)
						}
						for _, rec := range csvRecords(t, fb.Bytes(), o.Semicolon) {
							for _, cell := range rec {
								if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
									t.Errorf("csv %+v: %s: cell %q would run as a formula", o, name, cell)
								}
							}
						}
						read = append(read, readFile(t, fb.Bytes(), name+".csv"))
					}
					if res.Bytes != total {
						t.Errorf("csv: Bytes %d, wrote %d", res.Bytes, total)
					}
					wantCSV := maps.Clone(want)
					delete(wantCSV, sheet.GuideSheet) // the guide is the workbook's only
					compareRows(t, fmt.Sprintf("csv %+v", o), rowsOf(t, read...), wantCSV)
				}

				// Imported into the store it came from: no change.
				if q == "" {
					d, err := sheet.Plan(ctx, c.s, []*sheet.File{got}, sheet.Options{})
					if err != nil {
						t.Fatal(err)
					}
					if len(d.Refused) > 0 || d.Counts.Changes != 0 || d.Counts.Unchanged != len(sg.Nodes)+len(sg.Edges) {
						t.Fatalf("the streamed workbook imported: %+v, refused %v", d.Counts, d.Refused[:min(3, len(d.Refused))])
					}
				}
			})
		}
	}
	for _, q := range []string{"focus=kommune-tinn", "text=tinn"} {
		if _, err := export.StreamWorkbook(ctx, small, mustQuery(t, q), io.Discard); rg.ErrorCode(err) != rg.EBADINPUT {
			t.Errorf("StreamWorkbook of %q: %v, want BAD_USER_INPUT", q, err)
		}
	}
}

// checkNoFormulas fails when a cell of the workbook holds a formula or
// text that is not inline text.
func checkNoFormulas(t *testing.T, b []byte) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	found := false
	for _, name := range x.GetSheetList() {
		rows, err := x.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if f, _ := x.GetCellFormula(name, cell); f != "" {
					t.Errorf("%s!%s holds the formula %q", name, cell, f)
				}
				if strings.HasPrefix(v, "=HYPERLINK") {
					found = true
					if ty, _ := x.GetCellType(name, cell); ty != excelize.CellTypeInlineString {
						t.Errorf("%s!%s %q is of type %v, want inline text", name, cell, v, ty)
					}
				}
			}
		}
	}
	if !found {
		t.Error("the formula-looking name is not in the workbook")
	}
}

func csvRecords(t *testing.T, b []byte, semicolon bool) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	if semicolon {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// failWriter fails every write after the first n bytes.
type failWriter struct {
	n   int
	buf bytes.Buffer
}

var errDiskFull = errors.New("no space left on device")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.buf.Len()+len(p) > f.n {
		return 0, errDiskFull
	}
	return f.buf.Write(p)
}

// cancelWriter cancels its context after the first n bytes have gone
// through it.
type cancelWriter struct {
	n      int
	cancel context.CancelFunc
	buf    bytes.Buffer
}

func (c *cancelWriter) Write(p []byte) (int, error) {
	n, err := c.buf.Write(p)
	if c.buf.Len() >= c.n {
		c.cancel()
	}
	return n, err
}

// TestStreamWorkbookFailing: a streamed workbook that fails while the
// store is read (the store, the context, a change of the graph) writes
// nothing at all, so the error can be answered instead; one that fails
// while it is written (the writer, the context) leaves bytes that no
// program opens as a workbook. The CSV sheets that fail midway each end
// with a row saying so, and the import refuses every one of them.
func TestStreamWorkbookFailing(t *testing.T) {
	base := generated(t, 1500, 100)
	ctx := context.Background()
	unavailable := &rg.Error{Code: rg.EUNAVAILABLE, Message: "the database cannot be reached"}

	var b bytes.Buffer
	res, err := export.StreamWorkbook(ctx, &failingStore{Store: base, at: 2, err: unavailable}, export.Filter{}, &b)
	if !errors.Is(err, unavailable) || res.Bytes != 0 || b.Len() != 0 {
		t.Errorf("the second page failing: %v, Bytes %d, wrote %d, want the store's error and nothing written", err, res.Bytes, b.Len())
	}
	cctx, cancel := context.WithCancel(ctx)
	res, err = export.StreamWorkbook(cctx, &failingStore{Store: base, at: 3, hook: cancel}, export.Filter{}, &b)
	cancel()
	if !errors.Is(err, context.Canceled) || res.Bytes != 0 || b.Len() != 0 {
		t.Errorf("cancelled while reading: %v, Bytes %d, wrote %d, want context.Canceled and nothing written", err, res.Bytes, b.Len())
	}
	changing := generated(t, 1500, 10)
	change := func() {
		src := rg.Source{Outside: true, Reference: "test"}
		if _, err := changing.Apply(ctx, []rg.Change{{Op: rg.OpCreateNode, Node: &rg.Node{ID: "partner-new", Kind: rg.KindPartner, Name: "New", Source: src}}}); err != nil {
			t.Error(err)
		}
	}
	// The third read is the relations' first page.
	res, err = export.StreamWorkbook(ctx, &failingStore{Store: changing, at: 3, hook: change}, export.Filter{}, &b)
	if !errors.Is(err, export.ErrGraphChanged) || rg.ErrorCode(err) != rg.ECONFLICT || res.Bytes != 0 || b.Len() != 0 {
		t.Errorf("a change while reading: %v, Bytes %d, wrote %d, want ErrGraphChanged and nothing written", err, res.Bytes, b.Len())
	}

	var whole bytes.Buffer
	if _, err := export.StreamWorkbook(ctx, base, export.Filter{}, &whole); err != nil {
		t.Fatal(err)
	}
	// The archive goes out in writes of 4 KiB; the last is the central
	// directory.
	for _, at := range []int{5000, whole.Len() / 2, whole.Len() - 10} {
		fw := &failWriter{n: at}
		res, err := export.StreamWorkbook(ctx, base, export.Filter{}, fw)
		if !errors.Is(err, errDiskFull) || res.Bytes != int64(fw.buf.Len()) {
			t.Errorf("the writer failing after %d of %d bytes: %v, Bytes %d of %d written", at, whole.Len(), err, res.Bytes, fw.buf.Len())
		}
		notAWorkbook(t, fmt.Sprintf("failing after %d bytes", at), fw.buf.Bytes())
		if at > whole.Len()/2 {
			continue // cancelled after the last write, it is whole
		}

		cctx, cancel := context.WithCancel(ctx)
		cw := &cancelWriter{n: at, cancel: cancel}
		_, err = export.StreamWorkbook(cctx, base, export.Filter{}, cw)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %d bytes written: %v, want context.Canceled", at, err)
		}
		if cw.buf.Len() >= whole.Len() {
			t.Errorf("cancelled after %d bytes: all %d written", at, cw.buf.Len())
		}
		notAWorkbook(t, fmt.Sprintf("cancelled after %d bytes", at), cw.buf.Bytes())
	}

	t.Run("csv sheets", func(t *testing.T) {
		files, _, err := streamCSVSheets(t, &failingStore{Store: base, at: 2, err: unavailable}, export.Filter{}, sheet.CSVOptions{})
		if !errors.Is(err, unavailable) {
			t.Fatalf("the second page failing: %v, want the store's error", err)
		}
		if len(files) != len(rg.Kinds)+1 {
			t.Fatalf("%d files, want %d", len(files), len(rg.Kinds)+1)
		}
		for name, fb := range files {
			recs := csvRecords(t, fb.Bytes(), false)
			last := recs[len(recs)-1]
			if len(last) != 1 || !strings.HasPrefix(last[0], sheet.IncompleteMark) || !strings.Contains(last[0], "the database cannot be reached") {
				t.Errorf("%s.csv does not end saying it is incomplete: %q", name, last)
			}
			_, err := sheet.Read(fb.Bytes(), name+".csv", sheet.Limits{})
			if rg.ErrorCode(err) != rg.EBADINPUT || !strings.Contains(err.Error(), "stopped before its end") {
				t.Errorf("importing the incomplete %s.csv: %v, want it refused as incomplete", name, err)
			}
		}
		// So is a streamed nodes.csv cut short: its last row is the same.
		nodesCSV, _ := export.FormatNamed("nodes.csv")
		var b bytes.Buffer
		if _, err := export.Stream(ctx, &failingStore{Store: base, at: 2, err: unavailable}, export.Filter{}, nodesCSV, &b); !errors.Is(err, unavailable) {
			t.Fatal(err)
		}
		if _, err := sheet.Read(b.Bytes(), "nodes.csv", sheet.Limits{}); rg.ErrorCode(err) != rg.EBADINPUT || !strings.Contains(err.Error(), "stopped before its end") {
			t.Errorf("importing an incomplete nodes.csv: %v, want it refused as incomplete", err)
		}
	})
}

// notAWorkbook fails when b opens as a zip archive or a workbook.
func notAWorkbook(t *testing.T, what string, b []byte) {
	t.Helper()
	if len(b) == 0 {
		t.Errorf("%s: nothing was written", what)
		return
	}
	if _, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err == nil {
		t.Errorf("%s: the %d bytes open as a zip archive", what, len(b))
	}
	if _, err := sheet.Read(b, "cut.xlsx", sheet.Limits{}); err == nil {
		t.Errorf("%s: the %d bytes read as a workbook", what, len(b))
	}
}

// BenchmarkStreamWorkbook streams the workbook of a generated graph of
// 12 000 nodes and 18 000 relations (BenchmarkStream's) to io.Discard.
//
//	go test ./export/ -run '^$' -bench StreamWorkbook -benchmem
func BenchmarkStreamWorkbook(b *testing.B) {
	s := generated(b, 6000, 6000)
	ctx := context.Background()
	var bytes int64
	for b.Loop() {
		res, err := export.StreamWorkbook(ctx, s, export.Filter{}, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		bytes = res.Bytes
	}
	b.ReportMetric(float64(bytes)/1e6, "MB/export")
}
