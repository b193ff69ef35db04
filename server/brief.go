package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/resolvers"
)

// BriefHandler serves the lobbying brief on a topic or initiative as
// Markdown for printing: GET /brief/{id}.md, optionally ?year=Y. An id
// that is not a topic or initiative is 404; a malformed year 400.
func BriefHandler(store rg.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutSuffix(r.PathValue("id"), ".md")
		if !ok || !rg.ValidID(id) {
			http.NotFound(w, r)
			return
		}
		var year *int
		if v := r.URL.Query().Get("year"); v != "" {
			y, err := strconv.Atoi(v)
			if err != nil || y < rg.MinYear || y > rg.MaxYear {
				http.Error(w, fmt.Sprintf("year must be a year in %d..%d", rg.MinYear, rg.MaxYear), http.StatusBadRequest)
				return
			}
			year = &y
		}
		ctx, cancel := context.WithTimeout(r.Context(), resolvers.AnalysisTimeout)
		defer cancel()
		ns, err := store.Nodes(ctx, []string{id})
		if err != nil {
			briefError(w, err)
			return
		}
		var subj analysis.Subject
		switch {
		case len(ns) == 1 && ns[0].Kind == rg.KindTopic:
			subj.Topic = id
		case len(ns) == 1 && ns[0].Kind == rg.KindInitiative:
			subj.Initiative = id
		default:
			http.Error(w, "no topic or initiative "+id, http.StatusNotFound)
			return
		}
		b, err := analysis.LoadBrief(ctx, store, subj, year)
		if err != nil {
			briefError(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write([]byte(analysis.RenderBrief(b)))
	})
}

func briefError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	msg := "internal error"
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		status, msg = http.StatusServiceUnavailable, "the brief took too long and was stopped"
	case rg.ErrorCode(err) == rg.ENOTFOUND:
		status, msg = http.StatusNotFound, rg.ErrorMessage(err)
	case rg.ErrorCode(err) == rg.EBADINPUT:
		status, msg = http.StatusBadRequest, rg.ErrorMessage(err)
	case rg.ErrorCode(err) == rg.EUNAVAILABLE:
		status, msg = http.StatusServiceUnavailable, rg.ErrorMessage(err)
	}
	http.Error(w, msg, status)
}
