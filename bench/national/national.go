// Package national generates a synthetic national graph to measure
// regiongraph at scale: a Go port of the shape of
// ../shared/bench/national/gen_national.py (the same kinds, counts, skew and
// relation patterns; its own random numbers, so not the same ids).
//
// At scale 1: 357 municipalities in 11 counties, 60 regions, 2 000 networks,
// 3 000 partners, 200 funds, 50 000 initiatives, 5 focus areas, 60 strategy
// areas, 500 topics and 100 plans, joined by about half a million relations
// with skewed degrees (hubs), years 2008–2026, a source on everything.
// Municipalities, counties, regions and focus areas are the fixed
// geography; every other kind and all relations scale with the scale.
// Deterministic for a given scale and seed.
package national

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/dataset"
)

// Years are the years relations hold in.
var Years = func() []int {
	var ys []int
	for y := 2008; y <= 2026; y++ {
		ys = append(ys, y)
	}
	return ys
}()

// Counties are the counties, with how many municipalities each has (357).
var Counties = []struct {
	Name, Number string
	Munis        int
}{
	{"Agder", "42", 25}, {"Innlandet", "34", 46}, {"Møre og Romsdal", "15", 26},
	{"Nordland", "18", 41}, {"Oslo", "03", 1}, {"Rogaland", "11", 23},
	{"Troms og Finnmark", "54", 39}, {"Trøndelag", "50", 38},
	{"Vestfold og Telemark", "38", 23}, {"Vestland", "46", 43}, {"Viken", "30", 52},
}

var (
	sylA = []string{"Ber", "Tro", "Sta", "Kris", "Dram", "Ha", "Mo", "Lil", "Gjø", "Ve", "Hø", "Ås", "Lar",
		"Sø", "Nor", "Bø", "Fla", "Hjart", "Kongs", "Not", "Tin", "Sel", "Ran", "Ør", "Æ", "Hå",
		"Grim", "Ar", "Fre", "Sand", "Skien", "Bam", "Kra", "Ski", "Ei", "Vin", "Fol", "Lur",
		"Svel", "Ul", "Va", "Bjør", "Hol", "Ål", "Gol", "Nes", "Rin", "Lo", "Bu", "Ma"}
	sylB = []string{"gen", "msø", "vanger", "tian", "men", "mar", "ss", "le", "vik", "dal", "nes", "berg",
		"und", "stad", "fjord", "øy", "heim", "sand", "land", "å", "er", "ås", "rud", "seter",
		"voll", "bø", "rum", "ker", "ra", "lia"}
	themes = []string{"Bredbånd", "Næringshage", "Reiseliv", "Kompetanseløft", "Klimaplan", "Folkehelse",
		"Barnevern", "Samferdsel", "Digitalisering", "Landbruk", "Kulturarv", "Innovasjon",
		"Omstilling", "Ungdomssatsing", "Beredskap", "Vannforvaltning", "Sykkelvei",
		"Stedsutvikling", "Energi", "Rekruttering", "Eldreomsorg", "Havbruk", "Skoleutvikling",
		"Arealplan", "Kollektivtrafikk", "Smart by", "Grønn industri", "Fiskeri", "Idrett", "Integrering"}
	forms       = []string{"prosjekt", "forprosjekt", "program", "nettverk", "utredning", "pilot", "konferanse", "strategi", "samarbeid", "tiltakspakke"}
	netFields   = []string{"barnevern", "plan og miljø", "næring", "helse", "IKT", "samferdsel", "kultur", "oppvekst", "landbruk", "reiseliv", "klima", "beredskap", "innkjøp", "PPT"}
	partnerCats = []string{"statlig etat", "forskning", "utdanning", "næringsklynge", "samarbeidsallianse", "næringsliv", "interesseorganisasjon", "europakontor"}
	partnerBase = map[string]string{"statlig etat": "Direktoratet for", "forskning": "Forskningsinstitutt", "utdanning": "Høgskolen i",
		"næringsklynge": "Klyngen", "samarbeidsallianse": "Alliansen", "næringsliv": "AS", "interesseorganisasjon": "Forbundet", "europakontor": "Europakontoret"}
	fundCats   = []string{"regionale utviklingsmidler", "statlig tilskudd", "kommunale midler", "EU-program", "stiftelse", "næringsfond"}
	roads      = []string{"E6", "E8", "E10", "E16", "E18", "E39", "E134", "E136", "Rv 3", "Rv 7", "Rv 9", "Rv 13", "Rv 15", "Rv 23", "Rv 36", "Rv 40", "Rv 52", "Rv 80"}
	topicWords = []string{"Bredbånd", "Jernbane", "Flyplass", "Sykehus", "Høyskole", "Havn", "Kraftlinje", "Fylkesvei", "Næringsareal", "Kompetansesenter", "Vindkraft", "Rassikring"}
	focus      = [][2]string{{"1", "Næringsutvikling og arbeidsplasser"}, {"2", "Kommunikasjon, infrastruktur og samferdsel"},
		{"3", "Kompetanse og utdanning"}, {"4", "Attraktivitet, kultur og bolyst"}, {"5", "Tjenesteutvikling og samhandling"}}
)

// Graph is a generated national graph and ids a load test needs.
type Graph struct {
	Nodes []*rg.Node
	Edges []*rg.Edge
	// Municipalities, Partners (county councils first, then the state
	// agencies), Regions, Initiatives, by creation order.
	Municipalities, Partners, Regions, Initiatives []string
	// Hub and Median are the municipalities with the most relations and
	// the median number.
	Hub, Median string
	// RoadAuthority is the partner Statens vegvesen.
	RoadAuthority string
}

// Changes returns upserts loading the graph: every node, then every
// relation, in batches of at most regiongraph.MaxChanges.
func (g *Graph) Changes() [][]rg.Change {
	var all []rg.Change
	for _, n := range g.Nodes {
		all = append(all, rg.Change{Op: rg.OpUpsertNode, Node: n.Clone()})
	}
	for _, e := range g.Edges {
		all = append(all, rg.Change{Op: rg.OpUpsertEdge, Edge: e.Clone()})
	}
	return slices.Collect(slices.Chunk(all, rg.MaxChanges))
}

type gen struct {
	r       *rand.Rand
	scale   float64
	nodes   map[string]*rg.Node
	g       *Graph
	ids     map[string]bool
	triples map[[3]string]bool
}

func (x *gen) n(full, lo int) int { return max(lo, int(math.Round(float64(full)*x.scale))) }

func (x *gen) uid(base string) string {
	base = strings.TrimRight(base, "-")
	cand := base
	for i := 2; x.ids[cand]; i++ {
		cand = fmt.Sprintf("%s-%d", base, i)
	}
	x.ids[cand] = true
	return cand
}

func (x *gen) add(n *rg.Node) string {
	x.nodes[n.ID] = n
	x.g.Nodes = append(x.g.Nodes, n)
	return n.ID
}

// rel adds a relation unless it joins a node to itself or repeats a
// (from, kind, to) triple. It takes the source of the node it is written
// under (owner, default from) unless src is set.
func (x *gen) rel(kind rg.RelKind, from, to string, o relOpts) bool {
	if from == to || x.triples[[3]string{from, string(kind), to}] {
		return false
	}
	x.triples[[3]string{from, string(kind), to}] = true
	owner := o.owner
	if owner == "" {
		owner = from
	}
	e := &rg.Edge{ID: dataset.DeriveID(from, kind, to), Kind: kind, From: from, To: to, Role: o.role, AsWritten: o.asWritten, Source: x.nodes[owner].Source}
	if o.src != nil {
		e.Source = *o.src
	}
	if o.from != 0 {
		e.FromYear = ptr(o.from)
	}
	if o.to != 0 {
		e.ToYear = ptr(o.to)
	}
	x.g.Edges = append(x.g.Edges, e)
	return true
}

type relOpts struct {
	owner, role, asWritten string
	from, to               int
	src                    *rg.Source
}

func ptr[T any](v T) *T { return &v }

func outside(ref string) rg.Source { return rg.Source{Outside: true, Reference: ref} }

func (x *gen) choice(xs []string) string { return xs[x.r.IntN(len(xs))] }
func (x *gen) year() int                 { return Years[x.r.IntN(len(Years))] }
func (x *gen) yearIn(n int) int          { return Years[x.r.IntN(n)] }

// sample returns k distinct elements of xs.
func (x *gen) sample(xs []string, k int) []string {
	k = min(k, len(xs))
	p := x.r.Perm(len(xs))[:k]
	out := make([]string, k)
	for i, j := range p {
		out[i] = xs[j]
	}
	return out
}

// picker draws with weights.
type picker struct {
	items []string
	cum   []float64
}

func newPicker(items []string, w []float64) *picker {
	p := &picker{items: items, cum: make([]float64, len(w))}
	var s float64
	for i, x := range w {
		s += x
		p.cum[i] = s
	}
	return p
}

func (p *picker) pick(r *rand.Rand) string {
	t := r.Float64() * p.cum[len(p.cum)-1]
	return p.items[min(sort.SearchFloat64s(p.cum, t), len(p.items)-1)]
}

func (p *picker) sample(r *rand.Rand, k int) []string {
	k = min(k, len(p.items))
	var out []string
	seen := map[string]bool{}
	for tries := 0; len(out) < k && tries < 20*k+20; tries++ {
		if v := p.pick(r); !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func zipf(r *rand.Rand, n int, a float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), a)
	}
	r.Shuffle(n, func(i, j int) { w[i], w[j] = w[j], w[i] })
	return w
}

func slug(s string) string {
	var b strings.Builder
	hy := false
	for _, ch := range strings.ToLower(s) {
		rep := map[rune]string{'æ': "ae", 'ø': "o", 'å': "a", 'é': "e"}[ch]
		if rep == "" {
			rep = string(ch)
		}
		ok := true
		for _, c := range rep {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
				ok = false
			}
		}
		if ok {
			if hy && b.Len() > 0 {
				b.WriteByte('-')
			}
			hy = false
			b.WriteString(rep)
		} else {
			hy = true
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

func cut(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, "-")
}

// Generate returns the national graph at scale (1: national size; 0.1,
// 0.01 ...) for seed.
func Generate(scale float64, seed uint64) *Graph {
	x := &gen{r: rand.New(rand.NewPCG(seed, 0x6e6174)), scale: scale, nodes: map[string]*rg.Node{}, g: &Graph{}, ids: map[string]bool{}, triples: map[[3]string]bool{}}
	x.build()
	deg := map[string]int{}
	for _, e := range x.g.Edges {
		deg[e.From]++
		deg[e.To]++
	}
	ms := slices.Clone(x.g.Municipalities)
	slices.SortFunc(ms, func(a, b string) int {
		if deg[a] != deg[b] {
			return deg[a] - deg[b]
		}
		return strings.Compare(a, b)
	})
	x.g.Hub, x.g.Median = ms[len(ms)-1], ms[len(ms)/2]
	return x.g
}

func (x *gen) build() {
	r := x.r
	nPlans := x.n(100, 3)
	const nRegions = 60
	planYears := make([]int, nPlans)
	for i := range planYears {
		if nPlans < len(Years) {
			planYears[i] = Years[i*len(Years)/nPlans]
		} else {
			planYears[i] = x.year()
		}
	}
	// Municipalities.
	var munis []string
	county := map[string]string{}
	pop := map[string]float64{}
	name := map[string]string{}
	var muniNodes, regionNodes []*rg.Node
	names := map[string]bool{}
	for _, c := range Counties {
		for k := range c.Munis {
			var nm string
			for {
				nm = x.choice(sylA) + x.choice(sylB)
				if c.Name == "Oslo" {
					nm = "Oslo"
				}
				if !names[nm] {
					break
				}
			}
			names[nm] = true
			id := x.uid("kommune-" + slug(nm))
			p := math.Exp(r.NormFloat64()*1.1 + 8.8)
			if c.Name == "Oslo" {
				p = 700000
			}
			pop[id], county[id], name[id] = p, c.Name, nm
			num := fmt.Sprintf("%s%02d", c.Number, k+1)
			n := &rg.Node{ID: id, Kind: rg.KindMunicipality, Name: nm, County: c.Name, Number: num, Source: outside("https://data.ssb.no/kommuner/" + num)}
			if r.Float64() < 0.08 {
				n.Aliases = []string{nm + " kommune"}
			}
			muniNodes = append(muniNodes, n)
			munis = append(munis, id)
		}
	}
	// Regions: spread over counties by municipality count.
	byCounty := map[string][]string{}
	for _, m := range munis {
		byCounty[county[m]] = append(byCounty[county[m]], m)
	}
	type alloc struct {
		county string
		k      int
	}
	var al []*alloc
	sum := 0
	for _, c := range Counties {
		k := max(1, int(math.Round(nRegions*float64(len(byCounty[c.Name]))/float64(len(munis)))))
		al = append(al, &alloc{c.Name, k})
		sum += k
	}
	for ; sum > nRegions; sum-- {
		slices.MaxFunc(al, func(a, b *alloc) int { return a.k - b.k }).k--
	}
	for ; sum < nRegions; sum++ {
		slices.MaxFunc(al, func(a, b *alloc) int {
			return cmpFloat(float64(len(byCounty[a.county]))/float64(a.k), float64(len(byCounty[b.county]))/float64(b.k))
		}).k++
	}
	var regions []string
	members := map[string][]string{}
	regionCounty := map[string]string{}
	for _, a := range al {
		ms := byCounty[a.county]
		for j := range a.k {
			mem := ms[j*len(ms)/a.k : (j+1)*len(ms)/a.k]
			if len(mem) == 0 {
				mem = ms[len(ms)-1:]
			}
			nm := name[mem[0]] + "regionen"
			id := x.uid("region-" + slug(nm))
			regions = append(regions, id)
			members[id] = slices.Clone(mem)
			regionCounty[id] = county[mem[0]]
			name[id] = nm
			regionNodes = append(regionNodes, &rg.Node{ID: id, Kind: rg.KindRegion, Name: nm, Aliases: []string{"Regionrådet i " + nm},
				Source: outside("https://regionrad.example.no/" + id + "/vedtekter")})
		}
	}
	regionPop := func(reg string) float64 {
		var s float64
		for _, m := range members[reg] {
			s += pop[m]
		}
		return s
	}
	// Plans: one region each, biggest first, a year.
	big := slices.Clone(regions)
	sort.SliceStable(big, func(i, j int) bool { return regionPop(big[i]) > regionPop(big[j]) })
	var plans []string
	planRegion := map[string]string{}
	planYear := map[string]int{}
	for i := range nPlans {
		reg := big[i%len(big)]
		if i >= len(big) {
			reg = big[r.IntN(max(1, len(big)/2))]
		}
		y := planYears[i]
		id := x.uid(fmt.Sprintf("plan-%d-%s", y, slug(name[reg])))
		plans = append(plans, id)
		planRegion[id], planYear[id] = reg, y
		x.add(&rg.Node{ID: id, Kind: rg.KindPlan, Name: fmt.Sprintf("Handlingsplan %d %s", y, name[reg]), PlanYear: ptr(y),
			Adopted: fmt.Sprintf("%d-%02d-%02d", y, 1+r.IntN(6), 1+r.IntN(28)),
			Source:  rg.Source{Plan: id, Section: "Forside", Quote: fmt.Sprintf("HANDLINGSPLAN %d", y)}})
	}
	for _, n := range muniNodes {
		x.add(n)
	}
	for _, n := range regionNodes {
		x.add(n)
	}
	// Focus areas and strategy areas.
	var fas []string
	for _, f := range focus {
		fas = append(fas, x.add(&rg.Node{ID: "satsingsomrade-" + f[0], Kind: rg.KindFocusArea, Code: f[0], Name: f[1],
			Source: rg.Source{Plan: plans[0], Section: "SATSINGSOMRÅDE " + f[0], Quote: f[1]}}))
	}
	nSA := x.n(60, 15)
	var sas []string
	saFA := map[string]string{}
	saIndex := map[string]int{}
	for i := range nSA {
		fa := fas[i%5]
		code := fmt.Sprintf("%s.%d", strings.TrimPrefix(fa, "satsingsomrade-"), i/5+1)
		theme := strings.ToLower(themes[i%len(themes)])
		id := x.add(&rg.Node{ID: "tiltaksomrade-" + strings.ReplaceAll(code, ".", "-"), Kind: rg.KindStrategyArea, Code: code,
			Name:   "Utvikling innen " + theme,
			Source: rg.Source{Plan: plans[i%len(plans)], Section: "Strategiplan", Quote: code + " Utvikling innen " + theme}})
		sas = append(sas, id)
		saFA[id] = fa
		saIndex[id] = i
	}
	// Partners: county councils, state agencies, the rest.
	nPartners := x.n(3000, 30)
	var partners []string
	partnerCounty := map[string]string{}
	for _, c := range Counties {
		id := x.uid("partner-" + slug(c.Name+" fylkeskommune"))
		x.add(&rg.Node{ID: id, Kind: rg.KindPartner, Name: c.Name + " fylkeskommune", Aliases: []string{"fylkeskommunen"}, Category: "fylkeskommune",
			Source: outside("https://www." + slug(c.Name) + ".example.no")})
		partners = append(partners, id)
		partnerCounty[id] = c.Name
	}
	for _, p := range [][3]string{{"Statens vegvesen", "SVV", "statlig etat"}, {"Innovasjon Norge", "IN", "statlig etat"},
		{"KS", "Kommunesektorens organisasjon", "interesseorganisasjon"}, {"Husbanken", "", "statlig etat"},
		{"Bane NOR", "", "statlig etat"}, {"Forskningsrådet", "NFR", "forskning"}, {"Nye Veier", "", "statlig etat"}} {
		if len(partners) >= nPartners {
			break
		}
		id := x.uid("partner-" + slug(p[0]))
		n := &rg.Node{ID: id, Kind: rg.KindPartner, Name: p[0], Category: p[2], Source: outside("https://www." + slug(p[0]) + ".example.no")}
		if p[1] != "" {
			n.Aliases = []string{p[1]}
		}
		x.add(n)
		partners = append(partners, id)
		if p[0] == "Statens vegvesen" {
			x.g.RoadAuthority = id
		}
	}
	for len(partners) < nPartners {
		cat := x.choice(partnerCats)
		place := name[x.choice(munis)]
		theme := x.choice(themes)
		nm := fmt.Sprintf("%s %s %s", partnerBase[cat], strings.ToLower(theme), place)
		if cat == "næringsliv" {
			nm = fmt.Sprintf("%s %s AS", place, theme)
		}
		id := x.uid("partner-" + cut(slug(nm), 60))
		x.add(&rg.Node{ID: id, Kind: rg.KindPartner, Name: nm, Category: cat, Source: outside(fmt.Sprintf("https://w2.brreg.example.no/enhet/%d", 900000000+len(partners)))})
		partners = append(partners, id)
		partnerCounty[id] = county[x.choice(munis)]
	}
	// Funds: one per county administered by the county council, the rest.
	nFunds := x.n(200, 5)
	var funds []string
	admin := map[string]string{}
	for i, c := range Counties {
		if len(funds) >= nFunds {
			break
		}
		id := x.uid("fond-rum-" + slug(c.Name))
		x.add(&rg.Node{ID: id, Kind: rg.KindFund, Name: "Regionale utviklingsmidler " + c.Name, Aliases: []string{"RUM"}, Category: "regionale utviklingsmidler",
			Source: outside("https://www." + slug(c.Name) + ".example.no/rum")})
		funds = append(funds, id)
		admin[id] = partners[i]
	}
	for len(funds) < nFunds {
		cat := x.choice(fundCats)
		theme := strings.ToLower(x.choice(themes))
		nm := fmt.Sprintf("%s – %s %d", strings.ToUpper(cat[:1])+cat[1:], theme, len(funds))
		id := x.uid("fond-" + cut(slug(nm), 60))
		x.add(&rg.Node{ID: id, Kind: rg.KindFund, Name: nm, Category: cat, Source: outside("https://tilskudd.example.no/" + id)})
		funds = append(funds, id)
		admin[id] = x.choice([]string{x.choice(partners), x.choice(regions), x.choice(munis)})
	}
	// Networks.
	nNets := x.n(2000, 20)
	var nets []string
	netRegion := map[string]string{}
	for i := range nNets {
		reg := regions[i%len(regions)]
		if i >= len(regions)*3 {
			reg = x.choice(regions)
		}
		field := x.choice(netFields)
		nm := fmt.Sprintf("%s-nettverket %s", strings.ToUpper(field[:1])+field[1:], name[reg])
		id := x.uid("nettverk-" + cut(slug(field+" "+name[reg]), 60))
		x.add(&rg.Node{ID: id, Kind: rg.KindNetwork, Name: nm, Field: field, Source: outside("https://regionrad.example.no/" + reg + "/nettverk")})
		nets = append(nets, id)
		netRegion[id] = reg
	}
	// Topics.
	nTopics := x.n(500, 10)
	var topics []string
	for i := range nTopics {
		nm := ""
		if i < len(roads) {
			nm = roads[i]
		} else {
			nm = x.choice(topicWords) + " " + name[x.choice(munis)]
		}
		id := x.uid("sak-" + cut(slug(nm), 60))
		n := &rg.Node{ID: id, Kind: rg.KindTopic, Name: nm, Source: rg.Source{Plan: x.choice(plans), Section: "Prioriterte saker", Quote: nm}}
		if r.Float64() < 0.3 {
			n.Goals = []string{"Sikre finansiering av " + nm}
		}
		x.add(n)
		topics = append(topics, id)
	}

	// Pickers (skew).
	mw := make([]float64, len(munis))
	for i, m := range munis {
		mw[i] = math.Pow(pop[m], 0.6)
	}
	muniPick := newPicker(munis, mw)
	pw := zipf(r, len(partners), 1.1)
	for i := range min(18, len(partners)) {
		pw[i] = 0.5 // county councils and state agencies are hubs
	}
	partnerPick := newPicker(partners, pw)
	fw := zipf(r, len(funds), 1.0)
	for i := range min(11, len(funds)) {
		fw[i] = 0.6
	}
	fundPick := newPicker(funds, fw)
	netPick := newPicker(nets, zipf(r, len(nets), 0.9))
	topicPick := newPicker(topics, zipf(r, len(topics), 1.0))
	rw := make([]float64, len(regions))
	for i, reg := range regions {
		rw[i] = math.Sqrt(regionPop(reg))
	}
	regionPick := newPicker(regions, rw)
	plw := make([]float64, len(plans))
	for i, p := range plans {
		plw[i] = math.Sqrt(regionPop(planRegion[p]))
	}
	planPick := newPicker(plans, plw)
	countyCouncil := map[string]string{}
	for _, p := range partners[:11] {
		countyCouncil[partnerCounty[p]] = p
	}
	countyRUM := map[string]string{}
	for i := range min(11, len(funds)) {
		countyRUM[Counties[i].Name] = funds[i]
	}
	netsOf := map[string][]string{}
	for _, id := range nets {
		netsOf[netRegion[id]] = append(netsOf[netRegion[id]], id)
	}
	actorPick := []*picker{muniPick, partnerPick, netPick, regionPick}
	anyActor := func() string { return actorPick[r.IntN(len(actorPick))].pick(r) }

	// Structural relations.
	for _, reg := range regions {
		for _, m := range members[reg] {
			x.rel(rg.RelMemberOf, m, reg, relOpts{from: x.yearIn(8)})
		}
		x.rel(rg.RelRepresentedIn, reg, countyCouncil[regionCounty[reg]], relOpts{role: "regionrådet har observatør", from: x.yearIn(10)})
	}
	for _, m := range x.sample(munis, 40) {
		to := []int{0, 0, 2020, 2023}[r.IntN(4)]
		x.rel(rg.RelMemberOf, m, regionPick.pick(r), relOpts{from: x.yearIn(12), to: to})
	}
	ks := partners[min(13, len(partners)-1)]
	for _, m := range munis {
		if r.Float64() < 0.9*min(1, x.scale*10) {
			x.rel(rg.RelMemberOf, m, ks, relOpts{from: 2008})
		}
	}
	for range x.n(300, 10) {
		x.rel(rg.RelMemberOf, muniPick.pick(r), partnerPick.pick(r), relOpts{from: x.year()})
	}
	for _, id := range nets {
		reg := netRegion[id]
		mem := members[reg]
		for _, m := range x.sample(mem, min(len(mem), 1+r.IntN(3))) {
			y0 := x.year()
			to := []int{0, 0, 0, min(2026, y0+3)}[r.IntN(4)]
			x.rel(rg.RelMemberOf, m, id, relOpts{from: y0, to: to})
		}
		fac := []string{reg, reg, partnerPick.pick(r), x.choice(mem)}[r.IntN(4)]
		x.rel(rg.RelFacilitates, fac, id, relOpts{from: x.year()})
		for _, p := range partnerPick.sample(r, []int{0, 1, 1, 2, 3, 5}[r.IntN(6)]) {
			x.rel(rg.RelParticipatesIn, p, id, relOpts{from: x.year()})
		}
		if r.Float64() < 0.5 {
			x.rel(rg.RelCoordinates, []string{reg, x.choice(mem)}[r.IntN(2)], id, relOpts{from: x.year()})
		}
		if r.Float64() < 0.5 {
			x.rel(rg.RelFunds, fundPick.pick(r), id, relOpts{from: x.year()})
		}
		x.rel(rg.RelInFocusArea, id, x.choice(fas), relOpts{})
		if r.Float64() < 0.1 && len(nets) > 1 {
			x.rel(rg.RelPartOf, id, netPick.pick(r), relOpts{})
		}
		if r.Float64() < 0.3 {
			x.rel(rg.RelRepresentedIn, id, partnerPick.pick(r), relOpts{from: x.year()})
		}
		if r.Float64() < 0.2 {
			x.rel(rg.RelConcerns, id, topicPick.pick(r), relOpts{})
		}
	}
	for _, f := range funds {
		x.rel(rg.RelAdministers, admin[f], f, relOpts{from: 2008})
		if r.Float64() < 0.2 {
			x.rel(rg.RelAdministers, x.choice(regions), f, relOpts{from: x.year()})
		}
	}
	for range x.n(8000, 60) {
		a, b := anyActor(), anyActor()
		y0 := x.year()
		to := []int{0, 0, min(2026, y0+4)}[r.IntN(3)]
		x.rel(rg.RelPartnerOf, a, b, relOpts{from: y0, to: to})
	}
	for range x.n(1500, 20) {
		m := muniPick.pick(r)
		to := []string{partnerPick.pick(r), netPick.pick(r)}[r.IntN(2)]
		x.rel(rg.RelRepresentedIn, m, to, relOpts{role: x.choice([]string{"styremedlem", "representant", "vara"}), from: x.year()})
	}
	for _, t := range topics {
		x.rel(rg.RelInFocusArea, t, x.choice(fas), relOpts{})
		if r.Float64() < 0.5 {
			x.rel(rg.RelInPlan, t, planPick.pick(r), relOpts{})
		}
		if r.Float64() < 0.2 {
			x.rel(rg.RelPartOf, t, topicPick.pick(r), relOpts{})
		}
		if r.Float64() < 0.6 {
			x.rel(rg.RelCoordinates, []string{partnerPick.pick(r), regionPick.pick(r)}[r.IntN(2)], t, relOpts{from: x.year()})
		}
		for range []int{0, 3, 6, 10}[r.IntN(4)] {
			x.rel(rg.RelConcerns, anyActor(), t, relOpts{from: x.year()})
		}
	}
	for _, s := range sas {
		x.rel(rg.RelPartOf, s, saFA[s], relOpts{})
		x.rel(rg.RelInPlan, s, x.choice(plans), relOpts{})
	}
	for _, f := range fas {
		for _, p := range x.sample(plans, min(len(plans), 10)) {
			x.rel(rg.RelInPlan, f, p, relOpts{})
		}
	}

	// Initiatives.
	nInit := x.n(50000, 100)
	var inits []string
	saByFA := map[string][]string{}
	for _, s := range sas {
		saByFA[saFA[s]] = append(saByFA[saFA[s]], s)
	}
	perPlan := map[string]int{}
	for range nInit {
		plan := planPick.pick(r)
		reg := planRegion[plan]
		y := planYear[plan]
		perPlan[plan]++
		fa := fas[[]int{0, 0, 1, 1, 2, 3, 4, 4}[r.IntN(8)]]
		sa := ""
		if l := saByFA[fa]; len(l) > 0 {
			sa = x.choice(l)
		}
		saNo := 0
		if sa != "" {
			saNo = saIndex[sa]/5 + 1
		}
		code := fmt.Sprintf("%s.%d.%d", strings.TrimPrefix(fa, "satsingsomrade-"), saNo, perPlan[plan])
		theme := x.choice(themes)
		place := name[x.choice(members[reg])]
		nm := fmt.Sprintf("%s %s %s", theme, x.choice(forms), place)
		planSlug := strings.SplitN(plan, "-", 3)[2]
		id := x.uid(slug(fmt.Sprintf("tiltak-%d-%s-%d", y, strings.Trim(cut(planSlug, 20), "-"), perPlan[plan])))
		n := &rg.Node{ID: id, Kind: rg.KindInitiative, Code: code, Name: nm, PlanYear: ptr(y),
			Source: rg.Source{Plan: plan, Section: "SATSINGSOMRÅDE " + strings.TrimPrefix(fa, "satsingsomrade-"), Quote: nm}}
		if r.Float64() < 0.7 {
			cost := int64(math.Round(math.Exp(r.NormFloat64()*1.2+12.8)/1e4) * 1e4)
			if cost == 0 {
				cost = 10000
			}
			cost = min(cost, 900_000_000)
			n.CostNok = ptr(cost)
			n.CostText = spaced(cost)
			if r.Float64() < 0.15 && y < 2026 {
				last := min(2026, y+1+r.IntN(2))
				parts := int64(last - y + 1)
				for yy := y; yy <= last; yy++ {
					a := cost / parts
					if yy == last {
						a = cost - (parts-1)*(cost/parts)
					}
					n.YearlyAmounts = append(n.YearlyAmounts, rg.YearAmount{Year: yy, AmountNok: a})
				}
			}
		} else {
			n.CostText = x.choice([]string{"Egeninnsats", "Ikke avklart", "Innenfor rammen"})
		}
		if r.Float64() < 0.3 {
			n.Goals = []string{fmt.Sprintf("Styrket %s i %s", strings.ToLower(theme), place)}
		}
		x.add(n)
		inits = append(inits, id)
		mem := members[reg]
		y1 := min(2026, y+[]int{0, 0, 0, 1, 2}[r.IntN(5)])
		own := relOpts{owner: id}
		x.rel(rg.RelInPlan, id, plan, own)
		x.rel(rg.RelInFocusArea, id, fa, own)
		if sa != "" && r.Float64() < 0.8 {
			x.rel(rg.RelInStrategyArea, id, sa, own)
		}
		if r.Float64() < 0.3 {
			all := append(slices.Clone(fas), sas...)
			if tgt := x.choice(all); tgt != fa {
				x.rel(rg.RelRelevantFor, id, tgt, relOpts{owner: id, src: &rg.Source{Plan: plan, Section: n.Source.Section, Quote: "Også relevant for " + x.nodes[tgt].Code}})
			}
		}
		for _, t := range topicPick.sample(r, []int{0, 1, 1, 1, 2}[r.IntN(5)]) {
			x.rel(rg.RelConcerns, id, t, own)
		}
		years := relOpts{owner: id, from: y, to: y1}
		var c string
		switch v := r.Float64(); {
		case v < 0.4:
			c = reg
		case v < 0.8:
			c = x.choice(mem)
		case v < 0.95:
			c = partnerPick.pick(r)
		default:
			c = x.choice(orAll(netsOf[reg], nets))
		}
		x.rel(rg.RelCoordinates, c, id, years)
		for range []int{0, 1, 1, 2, 2, 2, 3, 3, 4}[r.IntN(9)] {
			var p string
			switch v := r.Float64(); {
			case v < 0.55:
				p = x.choice(mem)
			case v < 0.7:
				p = muniPick.pick(r)
			case v < 0.9:
				p = partnerPick.pick(r)
			default:
				p = x.choice(orAll(netsOf[reg], nets))
			}
			o := years
			o.role = []string{"", "", "", "deltaker", "pilot", "styringsgruppe"}[r.IntN(6)]
			x.rel(rg.RelParticipatesIn, p, id, o)
		}
		if r.Float64() < 0.5 {
			x.rel(rg.RelFacilitates, []string{reg, reg, partnerPick.pick(r)}[r.IntN(3)], id, years)
		}
		nf := []int{1, 1, 1, 2, 2, 3}[r.IntN(6)]
		var funders []string
		if rum, ok := countyRUM[regionCounty[reg]]; ok && r.Float64() < 0.5 {
			funders = append(funders, rum)
		}
		funders = append(funders, fundPick.sample(r, nf)...)
		if r.Float64() < 0.15 {
			funders = append(funders, x.choice(mem)) // a municipality paying directly
		}
		var cellNames []string
		for _, f := range funders[:min(3, len(funders))] {
			cellNames = append(cellNames, x.nodes[f].Name)
		}
		cell := cutRunes(strings.Join(cellNames, " / "), 200)
		for _, f := range funders[:min(nf+1, len(funders))] {
			o := years
			o.asWritten = cell
			o.src = &rg.Source{Plan: plan, Section: n.Source.Section, Quote: cell}
			x.rel(rg.RelFunds, f, id, o)
		}
	}
	for range x.n(5000, 10) {
		a, b := x.choice(inits), x.choice(inits)
		x.rel(rg.RelPartOf, a, b, relOpts{owner: a})
	}
	for range x.n(500, 2) {
		a, b := x.choice(inits), x.choice(inits)
		x.rel(rg.RelOverlaps, a, b, relOpts{owner: a})
	}
	for range x.n(5000, 20) {
		x.rel(rg.RelConcerns, anyActor(), topicPick.pick(r), relOpts{from: x.year()})
	}
	x.g.Municipalities, x.g.Partners, x.g.Regions, x.g.Initiatives = munis, partners, regions, inits
}

func orAll(xs, all []string) []string {
	if len(xs) > 0 {
		return xs
	}
	return all
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// spaced writes v with spaces between thousands ("1 250 000").
func spaced(v int64) string {
	s := fmt.Sprint(v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
