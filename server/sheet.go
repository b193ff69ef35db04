package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/live"
	"github.com/regiongraph/regiongraph/sheet"
)

// Spreadsheet uploads: the largest body (any role), and how many run at
// once (an import reads the whole graph; another waits QueueWait for the
// place, then gets 503). Their deadline is Limits.ImportTimeout.
const (
	maxSheetUpload = 32 << 20
	sheetImports   = 1
)

// registerSheets serves POST /import (SheetImportHandler, writing through
// the hub so that the change stream tells of it), GET /export/graph.xlsx
// and GET /export/template.xlsx, behind the router's guards.
func registerSheets(rt *gqlhttp.Router, store rg.Store, work *gqlhttp.Work, hub *live.Hub, log *slog.Logger) {
	rt.HandleLong("POST /import", "/import", gqlhttp.BudgetImport, sheetImports, maxSheetUpload, SheetImportHandler(hub.Store(store), log))
	registerSheetExports(rt, store, work, log)
}

// SheetImportHandler serves POST /import: the body is one .xlsx workbook
// (Content-Type application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)
// or one CSV file (text/csv), and the answer is the diff as JSON:
//
//	{"diff": {counts, created, updated, deleted, unchanged, refused, digest, ...},
//	 "errors": [{"message", "extensions": {"code"}}]}   (only when it failed)
//
// Query parameters: name (the file's name: a CSV file's sheet and the
// history's reasons), dryRun=true (show the diff, write nothing), expect (a
// dry run's digest: refuse with CONFLICT if the graph changed since),
// reason (written before the file and row in the history).
//
// It needs an editor's bearer token (deletes: admin), which the router's
// guards have put in the context. Against cross-site
// requests it takes only those two content types: a browser sends them
// cross-site only after a CORS preflight, which the server's CORS policy
// decides, and no multipart form (which a page on any site may post) is
// read.
func SheetImportHandler(store rg.Store, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeSheetAnswer(w, r, log, nil, rg.Errorf(rg.EBADINPUT, "upload the file with POST"), http.StatusMethodNotAllowed)
			return
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != sheet.ContentTypeXLSX && mt != sheet.ContentTypeCSV {
			writeSheetAnswer(w, r, log, nil, rg.Errorf(rg.EBADINPUT,
				"the body must be an .xlsx workbook (Content-Type %s) or a CSV file (Content-Type %s)", sheet.ContentTypeXLSX, sheet.ContentTypeCSV),
				http.StatusUnsupportedMediaType)
			return
		}
		p, ok := rg.PrincipalFrom(r.Context())
		switch {
		case !ok || p.Name == "":
			writeSheetAnswer(w, r, log, nil, rg.Errorf(rg.EUNAUTHENTICATED, "importing a spreadsheet needs an editor's bearer token"), 0)
			return
		case !p.Role.Allows(rg.RoleEditor):
			writeSheetAnswer(w, r, log, nil, rg.Errorf(rg.EFORBIDDEN, "importing a spreadsheet needs the editor role; %s is a %s", p.Name, p.Role), 0)
			return
		}
		q := r.URL.Query()
		for k := range q {
			switch k {
			case "name", "dryRun", "expect", "reason":
			default:
				writeSheetAnswer(w, r, log, nil, rg.FieldErrorf(k, "unknown parameter; the parameters are name, dryRun, expect and reason"), 0)
				return
			}
		}
		dry := false
		if v := q.Get("dryRun"); v != "" {
			if dry, err = strconv.ParseBool(v); err != nil {
				writeSheetAnswer(w, r, log, nil, rg.FieldErrorf("dryRun", "%q is not true or false", v), 0)
				return
			}
		}
		reason := q.Get("reason")
		if err := rg.ValidateReason(reason); err != nil {
			writeSheetAnswer(w, r, log, nil, err, 0)
			return
		}
		name := q.Get("name")
		if name == "" {
			name = "upload.csv"
			if mt == sheet.ContentTypeXLSX {
				name = "upload.xlsx"
			}
		}
		name = sheet.CleanName(name)

		// An import may take longer than the server's write timeout.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(gqlhttp.DefaultLimits.ImportTimeout + time.Minute))
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSheetUpload))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeSheetAnswer(w, r, log, nil, rg.Errorf(rg.EBADINPUT, "the file is larger than %d MiB; split it", maxSheetUpload>>20), http.StatusRequestEntityTooLarge)
				return
			}
			writeSheetAnswer(w, r, log, nil, rg.Errorf(rg.EBADINPUT, "the upload was cut off"), 0)
			return
		}
		var f *sheet.File
		if mt == sheet.ContentTypeXLSX {
			f, err = sheet.ReadXLSX(body, name, sheet.Limits{})
		} else {
			f, err = sheet.ReadCSV(body, name, sheet.Limits{})
		}
		if err != nil {
			writeSheetAnswer(w, r, log, nil, err, 0)
			return
		}
		d, err := sheet.Import(r.Context(), store, []*sheet.File{f}, sheet.Options{Role: p.Role, Reason: reason}, dry, q.Get("expect"))
		writeSheetAnswer(w, r, log, d, err, 0)
	})
}

type sheetAnswer struct {
	Diff   *sheet.Diff  `json:"diff"`
	Errors []sheetError `json:"errors,omitempty"`
}

type sheetError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// sheetStatus maps an error code to an HTTP status.
var sheetStatus = map[string]int{
	rg.EBADINPUT:        http.StatusBadRequest,
	rg.ENOTFOUND:        http.StatusNotFound,
	rg.ECONFLICT:        http.StatusConflict,
	rg.EUNAUTHENTICATED: http.StatusUnauthorized,
	rg.EFORBIDDEN:       http.StatusForbidden,
	rg.EUNAVAILABLE:     http.StatusServiceUnavailable,
	rg.EINTERNAL:        http.StatusInternalServerError,
}

// writeSheetAnswer writes the diff (when there is one) and err (when there
// is one) with the status of err's code, or status when it is not 0.
func writeSheetAnswer(w http.ResponseWriter, r *http.Request, log *slog.Logger, d *sheet.Diff, err error, status int) {
	a := sheetAnswer{Diff: d}
	code := http.StatusOK
	if err != nil {
		c := rg.ErrorCode(err)
		msg := rg.ErrorMessage(err)
		ext := map[string]any{"code": c}
		if f := rg.ErrorField(err); f != "" {
			ext["field"] = f
		}
		if c == rg.EINTERNAL {
			id := rg.RequestID(r.Context())
			log.LogAttrs(r.Context(), slog.LevelError, "spreadsheet import", slog.String("requestId", id), slog.Any("err", err))
			ext["requestId"] = id
		}
		if c == rg.EINTERNAL {
			msg = "internal error (request id " + rg.RequestID(r.Context()) + ")"
		}
		a.Errors = []sheetError{{Message: msg, Extensions: ext}}
		code = sheetStatus[c]
		if status != 0 {
			code = status
		}
		if c == rg.EUNAUTHENTICATED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="regiongraph"`)
		}
	}
	b, jerr := json.Marshal(a)
	if jerr != nil {
		log.LogAttrs(r.Context(), slog.LevelError, "encoding an import answer", slog.Any("err", jerr))
		code, b = http.StatusInternalServerError, []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// registerSheetExports serves GET /export/graph.xlsx (the graph, or the
// part the map's filters select, as the workbook the import reads) and GET
// /export/template.xlsx (the blank template), in the exports' pool. A
// workbook of whole kinds with more than export.MaxNodes nodes is streamed
// (export.StreamWorkbook through streamExport: read a page at a time,
// holding an analysis place until it has stopped); a smaller one is built
// in memory and sent with its Content-Length.
func registerSheetExports(rt *gqlhttp.Router, store rg.Store, work *gqlhttp.Work, log *slog.Logger) {
	serve := func(w http.ResponseWriter, r *http.Request, file string, template bool) {
		var nodes []*rg.Node
		var edges []*rg.Edge
		if !template {
			filter, err := export.ParseQuery(r.URL.Query())
			if err != nil {
				gqlhttp.WriteError(w, r, log, err)
				return
			}
			streamed, err := export.Streamed(r.Context(), store, filter)
			if err != nil {
				gqlhttp.WriteError(w, r, log, err)
				return
			}
			if streamed {
				streamExport(w, r, work, log, sheet.ContentTypeXLSX, file, func(ctx context.Context, w io.Writer) (export.StreamResult, error) {
					return export.StreamWorkbook(ctx, store, filter, w)
				})
				return
			}
			sg, err := export.Select(r.Context(), store, filter)
			if err != nil {
				gqlhttp.WriteError(w, r, log, err)
				return
			}
			nodes, edges = sg.Nodes, sg.Edges
		} else if len(r.URL.Query()) > 0 {
			gqlhttp.WriteError(w, r, log, rg.Errorf(rg.EBADINPUT, "the template takes no parameters"))
			return
		}
		var b bytes.Buffer
		if err := sheet.WriteXLSX(&b, nodes, edges, sheet.WriteOptions{Template: template}); err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", sheet.ContentTypeXLSX)
		w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
		_, _ = w.Write(b.Bytes())
	}
	rt.Handle("GET /export/graph.xlsx", "/export/", gqlhttp.BudgetAnalysis, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(w, r, "regiongraph.xlsx", false) }))
	rt.Handle("GET /export/template.xlsx", "/export/", gqlhttp.BudgetAnalysis, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(w, r, "regiongraph-mal.xlsx", true) }))
}
