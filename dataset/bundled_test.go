package dataset_test

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/dataset"
)

func TestBundledDataset(t *testing.T) {
	ds := mustBundled(t)
	ix := newIndex(ds)

	t.Run("parses with every node and relation valid and joinable", func(t *testing.T) {
		if len(ds.Nodes) == 0 || len(ds.Edges) == 0 {
			t.Fatalf("empty dataset: %d nodes, %d relations", len(ds.Nodes), len(ds.Edges))
		}
		ids := map[string]bool{}
		for _, e := range ds.Edges {
			if err := e.Validate(); err != nil {
				t.Errorf("relation %s: %v", e.ID, err)
			}
			if ids[e.ID] {
				t.Errorf("relation id %s twice", e.ID)
			}
			ids[e.ID] = true
			from, to := ix.nodes[e.From], ix.nodes[e.To]
			if from == nil || to == nil {
				t.Errorf("relation %s dangles", e.ID)
				continue
			}
			if err := regiongraph.CheckEndpoints(e.Kind, from.Kind, to.Kind); err != nil {
				t.Errorf("relation %s: %v", e.ID, err)
			}
		}
		for _, n := range ds.Nodes {
			if err := n.Validate(); err != nil {
				t.Errorf("node %s: %v", n.ID, err)
			}
		}
	})

	t.Run("every source quotes its plan as printed or is an outside reference", func(t *testing.T) {
		texts := map[string]string{}
		for id := range planFiles {
			texts[id] = normalize(planText(t, id))
		}
		check := func(what string, s regiongraph.Source) {
			if s.Outside {
				if strings.TrimSpace(s.Reference) == "" {
					t.Errorf("%s: outside source without reference", what)
				}
				return
			}
			p := ix.nodes[s.Plan]
			if p == nil || p.Kind != regiongraph.KindPlan {
				t.Errorf("%s: source.plan %q is not a Plan node", what, s.Plan)
				return
			}
			if strings.TrimSpace(s.Section) == "" {
				t.Errorf("%s: source without section", what)
			}
			q := normalize(s.Quote)
			if q == "" {
				t.Errorf("%s: source without quote", what)
				return
			}
			if !strings.Contains(texts[s.Plan], q) {
				t.Errorf("%s: quote %q does not occur in %s", what, s.Quote, s.Plan)
			}
		}
		for _, n := range ds.Nodes {
			check("node "+n.ID, n.Source)
		}
		for _, e := range ds.Edges {
			check("relation "+e.ID, e.Source)
		}
	})

	t.Run("every goal and activity occurs in the plan the node cites", func(t *testing.T) {
		texts := map[string]string{}
		for id := range planFiles {
			texts[id] = normalize(planText(t, id))
		}
		for _, n := range ds.Nodes {
			if len(n.Goals)+len(n.Activities) == 0 {
				continue
			}
			if n.Source.Outside {
				t.Errorf("node %s: goals or activities without a plan source", n.ID)
				continue
			}
			for _, s := range slices.Concat(n.Goals, n.Activities) {
				if !strings.Contains(texts[n.Source.Plan], normalize(s)) {
					t.Errorf("node %s: %q does not occur in %s", n.ID, s, n.Source.Plan)
				}
			}
		}
	})

	t.Run("round trips through Encode", func(t *testing.T) {
		b, err := dataset.Encode(ds)
		if err != nil {
			t.Fatal(err)
		}
		again, err := dataset.ParseBytes(b, "encoded.yaml")
		if err != nil {
			t.Fatalf("encoded dataset does not parse: %v", err)
		}
		if !reflect.DeepEqual(ds, again) {
			for i := range min(len(ds.Nodes), len(again.Nodes)) {
				if !reflect.DeepEqual(ds.Nodes[i], again.Nodes[i]) {
					t.Errorf("node %d differs:\n%+v\n%+v", i, ds.Nodes[i], again.Nodes[i])
					break
				}
			}
			for i := range min(len(ds.Edges), len(again.Edges)) {
				if !reflect.DeepEqual(ds.Edges[i], again.Edges[i]) {
					t.Errorf("relation %d differs:\n%+v\n%+v", i, ds.Edges[i], again.Edges[i])
					break
				}
			}
			t.Fatalf("Parse(Encode(ds)) != ds (%d/%d nodes, %d/%d relations)", len(ds.Nodes), len(again.Nodes), len(ds.Edges), len(again.Edges))
		}
		b2, err := dataset.Encode(again)
		if err != nil || string(b2) != string(b) {
			t.Fatalf("Encode is not stable (err %v)", err)
		}
	})

	t.Run("changes upsert every node before every relation", func(t *testing.T) {
		cs := ds.Changes()
		if len(cs) != len(ds.Nodes)+len(ds.Edges) {
			t.Fatalf("%d changes for %d nodes and %d relations", len(cs), len(ds.Nodes), len(ds.Edges))
		}
		for i, c := range cs {
			if i < len(ds.Nodes) {
				if c.Op != regiongraph.OpUpsertNode || c.Node == nil || c.Node.ID != ds.Nodes[i].ID {
					t.Fatalf("change %d: %+v", i, c)
				}
			} else if c.Op != regiongraph.OpUpsertEdge || c.Edge == nil || c.Edge.ID != ds.Edges[i-len(ds.Nodes)].ID {
				t.Fatalf("change %d: %+v", i, c)
			}
		}
	})

	t.Run("plans, region, focus areas and strategy areas exist", func(t *testing.T) {
		p := ix.nodes["plan-2011"]
		if p == nil || p.Kind != regiongraph.KindPlan || p.Adopted != "2011-03-01" || p.PlanYear == nil || *p.PlanYear != 2011 ||
			!strings.Contains(p.Description, "Jan Erik Innvær") {
			t.Errorf("plan-2011: %+v", p)
		}
		if p := ix.nodes["plan-2014"]; p == nil || p.Kind != regiongraph.KindPlan || p.PlanYear == nil || *p.PlanYear != 2014 {
			t.Errorf("plan-2014: %+v", p)
		}
		if r := ix.nodes["kongsbergregionen"]; r == nil || r.Kind != regiongraph.KindRegion || !slices.Contains(r.Aliases, "Regionrådet") {
			t.Errorf("kongsbergregionen: %+v", r)
		}
		names := []string{"", "Tilrettelegging for næringsutvikling og arbeidsplasser", "Kommunikasjon / infrastruktur / samferdsel",
			"Steds- og områdeutvikling", "Kunnskapsutvikling", "Tjenesteutvikling"}
		for i := 1; i <= 5; i++ {
			f := ix.nodes[fmt.Sprintf("satsingsomrade-%d", i)]
			if f == nil || f.Kind != regiongraph.KindFocusArea || f.Code != strconv.Itoa(i) || f.Name != names[i] {
				t.Errorf("focus area %d: %+v", i, f)
			}
		}
		for _, n := range ds.Nodes {
			if n.Kind != regiongraph.KindStrategyArea {
				continue
			}
			fa := "satsingsomrade-" + strings.Split(n.Code, ".")[0]
			if !ix.has(n.ID, regiongraph.RelPartOf, fa) {
				t.Errorf("strategy area %s (%s) is not PART_OF %s", n.ID, n.Code, fa)
			}
		}
	})

	t.Run("2014 initiatives A to K exist with their focus areas", func(t *testing.T) {
		fa := map[string]int{"A": 1, "B": 2, "C": 3, "D": 5, "E": 5, "F": 5, "G": 5, "H": 5, "I": 5, "J": 5, "K": 5}
		for code, area := range fa {
			id := "tiltak-2014-" + strings.ToLower(code)
			n := ix.nodes[id]
			if n == nil || n.Kind != regiongraph.KindInitiative || n.Code != code || n.PlanYear == nil || *n.PlanYear != 2014 || len(n.Goals) == 0 {
				t.Errorf("%s: %+v", id, n)
				continue
			}
			if !ix.has(id, regiongraph.RelInFocusArea, fmt.Sprintf("satsingsomrade-%d", area)) || !ix.has(id, regiongraph.RelInPlan, "plan-2014") {
				t.Errorf("%s: not IN_FOCUS_AREA %d and IN_PLAN plan-2014", id, area)
			}
			if got := len(ix.outOf(id, regiongraph.RelInFocusArea)); got != 1 {
				t.Errorf("%s: %d focus areas", id, got)
			}
		}
		for _, id := range []string{"tiltak-2014-c", "tiltak-2014-d"} {
			if !ix.has(id, regiongraph.RelRelevantFor, "satsingsomrade-4") {
				t.Errorf("%s is not RELEVANT_FOR satsingsomrade-4", id)
			}
		}
	})

	t.Run("member municipalities exist with outside sources", func(t *testing.T) {
		members := map[string]int{"Flesberg": 2005, "Hjartdal": 2005, "Kongsberg": 2005, "Nore og Uvdal": 2005,
			"Notodden": 2005, "Rollag": 2005, "Tinn": 2005, "Sigdal": 2020}
		found := map[string]bool{}
		for _, n := range ds.Nodes {
			if n.Kind != regiongraph.KindMunicipality {
				continue
			}
			from, ok := members[n.Name]
			if !ok {
				t.Errorf("unexpected municipality %q", n.Name)
				continue
			}
			found[n.Name] = true
			if !n.Source.Outside || n.Source.Reference == "" || (n.County != "Buskerud" && n.County != "Telemark") {
				t.Errorf("%s: source %+v, county %q", n.ID, n.Source, n.County)
			}
			ok = false
			for _, e := range ix.outOf(n.ID, regiongraph.RelMemberOf) {
				if e.To == "kongsbergregionen" && e.FromYear != nil && *e.FromYear == from && e.ToYear == nil && e.Source.Outside {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s is not MEMBER_OF kongsbergregionen from %d with an outside source", n.ID, from)
			}
		}
		if len(found) != len(members) {
			t.Errorf("municipalities found: %v", found)
		}
	})

	t.Run("PLOM and the health and care network are kept apart", func(t *testing.T) {
		a, b := ix.nodes["nettverk-plom"], ix.nodes["nettverk-helse-og-omsorg"]
		if a == nil || b == nil || a.Kind != regiongraph.KindNetwork || b.Kind != regiongraph.KindNetwork {
			t.Fatalf("%+v %+v", a, b)
		}
	})

	t.Run("funds carry no amounts", func(t *testing.T) {
		for _, e := range ds.Edges {
			if e.Kind == regiongraph.RelFunds && e.AmountNok != nil {
				t.Errorf("relation %s has an amount", e.ID)
			}
		}
	})
}

// ---------------------------------------------------------------------------
// Checks derived from the plan text itself.

// canonicalSources maps the ways a financing cell names a source (folded to
// lower case) to the node that pays. Phrases mapped to "" name no source.
var canonicalSources = map[string]string{
	"regionrådet":                             "fond-regionradets-midler",
	"regonrådet":                              "fond-regionradets-midler",
	"kongsbergregionen":                       "fond-regionradets-midler",
	"kommunene / deltakere":                   "fond-kommunale-midler",
	"kommunale bidrag":                        "fond-kommunale-midler",
	"kommunale midler":                        "fond-kommunale-midler",
	"kommunene":                               "fond-kommunale-midler",
	"kommunenes med kontingent":               "fond-kommunale-midler",
	"dekkes av kommunene":                     "fond-kommunale-midler",
	"regionale utviklingsmidler":              "fond-regionale-utviklingsmidler",
	"interkommunale næringsfonds-midler":      "fond-interkommunale-naeringsfondsmidler",
	"skjønnsmidler":                           "fond-skjonnsmidler",
	"spaserstokk-midler":                      "fond-spaserstokk-midler",
	"difi":                                    "partner-difi",
	"statlig programsatsing via fylkekommune": "fond-statlig-programsatsing",
	"dekkes av suksit":                        "nettverk-suksit",
	"finansieres som del av tiltak/prosjektfinansiering": "",
	"se vedlegg": "",
}

// sourcesIn splits a financing cell into the canonical sources it names:
// at each position the longest known phrase, separators (space , / : "og")
// skipped.
func sourcesIn(t *testing.T, cell string) []string {
	t.Helper()
	s := strings.ToLower(strings.TrimSpace(cell))
	var out []string
	for {
		s = strings.TrimLeft(s, " ,/:")
		if strings.HasPrefix(s, "og ") {
			s = s[3:]
			continue
		}
		if s == "" {
			break
		}
		best := ""
		for p := range canonicalSources {
			if strings.HasPrefix(s, p) && len(p) > len(best) && (len(s) == len(p) || strings.ContainsAny(s[len(p):len(p)+1], " ,/:")) {
				best = p
			}
		}
		if best == "" {
			t.Fatalf("financing cell %q: no known source at %q", cell, s)
		}
		if id := canonicalSources[best]; id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
		s = s[len(best):]
	}
	slices.Sort(out)
	return out
}

// checkFunds asserts that the FUNDS relations into an initiative are exactly
// the canonical sources of cell, each with asWritten = cell and the years.
func checkFunds(t *testing.T, ix *index, id, cell string, fromYear, toYear int) {
	t.Helper()
	want := sourcesIn(t, cell)
	var got []string
	for _, e := range ix.into(id, regiongraph.RelFunds) {
		got = append(got, e.From)
		if e.AsWritten != cell {
			t.Errorf("%s: FUNDS from %s asWritten %q, cell %q", id, e.From, e.AsWritten, cell)
		}
		if e.FromYear == nil || *e.FromYear != fromYear || e.ToYear == nil || *e.ToYear != toYear {
			t.Errorf("%s: FUNDS from %s years %s-%s, want %d-%d", id, e.From, show(e.FromYear), show(e.ToYear), fromYear, toYear)
		}
		if e.AmountNok != nil {
			t.Errorf("%s: FUNDS from %s has an amount", id, e.From)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: financing %q: FUNDS from %v, want %v", id, cell, got, want)
	}
}

// tableRow is a row or sub-activity of a 2011 focus-area table.
type tableRow struct {
	area       int
	code       string // "1.4", or "5.6b" for the second sub-activity of row 6
	name       string // rows only
	cost, fund string
}

var headingRE = regexp.MustCompile(`(?m)^SATSINGSOMRÅDE (\d): `)
var rowRE = regexp.MustCompile(`^(\d+)\t`)

// tables2011 reads the five focus-area tables of the 2011 plan: rows start
// with their number, sub-activities with three tabs; the cost is the 6th
// column and the financing the 7th.
func tables2011(t *testing.T) []tableRow {
	text := planText(t, "plan-2011")
	text, _, _ = strings.Cut(text, "VEDLEGG")
	locs := headingRE.FindAllStringSubmatchIndex(text, -1)
	if len(locs) != 5 {
		t.Fatalf("found %d focus-area headings in the 2011 plan", len(locs))
	}
	var rows []tableRow
	for i, loc := range locs {
		area, _ := strconv.Atoi(text[loc[2]:loc[3]])
		end := len(text)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		row, sub := "", 0
		for _, line := range strings.Split(text[loc[1]:end], "\n") {
			cols := strings.Split(line, "\t")
			for len(cols) < 7 {
				cols = append(cols, "")
			}
			switch {
			case rowRE.MatchString(line):
				row, sub = cols[0], 0
				rows = append(rows, tableRow{area: area, code: fmt.Sprintf("%d.%s", area, row), name: strings.TrimSpace(cols[1]),
					cost: strings.TrimSpace(cols[5]), fund: strings.TrimSpace(cols[6])})
			case strings.HasPrefix(line, "\t\t\t") && strings.TrimSpace(line) != "":
				if row == "" {
					t.Fatalf("sub-activity before any row: %q", line)
				}
				// The row itself is the first sub-activity: it becomes "a".
				if sub == 0 {
					last := &rows[len(rows)-1]
					if last.cost != "" || last.fund != "" {
						t.Fatalf("row %s has a cost and sub-activities", last.code)
					}
					rows = append(rows, tableRow{area: area, code: last.code + "a"})
					// The first sub-activity's cost cells sit on the row line;
					// they are empty for both such rows in the plan.
					sub = 1
				}
				rows = append(rows, tableRow{area: area, code: fmt.Sprintf("%d.%s%c", area, row, 'a'+sub),
					cost: strings.TrimSpace(cols[5]), fund: strings.TrimSpace(cols[6])})
				sub++
			}
		}
	}
	return rows
}

// nok parses "1 500 000" and "1.500.000"; ok is false for "Ukjent", "Se
// vedlegg" and empty cells.
func nok(s string) (int64, bool) {
	s = strings.NewReplacer(" ", "", ".", "", "\u00a0", "").Replace(s)
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

func TestDatasetMatchesPlan2011Tables(t *testing.T) {
	ds := mustBundled(t)
	ix := newIndex(ds)
	rows := tables2011(t)

	byCode := map[string]*regiongraph.Node{}
	for _, n := range ds.Nodes {
		if n.Kind == regiongraph.KindInitiative && n.PlanYear != nil && *n.PlanYear == 2011 && ix.parentOf(n.ID) != "tiltak-2011-5-1" {
			if byCode[n.Code] != nil {
				t.Fatalf("two 2011 main-table initiatives with code %q", n.Code)
			}
			byCode[n.Code] = n
		}
	}

	t.Run("each focus area has as many rows and the same total cost as the text", func(t *testing.T) {
		for area := 1; area <= 5; area++ {
			fa := fmt.Sprintf("satsingsomrade-%d", area)
			wantRows, wantSum := 0, int64(0)
			for _, r := range rows {
				if r.area != area {
					continue
				}
				if r.name != "" {
					wantRows++
				}
				if v, ok := nok(r.cost); ok {
					wantSum += v
				}
			}
			gotRows, gotSum := 0, int64(0)
			for _, e := range ix.into(fa, regiongraph.RelInFocusArea) {
				n := ix.nodes[e.From]
				if n.Kind != regiongraph.KindInitiative || n.PlanYear == nil || *n.PlanYear != 2011 {
					continue
				}
				if ix.parentOf(n.ID) == "" {
					gotRows++
				}
				if n.CostNok != nil {
					gotSum += *n.CostNok
				}
			}
			if gotRows != wantRows || gotSum != wantSum {
				t.Errorf("focus area %d: dataset %d rows, %d NOK; text %d rows, %d NOK", area, gotRows, gotSum, wantRows, wantSum)
			}
		}
	})

	t.Run("each row and sub-activity has its name, cost and financing as printed", func(t *testing.T) {
		for _, r := range rows {
			n := byCode[r.code]
			if n == nil {
				t.Errorf("no 2011 initiative with code %q", r.code)
				continue
			}
			if r.name != "" && n.Name != r.name {
				t.Errorf("%s: name %q, printed %q", r.code, n.Name, r.name)
			}
			if n.CostText != r.cost {
				t.Errorf("%s: costText %q, printed %q", r.code, n.CostText, r.cost)
			}
			if v, ok := nok(r.cost); ok != (n.CostNok != nil) || ok && v != *n.CostNok {
				t.Errorf("%s: costNok %s, printed %q", r.code, show(n.CostNok), r.cost)
			}
			if !ix.has(n.ID, regiongraph.RelInFocusArea, fmt.Sprintf("satsingsomrade-%d", r.area)) || !ix.has(n.ID, regiongraph.RelInPlan, "plan-2011") {
				t.Errorf("%s: not IN_FOCUS_AREA %d and IN_PLAN plan-2011", r.code, r.area)
			}
			if r.name == "" {
				parent := byCode[strings.TrimRight(r.code, "abcdefghij")]
				if parent == nil || !ix.has(n.ID, regiongraph.RelPartOf, parent.ID) {
					t.Errorf("%s: not PART_OF its row", r.code)
				}
			}
			checkFunds(t, ix, n.ID, r.fund, 2011, 2011)
		}
		if len(byCode) != len(rows) {
			t.Errorf("dataset has %d 2011 main-table initiatives, the text %d rows and sub-activities", len(byCode), len(rows))
		}
	})
}

// appendixEntry is one amount line of the SuksIT appendix.
type appendixEntry struct {
	code, kr, fund, years string
}

var appendixCodeRE = regexp.MustCompile(`^3\.\d\.\d [a-z]\)$`)

func appendix2011(t *testing.T) (codes []string, entries []appendixEntry) {
	_, text, ok := strings.Cut(planText(t, "plan-2011"), "VEDLEGG")
	if !ok {
		t.Fatal("no VEDLEGG in the 2011 plan")
	}
	code := ""
	for _, line := range strings.Split(text, "\n") {
		cols := strings.Split(line, "\t")
		for len(cols) < 8 {
			cols = append(cols, "")
		}
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		switch {
		case appendixCodeRE.MatchString(cols[1]):
			code = cols[1]
			codes = append(codes, code)
		case cols[1] == "" && code != "" && cols[5]+cols[6]+cols[7] != "":
			// a second project of the same row
		default:
			continue
		}
		if cols[5]+cols[6]+cols[7] != "" {
			entries = append(entries, appendixEntry{code: code, kr: cols[5], fund: cols[6], years: cols[7]})
		}
	}
	return codes, entries
}

var yearRE = regexp.MustCompile(`\d{4}`)
var yearAmountRE = regexp.MustCompile(`(\d{4}): ([\d.]+)`)

// yearly derives the amounts per year of an appendix entry.
func yearly(t *testing.T, e appendixEntry) []regiongraph.YearAmount {
	years := []int{}
	ys := yearRE.FindAllString(e.years, -1)
	if len(ys) > 0 {
		first, _ := strconv.Atoi(ys[0])
		last, _ := strconv.Atoi(ys[len(ys)-1])
		for y := first; y <= last; y++ {
			years = append(years, y)
		}
	}
	if m := yearAmountRE.FindAllStringSubmatch(e.kr, -1); m != nil {
		var out []regiongraph.YearAmount
		for _, p := range m {
			y, _ := strconv.Atoi(p[1])
			v, _ := nok(p[2])
			out = append(out, regiongraph.YearAmount{Year: y, AmountNok: v})
		}
		return out
	}
	if amount, per, ok := strings.Cut(e.kr, " pr år"); ok && strings.Contains(per, "i perioden") {
		v, _ := nok(amount)
		var out []regiongraph.YearAmount
		for _, y := range years {
			out = append(out, regiongraph.YearAmount{Year: y, AmountNok: v})
		}
		return out
	}
	if v, ok := nok(e.kr); ok {
		if len(years) != 1 {
			t.Fatalf("%s: amount %q for years %q", e.code, e.kr, e.years)
		}
		return []regiongraph.YearAmount{{Year: years[0], AmountNok: v}}
	}
	return nil
}

func TestDatasetMatchesSuksITAppendix(t *testing.T) {
	ds := mustBundled(t)
	ix := newIndex(ds)
	codes, entries := appendix2011(t)
	if len(codes) != 16 {
		t.Fatalf("found %d appendix codes, want 16 (3.1.2 a-l, 3.2.2 a-d)", len(codes))
	}

	items := map[string][]*regiongraph.Node{}
	for _, e := range ix.into("tiltak-2011-5-1", regiongraph.RelPartOf) {
		n := ix.nodes[e.From]
		items[n.Code] = append(items[n.Code], n)
	}

	t.Run("every appendix row is an initiative of the SuksIT row without a focus area", func(t *testing.T) {
		for _, c := range codes {
			if len(items[c]) == 0 {
				t.Errorf("no initiative for appendix code %q", c)
			}
		}
		for c, ns := range items {
			if !slices.Contains(codes, c) {
				t.Errorf("initiative code %q is not in the appendix", c)
			}
			for _, n := range ns {
				if n.PlanYear == nil || *n.PlanYear != 2011 {
					t.Errorf("%s: planYear %s", n.ID, show(n.PlanYear))
				}
				if fa := ix.outOf(n.ID, regiongraph.RelInFocusArea); len(fa) > 0 {
					t.Errorf("%s: appendix item has IN_FOCUS_AREA %s", n.ID, fa[0].To)
				}
			}
		}
	})

	t.Run("amounts, years and financing are as printed", func(t *testing.T) {
		perCode := map[string]int{}
		var wantSum, gotSum int64
		for _, e := range entries {
			perCode[e.code]++
			ns := items[e.code]
			var n *regiongraph.Node
			if len(ns) == 1 {
				n = ns[0]
			} else {
				for _, x := range ns {
					if x.CostText == e.kr {
						n = x
					}
				}
			}
			if n == nil {
				t.Errorf("%s: no initiative for amount %q", e.code, e.kr)
				continue
			}
			if n.CostText != e.kr {
				t.Errorf("%s: costText %q, printed %q", n.ID, n.CostText, e.kr)
			}
			want := yearly(t, e)
			if !reflect.DeepEqual(n.YearlyAmounts, want) {
				t.Errorf("%s: yearlyAmounts %v, printed %q for %q: %v", n.ID, n.YearlyAmounts, e.kr, e.years, want)
			}
			var sum int64
			for _, ya := range want {
				sum += ya.AmountNok
			}
			wantSum += sum
			if len(want) == 0 && n.CostNok != nil || len(want) > 0 && (n.CostNok == nil || *n.CostNok != sum) {
				t.Errorf("%s: costNok %s, want %d", n.ID, show(n.CostNok), sum)
			}
			if e.fund != "" {
				ys := yearRE.FindAllString(e.years, -1)
				first, _ := strconv.Atoi(ys[0])
				last, _ := strconv.Atoi(ys[len(ys)-1])
				checkFunds(t, ix, n.ID, e.fund, first, last)
			}
		}
		for c, ns := range items {
			if len(ns) > 1 && perCode[c] != len(ns) {
				t.Errorf("%s: %d initiatives for %d amounts", c, len(ns), perCode[c])
			}
			for _, n := range ns {
				if n.CostNok != nil {
					gotSum += *n.CostNok
				}
				if perCode[c] == 0 && len(ix.into(n.ID, regiongraph.RelFunds)) > 0 {
					t.Errorf("%s: FUNDS without a financing cell", n.ID)
				}
			}
		}
		if gotSum != wantSum {
			t.Errorf("appendix total: dataset %d NOK, text %d NOK", gotSum, wantSum)
		}
	})

	t.Run("overlapping items are linked to the main-table rows", func(t *testing.T) {
		for from, to := range map[string]string{
			"tiltak-2011-suksit-3-1-2-i-f241": "tiltak-2011-5-2",
			"tiltak-2011-suksit-3-1-2-i-f246": "tiltak-2011-5-5",
			"tiltak-2011-suksit-3-1-2-d":      "tiltak-2011-5-14",
			"tiltak-2011-suksit-3-1-2-f":      "tiltak-2011-5-8b",
		} {
			if !ix.has(from, regiongraph.RelOverlaps, to) {
				t.Errorf("%s does not OVERLAP %s", from, to)
			}
		}
	})

	t.Run("oppdragsgivere coordinate their items", func(t *testing.T) {
		for actor, item := range map[string]string{
			"nettverk-radmannsutvalget":   "tiltak-2011-suksit-3-1-2-d",
			"nettverk-suksit":             "tiltak-2011-suksit-3-1-2-c",
			"nettverk-plom":               "tiltak-2011-suksit-3-1-2-f",
			"nettverk-kompetansenettverk": "tiltak-2011-suksit-3-2-2-b",
		} {
			if !ix.has(actor, regiongraph.RelCoordinates, item) {
				t.Errorf("%s does not COORDINATE %s", actor, item)
			}
		}
	})
}

// show prints an optional number.
func show[T int | int64](p *T) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}
