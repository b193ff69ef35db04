package gqlhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/live"
	"github.com/regiongraph/regiongraph/resolvers"
)

// Streams: how often a stream sends a heartbeat comment unless Options say
// otherwise, and how long one write may take before the client counts as
// gone. A stream lasts Limits.StreamLifetime.
const (
	defaultStreamHeartbeat = 15 * time.Second
	streamWrite            = 30 * time.Second
)

// acceptsEventStream reports whether the Accept header asks for
// Server-Sent Events.
func acceptsEventStream(accept string) bool {
	for rest := accept; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		if !containsFold(part, "event-stream") {
			continue // its media type is not text/event-stream, in any case
		}
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && mt == "text/event-stream" && params["q"] != "0" {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the ASCII string sub, in any
// case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// StreamPath is where subscriptions are served: a route of its own, whose
// places (one per open stream) and deadline (the stream's lifetime) are not
// those of /graphql.
const StreamPath = "/graphql/stream"

type streamRouteKey struct{}

// StreamRoute marks requests as coming to StreamPath: the GraphQL handler
// serves subscriptions there, and only there.
func StreamRoute(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), streamRouteKey{}, true)))
	})
}

func onStreamRoute(ctx context.Context) bool {
	on, _ := ctx.Value(streamRouteKey{}).(bool)
	return on
}

// subscriptionElsewhere is the reply to a subscription not asked for as an
// event stream on StreamPath, or to another operation sent there.
func (f *front) subscriptionElsewhere(ctx context.Context, rt responseType, subscription bool) *reply {
	msg := "a subscription is served as Server-Sent Events: POST it to " + StreamPath + " with Accept: text/event-stream"
	if !subscription {
		msg = StreamPath + " serves subscriptions only; send queries and mutations to /graphql"
	}
	return f.requestErrors(ctx, rt, gqlerror.List{{Message: msg, Extensions: map[string]any{"code": rg.EBADINPUT}}})
}

// stream serves a prepared subscription as Server-Sent Events: an
// "event: next" with each response, a ": ping" comment every
// heartbeat, "event: complete" at the end. StreamPath's route bounds the
// open streams (its places; 503 with Retry-After beyond them), and so does
// the hub. It ends when the client goes, after its lifetime, or when the
// subscription ends.
func (f *front) stream(w http.ResponseWriter, r *http.Request, start time.Time, rt responseType, p prep) {
	if f.hub != nil && f.hub.Streams() >= f.hub.Max() {
		rep := &reply{status: http.StatusServiceUnavailable, outcome: OutcomeOverloaded, op: p.op,
			errs: gqlerror.List{{Message: rg.ErrorMessage(live.ErrFull), Extensions: map[string]any{"code": rg.EUNAVAILABLE}}}, header: http.Header{"Retry-After": {"5"}}}
		f.write(w, r, start, rt, rep)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), f.streamLifetime)
	defer cancel()
	ctx = resolvers.WithLoaders(ctx, resolvers.NewLoaders(f.store, f.loaderWait))
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(s string) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWrite))
		if _, err := fmt.Fprint(w, s); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(":\n\n") {
		return
	}
	outcome := OutcomeOK
	defer func() {
		if f.obs != nil {
			f.obs.Request(p.op, outcome, time.Since(start))
		}
	}()

	handler, rctx := f.exec.DispatchOperation(ctx, p.oc)
	responses := make(chan *graphql.Response)
	go func() {
		defer close(responses)
		defer func() {
			if v := recover(); v != nil {
				f.log.LogAttrs(ctx, slog.LevelError, "panic in a subscription", slog.String("requestId", rg.RequestID(ctx)), slog.String("panic", fmt.Sprint(v)))
			}
		}()
		for {
			resp := handler(rctx)
			if resp == nil {
				return
			}
			select {
			case responses <- resp:
			case <-ctx.Done():
				return
			}
		}
	}()
	beat := time.NewTicker(f.streamHeartbeat)
	defer beat.Stop()
	for {
		select {
		case resp, ok := <-responses:
			if !ok {
				send("event: complete\ndata:\n\n")
				return
			}
			if len(resp.Errors) > 0 {
				outcome = OutcomeFieldErrors
			}
			b, err := json.Marshal(resp)
			if err != nil {
				outcome = OutcomeInternal
				f.log.LogAttrs(ctx, slog.LevelError, "encoding a subscription event", slog.String("requestId", rg.RequestID(ctx)), slog.Any("err", err))
				return
			}
			if !send("event: next\ndata: " + string(b) + "\n\n") {
				return
			}
			beat.Reset(f.streamHeartbeat)
		case <-beat.C:
			if !send(": ping\n\n") {
				return
			}
		case <-ctx.Done():
			// The lifetime is over (not the client gone): tell it to
			// resume.
			if !errors.Is(ctx.Err(), context.Canceled) {
				send("event: complete\ndata:\n\n")
			}
			return
		}
	}
}
