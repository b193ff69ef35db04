package export

import (
	"encoding/csv"
	"io"
	"strings"
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
	case "edges.csv":
		f.Write = func(w io.Writer, g *Graph) error { return WriteEdgesCSVWith(w, g, o) }
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
