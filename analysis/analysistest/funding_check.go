package analysistest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
)

func summary(t *testing.T, load Loader, groupBy []analysis.FundingGroup, year *int) *analysis.Summary {
	t.Helper()
	sg := load(t, Funding(), rg.SubgraphFilter{Kinds: analysis.FundingKinds, Relations: analysis.FundingRelations, Year: year})
	s, err := analysis.FundingSummary(context.Background(), sg, groupBy, year, nil)
	if err != nil {
		t.Fatalf("FundingSummary(%v, %v): %v", groupBy, deref(year), err)
	}
	return s
}

// totals renders buckets as "key/key=total" (shared part in brackets).
func totals(s *analysis.Summary) map[string]string {
	m := map[string]string{}
	for _, b := range s.Buckets {
		var ks []string
		for _, k := range b.Keys {
			id := k.ID()
			if id == "" {
				id = "none"
			}
			ks = append(ks, id)
		}
		m[strings.Join(ks, "/")] = fmt.Sprintf("%d[%d]", b.TotalNok, b.SharedNok)
	}
	return m
}

// checkFunding: the totals of the Funding fixture, derived by hand in its
// documentation: a shared cost counts whole in each bucket, appendix
// detail and parts of a counted row are excluded, sub-activities inherit
// their parent's area, and a missing key goes to "(none)".
func checkFunding(t *testing.T, load Loader) {
	y2011 := intp(2011)
	for _, c := range []struct {
		groupBy []analysis.FundingGroup
		year    *int
		total   int64
		want    map[string]string
	}{
		{[]analysis.FundingGroup{analysis.GroupFund}, y2011, 270, map[string]string{
			"fu-f1": "110[100]", "fu-f2": "210[100]", "fu-r": "30[0]", "none": "20[0]"}},
		{[]analysis.FundingGroup{analysis.GroupFunder}, y2011, 270, map[string]string{
			"fu-p1": "110[110]", "fu-p2": "110[110]", "fu-f2": "210[100]", "fu-r": "30[0]", "none": "20[0]"}},
		{[]analysis.FundingGroup{analysis.GroupFocusArea}, y2011, 270, map[string]string{
			"fu-fa1": "150[0]", "fu-fa2": "120[0]"}},
		{[]analysis.FundingGroup{analysis.GroupTopic}, y2011, 270, map[string]string{
			"fu-t": "150[0]", "none": "120[0]"}},
		{[]analysis.FundingGroup{analysis.GroupYear}, nil, 1285, map[string]string{
			"2011": "270[0]", "2012": "15[0]", "2014": "1000[0]"}},
		{[]analysis.FundingGroup{analysis.GroupFund, analysis.GroupFocusArea}, y2011, 270, map[string]string{
			"fu-f1/fu-fa1": "100[100]", "fu-f1/fu-fa2": "10[0]", "fu-f2/fu-fa1": "100[100]",
			"fu-f2/fu-fa2": "110[0]", "fu-r/fu-fa1": "30[0]", "none/fu-fa1": "20[0]"}},
		{[]analysis.FundingGroup{analysis.GroupFund}, intp(2014), 1000, map[string]string{"fu-f1": "1000[0]"}},
		{[]analysis.FundingGroup{analysis.GroupFund}, intp(2012), 15, map[string]string{"fu-f1": "15[0]"}},
	} {
		s := summary(t, load, c.groupBy, c.year)
		if got := totals(s); s.TotalNok != c.total || !maps.Equal(got, c.want) {
			t.Errorf("%v in %v: total %d, buckets %v; want %d, %v", c.groupBy, deref(c.year), s.TotalNok, got, c.total, c.want)
		}
	}
	s := summary(t, load, []analysis.FundingGroup{analysis.GroupFund}, y2011)
	var ex []string
	for _, e := range s.Excluded {
		counted := ""
		if e.CountedAs != nil {
			counted = e.CountedAs.ID
		}
		ex = append(ex, fmt.Sprintf("%s:%d:%s", e.Initiative.ID, e.AmountNok, counted))
	}
	if want := []string{"fu-i4:40:fu-i2", "fu-i7a:5:fu-i7"}; !slices.Equal(ex, want) {
		t.Errorf("excluded = %v, want %v", ex, want)
	}
	// The largest bucket comes first; the shared item is flagged in both.
	if s.Buckets[0].Keys[0].ID() != "fu-f2" {
		t.Errorf("first bucket = %s, want fu-f2", s.Buckets[0].Keys[0].ID())
	}
	for _, b := range s.Buckets {
		for _, it := range b.Items {
			if want := it.Initiative.ID == "fu-i1"; it.Shared != want {
				t.Errorf("bucket %s: %s shared = %v, want %v", b.Keys[0].ID(), it.Initiative.ID, it.Shared, want)
			}
		}
	}
}

// checkFlows: the Funding fixture from funder to fund in 2011. Each node
// carries its items once; a link carries each of its items once.
func checkFlows(t *testing.T, load Loader) {
	y := intp(2011)
	sg := load(t, Funding(), rg.SubgraphFilter{Kinds: analysis.FundingKinds, Relations: analysis.FundingRelations, Year: y})
	f, err := analysis.FundingFlows(context.Background(), sg, []analysis.FundingGroup{analysis.GroupFunder, analysis.GroupFund}, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]int64{}
	for _, n := range f.Nodes {
		nodes[n.ID] = n.ValueNok
	}
	wantNodes := map[string]int64{
		"0:FUNDER:fu-p1": 110, "0:FUNDER:fu-p2": 110, "0:FUNDER:fu-f2": 210, "0:FUNDER:fu-r": 30, "0:FUNDER:": 20,
		"1:FUND:fu-f1": 110, "1:FUND:fu-f2": 210, "1:FUND:fu-r": 30, "1:FUND:": 20,
	}
	if !maps.Equal(nodes, wantNodes) {
		t.Errorf("flow nodes = %v, want %v", nodes, wantNodes)
	}
	links := map[string]string{}
	for _, l := range f.Links {
		links[l.Source+">"+l.Target] = fmt.Sprintf("%d%v", l.ValueNok, l.Initiatives)
	}
	wantLinks := map[string]string{
		"0:FUNDER:fu-p1>1:FUND:fu-f1": "110[fu-i1 fu-i5]", "0:FUNDER:fu-p2>1:FUND:fu-f1": "110[fu-i1 fu-i5]",
		"0:FUNDER:fu-f2>1:FUND:fu-f2": "210[fu-i1 fu-i2 fu-i7]", "0:FUNDER:fu-r>1:FUND:fu-r": "30[fu-i3a]",
		"0:FUNDER:>1:FUND:": "20[fu-i3b]",
	}
	if !maps.Equal(links, wantLinks) || f.TotalNok != 270 {
		t.Errorf("flow links = %v (total %d), want %v (270)", links, f.TotalNok, wantLinks)
	}
}
