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
	"github.com/regiongraph/regiongraph/resolvers"
	"github.com/regiongraph/regiongraph/sheet"
)

// Spreadsheet uploads: the largest body, how long one import may take, and
// how many run at once (an import reads the whole graph; more wait their
// turn for up to sheetQueueWait, then get 503).
const (
	maxSheetUpload = 32 << 20
	sheetTimeout   = 5 * time.Minute
	sheetQueueWait = 10 * time.Second
)

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
// It needs an editor's bearer token (deletes: admin), which the auth
// middleware in front of it has put in the context. Against cross-site
// requests it takes only those two content types: a browser sends them
// cross-site only after a CORS preflight, which the server's CORS policy
// decides, and no multipart form (which a page on any site may post) is
// read.
func SheetImportHandler(store rg.Store, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	sem := make(chan struct{}, 1)
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

		t := time.NewTimer(sheetQueueWait)
		select {
		case sem <- struct{}{}:
			t.Stop()
		case <-t.C:
			w.Header().Set("Retry-After", "10")
			writeSheetAnswer(w, r, log, nil, rg.Errorf(rg.EUNAVAILABLE, "another import is running; try again shortly"), 0)
			return
		case <-r.Context().Done():
			t.Stop()
			return
		}
		defer func() { <-sem }()
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(time.Minute))
		_ = rc.SetWriteDeadline(time.Now().Add(sheetTimeout + time.Minute))
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
		ctx, cancel := context.WithTimeout(r.Context(), sheetTimeout)
		defer cancel()
		d, err := sheet.Import(ctx, store, []*sheet.File{f}, sheet.Options{Role: p.Role, Reason: reason}, dry, q.Get("expect"))
		writeSheetAnswer(w, r, log, d, err, 0)
	})
}

type sheetAnswer struct {
	Diff   *sheet.Diff  `json:"diff"`
	Errors []errorEntry `json:"errors,omitempty"`
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
			id := resolvers.RequestID(r.Context())
			log.LogAttrs(r.Context(), slog.LevelError, "spreadsheet import", slog.String("requestId", id), slog.Any("err", err))
			ext["requestId"] = id
		}
		a.Errors = []errorEntry{{Message: msg, Extensions: ext}}
		code = httpStatus[c]
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
// /export/template.xlsx (the blank template).
func registerSheetExports(mux *http.ServeMux, store rg.Store, log *slog.Logger) {
	serve := func(w http.ResponseWriter, r *http.Request, file string, template bool) {
		var nodes []*rg.Node
		var edges []*rg.Edge
		if !template {
			filter, err := export.ParseQuery(r.URL.Query())
			if err != nil {
				writeError(w, r, log, err)
				return
			}
			sg, err := export.Select(r.Context(), store, filter)
			if err != nil {
				writeError(w, r, log, err)
				return
			}
			nodes, edges = sg.Nodes, sg.Edges
		} else if len(r.URL.Query()) > 0 {
			writeError(w, r, log, rg.Errorf(rg.EBADINPUT, "the template takes no parameters"))
			return
		}
		var b bytes.Buffer
		if err := sheet.WriteXLSX(&b, nodes, edges, sheet.WriteOptions{Template: template}); err != nil {
			writeError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", sheet.ContentTypeXLSX)
		w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b.Bytes())
	}
	mux.HandleFunc("GET /export/graph.xlsx", func(w http.ResponseWriter, r *http.Request) { serve(w, r, "regiongraph.xlsx", false) })
	mux.HandleFunc("GET /export/template.xlsx", func(w http.ResponseWriter, r *http.Request) { serve(w, r, "regiongraph-mal.xlsx", true) })
}
