package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/sheet"
)

// sheetFlags are import's flags for spreadsheets.
type sheetFlags struct {
	dryRun bool
	reason string
	json   bool
	batch  int // for a dataset: changes per batch
}

func (s *sheetFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&s.dryRun, "dry-run", false, "spreadsheets: show what the files would change and write nothing")
	fs.StringVar(&s.reason, "reason", "", "spreadsheets: the reason the history records, before the file and row")
	fs.BoolVar(&s.json, "json", false, "spreadsheets: print the diff as JSON instead of a table")
	fs.IntVar(&s.batch, "batch", rg.MaxChanges, "a dataset: how many changes each transaction applies (a large file is imported in batches; run the same import again to resume one that stopped)")
}

// isSheet reports whether a file is a spreadsheet (by its extension).
func isSheet(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".csv":
		return true
	}
	return false
}

// sheetImport imports .xlsx and .csv files: all of them in one batch on
// the store, or each through POST /import of a server.
func (a *app) sheetImport(ctx context.Context, c *config, files []string, o sheetFlags) error {
	if c.server != "" {
		return a.sheetImportRemote(ctx, c.server, files, o)
	}
	var fs []*sheet.File
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		f, err := sheet.Read(b, filepath.Base(name), sheet.Limits{})
		if err != nil {
			return err
		}
		fs = append(fs, f)
	}
	log := a.logger(c)
	store, err := a.openStore(ctx, c, log, openOptions{inUseAdvice: "Stop the server, or import through it:\n  REGIONGRAPH_TOKEN=<an editor token> regiongraph import -server http://localhost:8080 " + strings.Join(files, " ")})
	if err != nil {
		return err
	}
	defer store.Close()
	d, err := sheet.Import(ctx, store, fs, sheet.Options{Reason: o.reason}, o.dryRun, "")
	if d != nil {
		if perr := a.printDiff(d, o.json); perr != nil {
			return perr
		}
	}
	return err
}

func (a *app) printDiff(d *sheet.Diff, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
	return d.WriteText(a.stdout)
}

// sheetImportRemote sends each file to the server's POST /import.
func (a *app) sheetImportRemote(ctx context.Context, server string, files []string, o sheetFlags) error {
	token := a.getenv("REGIONGRAPH_TOKEN")
	if token == "" {
		return fmt.Errorf("import --server needs an editor's token in $REGIONGRAPH_TOKEN")
	}
	base, err := url.Parse(strings.TrimSuffix(strings.TrimRight(server, "/"), "/graphql"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return fmt.Errorf("-server %q: give the server's URL, such as http://localhost:8080", server)
	}
	client := &http.Client{Timeout: 10 * time.Minute}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		q := url.Values{"name": {filepath.Base(name)}}
		if o.dryRun {
			q.Set("dryRun", "true")
		}
		if o.reason != "" {
			q.Set("reason", o.reason)
		}
		ct := sheet.ContentTypeCSV
		if sheet.FormatOf(name, b) == sheet.FormatXLSX {
			ct = sheet.ContentTypeXLSX
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String()+"/import?"+q.Encode(), bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("import %s: %w", name, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
		_ = resp.Body.Close()
		if err != nil {
			return fmt.Errorf("import %s: read the answer: %w", name, err)
		}
		var ans struct {
			Diff   *sheet.Diff `json:"diff"`
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(body, &ans); err != nil {
			return fmt.Errorf("import %s: the server answered %s, not an import answer", name, resp.Status)
		}
		if ans.Diff != nil {
			if err := a.printDiff(ans.Diff, o.json); err != nil {
				return err
			}
		}
		if len(ans.Errors) > 0 {
			code, _ := ans.Errors[0].Extensions["code"].(string)
			return &rg.Error{Code: code, Message: ans.Errors[0].Message}
		}
	}
	return nil
}

// sheetExport writes the selection as a workbook (format xlsx; with
// template, the blank template) or as one CSV file per sheet into the
// directory out (format csv-sheets; excel: a BOM and ";" as Norwegian
// Excel reads them). Whole kinds above the map's cap are streamed
// (streamSheets).
func (a *app) sheetExport(ctx context.Context, c *config, filter export.Filter, format, out string, template, excel bool) error {
	var nodes []*rg.Node
	var edges []*rg.Edge
	if !template {
		log := a.logger(c)
		store, err := a.openStore(ctx, c, log, openOptions{fillEmpty: true,
			inUseAdvice: "Stop the server, or download the workbook from it: /export/graph.xlsx (with the filters as URL parameters)"})
		if err != nil {
			return err
		}
		defer store.Close()
		streamed, err := export.Streamed(ctx, store, filter)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if streamed {
			return a.streamSheets(ctx, store, filter, format, out, excel)
		}
		sg, err := export.Select(ctx, store, filter)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		nodes, edges = sg.Nodes, sg.Edges
	}
	if format == "csv-sheets" {
		if out == "" {
			out = "."
		}
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, t := range sheet.Tables(nodes, edges) {
			var b bytes.Buffer
			if err := sheet.WriteCSV(&b, t, sheet.CSVOptions{Semicolon: excel, BOM: excel}); err != nil {
				return err
			}
			dst := filepath.Join(out, t.Name+".csv")
			if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			fmt.Fprintf(a.stderr, "wrote %s: %d rows\n", dst, len(t.Rows))
		}
		return nil
	}
	var b bytes.Buffer
	if err := sheet.WriteXLSX(&b, nodes, edges, sheet.WriteOptions{Template: template}); err != nil {
		return err
	}
	if out == "" {
		_, err := a.stdout.Write(b.Bytes())
		return err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(a.stderr, "wrote %s: %d nodes, %d relations\n", out, len(nodes), len(edges))
	return nil
}

// streamSheets writes the workbook of whole kinds too many to select
// (export.Streamed) page by page as the store is read: an xlsx with
// export.StreamWorkbook, the CSV sheets with export.StreamSheetsCSV. Files
// are written under temporary names beside them and renamed once all are
// whole (a failure removes them); an xlsx on standard output that fails
// is left without its central directory, so no program opens it.
func (a *app) streamSheets(ctx context.Context, store rg.Store, filter export.Filter, format, out string, excel bool) error {
	if format == "xlsx" {
		if out == "" {
			if _, err := export.StreamWorkbook(ctx, store, filter, a.stdout); err != nil {
				return fmt.Errorf("export: %w (what was written is not a whole workbook)", err)
			}
			return nil
		}
		res, err := writeWhole(out, func(w io.Writer) (export.StreamResult, error) {
			return export.StreamWorkbook(ctx, store, filter, w)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "wrote %s: %d nodes, %d relations (%s), streamed\n", out, res.Nodes, res.Edges, filter.Describe())
		return nil
	}
	if out == "" {
		out = "."
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	type part struct {
		tmp *os.File
		dst string
	}
	var parts []part
	removeAll := func() {
		for _, p := range parts {
			_ = p.tmp.Close()
			_ = os.Remove(p.tmp.Name())
		}
	}
	res, err := export.StreamSheetsCSV(ctx, store, filter, func(name string) (io.Writer, error) {
		dst := filepath.Join(out, name+".csv")
		tmp, err := os.CreateTemp(out, "."+name+".csv.*.partial")
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		parts = append(parts, part{tmp, dst})
		return tmp, nil
	}, sheet.CSVOptions{Semicolon: excel, BOM: excel})
	for _, p := range parts {
		if cerr := p.tmp.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("export: %w", cerr)
		}
		if err == nil {
			if cerr := os.Chmod(p.tmp.Name(), 0o644); cerr != nil {
				err = fmt.Errorf("export: %w", cerr)
			}
		}
	}
	if err != nil {
		removeAll()
		return err
	}
	for i, p := range parts {
		if err := os.Rename(p.tmp.Name(), p.dst); err != nil {
			parts = parts[i:]
			removeAll()
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(a.stderr, "wrote %s\n", p.dst)
	}
	fmt.Fprintf(a.stderr, "%d nodes, %d relations (%s), streamed\n", res.Nodes, res.Edges, filter.Describe())
	return nil
}
