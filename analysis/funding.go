package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// FundingGroup is a dimension funding is grouped by.
type FundingGroup string

const (
	// GroupFund: the source of a FUNDS relation to the initiative, as
	// recorded (a Fund node, or an actor paying directly).
	GroupFund FundingGroup = "FUND"
	// GroupFunder: who holds the money: the actors that ADMINISTER the
	// fund (several make several buckets), else the FUNDS source itself.
	GroupFunder FundingGroup = "FUNDER"
	// GroupFocusArea, GroupStrategyArea, GroupTopic: the initiative's
	// IN_FOCUS_AREA, IN_STRATEGY_AREA and CONCERNS targets.
	GroupFocusArea    FundingGroup = "FOCUS_AREA"
	GroupStrategyArea FundingGroup = "STRATEGY_AREA"
	GroupTopic        FundingGroup = "TOPIC"
	// GroupYear: the year of the amount.
	GroupYear FundingGroup = "YEAR"
)

// FundingGroups lists every group in a fixed order.
var FundingGroups = []FundingGroup{GroupFund, GroupFunder, GroupFocusArea, GroupStrategyArea, GroupYear, GroupTopic}

// Valid reports whether g is a known group.
func (g FundingGroup) Valid() bool { return slices.Contains(FundingGroups, g) }

// FundingRelations are the relation kinds funding reads; FundingKinds the
// node kinds.
var (
	FundingRelations = []rg.RelKind{rg.RelFunds, rg.RelAdministers, rg.RelInFocusArea, rg.RelInStrategyArea, rg.RelConcerns, rg.RelPartOf, rg.RelOverlaps}
	FundingKinds     = append(slices.Clone(rg.ActorKinds), rg.KindInitiative, rg.KindFocusArea, rg.KindStrategyArea, rg.KindTopic)
)

// MaxGroupBy bounds the dimensions of one summary.
const MaxGroupBy = 3

// Key is one bucket's value in one dimension: a node, or a year for YEAR.
// A nil Node (and Year 0 for YEAR) means the item has none.
type Key struct {
	Group FundingGroup
	Node  *rg.Node
	Year  int
}

// ID identifies the key: the node id, the year, or "" for none.
func (k Key) ID() string {
	switch {
	case k.Node != nil:
		return k.Node.ID
	case k.Group == GroupYear && k.Year != 0:
		return strconv.Itoa(k.Year)
	}
	return ""
}

// Label names the key: the node's name, the year, or "(none)".
func (k Key) Label() string {
	switch {
	case k.Node != nil:
		return k.Node.Name
	case k.Group == GroupYear && k.Year != 0:
		return strconv.Itoa(k.Year)
	}
	return "(none)"
}

// Item is one initiative's amount for one year.
type Item struct {
	Initiative *rg.Node
	Year       int // 0 when the plan gives an amount without a year
	AmountNok  int64
	// Shared is set when the item is in more than one bucket of the
	// summary: its whole amount is counted in each, never split.
	Shared bool
	// Funding are the FUNDS relations to the initiative (or, when it has
	// none, to the nearest ancestor that has), with the financing cell as
	// written and the source.
	Funding []*rg.Edge
}

// Bucket is the items that share one key per dimension.
type Bucket struct {
	Keys      []Key
	TotalNok  int64 // every item's whole amount
	SharedNok int64 // the part of TotalNok from shared items
	Items     []Item
}

// Excluded is an amount left out of the totals, and why.
type Excluded struct {
	Initiative *rg.Node
	Year       int
	AmountNok  int64
	Reason     string
	// CountedAs is the initiative whose amount is counted instead, if any.
	CountedAs *rg.Node
}

// Summary is funding grouped by one or more dimensions.
type Summary struct {
	GroupBy []FundingGroup
	Year    *int
	// TotalNok counts every item once; the buckets' totals add up to more
	// when items are shared.
	TotalNok int64
	Count    int
	Buckets  []Bucket
	Excluded []Excluded
}

// FundingSummary groups the amounts of the initiatives in sg by groupBy
// (one bucket per combination of keys) for year (nil: every year).
//
// What the totals include:
//
//   - An initiative's amount for a year is regiongraph.Node.AmountIn: the
//     yearly amount, else its cost in its plan year. Without a year, every
//     yearly amount (or the cost, in the plan year) is an item.
//   - A cost shared by several funders (or areas, topics) is counted whole
//     in every bucket it belongs to and flagged Shared; it is never split.
//     Summary.TotalNok counts it once.
//   - Appendix detail is left out (Excluded): an initiative in no focus
//     area that is PART_OF one that is (the SuksIT appendix under row 5.1),
//     or that OVERLAPS another initiative (the same measure described
//     twice). Their amounts are never added to main-table totals.
//   - A sub-activity (PART_OF) is left out for a year its parent (or a
//     further ancestor) has its own counted amount, so that a row and its
//     parts are not both counted. Where the parent has no cost, the
//     sub-activities carry the costs and count.
//   - A sub-activity without FUNDS, areas or topics of its own takes its
//     nearest ancestor's. An item with no key in a dimension goes to that
//     dimension's "(none)" bucket, so no amount is dropped silently.
//
// scope, when not nil, restricts the summary to those initiative ids.
// Buckets are ordered by TotalNok descending, then key ids; items by
// initiative id, then year.
func FundingSummary(ctx context.Context, sg *rg.Subgraph, groupBy []FundingGroup, year *int, scope []string) (*Summary, error) {
	if err := validateGroups("groupBy", groupBy, 1, MaxGroupBy); err != nil {
		return nil, err
	}
	return fundingSummary(ctx, newFundingGraph(sg, year), groupBy, year, scope)
}

func fundingSummary(ctx context.Context, fg *fundingGraph, groupBy []FundingGroup, year *int, scope []string) (*Summary, error) {
	items, excluded, err := fg.items(ctx, year, scope)
	if err != nil {
		return nil, err
	}
	s := &Summary{GroupBy: slices.Clone(groupBy), Year: year, Excluded: excluded}
	buckets := map[string]*Bucket{}
	inBuckets := map[int]int{} // item index -> buckets it is in
	type entry struct {
		bucket *Bucket
		item   int
	}
	var entries []entry
	for i, it := range items {
		s.TotalNok += it.AmountNok
		s.Count++
		combos := fg.combos(it, groupBy)
		for _, c := range combos {
			id := comboID(c)
			b := buckets[id]
			if b == nil {
				b = &Bucket{Keys: c}
				buckets[id] = b
			}
			entries = append(entries, entry{b, i})
			inBuckets[i]++
		}
	}
	for _, e := range entries {
		it := items[e.item]
		it.Shared = inBuckets[e.item] > 1
		e.bucket.Items = append(e.bucket.Items, it)
		e.bucket.TotalNok += it.AmountNok
		if it.Shared {
			e.bucket.SharedNok += it.AmountNok
		}
	}
	for _, b := range buckets {
		s.Buckets = append(s.Buckets, *b)
	}
	slices.SortFunc(s.Buckets, func(a, b Bucket) int {
		return cmp.Or(-cmp.Compare(a.TotalNok, b.TotalNok), compareKeys(a.Keys, b.Keys))
	})
	return s, nil
}

// validateGroups checks a list of dimensions: known, distinct, and
// between lo and hi of them.
func validateGroups(field string, groups []FundingGroup, lo, hi int) error {
	if len(groups) < lo || len(groups) > hi {
		return rg.FieldErrorf(field, "%d dimensions given; give %d to %d", len(groups), lo, hi)
	}
	for i, g := range groups {
		if !g.Valid() {
			return rg.FieldErrorf(fmt.Sprintf("%s[%d]", field, i), "unknown funding group %q", g)
		}
		if slices.Contains(groups[:i], g) {
			return rg.FieldErrorf(fmt.Sprintf("%s[%d]", field, i), "%s is given twice", g)
		}
	}
	return nil
}

func comboID(keys []Key) string {
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(string(k.Group))
		sb.WriteByte('=')
		sb.WriteString(k.ID())
		sb.WriteByte(';')
	}
	return sb.String()
}

func compareKeys(a, b []Key) int {
	for i := range min(len(a), len(b)) {
		// "(none)" sorts last.
		ai, bi := a[i].ID(), b[i].ID()
		if c := cmp.Or(cmp.Compare(boolInt(ai == ""), boolInt(bi == "")), cmp.Compare(a[i].Year, b[i].Year), strings.Compare(ai, bi)); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fundingGraph indexes a subgraph's relations for funding.
type fundingGraph struct {
	nodes map[string]*rg.Node
	out   map[string][]*rg.Edge // by From, relations that hold
	in    map[string][]*rg.Edge // by To
	inits []*rg.Node            // initiatives, by id
	// year is the year seen: the methods follow only relations that hold
	// in it. newFundingGraph also leaves out the others; a graph of every
	// year seen as of one (at) keeps them in out and in.
	year *int
}

// holds reports whether e holds in the year seen.
func (fg *fundingGraph) holds(e *rg.Edge) bool { return e.HoldsInYear(fg.year) }

// at returns the graph as of year; fg must hold every year's relations.
func (fg *fundingGraph) at(year *int) *fundingGraph {
	c := *fg
	c.year = year
	return &c
}

func newFundingGraph(sg *rg.Subgraph, year *int) *fundingGraph {
	fg := &fundingGraph{nodes: map[string]*rg.Node{}, out: map[string][]*rg.Edge{}, in: map[string][]*rg.Edge{}, year: year}
	if sg == nil {
		return fg
	}
	for _, n := range sg.Nodes {
		fg.nodes[n.ID] = n
		if n.Kind == rg.KindInitiative {
			fg.inits = append(fg.inits, n)
		}
	}
	slices.SortFunc(fg.inits, func(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) })
	for _, e := range sg.Edges {
		if !e.HoldsInYear(year) || fg.nodes[e.From] == nil || fg.nodes[e.To] == nil {
			continue
		}
		fg.out[e.From] = append(fg.out[e.From], e)
		fg.in[e.To] = append(fg.in[e.To], e)
	}
	return fg
}

// targets returns the nodes id relates to by kind (out), by id.
func (fg *fundingGraph) targets(id string, kind rg.RelKind) []*rg.Node {
	var out []*rg.Node
	for _, e := range fg.out[id] {
		if e.Kind == kind && fg.holds(e) {
			out = append(out, fg.nodes[e.To])
		}
	}
	return sortNodes(out)
}

func (fg *fundingGraph) sources(id string, kind rg.RelKind) []*rg.Node {
	var out []*rg.Node
	for _, e := range fg.in[id] {
		if e.Kind == kind && fg.holds(e) {
			out = append(out, fg.nodes[e.From])
		}
	}
	return sortNodes(out)
}

func sortNodes(ns []*rg.Node) []*rg.Node {
	slices.SortFunc(ns, func(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(ns, func(a, b *rg.Node) bool { return a.ID == b.ID })
}

// ancestors returns id's PART_OF chain upwards (nearest first), stopping at
// a cycle.
func (fg *fundingGraph) ancestors(id string) []*rg.Node {
	var out []*rg.Node
	seen := map[string]bool{id: true}
	for {
		ps := fg.targets(id, rg.RelPartOf)
		if len(ps) == 0 || seen[ps[0].ID] {
			return out
		}
		id = ps[0].ID
		seen[id] = true
		out = append(out, ps[0])
	}
}

// inherited returns what id relates to by kind, or its nearest ancestor's.
func (fg *fundingGraph) inherited(id string, f func(string) []*rg.Node) []*rg.Node {
	if ns := f(id); len(ns) > 0 {
		return ns
	}
	for _, a := range fg.ancestors(id) {
		if ns := f(a.ID); len(ns) > 0 {
			return ns
		}
	}
	return nil
}

func (fg *fundingGraph) funding(id string) []*rg.Edge {
	get := func(id string) []*rg.Edge {
		var out []*rg.Edge
		for _, e := range fg.in[id] {
			if e.Kind == rg.RelFunds && fg.holds(e) {
				out = append(out, e)
			}
		}
		slices.SortFunc(out, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
		return out
	}
	if es := get(id); len(es) > 0 {
		return es
	}
	for _, a := range fg.ancestors(id) {
		if es := get(a.ID); len(es) > 0 {
			return es
		}
	}
	return nil
}

func (fg *fundingGraph) inFocusArea(id string) bool {
	return len(fg.targets(id, rg.RelInFocusArea)) > 0
}

// amounts returns the (year, amount) items of an initiative.
func amounts(n *rg.Node, year *int) []Item {
	if year != nil {
		if a, ok := n.AmountIn(*year); ok {
			return []Item{{Initiative: n, Year: *year, AmountNok: a}}
		}
		return nil
	}
	var out []Item
	for _, ya := range n.YearlyAmounts {
		out = append(out, Item{Initiative: n, Year: ya.Year, AmountNok: ya.AmountNok})
	}
	if len(n.YearlyAmounts) == 0 && n.CostNok != nil {
		y := 0
		if n.PlanYear != nil {
			y = *n.PlanYear
		}
		out = append(out, Item{Initiative: n, Year: y, AmountNok: *n.CostNok})
	}
	return out
}

// items returns the counted items and the excluded amounts.
func (fg *fundingGraph) items(ctx context.Context, year *int, scope []string) ([]Item, []Excluded, error) {
	var in map[string]bool
	if scope != nil {
		in = setOf(scope)
	}
	// appendix returns why an initiative's amounts never count, if so.
	appendix := func(n *rg.Node) (string, *rg.Node) {
		if fg.inFocusArea(n.ID) {
			return "", nil
		}
		for _, e := range fg.out[n.ID] {
			if e.Kind == rg.RelOverlaps && fg.holds(e) {
				o := fg.nodes[e.To]
				return fmt.Sprintf("in no focus area and the same measure as %s %q (OVERLAPS): appendix amounts are never added to main-table totals", o.Code, o.Name), o
			}
		}
		for _, e := range fg.in[n.ID] {
			if e.Kind == rg.RelOverlaps && fg.holds(e) {
				o := fg.nodes[e.From]
				if fg.inFocusArea(o.ID) {
					return fmt.Sprintf("in no focus area and the same measure as %s %q (OVERLAPS): appendix amounts are never added to main-table totals", o.Code, o.Name), o
				}
			}
		}
		for _, a := range fg.ancestors(n.ID) {
			if fg.inFocusArea(a.ID) {
				return fmt.Sprintf("in no focus area and part of %s %q: appendix detail is never added to main-table totals", a.Code, a.Name), nil
			}
		}
		return "", nil
	}
	var items []Item
	var excluded []Excluded
	for i, n := range fg.inits {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, fmt.Errorf("funding: %w", err)
			}
		}
		if in != nil && !in[n.ID] {
			continue
		}
		its := amounts(n, year)
		if len(its) == 0 {
			continue
		}
		if why, other := appendix(n); why != "" {
			for _, it := range its {
				excluded = append(excluded, Excluded{Initiative: n, Year: it.Year, AmountNok: it.AmountNok, Reason: why, CountedAs: other})
			}
			continue
		}
	next:
		for _, it := range its {
			for _, a := range fg.ancestors(n.ID) {
				if why, _ := appendix(a); why != "" {
					continue
				}
				if len(amounts(a, yearPtr(it.Year))) > 0 {
					excluded = append(excluded, Excluded{Initiative: n, Year: it.Year, AmountNok: it.AmountNok,
						Reason: fmt.Sprintf("part of %s %q, whose own amount for %d is counted", a.Code, a.Name, it.Year), CountedAs: a})
					continue next
				}
			}
			it.Funding = fg.funding(n.ID)
			items = append(items, it)
		}
	}
	return items, excluded, nil
}

func yearPtr(y int) *int { return &y }

// fundingPair is one way money reaches an item: the FUNDS source (the
// fund) and who holds it (the funder).
type fundingPair struct{ fund, funder Key }

// fundingPairs returns the item's (fund, funder) pairs, one per FUNDS
// relation and administrator, or one "(none)" pair.
func (fg *fundingGraph) fundingPairs(it Item) []fundingPair {
	var out []fundingPair
	for _, e := range it.Funding {
		src := fg.nodes[e.From]
		fund := Key{Group: GroupFund, Node: src}
		admins := fg.sources(src.ID, rg.RelAdministers)
		if src.Kind != rg.KindFund || len(admins) == 0 {
			admins = []*rg.Node{src}
		}
		for _, a := range admins {
			out = append(out, fundingPair{fund, Key{Group: GroupFunder, Node: a}})
		}
	}
	if len(out) == 0 {
		out = []fundingPair{{Key{Group: GroupFund}, Key{Group: GroupFunder}}}
	}
	return out
}

// keys returns the item's keys in dimension g other than FUND and FUNDER
// (a "(none)" key when it has none), ordered by id.
func (fg *fundingGraph) keys(it Item, g FundingGroup) []Key {
	id := it.Initiative.ID
	var ns []*rg.Node
	switch g {
	case GroupYear:
		return []Key{{Group: g, Year: it.Year}}
	case GroupFocusArea:
		ns = fg.inherited(id, func(id string) []*rg.Node { return fg.targets(id, rg.RelInFocusArea) })
	case GroupStrategyArea:
		ns = fg.inherited(id, func(id string) []*rg.Node { return fg.targets(id, rg.RelInStrategyArea) })
	case GroupTopic:
		ns = fg.inherited(id, func(id string) []*rg.Node { return fg.targets(id, rg.RelConcerns) })
	}
	ns = sortNodes(ns)
	if len(ns) == 0 {
		return []Key{{Group: g}}
	}
	out := make([]Key, len(ns))
	for i, n := range ns {
		out[i] = Key{Group: g, Node: n}
	}
	return out
}

// combos returns the distinct key combinations the item belongs to, one
// key per group in order. FUND and FUNDER are not independent: they pair
// through the FUNDS relation and the fund's administrators (a funder never
// meets a fund it does not hold). The other dimensions combine freely.
func (fg *fundingGraph) combos(it Item, groups []FundingGroup) [][]Key {
	var pairs []fundingPair
	if slices.Contains(groups, GroupFund) || slices.Contains(groups, GroupFunder) {
		pairs = fg.fundingPairs(it)
	}
	other := map[FundingGroup][]Key{}
	for _, g := range groups {
		if g != GroupFund && g != GroupFunder {
			other[g] = fg.keys(it, g)
		}
	}
	var out [][]Key
	seen := map[string]bool{}
	add := func(c []Key) {
		if id := comboID(c); !seen[id] {
			seen[id] = true
			out = append(out, c)
		}
	}
	choices := pairs
	if choices == nil {
		choices = []fundingPair{{}}
	}
	for _, p := range choices {
		combos := [][]Key{{}}
		for _, g := range groups {
			var ks []Key
			switch g {
			case GroupFund:
				ks = []Key{p.fund}
			case GroupFunder:
				ks = []Key{p.funder}
			default:
				ks = other[g]
			}
			var next [][]Key
			for _, c := range combos {
				for _, k := range ks {
					next = append(next, append(slices.Clone(c), k))
				}
			}
			combos = next
		}
		for _, c := range combos {
			add(c)
		}
	}
	slices.SortFunc(out, compareKeys)
	return out
}
