package resolvers

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/graph/model"
)

// deriveRelationID gives a relation created without id the id an import of
// the same relation would give it.
var deriveRelationID = dataset.DeriveID

// HasRole is the @hasRole directive: the field needs a principal whose role
// includes role. No principal is UNAUTHENTICATED; too low a role FORBIDDEN.
func HasRole(ctx context.Context, _ any, next graphql.Resolver, role model.Role) (any, error) {
	if err := requireRole(ctx, domainRole(role)); err != nil {
		return nil, err
	}
	return next(ctx)
}

func domainRole(r model.Role) rg.Role { return rg.Role(strings.ToLower(string(r))) }

func requireRole(ctx context.Context, want rg.Role) error {
	p, ok := rg.PrincipalFrom(ctx)
	if !ok {
		return rg.Errorf(rg.EUNAUTHENTICATED, "this needs a bearer token with role %s", want)
	}
	if !p.Role.Allows(want) {
		return rg.Errorf(rg.EFORBIDDEN, "the token %q has role %s; this needs role %s", p.Name, p.Role, want)
	}
	return nil
}

// withReason puts the mutation's reason, if any, in ctx for the store.
func withReason(ctx context.Context, reason *string) context.Context {
	if reason == nil || *reason == "" {
		return ctx
	}
	return rg.WithReason(ctx, *reason)
}

// apply applies changes for one mutation field. inputs[i] names change i's
// input in the request ("input", "changes[3].createInitiative"), and the
// store's field paths are rewritten to it. The request's loaders are cleared
// after a change, so that later fields read the new graph.
func (r *Resolver) apply(ctx context.Context, reason *string, changes []rg.Change, inputs []string) (rg.ApplyResult, error) {
	res, err := r.Store.Apply(withReason(ctx, reason), changes)
	r.clearLoaders(ctx)
	if err != nil {
		return rg.ApplyResult{}, inputPath(err, changes, inputs)
	}
	return res, nil
}

func (r *Resolver) clearLoaders(ctx context.Context) {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		l.clear()
	}
}

// inputPath rewrites a store error's field path "changes[i].node.x" to the
// GraphQL input's "<inputs[i]>.x", with the GraphQL names of the fields
// that differ from the domain's.
func inputPath(err error, changes []rg.Change, inputs []string) error {
	var e *rg.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Field, "changes[") {
		return err
	}
	end := strings.IndexByte(e.Field, ']')
	i, convErr := strconv.Atoi(e.Field[len("changes["):max(end, len("changes["))])
	if end < 0 || convErr != nil || i < 0 || i >= len(inputs) {
		return err
	}
	rest := strings.TrimPrefix(e.Field[end+1:], ".")
	c := changes[i]
	switch {
	case rest == "node" || rest == "edge":
		rest = ""
	case strings.HasPrefix(rest, "node."):
		rest = strings.TrimPrefix(rest, "node.")
		switch {
		case rest == "kind": // the id names a node of another kind
			rest = "id"
		case rest == "planYear" && c.Node != nil && c.Node.Kind == rg.KindPlan:
			rest = "year"
		}
	case strings.HasPrefix(rest, "edge."):
		rest = strings.TrimPrefix(rest, "edge.")
	}
	if rest == "source.plan" {
		rest = "source.planId"
	}
	out := *e
	switch {
	case inputs[i] == "":
		out.Field = rest
	case rest == "":
		out.Field = inputs[i]
	default:
		out.Field = inputs[i] + "." + rest
	}
	return &out
}

// createNode, updateNode and deleteNode do one mutation on one node and
// return it converted by conv.
func createNode[T model.Node](ctx context.Context, r *Resolver, n *rg.Node, reason *string, conv func(*rg.Node) (T, bool)) (T, error) {
	return oneNode(ctx, r, rg.Change{Op: rg.OpCreateNode, Node: n}, "input", reason, conv)
}

func updateNode[T model.Node](ctx context.Context, r *Resolver, p *patch, reason *string, conv func(*rg.Node) (T, bool)) (T, error) {
	if len(p.fields) == 0 {
		var zero T
		return zero, rg.FieldErrorf("input", "give at least one field to change besides the id")
	}
	return oneNode(ctx, r, p.change(), "input", reason, conv)
}

func deleteNode[T model.Node](ctx context.Context, r *Resolver, kind rg.Kind, id string, detach *bool, reason *string, conv func(*rg.Node) (T, bool)) (T, error) {
	c := rg.Change{Op: rg.OpDeleteNode, ID: id, Kind: kind, Detach: detach != nil && *detach}
	return oneNode(ctx, r, c, "", reason, conv)
}

func oneNode[T model.Node](ctx context.Context, r *Resolver, c rg.Change, input string, reason *string, conv func(*rg.Node) (T, bool)) (T, error) {
	var zero T
	res, err := r.apply(ctx, reason, []rg.Change{c}, []string{input})
	if err != nil {
		return zero, err
	}
	if len(res.Nodes) != 1 {
		return zero, rg.Errorf(rg.EINTERNAL, "the store reported %d nodes for one change", len(res.Nodes))
	}
	v, ok := conv(res.Nodes[0])
	if !ok {
		return zero, rg.Errorf(rg.EINTERNAL, "the store returned a %s", res.Nodes[0].Kind)
	}
	return v, nil
}

func (r *Resolver) oneRelation(ctx context.Context, c rg.Change, input string, reason *string) (*model.Relation, error) {
	res, err := r.apply(ctx, reason, []rg.Change{c}, []string{input})
	if err != nil {
		return nil, err
	}
	if len(res.Edges) != 1 {
		return nil, rg.Errorf(rg.EINTERNAL, "the store reported %d relations for one change", len(res.Edges))
	}
	return toRelation(res.Edges[0]), nil
}

func (r *Resolver) link(ctx context.Context, in model.LinkInput, reason *string) (*model.Relation, error) {
	return r.oneRelation(ctx, rg.Change{Op: rg.OpCreateEdge, Edge: linkEdge(&in)}, "input", reason)
}

func (r *Resolver) updateRelation(ctx context.Context, in model.RelationPatch, reason *string) (*model.Relation, error) {
	p := relationPatch(&in)
	if len(p.fields) == 0 {
		return nil, rg.FieldErrorf("input", "give at least one field to change besides the id")
	}
	return r.oneRelation(ctx, p.change(), "input", reason)
}

func (r *Resolver) unlink(ctx context.Context, id string, reason *string) (*model.Relation, error) {
	return r.oneRelation(ctx, rg.Change{Op: rg.OpDeleteEdge, ID: id}, "", reason)
}

// applyChanges converts the batch, checks that a batch with a delete comes
// from an admin, and applies it.
func (r *Resolver) applyChanges(ctx context.Context, in []*model.ChangeInput, reason *string) (*model.ApplyChangesPayload, error) {
	changes := make([]rg.Change, len(in))
	inputs := make([]string, len(in))
	for i, ci := range in {
		at := "changes[" + strconv.Itoa(i) + "]"
		c, name, err := changeOf(ci)
		if err != nil {
			return nil, rg.WithField(err, at)
		}
		changes[i], inputs[i] = c, at+"."+name
	}
	for _, c := range changes {
		if c.Op == rg.OpDeleteNode {
			if err := requireRole(ctx, rg.RoleAdmin); err != nil {
				return nil, err
			}
			break
		}
	}
	res, err := r.apply(ctx, reason, changes, inputs)
	if err != nil {
		return nil, err
	}
	out := &model.ApplyChangesPayload{Results: make([]*model.ChangeResult, 0, len(changes)),
		Created: res.Created, Updated: res.Updated, Deleted: res.Deleted, Unchanged: res.Unchanged}
	ni, ei := 0, 0
	for _, c := range changes {
		cr := &model.ChangeResult{Op: changeOp(c.Op)}
		switch rg.TargetOf(c.Op) {
		case rg.TargetNode:
			if ni < len(res.Nodes) {
				cr.Node = toNode(res.Nodes[ni])
				ni++
			}
		default:
			if ei < len(res.Edges) {
				cr.Relation = toRelation(res.Edges[ei])
				ei++
			}
		}
		out.Results = append(out.Results, cr)
	}
	return out, nil
}

// changeOf converts one ChangeInput, which must set exactly one field, and
// returns the name of that field.
func changeOf(ci *model.ChangeInput) (rg.Change, string, error) {
	var found []string
	var c rg.Change
	set := func(name string, ok bool, mk func() rg.Change) {
		if ok {
			found = append(found, name)
			c = mk()
		}
	}
	create := func(n *rg.Node) func() rg.Change {
		return func() rg.Change { return rg.Change{Op: rg.OpCreateNode, Node: n} }
	}
	set("createMunicipality", ci.CreateMunicipality != nil, func() rg.Change { return create(municipalityNode(ci.CreateMunicipality))() })
	set("updateMunicipality", ci.UpdateMunicipality != nil, func() rg.Change { return municipalityPatch(ci.UpdateMunicipality).change() })
	set("createRegion", ci.CreateRegion != nil, func() rg.Change { return create(regionNode(ci.CreateRegion))() })
	set("updateRegion", ci.UpdateRegion != nil, func() rg.Change { return regionPatch(ci.UpdateRegion).change() })
	set("createNetwork", ci.CreateNetwork != nil, func() rg.Change { return create(networkNode(ci.CreateNetwork))() })
	set("updateNetwork", ci.UpdateNetwork != nil, func() rg.Change { return networkPatch(ci.UpdateNetwork).change() })
	set("createPartner", ci.CreatePartner != nil, func() rg.Change { return create(partnerNode(ci.CreatePartner))() })
	set("updatePartner", ci.UpdatePartner != nil, func() rg.Change { return partnerPatch(ci.UpdatePartner).change() })
	set("createFund", ci.CreateFund != nil, func() rg.Change { return create(fundNode(ci.CreateFund))() })
	set("updateFund", ci.UpdateFund != nil, func() rg.Change { return fundPatch(ci.UpdateFund).change() })
	set("createInitiative", ci.CreateInitiative != nil, func() rg.Change { return create(initiativeNode(ci.CreateInitiative))() })
	set("updateInitiative", ci.UpdateInitiative != nil, func() rg.Change { return initiativePatch(ci.UpdateInitiative).change() })
	set("createFocusArea", ci.CreateFocusArea != nil, func() rg.Change { return create(focusAreaNode(ci.CreateFocusArea))() })
	set("updateFocusArea", ci.UpdateFocusArea != nil, func() rg.Change { return focusAreaPatch(ci.UpdateFocusArea).change() })
	set("createStrategyArea", ci.CreateStrategyArea != nil, func() rg.Change { return create(strategyAreaNode(ci.CreateStrategyArea))() })
	set("updateStrategyArea", ci.UpdateStrategyArea != nil, func() rg.Change { return strategyAreaPatch(ci.UpdateStrategyArea).change() })
	set("createTopic", ci.CreateTopic != nil, func() rg.Change { return create(topicNode(ci.CreateTopic))() })
	set("updateTopic", ci.UpdateTopic != nil, func() rg.Change { return topicPatch(ci.UpdateTopic).change() })
	set("createPlan", ci.CreatePlan != nil, func() rg.Change { return create(planNode(ci.CreatePlan))() })
	set("updatePlan", ci.UpdatePlan != nil, func() rg.Change { return planPatch(ci.UpdatePlan).change() })
	set("delete", ci.Delete != nil, func() rg.Change {
		c := rg.Change{Op: rg.OpDeleteNode, ID: ci.Delete.ID, Detach: ci.Delete.Detach != nil && *ci.Delete.Detach}
		if ci.Delete.Kind != nil {
			c.Kind = domainKinds[*ci.Delete.Kind]
		}
		return c
	})
	set("link", ci.Link != nil, func() rg.Change { return rg.Change{Op: rg.OpCreateEdge, Edge: linkEdge(ci.Link)} })
	set("updateRelation", ci.UpdateRelation != nil, func() rg.Change { return relationPatch(ci.UpdateRelation).change() })
	set("unlink", ci.Unlink != nil, func() rg.Change { return rg.Change{Op: rg.OpDeleteEdge, ID: ci.Unlink.ID} })
	switch {
	case len(found) == 0:
		return rg.Change{}, "", rg.FieldErrorf("", "give one change (createInitiative, link, ...)")
	case len(found) > 1:
		return rg.Change{}, "", rg.FieldErrorf("", "give exactly one change, not %s", strings.Join(found, " and "))
	}
	if len(c.Fields) == 0 && (c.Op == rg.OpUpdateNode || c.Op == rg.OpUpdateEdge) {
		return rg.Change{}, "", rg.FieldErrorf(found[0], "give at least one field to change besides the id")
	}
	return c, found[0], nil
}

// changeOp names a domain op in the API.
func changeOp(op rg.Op) model.ChangeOp {
	switch op {
	case rg.OpCreateNode:
		return model.ChangeOpCreateNode
	case rg.OpUpdateNode, rg.OpUpsertNode:
		return model.ChangeOpUpdateNode
	case rg.OpDeleteNode:
		return model.ChangeOpDeleteNode
	case rg.OpCreateEdge:
		return model.ChangeOpCreateRelation
	case rg.OpUpdateEdge, rg.OpUpsertEdge:
		return model.ChangeOpUpdateRelation
	}
	return model.ChangeOpDeleteRelation
}
