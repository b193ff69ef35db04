package regiongraph

import "slices"

// Endpoints lists the node kinds a relation may join: any of From to any of To.
type Endpoints struct {
	From []Kind
	To   []Kind
}

var actors = ActorKinds

// Relations is the table of which relation may join which kinds. Validate and
// every store enforce it.
var Relations = map[RelKind]Endpoints{
	RelMemberOf:       {From: []Kind{KindMunicipality, KindRegion}, To: []Kind{KindRegion, KindPartner, KindNetwork}},
	RelParticipatesIn: {From: actors, To: []Kind{KindNetwork, KindInitiative, KindPartner, KindRegion}},
	RelFacilitates:    {From: []Kind{KindRegion, KindPartner, KindMunicipality}, To: []Kind{KindNetwork, KindInitiative}},
	RelCoordinates:    {From: actors, To: []Kind{KindInitiative, KindNetwork, KindTopic}},
	RelFunds:          {From: actors, To: []Kind{KindInitiative, KindNetwork}},
	RelAdministers:    {From: []Kind{KindMunicipality, KindRegion, KindNetwork, KindPartner}, To: []Kind{KindFund}},
	RelPartnerOf:      {From: actors, To: actors},
	RelRepresentedIn:  {From: []Kind{KindMunicipality, KindRegion, KindNetwork}, To: []Kind{KindPartner, KindNetwork, KindRegion}},
	RelInFocusArea:    {From: []Kind{KindInitiative, KindTopic, KindNetwork}, To: []Kind{KindFocusArea}},
	RelInStrategyArea: {From: []Kind{KindInitiative}, To: []Kind{KindStrategyArea}},
	RelRelevantFor:    {From: []Kind{KindInitiative}, To: []Kind{KindFocusArea, KindStrategyArea}},
	RelPartOf:         {From: []Kind{KindInitiative, KindStrategyArea, KindNetwork, KindTopic}, To: []Kind{KindInitiative, KindFocusArea, KindNetwork, KindTopic}},
	RelConcerns:       {From: []Kind{KindInitiative, KindMunicipality, KindRegion, KindNetwork, KindPartner, KindFund}, To: []Kind{KindTopic}},
	RelInPlan:         {From: []Kind{KindInitiative, KindFocusArea, KindStrategyArea, KindTopic}, To: []Kind{KindPlan}},
	RelOverlaps:       {From: []Kind{KindInitiative}, To: []Kind{KindInitiative}},
}

// partOfPairs narrows PART_OF to pairs of like things.
var partOfPairs = map[Kind]Kind{
	KindInitiative:   KindInitiative,
	KindStrategyArea: KindFocusArea,
	KindNetwork:      KindNetwork,
	KindTopic:        KindTopic,
}

// CheckEndpoints returns a BAD_USER_INPUT error when rel may not join a node
// of kind from to a node of kind to.
func CheckEndpoints(rel RelKind, from, to Kind) error {
	ep, ok := Relations[rel]
	if !ok {
		return FieldErrorf("kind", "unknown relation kind %q", rel)
	}
	if !slices.Contains(ep.From, from) || !slices.Contains(ep.To, to) ||
		(rel == RelPartOf && partOfPairs[from] != to) {
		return FieldErrorf("kind", "%s may not join %s to %s", rel, from, to)
	}
	return nil
}
