package analysis_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
	"github.com/regiongraph/regiongraph/boltstore"
)

var briefYears = []*int{nil, intp(2011), intp(2014)}

// TestBriefTotalIsTheSumOfItsInitiatives: for every topic and every year
// (all years, 2011, 2014) the brief's total is exactly the sum of the
// amounts of the initiatives it lists, less those the funding rules leave
// out (appendix detail, sub-activities of a counted row), each of which is
// listed too; a brief without initiatives totals 0, never the region's
// whole funding. Its own total leaves out the parent topics' initiatives.
func TestBriefTotalIsTheSumOfItsInitiatives(t *testing.T) {
	ds := bundled(t)
	sg := ds.Subgraph()
	var topics []*rg.Node
	for _, n := range ds.Nodes {
		if n.Kind == rg.KindTopic {
			topics = append(topics, n)
		}
	}
	if len(topics) < 20 {
		t.Fatalf("%d topics in the bundled dataset; the test expects the plans' 20 or more", len(topics))
	}
	empty := 0
	for _, tp := range topics {
		for _, year := range briefYears {
			b, err := analysis.BuildBrief(context.Background(), sg, analysis.Subject{Topic: tp.ID}, year)
			if err != nil {
				t.Fatalf("%s, %s: %v", tp.ID, deref(year), err)
			}
			listed := map[string]analysis.BriefInitiative{}
			var sum, own int64
			for _, bi := range b.Initiatives {
				listed[bi.Initiative.ID] = bi
				if bi.AmountNok != nil {
					sum += *bi.AmountNok
					if bi.Scope != analysis.ScopeParent {
						own += *bi.AmountNok
					}
				}
			}
			for _, ex := range b.Funding.Excluded {
				bi, ok := listed[ex.Initiative.ID]
				if !ok {
					t.Errorf("%s, %s: %s is excluded from a total it is not listed in", tp.ID, deref(year), ex.Initiative.ID)
					continue
				}
				sum -= ex.AmountNok
				if bi.Scope != analysis.ScopeParent {
					own -= ex.AmountNok
				}
			}
			for _, bk := range b.Funding.Buckets {
				for _, it := range bk.Items {
					if _, ok := listed[it.Initiative.ID]; !ok {
						t.Errorf("%s, %s: the funding counts %s, which the brief does not list", tp.ID, deref(year), it.Initiative.ID)
					}
				}
			}
			if b.Funding.TotalNok != sum {
				t.Errorf("%s, %s: total %d NOK, but the %d initiatives listed add up to %d", tp.ID, deref(year), b.Funding.TotalNok, len(b.Initiatives), sum)
			}
			if b.OwnTotalNok != own {
				t.Errorf("%s, %s: own total %d NOK, want %d", tp.ID, deref(year), b.OwnTotalNok, own)
			}
			if len(b.Initiatives) == 0 {
				empty++
				if b.Funding.TotalNok != 0 || len(b.Funding.Buckets) != 0 {
					t.Errorf("%s, %s: no initiatives but a total of %d NOK in %d buckets", tp.ID, deref(year), b.Funding.TotalNok, len(b.Funding.Buckets))
				}
			}
		}
	}
	if empty == 0 {
		t.Error("no brief without initiatives: the test no longer covers the fallback it was written for")
	}
	t.Logf("%d topics × %d years checked; %d briefs list no initiative", len(topics), len(briefYears), empty)
}

// TestBriefIncludesParentAndSubTopics: the brief on a sub-topic includes
// its parent topic's initiatives and actors, marked as the parent's; the
// brief on a parent includes its sub-topics', marked as such.
func TestBriefIncludesParentAndSubTopics(t *testing.T) {
	ds := bundled(t)
	sg := ds.Subgraph()
	b, err := analysis.BuildBrief(context.Background(), sg, analysis.Subject{Topic: "sak-e134-saggrenda-gvammen"}, intp(2014))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.ParentTopics) != 1 || b.ParentTopics[0].ID != "sak-e134" {
		t.Fatalf("parent topics %v, want [sak-e134]", ids(b.ParentTopics))
	}
	svv := b.Actor("partner-statens-vegvesen")
	if svv == nil {
		t.Fatal("Statens vegvesen, concerned with the parent topic E134 in 2014, is not in the brief on Saggrenda–Gvammen")
	}
	if svv.Scope != analysis.ScopeParent {
		t.Errorf("Statens vegvesen has scope %s, want %s", svv.Scope, analysis.ScopeParent)
	}
	var fromParent []string
	for _, bi := range b.Initiatives {
		if bi.Scope == analysis.ScopeParent {
			if bi.Via == nil || bi.Via.ID != "sak-e134" {
				t.Errorf("%s comes in through the parent but via %v", bi.Initiative.ID, bi.Via)
			}
			fromParent = append(fromParent, bi.Initiative.ID)
		}
	}
	if !slices.Contains(fromParent, "tiltak-2011-2-1") {
		t.Errorf("initiatives from the parent topic %v lack the 2011 row E134", fromParent)
	}

	parent, err := analysis.BuildBrief(context.Background(), sg, analysis.Subject{Topic: "sak-jernbane"}, intp(2014))
	if err != nil {
		t.Fatal(err)
	}
	var subs []string
	for _, tp := range parent.Topics[1:] {
		subs = append(subs, tp.ID)
	}
	if !slices.Contains(subs, "sak-kongsbergbanen") {
		t.Errorf("sub-topics of Jernbane %v lack Kongsbergbanen", subs)
	}
	if a := parent.Actor("kongsbergregionen"); a == nil || a.Scope != analysis.ScopeSubTopic {
		t.Errorf("Kongsbergregionen (concerned with Kongsbergbanen in 2014) in the brief on Jernbane: %+v, want scope SUB_TOPIC", a)
	}
}

// TestBriefRanksByRelevance: actors are ordered by their score, the score
// is the sum of its reasons, every reason cites a relation with a source,
// funds are never brokers nor among "who to talk to first", and the road
// authority concerned with E134 outranks partners the region merely keeps
// in touch with.
func TestBriefRanksByRelevance(t *testing.T) {
	ds := bundled(t)
	sg := ds.Subgraph()
	for _, topic := range []string{"sak-e134", "sak-e134-saggrenda-gvammen", "sak-bredband", "sak-fylkesveger"} {
		for _, year := range briefYears {
			b, err := analysis.BuildBrief(context.Background(), sg, analysis.Subject{Topic: topic}, year)
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range b.Actors {
				var sum float64
				for _, r := range a.Reasons {
					sum += r.Points
					if r.Relation == nil || r.Relation.Source == (rg.Source{}) {
						t.Errorf("%s %s: reason %q of %s cites no source", topic, deref(year), r.Text, a.Node.ID)
					} else if !slices.Contains(b.Sources, r.Relation.Source) {
						t.Errorf("%s %s: the source of reason %q is not among the brief's sources", topic, deref(year), r.Text)
					}
				}
				if diff := sum - a.Score; diff > 1e-6 || diff < -1e-6 {
					t.Errorf("%s %s: %s scores %v but its reasons add up to %v", topic, deref(year), a.Node.ID, a.Score, sum)
				}
				if i > 0 && a.Score > b.Actors[i-1].Score {
					t.Errorf("%s %s: %s (%v) ranked below %s (%v)", topic, deref(year), a.Node.ID, a.Score, b.Actors[i-1].Node.ID, b.Actors[i-1].Score)
				}
			}
			for _, br := range b.Brokers {
				if br.Node.Kind == rg.KindFund {
					t.Errorf("%s %s: the fund %s is listed as a broker", topic, deref(year), br.Node.ID)
				}
			}
			for _, c := range b.TalkTo {
				if c.Actor.Node.Kind == rg.KindFund {
					t.Errorf("%s %s: the fund %s is among who to talk to", topic, deref(year), c.Actor.Node.ID)
				}
				if len(c.Reasons) == 0 {
					t.Errorf("%s %s: %s is among who to talk to without a reason", topic, deref(year), c.Actor.Node.ID)
				}
			}
		}
	}
	b, err := analysis.BuildBrief(context.Background(), sg, analysis.Subject{Topic: "sak-e134-saggrenda-gvammen"}, intp(2014))
	if err != nil {
		t.Fatal(err)
	}
	svv, ks := b.Actor("partner-statens-vegvesen"), b.Actor("partner-ks")
	if svv == nil || len(b.TalkTo) == 0 || b.TalkTo[0].Actor.Node.ID != "partner-statens-vegvesen" {
		t.Errorf("who to talk to first on Saggrenda–Gvammen starts with %v, want Statens vegvesen", contactIDs(b.TalkTo))
	}
	if ks != nil && svv != nil && ks.Score >= svv.Score {
		t.Errorf("KS (%v) scores at least Statens vegvesen (%v)", ks.Score, svv.Score)
	}
}

// TestBriefRoutesPreferActors: routes from the region to the outside
// bodies never step through a fund, a plan, a focus area or a strategy
// area unless asked, and a route of actor-to-actor relations is taken when
// there is one.
func TestBriefRoutesPreferActors(t *testing.T) {
	s := bundledStore(t)
	ctx := context.Background()
	forbidden := []rg.Kind{rg.KindFund, rg.KindPlan, rg.KindFocusArea, rg.KindStrategyArea}
	for _, topic := range []string{"sak-e134", "sak-e134-saggrenda-gvammen", "sak-bredband", "sak-fylkesveger", "sak-kollektivtransport"} {
		for _, year := range briefYears {
			b, err := analysis.LoadBrief(ctx, s, analysis.Subject{Topic: topic}, year)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range b.Paths {
				if p.Path == nil {
					continue
				}
				for _, n := range p.Path.Nodes[1 : len(p.Path.Nodes)-1] {
					if slices.Contains(forbidden, n.Kind) {
						t.Errorf("%s %s: the route to %s passes through the %s %s", topic, deref(year), p.To.ID, n.Kind, n.ID)
					}
				}
				if p.Via == analysis.ViaSharedWork {
					direct, err := s.ShortestPaths(ctx, p.From.ID, p.To.ID, rg.PathOptions{MaxHops: analysis.BriefPathHops, Year: year, Kinds: analysis.LobbyKinds, Relations: analysis.ActorRelations})
					if err != nil {
						t.Fatal(err)
					}
					if len(direct) > 0 {
						t.Errorf("%s %s: the route to %s goes through shared work although actor relations reach it", topic, deref(year), p.To.ID)
					}
				}
			}
		}
	}
	b, err := analysis.LoadBrief(ctx, s, analysis.Subject{Topic: "sak-e134"}, intp(2014))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range b.Paths {
		if p.To.ID == "partner-statens-vegvesen" && (p.Path == nil || p.Via != analysis.ViaActors || len(p.Path.Edges) != 1 || p.Path.Edges[0].Kind != rg.RelPartnerOf) {
			t.Errorf("route to Statens vegvesen in 2014: %s", routeText(&p))
		}
	}
}

// TestLobbyingWalkthroughE134SaggrendaGvammen answers, from the brief
// alone, what a lobbyist preparing "E134 Saggrenda–Gvammen into the next
// NTP" asks, and logs the answers for a reviewer (go test -v -run
// Walkthrough ./analysis/).
func TestLobbyingWalkthroughE134SaggrendaGvammen(t *testing.T) {
	s := bundledStore(t)
	b, err := analysis.LoadBrief(context.Background(), s, analysis.Subject{Topic: "sak-e134-saggrenda-gvammen"}, intp(2014))
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + walkthrough(b))
	md := analysis.RenderBrief(b)
	t.Log("\nThe same brief as /brief/sak-e134-saggrenda-gvammen.md?year=2014 serves it:\n\n" + md)
	for _, want := range []string{
		"Topic · as of 2014 · 1 initiatives · total 0 NOK",
		"Part of the wider issue: E134",
		"## Who to talk to first\n\n1. **Statens vegvesen** (Partner, relevance 2.50)\n   - is concerned with E134, the wider issue (CONCERNS) [",
		"   - Route: Kongsbergregionen →PARTNER_OF→ Statens vegvesen [",
		"- In this brief through the parent topic E134\n",
		"| Statens vegvesen | Partner | outside body | 2.50 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown brief lacks %q", want)
		}
	}

	// 1. What does the plan say? The goal, with its source.
	if len(b.Subject.Goals) == 0 || !strings.Contains(b.Subject.Goals[0], "NTP") {
		t.Errorf("the goal %v does not mention NTP", b.Subject.Goals)
	}
	// 2. How much money is in it? Nothing of its own: the total must not
	// be the region's (the bug this brief had: 9 790 000 NOK).
	if b.OwnTotalNok != 0 || b.Funding.TotalNok != 0 {
		t.Errorf("total %d NOK (own %d): the plans give the stretch no money", b.Funding.TotalNok, b.OwnTotalNok)
	}
	// 3. Who to talk to first: the road authority, for a reason the plans give.
	if len(b.TalkTo) == 0 || b.TalkTo[0].Actor.Node.ID != "partner-statens-vegvesen" {
		t.Fatalf("talk to first: %v, want Statens vegvesen first", contactIDs(b.TalkTo))
	}
	first := b.TalkTo[0]
	if first.Path == nil || first.Path.Path == nil || first.Path.Via != analysis.ViaActors {
		t.Errorf("no actor route from the region to Statens vegvesen: %s", routeText(first.Path))
	}
	// 4. The region's own stance is cited.
	region := b.Actor("kongsbergregionen")
	if region == nil || !slices.ContainsFunc(region.Roles, func(r analysis.Role) bool {
		return r.Object.ID == "sak-e134-saggrenda-gvammen" && r.Relation.Source.Quote != ""
	}) {
		t.Error("the brief does not cite the region's priority on Saggrenda–Gvammen")
	}
	// 5. No fund or plan on a route or among the brokers.
	for _, br := range b.Brokers {
		if br.Node.Kind == rg.KindFund {
			t.Errorf("fund %s listed as broker", br.Node.ID)
		}
	}
}

// walkthrough renders the answers a lobbyist looks for in a brief as
// plain text, each fact with its citation.
func walkthrough(b *analysis.Brief) string {
	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	cite := func(s rg.Source) string {
		if s.Outside {
			return "[outside the plans: " + s.Reference + "]"
		}
		return fmt.Sprintf("[%s, %s: «%s»]", s.Plan, s.Section, s.Quote)
	}
	year := "all years"
	if b.Year != nil {
		year = fmt.Sprint(*b.Year)
	}
	p("BRIEF: %s (%s)\n", b.Title, year)
	p("Q: What does the plan say?\n")
	for _, g := range b.Subject.Goals {
		p("   %s %s\n", g, cite(b.Subject.Source))
	}
	for _, t := range b.ParentTopics {
		p("   Part of the wider issue %s %s\n", t.Name, cite(t.Source))
	}
	p("Q: How much money is in it?\n   %d NOK of its own; %d NOK with the parent topic's initiatives (%d initiatives listed)\n", b.OwnTotalNok, b.Funding.TotalNok, len(b.Initiatives))
	for _, bi := range b.Initiatives {
		amount := "no amount"
		if bi.AmountNok != nil {
			amount = fmt.Sprintf("%d NOK", *bi.AmountNok)
		}
		via := ""
		if bi.Via != nil {
			via = " via " + bi.Via.Name
		}
		p("   - %s %s [%s%s], %s: %s %s\n", bi.Initiative.Code, bi.Initiative.Name, bi.Scope, via, amount, strings.Join(bi.Reasons, "; "), cite(bi.Initiative.Source))
	}
	p("Q: Who do I talk to first, and why?\n")
	for i, c := range b.TalkTo {
		p("   %d. %s (%s, score %.2f)\n", i+1, c.Actor.Node.Name, c.Actor.Node.Kind, c.Actor.Score)
		for _, r := range c.Reasons {
			p("      + %.2f %s %s\n", r.Points, r.Text, cite(r.Relation.Source))
		}
		if c.Path != nil {
			p("      route: %s\n", routeText(c.Path))
		}
	}
	p("Q: Everyone involved, by relevance:\n")
	for _, a := range b.Actors {
		side := "outside"
		if a.Home {
			side = "region"
		}
		p("   %6.2f %-40s %-12s %-8s %s\n", a.Score, a.Node.Name, a.Node.Kind, side, a.Scope)
	}
	p("Q: How does the region reach the decision makers?\n")
	for i := range b.Paths {
		p("   %s: %s\n", b.Paths[i].To.Name, routeText(&b.Paths[i]))
	}
	p("Q: Who bridges the region and the outside bodies?\n")
	for _, br := range b.Brokers {
		p("   %s: share %.2f of the routes\n", br.Node.Name, br.Share)
	}
	return sb.String()
}

func routeText(p *analysis.BriefPath) string {
	if p == nil || p.Path == nil {
		return "no route"
	}
	var sb strings.Builder
	sb.WriteString(p.Path.Nodes[0].Name)
	for i, e := range p.Path.Edges {
		arrow := "→"
		if e.From != p.Path.Nodes[i].ID {
			arrow = "←"
		}
		fmt.Fprintf(&sb, " %s%s%s %s", arrow, e.Kind, arrow, p.Path.Nodes[i+1].Name)
	}
	return sb.String() + " (" + p.Via + ")"
}

func contactIDs(cs []analysis.Contact) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Actor.Node.ID)
	}
	return out
}

func ids(ns []*rg.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

// bundledStore is the embedded store holding the bundled dataset.
func bundledStore(t *testing.T) rg.Store {
	t.Helper()
	s, err := boltstore.Open(t.TempDir()+"/brief.db", boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	f, err := analysistest.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), f.Changes()); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTextBriefFindsWhatSearchFinds: a text brief reads the plans as
// search does: "fylkesvei" finds the county-road rows and topics although
// the plans write "fylkesveger" and "FV 40 / FV 37".
func TestTextBriefFindsWhatSearchFinds(t *testing.T) {
	ds := bundled(t)
	b, err := analysis.BuildBrief(context.Background(), ds.Subgraph(), analysis.Subject{Text: "fylkesvei"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(b.Topics, func(n *rg.Node) bool { return n.ID == "sak-fylkesveger" }) {
		t.Errorf("topics %v lack the county roads topic", ids(b.Topics))
	}
	b, err = analysis.BuildBrief(context.Background(), ds.Subgraph(), analysis.Subject{Text: "E 134"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Initiatives) == 0 || b.Initiatives[0].Initiative.ID != "tiltak-2011-2-1" {
		t.Errorf("a brief on «E 134» lists %d initiatives, want the 2011 row E134 first", len(b.Initiatives))
	}
}
