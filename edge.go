package regiongraph

import "slices"

// RelKind is the kind of a relation. The values double as Neo4j relationship
// types.
type RelKind string

const (
	RelMemberOf       RelKind = "MEMBER_OF"        // a municipality in a region or alliance
	RelParticipatesIn RelKind = "PARTICIPATES_IN"  // an actor takes part in a network, initiative or arena
	RelFacilitates    RelKind = "FACILITATES"      // the region (secretariat) runs a network
	RelCoordinates    RelKind = "COORDINATES"      // project owner / oppdragsgiver
	RelFunds          RelKind = "FUNDS"            // a financing source pays for an initiative
	RelAdministers    RelKind = "ADMINISTERS"      // who holds a fund (fylkeskommune: regionale utviklingsmidler)
	RelPartnerOf      RelKind = "PARTNER_OF"       // a partnership between actors
	RelRepresentedIn  RelKind = "REPRESENTED_IN"   // the region has a seat in another body
	RelInFocusArea    RelKind = "IN_FOCUS_AREA"    // under satsingsområde
	RelInStrategyArea RelKind = "IN_STRATEGY_AREA" // under tiltaksområde i strategiplan
	RelRelevantFor    RelKind = "RELEVANT_FOR"     // "også relevant for": kept apart from the own area
	RelPartOf         RelKind = "PART_OF"          // sub-activity of an initiative, area of a focus area
	RelConcerns       RelKind = "CONCERNS"         // tied to a topic (E134, Kongsbergbanen, ...)
	RelInPlan         RelKind = "IN_PLAN"          // stated in a plan
	RelOverlaps       RelKind = "OVERLAPS"         // the same measure described twice (SuksIT appendix vs main table)
)

// RelKinds lists every relation kind in a fixed order.
var RelKinds = []RelKind{
	RelMemberOf, RelParticipatesIn, RelFacilitates, RelCoordinates, RelFunds,
	RelAdministers, RelPartnerOf, RelRepresentedIn, RelInFocusArea,
	RelInStrategyArea, RelRelevantFor, RelPartOf, RelConcerns, RelInPlan, RelOverlaps,
}

// Valid reports whether r is a known relation kind.
func (r RelKind) Valid() bool { return slices.Contains(RelKinds, r) }

// Edge is a directed relation From -> To.
type Edge struct {
	ID       string  `json:"id"`
	Kind     RelKind `json:"kind"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	FromYear *int    `json:"fromYear,omitempty"`
	ToYear   *int    `json:"toYear,omitempty"`
	// AmountNok only where the source states the amount for this relation.
	AmountNok *int64 `json:"amountNok,omitempty"`
	// AsWritten is the text of the source for this relation exactly as
	// printed, for example a financing cell "Regonrådet / DiFi".
	AsWritten string `json:"asWritten,omitempty"`
	// Role qualifies the relation ("styre", "koordineringsgruppe", "pilot", ...).
	Role   string `json:"role,omitempty"`
	Source Source `json:"source"`
}

// Clone returns a deep copy of e.
func (e *Edge) Clone() *Edge {
	if e == nil {
		return nil
	}
	c := *e
	if e.FromYear != nil {
		v := *e.FromYear
		c.FromYear = &v
	}
	if e.ToYear != nil {
		v := *e.ToYear
		c.ToYear = &v
	}
	if e.AmountNok != nil {
		v := *e.AmountNok
		c.AmountNok = &v
	}
	return &c
}

// HoldsIn reports whether the relation holds in year y: fromYear <= y <= toYear,
// a missing bound being unbounded.
func (e *Edge) HoldsIn(y int) bool {
	return (e.FromYear == nil || *e.FromYear <= y) && (e.ToYear == nil || y <= *e.ToYear)
}

// HoldsInYear is HoldsIn for an optional year: a nil year sees every relation.
func (e *Edge) HoldsInYear(y *int) bool { return y == nil || e.HoldsIn(*y) }

// Other returns the endpoint of e that is not id.
func (e *Edge) Other(id string) string {
	if e.From == id {
		return e.To
	}
	return e.From
}
