package sheet

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	rg "github.com/regiongraph/regiongraph"
)

// Workbook is the workbook WriteXLSX writes, built a page of rows at a
// time: NewWorkbook makes its sheets (one per node kind in rg.Kinds order,
// the relations and the guide: the layout of Tables), AddNodes and AddEdges
// append rows, in any number of calls, and WriteTo writes it out, once.
//
// Rows go into excelize's StreamWriter, which keeps at most 16 MiB
// (excelize.StreamChunkSize) of each sheet in memory and the rest in a
// temporary file (in the system's temporary directory, $TMPDIR; in memory
// when no file can be made there), and WriteTo writes the zip archive
// straight to its writer: memory does not grow with the graph beyond that.
// Close removes the temporary files; call it whatever happened.
//
// An .xlsx workbook is a zip archive whose central directory, the index
// every reader starts from, comes last: WriteTo writes it only after every
// part has been written, so that a workbook cut short (a write that failed,
// a client gone) is never a valid workbook.
type Workbook struct {
	f       *excelize.File
	kinds   map[rg.Kind]*sheetStream
	rel     *sheetStream
	all     []*sheetStream
	rows    int // rows written below the headers, over all sheets
	written bool
}

// sheetStream is one sheet of a Workbook being written.
type sheetStream struct {
	name  string
	sw    *excelize.StreamWriter
	cols  []*column // a node sheet's columns after id; nil for the relations
	row   int       // the last row written (1: the header)
	cells []any
}

// NewWorkbook returns a Workbook with its sheets, headers and guide, and
// no rows. With o.Template it is the blank template: the guide first, and
// rows cannot be added.
func NewWorkbook(o WriteOptions) (*Workbook, error) {
	f := excelize.NewFile()
	b := &Workbook{f: f, kinds: map[rg.Kind]*sheetStream{}}
	if err := b.init(o); err != nil {
		_ = f.Close()
		return nil, err
	}
	if o.Template {
		// No rows: AddNodes and AddEdges fail on a template.
		b.kinds, b.rel = nil, nil
	}
	return b, nil
}

func (b *Workbook) init(o WriteOptions) error {
	f := b.f
	head, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}},
	})
	if err != nil {
		return fmt.Errorf("sheet: style: %w", err)
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("sheet: style: %w", err)
	}
	// The sheets, in the workbook's order.
	var names []string
	if o.Template {
		names = append(names, GuideSheet)
	}
	for _, k := range rg.Kinds {
		names = append(names, string(k))
	}
	names = append(names, RelationsSheet)
	if !o.Template {
		names = append(names, GuideSheet)
	}
	for i, name := range names {
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
		if name == GuideSheet {
			// Written as it is added, as WriteXLSX always did, so that
			// the parts keep their order (the shared strings'
			// relationship before or after the sheets').
			if err := writeGuide(f, wrap, head); err != nil {
				return err
			}
		}
	}
	// Before the stream writers take the sheets: afterwards excelize would
	// parse every sheet's rows back to mark it (slow, and all in memory).
	f.SetActiveSheet(0)
	for _, k := range rg.Kinds {
		s, err := newSheetStream(f, string(k), nodeHeader(k), head)
		if err != nil {
			return err
		}
		s.cols = columnsFor(k)
		b.kinds[k] = s
		b.all = append(b.all, s)
	}
	s, err := newSheetStream(f, RelationsSheet, edgeHeader(), head)
	if err != nil {
		return err
	}
	b.rel = s
	b.all = append(b.all, s)
	return nil
}

// newSheetStream begins sheet name: column widths, the header frozen at
// the top, the header row.
func newSheetStream(f *excelize.File, name string, header []string, head int) (*sheetStream, error) {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %w", name, err)
	}
	for i, h := range header {
		width := 14.0
		switch h {
		case "id", "from", "to", "name":
			width = 30
		case "description", "sourceQuote", "goals", "activities", "asWritten", "sourceReference":
			width = 40
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return nil, fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("sheet %s: %w", name, err)
	}
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return nil, fmt.Errorf("sheet %s: %w", name, err)
	}
	return &sheetStream{name: name, sw: sw, row: 1, cells: make([]any, len(header))}, nil
}

// add appends a row: text cells that are empty are left out, numbers are
// number cells, text is text (never a formula).
func (s *sheetStream) add(row []any) error {
	if s.row >= excelize.TotalRows {
		return rg.Errorf(rg.EBADINPUT, "the %s sheet would have more than %d rows, the most a workbook's sheet holds: narrow the export with kind or relation, or export CSV", s.name, excelize.TotalRows-1)
	}
	s.row++
	cells := s.cells[:len(row)]
	for j, v := range row {
		if t, ok := v.(string); ok && t == "" {
			cells[j] = nil
			continue
		}
		cells[j] = v
	}
	if err := s.sw.SetRow("A"+strconv.Itoa(s.row), cells); err != nil {
		return fmt.Errorf("sheet %s row %d: %w", s.name, s.row, err)
	}
	return nil
}

var errTemplateRows = errors.New("sheet: a template has no rows")

// AddNodes appends a row for each node to its kind's sheet, in the order
// given.
func (b *Workbook) AddNodes(nodes []*rg.Node) error {
	if b.written {
		return errWritten
	}
	if b.kinds == nil {
		return errTemplateRows
	}
	for _, n := range nodes {
		s := b.kinds[n.Kind]
		if s == nil {
			return fmt.Errorf("sheet: node %s has the unknown kind %q", n.ID, n.Kind)
		}
		if err := s.add(nodeRow(s.cols, n)); err != nil {
			return err
		}
		b.rows++
	}
	return nil
}

// AddEdges appends a row for each relation to the relations sheet, in the
// order given.
func (b *Workbook) AddEdges(edges []*rg.Edge) error {
	if b.written {
		return errWritten
	}
	if b.rel == nil {
		return errTemplateRows
	}
	for _, e := range edges {
		if err := b.rel.add(edgeRow(e)); err != nil {
			return err
		}
		b.rows++
	}
	return nil
}

// Rows is how many rows (nodes and relations) the workbook holds.
func (b *Workbook) Rows() int { return b.rows }

var errWritten = errors.New("sheet: the workbook was written already")

// WriteTo ends the sheets and writes the workbook to w, returning how many
// bytes reached w. The archive goes straight to w as it is compressed (it
// is not built in memory first); its central directory is written last,
// and only when everything before it was, so that what w holds after an
// error is not a workbook any reader opens.
func (b *Workbook) WriteTo(w io.Writer) (int64, error) {
	if b.written {
		return 0, errWritten
	}
	b.written = true
	for _, s := range b.all {
		if err := s.sw.Flush(); err != nil {
			return 0, fmt.Errorf("sheet %s: %w", s.name, err)
		}
	}
	cw := &countWriter{w: w}
	var zw *zip.Writer
	// excelize builds the archive in a buffer of its own and copies it
	// out; given a zip writer on w instead, it writes the parts straight
	// to w and the buffer stays empty. Its Close (the central directory)
	// is held back until every part is written.
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw = zip.NewWriter(cw)
		return heldZip{zw}
	})
	if _, err := b.f.WriteTo(io.Discard); err != nil {
		return cw.n, fmt.Errorf("sheet: write workbook: %w", err)
	}
	if zw == nil {
		return cw.n, errors.New("sheet: write workbook: excelize did not use the zip writer")
	}
	if err := zw.Close(); err != nil {
		return cw.n, fmt.Errorf("sheet: write workbook: %w", err)
	}
	return cw.n, nil
}

// Close frees the workbook's temporary files.
func (b *Workbook) Close() error {
	return b.f.Close()
}

// heldZip is a zip writer whose Close does nothing: the caller closes the
// zip.Writer once it knows every part was written.
type heldZip struct{ *zip.Writer }

func (heldZip) Close() error { return nil }

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// CSVSheets writes the workbook's sheets as CSV files (WriteCSV, the
// layout of Tables), a page of rows at a time: NewCSVSheets opens one
// writer per sheet and writes the headers, AddNodes and AddEdges append
// rows, Flush writes out what is buffered, Close ends every file. Memory
// holds a buffer per file, whatever the number of rows.
type CSVSheets struct {
	kinds map[rg.Kind]*csvSheet
	rel   *csvSheet
	all   []*csvSheet
	rows  int
}

// csvSheet is one CSV file of CSVSheets.
type csvSheet struct {
	name string
	cols []*column
	bw   *bufio.Writer
	cw   *csv.Writer
	rec  []string
}

// NewCSVSheets calls open with each sheet's name (the kinds in rg.Kinds
// order, then RelationsSheet) for the writer of its file, and writes the
// files' beginnings (the byte order mark of o, the header) into buffers.
func NewCSVSheets(open func(sheet string) (io.Writer, error), o CSVOptions) (*CSVSheets, error) {
	c := &CSVSheets{kinds: map[rg.Kind]*csvSheet{}}
	add := func(name string, header []string, cols []*column) (*csvSheet, error) {
		w, err := open(name)
		if err != nil {
			return nil, err
		}
		s := &csvSheet{name: name, cols: cols, bw: bufio.NewWriterSize(w, 64<<10), rec: make([]string, len(header))}
		if o.BOM {
			_, _ = s.bw.WriteString("\ufeff")
		}
		s.cw = csv.NewWriter(s.bw)
		if o.Semicolon {
			s.cw.Comma = ';'
		}
		if err := s.cw.Write(header); err != nil {
			return nil, fmt.Errorf("sheet: write %s.csv: %w", name, err)
		}
		c.all = append(c.all, s)
		return s, nil
	}
	for _, k := range rg.Kinds {
		s, err := add(string(k), nodeHeader(k), columnsFor(k))
		if err != nil {
			return nil, err
		}
		c.kinds[k] = s
	}
	s, err := add(RelationsSheet, edgeHeader(), nil)
	if err != nil {
		return nil, err
	}
	c.rel = s
	return c, nil
}

// AddNodes appends a row for each node to its kind's file.
func (c *CSVSheets) AddNodes(nodes []*rg.Node) error {
	for _, n := range nodes {
		s := c.kinds[n.Kind]
		if s == nil {
			return fmt.Errorf("sheet: node %s has the unknown kind %q", n.ID, n.Kind)
		}
		if err := s.cw.Write(csvRecord(s.rec, nodeRow(s.cols, n))); err != nil {
			return fmt.Errorf("sheet: write %s.csv: %w", s.name, err)
		}
		c.rows++
	}
	return nil
}

// AddEdges appends a row for each relation to the relations file.
func (c *CSVSheets) AddEdges(edges []*rg.Edge) error {
	for _, e := range edges {
		if err := c.rel.cw.Write(csvRecord(c.rel.rec, edgeRow(e))); err != nil {
			return fmt.Errorf("sheet: write %s.csv: %w", c.rel.name, err)
		}
		c.rows++
	}
	return nil
}

// Rows is how many rows (nodes and relations) the files hold.
func (c *CSVSheets) Rows() int { return c.rows }

// Flush writes out what every file buffers.
func (c *CSVSheets) Flush() error {
	for _, s := range c.all {
		s.cw.Flush()
		if err := s.cw.Error(); err != nil {
			return fmt.Errorf("sheet: write %s.csv: %w", s.name, err)
		}
		if err := s.bw.Flush(); err != nil {
			return fmt.Errorf("sheet: write %s.csv: %w", s.name, err)
		}
	}
	return nil
}

// Abort ends every file with a last row of one cell, note (which should
// start with "#regiongraph: INCOMPLETE EXPORT", IncompleteMark, so that
// the import refuses the file), and writes out what they buffer: the set
// of files stopped before its end and no file of it is whole. It returns
// the first error of the writes.
func (c *CSVSheets) Abort(note string) error {
	var first error
	for _, s := range c.all {
		if err := s.cw.Write([]string{note}); err != nil && first == nil {
			first = fmt.Errorf("sheet: write %s.csv: %w", s.name, err)
		}
	}
	if err := c.Flush(); err != nil && first == nil {
		first = err
	}
	return first
}

// IncompleteMark begins the last row of a CSV export that stopped before
// its end (/export/nodes.csv, edges.csv and the workbook's sheets as CSV);
// the import refuses a file with such a row.
const IncompleteMark = "#regiongraph: INCOMPLETE EXPORT"
