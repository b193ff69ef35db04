package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	rg "github.com/regiongraph/regiongraph"
)

// nodeData is a node's attributes as a JSON object: id, then every node
// attribute the node has.
func nodeData(g *Graph, n *rg.Node, skip map[string]bool) map[string]any {
	m := map[string]any{"id": n.ID}
	for _, a := range nodeAttrs {
		if v, ok := a.get(g, n); ok && !skip[a.name] {
			m[a.name] = v
		}
	}
	return m
}

func edgeData(g *Graph, e *rg.Edge, skip map[string]bool) map[string]any {
	m := map[string]any{"id": e.ID, "source": e.From, "target": e.To}
	for _, a := range edgeAttrs {
		if v, ok := a.get(g, e); ok && !skip[a.name] {
			m[a.name] = v
		}
	}
	return m
}

// jsonDoc writes a JSON document piece by piece: the frame as text, each
// element with encoding/json (no HTML escaping), as one line, as
// json.Encoder would write the whole document.
type jsonDoc struct {
	out   errWriter
	enc   *json.Encoder
	buf   *bytes.Buffer
	first bool // the next element is the first of its list
}

func newJSONDoc(w io.Writer) jsonDoc {
	d := jsonDoc{out: errWriter{w: w}, buf: new(bytes.Buffer)}
	d.enc = json.NewEncoder(d.buf)
	d.enc.SetEscapeHTML(false)
	return d
}

// value writes v as JSON.
func (d *jsonDoc) value(v any) {
	if d.out.err != nil {
		return
	}
	d.buf.Reset()
	if err := d.enc.Encode(v); err != nil {
		d.out.err = err
		return
	}
	d.out.write(bytes.TrimSuffix(d.buf.Bytes(), []byte("\n")))
}

// element writes v as the next element of a list.
func (d *jsonDoc) element(v any) {
	if !d.first {
		d.out.str(",")
	}
	d.first = false
	d.value(v)
}

// list ends nothing and begins a list after text.
func (d *jsonDoc) list(text string) {
	d.out.str(text)
	d.first = true
}

func (d *jsonDoc) parts() (bool, bool) { return true, true }

// abort leaves the document unterminated: no JSON parser accepts it.
func (d *jsonDoc) abort(error) {}

func (d *jsonDoc) flush() error { return d.out.err }

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

// jsonHeader is the document's own data: its name, the filter, and the
// metric that sizes the nodes or, for a streamed export, layout "none".
func jsonHeader(m docMeta) map[string]any {
	h := map[string]any{"name": "regiongraph partnership map", "filter": m.filter}
	if m.streamed {
		h["layout"] = "none"
	} else {
		h["metric"] = m.metric
	}
	return h
}

// WriteCytoscape writes g as Cytoscape.js JSON: {"elements": {"nodes":
// [{"group": "nodes", "data": {"id", "label", "kind", ...}, "position":
// {"x", "y"}}], "edges": [{"group": "edges", "data": {"id", "source",
// "target", "kind", ...}}]}}. Cytoscape.js needs node and edge ids to differ;
// the store's ids are used as they are.
func WriteCytoscape(w io.Writer, g *Graph) error {
	return writeGraph(newCytoscapeDoc(w), g, "Cytoscape.js JSON")
}

type cytoscapeDoc struct{ jsonDoc }

func newCytoscapeDoc(w io.Writer) docWriter { return &cytoscapeDoc{newJSONDoc(w)} }

func (d *cytoscapeDoc) begin(m docMeta) {
	d.out.str(`{"data":`)
	d.value(jsonHeader(m))
	d.list(`,"elements":{"nodes":[`)
}

func (d *cytoscapeDoc) node(g *Graph, n *rg.Node) {
	el := CytoscapeElement{Group: "nodes", Data: nodeData(g, n, jsonPosSkip)}
	if p, ok := g.Pos[n.ID]; ok {
		el.Position = &p
	}
	d.element(el)
}

func (d *cytoscapeDoc) edges() { d.list(`],"edges":[`) }

func (d *cytoscapeDoc) edge(g *Graph, e *rg.Edge) {
	d.element(CytoscapeElement{Group: "edges", Data: edgeData(g, e, nil)})
}

func (d *cytoscapeDoc) end() { d.out.str("]}}\n") }

// Graphology is graphology's serialized graph, which sigma.js draws:
// Graph.from(doc) or graph.import(doc).
type Graphology struct {
	Attributes map[string]any    `json:"attributes"`
	Options    GraphologyOptions `json:"options"`
	Nodes      []GraphologyNode  `json:"nodes"`
	Edges      []GraphologyEdge  `json:"edges"`
}

// GraphologyOptions are a graphology graph's options.
type GraphologyOptions struct {
	Type           string `json:"type"`
	Multi          bool   `json:"multi"`
	AllowSelfLoops bool   `json:"allowSelfLoops"`
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
	return writeGraph(newGraphologyDoc(w), g, "graphology JSON")
}

type graphologyDoc struct{ jsonDoc }

func newGraphologyDoc(w io.Writer) docWriter { return &graphologyDoc{newJSONDoc(w)} }

func (d *graphologyDoc) begin(m docMeta) {
	d.out.str(`{"attributes":`)
	d.value(jsonHeader(m))
	d.out.str(`,"options":`)
	d.value(GraphologyOptions{Type: "directed", Multi: true, AllowSelfLoops: true})
	d.list(`,"nodes":[`)
}

func (d *graphologyDoc) node(g *Graph, n *rg.Node) {
	a := nodeData(g, n, nil)
	delete(a, "id")
	if p, ok := g.Pos[n.ID]; ok {
		a["y"] = -p.Y
	}
	d.element(GraphologyNode{Key: n.ID, Attributes: a})
}

func (d *graphologyDoc) edges() { d.list(`],"edges":[`) }

func (d *graphologyDoc) edge(g *Graph, e *rg.Edge) {
	a := edgeData(g, e, nil)
	delete(a, "id")
	delete(a, "source")
	delete(a, "target")
	a["size"] = RelationStyles[e.Kind].Width
	d.element(GraphologyEdge{Key: e.ID, Source: e.From, Target: e.To, Attributes: a})
}

func (d *graphologyDoc) end() { d.out.str("]}\n") }

func writeJSON(w io.Writer, format string, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("export: write %s: %w", format, err)
	}
	return nil
}
