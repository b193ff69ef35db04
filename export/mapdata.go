package export

import (
	"context"
	"fmt"
	"io"
	"slices"

	rg "github.com/regiongraph/regiongraph"
)

// MapData is what the map page draws (GET /map/data.json): the selection
// with positions and sizes, and a legend counting what is drawn.
type MapData struct {
	Filter string     `json:"filter"` // the filter as URL query parameters
	Metric string     `json:"metric"`
	Nodes  []MapNode  `json:"nodes"`
	Edges  []MapEdge  `json:"edges"`
	Legend MapLegend  `json:"legend"`
	Bounds [4]float64 `json:"bounds"` // minX, minY, maxX, maxY of the node centres
}

// MapNode is a drawn node.
type MapNode struct {
	ID     string  `json:"id"`
	Kind   rg.Kind `json:"kind"`
	Name   string  `json:"name"`
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	Size   float64 `json:"size"`   // radius in drawing units
	Value  float64 `json:"value"`  // the metric
	Degree int     `json:"degree"` // relations drawn
	// Code and PlanYear tell apart nodes of the same name (two initiatives
	// "Renovasjon", 2011 and 2014).
	Code     string `json:"code,omitempty"`
	PlanYear *int   `json:"planYear,omitempty"`
}

// MapEdge is a drawn relation.
type MapEdge struct {
	ID       string     `json:"id"`
	Kind     rg.RelKind `json:"kind"`
	From     string     `json:"from"`
	To       string     `json:"to"`
	FromYear *int       `json:"fromYear,omitempty"`
	ToYear   *int       `json:"toYear,omitempty"`
}

// MapLegend lists every kind and relation kind with its colour or style and
// how many are drawn.
type MapLegend struct {
	Kinds     []LegendKind     `json:"kinds"`
	Relations []LegendRelation `json:"relations"`
}

// LegendKind is one node kind in the legend.
type LegendKind struct {
	Kind  rg.Kind `json:"kind"`
	Enum  string  `json:"enum"` // the GraphQL NodeKind value
	Color string  `json:"color"`
	Count int     `json:"count"`
}

// LegendRelation is one relation kind in the legend.
type LegendRelation struct {
	Kind rg.RelKind `json:"kind"`
	EdgeStyle
	Count int `json:"count"`
}

// MapData returns the map page's form of g.
func (g *Graph) MapData() MapData {
	d := MapData{Filter: g.Filter.Query().Encode(), Metric: g.Metric, Nodes: make([]MapNode, len(g.Nodes)), Edges: make([]MapEdge, len(g.Edges))}
	kinds := map[rg.Kind]int{}
	rels := map[rg.RelKind]int{}
	for i, n := range g.Nodes {
		p := g.Pos[n.ID]
		d.Nodes[i] = MapNode{ID: n.ID, Kind: n.Kind, Name: n.Name, X: p.X, Y: p.Y, Size: g.Size(n.ID), Value: g.Values[n.ID], Degree: g.Degree[n.ID], Code: n.Code, PlanYear: n.PlanYear}
		kinds[n.Kind]++
		if i == 0 {
			d.Bounds = [4]float64{p.X, p.Y, p.X, p.Y}
		}
		d.Bounds = [4]float64{min(d.Bounds[0], p.X), min(d.Bounds[1], p.Y), max(d.Bounds[2], p.X), max(d.Bounds[3], p.Y)}
	}
	for i, e := range g.Edges {
		d.Edges[i] = MapEdge{ID: e.ID, Kind: e.Kind, From: e.From, To: e.To, FromYear: e.FromYear, ToYear: e.ToYear}
		rels[e.Kind]++
	}
	d.Legend = legend(kinds, rels)
	return d
}

// legend lists every kind and relation kind in their fixed order with the
// given counts.
func legend(kinds map[rg.Kind]int, rels map[rg.RelKind]int) MapLegend {
	var l MapLegend
	for _, k := range rg.Kinds {
		l.Kinds = append(l.Kinds, LegendKind{Kind: k, Enum: EnumName(k), Color: Color(k), Count: kinds[k]})
	}
	for _, r := range rg.RelKinds {
		l.Relations = append(l.Relations, LegendRelation{Kind: r, EdgeStyle: RelationStyles[r], Count: rels[r]})
	}
	return l
}

// WriteMapData writes g.MapData() as JSON.
func WriteMapData(w io.Writer, g *Graph) error {
	return writeJSON(w, "map data", g.MapData())
}

// MapOptions are the choices the map's filters offer: every kind and
// relation kind with its colour or style (counts 0), the plan years, every
// year the data names (the year slider runs over their span), the focus
// areas and the networks.
type MapOptions struct {
	Kinds     []LegendKind     `json:"kinds"`
	Relations []LegendRelation `json:"relations"`
	Years     []int            `json:"years"`
	// DataYears are the plan years and every year a relation starts or
	// ends in, ascending.
	DataYears  []int       `json:"dataYears"`
	FocusAreas []OptionRef `json:"focusAreas"`
	Networks   []OptionRef `json:"networks"`
}

// OptionRef is a node offered in a filter.
type OptionRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Code string `json:"code,omitempty"`
}

// Options reads the map's filter choices from the store: the distinct plan
// years of plans and initiatives, those and the years relations start and
// end in, and every focus area (by code) and network (by name).
func Options(ctx context.Context, s rg.Store) (MapOptions, error) {
	l := legend(nil, nil)
	o := MapOptions{Kinds: l.Kinds, Relations: l.Relations, Years: []int{}, DataYears: []int{}, FocusAreas: []OptionRef{}, Networks: []OptionRef{}}
	planned, err := findAll(ctx, s, rg.NodeFilter{Kinds: []rg.Kind{rg.KindPlan, rg.KindInitiative}, Order: rg.Order{Field: rg.OrderByID}})
	if err != nil {
		return MapOptions{}, fmt.Errorf("export: options: %w", err)
	}
	for _, n := range planned {
		if n.PlanYear != nil && !slices.Contains(o.Years, *n.PlanYear) {
			o.Years = append(o.Years, *n.PlanYear)
		}
	}
	slices.Sort(o.Years)
	all, err := s.Subgraph(ctx, rg.SubgraphFilter{})
	if err != nil {
		return MapOptions{}, fmt.Errorf("export: options: %w", err)
	}
	o.DataYears = slices.Clone(o.Years)
	for _, e := range all.Edges {
		for _, y := range []*int{e.FromYear, e.ToYear} {
			if y != nil && !slices.Contains(o.DataYears, *y) {
				o.DataYears = append(o.DataYears, *y)
			}
		}
	}
	slices.Sort(o.DataYears)
	fas, err := findAll(ctx, s, rg.NodeFilter{Kinds: []rg.Kind{rg.KindFocusArea}, Order: rg.Order{Field: rg.OrderByCode}})
	if err != nil {
		return MapOptions{}, fmt.Errorf("export: options: %w", err)
	}
	for _, n := range fas {
		o.FocusAreas = append(o.FocusAreas, OptionRef{ID: n.ID, Name: n.Name, Code: n.Code})
	}
	nets, err := findAll(ctx, s, rg.NodeFilter{Kinds: []rg.Kind{rg.KindNetwork}, Order: rg.Order{Field: rg.OrderByName}})
	if err != nil {
		return MapOptions{}, fmt.Errorf("export: options: %w", err)
	}
	for _, n := range nets {
		o.Networks = append(o.Networks, OptionRef{ID: n.ID, Name: n.Name})
	}
	return o, nil
}
