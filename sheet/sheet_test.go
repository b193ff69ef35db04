package sheet_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/sheet"
)

var bg = context.Background()

// openStore returns an empty embedded store in a temporary file.
func openStore(t testing.TB) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "sheet.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// bundled returns a store holding the bundled dataset.
func bundled(t testing.TB) *boltstore.Store {
	t.Helper()
	s := openStore(t)
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(bg, ds.Changes()); err != nil {
		t.Fatal(err)
	}
	return s
}

func graphOf(t testing.TB, s rg.Store) *rg.Subgraph {
	t.Helper()
	sg, err := s.Subgraph(bg, rg.SubgraphFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return sg
}

func historyLen(t testing.TB, s rg.Store) int {
	t.Helper()
	p, err := s.History(bg, rg.HistoryFilter{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.TotalCount
}

// workbook builds an .xlsx from sheets of text rows (the first the header).
func workbook(t testing.TB, sheets ...tab) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(s.name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type tab struct {
	name string
	rows [][]string
}

func read(t testing.TB, b []byte, name string) *sheet.File {
	t.Helper()
	f, err := sheet.Read(b, name, sheet.Limits{})
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return f
}

func plan(t testing.TB, s rg.Store, files ...*sheet.File) *sheet.Diff {
	t.Helper()
	d, err := sheet.Plan(bg, s, files, sheet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func wantNoRefused(t testing.TB, d *sheet.Diff) {
	t.Helper()
	for i, p := range d.Refused {
		if i < 10 {
			t.Errorf("refused: %s", p)
		}
	}
	if len(d.Refused) > 0 {
		t.FailNow()
	}
}

func wantZeroChanges(t testing.TB, d *sheet.Diff, unchanged int) {
	t.Helper()
	wantNoRefused(t, d)
	for _, it := range slices.Concat(d.Created, d.Updated, d.Deleted) {
		t.Errorf("changed: %s row %d %s %s %+v", it.Sheet, it.Row, it.Target, it.ID, it.Fields)
		if t.Failed() && len(d.Created)+len(d.Updated) > 10 {
			break
		}
	}
	if d.Counts.Changes != 0 || d.Counts.Unchanged != unchanged {
		t.Fatalf("counts %+v, want 0 changes and %d unchanged", d.Counts, unchanged)
	}
}

// --- round trips on the bundled dataset

func TestRoundTripXLSXIsZeroChanges(t *testing.T) {
	s := bundled(t)
	sg := graphOf(t, s)
	var b bytes.Buffer
	if err := sheet.WriteXLSX(&b, sg.Nodes, sg.Edges, sheet.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	f := read(t, b.Bytes(), "kongsbergregionen.xlsx")
	var names []string
	for _, sh := range f.Sheets {
		names = append(names, sh.Name)
	}
	if !slices.Contains(names, "Municipality") || !slices.Contains(names, sheet.RelationsSheet) || !slices.Contains(names, sheet.GuideSheet) {
		t.Fatalf("sheets %q", names)
	}
	before := historyLen(t, s)
	d, err := sheet.Import(bg, s, []*sheet.File{f}, sheet.Options{}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	wantZeroChanges(t, d, len(sg.Nodes)+len(sg.Edges))
	if got := historyLen(t, s); got != before {
		t.Fatalf("history grew from %d to %d entries", before, got)
	}
	t.Logf("%d nodes and %d relations: %d bytes of xlsx, 0 changes", len(sg.Nodes), len(sg.Edges), b.Len())
}

func TestRoundTripCSVIsZeroChanges(t *testing.T) {
	s := bundled(t)
	sg := graphOf(t, s)
	for _, o := range []sheet.CSVOptions{{}, {Semicolon: true, BOM: true}, {Semicolon: true}, {BOM: true}} {
		t.Run(fmt.Sprintf("semicolon=%v,bom=%v", o.Semicolon, o.BOM), func(t *testing.T) {
			var files []*sheet.File
			for _, tb := range sheet.Tables(sg.Nodes, sg.Edges) {
				var b bytes.Buffer
				if err := sheet.WriteCSV(&b, tb, o); err != nil {
					t.Fatal(err)
				}
				if o.BOM != bytes.HasPrefix(b.Bytes(), []byte("\ufeff")) {
					t.Fatalf("%s: BOM %v, want %v", tb.Name, !o.BOM, o.BOM)
				}
				files = append(files, read(t, b.Bytes(), tb.Name+".csv"))
			}
			wantZeroChanges(t, plan(t, s, files...), len(sg.Nodes)+len(sg.Edges))
		})
	}
}

// The CSV files of /export/ (nodes.csv and edges.csv, Gephi's columns) are
// read as they are: importing them into the store they came from changes
// nothing.
func TestExportCSVImportsAsZeroChanges(t *testing.T) {
	s := bundled(t)
	g, err := export.Build(bg, s, export.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var nodes, edges bytes.Buffer
	if err := export.WriteCSV(&nodes, &edges, g); err != nil {
		t.Fatal(err)
	}
	d := plan(t, s, read(t, nodes.Bytes(), "nodes.csv"), read(t, edges.Bytes(), "edges.csv"))
	wantZeroChanges(t, d, len(g.Nodes)+len(g.Edges))
}

// --- Norwegian characters

const norsk = "Rådhuset i Nore og Uvdal – Ærlig, øvd og «åpen» (ÆØÅ æøå)"

func TestNorwegianCharactersSurviveCSV(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bytes func(string) []byte
	}{
		{"BOM and semicolons", func(s string) []byte { return []byte("\ufeff" + strings.ReplaceAll(s, ",", ";")) }},
		{"no BOM, commas", func(s string) []byte { return []byte(s) }},
		{"Windows-1252, semicolons", func(s string) []byte {
			b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(strings.ReplaceAll(s, ",", ";")))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := bundled(t)
			quoted := strings.ReplaceAll(norsk, ",", "") // no separator inside the cell
			csvText := "navn,beskrivelse,kilde\n" + quoted + ",Tiltak på tvers: ø æ å,https://example.org/vedtak-æøå\n"
			f := read(t, tc.bytes(csvText), "Nettverk.csv")
			d, err := sheet.Import(bg, s, []*sheet.File{f}, sheet.Options{}, false, "")
			if err != nil {
				t.Fatal(err)
			}
			if d.Counts.Created != 1 {
				t.Fatalf("counts %+v, refused %v", d.Counts, d.Refused)
			}
			id := d.Created[0].ID
			if id != "nettverk-radhuset-i-nore-og-uvdal-aerlig-ovd-og-apen-aeoa-aeoa" {
				t.Errorf("id %q", id)
			}
			ns, err := s.Nodes(bg, []string{id})
			if err != nil || len(ns) != 1 {
				t.Fatalf("Nodes(%s): %v, %v", id, ns, err)
			}
			n := ns[0]
			if n.Name != quoted || n.Description != "Tiltak på tvers: ø æ å" || n.Source.Reference != "https://example.org/vedtak-æøå" || !n.Source.Outside {
				t.Fatalf("stored %+v", n)
			}
			// Written again, both ways, and read back: the same text.
			for _, o := range []sheet.CSVOptions{{Semicolon: true, BOM: true}, {}} {
				var b bytes.Buffer
				if err := sheet.WriteCSV(&b, sheet.Tables([]*rg.Node{n}, nil)[2], o); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(b.String(), quoted) {
					t.Fatalf("written CSV lacks the name:\n%s", b.String())
				}
				wantZeroChanges(t, plan(t, s, read(t, b.Bytes(), "Network.csv")), 1)
			}
		})
	}
}

// --- edits

func partnerRows(rows ...[]string) tab {
	return tab{"Partnere", append([][]string{{"navn", "kategori", "kilde"}}, rows...)}
}

func TestDryRunShowsTheDiffAndTheRealRunAppliesIt(t *testing.T) {
	s := bundled(t)
	before := historyLen(t, s)
	kongsberg := nodeNamed(t, s, "Kongsberg")
	wb := workbook(t,
		tab{"Nettverk", [][]string{
			{"id", "navn", "fagfelt", "kilde"},
			{"", "Klimanettverket", "klima", "https://example.org/regionradet/sak-12-25"},
			{"nettverk-plom", "PLOM – plan og miljø", "plan og miljø", ""},
		}},
		tab{"Relasjoner", [][]string{
			{"kind", "fra", "til", "fraÅr", "tilÅr", "kilde"},
			{"MEMBER_OF", "Kongsberg", "Klimanettverket", "2025", "", "https://example.org/kongsberg-k-sak-25"},
		}},
	)
	f := read(t, wb, "endringer.xlsx")
	plom, err := s.Nodes(bg, []string{"nettverk-plom"})
	if err != nil || len(plom) != 1 {
		t.Fatalf("nettverk-plom: %v %v", plom, err)
	}

	dry, err := sheet.Import(bg, s, []*sheet.File{f}, sheet.Options{Role: rg.RoleEditor}, true, "")
	if err != nil {
		t.Fatal(err)
	}
	wantNoRefused(t, dry)
	if got := historyLen(t, s); got != before {
		t.Fatalf("the dry run wrote %d history entries", got-before)
	}
	if dry.Counts != (sheet.Counts{Created: 2, Updated: 1, Changes: 3}) {
		t.Fatalf("counts %+v", dry.Counts)
	}
	if c := dry.Created[0]; c.Sheet != "Nettverk" || c.Row != 2 || c.ID != "nettverk-klimanettverket" || c.Kind != "Network" {
		t.Errorf("created[0] %+v", c)
	}
	rel := dry.Created[1]
	if rel.Target != rg.TargetRelation || rel.Sheet != "Relasjoner" || rel.Row != 2 || rel.From != kongsberg || rel.To != "nettverk-klimanettverket" ||
		rel.ID != kongsberg+"-member-of-nettverk-klimanettverket" {
		t.Errorf("created[1] %+v", rel)
	}
	u := dry.Updated[0]
	wantFields := []sheet.FieldChange{{Column: "name", Old: plom[0].Name, New: "PLOM – plan og miljø"}, {Column: "field", Old: plom[0].Field, New: "plan og miljø"}}
	if u.ID != "nettverk-plom" || u.Row != 3 || !slices.Equal(u.Fields, wantFields) {
		t.Errorf("updated %+v, want fields %+v", u, wantFields)
	}

	real, err := sheet.Import(bg, s, []*sheet.File{f}, sheet.Options{Role: rg.RoleEditor}, false, dry.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if !real.Applied || real.Digest != dry.Digest {
		t.Fatalf("applied %v, digest %s vs %s", real.Applied, real.Digest, dry.Digest)
	}
	p, err := s.History(bg, rg.HistoryFilter{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalCount != before+3 {
		t.Fatalf("history %d, want %d", p.TotalCount, before+3)
	}
	reasons := map[string]string{}
	for _, h := range p.Entries[:3] {
		reasons[h.ID] = h.Reason
	}
	want := map[string]string{
		"nettverk-klimanettverket": "import endringer.xlsx, sheet Nettverk, row 2",
		"nettverk-plom":            "import endringer.xlsx, sheet Nettverk, row 3",
		rel.ID:                     "import endringer.xlsx, sheet Relasjoner, row 2",
	}
	for id, r := range want {
		if reasons[id] != r {
			t.Errorf("reason of %s: %q, want %q", id, reasons[id], r)
		}
	}
	n, _ := s.Nodes(bg, []string{"nettverk-klimanettverket", "nettverk-plom"})
	if len(n) != 2 || n[0].Field != "klima" || !n[0].Source.Outside || n[1].Name != "PLOM – plan og miljø" || n[1].Source != plom[0].Source {
		t.Fatalf("stored %+v %+v", n[0], n[1])
	}

	again, err := sheet.Import(bg, s, []*sheet.File{f}, sheet.Options{Role: rg.RoleEditor}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	if again.Counts.Changes != 0 || again.Counts.Unchanged != 3 {
		t.Fatalf("second import: %+v", again.Counts)
	}
	if got := historyLen(t, s); got != before+3 {
		t.Fatalf("the second import wrote %d entries", got-before-3)
	}

	// A stale digest: the graph has changed since that dry run.
	_, err = sheet.Import(bg, s, []*sheet.File{read(t, workbook(t, partnerRows([]string{"Ny partner", "", "https://example.org/x"})), "p.xlsx")}, sheet.Options{}, false, dry.Digest)
	if rg.ErrorCode(err) != rg.ECONFLICT {
		t.Fatalf("stale digest: %v, want CONFLICT", err)
	}
}

func nodeNamed(t testing.TB, s rg.Store, name string) string {
	t.Helper()
	p, err := s.FindNodes(bg, rg.NodeFilter{Text: name, First: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range p.Nodes {
		if n.Name == name {
			return n.ID
		}
	}
	t.Fatalf("no node named %q", name)
	return ""
}

func TestABadRowAnywhereWritesNothing(t *testing.T) {
	good := [][]string{
		{"navn", "kategori", "kilde"},
		{"Partner A", "forskning", "https://example.org/a"},
		{"Partner B", "forskning", "https://example.org/b"},
	}
	for _, tc := range []struct {
		name        string
		sheets      []tab
		sheetName   string
		row         int
		column      string
		code, words string
	}{
		{"a relation to a node nobody has", []tab{{"Partner", good}, {"Relasjoner", [][]string{{"kind", "fra", "til", "kilde"}, {"PARTNER_OF", "Partner A", "Partner B", "https://example.org/r"}, {"PARTNER_OF", "Partner A", "Ingen slik", "https://example.org/r"}}}},
			"Relasjoner", 3, "til", rg.EBADINPUT, `no node has the id or name "Ingen slik"`},
		{"a year that is not a number", []tab{{"Partner", good}, {"Relasjoner", [][]string{{"kind", "fra", "til", "fraÅr", "kilde"}, {"PARTNER_OF", "Partner A", "Partner B", "tjue", "https://example.org/r"}}}},
			"Relasjoner", 2, "fraÅr", rg.EBADINPUT, `"tjue" is not a whole number`},
		{"a node without a source", []tab{{"Partner", append(slices.Clone(good), []string{"Partner C", "", ""})}},
			"Partner", 4, "kilde", rg.EBADINPUT, "is required"},
		{"a field the kind does not have", []tab{{"Nettverk", [][]string{{"navn", "fylke", "kilde"}, {"Nett", "Buskerud", "https://example.org/n"}}}},
			"Nettverk", 2, "fylke", rg.EBADINPUT, "a Network has no county"},
		{"a relation the kinds may not have", []tab{{"Partner", good}, {"Relasjoner", [][]string{{"kind", "fra", "til", "kilde"}, {"MEMBER_OF", "Partner A", "Partner B", "https://example.org/r"}}}},
			"Relasjoner", 2, "kind", rg.EBADINPUT, "MEMBER_OF may not join Partner to Partner"},
		{"an unknown column", []tab{{"Partner", [][]string{{"navn", "farge", "kilde"}, {"X", "blå", "https://example.org/x"}}}},
			"Partner", 1, "farge", rg.EBADINPUT, `unknown column "farge"`},
		{"a name given twice", []tab{{"Partner", append(slices.Clone(good), []string{"Partner A", "", "https://example.org/a2"})}},
			"Partner", 4, "", rg.EBADINPUT, "already given on"},
		{"a delete by an editor", []tab{{"Kommuner", [][]string{{"navn", "slett"}, {"Flesberg", "ja"}}}},
			"Kommuner", 2, "slett", rg.EFORBIDDEN, "deleting needs the admin role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := bundled(t)
			before := graphOf(t, s)
			hist := historyLen(t, s)
			d, err := sheet.Import(bg, s, []*sheet.File{read(t, workbook(t, tc.sheets...), "feil.xlsx")}, sheet.Options{Role: rg.RoleEditor}, false, "")
			if rg.ErrorCode(err) != tc.code {
				t.Fatalf("err %v, want %s", err, tc.code)
			}
			if d == nil || len(d.Refused) != 1 {
				t.Fatalf("refused %+v", d)
			}
			p := d.Refused[0]
			if p.Sheet != tc.sheetName || p.Row != tc.row || tc.column != "" && p.Column != tc.column || !strings.Contains(p.Message, tc.words) || p.Code != tc.code {
				t.Fatalf("problem %+v, want sheet %s row %d column %q with %q", p, tc.sheetName, tc.row, tc.column, tc.words)
			}
			msg := rg.ErrorMessage(err)
			for _, w := range []string{"nothing was written", "feil.xlsx", `sheet "` + tc.sheetName + `"`, fmt.Sprintf("row %d", tc.row)} {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if d.Applied || len(d.Changes()) != 0 {
				t.Fatalf("applied %v with %d changes", d.Applied, len(d.Changes()))
			}
			after := graphOf(t, s)
			if len(after.Nodes) != len(before.Nodes) || len(after.Edges) != len(before.Edges) || historyLen(t, s) != hist {
				t.Fatalf("the store changed: %d/%d nodes, %d/%d relations", len(after.Nodes), len(before.Nodes), len(after.Edges), len(before.Edges))
			}
		})
	}
}

func TestAmbiguousNamesNameTheCandidates(t *testing.T) {
	s := openStore(t)
	src := rg.Source{Outside: true, Reference: "https://example.org/t"}
	if _, err := s.Apply(bg, []rg.Change{
		{Op: rg.OpCreateNode, Node: &rg.Node{ID: "partner-a", Kind: rg.KindPartner, Name: "Samme", Source: src}},
		{Op: rg.OpCreateNode, Node: &rg.Node{ID: "nettverk-a", Kind: rg.KindNetwork, Name: "Samme", Source: src}},
		{Op: rg.OpCreateNode, Node: &rg.Node{ID: "partner-b", Kind: rg.KindPartner, Name: "Annen", Source: src}},
	}); err != nil {
		t.Fatal(err)
	}
	d := plan(t, s, read(t, workbook(t, tab{"Relations", [][]string{{"kind", "from", "to", "kilde"}, {"PARTNER_OF", "Annen", "Samme", "https://example.org/r"}}}), "r.xlsx"))
	if len(d.Refused) != 1 {
		t.Fatalf("refused %+v", d.Refused)
	}
	p := d.Refused[0]
	if p.Column != "to" || p.Cell != "C2" || !strings.Contains(p.Message, "partner-a (Partner)") || !strings.Contains(p.Message, "nettverk-a (Network)") {
		t.Fatalf("problem %+v", p)
	}
	// By kind, a node sheet's name is not ambiguous: the Partner is meant.
	d = plan(t, s, read(t, workbook(t, tab{"Partner", [][]string{{"name", "category"}, {"Samme", "klynge"}}}), "p.xlsx"))
	wantNoRefused(t, d)
	if len(d.Updated) != 1 || d.Updated[0].ID != "partner-a" {
		t.Fatalf("updated %+v", d.Updated)
	}
}

func TestDeletesNeedAdminAndTakeTheRelations(t *testing.T) {
	s := bundled(t)
	flesberg := nodeNamed(t, s, "Flesberg")
	var rels []string
	for _, e := range graphOf(t, s).Edges {
		if e.From == flesberg || e.To == flesberg {
			rels = append(rels, e.ID)
		}
	}
	f := read(t, workbook(t, tab{"Kommuner", [][]string{{"id", "slett"}, {flesberg, "ja"}}}), "slett.xlsx")
	d, err := sheet.Import(bg, s, []*sheet.File{f}, sheet.Options{Role: rg.RoleAdmin}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Counts.Deleted != 1 || !slices.Equal(d.Deleted[0].Detached, rels) || len(rels) == 0 {
		t.Fatalf("deleted %+v, want detached %v", d.Deleted, rels)
	}
	if ns, _ := s.Nodes(bg, []string{flesberg}); len(ns) != 0 {
		t.Fatal("still there")
	}
}

func TestNorwegianHeadersAndCells(t *testing.T) {
	s := bundled(t)
	wb := workbook(t,
		tab{"Tiltak", [][]string{
			{"Navn", "Kode", "Planår", "Kostnad", "Årlige beløp", "Mål", "Kilde", "# notat"},
			{"Felles klimaplan", "9.1", "2025", "1 500 000 kr", "2025: 700 000\n2026: 800000", "Mindre utslipp\nFlere sykler", "Handlingsplan 2014 Kongsbergregionen", "ikke les"},
		}},
		tab{"Relasjoner", [][]string{
			{"Relasjon", "Fra", "Til", "Fra år", "Til år", "Beløp", "Som skrevet", "Rolle", "Kilde"},
			{"funds", "Kongsberg", "Felles klimaplan", "2025", "2026", "1.500.000", "RUM / kommunene", "eier", "https://example.org/vedtak"},
		}},
	)
	d, err := sheet.Import(bg, s, []*sheet.File{read(t, wb, "norsk.xlsx")}, sheet.Options{}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Counts.Created != 2 {
		t.Fatalf("%+v %v", d.Counts, d.Refused)
	}
	ns, _ := s.Nodes(bg, []string{"tiltak-felles-klimaplan"})
	if len(ns) != 1 {
		t.Fatal("no tiltak-felles-klimaplan")
	}
	n := ns[0]
	if n.Code != "9.1" || *n.PlanYear != 2025 || *n.CostNok != 1_500_000 || len(n.YearlyAmounts) != 2 || n.YearlyAmounts[1] != (rg.YearAmount{Year: 2026, AmountNok: 800_000}) ||
		!slices.Equal(n.Goals, []string{"Mindre utslipp", "Flere sykler"}) || n.Source.Plan != "plan-2014" || n.Source.Outside {
		t.Fatalf("stored %+v", n)
	}
	es, _ := s.Edges(bg, rg.EdgeFilter{NodeIDs: []string{"tiltak-felles-klimaplan"}})
	if len(es) != 1 || es[0].Kind != rg.RelFunds || *es[0].FromYear != 2025 || *es[0].ToYear != 2026 || *es[0].AmountNok != 1_500_000 || es[0].Role != "eier" || es[0].AsWritten != "RUM / kommunene" {
		t.Fatalf("relations %+v", es)
	}
}

// The columns the export writes for a kind are exactly the fields the
// domain lets that kind have.
func TestColumnsMatchTheDomain(t *testing.T) {
	tables := sheet.Tables(nil, nil)
	for i, k := range rg.Kinds {
		if tables[i].Name != string(k) {
			t.Fatalf("table %d is %s", i, tables[i].Name)
		}
		has := map[string]bool{}
		for _, h := range tables[i].Header {
			has[h] = true
		}
		for field, set := range map[string]func(n *rg.Node){
			"number": func(n *rg.Node) { n.Number = "1" }, "county": func(n *rg.Node) { n.County = "x" },
			"field": func(n *rg.Node) { n.Field = "x" }, "category": func(n *rg.Node) { n.Category = "x" },
			"code": func(n *rg.Node) { n.Code = "1" }, "planYear": func(n *rg.Node) { y := 2020; n.PlanYear = &y },
			"costNok": func(n *rg.Node) { c := int64(1); n.CostNok = &c }, "costText": func(n *rg.Node) { n.CostText = "x" },
			"yearlyAmounts": func(n *rg.Node) { n.YearlyAmounts = []rg.YearAmount{{Year: 2020, AmountNok: 1}} },
			"goals":         func(n *rg.Node) { n.Goals = []string{"x"} }, "activities": func(n *rg.Node) { n.Activities = []string{"x"} },
			"adopted": func(n *rg.Node) { n.Adopted = "2020" },
		} {
			n := &rg.Node{ID: "x", Kind: k, Name: "x", Source: rg.Source{Outside: true, Reference: "r"}}
			set(n)
			if ok := n.Validate() == nil; ok != has[field] {
				t.Errorf("%s: the domain allows %s: %v; the sheet has the column: %v", k, field, ok, has[field])
			}
		}
	}
}

func TestTemplateHasHeadersAndAGuide(t *testing.T) {
	var b bytes.Buffer
	if err := sheet.WriteXLSX(&b, nil, nil, sheet.WriteOptions{Template: true}); err != nil {
		t.Fatal(err)
	}
	f := read(t, b.Bytes(), "mal.xlsx")
	if f.Sheets[0].Name != sheet.GuideSheet || len(f.Sheets) != len(rg.Kinds)+2 {
		t.Fatalf("sheets: first %s, %d", f.Sheets[0].Name, len(f.Sheets))
	}
	for _, sh := range f.Sheets[1:] {
		if len(sh.Header) < 3 || sh.Header[0] != "id" || len(sh.Rows) != 0 {
			t.Fatalf("sheet %s: header %v, %d rows", sh.Name, sh.Header, len(sh.Rows))
		}
	}
	// An empty template imports as nothing at all.
	d := plan(t, openStore(t), f)
	wantZeroChanges(t, d, 0)
}

func TestFormulaLookingCellsRoundTripThroughCSV(t *testing.T) {
	s := openStore(t)
	n := &rg.Node{ID: "partner-x", Kind: rg.KindPartner, Name: "=HYPERLINK(\"http://x\")", Description: "'quoted", Aliases: []string{"+47", "@handle"},
		Source: rg.Source{Outside: true, Reference: "-minus"}}
	if _, err := s.Apply(bg, []rg.Change{{Op: rg.OpCreateNode, Node: n}}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := sheet.WriteCSV(&b, sheet.Tables([]*rg.Node{n}, nil)[3], sheet.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n")[1:] {
		for _, cell := range strings.Split(line, ",") {
			cell = strings.TrimPrefix(cell, `"`)
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Fatalf("cell %q would run as a formula", cell)
			}
		}
	}
	wantZeroChanges(t, plan(t, s, read(t, b.Bytes(), "Partner.csv")), 1)
}

func TestWriteTextShowsChangesAndProblems(t *testing.T) {
	s := bundled(t)
	wb := workbook(t, tab{"Nettverk", [][]string{{"id", "navn", "fagfelt"}, {"nettverk-plom", "PLOM", "plan"}, {"", "Nytt", ""}}})
	d := plan(t, s, read(t, wb, "x.xlsx"))
	var b bytes.Buffer
	if err := d.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	t.Log("\n" + out)
	for _, w := range []string{"updated (1)", "nettverk-plom", "field:", "→ plan", "refused (1)", "Nettverk  3", "1 rows refused: nothing was written"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// A name two nodes share is not ambiguous when only one of them may be at
// that end of the relation.
func TestRelationKindNarrowsANameDown(t *testing.T) {
	s := openStore(t)
	src := rg.Source{Outside: true, Reference: "https://example.org/t"}
	if _, err := s.Apply(bg, []rg.Change{
		{Op: rg.OpCreateNode, Node: &rg.Node{ID: "kommune-a", Kind: rg.KindMunicipality, Name: "A", Source: src}},
		{Op: rg.OpCreateNode, Node: &rg.Node{ID: "sak-samme", Kind: rg.KindTopic, Name: "Samme", Source: src}},
		{Op: rg.OpCreateNode, Node: &rg.Node{ID: "nettverk-samme", Kind: rg.KindNetwork, Name: "Samme", Source: src}},
	}); err != nil {
		t.Fatal(err)
	}
	d := plan(t, s, read(t, workbook(t, tab{"Relations", [][]string{{"kind", "from", "to", "kilde"}, {"MEMBER_OF", "A", "Samme", "https://example.org/r"}}}), "r.xlsx"))
	wantNoRefused(t, d)
	if len(d.Created) != 1 || d.Created[0].To != "nettverk-samme" {
		t.Fatalf("created %+v", d.Created)
	}
}
