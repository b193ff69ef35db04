package export_test

import (
	rg "github.com/regiongraph/regiongraph"
)

func yr(y int) *int      { return &y }
func nok(v int64) *int64 { return &v }

// Names that must survive every format: Norwegian letters, quotes, angle
// brackets, ampersands and commas.
const (
	nameNore    = "Nore og Uvdal"
	nameTinn    = `Tinn «Rjukan» & <Co>, "quoted"`
	nameBaner   = "Sørlandsbanen, Bratsbergbanen"
	nameLaering = "Læring, & mestring; <b>fet</b>"
)

// fixture is a small graph shaped like the bundled dataset: a region, its
// municipalities, networks, a partner, a fund, two plans with their
// initiatives, focus areas and a topic, and one node without relations.
func fixture() ([]*rg.Node, []*rg.Edge) {
	src2011 := rg.Source{Plan: "plan-2011", Section: `3.1 «Samferdsel» & "IKT"`, Quote: `Tiltak <1>, & mål: "bredbånd"`}
	src2014 := rg.Source{Plan: "plan-2014", Section: "Tiltak A–K"}
	outside := rg.Source{Outside: true, Reference: "https://www.kongsbergregionen.no/?a=1&b=<2>"}
	nodes := []*rg.Node{
		{ID: "region-kongsberg", Kind: rg.KindRegion, Name: "Kongsbergregionen", Aliases: []string{"Regionrådet", "KR, «regionen»"}, Source: outside},
		{ID: "kommune-nore-og-uvdal", Kind: rg.KindMunicipality, Name: nameNore, Number: "3338", County: "Buskerud", Source: outside},
		{ID: "kommune-tinn", Kind: rg.KindMunicipality, Name: nameTinn, Number: "4026", County: "Telemark", Source: outside},
		{ID: "kommune-kongsberg", Kind: rg.KindMunicipality, Name: "Kongsberg", Number: "3303", County: "Buskerud", Source: outside},
		{ID: "kommune-notodden", Kind: rg.KindMunicipality, Name: "Notodden", Number: "4020", County: "Telemark", Source: outside},
		{ID: "nettverk-skole", Kind: rg.KindNetwork, Name: "Skolenettverket", Field: "oppvekst", Source: src2014},
		{ID: "nettverk-helse", Kind: rg.KindNetwork, Name: "Helsenettverk «Samhandling»", Field: "helse & omsorg", Source: src2014},
		{ID: "partner-vtfk", Kind: rg.KindPartner, Name: "Vestfold og Telemark fylkeskommune", Category: "fylkeskommune", Source: outside},
		{ID: "partner-usn", Kind: rg.KindPartner, Name: "Universitetet i Sørøst-Norge", Category: "forskning", Source: outside},
		{ID: "fond-rup", Kind: rg.KindFund, Name: "Regionale utviklingsmidler", Source: src2011},
		{ID: "tema-jernbane", Kind: rg.KindTopic, Name: nameBaner, Source: src2011},
		{ID: "sats-1", Kind: rg.KindFocusArea, Name: "Samferdsel & kommunikasjon", Code: "1", Source: src2011},
		{ID: "sats-2", Kind: rg.KindFocusArea, Name: "Kompetanse <og> næring", Code: "2", Source: src2014},
		{ID: "plan-2011", Kind: rg.KindPlan, Name: "Handlingsplan 2011", PlanYear: yr(2011), Adopted: "2011-02", Source: outside},
		{ID: "plan-2014", Kind: rg.KindPlan, Name: "Handlingsplan 2014", PlanYear: yr(2014), Source: outside},
		{ID: "tiltak-2011-1", Kind: rg.KindInitiative, Name: "Bredbånd i Numedal", Code: "1.1", PlanYear: yr(2011), CostNok: nok(1500000), CostText: "1 500 000", Source: src2011},
		{ID: "tiltak-2011-2", Kind: rg.KindInitiative, Name: "Jernbane; «E134», Hvaler", Code: "1.2", PlanYear: yr(2011), CostText: "Ukjent", Source: src2011},
		{ID: "tiltak-2014-a", Kind: rg.KindInitiative, Name: "Øvre Numedal næringsforum", Code: "A", PlanYear: yr(2014), Source: src2014},
		{ID: "tiltak-2014-b", Kind: rg.KindInitiative, Name: nameLaering, Code: "B", PlanYear: yr(2014), Description: "Linje én\nlinje to, med \"sitat\"", Source: src2014},
	}
	e := func(id string, k rg.RelKind, from, to string, mod ...func(*rg.Edge)) *rg.Edge {
		x := &rg.Edge{ID: id, Kind: k, From: from, To: to, Source: src2014}
		for _, m := range mod {
			m(x)
		}
		return x
	}
	until := func(y int) func(*rg.Edge) { return func(e *rg.Edge) { e.ToYear = yr(y) } }
	since := func(y int) func(*rg.Edge) { return func(e *rg.Edge) { e.FromYear = yr(y) } }
	edges := []*rg.Edge{
		e("rel-member-nore", rg.RelMemberOf, "kommune-nore-og-uvdal", "region-kongsberg", func(e *rg.Edge) { e.Source = outside }),
		e("rel-member-tinn", rg.RelMemberOf, "kommune-tinn", "region-kongsberg", until(2012)),
		e("rel-member-kongsberg", rg.RelMemberOf, "kommune-kongsberg", "region-kongsberg"),
		e("rel-member-notodden", rg.RelMemberOf, "kommune-notodden", "region-kongsberg"),
		e("rel-part-kongsberg-skole", rg.RelParticipatesIn, "kommune-kongsberg", "nettverk-skole"),
		e("rel-part-notodden-skole", rg.RelParticipatesIn, "kommune-notodden", "nettverk-skole"),
		e("rel-part-tinn-helse", rg.RelParticipatesIn, "kommune-tinn", "nettverk-helse", since(2014), func(e *rg.Edge) { e.Role = `styre, "leder" & <sekretær>` }),
		e("rel-part-region-skole", rg.RelParticipatesIn, "region-kongsberg", "nettverk-skole"),
		e("rel-fac-skole", rg.RelFacilitates, "region-kongsberg", "nettverk-skole"),
		e("rel-fac-helse", rg.RelFacilitates, "region-kongsberg", "nettverk-helse"),
		e("rel-coord-2011-1", rg.RelCoordinates, "region-kongsberg", "tiltak-2011-1"),
		e("rel-coord-2014-a", rg.RelCoordinates, "partner-vtfk", "tiltak-2014-a"),
		e("rel-funds-2011-1", rg.RelFunds, "fond-rup", "tiltak-2011-1", func(e *rg.Edge) {
			e.AmountNok = nok(500000)
			e.AsWritten = `RUP / DiFi, "50 %" & <egeninnsats>`
			e.Source = src2011
		}),
		e("rel-funds-2014-b", rg.RelFunds, "fond-rup", "tiltak-2014-b"),
		e("rel-admin-rup", rg.RelAdministers, "partner-vtfk", "fond-rup"),
		e("rel-fa-2011-1", rg.RelInFocusArea, "tiltak-2011-1", "sats-1"),
		e("rel-fa-2011-2", rg.RelInFocusArea, "tiltak-2011-2", "sats-1"),
		e("rel-fa-2014-a", rg.RelInFocusArea, "tiltak-2014-a", "sats-2"),
		e("rel-fa-2014-b", rg.RelInFocusArea, "tiltak-2014-b", "sats-2"),
		e("rel-fa-skole", rg.RelInFocusArea, "nettverk-skole", "sats-2"),
		e("rel-concerns-2011-2", rg.RelConcerns, "tiltak-2011-2", "tema-jernbane"),
		e("rel-concerns-notodden", rg.RelConcerns, "kommune-notodden", "tema-jernbane"),
		e("rel-plan-2011-1", rg.RelInPlan, "tiltak-2011-1", "plan-2011"),
		e("rel-plan-2011-2", rg.RelInPlan, "tiltak-2011-2", "plan-2011"),
		e("rel-plan-2014-a", rg.RelInPlan, "tiltak-2014-a", "plan-2014"),
		e("rel-plan-2014-b", rg.RelInPlan, "tiltak-2014-b", "plan-2014"),
		e("rel-plan-sats-1", rg.RelInPlan, "sats-1", "plan-2011"),
		e("rel-partner-vtfk", rg.RelPartnerOf, "region-kongsberg", "partner-vtfk"),
	}
	return nodes, edges
}
