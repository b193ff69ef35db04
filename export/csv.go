package export

import (
	"encoding/csv"
	"io"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// CSVOptions shape the CSV exports (nodes.csv, edges.csv).
//
// Whatever the options, a text cell that starts with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, so that a spreadsheet shows it
// as text instead of running it as a formula (OWASP's rule against CSV
// injection: a name like =HYPERLINK("http://…") would otherwise be a live
// link, or worse). Numbers are written as numbers; a negative number is not
// a formula.
type CSVOptions struct {
	// Excel writes for Excel with Norwegian settings: a UTF-8 byte-order
	// mark first (without it Excel reads the file as Windows-1252 and
	// garbles æ, ø and å), ';' between cells (Norwegian Excel's list
	// separator, the comma being its decimal mark) and decimal commas in
	// fractional numbers. The default is RFC 4180 with commas and decimal
	// points, as Gephi and most programs read it. Lines end with LF in both
	// (Excel reads them; CRLF would drop a carriage return inside a cell).
	Excel bool
}

// ParseCSVDialect reads the csv URL parameter and -csv flag: "" or
// "rfc4180" for the default, "excel" for CSVOptions.Excel.
func ParseCSVDialect(s string) (CSVOptions, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "rfc4180":
		return CSVOptions{}, true
	case "excel":
		return CSVOptions{Excel: true}, true
	}
	return CSVOptions{}, false
}

// CSVDialects are the values ParseCSVDialect accepts.
const CSVDialects = "rfc4180 (the default) or excel"

// IsCSV reports whether f is one of the CSV formats.
func (f Format) IsCSV() bool { return f.Name == "nodes.csv" || f.Name == "edges.csv" }

// WithCSV returns f writing with o when f is a CSV format, else f.
func (f Format) WithCSV(o CSVOptions) Format {
	switch f.Name {
	case "nodes.csv":
		f.Write = func(w io.Writer, g *Graph) error { return WriteNodesCSVWith(w, g, o) }
		f.doc = func(w io.Writer) docWriter { return newNodesCSVDoc(w, o) }
	case "edges.csv":
		f.Write = func(w io.Writer, g *Graph) error { return WriteEdgesCSVWith(w, g, o) }
		f.doc = func(w io.Writer) docWriter { return newEdgesCSVDoc(w, o) }
	}
	return f
}

// NeutraliseCell returns s as a spreadsheet shows it as text: with a
// leading apostrophe when it starts with =, +, -, @, a tab or a carriage
// return, unchanged otherwise.
func NeutraliseCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// csvWriter writes rows cell by cell with CSVOptions, keeping the first
// error.
type csvWriter struct {
	o   CSVOptions
	w   io.Writer
	cw  *csv.Writer
	row []string
	err error
}

// utf8BOM is the byte-order mark Excel needs to read a CSV file as UTF-8.
const utf8BOM = "\uFEFF"

func newCSVWriter(w io.Writer, o CSVOptions) *csvWriter {
	c := &csvWriter{o: o, w: w, cw: csv.NewWriter(w)}
	if o.Excel {
		_, c.err = io.WriteString(w, utf8BOM)
		c.cw.Comma = ';'
	}
	return c
}

// header writes the header row (names of ours, never formulas).
func (c *csvWriter) header(h []string) {
	c.row = append(c.row[:0], h...)
	c.endRow()
}

// text adds a text cell, neutralised.
func (c *csvWriter) text(s string) { c.row = append(c.row, NeutraliseCell(s)) }

// cell adds an attribute's value: text neutralised, numbers as numbers
// (with a decimal comma for Excel).
func (c *csvWriter) cell(t attrType, v any) {
	s := text(v)
	switch t {
	case tString:
		c.text(s)
		return
	case tDouble:
		if c.o.Excel {
			s = strings.Replace(s, ".", ",", 1)
		}
	}
	c.row = append(c.row, s)
}

func (c *csvWriter) endRow() {
	if c.err == nil {
		c.err = c.cw.Write(c.row)
	}
	c.row = c.row[:0]
}

func (c *csvWriter) flush() error {
	c.cw.Flush()
	if c.err != nil {
		return c.err
	}
	return c.cw.Error()
}

// NodesCSVHeader and EdgesCSVHeader are the first rows of nodes.csv and
// edges.csv. Id, Label, Source, Target and Type are the column names
// Gephi's spreadsheet import recognises; Type is always "Directed".
var (
	NodesCSVHeader = func() []string {
		h := []string{"Id", "Label"}
		for _, a := range nodeAttrs[1:] {
			h = append(h, a.name)
		}
		return h
	}()
	EdgesCSVHeader = func() []string {
		h := []string{"Id", "Source", "Target", "Type", "Label"}
		for _, a := range edgeAttrs[1:] {
			h = append(h, a.name)
		}
		return h
	}()
)

// WriteNodesCSV writes nodes.csv: NodesCSVHeader, then one row per node
// (RFC 4180 quoting, UTF-8, empty cells for missing values, text that a
// spreadsheet would run as a formula neutralised; see CSVOptions).
func WriteNodesCSV(w io.Writer, g *Graph) error { return WriteNodesCSVWith(w, g, CSVOptions{}) }

// WriteNodesCSVWith is WriteNodesCSV shaped by o.
func WriteNodesCSVWith(w io.Writer, g *Graph, o CSVOptions) error {
	return writeGraph(newNodesCSVDoc(w, o), g, "nodes.csv")
}

// WriteEdgesCSV writes edges.csv: EdgesCSVHeader, then one row per relation.
func WriteEdgesCSV(w io.Writer, g *Graph) error { return WriteEdgesCSVWith(w, g, CSVOptions{}) }

// WriteEdgesCSVWith is WriteEdgesCSV shaped by o.
func WriteEdgesCSVWith(w io.Writer, g *Graph, o CSVOptions) error {
	return writeGraph(newEdgesCSVDoc(w, o), g, "edges.csv")
}

// csvDoc writes nodes.csv, or edges.csv when edgesFile is set.
type csvDoc struct {
	cw        *csvWriter
	o         CSVOptions
	w         io.Writer
	edgesFile bool
}

func newNodesCSVDoc(w io.Writer, o CSVOptions) docWriter { return &csvDoc{w: w, o: o} }

func newEdgesCSVDoc(w io.Writer, o CSVOptions) docWriter {
	return &csvDoc{w: w, o: o, edgesFile: true}
}

func (d *csvDoc) parts() (bool, bool) { return !d.edgesFile, d.edgesFile }

func (d *csvDoc) begin(docMeta) {
	d.cw = newCSVWriter(d.w, d.o)
	if d.edgesFile {
		d.cw.header(EdgesCSVHeader)
	} else {
		d.cw.header(NodesCSVHeader)
	}
}

func (d *csvDoc) node(g *Graph, n *rg.Node) {
	if d.edgesFile {
		return
	}
	d.cw.text(n.ID)
	for _, a := range nodeAttrs {
		v, ok := a.get(g, n)
		if !ok {
			v = nil
		}
		d.cw.cell(a.typ, v)
	}
	d.cw.endRow()
}

func (d *csvDoc) edges() {}

func (d *csvDoc) edge(g *Graph, e *rg.Edge) {
	if !d.edgesFile {
		return
	}
	d.cw.text(e.ID)
	d.cw.text(e.From)
	d.cw.text(e.To)
	d.cw.text("Directed")
	for _, a := range edgeAttrs {
		v, ok := a.get(g, e)
		if !ok {
			v = nil
		}
		d.cw.cell(a.typ, v)
	}
	d.cw.endRow()
}

func (d *csvDoc) end() {}

// abort writes a last row of one cell saying that the file is incomplete;
// it has fewer cells than the header, so a strict reader stops there.
func (d *csvDoc) abort(err error) {
	d.cw.row = append(d.cw.row[:0], "#"+incompleteNote(err))
	d.cw.endRow()
}

func (d *csvDoc) flush() error { return d.cw.flush() }

// WriteCSV writes nodes.csv to nodesW and edges.csv to edgesW.
func WriteCSV(nodesW, edgesW io.Writer, g *Graph) error {
	return WriteCSVWith(nodesW, edgesW, g, CSVOptions{})
}

// WriteCSVWith is WriteCSV shaped by o.
func WriteCSVWith(nodesW, edgesW io.Writer, g *Graph, o CSVOptions) error {
	if err := WriteNodesCSVWith(nodesW, g, o); err != nil {
		return err
	}
	return WriteEdgesCSVWith(edgesW, g, o)
}
