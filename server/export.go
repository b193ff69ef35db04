package server

import (
	"bytes"
	"context"
	"errors"
	"io"
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
// computations), except an export of whole kinds with more than
// export.MaxNodes nodes, which is streamed (streamExport).
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
		streamed, err := export.Streamed(r.Context(), store, filter)
		if err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		if streamed {
			streamExport(w, r, work, log, f.ContentType, f.File, func(ctx context.Context, w io.Writer) (export.StreamResult, error) {
				return export.Stream(ctx, store, filter, f, w)
			})
			return
		}
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

// streamExport answers an export of whole kinds too large to lay out by
// streaming it (run: export.Stream, or export.StreamWorkbook for the
// spreadsheet), with no Content-Length, under the route's deadline. It
// holds one of the analysis places (gqlhttp.Work.Hold), and the route's
// place, until the writing has stopped, so that requests_in_flight and
// analyses_running count it until then. The headers (contentType, an
// attachment named file) go out with the first bytes.
//
// An error before anything was written is answered as any error is. One
// after that cannot change the status, which is sent: the response is
// aborted (panic(http.ErrAbortHandler): net/http closes the connection
// without ending the chunked body, so every HTTP client reports a
// truncated transfer), and the document itself is left not whole (see
// export.Stream and export.StreamWorkbook). A client gone is counted as
// client_closed, the deadline as timeout, anything else as incomplete and
// logged.
func streamExport(w http.ResponseWriter, r *http.Request, work *gqlhttp.Work, log *slog.Logger, contentType, file string, run func(ctx context.Context, w io.Writer) (export.StreamResult, error)) {
	ctx := r.Context()
	release, err := work.Hold(ctx)
	if err != nil {
		gqlhttp.WriteError(w, r, log, err)
		return
	}
	defer release()
	res, err := run(ctx, &exportWriter{w: w, contentType: contentType, file: file})
	if err == nil {
		return
	}
	if res.Bytes == 0 {
		gqlhttp.WriteError(w, r, log, err)
		return
	}
	switch {
	case gqlhttp.ClientGone(ctx):
		gqlhttp.SetOutcome(ctx, gqlhttp.OutcomeClientClosed)
	case errors.Is(err, context.DeadlineExceeded):
		gqlhttp.SetOutcome(ctx, gqlhttp.OutcomeTimeout)
	default:
		gqlhttp.SetOutcome(ctx, gqlhttp.OutcomeIncomplete)
		level := slog.LevelError
		if errors.Is(err, export.ErrGraphChanged) {
			level = slog.LevelWarn
		}
		log.LogAttrs(ctx, level, "streamed export stopped midway", slog.String("requestId", rg.RequestID(ctx)), slog.String("path", r.URL.Path),
			slog.Int("nodes", res.Nodes), slog.Int("relations", res.Edges), slog.Int64("bytes", res.Bytes), slog.Any("err", err))
	}
	// What the document says of its end goes out before the connection is
	// cut.
	_ = http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}

// exportWriter sends an export's headers with its first bytes.
type exportWriter struct {
	w                 http.ResponseWriter
	contentType, file string
	started           bool
}

func (x *exportWriter) Write(b []byte) (int, error) {
	if !x.started {
		x.started = true
		h := x.w.Header()
		h.Set("Content-Type", x.contentType)
		h.Set("Content-Disposition", `attachment; filename="`+x.file+`"`)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		x.w.WriteHeader(http.StatusOK)
	}
	return x.w.Write(b)
}
