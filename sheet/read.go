package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	rg "github.com/regiongraph/regiongraph"
)

// File is a workbook or CSV file as read: its name and its sheets.
type File struct {
	Name   string
	Sheets []*Sheet
}

// Sheet is one sheet: its name, its header row and its other rows that are
// not empty.
type Sheet struct {
	Name   string
	Header []string
	Rows   []Row
}

// Row is a row of a sheet with its number as the spreadsheet shows it (the
// header is row 1).
type Row struct {
	Num   int
	Cells []string
}

// Cell returns the row's cell in column i ("" past its end).
func (r Row) Cell(i int) string {
	if i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// Limits bound what is read, so that a hostile file costs little.
type Limits struct {
	MaxRows    int   // rows over all sheets; default 100 000
	MaxColumns int   // columns of a sheet; default 200
	MaxSheets  int   // sheets of a workbook; default 50
	MaxCell    int   // bytes of a cell; default 32 767 (Excel's own limit in characters)
	MaxUnzip   int64 // bytes a workbook may unpack to; default 512 MiB
}

// DefaultLimits are the limits of a zero Limits.
var DefaultLimits = Limits{MaxRows: 100_000, MaxColumns: 200, MaxSheets: 50, MaxCell: 32767 * 4, MaxUnzip: 512 << 20}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxRows > 0 {
		d.MaxRows = l.MaxRows
	}
	if l.MaxColumns > 0 {
		d.MaxColumns = l.MaxColumns
	}
	if l.MaxSheets > 0 {
		d.MaxSheets = l.MaxSheets
	}
	if l.MaxCell > 0 {
		d.MaxCell = l.MaxCell
	}
	if l.MaxUnzip > 0 {
		d.MaxUnzip = l.MaxUnzip
	}
	return d
}

// Formats a file can be read in.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// MIME types of the formats.
const (
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	ContentTypeCSV  = "text/csv"
)

// FormatOf tells the format of a file from its name and first bytes: a zip
// archive (as every .xlsx is) is a workbook, anything else CSV.
func FormatOf(name string, head []byte) string {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) || strings.EqualFold(filepath.Ext(name), ".xlsx") {
		return FormatXLSX
	}
	return FormatCSV
}

// Read reads a workbook or CSV file (by FormatOf). A file that cannot be
// read is BAD_USER_INPUT naming it.
func Read(b []byte, name string, lim Limits) (*File, error) {
	if FormatOf(name, b) == FormatXLSX {
		return ReadXLSX(b, name, lim)
	}
	return ReadCSV(b, name, lim)
}

func badFile(name, format string, args ...any) error {
	return rg.Errorf(rg.EBADINPUT, "%s: %s", name, fmt.Sprintf(format, args...))
}

// ReadXLSX reads every sheet of a workbook.
func ReadXLSX(b []byte, name string, lim Limits) (*File, error) {
	lim = lim.withDefaults()
	x, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{RawCellValue: true, UnzipSizeLimit: lim.MaxUnzip})
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookFileFormat) || strings.Contains(err.Error(), "zip") {
			return nil, badFile(name, "is not an .xlsx workbook (Excel 2007 or later); save it as .xlsx or CSV")
		}
		return nil, badFile(name, "cannot be read as an .xlsx workbook: %s", plainErr(err))
	}
	defer x.Close()
	names := x.GetSheetList()
	if len(names) > lim.MaxSheets {
		return nil, badFile(name, "has %d sheets; at most %d are read", len(names), lim.MaxSheets)
	}
	f := &File{Name: name}
	for _, sn := range names {
		rows, err := x.Rows(sn)
		if err != nil {
			return nil, badFile(name, "sheet %q cannot be read: %s", sn, plainErr(err))
		}
		sh := &Sheet{Name: sn}
		num := 0
		for rows.Next() {
			num++
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				_ = rows.Close()
				return nil, badFile(name, "sheet %q row %d cannot be read: %s", sn, num, plainErr(err))
			}
			if len(cells) > lim.MaxColumns {
				_ = rows.Close()
				return nil, badFile(name, "sheet %q row %d has %d columns; at most %d are read", sn, num, len(cells), lim.MaxColumns)
			}
			for i, c := range cells {
				if len(c) > lim.MaxCell {
					_ = rows.Close()
					return nil, badFile(name, "sheet %q cell %s is %d bytes long; at most %d are read", sn, cellName(i, num), len(c), lim.MaxCell)
				}
				cells[i] = strings.ReplaceAll(c, "\r\n", "\n")
			}
			if err := sh.add(num, cells); err != nil {
				_ = rows.Close()
				return nil, badFile(name, "sheet %q: %s", sn, err)
			}
			if countRows(f, sh) > lim.MaxRows {
				_ = rows.Close()
				return nil, badFile(name, "has more than %d rows; split it", lim.MaxRows)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, badFile(name, "sheet %q cannot be read: %s", sn, plainErr(err))
		}
		f.Sheets = append(f.Sheets, sh)
	}
	return f, nil
}

func countRows(f *File, cur *Sheet) int {
	n := len(cur.Rows)
	for _, s := range f.Sheets {
		n += len(s.Rows)
	}
	return n
}

// plainErr is an excelize or csv error's message, which names nothing of the
// server.
func plainErr(err error) string {
	return err.Error()
}

// add takes a row: the first row that is not empty is the header.
func (s *Sheet) add(num int, cells []string) error {
	empty := true
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			empty = false
			break
		}
	}
	if empty {
		return nil
	}
	if strings.HasPrefix(strings.TrimSpace(cells[0]), IncompleteMark) {
		// The last row of an export that stopped before its end: the
		// rows before it are not the whole graph.
		return fmt.Errorf("row %d says the export this file comes from stopped before its end (%s): the file is not whole; export it again", num, strings.TrimSpace(cells[0]))
	}
	if s.Header == nil {
		// The header is the first row with cells; rows keep the numbers
		// the spreadsheet shows.
		s.Header = cells
		return nil
	}
	s.Rows = append(s.Rows, Row{Num: num, Cells: cells})
	return nil
}

// ReadCSV reads a CSV file as one sheet named by the file (without its
// extension). The separator is "," or ";" (whichever the header row has
// more of); a UTF-8 byte order mark is skipped; a file that is not UTF-8
// is read as Windows-1252, which Excel's plain CSV writes.
func ReadCSV(b []byte, name string, lim Limits) (*File, error) {
	lim = lim.withDefaults()
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		d, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			return nil, badFile(name, "is neither UTF-8 nor Windows-1252 text")
		}
		b = d
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = separator(b)
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	base := filepath.Base(name)
	sh := &Sheet{Name: strings.TrimSuffix(base, filepath.Ext(base))}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, badFile(name, "row %d: %s", pe.StartLine, pe.Err)
			}
			return nil, badFile(name, "%s", plainErr(err))
		}
		line, _ := r.FieldPos(0)
		if len(rec) > lim.MaxColumns {
			return nil, badFile(name, "row %d has %d columns; at most %d are read", line, len(rec), lim.MaxColumns)
		}
		for i, c := range rec {
			if len(c) > lim.MaxCell {
				return nil, badFile(name, "cell %s is %d bytes long; at most %d are read", cellName(i, line), len(c), lim.MaxCell)
			}
			rec[i] = unescapeFormula(strings.ReplaceAll(c, "\r\n", "\n"))
		}
		if err := sh.add(line, rec); err != nil {
			return nil, badFile(name, "%s", err)
		}
		if len(sh.Rows) > lim.MaxRows {
			return nil, badFile(name, "has more than %d rows; split it", lim.MaxRows)
		}
	}
	return &File{Name: name, Sheets: []*Sheet{sh}}, nil
}

// separator picks "," or ";" by which the first line has more of, outside
// quotes.
func separator(b []byte) rune {
	commas, semis, quoted := 0, 0, false
	for _, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			if semis > commas {
				return ';'
			}
			return ','
		case c == ',':
			commas++
		case c == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

// formulaStart are the first characters that make a spreadsheet take a
// cell for a formula (OWASP), and the apostrophe that escapes them.
const formulaStart = "=+-@\t\r'"

// unescapeFormula undoes the neutralising of a cell that would start a
// spreadsheet formula ("'=..." is "=..."), as CSV exports write it.
func unescapeFormula(c string) string {
	if len(c) >= 2 && c[0] == '\'' && strings.ContainsRune(formulaStart, rune(c[1])) {
		return c[1:]
	}
	return c
}

// cellName is the A1 name of column i (0-based) in row.
func cellName(i, row int) string {
	s, err := excelize.CoordinatesToCellName(i+1, row)
	if err != nil {
		return fmt.Sprintf("column %d row %d", i+1, row)
	}
	return s
}
