package analysis_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/storetest"
)

func chainID(i int) string { return fmt.Sprintf("partner-chain-%04d", i) }

// chainChange adds actor i to the chain, tied to actor i-1.
func chainChange(i int) []rg.Change {
	cs := storetest.CreateNodes(storetest.Partner(chainID(i)))
	if i > 0 {
		cs = append(cs, storetest.CreateEdges(storetest.PartnerOf(fmt.Sprintf("chain-%04d", i), chainID(i-1), chainID(i)))...)
	}
	return cs
}

// TestSharedGraphUnderConcurrentApply: while a writer grows a chain of
// actors one batch at a time, readers ask for the shared actor graph and
// every analysis on it. Each answer is of one state of the graph (a chain:
// n actors, n-1 links, betweenness i(n-1-i) at position i), no reader sees
// the graph shrink, and after the writer stops everyone sees the last
// state. Run with -race to check the sharing itself.
func TestSharedGraphUnderConcurrentApply(t *testing.T) {
	ctx := context.Background()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Apply(ctx, append(chainChange(0), chainChange(1)...)); err != nil {
		t.Fatal(err)
	}
	const batches = 60
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer done.Store(true)
		for i := 2; i < 2+batches; i++ {
			if _, err := s.Apply(ctx, chainChange(i)); err != nil {
				t.Errorf("Apply %d: %v", i, err)
				return
			}
		}
	}()
	check := func(ag *analysis.ActorGraph) (int, error) {
		n := len(ag.Actors)
		if len(ag.Links) != n-1 {
			return n, fmt.Errorf("%d actors and %d links: not a chain", n, len(ag.Links))
		}
		sc, err := analysis.Centrality(ctx, ag)
		if err != nil {
			return n, err
		}
		for i, x := range sc {
			if x.Node.ID != chainID(i) || math.Abs(x.Betweenness-float64(i*(n-1-i))) > 1e-9 {
				return n, fmt.Errorf("chain of %d: %s at %d has betweenness %g, want %d", n, x.Node.ID, i, x.Betweenness, i*(n-1-i))
			}
		}
		p, err := analysis.Communities(ctx, ag, 1)
		if err != nil {
			return n, err
		}
		members := 0
		for _, c := range p.Communities {
			members += len(c.Members)
		}
		if members != n {
			return n, fmt.Errorf("communities hold %d of %d actors", members, n)
		}
		rep, err := analysis.Brokers(ctx, ag, []string{chainID(0)}, []string{chainID(n - 1)})
		if err != nil {
			return n, err
		}
		if rep.ConnectedPairs != 1 || len(rep.Brokers) != n-2 {
			return n, fmt.Errorf("chain of %d: %d brokers between its ends, want %d", n, len(rep.Brokers), n-2)
		}
		return n, nil
	}
	errs := make(chan error, 8)
	var reads, states atomic.Int64
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for !done.Load() {
				ag, err := analysis.LoadActorGraph(ctx, s, nil)
				if err != nil {
					errs <- err
					return
				}
				n, err := check(ag)
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
				if n < last {
					errs <- fmt.Errorf("reader %d saw %d actors after %d", r, n, last)
					return
				}
				if n > last {
					states.Add(1)
				}
				last = n
				reads.Add(1)
				if _, err := analysis.LoadFunding(ctx, s, nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	t.Logf("%d reads saw %d successive states while %d batches were applied", reads.Load(), states.Load(), batches)
	for err := range errs {
		t.Error(err)
	}
	ag, err := analysis.LoadActorGraph(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := check(ag); err != nil || n != 2+batches {
		t.Errorf("after the writer: %d actors (%v), want %d", n, err, 2+batches)
	}
}

// TestCacheFollowsTheStore: an actor graph read through the cache is the
// store's current graph: a change is seen by the next call, the same graph
// is shared until then, and two stores never share one.
func TestCacheFollowsTheStore(t *testing.T) {
	ctx := context.Background()
	open := func() *boltstore.Store {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a, b := open(), open()
	for _, s := range []*boltstore.Store{a, b} {
		if _, err := s.Apply(ctx, append(chainChange(0), chainChange(1)...)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Apply(ctx, chainChange(2)); err != nil {
		t.Fatal(err)
	}
	ga1, _ := analysis.LoadActorGraph(ctx, a, nil)
	ga2, _ := analysis.LoadActorGraph(ctx, a, nil)
	gb, _ := analysis.LoadActorGraph(ctx, b, nil)
	if ga1 != ga2 {
		t.Error("two reads of an unchanged store built the graph twice")
	}
	if len(ga1.Actors) != 2 || len(gb.Actors) != 3 {
		t.Errorf("stores a and b: %d and %d actors, want 2 and 3", len(ga1.Actors), len(gb.Actors))
	}
	y := 2011
	if gy, _ := analysis.LoadActorGraph(ctx, a, &y); gy == ga1 || gy.Year == nil || *gy.Year != 2011 {
		t.Error("the graph of 2011 is the graph of every year")
	}
	if _, err := a.Apply(ctx, chainChange(2)); err != nil {
		t.Fatal(err)
	}
	if g, _ := analysis.LoadActorGraph(ctx, a, nil); len(g.Actors) != 3 {
		t.Errorf("after a change: %d actors, want 3", len(g.Actors))
	}
	// A store that is not versioned is read every time.
	plain := struct{ rg.Store }{a}
	p1, err := analysis.LoadActorGraph(ctx, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := analysis.LoadActorGraph(ctx, plain, nil)
	if p1 == p2 || len(p1.Actors) != 3 {
		t.Errorf("an unversioned store: shared %v, %d actors", p1 == p2, len(p1.Actors))
	}
	// A refusal from the counts, before anything is read.
	if _, err := analysis.LoadActorGraph(ctx, huge{a}, nil); rg.ErrorCode(err) != rg.EBADINPUT || !strings.Contains(rg.ErrorMessage(err), "MaxRelations") {
		t.Errorf("a store with %d relations: %v, want BAD_USER_INPUT naming MaxRelations", analysis.MaxRelations+1, err)
	}
}

// huge claims more relations than MaxRelations and fails any read.
type huge struct{ rg.Store }

func (h huge) GraphVersion(ctx context.Context) (rg.GraphVersion, error) {
	return rg.GraphVersion{Store: 1 << 60, Seq: 1, Relations: analysis.MaxRelations + 1}, nil
}

func (h huge) Subgraph(context.Context, rg.SubgraphFilter) (*rg.Subgraph, error) {
	return nil, errors.New("read the graph despite its counts")
}

// TestCacheCarriesOverUnrelatedChanges: a change the actor graph does not
// read (an initiative's cost, a topic) leaves the shared actor graph, with
// its computed results, in place for the new version, while the funding
// view, which reads them, is read again; a change to an actor or a
// relation the projection reads gives a new actor graph.
func TestCacheCarriesOverUnrelatedChanges(t *testing.T) {
	ctx := context.Background()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Apply(ctx, bundled(t).Changes()); err != nil {
		t.Fatal(err)
	}
	load := func() (*analysis.ActorGraph, *analysis.FundingView) {
		t.Helper()
		ag, err := analysis.LoadActorGraph(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		fv, err := analysis.LoadFunding(ctx, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		return ag, fv
	}
	update := func(id string, change func(n *rg.Node)) {
		t.Helper()
		ns, err := s.Nodes(ctx, []string{id})
		if err != nil || len(ns) != 1 {
			t.Fatalf("node %s: %v", id, err)
		}
		n := ns[0].Clone() // a store's nodes are shared with it: read-only
		change(n)
		if _, err := s.Apply(ctx, []rg.Change{{Op: rg.OpUpdateNode, Node: n}}); err != nil {
			t.Fatal(err)
		}
	}
	var initiative, partner string
	for _, n := range bundled(t).Nodes {
		if n.Kind == rg.KindInitiative && n.CostNok != nil && initiative == "" {
			initiative = n.ID
		}
		if n.Kind == rg.KindPartner && partner == "" {
			partner = n.ID
		}
	}
	ag1, fv1 := load()
	if _, err := analysis.Centrality(ctx, ag1, analysis.PageRank); err != nil {
		t.Fatal(err)
	}
	update(initiative, func(n *rg.Node) { *n.CostNok += 1000 })
	ag2, fv2 := load()
	if ag2 != ag1 {
		t.Error("changing an initiative's cost rebuilt the actor graph")
	}
	if fv2 == fv1 || fv2.Node(initiative).CostNok == nil || *fv2.Node(initiative).CostNok != *fv1.Node(initiative).CostNok+1000 {
		t.Error("the funding view did not follow the initiative's new cost")
	}
	update(partner, func(n *rg.Node) { n.Name += " (renamed)" })
	ag3, _ := load()
	if ag3 == ag2 || !strings.HasSuffix(ag3.Actor(partner).Name, "(renamed)") {
		t.Error("renaming an actor did not give a new actor graph with its name")
	}
	before := len(ag3.Links)
	var a, b string
	for _, x := range ag3.Actors {
		if len(ag3.Neighbours(x.ID)) == 0 || x.Kind != rg.KindPartner {
			continue
		}
		if a == "" {
			a = x.ID
		} else if ag3.Weight(a, x.ID) == 0 {
			b = x.ID
			break
		}
	}
	if _, err := s.Apply(ctx, storetest.CreateEdges(storetest.PartnerOf("new-partnership", a, b))); err != nil {
		t.Fatal(err)
	}
	if ag4, _ := load(); len(ag4.Links) != before+1 || ag4.Weight(a, b) != 1 {
		t.Errorf("a new PARTNER_OF %s–%s: %d links (before %d), weight %g", a, b, len(ag4.Links), before, ag4.Weight(a, b))
	}
}

// summaryText is a summary's buckets, items and exclusions as text, for
// comparing two summaries.
func summaryText(s *analysis.Summary) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "total %d count %d\n", s.TotalNok, s.Count)
	for _, b := range s.Buckets {
		for _, k := range b.Keys {
			fmt.Fprintf(&sb, "%s=%s(%s) ", k.Group, k.ID(), k.Label())
		}
		fmt.Fprintf(&sb, "%d %d:", b.TotalNok, b.SharedNok)
		for _, it := range b.Items {
			fmt.Fprintf(&sb, " %s/%d/%d/%v", it.Initiative.ID, it.Year, it.AmountNok, it.Shared)
			for _, e := range it.Funding {
				fmt.Fprintf(&sb, "<%s %s>", e.ID, e.AsWritten)
			}
		}
		sb.WriteString("\n")
	}
	for _, e := range s.Excluded {
		fmt.Fprintf(&sb, "excluded %s %d %d %s\n", e.Initiative.ID, e.Year, e.AmountNok, e.Reason)
	}
	return sb.String()
}

// TestPatchedAnswersEqualFreshOnes: after changes of every kind (an
// initiative's cost, a new initiative with its funding and area, a deleted
// relation, a renamed topic and actors, a deleted node), the cached graphs
// carried over and patched from the history give the same summaries,
// flows, scores, communities and brokers as graphs read afresh.
func TestPatchedAnswersEqualFreshOnes(t *testing.T) {
	ctx := context.Background()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ds := bundled(t)
	if _, err := s.Apply(ctx, ds.Changes()); err != nil {
		t.Fatal(err)
	}
	groupings := [][]analysis.FundingGroup{{analysis.GroupFund}, {analysis.GroupFunder, analysis.GroupFocusArea}, {analysis.GroupTopic, analysis.GroupYear}}
	years := []*int{nil, intp(2011), intp(2014)}
	warm := func() {
		t.Helper()
		for _, y := range years {
			fv, err := analysis.LoadFunding(ctx, s, y)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range groupings {
				if _, err := fv.Summary(ctx, g); err != nil {
					t.Fatal(err)
				}
			}
			ag, err := analysis.LoadActorGraph(ctx, s, y)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := analysis.Centrality(ctx, ag); err != nil {
				t.Fatal(err)
			}
		}
	}
	compare := func(step string) {
		t.Helper()
		plain := struct{ rg.Store }{s} // not versioned: read afresh
		for _, y := range years {
			got, err := analysis.LoadFunding(ctx, s, y)
			if err != nil {
				t.Fatal(err)
			}
			want, err := analysis.LoadFunding(ctx, plain, y)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range groupings {
				a, err1 := got.Summary(ctx, g)
				b, err2 := want.Summary(ctx, g)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if summaryText(a) != summaryText(b) {
					t.Errorf("%s, year %s, %v: the cached summary differs from a fresh one:\n%s\nfresh:\n%s", step, deref(y), g, summaryText(a), summaryText(b))
				}
			}
			ga, err := analysis.LoadActorGraph(ctx, s, y)
			if err != nil {
				t.Fatal(err)
			}
			gb, err := analysis.LoadActorGraph(ctx, plain, y)
			if err != nil {
				t.Fatal(err)
			}
			sa, _ := analysis.Centrality(ctx, ga)
			sb, _ := analysis.Centrality(ctx, gb)
			for i := range sb {
				if i >= len(sa) || !rg.SameNode(sa[i].Node, sb[i].Node) || sa[i].PageRank != sb[i].PageRank || sa[i].Betweenness != sb[i].Betweenness || sa[i].Degree != sb[i].Degree {
					t.Errorf("%s, year %s: the cached scores differ from fresh ones at %d", step, deref(y), i)
					break
				}
			}
			pa, _ := analysis.Communities(ctx, ga, 1)
			pb, _ := analysis.Communities(ctx, gb, 1)
			if fmt.Sprint(labelsOf(pa)) != fmt.Sprint(labelsOf(pb)) {
				t.Errorf("%s, year %s: cached communities %v, fresh %v", step, deref(y), labelsOf(pa), labelsOf(pb))
			}
		}
		warm()
	}
	warm()
	var init, partner, fundsEdge, topic string
	for _, n := range ds.Nodes {
		switch {
		case n.Kind == rg.KindInitiative && n.CostNok != nil && init == "":
			init = n.ID
		case n.Kind == rg.KindPartner && partner == "":
			partner = n.ID
		case n.Kind == rg.KindTopic && topic == "":
			topic = n.ID
		}
	}
	for _, e := range ds.Edges {
		if e.Kind == rg.RelFunds && fundsEdge == "" {
			fundsEdge = e.ID
		}
	}
	apply := func(cs ...rg.Change) {
		t.Helper()
		if _, err := s.Apply(ctx, cs); err != nil {
			t.Fatal(err)
		}
	}
	get := func(id string) *rg.Node {
		ns, err := s.Nodes(ctx, []string{id})
		if err != nil || len(ns) != 1 {
			t.Fatalf("node %s: %v", id, err)
		}
		return ns[0].Clone() // a store's nodes are shared with it: read-only
	}
	n := get(init)
	*n.CostNok *= 2
	apply(rg.Change{Op: rg.OpUpdateNode, Node: n})
	compare("an initiative's cost")
	p := get(partner)
	p.Name += " (renamed)"
	tp := get(topic)
	tp.Name += " (renamed)"
	apply(rg.Change{Op: rg.OpUpdateNode, Node: p}, rg.Change{Op: rg.OpUpdateNode, Node: tp})
	compare("a partner's and a topic's names")
	y := 2011
	cost := int64(123000)
	newInit := &rg.Node{ID: "tiltak-test-new", Kind: rg.KindInitiative, Name: "New", PlanYear: &y, CostNok: &cost, CostText: "123 000", Source: n.Source}
	apply(rg.Change{Op: rg.OpCreateNode, Node: newInit},
		rg.Change{Op: rg.OpCreateEdge, Edge: &rg.Edge{ID: "funds-new", Kind: rg.RelFunds, From: partner, To: newInit.ID, AsWritten: "P", Source: n.Source}},
		rg.Change{Op: rg.OpCreateEdge, Edge: &rg.Edge{ID: "area-new", Kind: rg.RelInFocusArea, From: newInit.ID, To: "satsingsomrade-1", Source: n.Source}},
		rg.Change{Op: rg.OpDeleteEdge, ID: fundsEdge})
	compare("a new funded initiative and a deleted FUNDS")
	apply(rg.Change{Op: rg.OpDeleteNode, ID: init, Detach: true})
	compare("a deleted initiative")
}

func labelsOf(p *analysis.Partition) []string {
	var out []string
	for _, c := range p.Communities {
		var ids []string
		for _, m := range c.Members {
			ids = append(ids, m.ID+":"+m.Name)
		}
		out = append(out, strings.Join(ids, ","))
	}
	return out
}
