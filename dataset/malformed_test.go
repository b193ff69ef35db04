package dataset_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/dataset"
)

// valid is a small valid dataset; the malformed cases below change one thing
// in it. Line numbers matter: the cases name the line of their error.
const valid = `plans:
  - id: plan-2011
    name: Handlingsplan 2011
    planYear: 2011
    source: {plan: plan-2011, section: Innledning, quote: HANDLINGSPLAN 2011}
nodes:
  - id: tiltak-a
    kind: Initiative
    name: LUP 2011
    costNok: 250000
    source: {plan: plan-2011, section: S1, quote: LUP 2011}
    relations:
      - {kind: IN_PLAN, to: plan-2011}
  - id: sak-e134
    kind: Topic
    name: E134
    source: {outside: true, reference: "https://example.org"}
relations:
  - kind: CONCERNS
    from: tiltak-a
    to: sak-e134
    source: {plan: plan-2011, section: S2, quote: E134}
`

func TestParseValid(t *testing.T) {
	t.Run("small dataset parses with derived ids and inherited sources", func(t *testing.T) {
		ds, err := dataset.ParseBytes([]byte(valid), "small.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if len(ds.Nodes) != 3 || len(ds.Edges) != 2 {
			t.Fatalf("%d nodes, %d relations", len(ds.Nodes), len(ds.Edges))
		}
		e := ds.Edges[0]
		if e.ID != "tiltak-a-in-plan-plan-2011" || e.From != "tiltak-a" || e.To != "plan-2011" || e.Source.Quote != "LUP 2011" {
			t.Errorf("nested relation: %+v", e)
		}
		if ds.Edges[1].ID != "tiltak-a-concerns-sak-e134" {
			t.Errorf("top-level relation id %q", ds.Edges[1].ID)
		}
	})

	t.Run("a repeated relation gets a numbered id", func(t *testing.T) {
		src := valid + `  - {kind: CONCERNS, from: tiltak-a, to: sak-e134, fromYear: 2014, source: {outside: true, reference: x}}
`
		ds, err := dataset.ParseBytes([]byte(src), "small.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if got := ds.Edges[2].ID; got != "tiltak-a-concerns-sak-e134-2" {
			t.Errorf("id %q", got)
		}
	})

	t.Run("a partial source takes plan and section from the node", func(t *testing.T) {
		src := strings.Replace(valid, "{kind: IN_PLAN, to: plan-2011}", "{kind: IN_PLAN, to: plan-2011, source: {quote: LUP}}", 1)
		ds, err := dataset.ParseBytes([]byte(src), "small.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if s := ds.Edges[0].Source; s.Plan != "plan-2011" || s.Section != "S1" || s.Quote != "LUP" {
			t.Errorf("source %+v", s)
		}
	})
}

func TestParseRejectsMalformed(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want string // "file:line: substring"
	}{
		{"unknown kind is rejected", strings.Replace(valid, "kind: Topic", "kind: Topik", 1),
			`small.yaml:15: node "sak-e134": kind: unknown node kind "Topik"`},
		{"relation between kinds that may not be joined is rejected", valid + `  - {kind: FUNDS, from: sak-e134, to: tiltak-a, source: {outside: true, reference: x}}
`, "small.yaml:23: relation FUNDS may not join Topic to Initiative"},
		{"dangling id is rejected", strings.Replace(valid, "to: sak-e134", "to: sak-e18", 1),
			`small.yaml:21: relation "tiltak-a-concerns-sak-e18": to: no node with id "sak-e18"`},
		{"negative cost is rejected", strings.Replace(valid, "costNok: 250000", "costNok: -5", 1),
			`small.yaml:10: node "tiltak-a": costNok: amount -5 NOK`},
		{"duplicate node id is rejected", strings.Replace(valid, "id: sak-e134", "id: tiltak-a", 1),
			`small.yaml:14: node "tiltak-a": duplicate id (first at line 7)`},
		{"duplicate relation id is rejected", valid + `  - {id: r1, kind: CONCERNS, from: tiltak-a, to: sak-e134, source: {outside: true, reference: x}}
  - {id: r1, kind: IN_PLAN, from: sak-e134, to: plan-2011, source: {outside: true, reference: x}}
`, `small.yaml:24: relation "r1": duplicate id (first at line 23)`},
		{"unknown field is rejected", strings.Replace(valid, "costNok: 250000", "cost: 250000", 1),
			`small.yaml:10: nodes[0]: unknown field "cost"`},
		{"unknown source field is rejected", strings.Replace(valid, "quote: E134}", "qoute: E134}", 1),
			`small.yaml:22: relations[0].source: unknown field "qoute"`},
		{"bad YAML syntax is rejected", strings.Replace(valid, "name: E134", "name: [E134", 1),
			"small.yaml:16: YAML syntax:"},
		{"duplicate key is rejected", strings.Replace(valid, "name: E134", "name: E134\n    name: E18", 1),
			`small.yaml:17: nodes[1]: field "name" is given twice`},
		{"cost that is not a whole number is rejected", strings.Replace(valid, "costNok: 250000", "costNok: 2.5", 1),
			`small.yaml:10: nodes[0].costNok must be a whole number`},
		{"unknown relation kind is rejected", strings.Replace(valid, "kind: CONCERNS", "kind: CONCERN", 1),
			`small.yaml:19: relation "tiltak-a-concern-sak-e134": kind: unknown relation kind "CONCERN"`},
		{"missing source is rejected", strings.Replace(valid, "    source: {outside: true, reference: \"https://example.org\"}\n", "", 1),
			`small.yaml:14: node "sak-e134": source is required`},
		{"source naming no plan is rejected", strings.Replace(valid, "quote: LUP 2011}", "quote: LUP 2011, plan: plan-2012}", 1),
			`small.yaml:11: nodes[0].source: field "plan" is given twice`},
		{"source naming a missing plan is rejected", strings.Replace(valid, "{plan: plan-2011, section: S2", "{plan: plan-2012, section: S2", 1),
			`small.yaml:22: relation "tiltak-a-concerns-sak-e134": source.plan: no plan with id "plan-2012"`},
		{"nested relation with both ends is rejected", strings.Replace(valid, "{kind: IN_PLAN, to: plan-2011}", "{kind: IN_PLAN, from: tiltak-a, to: plan-2011}", 1),
			`small.yaml:13: relation under node "tiltak-a": give from or to, not both`},
		{"kind field a node may not have is rejected", strings.Replace(valid, "    name: E134\n", "    name: E134\n    costText: 5\n", 1),
			`small.yaml:17: node "sak-e134": costText: a Topic has no costText`},
		{"yearly amounts that do not add up to the cost are rejected", strings.Replace(valid, "costNok: 250000", "costNok: 250000\n    yearlyAmounts: [{year: 2011, amountNok: 1}]", 1),
			`small.yaml:10: node "tiltak-a": costNok 250000 is not the sum 1 of yearlyAmounts`},
		{"empty file is rejected", "", "small.yaml:1: the dataset is empty"},
		{"second document is rejected", valid + "---\nplans: []\n", "small.yaml:23: only one YAML document is allowed"},
		{"invalid UTF-8 is rejected", strings.Replace(valid, "name: E134", "name: E\xff134", 1), "small.yaml:16: YAML syntax:"},
		{"merge keys are rejected", strings.Replace(valid, "    name: E134\n", "    name: E134\n    <<: {code: x}\n", 1),
			`small.yaml:17: nodes[1]: merge keys (<<) are not supported`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := dataset.ParseBytes([]byte(c.src), "small.yaml")
			if ds != nil {
				t.Errorf("a dataset was returned with the error")
			}
			if err == nil {
				t.Fatal("no error")
			}
			if regiongraph.ErrorCode(err) != regiongraph.EBADINPUT {
				t.Errorf("code %q", regiongraph.ErrorCode(err))
			}
			msg := regiongraph.ErrorMessage(err)
			if !strings.Contains(msg, c.want) {
				t.Errorf("error\n%s\ndoes not contain\n%s", msg, c.want)
			}
			checkErrorLines(t, msg, "small.yaml")
		})
	}

	t.Run("all errors are reported at once", func(t *testing.T) {
		src := strings.Replace(strings.Replace(valid, "kind: Topic", "kind: Topik", 1), "costNok: 250000", "costNok: -5", 1)
		_, err := dataset.ParseBytes([]byte(src), "small.yaml")
		msg := regiongraph.ErrorMessage(err)
		if !strings.Contains(msg, "small.yaml:10:") || !strings.Contains(msg, "small.yaml:15:") {
			t.Errorf("not both errors:\n%s", msg)
		}
	})

	t.Run("error list is cut after the limit", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("nodes:\n")
		for range 30 {
			b.WriteString("  - {id: x, kind: Nope, name: x, source: {outside: true, reference: r}}\n")
		}
		_, err := dataset.Parse(strings.NewReader(b.String()), "many.yaml")
		msg := regiongraph.ErrorMessage(err)
		lines := strings.Split(msg, "\n")
		if len(lines) != dataset.MaxErrors+1 || !strings.Contains(lines[dataset.MaxErrors], "more errors") {
			t.Errorf("%d lines:\n%s", len(lines), msg)
		}
		checkErrorLines(t, msg, "many.yaml")
	})
}

var errLineRE = regexp.MustCompile(`^([^:\n]+):([1-9][0-9]*): \S`)

// checkErrorLines asserts that every line of msg is "file:line: message".
func checkErrorLines(t testing.TB, msg, file string) {
	t.Helper()
	for _, l := range strings.Split(msg, "\n") {
		m := errLineRE.FindStringSubmatch(l)
		if m == nil || m[1] != file {
			t.Errorf("error line without %s:line: prefix: %q", file, l)
		}
	}
}
