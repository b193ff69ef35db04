package dataset

import (
	"bytes"
	"strconv"

	"github.com/regiongraph/regiongraph"
	"gopkg.in/yaml.v3"
)

// Encode writes ds in the format Parse reads: Plan nodes under plans, the
// other nodes under nodes (both in the order of ds.Nodes) and every relation,
// with its id and full source, under relations (in the order of ds.Edges).
// Parse(Encode(ds)) gives ds back when ds lists its Plan nodes first, as
// Parse does.
func Encode(ds *Dataset) ([]byte, error) {
	var plans, nodes, rels []*yaml.Node
	for _, n := range ds.Nodes {
		if n.Kind == regiongraph.KindPlan {
			plans = append(plans, encodeNode(n, false))
		} else {
			nodes = append(nodes, encodeNode(n, true))
		}
	}
	for _, e := range ds.Edges {
		rels = append(rels, encodeEdge(e))
	}
	root := mapping()
	if len(plans) > 0 {
		add(root, "plans", seq(plans))
	}
	if len(nodes) > 0 {
		add(root, "nodes", seq(nodes))
	}
	if len(rels) > 0 {
		add(root, "relations", seq(rels))
	}
	var buf bytes.Buffer
	buf.WriteString("# regiongraph dataset (written by dataset.Encode; the format is documented in data/kongsbergregionen.yaml)\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, regiongraph.Errorf(regiongraph.EINTERNAL, "encode dataset: %v", err)
	}
	if err := enc.Close(); err != nil {
		return nil, regiongraph.Errorf(regiongraph.EINTERNAL, "encode dataset: %v", err)
	}
	return buf.Bytes(), nil
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func seq(items []*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: items}
}

func text(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func number(i int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(i, 10)}
}

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, text(key), v)
}

func addText(m *yaml.Node, key, v string) {
	if v != "" {
		add(m, key, text(v))
	}
}

func addList(m *yaml.Node, key string, xs []string) {
	if len(xs) == 0 {
		return
	}
	items := make([]*yaml.Node, len(xs))
	for i, x := range xs {
		items[i] = text(x)
	}
	add(m, key, seq(items))
}

func encodeSource(s regiongraph.Source) *yaml.Node {
	m := mapping()
	addText(m, "plan", s.Plan)
	addText(m, "section", s.Section)
	addText(m, "quote", s.Quote)
	if s.Outside {
		add(m, "outside", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	addText(m, "reference", s.Reference)
	return m
}

func encodeNode(n *regiongraph.Node, withKind bool) *yaml.Node {
	m := mapping()
	add(m, "id", text(n.ID))
	if withKind {
		add(m, "kind", text(string(n.Kind)))
	}
	add(m, "name", text(n.Name))
	addList(m, "aliases", n.Aliases)
	addText(m, "description", n.Description)
	addText(m, "number", n.Number)
	addText(m, "county", n.County)
	addText(m, "field", n.Field)
	addText(m, "category", n.Category)
	addText(m, "code", n.Code)
	if n.PlanYear != nil {
		add(m, "planYear", number(int64(*n.PlanYear)))
	}
	addText(m, "adopted", n.Adopted)
	addText(m, "costText", n.CostText)
	if n.CostNok != nil {
		add(m, "costNok", number(*n.CostNok))
	}
	if len(n.YearlyAmounts) > 0 {
		items := make([]*yaml.Node, len(n.YearlyAmounts))
		for i, ya := range n.YearlyAmounts {
			it := mapping()
			it.Style = yaml.FlowStyle
			add(it, "year", number(int64(ya.Year)))
			add(it, "amountNok", number(ya.AmountNok))
			items[i] = it
		}
		add(m, "yearlyAmounts", seq(items))
	}
	addList(m, "goals", n.Goals)
	addList(m, "activities", n.Activities)
	add(m, "source", encodeSource(n.Source))
	return m
}

func encodeEdge(e *regiongraph.Edge) *yaml.Node {
	m := mapping()
	add(m, "id", text(e.ID))
	add(m, "kind", text(string(e.Kind)))
	add(m, "from", text(e.From))
	add(m, "to", text(e.To))
	if e.FromYear != nil {
		add(m, "fromYear", number(int64(*e.FromYear)))
	}
	if e.ToYear != nil {
		add(m, "toYear", number(int64(*e.ToYear)))
	}
	if e.AmountNok != nil {
		add(m, "amountNok", number(*e.AmountNok))
	}
	addText(m, "asWritten", e.AsWritten)
	addText(m, "role", e.Role)
	add(m, "source", encodeSource(e.Source))
	return m
}
