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
