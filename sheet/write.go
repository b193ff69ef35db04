package sheet

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	rg "github.com/regiongraph/regiongraph"
)

// RelationsSheet and GuideSheet are the names the export gives the
// relations sheet and the sheet that explains how to fill in the others.
const (
	RelationsSheet = "Relations"
	GuideSheet     = "Veiledning"
)

// Table is one sheet as the export writes it: a name, the header and the
// rows, whose cells are strings or numbers (int64).
type Table struct {
	Name   string
	Header []string
	Rows   [][]any
}

// Tables lays out nodes and relations as the export writes them: a sheet
// per node kind (every kind, empty or not, in rg.Kinds order) with the
// kind's columns, then the relations. Nodes and relations keep the order
// given.
func Tables(nodes []*rg.Node, edges []*rg.Edge) []Table {
	byKind := map[rg.Kind][]*rg.Node{}
	for _, n := range nodes {
		byKind[n.Kind] = append(byKind[n.Kind], n)
	}
	var out []Table
	for _, k := range rg.Kinds {
		t := Table{Name: string(k), Header: nodeHeader(k)}
		cols := columnsFor(k)
		for _, n := range byKind[k] {
			t.Rows = append(t.Rows, nodeRow(cols, n))
		}
		out = append(out, t)
	}
	t := Table{Name: RelationsSheet, Header: edgeHeader()}
	for _, e := range edges {
		t.Rows = append(t.Rows, edgeRow(e))
	}
	return append(out, t)
}

// nodeHeader is the header of kind k's sheet: id and the kind's columns.
func nodeHeader(k rg.Kind) []string {
	h := []string{colID}
	for _, c := range columnsFor(k) {
		h = append(h, c.key)
	}
	return h
}

// edgeHeader is the header of the relations sheet.
func edgeHeader() []string {
	h := []string{colID, colKind, colFrom, colTo}
	for _, c := range edgeColumns {
		h = append(h, c.key)
	}
	return h
}

// nodeRow is n's row in its kind's sheet, whose columns after id are cols
// (columnsFor(n.Kind)).
func nodeRow(cols []*column, n *rg.Node) []any {
	row := make([]any, 0, len(cols)+1)
	row = append(row, n.ID)
	for _, c := range cols {
		row = append(row, cellValue(c, c.getN(n)))
	}
	return row
}

// edgeRow is e's row in the relations sheet.
func edgeRow(e *rg.Edge) []any {
	row := make([]any, 0, len(edgeColumns)+4)
	row = append(row, e.ID, string(e.Kind), e.From, e.To)
	for _, c := range edgeColumns {
		row = append(row, cellValue(c, c.getE(e)))
	}
	return row
}

// cellValue is a number for the number columns, else the text.
func cellValue(c *column, s string) any {
	if c.num && s != "" {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v
		}
	}
	return s
}

// WriteOptions configure WriteXLSX and NewWorkbook.
type WriteOptions struct {
	// Template writes only the headers, with the guide first.
	Template bool
}

// WriteXLSX writes the workbook: Tables, and the guide sheet (last, or
// first in a template). Cells are written as text or numbers, never as
// formulas.
func WriteXLSX(w io.Writer, nodes []*rg.Node, edges []*rg.Edge, o WriteOptions) error {
	b, err := NewWorkbook(o)
	if err != nil {
		return err
	}
	defer b.Close()
	if !o.Template {
		if err := b.AddNodes(nodes); err != nil {
			return err
		}
		if err := b.AddEdges(edges); err != nil {
			return err
		}
	}
	_, err = b.WriteTo(w)
	return err
}

// guide is the text of the guide sheet, one paragraph per row.
var guide = []string{
	"Slik fyller du ut arket / How to fill this in",
	"Ett ark per nodetype (Municipality = kommune, Region, Network = nettverk, Partner, Fund = fond, Initiative = tiltak, FocusArea = satsingsområde, StrategyArea = tiltaksområde, Topic = sak, Plan) og ett ark for relasjoner (Relations). Arkene kan også hete Kommuner, Nettverk, Tiltak, Relasjoner osv.",
	"Første rad er kolonnenavnene. Norske navn godtas også: navn, alias, beskrivelse, fylke, kommunenummer, fagfelt, kategori, kode, planår, kostnad, mål, aktiviteter, vedtatt, fra, til, fraÅr, tilÅr, beløp, somSkrevet, rolle, kilde, sitat, avsnitt, referanse, slett. En kolonne som begynner med # er et notat og leses ikke.",
	"Noder: id kan stå tom for en ny node (den får en id av type og navn). En rad uten id oppdaterer noden med nøyaktig samme navn og type. Tomme celler i en kolonne som finnes, tømmer feltet; kolonner som ikke finnes, lar feltet være.",
	"Lister (aliases, goals, activities): én verdi per linje i cellen (Alt+Enter); aliaser kan også skilles med semikolon. yearlyAmounts: én linje per år, «2011: 700000».",
	"Relasjoner: kind (for eksempel MEMBER_OF, PARTICIPATES_IN, FUNDS, COORDINATES), from og to er id eller nøyaktig navn på en node som finnes eller lages i samme fil. fromYear og toYear gir årene relasjonen gjelder.",
	"Kilde: hver node og relasjon trenger en kilde: sourcePlan (planens id, f.eks. plan-2014) med sourceSection og sourceQuote, eller sourceOutside = true med sourceReference (lenke eller vedtak). En kolonne «kilde» kan brukes i stedet: en plan der blir sourcePlan, annen tekst blir en ekstern referanse.",
	"Sletting krever administratorrolle: legg til kolonnen «slett» (delete) og skriv ja på raden. En slettet node tar relasjonene sine med seg.",
	"Last opp: velg «Importer regneark» på kartet, eller kjør «regiongraph import fil.xlsx --dry-run». Du ser først hva som blir laget, endret og slettet; ingenting lagres før du bekrefter, og ingenting lagres om én rad er feil (feilen nevner ark, rad og kolonne).",
	"English: one sheet per node kind and one for relations; the first row names the columns; a row without an id updates the node of the same kind with exactly that name; empty cells clear a field; deleting needs the admin role and a delete column. Nothing is written until you confirm, and nothing at all if one row is wrong.",
}

func writeGuide(f *excelize.File, wrap, head int) error {
	if err := f.SetColWidth(GuideSheet, "A", "A", 120); err != nil {
		return fmt.Errorf("sheet guide: %w", err)
	}
	for i, p := range guide {
		cell := "A" + strconv.Itoa(i+1)
		if err := f.SetCellStr(GuideSheet, cell, p); err != nil {
			return fmt.Errorf("sheet guide: %w", err)
		}
		style := wrap
		if i == 0 {
			style = head
		}
		if err := f.SetCellStyle(GuideSheet, cell, cell, style); err != nil {
			return fmt.Errorf("sheet guide: %w", err)
		}
	}
	return nil
}

// CSVOptions configure WriteCSV.
type CSVOptions struct {
	// Semicolon separates cells with ";" (as Norwegian Excel does) instead
	// of ",".
	Semicolon bool
	// BOM starts the file with a UTF-8 byte order mark, so that Excel
	// reads it as UTF-8.
	BOM bool
}

// WriteCSV writes one table as CSV. A text cell that a spreadsheet would
// take for a formula (starting with =, +, -, @, a tab or a carriage return)
// is written with a leading apostrophe, which ReadCSV removes (so is a cell
// that starts with an apostrophe, so that it reads back as written).
func WriteCSV(w io.Writer, t Table, o CSVOptions) error {
	bw := bufio.NewWriter(w)
	if o.BOM {
		_, _ = bw.WriteString("\ufeff")
	}
	cw := csv.NewWriter(bw)
	if o.Semicolon {
		cw.Comma = ';'
	}
	if err := cw.Write(t.Header); err != nil {
		return fmt.Errorf("sheet: write %s.csv: %w", t.Name, err)
	}
	rec := make([]string, len(t.Header))
	for _, row := range t.Rows {
		if err := cw.Write(csvRecord(rec, row)); err != nil {
			return fmt.Errorf("sheet: write %s.csv: %w", t.Name, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("sheet: write %s.csv: %w", t.Name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sheet: write %s.csv: %w", t.Name, err)
	}
	return nil
}

// csvRecord fills rec with row's cells as CSV text: numbers as numbers,
// text that a spreadsheet would take for a formula with a leading
// apostrophe (see WriteCSV).
func csvRecord(rec []string, row []any) []string {
	rec = rec[:len(row)]
	for i, v := range row {
		switch v := v.(type) {
		case int64:
			rec[i] = strconv.FormatInt(v, 10)
		case string:
			if v != "" && strings.ContainsRune(formulaStart, rune(v[0])) {
				v = "'" + v
			}
			rec[i] = v
		default:
			rec[i] = fmt.Sprint(v)
		}
	}
	return rec
}
