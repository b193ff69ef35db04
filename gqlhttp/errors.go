package gqlhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

// wireError is one error of a response, shaped as GraphQL's: the routes
// beside /graphql answer {"errors": [{"message", "extensions"}]} too.
type wireError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func internalError(id string) wireError {
	e := wireError{Message: "internal error", Extensions: map[string]any{"code": rg.EINTERNAL}}
	if id != "" {
		e.Message = "internal error (request id " + id + ")"
		e.Extensions["requestId"] = id
	}
	return e
}

func writeJSONError(w http.ResponseWriter, status int, e wireError, header http.Header) {
	for k, v := range header {
		w.Header()[k] = v
	}
	b, _ := json.Marshal(struct {
		Errors []wireError `json:"errors"`
	}{[]wireError{e}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// Retry-After values, in seconds: an overloaded server may have room in a
// moment; a computation that ran out of time needs the load to drop (or a
// narrower question).
const (
	retryOverloaded = "1"
	retryTimeout    = "5"
)

func limitWire(code, limit string, max any, format string, args ...any) wireError {
	return wireError{
		Message:    fmt.Sprintf(format, args...) + fmt.Sprintf("; the limit %s is %v", limit, max),
		Extensions: map[string]any{"code": code, "limit": limit, "max": max},
	}
}

func writeOverloaded(w http.ResponseWriter, limit string, max int, wait time.Duration) {
	writeJSONError(w, http.StatusServiceUnavailable,
		limitWire(rg.EUNAVAILABLE, limit, max, "the server is serving as many requests as it may and none finished within %s; try again", wait),
		http.Header{"Retry-After": {retryOverloaded}})
}

func writeTimeout(w http.ResponseWriter, limit string, d time.Duration, what string) {
	writeJSONError(w, http.StatusServiceUnavailable,
		limitWire(rg.EUNAVAILABLE, limit, d.String(), "%s took too long and was stopped", what),
		http.Header{"Retry-After": {retryTimeout}})
}

// OverloadedError is returned by Work when no place for a computation
// freed up within QueueWait.
type OverloadedError struct {
	Limit string
	Max   int
	Wait  time.Duration
}

func (e *OverloadedError) Error() string {
	return fmt.Sprintf("no place among the %d of %s within %s", e.Max, e.Limit, e.Wait)
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

// WriteError answers a request on a route beside /graphql with err, as
// JSON shaped like a GraphQL error response with its code (and field):
//
//   - the request's deadline passed: 503 UNAVAILABLE naming the route's
//     time limit, with Retry-After;
//   - no place for the computation: 503 with Retry-After;
//   - the client went away: nothing anyone reads, counted and logged as
//     client_closed (499), not as an error;
//   - a domain error: its code and message, with the status of the code;
//   - anything else: INTERNAL, its detail logged under the request id.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	ctx := r.Context()
	var over *OverloadedError
	switch {
	case ClientGone(ctx) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		SetOutcome(ctx, OutcomeClientClosed)
		writeJSONError(w, http.StatusServiceUnavailable, wireError{Message: "the request was cancelled", Extensions: map[string]any{"code": rg.EUNAVAILABLE}}, nil)
		return
	case errors.Is(err, context.DeadlineExceeded):
		SetOutcome(ctx, OutcomeTimeout)
		limit, d := routeLimit(ctx)
		writeTimeout(w, limit, d, "the request")
		return
	case errors.As(err, &over):
		SetOutcome(ctx, OutcomeOverloaded)
		writeOverloaded(w, over.Limit, over.Max, over.Wait)
		return
	}
	code, msg := rg.ErrorCode(err), rg.ErrorMessage(err)
	ext := map[string]any{"code": code}
	if f := rg.ErrorField(err); f != "" {
		ext["field"] = f
	}
	var hdr http.Header
	if code == rg.EINTERNAL || code == rg.EUNAVAILABLE {
		id := rg.RequestID(ctx)
		log.LogAttrs(ctx, slog.LevelError, "request failed", slog.String("requestId", id), slog.String("path", r.URL.Path), slog.String("code", code), slog.Any("err", err))
		if code == rg.EINTERNAL {
			e := internalError(id)
			msg, ext = e.Message, e.Extensions
		} else {
			hdr = http.Header{"Retry-After": {retryTimeout}}
		}
	}
	status, ok := httpStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSONError(w, status, wireError{Message: msg, Extensions: ext}, hdr)
}

// routeLimit is the time limit of the route serving ctx, for messages.
func routeLimit(ctx context.Context) (string, time.Duration) {
	if st, _ := ctx.Value(requestStateKey{}).(*requestState); st != nil && st.limit != "" {
		return st.limit, st.timeout
	}
	return LimitExecTime, 0
}
