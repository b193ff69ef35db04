package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
)

// listFlag is a flag that may be repeated or given a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

const exportHelp = `Usage: regiongraph export --format FORMAT [filters] [-o FILE] [store flags]

Writes the graph, or the part the filters select (the same filters as the
map and /export/...), in a format drawing tools read:

  graphml          GraphML for yEd and Gephi
  gexf             GEXF 1.3 for Gephi
  cytoscape.json   Cytoscape.js JSON
  graphology.json  graphology JSON for sigma.js
  nodes.csv        the nodes as CSV
  edges.csv        the relations as CSV
  csv              nodes.csv and edges.csv into the directory -o (default .)
  xlsx             a workbook to edit and import again ("regiongraph import",
                   docs/spreadsheets.md); -template: the blank template
  csv-sheets       the workbook's sheets as CSV files into the directory -o
                   (default .); -excel-csv: with a BOM and ";" as Norwegian
                   Excel writes them

CSV cells a spreadsheet would run as formulas (starting with =, +, -, @, tab
or CR) get a leading apostrophe. -csv excel writes for Norwegian Excel.

Output goes to standard output unless -o names a file.

An export of whole kinds (only -kind, -relation and -year) of more than
10 000 nodes is streamed: written page by page as the store is read, without
the map's layout (no positions or sizes); the workbook (xlsx, csv-sheets)
is read page by page too, and an xlsx is written out once the last page is
read. A file is written under a temporary name and renamed once whole; on
standard output a failure leaves a document that is not whole (an xlsx
without the end every program reads first). The other filters select at
most 10 000 nodes.

It opens the store itself, so with the embedded store it cannot run while
"regiongraph serve" holds the data file: then download the same exports
from the server's /export/... (see docs/map.md).
`

// exportCmd writes an export of the store: regiongraph export --format
// graphml [--kind ...] [--year ...] [-o file].
func (a *app) exportCmd(ctx context.Context, args []string) error {
	c := &config{}
	cmd := newCommand("export", forExport, c)
	fs := cmd.fs
	var (
		format, out, focusArea, network, focus, text string
		dialect                                      string
		year, depth                                  int
		kinds, relations                             listFlag
	)
	fs.StringVar(&format, "format", "", "graphml, gexf, cytoscape.json, graphology.json, nodes.csv, edges.csv, csv, xlsx or csv-sheets")
	fs.StringVar(&out, "o", "", "the file to write (for csv: the directory); standard output when empty")
	fs.Var(&kinds, "kind", "only nodes of these kinds (repeat or separate by commas: Municipality,Network)")
	fs.Var(&relations, "relation", "only relations of these kinds (MEMBER_OF,FUNDS, ...)")
	fs.IntVar(&year, "year", 0, "only relations that hold in this year, and the initiatives and plans of this plan year")
	fs.StringVar(&focusArea, "focus-area", "", "a focus area id: it, its initiatives and their neighbours")
	fs.StringVar(&network, "network", "", "a network id: it and its neighbours")
	fs.StringVar(&focus, "focus", "", "any node id: it and the nodes within -depth relations")
	fs.IntVar(&depth, "depth", 0, "hops around -focus, 1 to 3 (default 1)")
	fs.StringVar(&dialect, "csv", "", "CSV dialect: rfc4180 (the default) or excel (UTF-8 BOM, ';' and decimal commas, for Norwegian Excel)")
	fs.StringVar(&text, "text", "", "nodes whose name, alias or code contains the text, and their neighbours")
	var template, excelCSV bool
	fs.BoolVar(&template, "template", false, "with -format xlsx: the blank template (headers and a guide)")
	fs.BoolVar(&excelCSV, "excel-csv", false, `with -format csv-sheets: a UTF-8 BOM and ";" as separator`)
	if err := a.parseCommand(cmd, exportHelp, args); err != nil {
		return err
	}
	a.settle(cmd, c)
	if fs.NArg() > 0 {
		fmt.Fprintf(a.stderr, "regiongraph export: unexpected arguments %q\n", fs.Args())
		return errUsage
	}
	formats := []export.Format{}
	sheetFormat := format == "xlsx" || format == "csv-sheets"
	if template && format != "xlsx" || excelCSV && format != "csv-sheets" {
		fmt.Fprintln(a.stderr, "regiongraph export: -template goes with -format xlsx, -excel-csv with -format csv-sheets")
		return errUsage
	}
	if sheetFormat {
		// written by sheetExport, after the filter
	} else if format == "csv" {
		for _, name := range []string{"nodes.csv", "edges.csv"} {
			f, _ := export.FormatNamed(name)
			formats = append(formats, f)
		}
	} else if f, ok := export.FormatNamed(format); ok {
		formats = append(formats, f)
	} else {
		fmt.Fprintf(a.stderr, "regiongraph export: -format must be one of graphml, gexf, cytoscape.json, graphology.json, nodes.csv, edges.csv, csv, xlsx or csv-sheets, not %q\n", format)
		return errUsage
	}
	csvOpts, ok := export.ParseCSVDialect(dialect)
	if !ok {
		fmt.Fprintf(a.stderr, "regiongraph export: -csv must be %s, not %q\n", export.CSVDialects, dialect)
		return errUsage
	}
	for i := range formats {
		formats[i] = formats[i].WithCSV(csvOpts)
	}
	if format == "csv" && out == "" {
		out = "."
	}

	// The flags become the URL query the map and /export/... read, so that
	// the three parse and check filters in one place.
	q := url.Values{"kind": kinds, "relation": relations}
	for k, v := range map[string]string{"focusArea": focusArea, "network": network, "focus": focus, "text": text} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if year != 0 {
		q.Set("year", strconv.Itoa(year))
	}
	if depth != 0 {
		q.Set("depth", strconv.Itoa(depth))
	}
	filter, err := export.ParseQuery(q)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}

	if sheetFormat {
		return a.sheetExport(ctx, c, filter, format, out, template, excelCSV)
	}

	log := a.logger(c)
	store, err := a.openStore(ctx, c, log, openOptions{fillEmpty: true,
		inUseAdvice: "Stop the server, or download the export from it: " + exportURLs(format) + " (with the filters as URL parameters, see docs/map.md)"})
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			log.Error("closing the store", "err", err)
		}
	}()
	streamed, err := export.Streamed(ctx, store, filter)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if streamed {
		return a.streamExport(ctx, store, filter, formats, format, out)
	}
	g, err := export.Build(ctx, store, filter)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if format == "csv" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	for _, f := range formats {
		var b bytes.Buffer
		if err := f.Write(&b, g); err != nil {
			return err
		}
		dst := out
		if format == "csv" {
			dst = filepath.Join(out, f.Name)
		}
		if dst == "" {
			if _, err := a.stdout.Write(b.Bytes()); err != nil {
				return fmt.Errorf("export: write: %w", err)
			}
			continue
		}
		if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(a.stderr, "wrote %s: %d nodes, %d relations (%s)\n", dst, len(g.Nodes), len(g.Edges), filter.Describe())
	}
	return nil
}

// streamExport writes an export of whole kinds too large to lay out
// (export.Streamed) with export.Stream, page by page as the store is read.
// A file is written under a temporary name beside it and renamed once
// whole, so that a file named as asked for is never cut short; one that
// fails is removed. Standard output cannot be taken back: a failure leaves
// it cut short and not whole (see export.Stream), and the command fails.
func (a *app) streamExport(ctx context.Context, store rg.Store, filter export.Filter, formats []export.Format, format, out string) error {
	if format == "csv" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	for _, f := range formats {
		dst := out
		if format == "csv" {
			dst = filepath.Join(out, f.Name)
		}
		if dst == "" {
			if _, err := export.Stream(ctx, store, filter, f, a.stdout); err != nil {
				return fmt.Errorf("export: %w (what was written is not a whole %s)", err, f.Name)
			}
			continue
		}
		res, err := writeWhole(dst, func(w io.Writer) (export.StreamResult, error) {
			return export.Stream(ctx, store, filter, f, w)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "wrote %s: %d nodes, %d relations (%s), streamed without a layout\n", dst, res.Nodes, res.Edges, filter.Describe())
	}
	return nil
}

// writeWhole writes dst with write: to a temporary file beside it,
// renamed to dst once write has succeeded, so that a file named dst is
// never cut short; on failure the temporary file is removed.
func writeWhole(dst string, write func(w io.Writer) (export.StreamResult, error)) (export.StreamResult, error) {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.partial")
	if err != nil {
		return export.StreamResult{}, fmt.Errorf("export: %w", err)
	}
	res, err := write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return res, fmt.Errorf("export: %s: %w", dst, err)
	}
	return res, nil
}

// exportURLs are the server's URLs of format, on the default address.
func exportURLs(format string) string {
	if format == "csv" {
		return "http://localhost:8080/export/nodes.csv and http://localhost:8080/export/edges.csv"
	}
	return "http://localhost:8080/export/" + format
}

var _ flag.Value = (*listFlag)(nil)
