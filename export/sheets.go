package export

import (
	"context"
	"fmt"
	"io"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/sheet"
)

// StreamWorkbook writes the selection of f (which must take whole kinds,
// see Narrows) as the spreadsheet workbook the import reads: the sheets,
// headers, columns and cells of sheet.WriteXLSX, the rows through
// sheet.Workbook. It reads the store a page at a time as Stream does: the
// nodes by id into their kinds' sheets, then the relations leaving each
// page's nodes into the relations sheet; the context is checked before
// each page and the graph's version after each (a change is
// ErrGraphChanged). Each sheet keeps at most 16 MiB of its rows in memory
// and the rest in a temporary file (excelize's StreamWriter), so memory
// does not grow with the graph beyond that.
//
// An .xlsx workbook is a zip archive whose central directory comes last,
// so it cannot be given out page by page as the other formats are: the
// workbook is written to w once every page has been read and found
// unchanged, its parts straight to w as they are compressed, its central
// directory last. So an error while reading (the store, the context, a
// change of the graph) leaves w untouched (StreamResult.Bytes 0) and can be
// answered instead; an error while writing (w failing, or the context
// ending, which every write checks) leaves w holding an archive without
// its central directory, which no program opens as a workbook.
//
// Nodes come by id within each sheet; relations grouped by the page of the
// node they leave, by id within it.
func StreamWorkbook(ctx context.Context, s rg.Store, f Filter, w io.Writer) (StreamResult, error) {
	p, err := newPager(ctx, s, f)
	if err != nil {
		return StreamResult{}, err
	}
	b, err := sheet.NewWorkbook(sheet.WriteOptions{})
	if err != nil {
		return StreamResult{}, err
	}
	defer b.Close()
	var res StreamResult
	if err := p.sheetRows(&res, b.AddNodes, b.AddEdges, nil); err != nil {
		return res, err
	}
	res.Bytes, err = b.WriteTo(ctxWriter{ctx: ctx, w: w})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return res, fmt.Errorf("export: write the workbook: %w", cerr)
		}
		return res, fmt.Errorf("export: %w", err)
	}
	return res, nil
}

// StreamSheetsCSV writes the selection of f (whole kinds, see Narrows) as
// the workbook's sheets in CSV, one file per sheet (sheet.CSVSheets: the
// layout of sheet.Tables and sheet.WriteCSV, with o): open is called with
// each sheet's name for the writer of its file. It reads the store a page
// at a time as StreamWorkbook does, and writes each page out before it
// reads the next, so memory holds one page.
//
// When it fails after opening the files, every file ends with a row of
// one cell that starts with "#regiongraph: INCOMPLETE EXPORT"
// (sheet.IncompleteMark, as a streamed nodes.csv does), which the import
// refuses: none of the files is whole.
func StreamSheetsCSV(ctx context.Context, s rg.Store, f Filter, open func(sheetName string) (io.Writer, error), o sheet.CSVOptions) (StreamResult, error) {
	p, err := newPager(ctx, s, f)
	if err != nil {
		return StreamResult{}, err
	}
	var written int64
	c, err := sheet.NewCSVSheets(func(name string) (io.Writer, error) {
		w, err := open(name)
		if err != nil {
			return nil, err
		}
		return &sumWriter{w: w, n: &written}, nil
	}, o)
	if err != nil {
		return StreamResult{}, fmt.Errorf("export: %w", err)
	}
	var res StreamResult
	err = p.sheetRows(&res, c.AddNodes, c.AddEdges, c.Flush)
	if err == nil {
		err = c.Flush()
	}
	if err != nil {
		_ = c.Abort("#" + incompleteNote(err)) // the writers may be what failed
	}
	res.Bytes = written
	return res, err
}

// sheetRows hands the pages of the selection to a workbook's nodes and
// relations, counting them in res; after is called after each page.
func (p *pager) sheetRows(res *StreamResult, nodes func([]*rg.Node) error, edges func([]*rg.Edge) error, after func() error) error {
	err := p.pages(func(page []*rg.Node, _ func(*rg.Node) bool) error {
		if err := nodes(page); err != nil {
			return err
		}
		res.Nodes += len(page)
		return nil
	}, after)
	if err != nil {
		return err
	}
	return p.pages(func(page []*rg.Node, inPage func(*rg.Node) bool) error {
		es, err := p.leaving(page, inPage)
		if err != nil {
			return err
		}
		if err := edges(es); err != nil {
			return err
		}
		res.Edges += len(es)
		return nil
	}, after)
}

// ctxWriter fails every write once its context is done, so that a long
// write (a workbook being compressed) stops when its request does.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(b)
}

// sumWriter adds the bytes written through it to *n.
type sumWriter struct {
	w io.Writer
	n *int64
}

func (s *sumWriter) Write(b []byte) (int, error) {
	n, err := s.w.Write(b)
	*s.n += int64(n)
	return n, err
}
