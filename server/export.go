package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
)

// registerExports serves GET /export/{format} for every export.Formats:
// /export/graphml, /export/gexf, /export/cytoscape.json,
// /export/graphology.json, /export/nodes.csv and /export/edges.csv, with
// the map's filters as query parameters (export.ParseQuery).
func registerExports(mux *http.ServeMux, store rg.Store, log *slog.Logger) {
	mux.HandleFunc("GET /export/{format}", func(w http.ResponseWriter, r *http.Request) {
		f, ok := export.FormatNamed(r.PathValue("format"))
		if !ok {
			names := make([]string, len(export.Formats))
			for i, f := range export.Formats {
				names[i] = "/export/" + f.Name
			}
			writeError(w, r, log, rg.Errorf(rg.ENOTFOUND, "no export %q; the exports are %s", r.PathValue("format"), strings.Join(names, ", ")))
			return
		}
		filter, err := export.ParseQuery(r.URL.Query())
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		g, err := export.Build(r.Context(), store, filter)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		// Written to memory first, so that a failure is an error response
		// rather than half a file.
		var b bytes.Buffer
		if err := f.Write(&b, g); err != nil {
			writeError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", f.ContentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+f.File+`"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b.Bytes())
	})
}

// httpStatus maps an error code to an HTTP status.
var httpStatus = map[string]int{
	rg.EBADINPUT:        http.StatusBadRequest,
	rg.ENOTFOUND:        http.StatusNotFound,
	rg.ECONFLICT:        http.StatusConflict,
	rg.EUNAUTHENTICATED: http.StatusUnauthorized,
	rg.EFORBIDDEN:       http.StatusForbidden,
	rg.EUNAVAILABLE:     http.StatusServiceUnavailable,
	rg.EINTERNAL:        http.StatusInternalServerError,
}

// errorBody is the JSON error of the non-GraphQL endpoints, shaped like a
// GraphQL error response: {"errors": [{"message", "extensions": {"code",
// "field"}}]}.
type errorBody struct {
	Errors []errorEntry `json:"errors"`
}

type errorEntry struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// writeError writes err as JSON with its code: domain errors with their
// message and field, anything else as INTERNAL with the detail logged under
// the request id.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code, msg := rg.ErrorCode(err), rg.ErrorMessage(err)
	ext := map[string]any{"code": code}
	if f := rg.ErrorField(err); f != "" {
		ext["field"] = f
	}
	if code == rg.EINTERNAL || code == rg.EUNAVAILABLE {
		id := rg.RequestID(r.Context())
		log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("requestId", id), slog.String("path", r.URL.Path), slog.String("code", code), slog.Any("err", err))
		if code == rg.EINTERNAL && id != "" {
			msg = "internal error (request id " + id + ")"
			ext["requestId"] = id
		}
	}
	status, ok := httpStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Errors: []errorEntry{{Message: msg, Extensions: ext}}})
}
