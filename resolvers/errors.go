package resolvers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	rg "github.com/regiongraph/regiongraph"
)

// ErrorPresenter turns errors into GraphQL errors with extensions.code:
// domain errors keep their code, message and field; errors the GraphQL layer
// raised about the request itself (parse, validation, argument coercion)
// become BAD_USER_INPUT; anything else becomes INTERNAL, with the detail
// logged under the request id and not returned.
//
// Messages are cut to maxMessage bytes, so a message quoting a name from the
// query cannot echo a large part of it; without suggestions (introspection
// off) the validator's "Did you mean ...?" hints are removed, as they would
// reveal the schema.
func ErrorPresenter(log *slog.Logger, suggestions bool) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := present(ctx, log, err)
		if !suggestions {
			if i := strings.Index(out.Message, " Did you mean "); i >= 0 {
				out.Message = out.Message[:i]
			}
		}
		out.Message = clip(out.Message, maxMessage)
		return out
	}
}

// maxMessage is the longest error message returned, in bytes.
const maxMessage = 300

func present(ctx context.Context, log *slog.Logger, err error) *gqlerror.Error {
	out := graphql.DefaultErrorPresenter(ctx, err)
	var de *rg.Error
	var ge *gqlerror.Error
	switch {
	case errors.As(err, &de):
		out.Message = de.Message
		out.Extensions = map[string]any{"code": de.Code}
		if de.Field != "" {
			out.Extensions["field"] = de.Field
		}
		if de.Code == rg.EINTERNAL || de.Code == rg.EUNAVAILABLE {
			log.LogAttrs(ctx, slog.LevelError, "request failed", slog.String("requestId", rg.RequestID(ctx)), slog.String("code", de.Code), slog.Any("err", err))
		}
	case errors.As(err, &ge) && ge.Err == nil:
		// Raised by gqlgen about the request: keep its message, which
		// names the offending field or argument, never the body.
		if out.Extensions == nil {
			out.Extensions = map[string]any{}
		}
		if c, ok := out.Extensions["code"].(string); ok && c != rg.EBADINPUT {
			out.Extensions["reason"] = c
		}
		out.Extensions["code"] = rg.EBADINPUT
	case errors.Is(err, context.DeadlineExceeded):
		out.Message = "the request took too long and was stopped"
		out.Extensions = map[string]any{"code": rg.EUNAVAILABLE}
	case errors.Is(err, context.Canceled):
		out.Message = "the request was cancelled"
		out.Extensions = map[string]any{"code": rg.EUNAVAILABLE}
	default:
		id := rg.RequestID(ctx)
		log.LogAttrs(ctx, slog.LevelError, "internal error", slog.String("requestId", id), slog.Any("err", err))
		out.Message = "internal error"
		if id != "" {
			out.Message = "internal error (request id " + id + ")"
		}
		out.Extensions = map[string]any{"code": rg.EINTERNAL}
		if id != "" {
			out.Extensions["requestId"] = id
		}
	}
	return out
}

// Recover turns a panic in a resolver into an INTERNAL error, logged with
// its value and the request id.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.LogAttrs(ctx, slog.LevelError, "panic in resolver", slog.String("requestId", rg.RequestID(ctx)), slog.String("panic", fmt.Sprint(v)))
		return fmt.Errorf("panic in resolver: %v", v)
	}
}

// clip shortens s to at most n bytes (on a rune boundary), marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}
