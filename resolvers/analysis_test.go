package resolvers_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

func analysisClient(t *testing.T) *client.Client {
	t.Helper()
	return client.New(gqlhttp.NewHandler(openStore(t, 1), gqlhttp.Options{Logger: slog.New(slog.DiscardHandler)}))
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// wantError posts query and checks that it fails with code and, when
// field is not "", that extension field.
func wantError(t *testing.T, c *client.Client, query, code, field string) {
	t.Helper()
	res, err := c.RawPost(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var errs []gqlError
	if len(res.Errors) > 0 {
		if err := json.Unmarshal(res.Errors, &errs); err != nil {
			t.Fatal(err)
		}
	}
	if len(errs) == 0 {
		t.Fatalf("%s: no error, want %s", query, code)
	}
	if errs[0].Extensions["code"] != code || (field != "" && errs[0].Extensions["field"] != field) {
		t.Errorf("%s: error %q %v, want code %s field %q", query, errs[0].Message, errs[0].Extensions, code, field)
	}
}

func TestNeighbourhoodQuery(t *testing.T) {
	c := analysisClient(t)
	var resp struct {
		Neighbourhood struct {
			Root      struct{ ID string }
			Nodes     []struct{ ID string }
			Relations []struct{ Kind, FromID, ToID string }
			Truncated bool
		}
	}
	c.MustPost(`{ neighbourhood(id: "kommune-tinn", depth: 1, relations: [MEMBER_OF], year: 2011) { root { id } nodes { id } relations { kind fromId toId } truncated } }`, &resp)
	n := resp.Neighbourhood
	if n.Root.ID != "kommune-tinn" || n.Truncated || len(n.Relations) != 1 || n.Relations[0].ToID != "kongsbergregionen" {
		t.Errorf("neighbourhood of Tinn by MEMBER_OF in 2011 = %+v, want Tinn and its one membership of Kongsbergregionen", n)
	}
	c.MustPost(`{ neighbourhood(id: "kongsbergregionen", depth: 2, first: 5) { root { id } nodes { id } relations { kind fromId toId } truncated } }`, &resp)
	if len(resp.Neighbourhood.Nodes) != 5 || !resp.Neighbourhood.Truncated {
		t.Errorf("neighbourhood with first 5 = %d nodes (truncated %v), want 5, truncated", len(resp.Neighbourhood.Nodes), resp.Neighbourhood.Truncated)
	}
	wantError(t, c, `{ neighbourhood(id: "kongsbergregionen", depth: 0) { truncated } }`, "BAD_USER_INPUT", "depth")
	wantError(t, c, `{ neighbourhood(id: "kongsbergregionen", depth: 4) { truncated } }`, "BAD_USER_INPUT", "depth")
	wantError(t, c, `{ neighbourhood(id: "kongsbergregionen", first: 1001) { truncated } }`, "BAD_USER_INPUT", "first")
	wantError(t, c, `{ neighbourhood(id: "no-such-node") { truncated } }`, "NOT_FOUND", "")
}

func TestPathsQuery(t *testing.T) {
	c := analysisClient(t)
	var resp struct {
		Paths []struct {
			Hops  int
			Nodes []struct{ ID string }
			Steps []struct {
				Relation struct{ Kind string }
				Reversed bool
				Source   struct{ Citation string }
			}
		}
	}
	c.MustPost(`{ paths(from: "kommune-tinn", to: "partner-statens-vegvesen", maxHops: 3, year: 2014) { hops nodes { id } steps { relation { kind } reversed source { citation } } } }`, &resp)
	if len(resp.Paths) == 0 {
		t.Fatal("no path from Tinn to Statens vegvesen in 2014")
	}
	p := resp.Paths[0]
	if p.Hops != 2 || len(p.Steps) != 2 || p.Nodes[1].ID != "kongsbergregionen" || p.Steps[0].Relation.Kind != "MEMBER_OF" || p.Steps[0].Reversed || p.Steps[0].Source.Citation == "" {
		t.Errorf("first path = %+v, want Tinn -MEMBER_OF-> Kongsbergregionen -> Statens vegvesen with sources", p)
	}
	wantError(t, c, `{ paths(from: "kommune-tinn", to: "kongsbergregionen", maxHops: 7) { hops } }`, "BAD_USER_INPUT", "maxHops")
	wantError(t, c, `{ paths(from: "kommune-tinn", to: "kongsbergregionen", maxHops: 0) { hops } }`, "BAD_USER_INPUT", "maxHops")
	wantError(t, c, `{ paths(from: "kommune-tinn", to: "kongsbergregionen", first: 101) { hops } }`, "BAD_USER_INPUT", "first")
	wantError(t, c, `{ paths(from: "kommune-tinn", to: "nobody") { hops } }`, "NOT_FOUND", "")
}

type scorePage struct {
	Centrality struct {
		ActorCount, LinkCount, TotalCount int
		Scores                            []struct {
			Actor    struct{ ID string }
			Rank     int
			PageRank float64
			Degree   int
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   string
		}
	}
}

func TestCentralityQuery(t *testing.T) {
	c := analysisClient(t)
	var p1, p2 scorePage
	c.MustPost(`{ centrality(year: 2011, orderBy: PAGERANK, first: 3) { actorCount linkCount totalCount scores { actor { id } rank pageRank degree } pageInfo { hasNextPage endCursor } } }`, &p1)
	s := p1.Centrality
	if len(s.Scores) != 3 || s.TotalCount != s.ActorCount || s.ActorCount == 0 || !s.PageInfo.HasNextPage {
		t.Fatalf("first page = %+v", s)
	}
	for i, sc := range s.Scores {
		if sc.Rank != i+1 || (i > 0 && sc.PageRank > s.Scores[i-1].PageRank) {
			t.Errorf("score %d = %+v: not ranked by PageRank descending", i, sc)
		}
	}
	c.MustPost(`query($after: String) { centrality(year: 2011, orderBy: PAGERANK, first: 3, after: $after) { actorCount linkCount totalCount scores { actor { id } rank pageRank degree } pageInfo { hasNextPage endCursor } } }`, &p2, client.Var("after", s.PageInfo.EndCursor))
	if len(p2.Centrality.Scores) != 3 || p2.Centrality.Scores[0].Rank != 4 || p2.Centrality.Scores[0].PageRank > s.Scores[2].PageRank {
		t.Errorf("second page = %+v, want ranks 4.. continuing the order", p2.Centrality.Scores)
	}
	// The same as the analysis package computes on the dataset directly.
	f, err := analysistest.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	y := 2011
	ag, err := analysis.Project(context.Background(), f.Subgraph(), &y)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := analysis.Centrality(context.Background(), ag)
	if err != nil {
		t.Fatal(err)
	}
	analysis.SortScores(direct, analysis.PageRank, true)
	for i, sc := range s.Scores {
		if direct[i].Node.ID != sc.Actor.ID || math.Abs(direct[i].PageRank-sc.PageRank) > 1e-8 {
			t.Errorf("rank %d = %s %g over GraphQL, %s %g directly", i+1, sc.Actor.ID, sc.PageRank, direct[i].Node.ID, direct[i].PageRank)
		}
	}
	var munis scorePage
	c.MustPost(`{ centrality(kinds: [MUNICIPALITY], orderBy: DEGREE, direction: ASC, first: 100) { actorCount linkCount totalCount scores { actor { id } rank pageRank degree } pageInfo { hasNextPage endCursor } } }`, &munis)
	if munis.Centrality.TotalCount != 8 || len(munis.Centrality.Scores) != 8 {
		t.Errorf("municipalities = %d scores, want the 8 in the dataset", munis.Centrality.TotalCount)
	}
	for i := 1; i < len(munis.Centrality.Scores); i++ {
		if munis.Centrality.Scores[i].Degree < munis.Centrality.Scores[i-1].Degree {
			t.Errorf("DEGREE ASC is not ascending: %+v", munis.Centrality.Scores)
		}
	}
	wantError(t, c, `{ centrality(kinds: [INITIATIVE]) { totalCount } }`, "BAD_USER_INPUT", "kinds[0]")
	wantError(t, c, `{ centrality(first: 0) { totalCount } }`, "BAD_USER_INPUT", "first")
	wantError(t, c, `{ centrality(first: 1001) { totalCount } }`, "BAD_USER_INPUT", "first")
	wantError(t, c, `{ centrality(after: "bm9wZQ") { totalCount } }`, "BAD_USER_INPUT", "after")
}

func TestBrokersQuery(t *testing.T) {
	c := analysisClient(t)
	var resp struct {
		Brokers struct {
			GroupA, GroupB        []struct{ ID string }
			Pairs, ConnectedPairs int
			TotalCount            int
			Brokers               []struct {
				Actor            struct{ ID string }
				CrossBetweenness float64
				Constraint       *float64
			}
		}
	}
	c.MustPost(`{ brokers(between: [{kinds: [MUNICIPALITY], county: "Telemark"}, {ids: ["partner-buskerud-fylkeskommune"]}], year: 2011) {
		groupA { id } groupB { id } pairs connectedPairs totalCount brokers { actor { id } crossBetweenness constraint } } }`, &resp)
	b := resp.Brokers
	var a []string
	for _, x := range b.GroupA {
		a = append(a, x.ID)
	}
	if want := []string{"kommune-hjartdal", "kommune-notodden", "kommune-tinn"}; !slices.Equal(a, want) {
		t.Errorf("group A = %v, want the Telemark municipalities %v", a, want)
	}
	if b.Pairs != 3 || b.ConnectedPairs != 3 || len(b.Brokers) == 0 || b.Brokers[0].Actor.ID != "kongsbergregionen" {
		t.Errorf("brokers = %+v, want 3 connected pairs with Kongsbergregionen the top broker", b)
	}
	for i := 1; i < len(b.Brokers); i++ {
		if b.Brokers[i].CrossBetweenness > b.Brokers[i-1].CrossBetweenness {
			t.Errorf("brokers not ordered by cross betweenness: %+v", b.Brokers)
		}
	}
	wantError(t, c, `{ brokers(between: [{ids: ["kommune-tinn"]}]) { pairs } }`, "BAD_USER_INPUT", "between")
	wantError(t, c, `{ brokers(between: [{ids: ["kommune-tinn"]}, {ids: ["nobody"]}]) { pairs } }`, "BAD_USER_INPUT", "between[1].ids[0]")
	wantError(t, c, `{ brokers(between: [{ids: ["kommune-tinn"]}, {ids: ["tiltak-2011-1-4"]}]) { pairs } }`, "BAD_USER_INPUT", "between[1].ids[0]")
	wantError(t, c, `{ brokers(between: [{ids: ["kommune-tinn"]}, {county: "Nordland"}]) { pairs } }`, "BAD_USER_INPUT", "between[1]")
}

func TestCommunitiesQuery(t *testing.T) {
	c := analysisClient(t)
	var resp struct {
		Communities struct {
			Modularity  float64
			TotalCount  int
			Communities []struct {
				ID      string
				Label   struct{ ID string }
				Size    int
				Members []struct{ ID string }
			}
		}
		Centrality struct{ ActorCount int }
	}
	q := `{ communities(resolution: 1.0, year: 2011, first: 1000) { modularity totalCount communities { id label { id } size members { id } } } centrality(year: 2011) { actorCount } }`
	c.MustPost(q, &resp)
	seen := map[string]bool{}
	for _, cm := range resp.Communities.Communities {
		if cm.ID != cm.Label.ID || cm.Size != len(cm.Members) || cm.Members[0].ID != cm.Label.ID {
			t.Errorf("community %+v: label is not its first (most central) member", cm)
		}
		for _, m := range cm.Members {
			if seen[m.ID] {
				t.Errorf("%s is in two communities", m.ID)
			}
			seen[m.ID] = true
		}
	}
	if len(seen) != resp.Centrality.ActorCount || resp.Communities.Modularity <= 0 {
		t.Errorf("communities cover %d actors (Q %g), want all %d with Q > 0", len(seen), resp.Communities.Modularity, resp.Centrality.ActorCount)
	}
	var again struct {
		Communities struct {
			Communities []struct{ Members []struct{ ID string } }
		}
	}
	c.MustPost(`{ communities(resolution: 1.0, year: 2011, first: 1000) { communities { members { id } } } }`, &again)
	for i, cm := range again.Communities.Communities {
		if len(cm.Members) != resp.Communities.Communities[i].Size {
			t.Errorf("communities differ between two runs")
		}
	}
	wantError(t, c, `{ communities(resolution: 0) { totalCount } }`, "BAD_USER_INPUT", "resolution")
	wantError(t, c, `{ communities(resolution: 11) { totalCount } }`, "BAD_USER_INPUT", "resolution")
	wantError(t, c, `{ communities(first: 0) { totalCount } }`, "BAD_USER_INPUT", "first")
}

func TestFundingQueries(t *testing.T) {
	c := analysisClient(t)
	var resp struct {
		FundingSummary struct {
			TotalNok     int64
			Count        int
			TotalBuckets int
			Buckets      []struct {
				Keys                []struct{ ID, Label string }
				TotalNok, SharedNok int64
				Count               int
				Initiatives         []struct {
					Initiative struct{ ID string }
					AmountNok  int64
					Shared     bool
					Funding    []struct{ AsWritten string }
				}
			}
			Excluded []struct {
				Initiative struct{ ID string }
				Reason     string
			}
		}
		FundingFlows struct {
			TotalNok int64
			Nodes    []struct {
				ID       string
				ValueNok int64
			}
			Links []struct {
				Source, Target string
				ValueNok       int64
			}
		}
	}
	c.MustPost(`{
	  fundingSummary(groupBy: [FUND], year: 2011) { totalNok count totalBuckets buckets { keys { id label } totalNok sharedNok count initiatives { initiative { id } amountNok shared funding { asWritten } } } excluded { initiative { id } reason } }
	  fundingFlows(stages: [FUNDER, FUND], year: 2011) { totalNok nodes { id valueNok } links { source target valueNok } }
	}`, &resp)
	s := resp.FundingSummary
	f, err := analysistest.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	y := 2011
	direct, err := analysis.FundingSummary(context.Background(), f.Subgraph(), []analysis.FundingGroup{analysis.GroupFund}, &y, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.TotalNok != direct.TotalNok || s.TotalBuckets != len(direct.Buckets) || len(s.Excluded) != len(direct.Excluded) {
		t.Errorf("over GraphQL total %d, %d buckets, %d excluded; directly %d, %d, %d", s.TotalNok, s.TotalBuckets, len(s.Excluded), direct.TotalNok, len(direct.Buckets), len(direct.Excluded))
	}
	var sum, shared int64
	for _, b := range s.Buckets {
		var items, sh int64
		for _, it := range b.Initiatives {
			items += it.AmountNok
			if it.Shared {
				sh += it.AmountNok
			}
			if len(it.Funding) == 0 {
				t.Errorf("%s in bucket %s has no funding relation", it.Initiative.ID, b.Keys[0].ID)
			}
		}
		if items != b.TotalNok || sh != b.SharedNok || b.Count != len(b.Initiatives) {
			t.Errorf("bucket %s: total %d shared %d count %d, items add to %d, %d, %d", b.Keys[0].ID, b.TotalNok, b.SharedNok, b.Count, items, sh, len(b.Initiatives))
		}
		sum += b.TotalNok
		shared += b.SharedNok
	}
	if sum <= s.TotalNok || shared == 0 {
		t.Errorf("buckets add to %d (shared %d), total %d: shared costs should be counted in each bucket", sum, shared, s.TotalNok)
	}
	if resp.FundingFlows.TotalNok != s.TotalNok || len(resp.FundingFlows.Links) == 0 {
		t.Errorf("flows total %d with %d links, want %d", resp.FundingFlows.TotalNok, len(resp.FundingFlows.Links), s.TotalNok)
	}
	wantError(t, c, `{ fundingSummary(groupBy: []) { totalNok } }`, "BAD_USER_INPUT", "groupBy")
	wantError(t, c, `{ fundingSummary(groupBy: [FUND, FUND]) { totalNok } }`, "BAD_USER_INPUT", "groupBy[1]")
	wantError(t, c, `{ fundingSummary(groupBy: [FUND, YEAR, TOPIC, FOCUS_AREA]) { totalNok } }`, "BAD_USER_INPUT", "groupBy")
	wantError(t, c, `{ fundingSummary(groupBy: [FUND], first: 0) { totalNok } }`, "BAD_USER_INPUT", "first")
	wantError(t, c, `{ fundingFlows(stages: [FUND]) { totalNok } }`, "BAD_USER_INPUT", "stages")
}

func TestLobbyingBriefQuery(t *testing.T) {
	c := analysisClient(t)
	var resp struct {
		LobbyingBrief struct {
			ID          string
			Title       string
			MarkdownURL string
			Initiatives []struct {
				Initiative struct{ ID string }
				Reasons    []string
			}
			Outside []struct{ ID string }
			Paths   []struct {
				To   struct{ ID string }
				Path struct {
					Hops  int
					Steps []struct{ Source struct{ Citation string } }
				}
			}
			Sources []struct{ Citation string }
		}
	}
	c.MustPost(`{ lobbyingBrief(topic: "sak-e134", year: 2014) { id title markdownUrl initiatives { initiative { id } reasons } outside { id } paths { to { id } path { hops steps { source { citation } } } } sources { citation } } }`, &resp)
	b := resp.LobbyingBrief
	if b.ID != "sak-e134" || b.Title != "E134" || b.MarkdownURL != "/brief/sak-e134.md?year=2014" {
		t.Errorf("brief = %q %q %q", b.ID, b.Title, b.MarkdownURL)
	}
	if len(b.Initiatives) != 1 || b.Initiatives[0].Initiative.ID != "tiltak-2011-2-1" {
		t.Errorf("initiatives = %+v, want 2.1 E134", b.Initiatives)
	}
	if len(b.Outside) != 1 || b.Outside[0].ID != "partner-statens-vegvesen" || len(b.Paths) != 1 || b.Paths[0].Path.Hops != 1 {
		t.Errorf("outside %+v, paths %+v: want Statens vegvesen, one hop away", b.Outside, b.Paths)
	}
	cites := map[string]bool{}
	for _, s := range b.Sources {
		cites[s.Citation] = true
	}
	for _, p := range b.Paths {
		for _, st := range p.Path.Steps {
			if !cites[st.Source.Citation] {
				t.Errorf("path source %q is not among the brief's sources", st.Source.Citation)
			}
		}
	}
	var text struct {
		LobbyingBrief struct {
			Title       string
			Initiatives []struct{ Initiative struct{ Name string } }
		}
	}
	c.MustPost(`{ lobbyingBrief(text: "bredbånd") { title initiatives { initiative { name } } } }`, &text)
	if len(text.LobbyingBrief.Initiatives) == 0 {
		t.Errorf("a brief on the text «bredbånd» lists no initiative")
	}
	for _, bi := range text.LobbyingBrief.Initiatives {
		if bi.Initiative.Name == "" {
			t.Errorf("unnamed initiative in the text brief")
		}
	}
	wantError(t, c, `{ lobbyingBrief { title } }`, "BAD_USER_INPUT", "subject")
	wantError(t, c, `{ lobbyingBrief(topic: "sak-e134", text: "E134") { title } }`, "BAD_USER_INPUT", "subject")
	wantError(t, c, `{ lobbyingBrief(topic: "kommune-tinn") { title } }`, "BAD_USER_INPUT", "topic")
	wantError(t, c, `{ lobbyingBrief(initiative: "nothing-here") { title } }`, "NOT_FOUND", "initiative")
	wantError(t, c, `{ lobbyingBrief(text: "x") { title } }`, "BAD_USER_INPUT", "text")
	if !strings.HasPrefix(b.MarkdownURL, "/brief/") {
		t.Errorf("markdownUrl %q", b.MarkdownURL)
	}
}

// TestLobbyingBriefRankedQuery: the brief on E134 Saggrenda/Gvammen over
// GraphQL totals 0 (the plans give the stretch no money), marks the parent
// topic's initiative, and names Statens vegvesen first among who to talk
// to, with cited reasons and an actor route; asked throughFundsAndPlans,
// it still answers.
func TestLobbyingBriefRankedQuery(t *testing.T) {
	c := analysisClient(t)
	var resp struct {
		LobbyingBrief struct {
			TotalNok, OwnTotalNok int64
			ParentTopics          []struct{ ID string }
			Initiatives           []struct {
				Initiative struct{ ID string }
				Scope      string
				Via        struct{ ID string }
			}
			Actors []struct {
				Actor   struct{ ID string }
				Score   float64
				Scope   string
				Reasons []struct {
					Factor string
					Points float64
					Source struct{ Citation string }
				}
			}
			TalkTo []struct {
				Actor   struct{ ID string }
				Reasons []struct {
					Text   string
					Source struct{ Citation string }
				}
				Route struct {
					Via  string
					Path struct{ Hops int }
				}
			}
		}
	}
	q := `{ lobbyingBrief(topic: "sak-e134-saggrenda-gvammen", year: 2014) { totalNok ownTotalNok parentTopics { id }
		initiatives { initiative { id } scope via { id } }
		actors { actor { id } score scope reasons { factor points source { citation } } }
		talkTo { actor { id } reasons { text source { citation } } route { via path { hops } } } } }`
	c.MustPost(q, &resp)
	b := resp.LobbyingBrief
	if b.TotalNok != 0 || b.OwnTotalNok != 0 {
		t.Errorf("total %d, own %d: want 0", b.TotalNok, b.OwnTotalNok)
	}
	if len(b.ParentTopics) != 1 || b.ParentTopics[0].ID != "sak-e134" {
		t.Errorf("parentTopics = %+v", b.ParentTopics)
	}
	if len(b.Initiatives) == 0 || b.Initiatives[0].Scope != "PARENT_TOPIC" || b.Initiatives[0].Via.ID != "sak-e134" {
		t.Errorf("initiatives = %+v, want the parent's, marked PARENT_TOPIC via sak-e134", b.Initiatives)
	}
	for _, a := range b.Actors {
		var sum float64
		for _, r := range a.Reasons {
			sum += r.Points
			if r.Source.Citation == "" {
				t.Errorf("%s: a %s reason without citation", a.Actor.ID, r.Factor)
			}
		}
		if d := sum - a.Score; d > 1e-6 || d < -1e-6 {
			t.Errorf("%s: score %v, reasons add up to %v", a.Actor.ID, a.Score, sum)
		}
	}
	if len(b.TalkTo) == 0 || b.TalkTo[0].Actor.ID != "partner-statens-vegvesen" || len(b.TalkTo[0].Reasons) == 0 ||
		b.TalkTo[0].Route.Via != "ACTORS" || b.TalkTo[0].Route.Path.Hops != 1 {
		t.Errorf("talkTo = %+v, want Statens vegvesen with reasons and a one-hop actor route", b.TalkTo)
	}
	var wide struct {
		LobbyingBrief struct{ Paths []struct{ Via *string } }
	}
	c.MustPost(`{ lobbyingBrief(topic: "sak-e134", throughFundsAndPlans: true) { paths { via } } }`, &wide)
	if len(wide.LobbyingBrief.Paths) == 0 {
		t.Error("no route with throughFundsAndPlans")
	}
}
