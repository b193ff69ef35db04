package sheet_test

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/sheet"
)

// bigWorkbook writes a workbook of rows rows over the bundled dataset: half
// new partners (sheet "Partnere"), half relations (sheet "Relasjoner"):
// each new partner PARTICIPATES_IN a network of the bundled data, named by
// its exact name, and every other one is PARTNER_OF the partner before it.
// It returns the workbook and what a dry run must list.
func bigWorkbook(t testing.TB, s rg.Store, rows int) ([]byte, wantBig) {
	t.Helper()
	p, err := s.FindNodes(bg, rg.NodeFilter{Kinds: []rg.Kind{rg.KindNetwork}, First: 100})
	if err != nil || len(p.Nodes) == 0 {
		t.Fatalf("networks: %v", err)
	}
	// Networks whose name no other node has.
	var nets []*rg.Node
	for _, n := range p.Nodes {
		q, err := s.FindNodes(bg, rg.NodeFilter{Text: n.Name, First: 100})
		if err != nil {
			t.Fatal(err)
		}
		same := 0
		for _, m := range q.Nodes {
			if m.Name == n.Name {
				same++
			}
		}
		if same == 1 {
			nets = append(nets, n)
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Partnere"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Relasjoner"); err != nil {
		t.Fatal(err)
	}
	nw, err := f.NewStreamWriter("Partnere")
	if err != nil {
		t.Fatal(err)
	}
	rw, err := f.NewStreamWriter("Relasjoner")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(nw.SetRow("A1", []any{"navn", "kategori", "kilde"}))
	must(rw.SetRow("A1", []any{"relasjon", "fra", "til", "fraÅr", "kilde"}))
	var w wantBig
	nodes := rows / 2
	r := 1
	for i := range nodes {
		name := fmt.Sprintf("Partner %05d Ås", i)
		must(nw.SetRow(fmt.Sprintf("A%d", i+2), []any{name, "klynge", "https://example.org/partner"}))
		w.nodeIDs = append(w.nodeIDs, fmt.Sprintf("partner-partner-%05d-as", i))
		if r-1 < rows-nodes {
			net := nets[i%len(nets)]
			must(rw.SetRow(fmt.Sprintf("A%d", r+1), []any{"PARTICIPATES_IN", name, net.Name, 2025, "https://example.org/rel"}))
			w.edgeIDs = append(w.edgeIDs, fmt.Sprintf("partner-partner-%05d-as-participates-in-%s", i, net.ID))
			r++
		}
		if i > 0 && r-1 < rows-nodes {
			prev := fmt.Sprintf("Partner %05d Ås", i-1)
			must(rw.SetRow(fmt.Sprintf("A%d", r+1), []any{"PARTNER_OF", name, prev, 2025, "https://example.org/rel"}))
			w.edgeIDs = append(w.edgeIDs, fmt.Sprintf("partner-partner-%05d-as-partner-of-partner-partner-%05d-as", i, i-1))
			r++
		}
	}
	must(nw.Flush())
	must(rw.Flush())
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w
}

type wantBig struct {
	nodeIDs, edgeIDs []string
}

// Two thousand rows, half nodes and half relations to nodes of the store
// named by name: the dry run lists exactly them, the real run writes them
// in one batch, a second import changes nothing.
func Test2000Rows(t *testing.T) {
	s := bundled(t)
	wb, want := bigWorkbook(t, s, 2000)
	f := read(t, wb, "stor.xlsx")
	before := historyLen(t, s)
	d, err := sheet.Import(bg, s, []*sheet.File{f}, sheet.Options{Role: rg.RoleEditor}, true, "")
	if err != nil {
		t.Fatal(err)
	}
	wantNoRefused(t, d)
	if len(d.Created) != 2000 || len(want.nodeIDs)+len(want.edgeIDs) != 2000 {
		t.Fatalf("created %d, want 2000 (%d + %d)", len(d.Created), len(want.nodeIDs), len(want.edgeIDs))
	}
	for i, id := range append(want.nodeIDs, want.edgeIDs...) {
		if d.Created[i].ID != id {
			t.Fatalf("created[%d] = %s, want %s", i, d.Created[i].ID, id)
		}
	}
	if historyLen(t, s) != before {
		t.Fatal("the dry run wrote")
	}
	if _, err := sheet.Import(bg, s, []*sheet.File{f}, sheet.Options{Role: rg.RoleEditor}, false, d.Digest); err != nil {
		t.Fatal(err)
	}
	if got := historyLen(t, s); got != before+2000 {
		t.Fatalf("history grew by %d, want 2000", got-before)
	}
	again := plan(t, s, f)
	wantZeroChanges(t, again, 2000)
}

// benchImport measures reading, planning (the dry run) and applying a
// workbook of rows rows into a store holding the bundled dataset.
func benchImport(b *testing.B, rows int) {
	s := bundled(b)
	wb, _ := bigWorkbook(b, s, rows)
	b.Run("read+dryrun", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, err := sheet.Read(wb, "bench.xlsx", sheet.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			d, err := sheet.Plan(bg, s, []*sheet.File{f}, sheet.Options{})
			if err != nil || len(d.Created) != rows {
				b.Fatalf("%v, %d created", err, len(d.Created))
			}
		}
		b.ReportMetric(float64(rows), "rows")
	})
	b.Run("read+dryrun+apply", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			s := bundled(b)
			runtime.GC()
			b.StartTimer()
			start := time.Now()
			f, err := sheet.Read(wb, "bench.xlsx", sheet.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			d, err := sheet.Import(bg, s, []*sheet.File{f}, sheet.Options{}, false, "")
			if err != nil || d.Counts.Created != rows {
				b.Fatalf("%v, %+v", err, d.Counts)
			}
			b.Logf("%d rows imported in %v", rows, time.Since(start))
		}
		b.ReportMetric(float64(rows), "rows")
	})
}

func BenchmarkImport2000(b *testing.B)  { benchImport(b, 2000) }
func BenchmarkImport50000(b *testing.B) { benchImport(b, 50000) }
