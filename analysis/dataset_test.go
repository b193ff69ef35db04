package analysis_test

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/analysis/analysistest"
)

// planRow is one row of a 2011 table as printed.
type planRow struct {
	code      string // "1.4"; sub-activity lines "5.6b", "5.6c", ...
	cells     []string
	cost      int64 // 0 when the cost cell holds no amount
	hasCost   bool
	financing string
}

var (
	areaHeader = regexp.MustCompile(`^SATSINGSOMRÅDE (\d+):`)
	amountRE   = regexp.MustCompile(`^\d{1,3}([ .]\d{3})*$`)
	htmlTag    = regexp.MustCompile(`<[^>]*>`)
)

// readPlan2011 parses the main tables of data/sources/handlingsplan-2011.txt:
// tab-separated rows under each "SATSINGSOMRÅDE n:" heading, the 6th column
// the cost and the 7th the financing; lines starting with tabs continue the
// row above as its sub-activities (coded b, c, ... after the row's own line,
// as the dataset codes them); the appendix from "VEDLEGG" on is not read.
func readPlan2011(t *testing.T) []planRow {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "data", "sources", "handlingsplan-2011.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []planRow
	area, row, sub := "", "", 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "VEDLEGG") {
			break
		}
		if m := areaHeader.FindStringSubmatch(line); m != nil {
			area = m[1]
			continue
		}
		cells := strings.Split(line, "\t")
		if area == "" || len(cells) < 7 || cells[1] == "Tiltak" {
			continue
		}
		var code string
		if cells[0] != "" {
			row, sub = cells[0], 0
			code = area + "." + row
		} else {
			sub++
			code = area + "." + row + string(rune('a'+sub))
		}
		r := planRow{code: code, cells: cells, financing: strings.TrimSpace(cells[6])}
		if c := strings.TrimSpace(cells[5]); amountRE.MatchString(c) {
			v, err := strconv.ParseInt(strings.NewReplacer(" ", "", ".", "").Replace(c), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			r.cost, r.hasCost = v, true
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) < 30 {
		t.Fatalf("read %d rows from the 2011 plan; the parser is broken", len(rows))
	}
	return rows
}

func bundled(t testing.TB) analysistest.Fixture {
	t.Helper()
	f, err := analysistest.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// initiative2011 finds the dataset initiative of plan year 2011 with code.
// A row line followed by sub-activity lines is coded "<row>a" in the
// dataset when the row itself has sub-activities.
func initiative2011(ds analysistest.Fixture, code string) *rg.Node {
	for _, n := range ds.Nodes {
		if n.Kind == rg.KindInitiative && n.PlanYear != nil && *n.PlanYear == 2011 && n.Code == code {
			return n
		}
	}
	return nil
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestFundingByFund2011MatchesPlanTables: the funding summary by fund for
// 2011 equals, fund by fund, the sum of the costs printed in the plan's
// 2011 tables over the rows whose financing names that fund. Which fund a
// financing cell names is read from the dataset's FUNDS relations of the
// row, each of which must quote that cell as written; the amounts come
// from the plan text. A cost financed by several funds counts whole in
// each.
func TestFundingByFund2011MatchesPlanTables(t *testing.T) {
	ds := bundled(t)
	rows := readPlan2011(t)
	funds := map[string][]*rg.Edge{} // initiative -> FUNDS
	for _, e := range ds.Edges {
		if e.Kind == rg.RelFunds && e.HoldsIn(2011) {
			funds[e.To] = append(funds[e.To], e)
		}
	}
	want := map[string]int64{}
	var wantTotal int64
	costed := 0
	for _, r := range rows {
		if !r.hasCost {
			continue
		}
		costed++
		n := initiative2011(ds, r.code)
		if n == nil {
			t.Errorf("row %s (cost %d) has no initiative in the dataset", r.code, r.cost)
			continue
		}
		if r.financing == "" || len(funds[n.ID]) == 0 {
			t.Errorf("row %s %q: cost %d, financing %q, %d FUNDS relations; want both", r.code, n.Name, r.cost, r.financing, len(funds[n.ID]))
			continue
		}
		wantTotal += r.cost
		seen := map[string]bool{}
		for _, e := range funds[n.ID] {
			if norm(e.AsWritten) != norm(r.financing) {
				t.Errorf("row %s: FUNDS from %s quotes %q, the plan prints %q", r.code, e.From, e.AsWritten, r.financing)
			}
			if !seen[e.From] {
				seen[e.From] = true
				want[e.From] += r.cost
			}
		}
	}
	if costed < 20 {
		t.Fatalf("only %d rows with a cost; the parser is broken", costed)
	}
	y := 2011
	s, err := analysis.FundingSummary(context.Background(), ds.Subgraph(), []analysis.FundingGroup{analysis.GroupFund}, &y, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, b := range s.Buckets {
		got[b.Keys[0].ID()] = b.TotalNok
	}
	if !maps.Equal(got, want) {
		t.Errorf("2011 by fund = %v\nwant (from the plan) %v", got, want)
	}
	if s.TotalNok != wantTotal {
		t.Errorf("2011 total = %d, want %d (each costed row once)", s.TotalNok, wantTotal)
	}
	// The SuksIT appendix repeats IKT Drift, Telefoni and
	// Informasjonssikkerhet and adds eLæring: none of it is in the totals.
	var appendix []string
	for _, e := range s.Excluded {
		if strings.HasPrefix(e.Initiative.Code, "3.") {
			appendix = append(appendix, e.Initiative.Code)
		}
	}
	if len(appendix) < 4 {
		t.Errorf("excluded appendix items = %v, want at least the four with 2011 amounts", appendix)
	}
}

// e134Expected is every initiative the plans tie to E134: those the
// dataset relates by CONCERNS to the topic sak-e134 or one of its parts,
// the 2011 table rows that mention E134 in any cell, and the initiatives
// whose quoted source text mentions it.
func e134Expected(t *testing.T, ds analysistest.Fixture) []string {
	topics := map[string]bool{"sak-e134": true}
	for changed := true; changed; {
		changed = false
		for _, e := range ds.Edges {
			if e.Kind == rg.RelPartOf && topics[e.To] && !topics[e.From] {
				topics[e.From], changed = true, true
			}
		}
	}
	kind := map[string]rg.Kind{}
	for _, n := range ds.Nodes {
		kind[n.ID] = n.Kind
	}
	set := map[string]bool{}
	for _, e := range ds.Edges {
		if e.Kind == rg.RelConcerns && topics[e.To] && kind[e.From] == rg.KindInitiative {
			set[e.From] = true
		}
	}
	mentions := regexp.MustCompile(`(?i)(^|[^\pL\pN])E ?134([^\pL\pN]|$)`)
	for _, r := range readPlan2011(t) {
		if mentions.MatchString(htmlTag.ReplaceAllString(strings.Join(r.cells, " "), " ")) {
			n := initiative2011(ds, r.code)
			if n == nil {
				t.Fatalf("row %s mentions E134 but has no initiative", r.code)
			}
			set[n.ID] = true
		}
	}
	for _, n := range ds.Nodes {
		if n.Kind == rg.KindInitiative && mentions.MatchString(n.Source.Quote) {
			set[n.ID] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// TestBriefE134ListsEveryInitiativeTiedToE134: the brief on the topic E134
// lists exactly the initiatives the plans tie to E134, each source it
// quotes is among the brief's sources, and in 2014 (when Statens vegvesen
// is concerned with E134) it names the road authority as an outside body
// with a path to it from the region.
func TestBriefE134ListsEveryInitiativeTiedToE134(t *testing.T) {
	ds := bundled(t)
	want := e134Expected(t, ds)
	if len(want) == 0 {
		t.Fatal("no initiative tied to E134 in the plans; the derivation is broken")
	}
	for _, year := range []*int{nil, intp(2011), intp(2014)} {
		b, err := analysis.BuildBrief(context.Background(), ds.Subgraph(), analysis.Subject{Topic: "sak-e134"}, year)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, bi := range b.Initiatives {
			got = append(got, bi.Initiative.ID)
			if !slices.Contains(b.Sources, bi.Initiative.Source) {
				t.Errorf("year %v: the source of %s is not in the brief", deref(year), bi.Initiative.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("year %v: brief on E134 lists %v, want %v", deref(year), got, want)
		}
		outside := slices.Contains(b.Outside, "partner-statens-vegvesen")
		if wantOut := year == nil || *year == 2014; outside != wantOut {
			t.Errorf("year %v: Statens vegvesen outside = %v, want %v (its CONCERNS holds in 2014 only)", deref(year), outside, wantOut)
		}
	}
}

func intp(v int) *int { return &v }

func deref(p *int) string {
	if p == nil {
		return "all years"
	}
	return fmt.Sprint(*p)
}
