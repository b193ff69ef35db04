package server

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"path"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/web"
)

// mapCSP is the map page's Content-Security-Policy: everything from this
// server, no inline script, nothing from elsewhere.
const mapCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// registerMap serves the partnership map: the page at GET / (static files
// under /static/, no build step, no CDN), its data at GET /map/data.json
// (the export filters as query parameters, plus metric) and the choices its
// filters offer at GET /map/options.json.
func registerMap(mux *http.ServeMux, store rg.Store, log *slog.Logger) {
	mux.Handle("GET /{$}", staticAsset("index.html"))
	mux.HandleFunc("GET /static/{file...}", func(w http.ResponseWriter, r *http.Request) {
		staticAsset(r.PathValue("file")).ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /map/data.json", func(w http.ResponseWriter, r *http.Request) {
		f, err := export.ParseQuery(r.URL.Query(), "metric")
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		g, err := export.Build(r.Context(), store, f)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		metric := r.URL.Query().Get("metric")
		values, err := analysis.MapValues(r.Context(), store, f.Year, metric)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if values != nil {
			g.SetMetric(metric, values)
		}
		writeJSONResponse(w, r, log, g.MapData())
	})
	mux.HandleFunc("GET /map/options.json", func(w http.ResponseWriter, r *http.Request) {
		o, err := export.Options(r.Context(), store)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSONResponse(w, r, log, o)
	})
}

func writeJSONResponse(w http.ResponseWriter, r *http.Request, log *slog.Logger, v any) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		writeError(w, r, log, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b.Bytes())
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
}

// staticAsset serves one embedded file under the map's CSP. Unknown files
// and types are 404.
func staticAsset(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct, ok := contentTypes[path.Ext(name)]
		if !ok || !fs.ValidPath(name) {
			http.NotFound(w, r)
			return
		}
		b, err := fs.ReadFile(web.Static, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Security-Policy", mapCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
}
