package regiongraph

import "slices"

// Kind is the kind of a node. The values double as GraphQL type names and
// Neo4j labels.
type Kind string

const (
	KindMunicipality Kind = "Municipality" // kommune
	KindRegion       Kind = "Region"       // regionråd / regionsamarbeid
	KindNetwork      Kind = "Network"      // nettverk
	KindPartner      Kind = "Partner"      // ekstern partner
	KindFund         Kind = "Fund"         // finansieringskilde
	KindInitiative   Kind = "Initiative"   // tiltak
	KindFocusArea    Kind = "FocusArea"    // satsingsområde
	KindStrategyArea Kind = "StrategyArea" // tiltaksområde i strategiplan
	KindTopic        Kind = "Topic"        // sak / tema
	KindPlan         Kind = "Plan"         // handlingsplan
)

// Kinds lists every node kind in a fixed order.
var Kinds = []Kind{
	KindMunicipality, KindRegion, KindNetwork, KindPartner, KindFund,
	KindInitiative, KindFocusArea, KindStrategyArea, KindTopic, KindPlan,
}

// ActorKinds are the kinds that act: they join, fund, coordinate and lobby.
var ActorKinds = []Kind{KindMunicipality, KindRegion, KindNetwork, KindPartner, KindFund}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// IsActor reports whether k is one of ActorKinds.
func (k Kind) IsActor() bool { return slices.Contains(ActorKinds, k) }

// Source says where a fact comes from. A fact from one of the plans names the
// plan (a Plan node id), the section and a short quote; a fact from outside
// the plans sets Outside and gives a Reference (a URL or a citation).
type Source struct {
	Plan      string `json:"plan,omitempty"`
	Section   string `json:"section,omitempty"`
	Quote     string `json:"quote,omitempty"`
	Outside   bool   `json:"outside,omitempty"`
	Reference string `json:"reference,omitempty"`
}

// YearAmount is an amount in NOK for one year.
type YearAmount struct {
	Year      int   `json:"year"`
	AmountNok int64 `json:"amountNok"`
}

// Node is a node of the graph. Fields below Source apply to some kinds only;
// Validate rejects a field set on a kind that does not have it.
type Node struct {
	ID          string   `json:"id"`
	Kind        Kind     `json:"kind"`
	Name        string   `json:"name"`
	Aliases     []string `json:"aliases,omitempty"` // other spellings, abbreviations, English glosses
	Description string   `json:"description,omitempty"`
	Source      Source   `json:"source"`

	// Municipality: kommunenummer and county (fylke).
	Number string `json:"number,omitempty"`
	County string `json:"county,omitempty"`
	// Network: the professional field.
	Field string `json:"field,omitempty"`
	// Partner: county council, research, education, alliance, state agency, cluster, ...
	Category string `json:"category,omitempty"`
	// Initiative, FocusArea, StrategyArea: the code as printed ("1", "1.1", "C", "3.1.2 d)").
	Code string `json:"code,omitempty"`
	// Initiative and Plan: the plan year.
	PlanYear *int `json:"planYear,omitempty"`
	// Initiative: the cost as printed (CostText), its total in NOK where the
	// plan gives one (CostNok) and the amounts per year (YearlyAmounts).
	CostNok       *int64       `json:"costNok,omitempty"`
	CostText      string       `json:"costText,omitempty"`
	YearlyAmounts []YearAmount `json:"yearlyAmounts,omitempty"`
	Goals         []string     `json:"goals,omitempty"`      // gevinster og effektmål / mål
	Activities    []string     `json:"activities,omitempty"` // aktivitet / arbeidsform
	// Plan: when it was adopted (ISO date, as precise as known).
	Adopted string `json:"adopted,omitempty"`
}

// Clone returns a deep copy of n.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Aliases = slices.Clone(n.Aliases)
	c.Goals = slices.Clone(n.Goals)
	c.Activities = slices.Clone(n.Activities)
	c.YearlyAmounts = slices.Clone(n.YearlyAmounts)
	if n.PlanYear != nil {
		y := *n.PlanYear
		c.PlanYear = &y
	}
	if n.CostNok != nil {
		v := *n.CostNok
		c.CostNok = &v
	}
	return &c
}

// Normalized returns a copy of n with empty lists made nil, the form stores
// keep and read back, so that nodes differing only there compare equal.
func (n *Node) Normalized() *Node {
	c := n.Clone()
	if len(c.Aliases) == 0 {
		c.Aliases = nil
	}
	if len(c.Goals) == 0 {
		c.Goals = nil
	}
	if len(c.Activities) == 0 {
		c.Activities = nil
	}
	if len(c.YearlyAmounts) == 0 {
		c.YearlyAmounts = nil
	}
	return c
}

// AmountIn returns the initiative's amount for year y: the yearly amount when
// one is given, else CostNok when the plan year is y.
func (n *Node) AmountIn(y int) (int64, bool) {
	for _, ya := range n.YearlyAmounts {
		if ya.Year == y {
			return ya.AmountNok, true
		}
	}
	if len(n.YearlyAmounts) == 0 && n.CostNok != nil && n.PlanYear != nil && *n.PlanYear == y {
		return *n.CostNok, true
	}
	return 0, false
}
