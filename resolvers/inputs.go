package resolvers

import (
	"github.com/99designs/gqlgen/graphql"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

// Conversions from the GraphQL inputs of the mutations to domain nodes,
// relations and changes. Validation is the domain's: these only copy.

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func fromSource(s *model.SourceInput) rg.Source {
	if s == nil {
		return rg.Source{}
	}
	return rg.Source{
		Plan: str(s.PlanID), Section: str(s.Section), Quote: str(s.Quote),
		Outside: s.Outside != nil && *s.Outside, Reference: str(s.Reference),
	}
}

func fromYearAmounts(ys []*model.YearAmountInput) []rg.YearAmount {
	var out []rg.YearAmount
	for _, y := range ys {
		if y != nil {
			out = append(out, rg.YearAmount{Year: y.Year, AmountNok: y.AmountNok})
		}
	}
	return out
}

func baseNode(kind rg.Kind, id, name string, aliases []string, desc *string, src *model.SourceInput) *rg.Node {
	return &rg.Node{ID: id, Kind: kind, Name: name, Aliases: aliases, Description: str(desc), Source: fromSource(src)}
}

func municipalityNode(in *model.MunicipalityInput) *rg.Node {
	n := baseNode(rg.KindMunicipality, in.ID, in.Name, in.Aliases, in.Description, in.Source)
	n.Number, n.County = str(in.Number), str(in.County)
	return n
}

func regionNode(in *model.RegionInput) *rg.Node {
	return baseNode(rg.KindRegion, in.ID, in.Name, in.Aliases, in.Description, in.Source)
}

func networkNode(in *model.NetworkInput) *rg.Node {
	n := baseNode(rg.KindNetwork, in.ID, in.Name, in.Aliases, in.Description, in.Source)
	n.Field = str(in.Field)
	return n
}

func partnerNode(in *model.PartnerInput) *rg.Node {
	n := baseNode(rg.KindPartner, in.ID, in.Name, in.Aliases, in.Description, in.Source)
	n.Category = str(in.Category)
	return n
}

func fundNode(in *model.FundInput) *rg.Node {
	n := baseNode(rg.KindFund, in.ID, in.Name, in.Aliases, in.Description, in.Source)
	n.Category = str(in.Category)
	return n
}

func initiativeNode(in *model.InitiativeInput) *rg.Node {
	n := baseNode(rg.KindInitiative, in.ID, in.Name, in.Aliases, in.Description, in.Source)
	n.Code, n.PlanYear, n.CostText, n.CostNok = str(in.Code), in.PlanYear, str(in.CostText), in.CostNok
	n.YearlyAmounts, n.Goals, n.Activities = fromYearAmounts(in.YearlyAmounts), in.Goals, in.Activities
	return n
}

func focusAreaNode(in *model.FocusAreaInput) *rg.Node {
	n := baseNode(rg.KindFocusArea, in.ID, in.Name, in.Aliases, in.Description, in.Source)
	n.Code = str(in.Code)
	return n
}

func strategyAreaNode(in *model.StrategyAreaInput) *rg.Node {
	n := baseNode(rg.KindStrategyArea, in.ID, in.Name, in.Aliases, in.Description, in.Source)
	n.Code = str(in.Code)
	return n
}

func topicNode(in *model.TopicInput) *rg.Node {
	n := baseNode(rg.KindTopic, in.ID, in.Name, in.Aliases, in.Description, in.Source)
	n.Goals = in.Goals
	return n
}

func planNode(in *model.PlanInput) *rg.Node {
	n := baseNode(rg.KindPlan, in.ID, in.Name, in.Aliases, in.Description, in.Source)
	n.PlanYear, n.Adopted = in.Year, str(in.Adopted)
	return n
}

// patch collects a partial update: the values given and the domain names
// of the fields given (null included, which clears).
type patch struct {
	n      *rg.Node
	e      *rg.Edge
	fields []string
}

func newNodePatch(kind rg.Kind, id string) *patch {
	return &patch{n: &rg.Node{ID: id, Kind: kind}}
}

func setStr(p *patch, name string, o graphql.Omittable[*string], dst *string) {
	if v, ok := o.ValueOK(); ok {
		p.fields = append(p.fields, name)
		*dst = str(v)
	}
}

func setPtr[T any](p *patch, name string, o graphql.Omittable[*T], dst **T) {
	if v, ok := o.ValueOK(); ok {
		p.fields = append(p.fields, name)
		*dst = v
	}
}

func setList(p *patch, name string, o graphql.Omittable[[]string], dst *[]string) {
	if v, ok := o.ValueOK(); ok {
		p.fields = append(p.fields, name)
		*dst = v
	}
}

func setSource(p *patch, o graphql.Omittable[*model.SourceInput], dst *rg.Source) {
	if v, ok := o.ValueOK(); ok {
		p.fields = append(p.fields, "source")
		*dst = fromSource(v)
	}
}

func (p *patch) common(name graphql.Omittable[*string], aliases graphql.Omittable[[]string], desc graphql.Omittable[*string], src graphql.Omittable[*model.SourceInput]) *patch {
	setStr(p, "name", name, &p.n.Name)
	setList(p, "aliases", aliases, &p.n.Aliases)
	setStr(p, "description", desc, &p.n.Description)
	setSource(p, src, &p.n.Source)
	return p
}

func (p *patch) change() rg.Change {
	c := rg.Change{Op: rg.OpUpdateNode, Node: p.n, Edge: p.e, Fields: p.fields}
	if p.e != nil {
		c.Op = rg.OpUpdateEdge
	}
	return c
}

func municipalityPatch(in *model.MunicipalityPatch) *patch {
	p := newNodePatch(rg.KindMunicipality, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
	setStr(p, "number", in.Number, &p.n.Number)
	setStr(p, "county", in.County, &p.n.County)
	return p
}

func regionPatch(in *model.RegionPatch) *patch {
	return newNodePatch(rg.KindRegion, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
}

func networkPatch(in *model.NetworkPatch) *patch {
	p := newNodePatch(rg.KindNetwork, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
	setStr(p, "field", in.Field, &p.n.Field)
	return p
}

func partnerPatch(in *model.PartnerPatch) *patch {
	p := newNodePatch(rg.KindPartner, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
	setStr(p, "category", in.Category, &p.n.Category)
	return p
}

func fundPatch(in *model.FundPatch) *patch {
	p := newNodePatch(rg.KindFund, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
	setStr(p, "category", in.Category, &p.n.Category)
	return p
}

func initiativePatch(in *model.InitiativePatch) *patch {
	p := newNodePatch(rg.KindInitiative, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
	setStr(p, "code", in.Code, &p.n.Code)
	setPtr(p, "planYear", in.PlanYear, &p.n.PlanYear)
	setStr(p, "costText", in.CostText, &p.n.CostText)
	setPtr(p, "costNok", in.CostNok, &p.n.CostNok)
	if v, ok := in.YearlyAmounts.ValueOK(); ok {
		p.fields = append(p.fields, "yearlyAmounts")
		p.n.YearlyAmounts = fromYearAmounts(v)
	}
	setList(p, "goals", in.Goals, &p.n.Goals)
	setList(p, "activities", in.Activities, &p.n.Activities)
	return p
}

func focusAreaPatch(in *model.FocusAreaPatch) *patch {
	p := newNodePatch(rg.KindFocusArea, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
	setStr(p, "code", in.Code, &p.n.Code)
	return p
}

func strategyAreaPatch(in *model.StrategyAreaPatch) *patch {
	p := newNodePatch(rg.KindStrategyArea, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
	setStr(p, "code", in.Code, &p.n.Code)
	return p
}

func topicPatch(in *model.TopicPatch) *patch {
	p := newNodePatch(rg.KindTopic, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
	setList(p, "goals", in.Goals, &p.n.Goals)
	return p
}

func planPatch(in *model.PlanPatch) *patch {
	p := newNodePatch(rg.KindPlan, in.ID).common(in.Name, in.Aliases, in.Description, in.Source)
	setPtr(p, "planYear", in.Year, &p.n.PlanYear)
	setStr(p, "adopted", in.Adopted, &p.n.Adopted)
	return p
}

func relationPatch(in *model.RelationPatch) *patch {
	p := &patch{e: &rg.Edge{ID: in.ID}}
	setPtr(p, "fromYear", in.FromYear, &p.e.FromYear)
	setPtr(p, "toYear", in.ToYear, &p.e.ToYear)
	setPtr(p, "amountNok", in.AmountNok, &p.e.AmountNok)
	setStr(p, "asWritten", in.AsWritten, &p.e.AsWritten)
	setStr(p, "role", in.Role, &p.e.Role)
	setSource(p, in.Source, &p.e.Source)
	return p
}

func linkEdge(in *model.LinkInput) *rg.Edge {
	e := &rg.Edge{
		ID: str(in.ID), Kind: rg.RelKind(in.Kind), From: in.From, To: in.To,
		FromYear: in.FromYear, ToYear: in.ToYear, AmountNok: in.AmountNok,
		AsWritten: str(in.AsWritten), Role: str(in.Role), Source: fromSource(in.Source),
	}
	if e.ID == "" && rg.ValidID(e.From) && rg.ValidID(e.To) {
		e.ID = deriveRelationID(e.From, e.Kind, e.To)
	}
	return e
}
