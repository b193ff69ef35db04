package resolvers

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/analysis"
	"github.com/regiongraph/regiongraph/graph/model"
)

// AnalysisFields are the Query fields that run a whole-graph analysis. An
// operation that selects one runs under the analysis time budget instead of
// the execution timeout, and takes a place among the analyses that may run
// at once (package gqlhttp, -analysis-timeout and -max-analysis-concurrent).
var AnalysisFields = []string{"centrality", "brokers", "communities", "fundingSummary", "fundingFlows", "lobbyingBrief", "partnershipMap"}

// Bounds of the analysis queries.
const (
	// MaxNeighbourhoodNodes bounds neighbourhood's first.
	MaxNeighbourhoodNodes = rg.MaxPageSize
	// MaxPaths bounds paths' first.
	MaxPaths = 100
)

// analyse runs f under the request's deadline, which the HTTP front sets to
// the analysis budget for an operation that selects one of AnalysisFields.
// A timeout becomes an UNAVAILABLE error that says what happened.
func analyse[T any](ctx context.Context, what string, f func(ctx context.Context) (T, error)) (T, error) {
	v, err := f(ctx)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		var zero T
		return zero, rg.Errorf(rg.EUNAVAILABLE, "%s took too long and was stopped: ask for a year, or fewer nodes", what)
	}
	return v, err
}

func (r *Resolver) neighbourhoodQuery(ctx context.Context, id string, depth int, kinds []model.NodeKind, relations []model.RelationKind, year *int, first *int) (*model.Neighbourhood, error) {
	sg, root, err := r.neighbourhood(ctx, id, depth, toDomainKinds(kinds), toDomainRels(relations), year, first)
	if err != nil {
		return nil, err
	}
	out := &model.Neighbourhood{Depth: depth, Year: year, Nodes: make([]model.Node, 0, len(sg.Nodes)), Relations: toRelations(sg.Edges), Truncated: sg.Truncated}
	for _, nd := range sg.Nodes {
		v := toNode(nd)
		out.Nodes = append(out.Nodes, v)
		if nd == root {
			out.Root = v
		}
	}
	return out, nil
}

// neighbourhood reads the neighbourhood of node id and finds its root among
// its nodes (the query and the direct path share it). The nodes are
// remembered by the request's loaders.
func (r *Resolver) neighbourhood(ctx context.Context, id string, depth int, kinds []rg.Kind, relations []rg.RelKind, year *int, first *int) (*rg.Subgraph, *rg.Node, error) {
	if depth < 1 || depth > rg.MaxDepth {
		return nil, nil, rg.FieldErrorf("depth", "depth %d is outside 1..%d", depth, rg.MaxDepth)
	}
	n, err := capFirst(first, 200, MaxNeighbourhoodNodes)
	if err != nil {
		return nil, nil, err
	}
	sg, err := r.Store.Subgraph(ctx, rg.SubgraphFilter{Roots: []string{id}, Depth: depth, Kinds: kinds, Relations: relations, Year: year, MaxNodes: n})
	if err != nil {
		return nil, nil, err
	}
	r.prime(ctx, sg.Nodes)
	for _, nd := range sg.Nodes {
		if nd.ID == id {
			return sg, nd, nil
		}
	}
	return nil, nil, rg.Errorf(rg.ENOTFOUND, "no node %q", id)
}

// capFirst returns first (def when nil) after checking it is in 1..hi.
func capFirst(first *int, def, hi int) (int, error) {
	n := def
	if first != nil {
		n = *first
	}
	if n < 1 || n > hi {
		return 0, rg.FieldErrorf("first", "first %d is outside 1..%d", n, hi)
	}
	return n, nil
}

func (r *Resolver) pathsQuery(ctx context.Context, from, to string, maxHops int, first *int, relations []model.RelationKind, kinds []model.NodeKind, year *int) ([]*model.ActorPath, error) {
	if maxHops < 1 || maxHops > rg.MaxHops {
		return nil, rg.FieldErrorf("maxHops", "maxHops %d is outside 1..%d", maxHops, rg.MaxHops)
	}
	n, err := capFirst(first, 10, MaxPaths)
	if err != nil {
		return nil, err
	}
	ps, err := r.Store.ShortestPaths(ctx, from, to, rg.PathOptions{MaxHops: maxHops, First: n, Relations: toDomainRels(relations), Kinds: toDomainKinds(kinds), Year: year})
	if err != nil {
		return nil, err
	}
	out := make([]*model.ActorPath, 0, len(ps))
	for i := range ps {
		out = append(out, toActorPath(&ps[i]))
	}
	return out, nil
}

func toActorPath(p *rg.Path) *model.ActorPath {
	ap := &model.ActorPath{Hops: len(p.Edges), Nodes: make([]model.Node, len(p.Nodes)), Steps: make([]*model.PathStep, len(p.Edges))}
	for i, n := range p.Nodes {
		ap.Nodes[i] = toNode(n)
	}
	for i, e := range p.Edges {
		ap.Steps[i] = &model.PathStep{From: ap.Nodes[i], To: ap.Nodes[i+1], Relation: toRelation(e), Reversed: e.From != p.Nodes[i].ID, Source: toSource(e.Source)}
	}
	return ap
}

// metricNames maps GraphQL metrics to analysis metrics.
var metricNames = map[model.CentralityMetric]analysis.Metric{
	model.CentralityMetricDegree:      analysis.Degree,
	model.CentralityMetricBetweenness: analysis.Betweenness,
	model.CentralityMetricCloseness:   analysis.Closeness,
	model.CentralityMetricPagerank:    analysis.PageRank,
}

// scoreFields maps CentralityScore fields to the metric they need.
var scoreFields = map[string]analysis.Metric{
	"betweenness": analysis.Betweenness, "betweennessNormalized": analysis.Betweenness,
	"closeness": analysis.Closeness, "pageRank": analysis.PageRank,
}

// requestedMetrics returns the metrics the query orders by or selects
// under scores, so that only those are computed.
func requestedMetrics(ctx context.Context, orderBy analysis.Metric) []analysis.Metric {
	ms := []analysis.Metric{orderBy}
	if graphql.GetFieldContext(ctx) == nil || !graphql.HasOperationContext(ctx) {
		return nil // not under gqlgen: compute everything
	}
	op := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name != "scores" {
			continue
		}
		for _, sf := range graphql.CollectFields(op, f.Selections, nil) {
			if m, ok := scoreFields[sf.Name]; ok {
				ms = append(ms, m)
			}
		}
	}
	return ms
}

func (r *Resolver) centralityQuery(ctx context.Context, year *int, kinds []model.NodeKind, orderBy *model.CentralityMetric, direction *model.OrderDirection, first *int, after *string) (*model.CentralityPage, error) {
	metric := model.CentralityMetricPagerank
	if orderBy != nil {
		metric = *orderBy
	}
	m := metricNames[metric]
	size, err := capFirst(first, rg.DefaultPageSize, rg.MaxPageSize)
	if err != nil {
		return nil, err
	}
	offset, err := decodeAnalysisCursor("centrality", after)
	if err != nil {
		return nil, err
	}
	want := toDomainKinds(kinds)
	for i, k := range want {
		if !k.IsActor() {
			return nil, rg.FieldErrorf(fmt.Sprintf("kinds[%d]", i), "%s is not an actor kind", k)
		}
	}
	metrics := requestedMetrics(ctx, m)
	return analyse(ctx, "centrality", func(ctx context.Context) (*model.CentralityPage, error) {
		// Refused from cheap counts before anything is loaded when the
		// graph is beyond the limits.
		check := metrics
		if check == nil {
			check = []analysis.Metric{analysis.Betweenness, analysis.Closeness}
		}
		if err := analysis.Precheck(ctx, r.Store, check...); err != nil {
			return nil, err
		}
		ag, err := analysis.LoadActorGraph(ctx, r.Store, year)
		if err != nil {
			return nil, err
		}
		scores, err := analysis.Centrality(ctx, ag, metrics...)
		if err != nil {
			return nil, err
		}
		analysis.SortScores(scores, m, direction == nil || *direction == model.OrderDirectionDesc)
		page := &model.CentralityPage{Year: year, ActorCount: len(ag.Actors), LinkCount: len(ag.Links), OrderBy: metric, Scores: []*model.CentralityScore{}, PageInfo: &model.PageInfo{}}
		if ps := ag.PathSampling(); !ps.Exact {
			page.PathEstimate = &model.PathEstimate{Pivots: ps.Pivots, Actors: ps.Actors, BetweennessNormalizedError: ps.BetweennessNormError, ClosenessError: ps.ClosenessError, Confidence: ps.Confidence}
		}
		rank := 0
		for _, s := range scores {
			if len(want) > 0 && !containsKind(want, s.Node.Kind) {
				continue
			}
			rank++
			page.TotalCount++
			if rank <= offset || rank > offset+size {
				continue
			}
			a, _ := asActor(s.Node)
			page.Scores = append(page.Scores, &model.CentralityScore{Actor: a, Rank: rank, Degree: s.Degree, WeightedDegree: s.WeightedDegree,
				Betweenness: s.Betweenness, BetweennessNormalized: s.BetweennessNorm, Closeness: s.Closeness, PageRank: s.PageRank})
			c := encodeAnalysisCursor("centrality", rank)
			page.PageInfo.EndCursor = &c
		}
		page.PageInfo.HasNextPage = offset+size < page.TotalCount
		return page, nil
	})
}

func containsKind(ks []rg.Kind, k rg.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func encodeAnalysisCursor(kind string, i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.Itoa(i)))
}

func decodeAnalysisCursor(kind string, after *string) (int, error) {
	if after == nil || *after == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*after)
	if err == nil {
		if v, ok := strings.CutPrefix(string(b), kind+":"); ok {
			if i, err := strconv.Atoi(v); err == nil && i >= 0 && i <= analysis.MaxActors {
				return i, nil
			}
		}
	}
	return 0, rg.FieldErrorf("after", "malformed cursor")
}

func (r *Resolver) brokersQuery(ctx context.Context, between []*model.ActorGroup, year *int, first *int) (*model.BrokerReport, error) {
	if len(between) != 2 {
		return nil, rg.FieldErrorf("between", "give exactly two groups, not %d", len(between))
	}
	n, err := capFirst(first, 20, rg.MaxPageSize)
	if err != nil {
		return nil, err
	}
	return analyse(ctx, "brokers", func(ctx context.Context) (*model.BrokerReport, error) {
		ag, err := analysis.LoadActorGraph(ctx, r.Store, year)
		if err != nil {
			return nil, err
		}
		var groups [2][]string
		for i, g := range between {
			if g == nil {
				return nil, rg.FieldErrorf(fmt.Sprintf("between[%d]", i), "is required")
			}
			grp := analysis.Group{IDs: g.Ids, Kinds: toDomainKinds(g.Kinds)}
			if g.County != nil {
				grp.County = *g.County
			}
			if g.MemberOf != nil {
				grp.MemberOf = *g.MemberOf
			}
			if groups[i], err = grp.Resolve(ag, fmt.Sprintf("between[%d]", i)); err != nil {
				return nil, err
			}
		}
		rep, err := analysis.Brokers(ctx, ag, groups[0], groups[1])
		if err != nil {
			return nil, err
		}
		out := &model.BrokerReport{Year: year, GroupA: actorsOf(ag, groups[0]), GroupB: actorsOf(ag, groups[1]), Pairs: rep.Pairs, ConnectedPairs: rep.ConnectedPairs, TotalCount: len(rep.Brokers)}
		out.Brokers = toBrokers(rep.Brokers[:min(n, len(rep.Brokers))])
		return out, nil
	})
}

func actorsOf(ag *analysis.ActorGraph, ids []string) []model.Actor {
	out := make([]model.Actor, 0, len(ids))
	for _, id := range ids {
		if a, ok := asActor(ag.Actor(id)); ok {
			out = append(out, a)
		}
	}
	return out
}

func toBrokers(bs []analysis.Broker) []*model.Broker {
	out := make([]*model.Broker, 0, len(bs))
	for _, b := range bs {
		a, _ := asActor(b.Node)
		out = append(out, &model.Broker{Actor: a, InGroupA: b.InA, InGroupB: b.InB, CrossBetweenness: b.CrossBetweenness, Share: b.Share, Constraint: b.Constraint, EffectiveSize: b.EffectiveSize})
	}
	return out
}

func (r *Resolver) communitiesQuery(ctx context.Context, resolution *float64, year *int, first *int) (*model.CommunityPartition, error) {
	res := analysis.DefaultResolution
	if resolution != nil {
		res = *resolution
	}
	n, err := capFirst(first, rg.DefaultPageSize, rg.MaxPageSize)
	if err != nil {
		return nil, err
	}
	return analyse(ctx, "communities", func(ctx context.Context) (*model.CommunityPartition, error) {
		ag, err := analysis.LoadActorGraph(ctx, r.Store, year)
		if err != nil {
			return nil, err
		}
		p, err := analysis.Communities(ctx, ag, res)
		if err != nil {
			return nil, err
		}
		out := &model.CommunityPartition{Year: year, Resolution: p.Resolution, Modularity: p.Modularity, TotalCount: len(p.Communities), Communities: []*model.Community{}}
		for _, c := range p.Communities[:min(n, len(p.Communities))] {
			label, _ := asActor(c.Label)
			mc := &model.Community{ID: c.Label.ID, Label: label, Size: len(c.Members), InternalWeight: c.InternalWeight}
			for _, m := range c.Members {
				a, _ := asActor(m)
				mc.Members = append(mc.Members, a)
			}
			out.Communities = append(out.Communities, mc)
		}
		return out, nil
	})
}

func toFundingGroups(gs []model.FundingGroup) []analysis.FundingGroup {
	out := make([]analysis.FundingGroup, len(gs))
	for i, g := range gs {
		out[i] = analysis.FundingGroup(g)
	}
	return out
}

func (r *Resolver) fundingSummaryQuery(ctx context.Context, groupBy []model.FundingGroup, year *int, first *int) (*model.FundingSummary, error) {
	n, err := capFirst(first, 100, rg.MaxPageSize)
	if err != nil {
		return nil, err
	}
	return analyse(ctx, "the funding summary", func(ctx context.Context) (*model.FundingSummary, error) {
		v, err := analysis.LoadFunding(ctx, r.Store, year)
		if err != nil {
			return nil, err
		}
		s, err := v.Summary(ctx, toFundingGroups(groupBy))
		if err != nil {
			return nil, err
		}
		return toFundingSummary(s, n, selected(ctx, "buckets", "initiatives"), selected(ctx, "excluded")), nil
	})
}

// selected reports whether the field at path is selected under the field
// being resolved (true when not resolving a GraphQL field).
func selected(ctx context.Context, path ...string) bool {
	if graphql.GetFieldContext(ctx) == nil || !graphql.HasOperationContext(ctx) {
		return true
	}
	op := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, nil)
	for i, name := range path {
		var next []graphql.CollectedField
		found := false
		for _, f := range fields {
			if f.Name == name {
				found = true
				if i < len(path)-1 {
					next = append(next, graphql.CollectFields(op, f.Selections, nil)...)
				}
			}
		}
		if !found {
			return false
		}
		fields = next
	}
	return true
}

// toFundingSummary converts the first buckets of s, with their items only
// when items is set and the exclusions only when excluded is (they are most
// of the work on a large graph).
func toFundingSummary(s *analysis.Summary, first int, items, excluded bool) *model.FundingSummary {
	out := &model.FundingSummary{GroupBy: make([]model.FundingGroup, len(s.GroupBy)), Year: s.Year, TotalNok: s.TotalNok, Count: s.Count,
		TotalBuckets: len(s.Buckets), Buckets: []*model.FundingBucket{}}
	out.Excluded = []*model.FundingExclusion{}
	if excluded {
		out.Excluded = toExclusions(s.Excluded)
	}
	for i, g := range s.GroupBy {
		out.GroupBy[i] = model.FundingGroup(g)
	}
	for _, b := range s.Buckets[:min(first, len(s.Buckets))] {
		mb := &model.FundingBucket{TotalNok: b.TotalNok, SharedNok: b.SharedNok, Count: len(b.Items), Initiatives: []*model.FundingItem{}}
		for _, k := range b.Keys {
			mb.Keys = append(mb.Keys, toFundingKey(k))
		}
		for _, it := range b.Items {
			if !items {
				break
			}
			mb.Initiatives = append(mb.Initiatives, &model.FundingItem{Initiative: asInit(it.Initiative), Year: yearOrNil(it.Year), AmountNok: it.AmountNok, Shared: it.Shared, Funding: toRelations(it.Funding)})
		}
		out.Buckets = append(out.Buckets, mb)
	}
	return out
}

func toFundingKey(k analysis.Key) *model.FundingKey {
	fk := &model.FundingKey{Group: model.FundingGroup(k.Group), ID: strPtr(k.ID()), Label: k.Label()}
	if k.Node != nil {
		fk.Node = toNode(k.Node)
	}
	if k.Group == analysis.GroupYear {
		fk.Year = yearOrNil(k.Year)
	}
	return fk
}

func toExclusions(es []analysis.Excluded) []*model.FundingExclusion {
	out := make([]*model.FundingExclusion, 0, len(es))
	for _, e := range es {
		fe := &model.FundingExclusion{Initiative: asInit(e.Initiative), Year: yearOrNil(e.Year), AmountNok: e.AmountNok, Reason: e.Reason}
		if e.CountedAs != nil {
			fe.CountedAs = asInit(e.CountedAs)
		}
		out = append(out, fe)
	}
	return out
}

func yearOrNil(y int) *int {
	if y == 0 {
		return nil
	}
	return &y
}

func asInit(n *rg.Node) *model.Initiative {
	v, _ := toNode(n).(*model.Initiative)
	return v
}

func (r *Resolver) fundingFlowsQuery(ctx context.Context, stages []model.FundingGroup, year *int) (*model.FundingFlows, error) {
	return analyse(ctx, "the funding flows", func(ctx context.Context) (*model.FundingFlows, error) {
		v, err := analysis.LoadFunding(ctx, r.Store, year)
		if err != nil {
			return nil, err
		}
		f, err := v.Flows(ctx, toFundingGroups(stages))
		if err != nil {
			return nil, err
		}
		out := &model.FundingFlows{Stages: slicesMap(f.Stages, func(g analysis.FundingGroup) model.FundingGroup { return model.FundingGroup(g) }),
			Year: f.Year, TotalNok: f.TotalNok, Nodes: []*model.FundingFlowNode{}, Links: []*model.FundingFlowLink{}, Excluded: toExclusions(f.Excluded)}
		for _, n := range f.Nodes {
			out.Nodes = append(out.Nodes, &model.FundingFlowNode{ID: n.ID, Stage: n.Stage, Key: toFundingKey(n.Key), ValueNok: n.ValueNok})
		}
		for _, l := range f.Links {
			ml := &model.FundingFlowLink{Source: l.Source, Target: l.Target, ValueNok: l.ValueNok, SharedNok: l.SharedNok, Initiatives: []*model.Initiative{}}
			for _, id := range l.Initiatives {
				if n := v.Node(id); n != nil {
					ml.Initiatives = append(ml.Initiatives, asInit(n))
				}
			}
			out.Links = append(out.Links, ml)
		}
		return out, nil
	})
}

func slicesMap[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// BriefURL is the path of the Markdown brief on a topic or initiative.
func BriefURL(id string, year *int) string {
	u := "/brief/" + id + ".md"
	if year != nil {
		u += "?year=" + strconv.Itoa(*year)
	}
	return u
}

func (r *Resolver) lobbyingBriefQuery(ctx context.Context, topic, initiative, text *string, year *int, throughFundsAndPlans *bool) (*model.LobbyingBrief, error) {
	opts := analysis.BriefOptions{ThroughFundsAndPlans: throughFundsAndPlans != nil && *throughFundsAndPlans}
	subj := analysis.Subject{}
	if topic != nil {
		subj.Topic = *topic
	}
	if initiative != nil {
		subj.Initiative = *initiative
	}
	if text != nil {
		subj.Text = *text
	}
	return analyse(ctx, "the lobbying brief", func(ctx context.Context) (*model.LobbyingBrief, error) {
		b, err := analysis.LoadBriefWith(ctx, r.Store, subj, year, opts)
		if err != nil {
			return nil, err
		}
		return toBrief(b), nil
	})
}

func toBrief(b *analysis.Brief) *model.LobbyingBrief {
	out := &model.LobbyingBrief{ID: strPtr(b.ID), Title: b.Title, Text: strPtr(b.Text), Year: b.Year, TotalNok: b.Funding.TotalNok,
		Topics: []*model.Topic{}, Initiatives: []*model.BriefInitiative{}, Actors: []*model.BriefActor{}, Municipalities: []*model.Municipality{},
		Partners: []*model.Partner{}, Home: []model.Actor{}, Outside: []model.Actor{}, Brokers: toBrokers(b.Brokers), Paths: []*model.BriefPath{},
		Funding: toFundingSummary(b.Funding, rg.MaxPageSize, true, true), Sources: []*model.Source{},
		OwnTotalNok: b.OwnTotalNok, ParentTopics: toKind[*model.Topic](b.ParentTopics), TalkTo: []*model.BriefContact{}}
	if b.Subject != nil {
		out.Subject = toNode(b.Subject)
		u := BriefURL(b.ID, b.Year)
		out.MarkdownURL = &u
	}
	for _, t := range b.Topics {
		if v, ok := toNode(t).(*model.Topic); ok {
			out.Topics = append(out.Topics, v)
		}
	}
	for _, bi := range b.Initiatives {
		mi := &model.BriefInitiative{Initiative: asInit(bi.Initiative), Reasons: bi.Reasons, AmountNok: bi.AmountNok,
			Coordinators: toActors(bi.Coordinators), Funders: toActors(bi.Funders), Funding: toRelations(bi.Funding),
			Participants: toActors(bi.Participants), Facilitators: toActors(bi.Facilitators),
			FocusAreas: toKind[*model.FocusArea](bi.FocusAreas), StrategyAreas: toKind[*model.StrategyArea](bi.StrategyAreas), Topics: toKind[*model.Topic](bi.Topics)}
		if bi.Parent != nil {
			mi.Parent = asInit(bi.Parent)
		}
		mi.Scope = model.BriefScope(bi.Scope)
		if bi.Via != nil {
			if v, ok := toNode(bi.Via).(*model.Topic); ok {
				mi.Via = v
			}
		}
		out.Initiatives = append(out.Initiatives, mi)
	}
	byID := map[string]*rg.Node{}
	for _, a := range b.Actors {
		byID[a.Node.ID] = a.Node
		act, _ := asActor(a.Node)
		ma := &model.BriefActor{Actor: act, Home: a.Home, Scope: model.BriefScope(a.Scope), Score: a.Score, Reasons: toReasons(a.Reasons)}
		if a.Hops >= 0 {
			h := a.Hops
			ma.Hops = &h
		}
		for _, r := range a.Roles {
			ma.Roles = append(ma.Roles, &model.BriefRole{Verb: r.Verb, Object: toNode(r.Object), Relation: toRelation(r.Relation)})
		}
		out.Actors = append(out.Actors, ma)
		switch v := toNode(a.Node).(type) {
		case *model.Municipality:
			out.Municipalities = append(out.Municipalities, v)
		case *model.Partner:
			out.Partners = append(out.Partners, v)
		}
	}
	for i := range b.Paths {
		out.Paths = append(out.Paths, toBriefPath(&b.Paths[i]))
	}
	for _, c := range b.TalkTo {
		act, _ := asActor(c.Actor.Node)
		mc := &model.BriefContact{Actor: act, Score: c.Actor.Score, Reasons: toReasons(c.Reasons)}
		if c.Path != nil {
			mc.Route = toBriefPath(c.Path)
		}
		out.TalkTo = append(out.TalkTo, mc)
	}
	for _, id := range b.Outside {
		if a, ok := asActor(byID[id]); ok {
			out.Outside = append(out.Outside, a)
		}
	}
	for _, id := range b.Home {
		if n := b.Node(id); n != nil {
			if a, ok := asActor(n); ok {
				out.Home = append(out.Home, a)
			}
		}
	}
	for _, s := range b.Sources {
		out.Sources = append(out.Sources, toSource(s))
	}
	return out
}

func toBriefPath(p *analysis.BriefPath) *model.BriefPath {
	bp := &model.BriefPath{From: toNode(p.From), To: toNode(p.To)}
	if p.Path != nil {
		bp.Path = toActorPath(p.Path)
		v := model.BriefRouteKind(p.Via)
		bp.Via = &v
	}
	return bp
}

func toReasons(rs []analysis.Reason) []*model.RelevanceReason {
	out := make([]*model.RelevanceReason, 0, len(rs))
	for _, r := range rs {
		out = append(out, &model.RelevanceReason{Factor: model.RelevanceFactor(r.Factor), Points: r.Points, Text: r.Text,
			Relation: toRelation(r.Relation), Source: toSource(r.Relation.Source)})
	}
	return out
}

func toActors(ns []*rg.Node) []model.Actor {
	out := make([]model.Actor, 0, len(ns))
	for _, n := range ns {
		if a, ok := asActor(n); ok {
			out = append(out, a)
		}
	}
	return out
}

func toKind[T model.Node](ns []*rg.Node) []T {
	out := make([]T, 0, len(ns))
	for _, n := range ns {
		if v, ok := toNode(n).(T); ok {
			out = append(out, v)
		}
	}
	return out
}
