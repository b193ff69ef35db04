package analysis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
)

// TestProjectRefusesTooManyActors: a graph with more than MaxActors actors
// is refused with BAD_USER_INPUT naming the limit.
func TestProjectRefusesTooManyActors(t *testing.T) {
	sg := &rg.Subgraph{}
	for i := range analysis.MaxActors + 1 {
		sg.Nodes = append(sg.Nodes, &rg.Node{ID: fmt.Sprintf("p-%06d", i), Kind: rg.KindPartner, Name: "p"})
	}
	_, err := analysis.Project(context.Background(), sg, nil)
	if rg.ErrorCode(err) != rg.EBADINPUT || !strings.Contains(rg.ErrorMessage(err), "MaxActors") {
		t.Errorf("Project of %d actors = %v, want BAD_USER_INPUT naming MaxActors", analysis.MaxActors+1, err)
	}
}

// TestProjectRefusesTooManyPairs: an initiative joining so many actors
// that the pairs exceed MaxPairs is refused.
func TestProjectRefusesTooManyPairs(t *testing.T) {
	sg := &rg.Subgraph{Nodes: []*rg.Node{{ID: "big", Kind: rg.KindInitiative, Name: "big"}}}
	n := 3200 // n(n-1)/2 > 5 000 000
	for i := range n {
		id := fmt.Sprintf("m-%05d", i)
		sg.Nodes = append(sg.Nodes, &rg.Node{ID: id, Kind: rg.KindMunicipality, Name: id})
		sg.Edges = append(sg.Edges, &rg.Edge{ID: "e-" + id, Kind: rg.RelParticipatesIn, From: id, To: "big"})
	}
	_, err := analysis.Project(context.Background(), sg, nil)
	if rg.ErrorCode(err) != rg.EBADINPUT || !strings.Contains(rg.ErrorMessage(err), "MaxPairs") {
		t.Errorf("Project = %v, want BAD_USER_INPUT naming MaxPairs", err)
	}
}

// TestCancelledContextStopsAnalyses: every whole-graph analysis returns
// the context's error when the request is gone.
func TestCancelledContextStopsAnalyses(t *testing.T) {
	f, err := analysistest.Replicated(3)
	if err != nil {
		t.Fatal(err)
	}
	sg := f.Subgraph()
	ag, err := analysis.Project(context.Background(), sg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	checks := map[string]error{}
	_, checks["Project"] = analysis.Project(ctx, sg, nil)
	_, checks["Centrality"] = analysis.Centrality(ctx, ag)
	_, checks["Communities"] = analysis.Communities(ctx, ag, 1)
	_, checks["Brokers"] = analysis.Brokers(ctx, ag, []string{"kommune-tinn"}, []string{"partner-statens-vegvesen"})
	_, checks["FundingSummary"] = analysis.FundingSummary(ctx, sg, []analysis.FundingGroup{analysis.GroupFund}, nil, nil)
	_, checks["BuildBrief"] = analysis.BuildBrief(ctx, sg, analysis.Subject{Topic: "sak-e134"}, nil)
	for name, err := range checks {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want context.Canceled", name, err)
		}
	}
	// The graph still answers after a cancelled run.
	if _, err := analysis.Centrality(context.Background(), ag); err != nil {
		t.Errorf("Centrality after a cancelled run: %v", err)
	}
}

// TestClosenessIsGonumHarmonic: closeness equals gonum's network.Harmonic
// over path.DijkstraAllPaths on the hop graph, divided by n-1, on the
// bundled dataset (which is disconnected: some actors have no links).
func TestClosenessIsGonumHarmonic(t *testing.T) {
	ag, err := analysis.Project(context.Background(), bundled(t).Subgraph(), nil)
	if err != nil {
		t.Fatal(err)
	}
	g := simple.NewUndirectedGraph()
	idx := map[string]int64{}
	for i, a := range ag.Actors {
		idx[a.ID] = int64(i)
		g.AddNode(simple.Node(i))
	}
	for _, l := range ag.Links {
		g.SetEdge(simple.Edge{F: simple.Node(idx[l.A]), T: simple.Node(idx[l.B])})
	}
	h := network.Harmonic(g, path.DijkstraAllPaths(g))
	bc := network.Betweenness(g)
	scores, err := analysis.Centrality(context.Background(), ag)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(ag.Actors) - 1)
	isolated := 0
	for _, s := range scores {
		i := idx[s.Node.ID]
		if d := s.Closeness - h[i]/n; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s closeness %g, gonum harmonic/(n-1) %g", s.Node.ID, s.Closeness, h[i]/n)
		}
		if d := s.Betweenness - bc[i]/2; d > 1e-6 || d < -1e-6 {
			t.Errorf("%s betweenness %g, gonum/2 %g", s.Node.ID, s.Betweenness, bc[i]/2)
		}
		if s.Degree == 0 {
			isolated++
		}
	}
	if isolated == 0 {
		t.Log("the dataset's actor graph is connected; the disconnected case is covered by the Years fixture")
	}
}

// TestDeterministic: two runs over the same graph give the same scores,
// communities and funding order.
func TestDeterministic(t *testing.T) {
	sg := bundled(t).Subgraph()
	run := func() string {
		ag, err := analysis.Project(context.Background(), sg, nil)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := analysis.Centrality(context.Background(), ag)
		if err != nil {
			t.Fatal(err)
		}
		p, err := analysis.Communities(context.Background(), ag, 1)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		analysis.SortScores(sc, analysis.Betweenness, true)
		for _, s := range sc {
			fmt.Fprintf(&sb, "%s %v %v %v;", s.Node.ID, s.Betweenness, s.Closeness, s.PageRank)
		}
		for _, c := range p.Communities {
			for _, m := range c.Members {
				fmt.Fprintf(&sb, "%s,", m.ID)
			}
			sb.WriteString("|")
		}
		return sb.String()
	}
	first := run()
	for range 3 {
		if run() != first {
			t.Fatal("two runs gave different answers")
		}
	}
}

// TestGroupNamesWhatIsNotAnActor: a group id that is an initiative is
// refused naming its kind and the field; an unknown one as no actor.
func TestGroupNamesWhatIsNotAnActor(t *testing.T) {
	ds := bundled(t)
	ag, err := analysis.Project(context.Background(), ds.Subgraph(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var initiative string
	for _, n := range ds.Nodes {
		if n.Kind == rg.KindInitiative {
			initiative = n.ID
			break
		}
	}
	_, err = analysis.Group{IDs: []string{"kommune-tinn", initiative}}.Resolve(ag, "between[0]")
	var e *rg.Error
	if !errors.As(err, &e) || e.Field != "between[0].ids[1]" || !strings.Contains(e.Message, "is a Initiative, not an actor") {
		t.Errorf("an initiative in a group: %v, want BAD_USER_INPUT on between[0].ids[1] saying it is an Initiative", err)
	}
	_, err = analysis.Group{IDs: []string{"kommune-nowhere"}}.Resolve(ag, "between[1]")
	if !errors.As(err, &e) || e.Field != "between[1].ids[0]" || !strings.Contains(e.Message, "no actor") {
		t.Errorf("an unknown id in a group: %v, want no actor", err)
	}
}
