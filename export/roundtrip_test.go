package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"maps"
	"slices"
	"strconv"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/export"
)

// parsed is what a test reads back from a file: per node id its name and
// kind, per relation id its ends, kind and text fields.
type parsed struct {
	nodes map[string]parsedNode
	edges map[string]parsedEdge
}

type parsedNode struct {
	Name, Kind, Description, Aliases, Quote string
	PlanYear                                *int
	X, Y                                    float64
}

type parsedEdge struct {
	Source, Target, Kind, AsWritten, Role string
	FromYear, ToYear                      *int
	AmountNok                             *int64
}

func newParsed() *parsed {
	return &parsed{nodes: map[string]parsedNode{}, edges: map[string]parsedEdge{}}
}

func atoiPtr(t *testing.T, s string) *int {
	t.Helper()
	if s == "" {
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not an int: %q", s)
	}
	return &v
}

func atoi64Ptr(t *testing.T, s string) *int64 {
	t.Helper()
	if s == "" {
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not an int64: %q", s)
	}
	return &v
}

func float(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a float: %q", s)
	}
	return v
}

// --- GraphML, read with encoding/xml against its element structure.

type graphMLDoc struct {
	XMLName xml.Name `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
	Keys    []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		ID          string `xml:"id,attr"`
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []struct {
			ID   string        `xml:"id,attr"`
			Data []graphMLData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string        `xml:"id,attr"`
			Source string        `xml:"source,attr"`
			Target string        `xml:"target,attr"`
			Data   []graphMLData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type graphMLData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
	Shape *struct {
		Label string `xml:"NodeLabel"`
		Fill  struct {
			Color string `xml:"color,attr"`
		} `xml:"Fill"`
	} `xml:"http://www.yworks.com/xml/graphml ShapeNode"`
	Edge *struct {
		Line struct {
			Color string `xml:"color,attr"`
		} `xml:"LineStyle"`
	} `xml:"http://www.yworks.com/xml/graphml PolyLineEdge"`
}

func parseGraphML(t *testing.T, b []byte) *parsed {
	t.Helper()
	var doc graphMLDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("GraphML does not parse: %v\n%s", err, b)
	}
	if doc.Graph.EdgeDefault != "directed" {
		t.Errorf("GraphML edgedefault %q", doc.Graph.EdgeDefault)
	}
	keys := map[string]string{} // id -> name, with for checked
	for _, k := range doc.Keys {
		if k.For != "node" && k.For != "edge" {
			t.Errorf("GraphML key %s for %q", k.ID, k.For)
		}
		keys[k.ID] = k.Name
	}
	out := newParsed()
	for _, n := range doc.Graph.Nodes {
		vals := map[string]string{}
		for _, d := range n.Data {
			name, ok := keys[d.Key]
			if !ok {
				t.Errorf("GraphML node %s: data for undeclared key %q", n.ID, d.Key)
			}
			if d.Shape != nil {
				vals["yed.label"] = d.Shape.Label
				continue
			}
			vals[name] = d.Value
		}
		if vals["yed.label"] != vals["label"] {
			t.Errorf("GraphML node %s: yEd label %q, label %q", n.ID, vals["yed.label"], vals["label"])
		}
		out.nodes[n.ID] = parsedNode{Name: vals["label"], Kind: vals["kind"], Description: vals["description"], Aliases: vals["aliases"],
			Quote: vals["sourceQuote"], PlanYear: atoiPtr(t, vals["planYear"]), X: float(t, vals["x"]), Y: float(t, vals["y"])}
	}
	for _, e := range doc.Graph.Edges {
		vals := map[string]string{}
		for _, d := range e.Data {
			if _, ok := keys[d.Key]; !ok {
				t.Errorf("GraphML edge %s: data for undeclared key %q", e.ID, d.Key)
			}
			if d.Edge != nil {
				vals["yed.color"] = d.Edge.Line.Color
				continue
			}
			vals[keys[d.Key]] = d.Value
		}
		if vals["yed.color"] == "" || vals["yed.color"] != vals["color"] {
			t.Errorf("GraphML edge %s: yEd colour %q, color %q", e.ID, vals["yed.color"], vals["color"])
		}
		out.edges[e.ID] = parsedEdge{Source: e.Source, Target: e.Target, Kind: vals["kind"], AsWritten: vals["asWritten"], Role: vals["role"],
			FromYear: atoiPtr(t, vals["fromYear"]), ToYear: atoiPtr(t, vals["toYear"]), AmountNok: atoi64Ptr(t, vals["amountNok"])}
	}
	return out
}

// --- GEXF 1.3, read with encoding/xml against its element structure.

type gexfDoc struct {
	XMLName xml.Name `xml:"http://gexf.net/1.3 gexf"`
	Version string   `xml:"version,attr"`
	Graph   struct {
		DefaultEdgeType string `xml:"defaultedgetype,attr"`
		Attributes      []struct {
			Class string `xml:"class,attr"`
			Attr  []struct {
				ID    string `xml:"id,attr"`
				Title string `xml:"title,attr"`
				Type  string `xml:"type,attr"`
			} `xml:"attribute"`
		} `xml:"attributes"`
		Nodes struct {
			Count int `xml:"count,attr"`
			Node  []struct {
				ID       string         `xml:"id,attr"`
				Label    string         `xml:"label,attr"`
				Values   []gexfAttValue `xml:"attvalues>attvalue"`
				Color    gexfColor      `xml:"http://gexf.net/1.3/viz color"`
				Position struct {
					X string `xml:"x,attr"`
					Y string `xml:"y,attr"`
				} `xml:"http://gexf.net/1.3/viz position"`
				Size struct {
					Value float64 `xml:"value,attr"`
				} `xml:"http://gexf.net/1.3/viz size"`
			} `xml:"node"`
		} `xml:"nodes"`
		Edges struct {
			Count int `xml:"count,attr"`
			Edge  []struct {
				ID     string         `xml:"id,attr"`
				Source string         `xml:"source,attr"`
				Target string         `xml:"target,attr"`
				Kind   string         `xml:"kind,attr"`
				Values []gexfAttValue `xml:"attvalues>attvalue"`
			} `xml:"edge"`
		} `xml:"edges"`
	} `xml:"graph"`
}

type gexfAttValue struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

type gexfColor struct {
	R int `xml:"r,attr"`
	G int `xml:"g,attr"`
	B int `xml:"b,attr"`
}

func parseGEXF(t *testing.T, b []byte) *parsed {
	t.Helper()
	var doc gexfDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("GEXF does not parse: %v\n%s", err, b)
	}
	if doc.Version != "1.3" || doc.Graph.DefaultEdgeType != "directed" {
		t.Errorf("GEXF version %q, defaultedgetype %q", doc.Version, doc.Graph.DefaultEdgeType)
	}
	declared := map[string]map[string]bool{"node": {}, "edge": {}}
	for _, as := range doc.Graph.Attributes {
		for _, a := range as.Attr {
			declared[as.Class][a.ID] = true
		}
	}
	if doc.Graph.Nodes.Count != len(doc.Graph.Nodes.Node) || doc.Graph.Edges.Count != len(doc.Graph.Edges.Edge) {
		t.Errorf("GEXF counts %d/%d for %d nodes and %d edges", doc.Graph.Nodes.Count, doc.Graph.Edges.Count, len(doc.Graph.Nodes.Node), len(doc.Graph.Edges.Edge))
	}
	out := newParsed()
	for _, n := range doc.Graph.Nodes.Node {
		vals := map[string]string{}
		for _, v := range n.Values {
			if !declared["node"][v.For] {
				t.Errorf("GEXF node %s: value for undeclared attribute %q", n.ID, v.For)
			}
			vals[v.For] = v.Value
		}
		if n.Size.Value < export.MinSize || n.Size.Value > export.MaxSize {
			t.Errorf("GEXF node %s: size %v", n.ID, n.Size.Value)
		}
		out.nodes[n.ID] = parsedNode{Name: n.Label, Kind: vals["kind"], Description: vals["description"], Aliases: vals["aliases"],
			Quote: vals["sourceQuote"], PlanYear: atoiPtr(t, vals["planYear"]), X: float(t, n.Position.X), Y: -float(t, n.Position.Y)}
	}
	for _, e := range doc.Graph.Edges.Edge {
		vals := map[string]string{}
		for _, v := range e.Values {
			if !declared["edge"][v.For] {
				t.Errorf("GEXF edge %s: value for undeclared attribute %q", e.ID, v.For)
			}
			vals[v.For] = v.Value
		}
		if vals["kind"] != e.Kind {
			t.Errorf("GEXF edge %s: kind attribute %q, attvalue %q", e.ID, e.Kind, vals["kind"])
		}
		out.edges[e.ID] = parsedEdge{Source: e.Source, Target: e.Target, Kind: e.Kind, AsWritten: vals["asWritten"], Role: vals["role"],
			FromYear: atoiPtr(t, vals["fromYear"]), ToYear: atoiPtr(t, vals["toYear"]), AmountNok: atoi64Ptr(t, vals["amountNok"])}
	}
	return out
}

// --- JSON, decoded into typed structs.

type jsonNodeData struct {
	ID          string  `json:"id"`
	Label       string  `json:"label"`
	Kind        string  `json:"kind"`
	Description string  `json:"description"`
	Aliases     string  `json:"aliases"`
	SourceQuote string  `json:"sourceQuote"`
	PlanYear    *int    `json:"planYear"`
	CostNok     *int64  `json:"costNok"`
	X           float64 `json:"x"`
	Y           float64 `json:"y"`
	Size        float64 `json:"size"`
	Degree      int     `json:"degree"`
	Color       string  `json:"color"`
}

type jsonEdgeData struct {
	ID        string `json:"id"`
	Source    string `json:"source"`
	Target    string `json:"target"`
	Kind      string `json:"kind"`
	AsWritten string `json:"asWritten"`
	Role      string `json:"role"`
	FromYear  *int   `json:"fromYear"`
	ToYear    *int   `json:"toYear"`
	AmountNok *int64 `json:"amountNok"`
}

type cytoscapeDoc struct {
	Elements struct {
		Nodes []struct {
			Group    string       `json:"group"`
			Data     jsonNodeData `json:"data"`
			Position *struct {
				X float64 `json:"x"`
				Y float64 `json:"y"`
			} `json:"position"`
		} `json:"nodes"`
		Edges []struct {
			Group string       `json:"group"`
			Data  jsonEdgeData `json:"data"`
		} `json:"edges"`
	} `json:"elements"`
}

func decodeStrict(t *testing.T, format string, b []byte, v any) {
	t.Helper()
	if !json.Valid(b) {
		t.Fatalf("%s is not valid JSON", format)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s does not decode: %v", format, err)
	}
}

func parseCytoscape(t *testing.T, b []byte) *parsed {
	t.Helper()
	var doc cytoscapeDoc
	decodeStrict(t, "Cytoscape.js JSON", b, &doc)
	out := newParsed()
	for _, n := range doc.Elements.Nodes {
		if n.Group != "nodes" || n.Position == nil {
			t.Errorf("Cytoscape node %s: group %q, position %v", n.Data.ID, n.Group, n.Position)
			continue
		}
		d := n.Data
		out.nodes[d.ID] = parsedNode{Name: d.Label, Kind: d.Kind, Description: d.Description, Aliases: d.Aliases, Quote: d.SourceQuote, PlanYear: d.PlanYear, X: n.Position.X, Y: n.Position.Y}
	}
	for _, e := range doc.Elements.Edges {
		if e.Group != "edges" {
			t.Errorf("Cytoscape edge %s: group %q", e.Data.ID, e.Group)
		}
		d := e.Data
		out.edges[d.ID] = parsedEdge{Source: d.Source, Target: d.Target, Kind: d.Kind, AsWritten: d.AsWritten, Role: d.Role, FromYear: d.FromYear, ToYear: d.ToYear, AmountNok: d.AmountNok}
	}
	return out
}

type graphologyDoc struct {
	Options struct {
		Type  string `json:"type"`
		Multi bool   `json:"multi"`
	} `json:"options"`
	Nodes []struct {
		Key        string       `json:"key"`
		Attributes jsonNodeData `json:"attributes"`
	} `json:"nodes"`
	Edges []struct {
		Key        string       `json:"key"`
		Source     string       `json:"source"`
		Target     string       `json:"target"`
		Attributes jsonEdgeData `json:"attributes"`
	} `json:"edges"`
}

func parseGraphology(t *testing.T, b []byte) *parsed {
	t.Helper()
	var doc graphologyDoc
	decodeStrict(t, "graphology JSON", b, &doc)
	if doc.Options.Type != "directed" || !doc.Options.Multi {
		t.Errorf("graphology options %+v", doc.Options)
	}
	var raw struct {
		Nodes []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"nodes"`
	}
	decodeStrict(t, "graphology JSON", b, &raw)
	for _, n := range raw.Nodes {
		if _, ok := n.Attributes["type"]; ok {
			t.Errorf("graphology node has a type attribute, which sigma.js reserves: %v", n.Attributes)
		}
	}
	out := newParsed()
	for _, n := range doc.Nodes {
		d := n.Attributes
		if d.Size < export.MinSize || d.Size > export.MaxSize || d.Color == "" {
			t.Errorf("graphology node %s: size %v, color %q", n.Key, d.Size, d.Color)
		}
		out.nodes[n.Key] = parsedNode{Name: d.Label, Kind: d.Kind, Description: d.Description, Aliases: d.Aliases, Quote: d.SourceQuote, PlanYear: d.PlanYear, X: d.X, Y: -d.Y}
	}
	for _, e := range doc.Edges {
		d := e.Attributes
		out.edges[e.Key] = parsedEdge{Source: e.Source, Target: e.Target, Kind: d.Kind, AsWritten: d.AsWritten, Role: d.Role, FromYear: d.FromYear, ToYear: d.ToYear, AmountNok: d.AmountNok}
	}
	return out
}

// --- CSV, read with encoding/csv.

func readCSV(t *testing.T, name string, b []byte, header []string) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s does not parse: %v", name, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Fatalf("%s header %q, want %q", name, rows[0], header)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range header {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func parseCSV(t *testing.T, nodesCSV, edgesCSV []byte) *parsed {
	t.Helper()
	out := newParsed()
	for _, r := range readCSV(t, "nodes.csv", nodesCSV, export.NodesCSVHeader) {
		out.nodes[r["Id"]] = parsedNode{Name: r["Label"], Kind: r["kind"], Description: r["description"], Aliases: r["aliases"], Quote: r["sourceQuote"],
			PlanYear: atoiPtr(t, r["planYear"]), X: float(t, r["x"]), Y: float(t, r["y"])}
	}
	for _, r := range readCSV(t, "edges.csv", edgesCSV, export.EdgesCSVHeader) {
		if r["Type"] != "Directed" || r["Label"] != r["kind"] {
			t.Errorf("edges.csv %s: Type %q, Label %q", r["Id"], r["Type"], r["Label"])
		}
		out.edges[r["Id"]] = parsedEdge{Source: r["Source"], Target: r["Target"], Kind: r["kind"], AsWritten: r["asWritten"], Role: r["role"],
			FromYear: atoiPtr(t, r["fromYear"]), ToYear: atoiPtr(t, r["toYear"]), AmountNok: atoi64Ptr(t, r["amountNok"])}
	}
	return out
}

// writeAll writes g in every format and parses each back.
func writeAll(t *testing.T, g *export.Graph) map[string]*parsed {
	t.Helper()
	out := map[string]*parsed{}
	write := func(f func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	out["graphml"] = parseGraphML(t, write(func(b *bytes.Buffer) error { return export.WriteGraphML(b, g) }))
	out["gexf"] = parseGEXF(t, write(func(b *bytes.Buffer) error { return export.WriteGEXF(b, g) }))
	out["cytoscape"] = parseCytoscape(t, write(func(b *bytes.Buffer) error { return export.WriteCytoscape(b, g) }))
	out["graphology"] = parseGraphology(t, write(func(b *bytes.Buffer) error { return export.WriteGraphology(b, g) }))
	var nodesCSV, edgesCSV bytes.Buffer
	if err := export.WriteCSV(&nodesCSV, &edgesCSV, g); err != nil {
		t.Fatal(err)
	}
	out["csv"] = parseCSV(t, nodesCSV.Bytes(), edgesCSV.Bytes())
	return out
}

func intEq(a, b *int) bool     { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func int64Eq(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// checkAgainst compares a parsed file with the nodes and relations it must
// hold: the same ids, and every name and text field unchanged.
func checkAgainst(t *testing.T, format string, p *parsed, g *export.Graph, want *rg.Subgraph) {
	t.Helper()
	if got, w := slices.Sorted(maps.Keys(p.nodes)), nodeIDs(want.Nodes); !slices.Equal(got, w) && len(got)+len(w) > 0 {
		t.Errorf("%s: node ids\n got %q\nwant %q", format, got, w)
	}
	if got, w := slices.Sorted(maps.Keys(p.edges)), edgeIDs(want.Edges); !slices.Equal(got, w) && len(got)+len(w) > 0 {
		t.Errorf("%s: edge ids\n got %q\nwant %q", format, got, w)
	}
	for _, n := range want.Nodes {
		got := p.nodes[n.ID]
		aliases := ""
		for i, a := range n.Aliases {
			if i > 0 {
				aliases += "; "
			}
			aliases += a
		}
		if got.Name != n.Name || got.Kind != string(n.Kind) || got.Description != n.Description || got.Aliases != aliases ||
			got.Quote != n.Source.Quote || !intEq(got.PlanYear, n.PlanYear) {
			t.Errorf("%s: node %s\n got %+v\nwant %+v", format, n.ID, got, n)
		}
		if pos := g.Pos[n.ID]; got.X != pos.X || got.Y != pos.Y {
			t.Errorf("%s: node %s at (%v, %v), laid out at (%v, %v)", format, n.ID, got.X, got.Y, pos.X, pos.Y)
		}
	}
	for _, e := range want.Edges {
		got := p.edges[e.ID]
		if got.Source != e.From || got.Target != e.To || got.Kind != string(e.Kind) || got.AsWritten != e.AsWritten || got.Role != e.Role ||
			!intEq(got.FromYear, e.FromYear) || !intEq(got.ToYear, e.ToYear) || !int64Eq(got.AmountNok, e.AmountNok) {
			t.Errorf("%s: edge %s\n got %+v\nwant %+v", format, e.ID, got, e)
		}
	}
}

// TestRoundTripEqualsStore writes each format for several filters, parses it
// back and compares node and relation ids and fields with the store: for
// filters by kind and relation with the store's own Subgraph, for the
// narrowing filters with Select (whose semantics TestSelectSemantics pins).
func TestRoundTripEqualsStore(t *testing.T) {
	nodes, edges := fixture()
	s := newStore(t, nodes, edges)
	ctx := context.Background()
	for _, q := range []string{"", "kind=Municipality,Network,Topic", "relation=FUNDS,PARTICIPATES_IN", "year=2014", "focusArea=sats-1", "text=tinn", "focus=partner-usn"} {
		t.Run(q, func(t *testing.T) {
			f := mustQuery(t, q)
			g, err := export.Build(ctx, s, f)
			if err != nil {
				t.Fatal(err)
			}
			want := &rg.Subgraph{Nodes: g.Nodes, Edges: g.Edges}
			if f.Year == nil && f.FocusArea == "" && f.Text == "" && f.Focus == "" {
				if want, err = s.Subgraph(ctx, rg.SubgraphFilter{Kinds: f.Kinds, Relations: f.Relations}); err != nil {
					t.Fatal(err)
				}
			}
			if len(want.Nodes) == 0 {
				t.Fatal("the filter selects nothing; the test would prove little")
			}
			for format, p := range writeAll(t, g) {
				checkAgainst(t, format, p, g, want)
			}
		})
	}
}

// TestTrickyNamesSurvive checks the names the acceptance names, in every
// format.
func TestTrickyNamesSurvive(t *testing.T) {
	nodes, edges := fixture()
	g, err := export.Build(context.Background(), newStore(t, nodes, edges), export.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for format, p := range writeAll(t, g) {
		for id, name := range map[string]string{"kommune-nore-og-uvdal": nameNore, "kommune-tinn": nameTinn, "tema-jernbane": nameBaner, "tiltak-2014-b": nameLaering} {
			if p.nodes[id].Name != name {
				t.Errorf("%s: %s is called %q, want %q", format, id, p.nodes[id].Name, name)
			}
		}
		if got := p.edges["rel-funds-2011-1"].AsWritten; got != `RUP / DiFi, "50 %" & <egeninnsats>` {
			t.Errorf("%s: asWritten %q", format, got)
		}
	}
}

// TestWritersAreDeterministic: the same selection gives the same bytes.
func TestWritersAreDeterministic(t *testing.T) {
	nodes, edges := fixture()
	s := newStore(t, nodes, edges)
	for _, f := range export.Formats {
		var a, b bytes.Buffer
		for _, buf := range []*bytes.Buffer{&a, &b} {
			g, err := export.Build(context.Background(), s, export.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Write(buf, g); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two writes of the same selection differ", f.Name)
		}
	}
}
