package boltstore

import (
	"context"
	"fmt"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/storetest"
)

// format1Batch is one batch of the changes that made testdata/format1.db
// (see testdata/gen_format1.go), with the context it was applied in.
type format1Batch struct {
	ctx     context.Context
	changes []rg.Change
}

// format1Clock is the clock the file was written with: each call one
// minute later.
func format1Clock() func() time.Time {
	t := time.Date(2026, 11, 28, 6, 0, 0, 123456789, time.UTC)
	return func() time.Time { t = t.Add(time.Minute); return t }
}

// format1Batches are the batches of testdata/format1.db: every field of
// nodes and relations, updates (whole and partial), a detaching delete, a
// relation deleted and created again, and reasons of the batch and of a
// change.
func format1Batches() []format1Batch {
	editor := storetest.As("alice", rg.RoleEditor, "load the test graph")
	org := storetest.N("org", rg.KindRegion, "Org")
	org.Aliases = []string{"O", "Orgen"}
	org.Description = "a region"
	plan := storetest.N("plan-test", rg.KindPlan, "Plan")
	plan.PlanYear, plan.Adopted = storetest.Int(2020), "2020-01"
	muni := storetest.N("kommune-a", rg.KindMunicipality, "A")
	muni.Number, muni.County = "0301", "Viken"
	muni.Source = rg.Source{Outside: true, Reference: "https://example.no/a"}
	net := storetest.N("net", rg.KindNetwork, "Net")
	net.Field = "IKT"
	fund := storetest.N("fund", rg.KindFund, "Fund")
	fund.Category = "EU-program"
	var nodes []*rg.Node
	nodes = append(nodes, org, plan, muni, net, fund, storetest.FullInitiative("init"), storetest.Partner("lone"))
	for i := range 30 {
		nodes = append(nodes, storetest.Partner(fmt.Sprintf("p-%02d", i)))
	}
	edges := []*rg.Edge{
		storetest.FullEdge("funds", "fund", "init"),
		storetest.E("init-in-plan-plan-test", rg.RelInPlan, "init", "plan-test"),
		storetest.EY("coord", rg.RelCoordinates, "org", "init", nil, storetest.Int(2030)),
		storetest.EY("kommune-a-member-of-org", rg.RelMemberOf, "kommune-a", "org", storetest.Int(2011), nil),
		storetest.E("lone-partner-of-org", rg.RelPartnerOf, "lone", "org"),
	}
	for i := range 30 {
		e := storetest.PartnerOf(fmt.Sprintf("p-%02d-partner-of-org", i), fmt.Sprintf("p-%02d", i), "org")
		e.Role = []string{"", "styre", "pilot"}[i%3]
		edges = append(edges, e)
	}
	g := storetest.Graph{Nodes: nodes, Edges: edges}
	renamed := org.Clone()
	renamed.Name = "Org (renamed)"
	cost := &rg.Node{ID: "init", Kind: rg.KindInitiative, CostNok: storetest.Int64(99)}
	return []format1Batch{
		{editor, g.Changes()},
		{storetest.As("bob", rg.RoleEditor, ""), []rg.Change{
			{Op: rg.OpUpdateNode, Node: renamed},
			{Op: rg.OpUpdateNode, Node: cost, Fields: []string{"costNok"}, Reason: "a change's own reason"},
			{Op: rg.OpUpdateEdge, Edge: storetest.EY("coord", rg.RelCoordinates, "org", "init", storetest.Int(2019), nil)},
		}},
		{storetest.As("carol", rg.RoleAdmin, "clean up"), []rg.Change{
			{Op: rg.OpDeleteNode, ID: "lone", Detach: true},
			{Op: rg.OpDeleteEdge, ID: "p-00-partner-of-org"},
		}},
		{editor, storetest.CreateEdges(storetest.PartnerOf("p-00-partner-of-org", "p-00", "org"))},
	}
}
