package resolvers

import (
	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

// kindNames maps domain kinds to GraphQL enum values and back.
var kindNames = map[rg.Kind]model.NodeKind{
	rg.KindMunicipality: model.NodeKindMunicipality,
	rg.KindRegion:       model.NodeKindRegion,
	rg.KindNetwork:      model.NodeKindNetwork,
	rg.KindPartner:      model.NodeKindPartner,
	rg.KindFund:         model.NodeKindFund,
	rg.KindInitiative:   model.NodeKindInitiative,
	rg.KindFocusArea:    model.NodeKindFocusArea,
	rg.KindStrategyArea: model.NodeKindStrategyArea,
	rg.KindTopic:        model.NodeKindTopic,
	rg.KindPlan:         model.NodeKindPlan,
}

var domainKinds = func() map[model.NodeKind]rg.Kind {
	m := make(map[model.NodeKind]rg.Kind, len(kindNames))
	for k, v := range kindNames {
		m[v] = k
	}
	return m
}()

func toDomainKinds(ks []model.NodeKind) []rg.Kind {
	out := make([]rg.Kind, 0, len(ks))
	for _, k := range ks {
		out = append(out, domainKinds[k])
	}
	return out
}

func toDomainRels(ks []model.RelationKind) []rg.RelKind {
	out := make([]rg.RelKind, 0, len(ks))
	for _, k := range ks {
		out = append(out, rg.RelKind(k))
	}
	return out
}

func toDomainDirection(d *model.Direction) rg.Direction {
	if d == nil {
		return rg.Both
	}
	return rg.Direction(*d)
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toSource(s rg.Source) *model.Source {
	return &model.Source{
		PlanID:    strPtr(s.Plan),
		Section:   strPtr(s.Section),
		Quote:     strPtr(s.Quote),
		Outside:   s.Outside,
		Reference: strPtr(s.Reference),
	}
}

// citation formats a source as one line a coordinator can paste, naming the
// plan by planName.
func citation(s *model.Source, planName string) string {
	if s.Outside {
		return "Outside the plans: " + deref(s.Reference)
	}
	c := planName
	if sec := deref(s.Section); sec != "" {
		c += ", " + sec
	}
	if q := deref(s.Quote); q != "" {
		c += ": «" + q + "»"
	}
	return c
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// toNode converts a domain node to its GraphQL type.
func toNode(n *rg.Node) model.Node {
	if n == nil {
		return nil
	}
	src := toSource(n.Source)
	desc := strPtr(n.Description)
	aliases := n.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	switch n.Kind {
	case rg.KindMunicipality:
		return &model.Municipality{ID: n.ID, Kind: model.NodeKindMunicipality, Name: n.Name, Aliases: aliases, Description: desc, Source: src, Number: strPtr(n.Number), County: strPtr(n.County)}
	case rg.KindRegion:
		return &model.Region{ID: n.ID, Kind: model.NodeKindRegion, Name: n.Name, Aliases: aliases, Description: desc, Source: src}
	case rg.KindNetwork:
		return &model.Network{ID: n.ID, Kind: model.NodeKindNetwork, Name: n.Name, Aliases: aliases, Description: desc, Source: src, Field: strPtr(n.Field)}
	case rg.KindPartner:
		return &model.Partner{ID: n.ID, Kind: model.NodeKindPartner, Name: n.Name, Aliases: aliases, Description: desc, Source: src, Category: strPtr(n.Category)}
	case rg.KindFund:
		return &model.Fund{ID: n.ID, Kind: model.NodeKindFund, Name: n.Name, Aliases: aliases, Description: desc, Source: src, Category: strPtr(n.Category)}
	case rg.KindInitiative:
		ya := make([]*model.YearAmount, 0, len(n.YearlyAmounts))
		for _, y := range n.YearlyAmounts {
			ya = append(ya, &model.YearAmount{Year: y.Year, AmountNok: y.AmountNok})
		}
		return &model.Initiative{ID: n.ID, Kind: model.NodeKindInitiative, Name: n.Name, Aliases: aliases, Description: desc, Source: src,
			Code: strPtr(n.Code), PlanYear: n.PlanYear, CostText: strPtr(n.CostText), CostNok: n.CostNok, YearlyAmounts: ya,
			Goals: orEmpty(n.Goals), Activities: orEmpty(n.Activities)}
	case rg.KindFocusArea:
		return &model.FocusArea{ID: n.ID, Kind: model.NodeKindFocusArea, Name: n.Name, Aliases: aliases, Description: desc, Source: src, Code: strPtr(n.Code)}
	case rg.KindStrategyArea:
		return &model.StrategyArea{ID: n.ID, Kind: model.NodeKindStrategyArea, Name: n.Name, Aliases: aliases, Description: desc, Source: src, Code: strPtr(n.Code)}
	case rg.KindTopic:
		return &model.Topic{ID: n.ID, Kind: model.NodeKindTopic, Name: n.Name, Aliases: aliases, Description: desc, Source: src, Goals: orEmpty(n.Goals)}
	case rg.KindPlan:
		return &model.Plan{ID: n.ID, Kind: model.NodeKindPlan, Name: n.Name, Aliases: aliases, Description: desc, Source: src, Year: n.PlanYear, Adopted: strPtr(n.Adopted)}
	}
	return nil // unknown kind: stores validate kinds, so this is not reached
}

func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func toRelation(e *rg.Edge) *model.Relation {
	return &model.Relation{
		ID: e.ID, Kind: model.RelationKind(e.Kind), FromID: e.From, ToID: e.To,
		FromYear: e.FromYear, ToYear: e.ToYear, AmountNok: e.AmountNok,
		AsWritten: strPtr(e.AsWritten), Role: strPtr(e.Role), Source: toSource(e.Source),
	}
}

func toRelations(es []*rg.Edge) []*model.Relation {
	out := make([]*model.Relation, 0, len(es))
	for _, e := range es {
		out = append(out, toRelation(e))
	}
	return out
}

// Converters from a domain node to one GraphQL type; ok is false when the
// node is of another kind.
func asNode(n *rg.Node) (model.Node, bool) {
	v := toNode(n)
	return v, v != nil
}

func asActor(n *rg.Node) (model.Actor, bool) {
	if !n.Kind.IsActor() {
		return nil, false
	}
	a, ok := toNode(n).(model.Actor)
	return a, ok
}

func asKind[T model.Node](k rg.Kind) func(*rg.Node) (T, bool) {
	return func(n *rg.Node) (T, bool) {
		var zero T
		if n.Kind != k {
			return zero, false
		}
		v, ok := toNode(n).(T)
		return v, ok
	}
}

var (
	asInitiative   = asKind[*model.Initiative](rg.KindInitiative)
	asFocusArea    = asKind[*model.FocusArea](rg.KindFocusArea)
	asStrategyArea = asKind[*model.StrategyArea](rg.KindStrategyArea)
	asTopic        = asKind[*model.Topic](rg.KindTopic)
	asPlan         = asKind[*model.Plan](rg.KindPlan)
	asFund         = asKind[*model.Fund](rg.KindFund)
	asMunicipality = asKind[*model.Municipality](rg.KindMunicipality)
	asRegion       = asKind[*model.Region](rg.KindRegion)
	asNetwork      = asKind[*model.Network](rg.KindNetwork)
	asPartner      = asKind[*model.Partner](rg.KindPartner)
)
