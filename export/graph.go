package export

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// Graph is a selection ready to draw or write: the nodes and relations (by
// id), the layout and the metric that sizes the nodes.
//
// A streamed export (Stream) writes each page of nodes through a Graph
// without a layout: Pos is nil, so positions and sizes are left out, and
// Degree holds the page's nodes only.
type Graph struct {
	Filter Filter
	Nodes  []*rg.Node
	Edges  []*rg.Edge
	Pos    map[string]Point
	Degree map[string]int // relations of each node within the selection
	// Metric names what sizes the nodes ("degree" unless SetMetric was
	// called) and Values holds it per node.
	Metric string
	Values map[string]float64

	lo, hi float64 // the smallest and largest value
}

// Metric names.
const MetricDegree = "degree"

// Size bounds: the radius of a node in drawing units.
const (
	MinSize = 5
	MaxSize = 22
)

// New lays out sg and sizes its nodes by degree.
func New(f Filter, sg *rg.Subgraph) *Graph {
	g, _ := NewContext(context.Background(), f, sg)
	return g
}

// NewContext is New that stops laying out when ctx is done, returning its
// error.
func NewContext(ctx context.Context, f Filter, sg *rg.Subgraph) (*Graph, error) {
	pos, err := cachedLayout(ctx, sg)
	if err != nil {
		return nil, err
	}
	g := &Graph{Filter: f, Nodes: sg.Nodes, Edges: sg.Edges, Pos: pos, Degree: map[string]int{}}
	for _, n := range sg.Nodes {
		g.Degree[n.ID] = 0
	}
	for _, e := range sg.Edges {
		g.Degree[e.From]++
		g.Degree[e.To]++
	}
	values := make(map[string]float64, len(g.Degree))
	for id, d := range g.Degree {
		values[id] = float64(d)
	}
	g.SetMetric(MetricDegree, values)
	if err := g.spread(ctx); err != nil {
		return nil, err
	}
	return g, nil
}

// spread moves apart nodes whose circles (at their Size) overlap, so that
// two large nodes joined by a short relation do not cover each other. It
// runs a few rounds in id order, so it is deterministic; selections larger
// than cacheMaxNodes are left as laid out.
func (g *Graph) spread(ctx context.Context) error {
	n := len(g.Nodes)
	if n > cacheMaxNodes {
		return nil
	}
	pos := make([]Point, n)
	size := make([]float64, n)
	for i, nd := range g.Nodes {
		pos[i], size[i] = g.Pos[nd.ID], g.Size(nd.ID)
	}
	for round := 0; round < 20; round++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("layout: %w", err)
		}
		moved := false
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				need := size[i] + size[j] + 3
				dx, dy := pos[j].X-pos[i].X, pos[j].Y-pos[i].Y
				d := math.Hypot(dx, dy)
				if d >= need {
					continue
				}
				if d < 1e-9 {
					dx, dy, d = 1, 0, 1
				}
				f := (need - d) / (2 * d)
				pos[i].X, pos[i].Y = pos[i].X-dx*f, pos[i].Y-dy*f
				pos[j].X, pos[j].Y = pos[j].X+dx*f, pos[j].Y+dy*f
				moved = true
			}
		}
		if !moved {
			break
		}
	}
	// Back to the positive quadrant with the same margin Layout keeps.
	minX, minY := math.Inf(1), math.Inf(1)
	for _, p := range pos {
		minX, minY = math.Min(minX, p.X), math.Min(minY, p.Y)
	}
	dx, dy := math.Max(0, MaxSize-minX), math.Max(0, MaxSize-minY)
	g.Pos = make(map[string]Point, n)
	for i, nd := range g.Nodes {
		g.Pos[nd.ID] = Point{X: round2(pos[i].X + dx), Y: round2(pos[i].Y + dy)}
	}
	return nil
}

// Build selects f from the store and lays it out.
func Build(ctx context.Context, s rg.Store, f Filter) (*Graph, error) {
	sg, err := Select(ctx, s, f)
	if err != nil {
		return nil, err
	}
	return NewContext(ctx, f, sg)
}

// LaidOut reports whether g has a layout (positions and sizes); a page of
// a streamed export has none.
func (g *Graph) LaidOut() bool { return g.Pos != nil }

// SetMetric sizes the nodes by values (missing nodes count as 0).
func (g *Graph) SetMetric(name string, values map[string]float64) {
	g.Metric, g.Values = name, values
	g.lo, g.hi = math.Inf(1), math.Inf(-1)
	for _, n := range g.Nodes {
		v := values[n.ID]
		g.lo, g.hi = math.Min(g.lo, v), math.Max(g.hi, v)
	}
}

// Size is the radius of node id in drawing units: MinSize for the smallest
// metric value in the graph up to MaxSize for the largest, by square root
// (so that the area grows with the value).
func (g *Graph) Size(id string) float64 {
	if !(g.hi > g.lo) {
		return (MinSize + MaxSize) / 2
	}
	t := math.Sqrt(math.Max(0, g.Values[id]-g.lo) / (g.hi - g.lo))
	return round2(MinSize + t*(MaxSize-MinSize))
}

// KindColors are the node colours by kind, shared by the map and the
// exports (the Okabe–Ito palette and darker companions, readable for
// colour-blind people; the map draws a dark outline around every node).
var KindColors = map[rg.Kind]string{
	rg.KindMunicipality: "#0072B2",
	rg.KindRegion:       "#D55E00",
	rg.KindNetwork:      "#009E73",
	rg.KindPartner:      "#CC79A7",
	rg.KindFund:         "#E69F00",
	rg.KindInitiative:   "#56B4E9",
	rg.KindFocusArea:    "#6A3D9A",
	rg.KindStrategyArea: "#B2A1D4",
	rg.KindTopic:        "#8C6D31",
	rg.KindPlan:         "#7F7F7F",
}

// EdgeStyle is how the map draws a relation kind: an SVG stroke colour, a
// stroke-dasharray ("" for solid) and a width.
type EdgeStyle struct {
	Color string  `json:"color"`
	Dash  string  `json:"dash"`
	Width float64 `json:"width"`
}

// RelationStyles are the edge styles by relation kind: memberships grey,
// work blue and green, money orange and dashed, structure (areas, plans,
// parts) light and dotted.
var RelationStyles = map[rg.RelKind]EdgeStyle{
	rg.RelMemberOf:       {"#4D4D4D", "", 1.5},
	rg.RelParticipatesIn: {"#3B6FB6", "", 1.2},
	rg.RelFacilitates:    {"#1B7F4B", "", 2},
	rg.RelCoordinates:    {"#B34700", "", 2},
	rg.RelFunds:          {"#B07800", "6 3", 2.2},
	rg.RelAdministers:    {"#B07800", "2 2", 1.5},
	rg.RelPartnerOf:      {"#A0406E", "", 1.8},
	rg.RelRepresentedIn:  {"#6B4FA0", "6 3", 1.5},
	rg.RelInFocusArea:    {"#6A3D9A", "2 3", 1.2},
	rg.RelInStrategyArea: {"#8E7CB8", "2 3", 1},
	rg.RelRelevantFor:    {"#8E7CB8", "1 4", 1},
	rg.RelPartOf:         {"#6E6E6E", "4 2", 1.2},
	rg.RelConcerns:       {"#8C6D31", "5 3", 1.2},
	rg.RelInPlan:         {"#9A9A9A", "1 3", 1},
	rg.RelOverlaps:       {"#C0392B", "8 2 2 2", 1.5},
}

// Color is the colour of nodes of kind k.
func Color(k rg.Kind) string {
	if c, ok := KindColors[k]; ok {
		return c
	}
	return "#999999"
}

// attrType is the type of an attribute in the typed formats.
type attrType int

const (
	tString attrType = iota
	tInt
	tLong
	tDouble
	tBool
)

// attr is one column of the exports: its name, type and value for a node or
// relation (ok false when the node or relation has none).
type attr[T any] struct {
	name string
	typ  attrType
	get  func(g *Graph, x T) (any, bool)
}

func str(s string) (any, bool) { return s, s != "" }

func intp(p *int) (any, bool) {
	if p == nil {
		return nil, false
	}
	return *p, true
}

func longp(p *int64) (any, bool) {
	if p == nil {
		return nil, false
	}
	return *p, true
}

// nodeAttrs are the node columns after id, in order. "label" is the name.
var nodeAttrs = []attr[*rg.Node]{
	{"label", tString, func(_ *Graph, n *rg.Node) (any, bool) { return n.Name, true }},
	{"kind", tString, func(_ *Graph, n *rg.Node) (any, bool) { return string(n.Kind), true }},
	{"aliases", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(strings.Join(n.Aliases, "; ")) }},
	{"description", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Description) }},
	{"code", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Code) }},
	{"planYear", tInt, func(_ *Graph, n *rg.Node) (any, bool) { return intp(n.PlanYear) }},
	{"number", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Number) }},
	{"county", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.County) }},
	{"field", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Field) }},
	{"category", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Category) }},
	{"costNok", tLong, func(_ *Graph, n *rg.Node) (any, bool) { return longp(n.CostNok) }},
	{"costText", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.CostText) }},
	{"adopted", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Adopted) }},
	{"sourcePlan", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Source.Plan) }},
	{"sourceSection", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Source.Section) }},
	{"sourceQuote", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Source.Quote) }},
	{"sourceOutside", tBool, func(_ *Graph, n *rg.Node) (any, bool) { return n.Source.Outside, n.Source.Outside }},
	{"sourceReference", tString, func(_ *Graph, n *rg.Node) (any, bool) { return str(n.Source.Reference) }},
	{"x", tDouble, func(g *Graph, n *rg.Node) (any, bool) { p, ok := g.Pos[n.ID]; return p.X, ok }},
	{"y", tDouble, func(g *Graph, n *rg.Node) (any, bool) { p, ok := g.Pos[n.ID]; return p.Y, ok }},
	{"size", tDouble, func(g *Graph, n *rg.Node) (any, bool) { return g.Size(n.ID), g.LaidOut() }},
	{"degree", tInt, func(g *Graph, n *rg.Node) (any, bool) { return g.Degree[n.ID], true }},
	{"color", tString, func(_ *Graph, n *rg.Node) (any, bool) { return Color(n.Kind), true }},
}

// edgeAttrs are the relation columns after id, source and target. "label"
// is the relation kind.
var edgeAttrs = []attr[*rg.Edge]{
	{"label", tString, func(_ *Graph, e *rg.Edge) (any, bool) { return string(e.Kind), true }},
	{"kind", tString, func(_ *Graph, e *rg.Edge) (any, bool) { return string(e.Kind), true }},
	{"fromYear", tInt, func(_ *Graph, e *rg.Edge) (any, bool) { return intp(e.FromYear) }},
	{"toYear", tInt, func(_ *Graph, e *rg.Edge) (any, bool) { return intp(e.ToYear) }},
	{"amountNok", tLong, func(_ *Graph, e *rg.Edge) (any, bool) { return longp(e.AmountNok) }},
	{"asWritten", tString, func(_ *Graph, e *rg.Edge) (any, bool) { return str(e.AsWritten) }},
	{"role", tString, func(_ *Graph, e *rg.Edge) (any, bool) { return str(e.Role) }},
	{"sourcePlan", tString, func(_ *Graph, e *rg.Edge) (any, bool) { return str(e.Source.Plan) }},
	{"sourceSection", tString, func(_ *Graph, e *rg.Edge) (any, bool) { return str(e.Source.Section) }},
	{"sourceQuote", tString, func(_ *Graph, e *rg.Edge) (any, bool) { return str(e.Source.Quote) }},
	{"sourceOutside", tBool, func(_ *Graph, e *rg.Edge) (any, bool) { return e.Source.Outside, e.Source.Outside }},
	{"sourceReference", tString, func(_ *Graph, e *rg.Edge) (any, bool) { return str(e.Source.Reference) }},
	{"color", tString, func(_ *Graph, e *rg.Edge) (any, bool) { return RelationStyles[e.Kind].Color, true }},
}

// text formats an attribute value for the text formats (XML, CSV).
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}
