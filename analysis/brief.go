package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	rg "github.com/regiongraph/regiongraph"
)

// Subject is what a lobbying brief is about: exactly one of a topic id, an
// initiative id or a search text.
type Subject struct {
	Topic      string
	Initiative string
	Text       string
}

// Limits of a brief.
const (
	MaxBriefTargets = 20 // outside bodies a path is looked for to
	MaxBriefBrokers = 10 // brokers listed
	BriefPathHops   = 4  // hops a path to an outside body may take
	MinBriefText    = 2  // characters in a search text
)

// Role is what an actor does in a brief: a verb, what it acts on, and the
// relation that says so.
type Role struct {
	Verb     string // "coordinates", "funds", "takes part in", "runs", "is concerned with", "holds"
	Object   *rg.Node
	Relation *rg.Edge
}

// BriefActor is an actor involved in the brief's subject.
type BriefActor struct {
	Node  *rg.Node
	Roles []Role
	Home  bool // the region's side: a region involved, or one of its members
}

// BriefInitiative is one initiative of a brief and everything tied to it.
type BriefInitiative struct {
	Initiative *rg.Node
	// Reasons say why it is in the brief ("CONCERNS E134", "mentions «E134»").
	Reasons []string
	// AmountNok is its amount in the brief's year, or its total cost
	// without a year; nil when the plan gives none.
	AmountNok     *int64
	Parent        *rg.Node
	Coordinators  []*rg.Node
	Funding       []*rg.Edge // FUNDS relations, with the financing cell as written
	Funders       []*rg.Node
	Participants  []*rg.Node
	Facilitators  []*rg.Node
	FocusAreas    []*rg.Node
	StrategyAreas []*rg.Node
	Topics        []*rg.Node
}

// BriefPath is the shortest chain from the home region to an outside body
// (Path nil when there is none within BriefPathHops).
type BriefPath struct {
	From, To *rg.Node
	Path     *rg.Path
}

// Brief is everything someone preparing a meeting needs on one issue.
type Brief struct {
	ID      string // the topic or initiative id; "" for a text
	Title   string
	Subject *rg.Node // the topic or initiative; nil for a text
	Text    string
	Year    *int
	// Topics are the subject topic and its sub-topics (PART_OF), or the
	// topics whose name matches the text.
	Topics      []*rg.Node
	Initiatives []BriefInitiative
	// Actors involved, ordered by kind (as in regiongraph.ActorKinds),
	// then name, then id.
	Actors []BriefActor
	// Home are the ids of the region's side: the regions involved (or,
	// when none is, every region with members) and their members. Outside
	// are the partners involved that are not home: the bodies to reach.
	Home, Outside []string
	Brokers       []Broker
	Paths         []BriefPath
	// Funding is the subject's initiatives' funding by fund (see
	// FundingSummary for what the totals include).
	Funding *Summary
	// Sources are every distinct source of the brief's nodes and
	// relations: plan sources by plan, section and quote, then outside
	// references.
	Sources []rg.Source

	nodes map[string]*rg.Node
}

// Node returns a node of the graph the brief was built from.
func (b *Brief) Node(id string) *rg.Node { return b.nodes[id] }

// BuildBrief assembles the brief on subject from sg as of year. Paths are
// left to the caller (LoadBrief asks the store); Brief.Outside lists the
// bodies they go to.
func BuildBrief(ctx context.Context, sg *rg.Subgraph, subject Subject, year *int) (*Brief, error) {
	given := 0
	for _, s := range []string{subject.Topic, subject.Initiative, subject.Text} {
		if s != "" {
			given++
		}
	}
	if given != 1 {
		return nil, rg.FieldErrorf("subject", "give exactly one of topic, initiative and text")
	}
	fg := newFundingGraph(sg, year)
	b := &Brief{Year: year, nodes: fg.nodes}
	picked := map[string][]string{} // initiative -> reasons
	pick := func(id, why string) {
		if !slices.Contains(picked[id], why) {
			picked[id] = append(picked[id], why)
		}
	}
	var needles []string
	prefix := false // a search text also finds longer words it starts ("bredbånd" in "bredbåndstilbudet")
	switch {
	case subject.Topic != "":
		t := fg.nodes[subject.Topic]
		if t == nil {
			return nil, &rg.Error{Code: rg.ENOTFOUND, Field: "topic", Message: fmt.Sprintf("no topic %q", subject.Topic)}
		}
		if t.Kind != rg.KindTopic {
			return nil, rg.FieldErrorf("topic", "%q is a %s, not a Topic", t.ID, t.Kind)
		}
		b.ID, b.Title, b.Subject = t.ID, t.Name, t
		b.Topics = fg.descendants(t.ID)
		for _, tp := range b.Topics {
			needles = append(needles, tp.Name)
			needles = append(needles, tp.Aliases...)
		}
	case subject.Initiative != "":
		n := fg.nodes[subject.Initiative]
		if n == nil {
			return nil, &rg.Error{Code: rg.ENOTFOUND, Field: "initiative", Message: fmt.Sprintf("no initiative %q", subject.Initiative)}
		}
		if n.Kind != rg.KindInitiative {
			return nil, rg.FieldErrorf("initiative", "%q is a %s, not an Initiative", n.ID, n.Kind)
		}
		b.ID, b.Title, b.Subject = n.ID, n.Name, n
		pick(n.ID, "the initiative asked for")
		for _, o := range fg.overlapping(n.ID) {
			pick(o.ID, fmt.Sprintf("the same measure as %s (OVERLAPS)", n.Name))
		}
	default:
		text := strings.TrimSpace(subject.Text)
		if utf8.RuneCountInString(text) < MinBriefText || utf8.RuneCountInString(text) > rg.MaxNameLen {
			return nil, rg.FieldErrorf("text", "give %d to %d characters", MinBriefText, rg.MaxNameLen)
		}
		b.Title, b.Text = text, text
		needles, prefix = []string{text}, true
		for _, n := range fg.sortedNodes(rg.KindTopic) {
			if mentions(rg.SearchText(n), rg.Fold(text), true) {
				b.Topics = append(b.Topics, n)
			}
		}
	}
	for _, tp := range b.Topics {
		for _, e := range fg.in[tp.ID] {
			if e.Kind == rg.RelConcerns && fg.nodes[e.From].Kind == rg.KindInitiative {
				pick(e.From, "CONCERNS "+tp.Name)
			}
		}
	}
	for i, n := range fg.inits {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("brief: %w", err)
			}
		}
		hay := initiativeText(n)
		for _, nd := range needles {
			if f := rg.Fold(nd); f != "" && mentions(hay, f, prefix) {
				pick(n.ID, "mentions «"+nd+"»")
				break
			}
		}
	}
	// Sub-activities belong to their row.
	ids := make([]string, 0, len(picked))
	for id := range picked {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, c := range fg.descendants(id)[1:] {
			if c.Kind == rg.KindInitiative {
				pick(c.ID, "part of "+fg.nodes[id].Name)
			}
		}
	}

	actors := map[string]*BriefActor{}
	role := func(actor string, verb string, obj *rg.Node, e *rg.Edge) {
		n := fg.nodes[actor]
		if n == nil || !n.Kind.IsActor() {
			return
		}
		a := actors[actor]
		if a == nil {
			a = &BriefActor{Node: n}
			actors[actor] = a
		}
		a.Roles = append(a.Roles, Role{Verb: verb, Object: obj, Relation: e})
	}
	var scope []string
	for id := range picked {
		scope = append(scope, id)
	}
	slices.Sort(scope)
	for _, id := range scope {
		n := fg.nodes[id]
		bi := BriefInitiative{Initiative: n, Reasons: picked[id]}
		if year != nil {
			if a, ok := n.AmountIn(*year); ok {
				bi.AmountNok = &a
			}
		} else if n.CostNok != nil {
			bi.AmountNok = n.CostNok
		}
		if ps := fg.targets(id, rg.RelPartOf); len(ps) > 0 {
			bi.Parent = ps[0]
		}
		for _, e := range sortEdges(fg.in[id]) {
			switch e.Kind {
			case rg.RelCoordinates:
				bi.Coordinators = append(bi.Coordinators, fg.nodes[e.From])
				role(e.From, "coordinates", n, e)
			case rg.RelFunds:
				bi.Funding = append(bi.Funding, e)
				bi.Funders = append(bi.Funders, fg.nodes[e.From])
				role(e.From, "funds", n, e)
			case rg.RelParticipatesIn:
				bi.Participants = append(bi.Participants, fg.nodes[e.From])
				role(e.From, "takes part in", n, e)
			case rg.RelFacilitates:
				bi.Facilitators = append(bi.Facilitators, fg.nodes[e.From])
				role(e.From, "runs", n, e)
			}
		}
		bi.FocusAreas = fg.targets(id, rg.RelInFocusArea)
		bi.StrategyAreas = fg.targets(id, rg.RelInStrategyArea)
		bi.Topics = fg.targets(id, rg.RelConcerns)
		for _, xs := range []*[]*rg.Node{&bi.Coordinators, &bi.Funders, &bi.Participants, &bi.Facilitators} {
			*xs = sortNodes(*xs)
		}
		b.Initiatives = append(b.Initiatives, bi)
	}
	for _, tp := range b.Topics {
		for _, e := range sortEdges(fg.in[tp.ID]) {
			switch e.Kind {
			case rg.RelConcerns:
				role(e.From, "is concerned with", tp, e)
			case rg.RelCoordinates:
				role(e.From, "coordinates", tp, e)
			}
		}
	}
	// Who holds the funds involved.
	var funds []string
	for id, a := range actors {
		if a.Node.Kind == rg.KindFund {
			funds = append(funds, id)
		}
	}
	slices.Sort(funds)
	for _, f := range funds {
		for _, e := range sortEdges(fg.in[f]) {
			if e.Kind == rg.RelAdministers {
				role(e.From, "holds", fg.nodes[f], e)
			}
		}
	}

	// Home and outside.
	home := map[string]bool{}
	var regions []string
	for id, a := range actors {
		if a.Node.Kind == rg.KindRegion {
			regions = append(regions, id)
		}
	}
	if len(regions) == 0 {
		for _, r := range fg.sortedNodes(rg.KindRegion) {
			if len(fg.sources(r.ID, rg.RelMemberOf)) > 0 {
				regions = append(regions, r.ID)
			}
		}
	}
	for _, r := range regions {
		home[r] = true
		for _, m := range fg.sources(r, rg.RelMemberOf) {
			home[m.ID] = true
		}
	}
	for id := range home {
		b.Home = append(b.Home, id)
	}
	slices.Sort(b.Home)
	for id, a := range actors {
		a.Home = home[id]
		if a.Node.Kind == rg.KindPartner && !home[id] {
			b.Outside = append(b.Outside, id)
		}
		slices.SortFunc(a.Roles, func(x, y Role) int {
			return cmp.Or(strings.Compare(x.Verb, y.Verb), strings.Compare(x.Object.ID, y.Object.ID), strings.Compare(x.Relation.ID, y.Relation.ID))
		})
		b.Actors = append(b.Actors, *a)
	}
	slices.Sort(b.Outside)
	slices.SortFunc(b.Actors, func(x, y BriefActor) int {
		return cmp.Or(cmp.Compare(slices.Index(rg.ActorKinds, x.Node.Kind), slices.Index(rg.ActorKinds, y.Node.Kind)),
			strings.Compare(strings.ToLower(x.Node.Name), strings.ToLower(y.Node.Name)), strings.Compare(x.Node.ID, y.Node.ID))
	})

	// Brokers between home and the outside bodies.
	if len(b.Home) > 0 && len(b.Outside) > 0 {
		ag, err := Project(ctx, sg, year)
		if err != nil {
			return nil, err
		}
		rep, err := Brokers(ctx, ag, b.Home, b.Outside)
		if err != nil {
			return nil, err
		}
		b.Brokers = rep.Brokers[:min(len(rep.Brokers), MaxBriefBrokers)]
	}

	sum, err := FundingSummary(ctx, sg, []FundingGroup{GroupFund}, year, scope)
	if err != nil {
		return nil, err
	}
	b.Funding = sum
	b.Sources = b.collectSources(fg)
	return b, nil
}

// descendants returns id and everything PART_OF it, transitively, in
// breadth-first order (id first), each once.
func (fg *fundingGraph) descendants(id string) []*rg.Node {
	out := []*rg.Node{fg.nodes[id]}
	seen := map[string]bool{id: true}
	for i := 0; i < len(out); i++ {
		for _, c := range fg.sources(out[i].ID, rg.RelPartOf) {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// overlapping returns the initiatives joined to id by OVERLAPS.
func (fg *fundingGraph) overlapping(id string) []*rg.Node {
	return sortNodes(append(fg.targets(id, rg.RelOverlaps), fg.sources(id, rg.RelOverlaps)...))
}

func (fg *fundingGraph) sortedNodes(kind rg.Kind) []*rg.Node {
	var out []*rg.Node
	for _, n := range fg.nodes {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return sortNodes(out)
}

func sortEdges(es []*rg.Edge) []*rg.Edge {
	out := slices.Clone(es)
	slices.SortFunc(out, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// initiativeText is the folded text an initiative is searched in: name,
// aliases, code, description, goals and activities.
func initiativeText(n *rg.Node) string {
	parts := []string{rg.SearchText(n), rg.Fold(n.Description)}
	for _, g := range n.Goals {
		parts = append(parts, rg.Fold(g))
	}
	for _, a := range n.Activities {
		parts = append(parts, rg.Fold(a))
	}
	return strings.Join(parts, "\n")
}

// mentions reports whether the folded text hay contains the folded needle
// starting at a word: as a whole word or phrase ("E134" is not in "E1345"),
// or, with prefix, also as the start of a longer word.
func mentions(hay, needle string, prefix bool) bool {
	if needle == "" {
		return false
	}
	for off := 0; ; {
		i := strings.Index(hay[off:], needle)
		if i < 0 {
			return false
		}
		i += off
		before, _ := utf8.DecodeLastRuneInString(hay[:i])
		after, _ := utf8.DecodeRuneInString(hay[i+len(needle):])
		if !isWordRune(before) && (prefix || !isWordRune(after)) {
			return true
		}
		off = i + 1
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// collectSources returns the distinct sources of the brief's nodes and
// relations.
func (b *Brief) collectSources(fg *fundingGraph) []rg.Source {
	seen := map[rg.Source]bool{}
	var out []rg.Source
	add := func(s rg.Source) {
		if s != (rg.Source{}) && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if b.Subject != nil {
		add(b.Subject.Source)
	}
	for _, t := range b.Topics {
		add(t.Source)
	}
	for _, bi := range b.Initiatives {
		add(bi.Initiative.Source)
		for _, e := range fg.in[bi.Initiative.ID] {
			add(e.Source)
		}
		for _, e := range fg.out[bi.Initiative.ID] {
			add(e.Source)
		}
	}
	for _, a := range b.Actors {
		add(a.Node.Source)
		for _, r := range a.Roles {
			add(r.Relation.Source)
		}
	}
	sortSources(out)
	return out
}

// AddPathSources adds the sources of the brief's paths to Sources.
func (b *Brief) AddPathSources() {
	seen := map[rg.Source]bool{}
	for _, s := range b.Sources {
		seen[s] = true
	}
	for _, p := range b.Paths {
		if p.Path == nil {
			continue
		}
		for _, e := range p.Path.Edges {
			if e.Source != (rg.Source{}) && !seen[e.Source] {
				seen[e.Source] = true
				b.Sources = append(b.Sources, e.Source)
			}
		}
	}
	sortSources(b.Sources)
}

func sortSources(ss []rg.Source) {
	slices.SortFunc(ss, func(a, b rg.Source) int {
		return cmp.Or(cmp.Compare(boolInt(a.Outside), boolInt(b.Outside)), strings.Compare(a.Plan, b.Plan),
			strings.Compare(a.Section, b.Section), strings.Compare(a.Quote, b.Quote), strings.Compare(a.Reference, b.Reference))
	})
}

// LoadBrief reads the graph as of year from store, builds the brief on
// subject and asks the store for the shortest path (at most BriefPathHops
// hops) from the home region to each outside body (at most
// MaxBriefTargets).
func LoadBrief(ctx context.Context, store rg.Store, subject Subject, year *int) (*Brief, error) {
	sg, err := Load(ctx, store, nil, nil, year)
	if err != nil {
		return nil, err
	}
	b, err := BuildBrief(ctx, sg, subject, year)
	if err != nil {
		return nil, err
	}
	var from *rg.Node
	for _, id := range b.Home {
		if n := b.Node(id); n != nil && n.Kind == rg.KindRegion {
			from = n
			break
		}
	}
	if from == nil {
		return b, nil
	}
	for _, id := range b.Outside[:min(len(b.Outside), MaxBriefTargets)] {
		ps, err := store.ShortestPaths(ctx, from.ID, id, rg.PathOptions{MaxHops: BriefPathHops, First: 1, Year: year})
		if err != nil {
			return nil, fmt.Errorf("brief: path from %s to %s: %w", from.ID, id, err)
		}
		bp := BriefPath{From: from, To: b.Node(id)}
		if len(ps) > 0 {
			bp.Path = &ps[0]
		}
		b.Paths = append(b.Paths, bp)
	}
	b.AddPathSources()
	return b, nil
}
