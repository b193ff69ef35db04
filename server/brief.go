package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

// registerBrief serves the lobbying brief on a topic or initiative as
// Markdown for printing: GET /brief/{id}.md, optionally ?year=Y. An id
// that is not a topic or initiative is 404; a malformed year 400. The brief
// is computed as the map's data is (the analysis budget, shared and cached
// computations).
func registerBrief(rt *gqlhttp.Router, store rg.Store, work *gqlhttp.Work, log *slog.Logger) {
	rt.Handle("GET /brief/{id}", "/brief/", gqlhttp.BudgetAnalysis, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutSuffix(r.PathValue("id"), ".md")
		if !ok || !rg.ValidID(id) {
			gqlhttp.WriteError(w, r, log, rg.Errorf(rg.ENOTFOUND, "no brief here: ask for /brief/{id}.md with a topic's or an initiative's id"))
			return
		}
		var year *int
		if v := r.URL.Query().Get("year"); v != "" {
			y, err := strconv.Atoi(v)
			if err != nil || y < rg.MinYear || y > rg.MaxYear {
				gqlhttp.WriteError(w, r, log, rg.FieldErrorf("year", "year must be a year in %d..%d", rg.MinYear, rg.MaxYear))
				return
			}
			year = &y
		}
		ns, err := store.Nodes(r.Context(), []string{id})
		if err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		var subj analysis.Subject
		switch {
		case len(ns) == 1 && ns[0].Kind == rg.KindTopic:
			subj.Topic = id
		case len(ns) == 1 && ns[0].Kind == rg.KindInitiative:
			subj.Initiative = id
		default:
			gqlhttp.WriteError(w, r, log, rg.Errorf(rg.ENOTFOUND, "no topic or initiative %s", id))
			return
		}
		key := "brief\x00" + id + "\x00" + r.URL.Query().Get("year")
		b, err := work.Do(r.Context(), key, func(ctx context.Context) ([]byte, error) {
			b, err := analysis.LoadBrief(ctx, store, subj, year)
			if err != nil {
				return nil, err
			}
			return []byte(analysis.RenderBrief(b)), nil
		})
		if err != nil {
			gqlhttp.WriteError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	}))
}
