package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

// registerExports serves GET /export/{format} for every export.Formats:
// /export/graphml, /export/gexf, /export/cytoscape.json,
// /export/graphology.json, /export/nodes.csv and /export/edges.csv, with
// the map's filters as query parameters (export.ParseQuery) and, for the
// CSV files, csv=excel for Norwegian Excel (export.CSVOptions). An export
// is computed as the map's data is (the analysis budget, shared and cached
// computations).
func registerExports(rt *gqlhttp.Router, store rg.Store, work *gqlhttp.Work, log *slog.Logger) {
	rt.Handle("GET /export/{format}", "/export/", gqlhttp.BudgetAnalysis, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := export.FormatNamed(r.PathValue("format"))
		if !ok {
			names := make([]string, len(export.Formats))
			for i, f := range export.Formats {
				names[i] = "/export/" + f.Name
			}
			gqlhttp.WriteError(w, r, log, rg.Errorf(rg.ENOTFOUND, "no export %q; the exports are %s", r.PathValue("format"), strings.Join(names, ", ")))
			return
		}
		q := r.URL.Query()
		extra := []string{}
		if f.IsCSV() {
			extra = append(extra, "csv")
		}
		filter, err := export.ParseQuery(q, extra...)
		if err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		dialect := q.Get("csv")
		csvOpts, ok := export.ParseCSVDialect(dialect)
		if !ok {
			gqlhttp.WriteError(w, r, log, rg.FieldErrorf("csv", "unknown CSV dialect %q; use %s", dialect, export.CSVDialects))
			return
		}
		f = f.WithCSV(csvOpts)
		key := "export\x00" + f.Name + "\x00" + strconv.FormatBool(csvOpts.Excel) + "\x00" + filter.Query().Encode()
		b, err := work.Do(r.Context(), key, func(ctx context.Context) ([]byte, error) {
			g, err := export.Build(ctx, store, filter)
			if err != nil {
				return nil, err
			}
			// Written to memory first, so that a failure is an error
			// response rather than half a file.
			var b bytes.Buffer
			if err := f.Write(&b, g); err != nil {
				return nil, err
			}
			return b.Bytes(), nil
		})
		if err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", f.ContentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+f.File+`"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	}))
}
