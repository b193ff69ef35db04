package regiongraph

import "context"

// Role is what a principal may do.
type Role string

const (
	RoleReader Role = "reader"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// Allows reports whether r includes the rights of want (admin > editor > reader).
func (r Role) Allows(want Role) bool {
	rank := map[Role]int{RoleReader: 1, RoleEditor: 2, RoleAdmin: 3}
	return rank[r] >= rank[want] && rank[want] > 0
}

// Principal is who is asking: the name of the token used and its role.
type Principal struct {
	Name string
	Role Role
}

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx and whether there is one.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Actors recorded in the change history when the context carries no
// principal. Stores record ActorSystem: a change made without a principal
// comes from inside the program (the import command, filling a new data file),
// never from the API, which refuses writes without a token.
const (
	ActorSystem    = "system"
	ActorAnonymous = "anonymous" // the principal of a request without a token
)

// ActorFrom returns the name the change history records for changes made
// with ctx: the principal's name, or ActorSystem when there is none.
func ActorFrom(ctx context.Context) string {
	if p, ok := PrincipalFrom(ctx); ok && p.Name != "" {
		return p.Name
	}
	return ActorSystem
}

type reasonKey struct{}

// WithReason returns a context carrying the reason recorded with the changes
// applied under it (optional; at most MaxTextLen characters).
func WithReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey{}, reason)
}

// ReasonFrom returns the reason in ctx, or "".
func ReasonFrom(ctx context.Context) string {
	r, _ := ctx.Value(reasonKey{}).(string)
	return r
}

// ValidateReason checks a reason: valid UTF-8, no control characters but
// newlines and tabs, at most MaxTextLen characters. The error names the
// field "reason".
func ValidateReason(reason string) error {
	return checkText("reason", reason, MaxTextLen, false)
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the id of the HTTP request it
// serves, used in logs and in INTERNAL errors.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
