package export

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// xmlAttr is a shorthand for an XML attribute.
func xmlAttr(name, value string) xml.Attr { return xml.Attr{Name: xml.Name{Local: name}, Value: value} }

// xmlWriter writes elements with encoding/xml's escaping and remembers the
// first error.
type xmlWriter struct {
	enc *xml.Encoder
	err error
}

func newXMLWriter(w io.Writer) *xmlWriter {
	x := &xmlWriter{enc: xml.NewEncoder(w)}
	x.enc.Indent("", "  ")
	if _, err := io.WriteString(w, xml.Header); err != nil {
		x.err = err
	}
	return x
}

func (x *xmlWriter) start(name string, attrs ...xml.Attr) {
	if x.err == nil {
		x.err = x.enc.EncodeToken(xml.StartElement{Name: xml.Name{Local: name}, Attr: attrs})
	}
}

func (x *xmlWriter) end(name string) {
	if x.err == nil {
		x.err = x.enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: name}})
	}
}

func (x *xmlWriter) text(s string) {
	if x.err == nil {
		x.err = x.enc.EncodeToken(xml.CharData(s))
	}
}

// leaf writes <name attrs>text</name>.
func (x *xmlWriter) leaf(name, text string, attrs ...xml.Attr) {
	x.start(name, attrs...)
	if text != "" {
		x.text(text)
	}
	x.end(name)
}

var graphMLTypes = map[attrType]string{tString: "string", tInt: "int", tLong: "long", tDouble: "double", tBool: "boolean"}

// WriteGraphML writes g as GraphML (http://graphml.graphdrawing.org/): a
// directed graph with every node and relation attribute as a <key>, node
// ids and relation ids as in the store. Node keys are "n_<name>", relation
// keys "e_<name>" (see the package's attribute list); nodes and relations
// also carry yEd's graphics (ShapeNode: label, colour, position, size;
// PolyLineEdge: colour, dashes, arrow) so yEd shows the map as drawn.
func WriteGraphML(w io.Writer, g *Graph) error {
	return writeGraph(newGraphMLDoc(w), g, "GraphML")
}

// xmlDoc is what the XML formats share.
type xmlDoc struct {
	w io.Writer
	x *xmlWriter
}

func (d *xmlDoc) parts() (bool, bool) { return true, true }

// abort leaves the elements open, so that no XML parser takes the
// document for a whole one, and says why in a comment.
func (d *xmlDoc) abort(err error) {
	if d.x.err == nil {
		d.x.err = d.x.enc.EncodeToken(xml.Comment(" " + strings.ReplaceAll(incompleteNote(err), "--", "- -") + " "))
	}
}

func (d *xmlDoc) flush() error {
	if d.x.err == nil {
		d.x.err = d.x.enc.Flush()
	}
	return d.x.err
}

type graphMLDoc struct{ xmlDoc }

func newGraphMLDoc(w io.Writer) docWriter { return &graphMLDoc{xmlDoc{w: w}} }

func (d *graphMLDoc) begin(m docMeta) {
	d.x = newXMLWriter(d.w)
	x := d.x
	x.start("graphml",
		xmlAttr("xmlns", "http://graphml.graphdrawing.org/xmlns"),
		xmlAttr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
		xmlAttr("xmlns:y", "http://www.yworks.com/xml/graphml"),
		xmlAttr("xsi:schemaLocation", "http://graphml.graphdrawing.org/xmlns http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd"))
	x.leaf("desc", m.description())
	for _, a := range nodeAttrs {
		x.leaf("key", "", xmlAttr("id", "n_"+a.name), xmlAttr("for", "node"), xmlAttr("attr.name", a.name), xmlAttr("attr.type", graphMLTypes[a.typ]))
	}
	for _, a := range edgeAttrs {
		x.leaf("key", "", xmlAttr("id", "e_"+a.name), xmlAttr("for", "edge"), xmlAttr("attr.name", a.name), xmlAttr("attr.type", graphMLTypes[a.typ]))
	}
	x.leaf("key", "", xmlAttr("id", "n_yed"), xmlAttr("for", "node"), xmlAttr("yfiles.type", "nodegraphics"))
	x.leaf("key", "", xmlAttr("id", "e_yed"), xmlAttr("for", "edge"), xmlAttr("yfiles.type", "edgegraphics"))
	x.start("graph", xmlAttr("id", "regiongraph"), xmlAttr("edgedefault", "directed"))
}

func (d *graphMLDoc) node(g *Graph, n *rg.Node) {
	x := d.x
	x.start("node", xmlAttr("id", n.ID))
	for _, a := range nodeAttrs {
		if v, ok := a.get(g, n); ok {
			x.leaf("data", text(v), xmlAttr("key", "n_"+a.name))
		}
	}
	x.start("data", xmlAttr("key", "n_yed"))
	x.start("y:ShapeNode")
	if p, ok := g.Pos[n.ID]; ok {
		d := 2 * g.Size(n.ID)
		x.leaf("y:Geometry", "", xmlAttr("x", num(round2(p.X-d/2))), xmlAttr("y", num(round2(p.Y-d/2))), xmlAttr("width", num(d)), xmlAttr("height", num(d)))
	}
	x.leaf("y:Fill", "", xmlAttr("color", Color(n.Kind)), xmlAttr("transparent", "false"))
	x.leaf("y:BorderStyle", "", xmlAttr("color", "#1A1A1A"), xmlAttr("type", "line"), xmlAttr("width", "1.0"))
	x.leaf("y:NodeLabel", n.Name, xmlAttr("modelName", "sides"), xmlAttr("modelPosition", "s"))
	x.leaf("y:Shape", "", xmlAttr("type", "ellipse"))
	x.end("y:ShapeNode")
	x.end("data")
	x.end("node")
}

func (d *graphMLDoc) edges() {}

func (d *graphMLDoc) edge(g *Graph, e *rg.Edge) {
	x := d.x
	x.start("edge", xmlAttr("id", e.ID), xmlAttr("source", e.From), xmlAttr("target", e.To))
	for _, a := range edgeAttrs {
		if v, ok := a.get(g, e); ok {
			x.leaf("data", text(v), xmlAttr("key", "e_"+a.name))
		}
	}
	st := RelationStyles[e.Kind]
	line := "line"
	if st.Dash != "" {
		line = "dashed"
	}
	x.start("data", xmlAttr("key", "e_yed"))
	x.start("y:PolyLineEdge")
	x.leaf("y:LineStyle", "", xmlAttr("color", st.Color), xmlAttr("type", line), xmlAttr("width", num(st.Width)))
	x.leaf("y:Arrows", "", xmlAttr("source", "none"), xmlAttr("target", "standard"))
	x.leaf("y:EdgeLabel", string(e.Kind), xmlAttr("visible", "false"))
	x.end("y:PolyLineEdge")
	x.end("data")
	x.end("edge")
}

func (d *graphMLDoc) end() {
	d.x.end("graph")
	d.x.end("graphml")
	if d.x.err == nil {
		d.x.err = d.x.enc.Close()
	}
}

var gexfTypes = map[attrType]string{tString: "string", tInt: "integer", tLong: "long", tDouble: "double", tBool: "boolean"}

// gexfSkip are the attributes GEXF carries natively (label, viz).
var gexfSkip = map[string]bool{"label": true, "x": true, "y": true, "size": true, "color": true}

// WriteGEXF writes g as GEXF 1.3 (https://gexf.net/), the format Gephi reads
// best: a static directed graph whose relations carry their kind in the
// edge's kind attribute (so Gephi keeps parallel relations of different
// kinds apart), the other fields as attributes, and the map's colours,
// positions and sizes as viz elements. GEXF's y axis points up, so y is
// negated to keep the map's orientation.
func WriteGEXF(w io.Writer, g *Graph) error {
	return writeGraph(newGEXFDoc(w), g, "GEXF")
}

type gexfDoc struct {
	xmlDoc
	m docMeta
}

func newGEXFDoc(w io.Writer) docWriter { return &gexfDoc{xmlDoc: xmlDoc{w: w}} }

// counted returns the attributes of <nodes> or <edges>: the count, when
// it is known before they are written.
func counted(n int) []xml.Attr {
	if n < 0 {
		return nil
	}
	return []xml.Attr{xmlAttr("count", strconv.Itoa(n))}
}

func (d *gexfDoc) begin(m docMeta) {
	d.m = m
	d.x = newXMLWriter(d.w)
	x := d.x
	x.start("gexf",
		xmlAttr("xmlns", "http://gexf.net/1.3"),
		xmlAttr("xmlns:viz", "http://gexf.net/1.3/viz"),
		xmlAttr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
		xmlAttr("xsi:schemaLocation", "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"),
		xmlAttr("version", "1.3"))
	x.start("meta")
	x.leaf("creator", "regiongraph")
	x.leaf("description", m.description())
	x.end("meta")
	x.start("graph", xmlAttr("defaultedgetype", "directed"), xmlAttr("mode", "static"))
	x.start("attributes", xmlAttr("class", "node"))
	for _, a := range nodeAttrs {
		if !gexfSkip[a.name] {
			x.leaf("attribute", "", xmlAttr("id", a.name), xmlAttr("title", a.name), xmlAttr("type", gexfTypes[a.typ]))
		}
	}
	x.end("attributes")
	x.start("attributes", xmlAttr("class", "edge"))
	for _, a := range edgeAttrs {
		if !gexfSkip[a.name] {
			x.leaf("attribute", "", xmlAttr("id", a.name), xmlAttr("title", a.name), xmlAttr("type", gexfTypes[a.typ]))
		}
	}
	x.end("attributes")
	x.start("nodes", counted(m.nodes)...)
}

func (d *gexfDoc) node(g *Graph, n *rg.Node) {
	x := d.x
	x.start("node", xmlAttr("id", n.ID), xmlAttr("label", n.Name))
	x.start("attvalues")
	for _, a := range nodeAttrs {
		if v, ok := a.get(g, n); ok && !gexfSkip[a.name] {
			x.leaf("attvalue", "", xmlAttr("for", a.name), xmlAttr("value", text(v)))
		}
	}
	x.end("attvalues")
	r, gr, b := rgb(Color(n.Kind))
	x.leaf("viz:color", "", xmlAttr("r", strconv.Itoa(r)), xmlAttr("g", strconv.Itoa(gr)), xmlAttr("b", strconv.Itoa(b)))
	if p, ok := g.Pos[n.ID]; ok {
		x.leaf("viz:position", "", xmlAttr("x", num(p.X)), xmlAttr("y", num(-p.Y)), xmlAttr("z", "0"))
		x.leaf("viz:size", "", xmlAttr("value", num(g.Size(n.ID))))
	}
	x.leaf("viz:shape", "", xmlAttr("value", "disc"))
	x.end("node")
}

func (d *gexfDoc) edges() {
	d.x.end("nodes")
	d.x.start("edges", counted(d.m.edges)...)
}

func (d *gexfDoc) edge(g *Graph, e *rg.Edge) {
	x := d.x
	x.start("edge", xmlAttr("id", e.ID), xmlAttr("source", e.From), xmlAttr("target", e.To), xmlAttr("label", string(e.Kind)), xmlAttr("kind", string(e.Kind)))
	x.start("attvalues")
	for _, a := range edgeAttrs {
		if v, ok := a.get(g, e); ok && !gexfSkip[a.name] {
			x.leaf("attvalue", "", xmlAttr("for", a.name), xmlAttr("value", text(v)))
		}
	}
	x.end("attvalues")
	r, gr, b := rgb(RelationStyles[e.Kind].Color)
	x.leaf("viz:color", "", xmlAttr("r", strconv.Itoa(r)), xmlAttr("g", strconv.Itoa(gr)), xmlAttr("b", strconv.Itoa(b)))
	x.leaf("viz:thickness", "", xmlAttr("value", num(RelationStyles[e.Kind].Width)))
	if RelationStyles[e.Kind].Dash != "" {
		x.leaf("viz:shape", "", xmlAttr("value", "dashed"))
	}
	x.end("edge")
}

func (d *gexfDoc) end() {
	d.x.end("edges")
	d.x.end("graph")
	d.x.end("gexf")
	if d.x.err == nil {
		d.x.err = d.x.enc.Close()
	}
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// rgb parses "#RRGGBB"; anything else is grey.
func rgb(hex string) (r, g, b int) {
	if len(hex) != 7 || hex[0] != '#' {
		return 153, 153, 153
	}
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		return 153, 153, 153
	}
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}
