package export

import (
	"encoding/json"
	"fmt"
	"io"
)

// nodeData is a node's attributes as a JSON object: id, then every node
// attribute the node has.
func nodeData(g *Graph, i int, skip map[string]bool) map[string]any {
	n := g.Nodes[i]
	m := map[string]any{"id": n.ID}
	for _, a := range nodeAttrs {
		if v, ok := a.get(g, n); ok && !skip[a.name] {
			m[a.name] = v
		}
	}
	return m
}

func edgeData(g *Graph, i int, skip map[string]bool) map[string]any {
	e := g.Edges[i]
	m := map[string]any{"id": e.ID, "source": e.From, "target": e.To}
	for _, a := range edgeAttrs {
		if v, ok := a.get(g, e); ok && !skip[a.name] {
			m[a.name] = v
		}
	}
	return m
}

func writeJSON(w io.Writer, format string, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("export: write %s: %w", format, err)
	}
	return nil
}

// CytoscapeElement is one element of Cytoscape.js JSON.
type CytoscapeElement struct {
	Group    string         `json:"group"`
	Data     map[string]any `json:"data"`
	Position *Point         `json:"position,omitempty"`
}

// Cytoscape is the document WriteCytoscape writes: the elements in the form
// cytoscape({elements: ...}) and cy.json() use, and the filter.
type Cytoscape struct {
	Data     map[string]any `json:"data"`
	Elements struct {
		Nodes []CytoscapeElement `json:"nodes"`
		Edges []CytoscapeElement `json:"edges"`
	} `json:"elements"`
}

var jsonPosSkip = map[string]bool{"x": true, "y": true}

// WriteCytoscape writes g as Cytoscape.js JSON: {"elements": {"nodes":
// [{"group": "nodes", "data": {"id", "label", "kind", ...}, "position":
// {"x", "y"}}], "edges": [{"group": "edges", "data": {"id", "source",
// "target", "kind", ...}}]}}. Cytoscape.js needs node and edge ids to differ;
// the store's ids are used as they are.
func WriteCytoscape(w io.Writer, g *Graph) error {
	var doc Cytoscape
	doc.Data = map[string]any{"name": "regiongraph partnership map", "filter": g.Filter.Describe(), "metric": g.Metric}
	doc.Elements.Nodes = make([]CytoscapeElement, len(g.Nodes))
	doc.Elements.Edges = make([]CytoscapeElement, len(g.Edges))
	for i, n := range g.Nodes {
		p := g.Pos[n.ID]
		doc.Elements.Nodes[i] = CytoscapeElement{Group: "nodes", Data: nodeData(g, i, jsonPosSkip), Position: &p}
	}
	for i := range g.Edges {
		doc.Elements.Edges[i] = CytoscapeElement{Group: "edges", Data: edgeData(g, i, nil)}
	}
	return writeJSON(w, "Cytoscape.js JSON", doc)
}

// Graphology is graphology's serialized graph, which sigma.js draws:
// Graph.from(doc) or graph.import(doc).
type Graphology struct {
	Attributes map[string]any `json:"attributes"`
	Options    struct {
		Type           string `json:"type"`
		Multi          bool   `json:"multi"`
		AllowSelfLoops bool   `json:"allowSelfLoops"`
	} `json:"options"`
	Nodes []GraphologyNode `json:"nodes"`
	Edges []GraphologyEdge `json:"edges"`
}

// GraphologyNode is a node of Graphology.
type GraphologyNode struct {
	Key        string         `json:"key"`
	Attributes map[string]any `json:"attributes"`
}

// GraphologyEdge is an edge of Graphology.
type GraphologyEdge struct {
	Key        string         `json:"key"`
	Source     string         `json:"source"`
	Target     string         `json:"target"`
	Attributes map[string]any `json:"attributes"`
}

// WriteGraphology writes g in graphology's serialization format (a directed
// multigraph): nodes with key and attributes label, kind, x, y, size, color
// and the rest; edges with key, source, target and attributes kind, color and
// the rest. sigma.js reads x, y, size, color and label as they are; its y
// axis points up, so y is negated to keep the map's orientation. No
// attribute is called "type", which sigma reserves for its renderers.
func WriteGraphology(w io.Writer, g *Graph) error {
	doc := Graphology{Attributes: map[string]any{"name": "regiongraph partnership map", "filter": g.Filter.Describe(), "metric": g.Metric}}
	doc.Options.Type, doc.Options.Multi, doc.Options.AllowSelfLoops = "directed", true, true
	doc.Nodes = make([]GraphologyNode, len(g.Nodes))
	doc.Edges = make([]GraphologyEdge, len(g.Edges))
	for i, n := range g.Nodes {
		a := nodeData(g, i, nil)
		delete(a, "id")
		a["y"] = -g.Pos[n.ID].Y
		doc.Nodes[i] = GraphologyNode{Key: n.ID, Attributes: a}
	}
	for i, e := range g.Edges {
		a := edgeData(g, i, nil)
		delete(a, "id")
		delete(a, "source")
		delete(a, "target")
		a["size"] = RelationStyles[e.Kind].Width
		doc.Edges[i] = GraphologyEdge{Key: e.ID, Source: e.From, Target: e.To, Attributes: a}
	}
	return writeJSON(w, "graphology JSON", doc)
}

// NodesCSVHeader and EdgesCSVHeader are the first rows of nodes.csv and
// edges.csv. Id, Label, Source, Target and Type are the column names
// Gephi's spreadsheet import recognises; Type is always "Directed".
var (
	NodesCSVHeader = func() []string {
		h := []string{"Id", "Label"}
		for _, a := range nodeAttrs[1:] {
			h = append(h, a.name)
		}
		return h
	}()
	EdgesCSVHeader = func() []string {
		h := []string{"Id", "Source", "Target", "Type", "Label"}
		for _, a := range edgeAttrs[1:] {
			h = append(h, a.name)
		}
		return h
	}()
)

// WriteNodesCSV writes nodes.csv: NodesCSVHeader, then one row per node
// (RFC 4180 quoting, UTF-8, empty cells for missing values, text that a
// spreadsheet would run as a formula neutralised; see CSVOptions).
func WriteNodesCSV(w io.Writer, g *Graph) error { return WriteNodesCSVWith(w, g, CSVOptions{}) }

// WriteNodesCSVWith is WriteNodesCSV shaped by o.
func WriteNodesCSVWith(w io.Writer, g *Graph, o CSVOptions) error {
	cw := newCSVWriter(w, o)
	cw.header(NodesCSVHeader)
	for _, n := range g.Nodes {
		cw.text(n.ID)
		for _, a := range nodeAttrs {
			v, ok := a.get(g, n)
			if !ok {
				v = nil
			}
			cw.cell(a.typ, v)
		}
		cw.endRow()
	}
	if err := cw.flush(); err != nil {
		return fmt.Errorf("export: write nodes.csv: %w", err)
	}
	return nil
}

// WriteEdgesCSV writes edges.csv: EdgesCSVHeader, then one row per relation.
func WriteEdgesCSV(w io.Writer, g *Graph) error { return WriteEdgesCSVWith(w, g, CSVOptions{}) }

// WriteEdgesCSVWith is WriteEdgesCSV shaped by o.
func WriteEdgesCSVWith(w io.Writer, g *Graph, o CSVOptions) error {
	cw := newCSVWriter(w, o)
	cw.header(EdgesCSVHeader)
	for _, e := range g.Edges {
		cw.text(e.ID)
		cw.text(e.From)
		cw.text(e.To)
		cw.text("Directed")
		for _, a := range edgeAttrs {
			v, ok := a.get(g, e)
			if !ok {
				v = nil
			}
			cw.cell(a.typ, v)
		}
		cw.endRow()
	}
	if err := cw.flush(); err != nil {
		return fmt.Errorf("export: write edges.csv: %w", err)
	}
	return nil
}

// WriteCSV writes nodes.csv to nodesW and edges.csv to edgesW.
func WriteCSV(nodesW, edgesW io.Writer, g *Graph) error {
	return WriteCSVWith(nodesW, edgesW, g, CSVOptions{})
}

// WriteCSVWith is WriteCSV shaped by o.
func WriteCSVWith(nodesW, edgesW io.Writer, g *Graph, o CSVOptions) error {
	if err := WriteNodesCSVWith(nodesW, g, o); err != nil {
		return err
	}
	return WriteEdgesCSVWith(edgesW, g, o)
}
