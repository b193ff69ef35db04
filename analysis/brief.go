package analysis

import (
	"cmp"
	"context"
	"fmt"
	"maps"
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

// BriefOptions change what a brief may pass through.
type BriefOptions struct {
	// ThroughFundsAndPlans lets brokers and routes pass through funds
	// (nobody to talk to: a fund is money, its holder is the actor) and
	// through plans and their classification (focus areas, strategy
	// areas). Off by default: a route "Statens vegvesen > E134 >
	// Handlingsplan 2011 > FEIDE" says nothing a lobbyist can use.
	ThroughFundsAndPlans bool
}

// Limits of a brief.
const (
	MaxBriefTargets = 20 // outside bodies a path is looked for to
	MaxBriefBrokers = 10 // brokers listed
	MaxTalkTo       = 5  // contacts in "who to talk to first"
	MaxTalkReasons  = 4  // reasons given per contact
	BriefPathHops   = 4  // hops a path to an outside body may take
	MinBriefText    = 2  // characters in a search text
)

// Scope says how something came into a brief.
type Scope string

const (
	// ScopeSubject: the topic or initiative asked for (or, for a text
	// brief, a match of the text).
	ScopeSubject Scope = "SUBJECT"
	// ScopeSubTopic: through a topic PART_OF the subject topic.
	ScopeSubTopic Scope = "SUB_TOPIC"
	// ScopeParent: through a topic the subject topic is PART_OF: the
	// wider issue it belongs to ("E134" for "E134 Saggrenda/Gvammen").
	ScopeParent Scope = "PARENT_TOPIC"
)

// closer reports whether s is closer to the subject than t.
func (s Scope) closer(t Scope) bool { return s.rank() < t.rank() }

func (s Scope) rank() int {
	switch s {
	case ScopeSubject:
		return 0
	case ScopeSubTopic:
		return 1
	case ScopeParent:
		return 2
	}
	return 3
}

// Role is what an actor does in a brief: a verb, what it acts on, and the
// relation that says so.
type Role struct {
	Verb     string // "coordinates", "funds", "takes part in", "runs", "is concerned with", "holds"
	Object   *rg.Node
	Relation *rg.Edge
	Scope    Scope // how the object came into the brief
}

// Factor is one part of an actor's relevance score.
type Factor string

const (
	FactorTopic      Factor = "TOPIC"      // concerned with or coordinating a topic of the brief
	FactorInitiative Factor = "INITIATIVE" // a role in an initiative of the brief
	FactorFunding    Factor = "FUNDING"    // holds a fund that pays for an initiative of the brief
	FactorBrokerage  Factor = "BROKERAGE"  // on the shortest routes between the region and the outside bodies
	FactorDistance   Factor = "DISTANCE"   // close to the home region in the actor graph
)

// Relevance weights (see BuildBrief for the score).
const (
	WeightTopic       = 3.0 // per subject topic or sub-topic the actor is concerned with or coordinates
	WeightParentTopic = 1.5 // per parent topic
	WeightCoordinates = 2.0 // per initiative coordinated
	WeightFunds       = 2.0 // per initiative the actor pays for itself
	WeightTakesPart   = 1.0 // per initiative taken part in or run
	WeightHoldsFund   = 2.0 // per fund of the brief the actor holds (ADMINISTERS)
	WeightBrokerage   = 3.0 // times the share of region–outside routes through the actor
	WeightDistance    = 1.0 // times 1/d, d hops from the home region
	// ParentFactor scales initiative roles held only through a parent topic.
	ParentFactor = 0.5
)

// Reason is one reason an actor matters, with the points it adds and the
// relation that says so (its Source is the citation).
type Reason struct {
	Factor   Factor
	Points   float64
	Text     string
	Relation *rg.Edge
}

// BriefActor is an actor involved in the brief's subject.
type BriefActor struct {
	Node  *rg.Node
	Roles []Role
	Home  bool // the region's side: a region involved, or one of its members
	// Scope is the closest scope of its roles.
	Scope Scope
	// Score is the relevance score: the sum of the Reasons' points.
	Score   float64
	Reasons []Reason
	// Hops from the home region in the actor graph (funds left out);
	// -1 when it cannot be reached, 0 for the region itself.
	Hops int
}

// Contact is an entry of "who to talk to first".
type Contact struct {
	Actor *BriefActor
	// Reasons are the actor's strongest reasons (at most MaxTalkReasons),
	// each citing a relation.
	Reasons []Reason
	// Path is the route from the home region, for an outside body.
	Path *BriefPath
}

// BriefInitiative is one initiative of a brief and everything tied to it.
type BriefInitiative struct {
	Initiative *rg.Node
	// Reasons say why it is in the brief ("CONCERNS E134", "mentions «E134»").
	Reasons []string
	// Scope says how it came in: the subject, a sub-topic or the parent
	// topic; Via is that topic (nil for an initiative or text brief).
	Scope Scope
	Via   *rg.Node
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

// Path kinds of a BriefPath, most preferred first.
const (
	ViaActors     = "ACTORS"      // actor-to-actor relations only
	ViaSharedWork = "SHARED_WORK" // also through initiatives and topics the actors share
	ViaAnything   = "ANY"         // anything, funds and plans included (only when asked)
)

// BriefPath is the shortest chain from the home region to an outside body
// (Path nil when there is none within BriefPathHops). Via says which
// kinds of steps it needed.
type BriefPath struct {
	From, To *rg.Node
	Path     *rg.Path
	Via      string
}

// Brief is everything someone preparing a meeting needs on one issue.
type Brief struct {
	ID      string // the topic or initiative id; "" for a text
	Title   string
	Subject *rg.Node // the topic or initiative; nil for a text
	Text    string
	Year    *int
	Options BriefOptions
	// Topics are the subject topic and its sub-topics (PART_OF), or the
	// topics whose name matches the text. ParentTopics are the topics the
	// subject topic is PART_OF, nearest first.
	Topics       []*rg.Node
	ParentTopics []*rg.Node
	// Initiatives are ordered by scope (subject, sub-topic, parent), then id.
	Initiatives []BriefInitiative
	// Actors involved, ordered by Score (descending), then kind (as in
	// regiongraph.ActorKinds), name and id.
	Actors []BriefActor
	// Home are the ids of the region's side: the regions involved (or,
	// when none is, every region with members) and their members. Outside
	// are the partners involved that are not home: the bodies to reach.
	Home, Outside []string
	// Brokers between home and outside; funds are never brokers unless
	// Options.ThroughFundsAndPlans.
	Brokers []Broker
	Paths   []BriefPath
	// TalkTo is "who to talk to first": the highest-scoring actors one can
	// talk to (not funds, not the home region itself).
	TalkTo []Contact
	// Funding is the funding, by fund, of exactly the initiatives listed
	// (see FundingSummary for what the totals include): Funding.TotalNok
	// is the brief's total. OwnTotalNok is the part from the subject and
	// its sub-topics, without the parent topics' initiatives.
	Funding     *Summary
	OwnTotalNok int64
	// Sources are every distinct source of the brief's nodes and
	// relations: plan sources by plan, section and quote, then outside
	// references.
	Sources []rg.Source

	nodes map[string]*rg.Node
}

// Node returns a node of the graph the brief was built from.
func (b *Brief) Node(id string) *rg.Node { return b.nodes[id] }

// Actor returns the brief's actor with the id, or nil.
func (b *Brief) Actor(id string) *BriefActor {
	for i := range b.Actors {
		if b.Actors[i].Node.ID == id {
			return &b.Actors[i]
		}
	}
	return nil
}

// BuildBrief is BuildBriefWith without options.
func BuildBrief(ctx context.Context, sg *rg.Subgraph, subject Subject, year *int) (*Brief, error) {
	return BuildBriefWith(ctx, sg, subject, year, BriefOptions{})
}

// topicScope is a topic of the brief and how it came in.
type topicScope struct {
	topic *rg.Node
	scope Scope
}

// BuildBriefWith assembles the brief on subject from sg as of year. Paths
// are left to the caller (LoadBrief asks the store); Brief.Outside lists
// the bodies they go to.
//
// What is in it: for a topic, the topic, its sub-topics (PART_OF it,
// transitively) and its parent topics (what it is PART_OF), each
// initiative that CONCERNS one of them or mentions one's name or alias
// (as a whole word), with its sub-activities; every item says through
// which (Scope, Via). The funding and total are over exactly the listed
// initiatives: a brief with none has a total of 0, never the region's.
//
// Relevance: each actor's Score is the sum of
//
//   - WeightTopic per subject topic or sub-topic it is concerned with
//     (CONCERNS) or coordinates, WeightParentTopic per parent topic;
//   - per initiative of the brief, WeightCoordinates for coordinating it,
//     WeightFunds for paying for it directly, WeightTakesPart for taking
//     part in or running it, times ParentFactor when the initiative is
//     there only through a parent topic;
//   - WeightHoldsFund per fund paying for an initiative of the brief that
//     the actor ADMINISTERS (the fund's holder is whom to ask);
//   - WeightBrokerage times the actor's share of the shortest routes
//     between the home side and the outside bodies (cross-group
//     betweenness share, see Brokers), over the actor graph without funds;
//   - WeightDistance / d for an actor d ≥ 1 hops from the home region in
//     that graph.
//
// Every part is a Reason citing the relation it rests on.
func BuildBriefWith(ctx context.Context, sg *rg.Subgraph, subject Subject, year *int, opts BriefOptions) (*Brief, error) {
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
	b := &Brief{Year: year, Options: opts, nodes: fg.nodes}
	type pickInfo struct {
		reasons []string
		scope   Scope
		via     *rg.Node
	}
	picked := map[string]*pickInfo{}
	pick := func(id, why string, scope Scope, via *rg.Node) {
		p := picked[id]
		if p == nil {
			p = &pickInfo{scope: scope, via: via}
			picked[id] = p
		} else if scope.closer(p.scope) {
			p.scope, p.via = scope, via
		}
		if !slices.Contains(p.reasons, why) {
			p.reasons = append(p.reasons, why)
		}
	}
	var topics []topicScope
	// A search text finds what full-text search finds (regiongraph's
	// analysis: folded Norwegian spellings, stems, prefixes, "E 134").
	var textNeedle string
	var textTerms []rg.QueryTerm
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
		for i, tp := range b.Topics {
			sc := ScopeSubTopic
			if i == 0 {
				sc = ScopeSubject
			}
			topics = append(topics, topicScope{tp, sc})
		}
		for _, p := range fg.ancestors(t.ID) {
			if p.Kind == rg.KindTopic {
				b.ParentTopics = append(b.ParentTopics, p)
				topics = append(topics, topicScope{p, ScopeParent})
			}
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
		pick(n.ID, "the initiative asked for", ScopeSubject, nil)
		for _, o := range fg.overlapping(n.ID) {
			pick(o.ID, fmt.Sprintf("the same measure as %s (OVERLAPS)", n.Name), ScopeSubject, nil)
		}
	default:
		text := strings.TrimSpace(subject.Text)
		if utf8.RuneCountInString(text) < MinBriefText || utf8.RuneCountInString(text) > rg.MaxNameLen {
			return nil, rg.FieldErrorf("text", "give %d to %d characters", MinBriefText, rg.MaxNameLen)
		}
		b.Title, b.Text = text, text
		textNeedle, textTerms = text, rg.QueryTerms(text)
		if len(textTerms) == 0 || len(textTerms) > rg.MaxSearchTerms {
			return nil, rg.FieldErrorf("text", "give 1 to %d words", rg.MaxSearchTerms)
		}
		for _, n := range fg.sortedNodes(rg.KindTopic) {
			if _, ok := rg.ScoreSearch(n, textTerms); ok {
				b.Topics = append(b.Topics, n)
				topics = append(topics, topicScope{n, ScopeSubject})
			}
		}
	}
	for _, ts := range topics {
		for _, e := range sortEdges(fg.in[ts.topic.ID]) {
			if e.Kind == rg.RelConcerns && fg.nodes[e.From].Kind == rg.KindInitiative {
				pick(e.From, "CONCERNS "+ts.topic.Name, ts.scope, ts.topic)
			}
		}
	}
	for i, n := range fg.inits {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("brief: %w", err)
			}
		}
		if textNeedle != "" {
			if _, ok := rg.ScoreSearch(n, textTerms); ok {
				pick(n.ID, "mentions «"+textNeedle+"»", ScopeSubject, nil)
			}
			continue
		}
		hay := initiativeText(n)
	topicLoop:
		for _, ts := range topics {
			for _, nd := range append([]string{ts.topic.Name}, ts.topic.Aliases...) {
				if f := rg.Fold(nd); f != "" && mentions(hay, f, false) {
					pick(n.ID, "mentions «"+nd+"»", ts.scope, ts.topic)
					continue topicLoop
				}
			}
		}
	}
	// Sub-activities belong to their row, in the row's scope.
	ids := make([]string, 0, len(picked))
	for id := range picked {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := picked[id]
		for _, c := range fg.descendants(id)[1:] {
			if c.Kind == rg.KindInitiative {
				pick(c.ID, "part of "+fg.nodes[id].Name, p.scope, p.via)
			}
		}
	}

	actors := map[string]*BriefActor{}
	role := func(actor string, verb string, obj *rg.Node, e *rg.Edge, scope Scope) {
		n := fg.nodes[actor]
		if n == nil || !n.Kind.IsActor() {
			return
		}
		a := actors[actor]
		if a == nil {
			a = &BriefActor{Node: n, Scope: scope}
			actors[actor] = a
		} else if scope.closer(a.Scope) {
			a.Scope = scope
		}
		a.Roles = append(a.Roles, Role{Verb: verb, Object: obj, Relation: e, Scope: scope})
	}
	// Both lists are non-nil: FundingSummary reads a nil scope as "every
	// initiative", and a brief with none must total 0.
	scope := make([]string, 0, len(picked))
	own := []string{}
	for id, p := range picked {
		scope = append(scope, id)
		if p.scope != ScopeParent {
			own = append(own, id)
		}
	}
	slices.SortFunc(scope, func(x, y string) int {
		return cmp.Or(cmp.Compare(picked[x].scope.rank(), picked[y].scope.rank()), strings.Compare(x, y))
	})
	for _, id := range scope {
		n, p := fg.nodes[id], picked[id]
		bi := BriefInitiative{Initiative: n, Reasons: p.reasons, Scope: p.scope, Via: p.via}
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
				role(e.From, "coordinates", n, e, p.scope)
			case rg.RelFunds:
				bi.Funding = append(bi.Funding, e)
				bi.Funders = append(bi.Funders, fg.nodes[e.From])
				role(e.From, "funds", n, e, p.scope)
			case rg.RelParticipatesIn:
				bi.Participants = append(bi.Participants, fg.nodes[e.From])
				role(e.From, "takes part in", n, e, p.scope)
			case rg.RelFacilitates:
				bi.Facilitators = append(bi.Facilitators, fg.nodes[e.From])
				role(e.From, "runs", n, e, p.scope)
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
	for _, ts := range topics {
		for _, e := range sortEdges(fg.in[ts.topic.ID]) {
			switch e.Kind {
			case rg.RelConcerns:
				role(e.From, "is concerned with", ts.topic, e, ts.scope)
			case rg.RelCoordinates:
				role(e.From, "coordinates", ts.topic, e, ts.scope)
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
				role(e.From, "holds", fg.nodes[f], e, actors[f].Scope)
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
	slices.Sort(regions)
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
	}
	slices.Sort(b.Outside)

	// The actor graph brokers and distances are measured on: without
	// funds (their holders stand in for them), unless asked.
	ag, err := Project(ctx, briefActorGraph(sg, fg, opts), year)
	if err != nil {
		return nil, err
	}
	share := map[string]float64{}
	if len(b.Home) > 0 && len(b.Outside) > 0 {
		rep, err := Brokers(ctx, ag, b.Home, b.Outside)
		if err != nil {
			return nil, err
		}
		for _, br := range rep.Brokers {
			if br.Node.Kind == rg.KindFund && !opts.ThroughFundsAndPlans {
				continue
			}
			share[br.Node.ID] = br.Share
			if home[br.Node.ID] && br.Node.Kind == rg.KindRegion {
				continue // the region itself starts every route
			}
			if len(b.Brokers) < MaxBriefBrokers {
				b.Brokers = append(b.Brokers, br)
			}
		}
	}
	hops, via := hopsFrom(ag, regions)
	tie := func(id string) *rg.Edge { // the relation joining id to its predecessor towards the region
		return linkRelation(fg, ag, via[id], id)
	}
	for id, a := range actors {
		a.Hops = -1
		if d, ok := hops[id]; ok {
			a.Hops = d
		}
		a.Reasons = relevance(fg, a, actors, share[id], tie(id))
		for _, r := range a.Reasons {
			a.Score += r.Points
		}
		a.Score = round(a.Score)
	}
	for _, a := range actors {
		b.Actors = append(b.Actors, *a)
	}
	slices.SortFunc(b.Actors, func(x, y BriefActor) int {
		return cmp.Or(-cmp.Compare(x.Score, y.Score),
			cmp.Compare(slices.Index(rg.ActorKinds, x.Node.Kind), slices.Index(rg.ActorKinds, y.Node.Kind)),
			strings.Compare(strings.ToLower(x.Node.Name), strings.ToLower(y.Node.Name)), strings.Compare(x.Node.ID, y.Node.ID))
	})
	for i := range b.Actors {
		a := &b.Actors[i]
		if len(b.TalkTo) == MaxTalkTo {
			break
		}
		if a.Node.Kind == rg.KindFund || (a.Home && a.Node.Kind == rg.KindRegion) || a.Score <= 0 {
			continue
		}
		c := Contact{Actor: a, Reasons: a.Reasons[:min(len(a.Reasons), MaxTalkReasons)]}
		b.TalkTo = append(b.TalkTo, c)
	}

	sum, err := FundingSummary(ctx, sg, []FundingGroup{GroupFund}, year, scope)
	if err != nil {
		return nil, err
	}
	b.Funding = sum
	b.OwnTotalNok = sum.TotalNok
	if len(own) < len(scope) {
		ownSum, err := FundingSummary(ctx, sg, []FundingGroup{GroupFund}, year, own)
		if err != nil {
			return nil, err
		}
		b.OwnTotalNok = ownSum.TotalNok
	}
	b.Sources = b.collectSources(fg)
	return b, nil
}

// relevance returns the reasons actor a matters, strongest first (ties by
// factor, text and relation id). share is its brokerage share; tie the
// relation joining it to the region's side of its shortest route.
func relevance(fg *fundingGraph, a *BriefActor, actors map[string]*BriefActor, share float64, tie *rg.Edge) []Reason {
	var out []Reason
	add := func(f Factor, points float64, e *rg.Edge, format string, args ...any) {
		if points > 0 && e != nil {
			out = append(out, Reason{Factor: f, Points: round(points), Text: fmt.Sprintf(format, args...), Relation: e})
		}
	}
	scale := func(s Scope) float64 {
		if s == ScopeParent {
			return ParentFactor
		}
		return 1
	}
	for _, r := range a.Roles {
		what := r.Object.Name
		if r.Object.Code != "" && r.Object.Kind == rg.KindInitiative {
			what = r.Object.Code + " " + what
		}
		through := ""
		if r.Scope == ScopeParent {
			through = " (through the parent topic)"
		}
		switch {
		case r.Object.Kind == rg.KindTopic && r.Scope == ScopeParent:
			add(FactorTopic, WeightParentTopic, r.Relation, "%s %s, the wider issue (%s)", r.Verb, what, r.Relation.Kind)
		case r.Object.Kind == rg.KindTopic:
			add(FactorTopic, WeightTopic, r.Relation, "%s %s (%s)", r.Verb, what, r.Relation.Kind)
		case r.Verb == "holds":
			add(FactorFunding, WeightHoldsFund, r.Relation, "holds %s, which pays for initiatives of the brief (%s)", what, r.Relation.Kind)
		case r.Verb == "coordinates":
			add(FactorInitiative, WeightCoordinates*scale(r.Scope), r.Relation, "coordinates %s%s", what, through)
		case r.Verb == "funds" && a.Node.Kind != rg.KindFund:
			add(FactorInitiative, WeightFunds*scale(r.Scope), r.Relation, "pays for %s%s", what, through)
		case r.Verb == "takes part in" || r.Verb == "runs":
			add(FactorInitiative, WeightTakesPart*scale(r.Scope), r.Relation, "%s %s%s", r.Verb, what, through)
		}
	}
	if tie != nil && a.Node.Kind != rg.KindFund {
		add(FactorBrokerage, WeightBrokerage*share, tie, "on %.0f%% of the shortest routes between the region and the outside bodies", 100*share)
		if a.Hops > 0 {
			steps := "step"
			if a.Hops > 1 {
				steps = "steps"
			}
			add(FactorDistance, WeightDistance/float64(a.Hops), tie, "%d %s from the region (%s)", a.Hops, steps, tie.Kind)
		}
	}
	slices.SortFunc(out, func(x, y Reason) int {
		return cmp.Or(-cmp.Compare(x.Points, y.Points), strings.Compare(string(x.Factor), string(y.Factor)),
			strings.Compare(x.Text, y.Text), strings.Compare(x.Relation.ID, y.Relation.ID))
	})
	return out
}

// briefActorGraph returns the subgraph the brief's actor graph is
// projected from: without funds, each FUNDS from a fund replaced by FUNDS
// from the fund's holders (so that a county council paying through its
// development funds stays tied to what it pays for), unless
// opts.ThroughFundsAndPlans.
func briefActorGraph(sg *rg.Subgraph, fg *fundingGraph, opts BriefOptions) *rg.Subgraph {
	if opts.ThroughFundsAndPlans || sg == nil {
		return sg
	}
	out := &rg.Subgraph{Nodes: make([]*rg.Node, 0, len(sg.Nodes))}
	for _, n := range sg.Nodes {
		if n.Kind != rg.KindFund {
			out.Nodes = append(out.Nodes, n)
		}
	}
	for _, e := range sg.Edges {
		from, to := fg.nodes[e.From], fg.nodes[e.To]
		if from == nil || to == nil {
			continue
		}
		if to.Kind == rg.KindFund {
			continue
		}
		if from.Kind != rg.KindFund {
			out.Edges = append(out.Edges, e)
			continue
		}
		if e.Kind != rg.RelFunds {
			continue
		}
		for _, h := range fg.sources(from.ID, rg.RelAdministers) {
			c := e.Clone()
			c.ID, c.From = e.ID+"~"+h.ID, h.ID
			out.Edges = append(out.Edges, c)
		}
	}
	return out
}

// hopsFrom returns each actor's hop distance from the nearest of roots in
// ag and its predecessor on one shortest route (breadth-first, neighbours
// by id, so the route is the same on every run).
func hopsFrom(ag *ActorGraph, roots []string) (map[string]int, map[string]string) {
	dist, via := map[string]int{}, map[string]string{}
	var queue []string
	for _, r := range roots {
		if ag.Actor(r) != nil {
			dist[r] = 0
			queue = append(queue, r)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, v := range ag.Neighbours(u) {
			if _, seen := dist[v]; !seen {
				dist[v], via[v] = dist[u]+1, u
				queue = append(queue, v)
			}
		}
	}
	return dist, via
}

// linkRelation returns a relation behind the link u–v of ag: the first
// direct relation (by id), else v's first relation to the first initiative
// (by id) they share; nil when there is no link. Synthetic FUNDS (a fund's
// holder standing in for the fund) are given as the FUNDS relation they
// stand for. The actor graph keeps only each link's weight, so the
// evidence is read from fg, which holds the same relations.
func linkRelation(fg *fundingGraph, ag *ActorGraph, u, v string) *rg.Edge {
	if u == "" || v == "" || ag.Weight(u, v) == 0 {
		return nil
	}
	var direct []*rg.Edge
	for _, e := range fg.out[u] {
		if e.To == v && fg.holds(e) && slices.Contains(DirectRelations, e.Kind) {
			direct = append(direct, e)
		}
	}
	for _, e := range fg.in[u] {
		if e.From == v && fg.holds(e) && slices.Contains(DirectRelations, e.Kind) {
			direct = append(direct, e)
		}
	}
	if len(direct) > 0 {
		return sortEdges(direct)[0]
	}
	// The initiatives u takes part in, itself or through a fund it holds.
	inits := map[string]bool{}
	tied := func(actor string) {
		for _, e := range fg.out[actor] {
			if fg.holds(e) && slices.Contains(ContextRelations, e.Kind) {
				if n := fg.nodes[e.To]; n != nil && n.Kind == rg.KindInitiative {
					inits[n.ID] = true
				}
			}
		}
	}
	tied(u)
	for _, e := range fg.out[u] {
		if e.Kind == rg.RelAdministers && fg.holds(e) {
			tied(e.To)
		}
	}
	for _, ini := range slices.Sorted(maps.Keys(inits)) {
		for _, e := range sortEdges(fg.in[ini]) {
			if e.From == v && fg.holds(e) && slices.Contains(ContextRelations, e.Kind) {
				return e
			}
		}
		for _, e := range sortEdges(fg.in[ini]) {
			if e.Kind == rg.RelFunds && fg.holds(e) {
				if holder := fg.nodes[e.From]; holder != nil && holder.Kind == rg.KindFund {
					for _, h := range fg.sources(holder.ID, rg.RelAdministers) {
						if h.ID == v {
							return e
						}
					}
				}
			}
		}
	}
	return nil
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
		for _, r := range a.Reasons {
			add(r.Relation.Source)
		}
	}
	for _, t := range b.ParentTopics {
		add(t.Source)
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

// Route preferences: the kinds and relations a route to an outside body
// may pass through, tried in this order.
var (
	// LobbyKinds are the actors one can talk to: not funds.
	LobbyKinds = []rg.Kind{rg.KindMunicipality, rg.KindRegion, rg.KindNetwork, rg.KindPartner}
	// ActorRelations join two actors.
	ActorRelations = []rg.RelKind{rg.RelMemberOf, rg.RelParticipatesIn, rg.RelPartnerOf, rg.RelRepresentedIn, rg.RelFacilitates, rg.RelCoordinates}
	// SharedWorkRelations also join actors through initiatives and topics
	// they share.
	SharedWorkRelations = append(slices.Clone(ActorRelations), rg.RelConcerns, rg.RelPartOf)
)

// routeOptions are the path searches LoadBrief tries, most preferred
// first: actor-to-actor relations, then shared initiatives and topics,
// then (only with ThroughFundsAndPlans) anything.
func routeOptions(year *int, opts BriefOptions) []struct {
	via string
	o   rg.PathOptions
} {
	out := []struct {
		via string
		o   rg.PathOptions
	}{
		{ViaActors, rg.PathOptions{MaxHops: BriefPathHops, First: 1, Year: year, Kinds: LobbyKinds, Relations: ActorRelations}},
		{ViaSharedWork, rg.PathOptions{MaxHops: BriefPathHops, First: 1, Year: year,
			Kinds: append(slices.Clone(LobbyKinds), rg.KindInitiative, rg.KindTopic), Relations: SharedWorkRelations}},
	}
	if opts.ThroughFundsAndPlans {
		out = append(out, struct {
			via string
			o   rg.PathOptions
		}{ViaAnything, rg.PathOptions{MaxHops: BriefPathHops, First: 1, Year: year}})
	}
	return out
}

// LoadBrief is LoadBriefWith without options.
func LoadBrief(ctx context.Context, store rg.Store, subject Subject, year *int) (*Brief, error) {
	return LoadBriefWith(ctx, store, subject, year, BriefOptions{})
}

// LoadBriefWith reads the graph as of year from store, builds the brief
// on subject and asks the store for the shortest route (at most
// BriefPathHops hops) from the home region to each outside body (at most
// MaxBriefTargets), preferring actor-to-actor relations (see
// routeOptions). Funds, plans and their classification are never steps
// unless opts.ThroughFundsAndPlans.
func LoadBriefWith(ctx context.Context, store rg.Store, subject Subject, year *int, opts BriefOptions) (*Brief, error) {
	sg, err := Load(ctx, store, nil, nil, year)
	if err != nil {
		return nil, err
	}
	b, err := BuildBriefWith(ctx, sg, subject, year, opts)
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
		bp := BriefPath{From: from, To: b.Node(id)}
		for _, ro := range routeOptions(year, opts) {
			ps, err := store.ShortestPaths(ctx, from.ID, id, ro.o)
			if err != nil {
				return nil, fmt.Errorf("brief: path from %s to %s: %w", from.ID, id, err)
			}
			if len(ps) > 0 {
				bp.Path, bp.Via = &ps[0], ro.via
				break
			}
		}
		b.Paths = append(b.Paths, bp)
	}
	for i := range b.TalkTo {
		for j := range b.Paths {
			if b.Paths[j].To.ID == b.TalkTo[i].Actor.Node.ID {
				b.TalkTo[i].Path = &b.Paths[j]
			}
		}
	}
	b.AddPathSources()
	return b, nil
}
