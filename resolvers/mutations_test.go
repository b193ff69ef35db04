package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/storetest"
)

// gql is a GraphQL handler over a small store, called as one principal.
type gql struct {
	t     *testing.T
	store rg.Store
	h     http.Handler
}

func newGQL(t *testing.T) *gql {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "test.db"), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	plan := storetest.N("plan-2025", rg.KindPlan, "Handlingsplan 2025")
	plan.Source = rg.Source{Plan: "plan-2025", Section: "1", Quote: "Handlingsplan"}
	muni := storetest.N("kommune-flesberg", rg.KindMunicipality, "Flesberg")
	muni.Number = "3050"
	storetest.Load(t, s, storetest.Graph{Nodes: []*rg.Node{
		plan, muni, storetest.N("kommune-rollag", rg.KindMunicipality, "Rollag"),
		storetest.N("fond-rum", rg.KindFund, "Regionale utviklingsmidler"),
		storetest.N("buskerud", rg.KindPartner, "Buskerud fylkeskommune"),
	}})
	return &gql{t: t, store: s, h: gqlhttp.NewHandler(s, gqlhttp.Options{})}
}

type mutationError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type result struct {
	status int
	Data   json.RawMessage `json:"data"`
	Errors []mutationError `json:"errors"`
}

// as runs the query as the principal (nil: none) and returns the response.
func (g *gql) as(p *rg.Principal, query string, vars map[string]any) result {
	g.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if p != nil {
		req = req.WithContext(rg.WithPrincipal(req.Context(), *p))
	}
	rec := httptest.NewRecorder()
	g.h.ServeHTTP(rec, req)
	var r result
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		g.t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	r.status = rec.Code
	return r
}

var (
	editor = &rg.Principal{Name: "alice", Role: rg.RoleEditor}
	admin  = &rg.Principal{Name: "root", Role: rg.RoleAdmin}
	reader = &rg.Principal{Name: "rita", Role: rg.RoleReader}
)

// ok runs the query and decodes data into out, failing on errors.
func (g *gql) ok(p *rg.Principal, query string, vars map[string]any, out any) {
	g.t.Helper()
	r := g.as(p, query, vars)
	if len(r.Errors) > 0 {
		g.t.Fatalf("errors: %+v", r.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			g.t.Fatalf("decode %s: %v", r.Data, err)
		}
	}
}

// fails runs the query and checks its one error's code and field ("" for none).
func (g *gql) fails(p *rg.Principal, query string, vars map[string]any, code, field string) mutationError {
	g.t.Helper()
	r := g.as(p, query, vars)
	if len(r.Errors) != 1 {
		g.t.Fatalf("%d errors %+v, want one %s", len(r.Errors), r.Errors, code)
	}
	e := r.Errors[0]
	if e.Extensions["code"] != code {
		g.t.Fatalf("error %q code %v, want %s", e.Message, e.Extensions["code"], code)
	}
	if got, _ := e.Extensions["field"].(string); got != field {
		g.t.Fatalf("error %q field %q, want %q", e.Message, got, field)
	}
	return e
}

// unchanged fails unless the store's graph and history are as in before.
func (g *gql) unchanged(before storetest.Snapshot, history int) {
	g.t.Helper()
	storetest.WantSnapshot(g.t, g.store, before)
	if n := storetest.HistoryLen(g.t, g.store, ""); n != history {
		g.t.Fatalf("history has %d entries, want %d as before", n, history)
	}
}

const src = `source: {planId: "plan-2025", section: "2", quote: "nytt nettverk"}`

// TestCoordinatorStory walks the issue: add a network, record that a
// municipality joined it in 2025, register an initiative with its funders,
// correct a cost, and see who changed what.
func TestCoordinatorStory(t *testing.T) {
	g := newGQL(t)
	var created struct {
		CreateNetwork struct{ ID, Name, Field string }
	}
	g.ok(editor, `mutation { createNetwork(input: {id: "nettverk-klima", name: "Klimanettverket", field: "klima", `+src+`}, reason: "nytt i 2025") { id name field } }`, nil, &created)
	if created.CreateNetwork.ID != "nettverk-klima" || created.CreateNetwork.Field != "klima" {
		t.Fatalf("createNetwork returned %+v", created.CreateNetwork)
	}

	var linked struct {
		Link struct {
			ID, Kind string
			FromYear *int
			From     struct{ Name string }
		}
	}
	g.ok(editor, `mutation { link(input: {kind: MEMBER_OF, from: "kommune-flesberg", to: "nettverk-klima", fromYear: 2025, `+src+`}) { id kind fromYear from { name } } }`, nil, &linked)
	if linked.Link.ID != "kommune-flesberg-member-of-nettverk-klima" || linked.Link.FromYear == nil || *linked.Link.FromYear != 2025 || linked.Link.From.Name != "Flesberg" {
		t.Fatalf("link returned %+v", linked.Link)
	}

	var batch struct {
		ApplyChanges struct {
			Created int
			Results []struct {
				Op       string
				Node     *struct{ ID string }
				Relation *struct{ ID string }
			}
		}
	}
	g.ok(editor, `mutation($changes: [ChangeInput!]!) { applyChanges(changes: $changes, reason: "vedtak 12/25") { created results { op node { id } relation { id } } } }`,
		map[string]any{"changes": []any{
			map[string]any{"createInitiative": map[string]any{"id": "tiltak-2025-1", "name": "Klimaplan", "planYear": 2025, "costNok": 500000,
				"source": map[string]any{"planId": "plan-2025", "section": "3", "quote": "klimaplan"}}},
			map[string]any{"link": map[string]any{"kind": "FUNDS", "from": "fond-rum", "to": "tiltak-2025-1", "fromYear": 2025, "toYear": 2025,
				"source": map[string]any{"planId": "plan-2025"}}},
			map[string]any{"link": map[string]any{"id": "buskerud-funds-klimaplan", "kind": "FUNDS", "from": "buskerud", "to": "tiltak-2025-1", "amountNok": 100000,
				"source": map[string]any{"outside": true, "reference": "https://example.org/vedtak"}}},
		}}, &batch)
	if batch.ApplyChanges.Created != 3 || len(batch.ApplyChanges.Results) != 3 ||
		batch.ApplyChanges.Results[0].Op != "CREATE_NODE" || batch.ApplyChanges.Results[0].Node.ID != "tiltak-2025-1" ||
		batch.ApplyChanges.Results[2].Op != "CREATE_RELATION" || batch.ApplyChanges.Results[2].Relation.ID != "buskerud-funds-klimaplan" {
		t.Fatalf("applyChanges returned %+v", batch.ApplyChanges)
	}

	var funders struct {
		Node struct{ Funders []struct{ ID string } }
	}
	g.ok(nil, `{ node(id: "tiltak-2025-1") { ... on Initiative { funders { id } } } }`, nil, &funders)
	if len(funders.Node.Funders) != 2 {
		t.Fatalf("funders %+v", funders.Node.Funders)
	}

	var corrected struct {
		UpdateInitiative struct {
			CostNok  int64
			Name     string
			PlanYear int
		}
	}
	g.ok(editor, `mutation { updateInitiative(input: {id: "tiltak-2025-1", costNok: 650000}, reason: "rettet kostnad") { costNok name planYear } }`, nil, &corrected)
	if corrected.UpdateInitiative.CostNok != 650000 || corrected.UpdateInitiative.Name != "Klimaplan" || corrected.UpdateInitiative.PlanYear != 2025 {
		t.Fatalf("updateInitiative returned %+v: the other fields must keep their values", corrected.UpdateInitiative)
	}

	var hist struct {
		Node struct {
			Changes struct {
				TotalCount int
				Nodes      []struct {
					Seq           int64
					At            string
					Actor, Op     string
					TargetID      string
					Reason        *string
					ChangedFields []string
					NodeBefore    *struct{ CostNok int64 }
					NodeAfter     *struct{ CostNok int64 }
				}
			}
		}
	}
	g.ok(nil, `{ node(id: "tiltak-2025-1") { ... on Initiative { changes { totalCount nodes { seq at actor op targetId reason changedFields
		nodeBefore { ... on Initiative { costNok } } nodeAfter { ... on Initiative { costNok } } } } } } }`, nil, &hist)
	ch := hist.Node.Changes
	if ch.TotalCount != 4 || len(ch.Nodes) != 4 {
		t.Fatalf("changes of the initiative: %+v, want its create, two FUNDS and the correction", ch)
	}
	newest := ch.Nodes[0]
	if newest.Actor != "alice" || newest.Op != "UPDATE_NODE" || newest.Reason == nil || *newest.Reason != "rettet kostnad" ||
		!slices.Equal(newest.ChangedFields, []string{"costNok"}) || newest.NodeBefore.CostNok != 500000 || newest.NodeAfter.CostNok != 650000 || newest.At == "" {
		t.Fatalf("newest change %+v", newest)
	}
	if ch.Nodes[3].Op != "CREATE_NODE" || ch.Nodes[1].Op != "CREATE_RELATION" || *ch.Nodes[3].Reason != "vedtak 12/25" {
		t.Fatalf("older changes %+v", ch.Nodes[1:])
	}

	var all struct {
		History struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct{ TargetID string }
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	g.ok(nil, `{ history(first: 2) { totalCount edges { cursor node { targetId } } pageInfo { hasNextPage endCursor } } }`, nil, &all)
	if all.History.TotalCount != 5+6 || len(all.History.Edges) != 2 || !all.History.PageInfo.HasNextPage || all.History.Edges[0].Node.TargetID != "tiltak-2025-1" {
		t.Fatalf("history %+v", all.History)
	}
	var next struct {
		History struct{ Nodes []struct{ TargetID string } }
	}
	g.ok(nil, `query($after: String) { history(first: 1, after: $after) { nodes { targetId } } }`, map[string]any{"after": all.History.PageInfo.EndCursor}, &next)
	if len(next.History.Nodes) != 1 || next.History.Nodes[0].TargetID != "fond-rum-funds-tiltak-2025-1" {
		t.Fatalf("second page %+v", next.History)
	}
}

func TestMutationErrorsNameTheInputField(t *testing.T) {
	g := newGQL(t)
	before := storetest.TakeSnapshot(t, g.store)
	history := storetest.HistoryLen(t, g.store, "")
	for _, tc := range []struct {
		name, query, code, field string
	}{
		{"an empty name", `mutation { createPartner(input: {id: "p", name: "", ` + src + `}) { id } }`, rg.EBADINPUT, "input.name"},
		{"an id that is not a slug", `mutation { createPartner(input: {id: "Ny Partner", name: "P", ` + src + `}) { id } }`, rg.EBADINPUT, "input.id"},
		{"a plan id that is not a slug", `mutation { createPartner(input: {id: "p", name: "P", source: {planId: "Plan 2025"}}) { id } }`, rg.EBADINPUT, "input.source.planId"},
		{"a plan year out of range", `mutation { createPlan(input: {id: "plan-1850", name: "P", year: 1850, ` + src + `}) { id } }`, rg.EBADINPUT, "input.year"},
		{"a negative cost", `mutation { createInitiative(input: {id: "t", name: "T", costNok: -1, ` + src + `}) { id } }`, rg.EBADINPUT, "input.costNok"},
		{"a duplicate id", `mutation { createMunicipality(input: {id: "kommune-rollag", name: "Rollag", ` + src + `}) { id } }`, rg.ECONFLICT, "input.id"},
		{"a link to a missing node", `mutation { link(input: {kind: MEMBER_OF, from: "kommune-rollag", to: "nettverk-x", ` + src + `}) { id } }`, rg.ENOTFOUND, "input.to"},
		{"a link the table forbids", `mutation { link(input: {kind: FUNDS, from: "kommune-rollag", to: "plan-2025", ` + src + `}) { id } }`, rg.EBADINPUT, "input.kind"},
		{"years in the wrong order", `mutation { link(input: {kind: PARTNER_OF, from: "kommune-rollag", to: "buskerud", fromYear: 2025, toYear: 2024, ` + src + `}) { id } }`, rg.EBADINPUT, "input.toYear"},
		{"an update of a node of another kind", `mutation { updateRegion(input: {id: "kommune-rollag", name: "R"}) { id } }`, rg.EBADINPUT, "input.id"},
		{"an update with nothing to change", `mutation { updatePartner(input: {id: "buskerud"}) { id } }`, rg.EBADINPUT, "input"},
		{"an update clearing the name", `mutation { updatePartner(input: {id: "buskerud", name: null}) { id } }`, rg.EBADINPUT, "input.name"},
		{"a delete of a node of another kind", `mutation { deleteRegion(id: "kommune-rollag") { id } }`, rg.ENOTFOUND, "id"},
		{"a delete of a missing node", `mutation { deletePlan(id: "plan-1999") { id } }`, rg.ENOTFOUND, "id"},
		{"an unlink of a missing relation", `mutation { unlink(id: "nothing") { id } }`, rg.ENOTFOUND, "id"},
		{"a bad change in a batch", `mutation { applyChanges(changes: [{createPartner: {id: "p1", name: "P1", ` + src + `}}, {createPartner: {id: "p2", name: "P\u0007", ` + src + `}}]) { created } }`, rg.EBADINPUT, "changes[1].createPartner.name"},
		{"a reason with a control character", `mutation { createPartner(input: {id: "p", name: "P", ` + src + `}, reason: "a\u0000b") { id } }`, rg.EBADINPUT, "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g.t = t
			g.fails(admin, tc.query, nil, tc.code, tc.field)
			g.unchanged(before, history)
		})
	}
}

func TestApplyChangesTakesExactlyOneChangePerItem(t *testing.T) {
	g := newGQL(t)
	before := storetest.TakeSnapshot(t, g.store)
	history := storetest.HistoryLen(t, g.store, "")
	r := g.as(editor, `mutation { applyChanges(changes: [{unlink: {id: "a"}, delete: {id: "b"}}]) { created } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != rg.EBADINPUT {
		t.Fatalf("errors %+v, want one BAD_USER_INPUT", r.Errors)
	}
	r = g.as(editor, `mutation { applyChanges(changes: [{}]) { created } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != rg.EBADINPUT {
		t.Fatalf("errors %+v, want one BAD_USER_INPUT", r.Errors)
	}
	g.unchanged(before, history)
}

func TestPatchKeepsAbsentFieldsAndClearsNulls(t *testing.T) {
	g := newGQL(t)
	var out struct {
		UpdateMunicipality struct {
			Name   string
			Number *string
			County *string
		}
	}
	g.ok(editor, `mutation { updateMunicipality(input: {id: "kommune-flesberg", county: "Buskerud"}) { name number county } }`, nil, &out)
	if u := out.UpdateMunicipality; u.Name != "Flesberg" || u.Number == nil || *u.Number != "3050" || u.County == nil || *u.County != "Buskerud" {
		t.Fatalf("after setting the county: %+v", u)
	}
	g.ok(editor, `mutation { updateMunicipality(input: {id: "kommune-flesberg", number: null}) { name number county } }`, nil, &out)
	if u := out.UpdateMunicipality; u.Name != "Flesberg" || u.Number != nil || u.County == nil {
		t.Fatalf("after clearing the number: %+v", u)
	}
	var rel struct {
		UpdateRelation struct {
			ToYear   *int
			FromYear *int
		}
	}
	g.ok(editor, `mutation { link(input: {id: "r", kind: PARTNER_OF, from: "kommune-rollag", to: "buskerud", fromYear: 2020, `+src+`}) { id } }`, nil, nil)
	g.ok(editor, `mutation { updateRelation(input: {id: "r", toYear: 2024}, reason: "left") { fromYear toYear } }`, nil, &rel)
	if rel.UpdateRelation.FromYear == nil || *rel.UpdateRelation.FromYear != 2020 || rel.UpdateRelation.ToYear == nil || *rel.UpdateRelation.ToYear != 2024 {
		t.Fatalf("updateRelation returned %+v", rel.UpdateRelation)
	}
}

func TestDeleteWithAndWithoutDetach(t *testing.T) {
	g := newGQL(t)
	g.ok(editor, `mutation { link(input: {id: "r", kind: PARTNER_OF, from: "kommune-rollag", to: "buskerud", `+src+`}) { id } }`, nil, nil)
	before := storetest.TakeSnapshot(t, g.store)
	history := storetest.HistoryLen(t, g.store, "")
	g.fails(admin, `mutation { deletePartner(id: "buskerud") { id } }`, nil, rg.ECONFLICT, "id")
	g.unchanged(before, history)
	var out struct {
		DeletePartner struct{ ID, Name string }
	}
	g.ok(admin, `mutation { deletePartner(id: "buskerud", detach: true, reason: "nedlagt") { id name } }`, nil, &out)
	if out.DeletePartner.ID != "buskerud" || out.DeletePartner.Name != "Buskerud fylkeskommune" {
		t.Fatalf("deletePartner returned %+v", out.DeletePartner)
	}
	if ns, _ := g.store.Nodes(context.Background(), []string{"buskerud"}); len(ns) != 0 {
		t.Fatal("the partner is still there")
	}
	if es, _ := g.store.Edges(context.Background(), rg.EdgeFilter{IDs: []string{"r"}}); len(es) != 0 {
		t.Fatal("its relation is still there")
	}
	if n := storetest.HistoryLen(t, g.store, ""); n != history+2 {
		t.Fatalf("history grew by %d, want 2 (the relation and the node)", n-history)
	}
}

// TestRolesInTheResolvers checks the @hasRole directive and the admin rule
// for batches with a delete, without the HTTP layer: every refused request
// changes nothing.
func TestRolesInTheResolvers(t *testing.T) {
	g := newGQL(t)
	before := storetest.TakeSnapshot(t, g.store)
	history := storetest.HistoryLen(t, g.store, "")
	create := `mutation { createPartner(input: {id: "p", name: "P", ` + src + `}) { id } }`
	del := `mutation { deleteMunicipality(id: "kommune-rollag") { id } }`
	batchDelete := `mutation { applyChanges(changes: [{createPartner: {id: "p", name: "P", ` + src + `}}, {delete: {id: "kommune-rollag"}}]) { deleted } }`
	imp := `mutation { importDataset(yaml: "plans: []", dryRun: true) { applied } }`
	for _, tc := range []struct {
		who   *rg.Principal
		query string
		code  string
	}{
		{nil, create, rg.EUNAUTHENTICATED},
		{reader, create, rg.EFORBIDDEN},
		{nil, del, rg.EUNAUTHENTICATED},
		{editor, del, rg.EFORBIDDEN},
		{editor, batchDelete, rg.EFORBIDDEN},
		{editor, imp, rg.EFORBIDDEN},
		{nil, imp, rg.EUNAUTHENTICATED},
	} {
		name := "anonymous"
		if tc.who != nil {
			name = string(tc.who.Role)
		}
		t.Run(fmt.Sprintf("%s %s", name, strings.Fields(tc.query)[2]), func(t *testing.T) {
			g.t = t
			g.fails(tc.who, tc.query, nil, tc.code, "")
			g.unchanged(before, history)
		})
	}
	g.t = t
	var out struct{ ApplyChanges struct{ Deleted int } }
	g.ok(admin, batchDelete, nil, &out)
	if out.ApplyChanges.Deleted != 1 {
		t.Fatalf("admin's batch deleted %d", out.ApplyChanges.Deleted)
	}
}

func TestMutationOverGETIsRefused(t *testing.T) {
	g := newGQL(t)
	before := storetest.TakeSnapshot(t, g.store)
	history := storetest.HistoryLen(t, g.store, "")
	q := url.Values{"query": {`mutation { createPartner(input: {id: "p", name: "P", ` + src + `}) { id } }`}}
	req := httptest.NewRequest(http.MethodGet, "/graphql?"+q.Encode(), nil)
	req = req.WithContext(rg.WithPrincipal(req.Context(), *admin))
	rec := httptest.NewRecorder()
	g.h.ServeHTTP(rec, req)
	// 405, as the GraphQL-over-HTTP spec has it for a mutation over GET.
	if rec.Code != http.StatusMethodNotAllowed || !strings.Contains(rec.Body.String(), "must be sent with POST") {
		t.Fatalf("GET mutation: %d %s", rec.Code, rec.Body.String())
	}
	g.unchanged(before, history)
}
