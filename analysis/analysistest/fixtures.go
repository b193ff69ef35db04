// Package analysistest holds small hand-built graphs with known answers for
// every analysis, and Run, which checks those answers on graphs read back
// from a Store, so that every store gives the same answers.
package analysistest

import (
	"fmt"
	"slices"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// PlanID is the plan every fixture's source names.
const PlanID = "plan-test"

// Fixture is a hand-built graph.
type Fixture struct {
	Name  string
	Nodes []*rg.Node
	Edges []*rg.Edge
}

// Subgraph returns the fixture as a subgraph, ordered by id, with clones of
// its nodes and relations.
func (f Fixture) Subgraph() *rg.Subgraph {
	sg := &rg.Subgraph{}
	for _, n := range f.Nodes {
		sg.Nodes = append(sg.Nodes, n.Clone())
	}
	for _, e := range f.Edges {
		sg.Edges = append(sg.Edges, e.Clone())
	}
	slices.SortFunc(sg.Nodes, func(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(sg.Edges, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
	return sg
}

// Changes returns the upserts that load the fixture into a store.
func (f Fixture) Changes() []rg.Change {
	var cs []rg.Change
	for _, n := range f.Nodes {
		cs = append(cs, rg.Change{Op: rg.OpUpsertNode, Node: n.Clone()})
	}
	for _, e := range f.Edges {
		cs = append(cs, rg.Change{Op: rg.OpUpsertEdge, Edge: e.Clone()})
	}
	return cs
}

func src() rg.Source { return rg.Source{Plan: PlanID, Section: "test"} }

func plan() *rg.Node {
	y := 2011
	return &rg.Node{ID: PlanID, Kind: rg.KindPlan, Name: "Test plan", PlanYear: &y, Source: src()}
}

func node(id string, kind rg.Kind) *rg.Node {
	return &rg.Node{ID: id, Kind: kind, Name: strings.ToUpper(id[:1]) + id[1:], Source: src()}
}

func edge(kind rg.RelKind, from, to string) *rg.Edge {
	return &rg.Edge{ID: from + "-" + strings.ReplaceAll(strings.ToLower(string(kind)), "_", "-") + "-" + to, Kind: kind, From: from, To: to, Source: src()}
}

func intp(v int) *int { return &v }

func leaf(i int) string { return fmt.Sprintf("star-leaf-%02d", i) }

// Star is a region (the centre) with n-1 member municipalities (MEMBER_OF
// leaf -> centre).
func Star(n int) Fixture {
	f := Fixture{Name: "star", Nodes: []*rg.Node{plan(), node("star-centre", rg.KindRegion)}}
	for i := 1; i < n; i++ {
		f.Nodes = append(f.Nodes, node(leaf(i), rg.KindMunicipality))
		f.Edges = append(f.Edges, edge(rg.RelMemberOf, leaf(i), "star-centre"))
	}
	return f
}

// StarCentre and StarLeaf name the nodes of Star; StarOld is the region
// only Years has.
const (
	StarCentre = "star-centre"
	StarOld    = "star-old"
)

// StarLeaf is the id of the i-th leaf (1-based) of Star.
func StarLeaf(i int) string { return leaf(i) }

// Years is Star(n) with two dated relations: leaf 1 and leaf 2 are
// partners from 2030 on (no end), and leaf 1 was a member of the region
// star-old until 2010 (no start). In 2011 neither holds.
func Years(n int) Fixture {
	f := Star(n)
	f.Name = "years"
	f.Nodes = append(f.Nodes, node(StarOld, rg.KindRegion))
	later := edge(rg.RelPartnerOf, leaf(1), leaf(2))
	later.FromYear = intp(2030)
	earlier := edge(rg.RelMemberOf, leaf(1), StarOld)
	earlier.ToYear = intp(2010)
	f.Edges = append(f.Edges, later, earlier)
	return f
}

// PathNode is the id of the i-th node (0-based) of Path.
func PathNode(i int) string { return fmt.Sprintf("path-%02d", i) }

// Path is n partners in a chain joined by PARTNER_OF.
func Path(n int) Fixture {
	f := Fixture{Name: "path", Nodes: []*rg.Node{plan()}}
	for i := range n {
		f.Nodes = append(f.Nodes, node(PathNode(i), rg.KindPartner))
		if i > 0 {
			f.Edges = append(f.Edges, edge(rg.RelPartnerOf, PathNode(i-1), PathNode(i)))
		}
	}
	return f
}

// CliqueA and CliqueB are the ids of the i-th member (1-based) of the two
// cliques of Barbell; Broker is the actor between them.
func CliqueA(i int) string { return fmt.Sprintf("bar-a-%d", i) }
func CliqueB(i int) string { return fmt.Sprintf("bar-b-%d", i) }

const Broker = "bar-broker"

// Barbell is two cliques of k municipalities, each clique made by one
// initiative all of its members take part in (PARTICIPATES_IN), joined by
// one broker (a partner) that is PARTNER_OF the first member of each.
func Barbell(k int) Fixture {
	f := Fixture{Name: "barbell", Nodes: []*rg.Node{plan(), node(Broker, rg.KindPartner), node("bar-init-a", rg.KindInitiative), node("bar-init-b", rg.KindInitiative)}}
	for i := 1; i <= k; i++ {
		for _, m := range []struct{ id, init string }{{CliqueA(i), "bar-init-a"}, {CliqueB(i), "bar-init-b"}} {
			n := node(m.id, rg.KindMunicipality)
			n.County = "Telemark"
			if strings.HasPrefix(m.id, "bar-b") {
				n.County = "Buskerud"
			}
			f.Nodes = append(f.Nodes, n)
			f.Edges = append(f.Edges, edge(rg.RelParticipatesIn, m.id, m.init))
		}
	}
	f.Edges = append(f.Edges, edge(rg.RelPartnerOf, Broker, CliqueA(1)), edge(rg.RelPartnerOf, Broker, CliqueB(1)))
	return f
}

func initiative(id string, cost int64, planYear int) *rg.Node {
	n := node(id, rg.KindInitiative)
	n.PlanYear = intp(planYear)
	n.Code = strings.TrimPrefix(id, "fu-")
	if cost > 0 {
		n.CostNok = &cost
		n.CostText = fmt.Sprint(cost)
	}
	return n
}

func during(e *rg.Edge, from, to int) *rg.Edge {
	e.FromYear, e.ToYear = intp(from), intp(to)
	return e
}

// Funding is a small funding graph with known totals (see checkFunding):
//
//	fu-i1  100 (2011)  funds fu-f1 and fu-f2 (shared)  area fu-fa1  topic fu-t
//	fu-i2   50 (2011)  fu-f2                           fu-fa2
//	fu-i3    – (2011)  no funds                        fu-fa1   topic fu-t (a parent without cost)
//	fu-i3a  30 (2011)  region fu-r pays directly       fu-fa1   PART_OF fu-i3 (inherits topic fu-t)
//	fu-i3b  20 (2011)  no funds                        fu-fa1   PART_OF fu-i3 (inherits topic fu-t)
//	fu-i4   40 (2011)  fu-f2, no area, PART_OF fu-i3, OVERLAPS fu-i2: appendix, excluded
//	fu-i5   2011: 10, 2012: 15  fu-f1 (2011–2012)       fu-fa2
//	fu-i6 1000 (2014)  fu-f1 (2014 only)               fu-fa2
//	fu-i7   60 (2011)  fu-f2                           fu-fa2
//	fu-i7a   5 (2011)  fu-f2                           fu-fa2   PART_OF fu-i7 (counted in fu-i7): excluded
//
// fu-f1 is administered by partners fu-p1 and fu-p2; fu-f2 by nobody.
func Funding() Fixture {
	f := Fixture{Name: "funding", Nodes: []*rg.Node{plan(),
		node("fu-f1", rg.KindFund), node("fu-f2", rg.KindFund), node("fu-r", rg.KindRegion),
		node("fu-p1", rg.KindPartner), node("fu-p2", rg.KindPartner),
		node("fu-fa1", rg.KindFocusArea), node("fu-fa2", rg.KindFocusArea), node("fu-t", rg.KindTopic),
		initiative("fu-i1", 100, 2011), initiative("fu-i2", 50, 2011), initiative("fu-i3", 0, 2011),
		initiative("fu-i3a", 30, 2011), initiative("fu-i3b", 20, 2011), initiative("fu-i4", 40, 2011),
		initiative("fu-i5", 0, 2011), initiative("fu-i6", 1000, 2014), initiative("fu-i7", 60, 2011),
		initiative("fu-i7a", 5, 2011),
	}}
	for _, n := range f.Nodes {
		if n.ID == "fu-i5" {
			n.YearlyAmounts = []rg.YearAmount{{Year: 2011, AmountNok: 10}, {Year: 2012, AmountNok: 15}}
		}
	}
	f.Edges = []*rg.Edge{
		edge(rg.RelAdministers, "fu-p1", "fu-f1"), edge(rg.RelAdministers, "fu-p2", "fu-f1"),
		during(edge(rg.RelFunds, "fu-f1", "fu-i1"), 2011, 2011), during(edge(rg.RelFunds, "fu-f2", "fu-i1"), 2011, 2011),
		edge(rg.RelInFocusArea, "fu-i1", "fu-fa1"), edge(rg.RelConcerns, "fu-i1", "fu-t"),
		during(edge(rg.RelFunds, "fu-f2", "fu-i2"), 2011, 2011), edge(rg.RelInFocusArea, "fu-i2", "fu-fa2"),
		edge(rg.RelInFocusArea, "fu-i3", "fu-fa1"), edge(rg.RelConcerns, "fu-i3", "fu-t"),
		edge(rg.RelPartOf, "fu-i3a", "fu-i3"), during(edge(rg.RelFunds, "fu-r", "fu-i3a"), 2011, 2011), edge(rg.RelInFocusArea, "fu-i3a", "fu-fa1"),
		edge(rg.RelPartOf, "fu-i3b", "fu-i3"), edge(rg.RelInFocusArea, "fu-i3b", "fu-fa1"),
		edge(rg.RelPartOf, "fu-i4", "fu-i3"), during(edge(rg.RelFunds, "fu-f2", "fu-i4"), 2011, 2011), edge(rg.RelOverlaps, "fu-i4", "fu-i2"),
		during(edge(rg.RelFunds, "fu-f1", "fu-i5"), 2011, 2012), edge(rg.RelInFocusArea, "fu-i5", "fu-fa2"),
		during(edge(rg.RelFunds, "fu-f1", "fu-i6"), 2014, 2014), edge(rg.RelInFocusArea, "fu-i6", "fu-fa2"),
		during(edge(rg.RelFunds, "fu-f2", "fu-i7"), 2011, 2011), edge(rg.RelInFocusArea, "fu-i7", "fu-fa2"),
		edge(rg.RelPartOf, "fu-i7a", "fu-i7"), edge(rg.RelInFocusArea, "fu-i7a", "fu-fa2"), during(edge(rg.RelFunds, "fu-f2", "fu-i7a"), 2011, 2011),
	}
	return f
}
