package server

import (
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/web"
)

// mapCSP is the map page's Content-Security-Policy: everything from this
// server, no inline script, nothing from elsewhere.
const mapCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// registerMap serves the partnership map: the page at GET / (static files
// under /static/, no build step, no CDN), its data at GET /map/data.json
// (the export filters as query parameters, plus metric) and the choices its
// filters offer at GET /map/options.json.
//
// The map's data is an analysis (a selection, a layout and, for a metric
// other than degree, a centrality over the actor graph): it runs under the
// analysis budget, among the analysis computations, and identical requests
// share one computation and its cached result until the graph changes.
func registerMap(rt *gqlhttp.Router, store rg.Store, work *gqlhttp.Work, log *slog.Logger) {
	rt.Handle("GET /{$}", "/", gqlhttp.BudgetExec, staticAsset("index.html"))
	rt.Handle("GET /static/{file...}", "/static/", gqlhttp.BudgetExec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		staticAsset(r.PathValue("file")).ServeHTTP(w, r)
	}))
	rt.Handle("GET /map/data.json", "/map/data.json", gqlhttp.BudgetAnalysis, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f, err := export.ParseQuery(q, "metric")
		if err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		metric := q.Get("metric")
		if metric != "" && !slices.Contains(analysis.MapMetrics, metric) {
			gqlhttp.WriteError(w, r, log, rg.FieldErrorf("metric", "unknown metric %q; the metrics are %s", metric, strings.Join(analysis.MapMetrics, ", ")))
			return
		}
		key := "map\x00" + f.Query().Encode() + "\x00" + metric
		b, err := work.Do(r.Context(), key, func(ctx context.Context) ([]byte, error) {
			if err := analysis.CheckMapMetric(ctx, store, metric); err != nil {
				return nil, err
			}
			g, err := export.Build(ctx, store, f)
			if err != nil {
				return nil, err
			}
			values, err := analysis.MapValues(ctx, store, f.Year, metric)
			if err != nil {
				return nil, err
			}
			if values != nil {
				g.SetMetric(metric, values)
			}
			return json.Marshal(g.MapData())
		})
		if err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		writeJSONBytes(w, b)
	}))
	rt.Handle("GET /map/options.json", "/map/options.json", gqlhttp.BudgetExec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o, err := export.Options(r.Context(), store)
		if err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		b, err := json.Marshal(o)
		if err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		writeJSONBytes(w, b)
	}))
}

func writeJSONBytes(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	_, _ = w.Write(b)
	_, _ = w.Write([]byte{'\n'})
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
