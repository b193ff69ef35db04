package sheet

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	rg "github.com/regiongraph/regiongraph"
)

// column is one column a sheet may have: its name as the export writes it,
// the other names it is known by, and how a cell is read into and written
// from a node or relation.
type column struct {
	key   string   // as written: "name", "sourcePlan", "fromYear"
	names []string // other names (folded with foldHeader when compared)
	// field is the domain field (JSON name) the column sets, "source" for
	// the source columns; "" for the columns that set none (id, kind,
	// delete, kilde).
	field string
	// kinds are the node kinds that have the column; nil: every kind.
	kinds []rg.Kind
	// num says the column holds numbers (written as number cells).
	num bool

	getN func(*rg.Node) string
	setN func(*rg.Node, string) error
	getE func(*rg.Edge) string
	setE func(*rg.Edge, string) error
}

// Column keys with a meaning of their own.
const (
	colID     = "id"
	colKind   = "kind"
	colFrom   = "from"
	colTo     = "to"
	colDelete = "delete"
	colKilde  = "kilde"
	colPlan   = "sourcePlan"
)

// ignored are columns of the exports that are computed (layout, colour,
// Gephi's edge type) and skipped on import.
var ignored = []string{"x", "y", "size", "degree", "color", "type"}

// notes are column names a sheet may use for its own notes.
var notes = []string{"comment", "comments", "kommentar", "kommentarer", "merknad", "merknader", "notat", "notater", "note", "notes"}

var (
	metaID     = &column{key: colID, names: []string{"nokkel"}}
	metaKindN  = &column{key: colKind, names: []string{"type", "art", "nodekind", "nodetype"}}
	metaKindE  = &column{key: colKind, names: []string{"label", "relasjon", "relasjonstype", "relation", "relationkind"}}
	metaFrom   = &column{key: colFrom, names: []string{"source", "fra", "fraid", "fromid"}}
	metaTo     = &column{key: colTo, names: []string{"target", "til", "tilid", "toid"}}
	metaDelete = &column{key: colDelete, names: []string{"slett", "slettes", "remove", "fjern"}}
	metaKildeN = &column{key: colKilde, names: []string{"source", "kilder"}}
	metaKildeE = &column{key: colKilde, names: []string{"kilder"}} // "source" is Gephi's from
)

// sourceColumns are the source's columns, shared by nodes and relations.
var sourceColumns = []*column{
	{key: "sourcePlan", names: []string{"kildeplan", "plan"}, field: "source",
		getN: func(n *rg.Node) string { return n.Source.Plan }, setN: func(n *rg.Node, s string) error { n.Source.Plan = strings.TrimSpace(s); return nil },
		getE: func(e *rg.Edge) string { return e.Source.Plan }, setE: func(e *rg.Edge, s string) error { e.Source.Plan = strings.TrimSpace(s); return nil }},
	{key: "sourceSection", names: []string{"kildeavsnitt", "avsnitt", "kildeseksjon", "seksjon", "section"}, field: "source",
		getN: func(n *rg.Node) string { return n.Source.Section }, setN: func(n *rg.Node, s string) error { n.Source.Section = s; return nil },
		getE: func(e *rg.Edge) string { return e.Source.Section }, setE: func(e *rg.Edge, s string) error { e.Source.Section = s; return nil }},
	{key: "sourceQuote", names: []string{"kildesitat", "sitat", "quote"}, field: "source",
		getN: func(n *rg.Node) string { return n.Source.Quote }, setN: func(n *rg.Node, s string) error { n.Source.Quote = s; return nil },
		getE: func(e *rg.Edge) string { return e.Source.Quote }, setE: func(e *rg.Edge, s string) error { e.Source.Quote = s; return nil }},
	{key: "sourceOutside", names: []string{"utenforplanene", "utenfor", "ekstern", "kildeekstern", "outside"}, field: "source",
		getN: func(n *rg.Node) string { return formatBool(n.Source.Outside) },
		setN: func(n *rg.Node, s string) (err error) { n.Source.Outside, err = parseBool(s); return err },
		getE: func(e *rg.Edge) string { return formatBool(e.Source.Outside) },
		setE: func(e *rg.Edge, s string) (err error) { e.Source.Outside, err = parseBool(s); return err }},
	{key: "sourceReference", names: []string{"kildereferanse", "referanse", "reference", "lenke", "url"}, field: "source",
		getN: func(n *rg.Node) string { return n.Source.Reference }, setN: func(n *rg.Node, s string) error { n.Source.Reference = s; return nil },
		getE: func(e *rg.Edge) string { return e.Source.Reference }, setE: func(e *rg.Edge, s string) error { e.Source.Reference = s; return nil }},
}

func text(key string, names []string, kinds []rg.Kind, p func(*rg.Node) *string) *column {
	return &column{key: key, names: names, field: key, kinds: kinds,
		getN: func(n *rg.Node) string { return *p(n) },
		setN: func(n *rg.Node, s string) error { *p(n) = s; return nil }}
}

func list(key string, names []string, kinds []rg.Kind, semicolons bool, p func(*rg.Node) *[]string) *column {
	return &column{key: key, names: names, field: key, kinds: kinds,
		getN: func(n *rg.Node) string {
			if semicolons {
				return strings.Join(*p(n), "; ")
			}
			return strings.Join(*p(n), "\n")
		},
		setN: func(n *rg.Node, s string) error { *p(n) = splitList(s, semicolons); return nil }}
}

// nodeColumns are a node sheet's columns after id, in the export's order.
var nodeColumns = append([]*column{
	{key: "name", names: []string{"navn", "label", "tittel"}, field: "name",
		getN: func(n *rg.Node) string { return n.Name }, setN: func(n *rg.Node, s string) error { n.Name = strings.TrimSpace(s); return nil }},
	list("aliases", []string{"alias", "aliaser", "andrenavn", "forkortelser", "forkortelse"}, nil, true, func(n *rg.Node) *[]string { return &n.Aliases }),
	text("description", []string{"beskrivelse", "omtale"}, nil, func(n *rg.Node) *string { return &n.Description }),
	text("number", []string{"nummer", "kommunenummer", "kommunenr"}, []rg.Kind{rg.KindMunicipality}, func(n *rg.Node) *string { return &n.Number }),
	text("county", []string{"fylke"}, []rg.Kind{rg.KindMunicipality}, func(n *rg.Node) *string { return &n.County }),
	text("field", []string{"fagfelt", "fagomrade", "felt"}, []rg.Kind{rg.KindNetwork}, func(n *rg.Node) *string { return &n.Field }),
	text("category", []string{"kategori"}, []rg.Kind{rg.KindPartner, rg.KindFund}, func(n *rg.Node) *string { return &n.Category }),
	text("code", []string{"kode"}, []rg.Kind{rg.KindInitiative, rg.KindFocusArea, rg.KindStrategyArea}, func(n *rg.Node) *string { return &n.Code }),
	{key: "planYear", names: []string{"planar", "handlingsplanar"}, field: "planYear", kinds: []rg.Kind{rg.KindInitiative, rg.KindPlan}, num: true,
		getN: func(n *rg.Node) string { return formatIntP(n.PlanYear) },
		setN: func(n *rg.Node, s string) (err error) { n.PlanYear, err = parseYear(s); return err }},
	{key: "costNok", names: []string{"kostnad", "kostnadnok", "kostnadkr", "cost"}, field: "costNok", kinds: []rg.Kind{rg.KindInitiative}, num: true,
		getN: func(n *rg.Node) string { return formatInt64P(n.CostNok) },
		setN: func(n *rg.Node, s string) (err error) { n.CostNok, err = parseAmount(s); return err }},
	text("costText", []string{"kostnadstekst", "kostnadsomskrevet", "costastext"}, []rg.Kind{rg.KindInitiative}, func(n *rg.Node) *string { return &n.CostText }),
	{key: "yearlyAmounts", names: []string{"arligebelop", "belopperar", "arligbelop"}, field: "yearlyAmounts", kinds: []rg.Kind{rg.KindInitiative},
		getN: func(n *rg.Node) string { return formatYearly(n.YearlyAmounts) },
		setN: func(n *rg.Node, s string) (err error) { n.YearlyAmounts, err = parseYearly(s); return err }},
	list("goals", []string{"mal", "gevinster", "effektmal"}, []rg.Kind{rg.KindInitiative, rg.KindTopic}, false, func(n *rg.Node) *[]string { return &n.Goals }),
	list("activities", []string{"aktiviteter", "aktivitet", "arbeidsform"}, []rg.Kind{rg.KindInitiative}, false, func(n *rg.Node) *[]string { return &n.Activities }),
	text("adopted", []string{"vedtatt", "vedtaksdato"}, []rg.Kind{rg.KindPlan}, func(n *rg.Node) *string { return &n.Adopted }),
}, sourceColumns...)

// edgeColumns are a relations sheet's columns after id, kind, from and to.
var edgeColumns = append([]*column{
	{key: "fromYear", names: []string{"fraar", "franar", "start", "startar"}, field: "fromYear", num: true,
		getE: func(e *rg.Edge) string { return formatIntP(e.FromYear) },
		setE: func(e *rg.Edge, s string) (err error) { e.FromYear, err = parseYear(s); return err }},
	{key: "toYear", names: []string{"tilar", "tilnar", "slutt", "sluttar"}, field: "toYear", num: true,
		getE: func(e *rg.Edge) string { return formatIntP(e.ToYear) },
		setE: func(e *rg.Edge, s string) (err error) { e.ToYear, err = parseYear(s); return err }},
	{key: "amountNok", names: []string{"belop", "belopnok", "belopkr", "amount"}, field: "amountNok", num: true,
		getE: func(e *rg.Edge) string { return formatInt64P(e.AmountNok) },
		setE: func(e *rg.Edge, s string) (err error) { e.AmountNok, err = parseAmount(s); return err }},
	{key: "asWritten", names: []string{"somskrevet", "ordlyd", "tekst"}, field: "asWritten",
		getE: func(e *rg.Edge) string { return e.AsWritten }, setE: func(e *rg.Edge, s string) error { e.AsWritten = s; return nil }},
	{key: "role", names: []string{"rolle"}, field: "role",
		getE: func(e *rg.Edge) string { return e.Role }, setE: func(e *rg.Edge, s string) error { e.Role = strings.TrimSpace(s); return nil }},
}, sourceColumns...)

// columnsFor returns the columns the export writes for a node kind: those
// every kind has and the kind's own, in order.
func columnsFor(k rg.Kind) []*column {
	var out []*column
	for _, c := range nodeColumns {
		if c.kinds == nil || slices.Contains(c.kinds, k) {
			out = append(out, c)
		}
	}
	return out
}

// foldHeader is how column and sheet names are compared: folded (case and
// accents), without spaces, hyphens, underscores, dots and brackets.
func foldHeader(s string) string {
	s = rg.Fold(strings.TrimPrefix(strings.TrimSpace(s), "\ufeff"))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("-_.()[]/:", r) {
			return -1
		}
		return r
	}, s)
}

// lookup finds the column a header names among cols; ok false when none.
func lookup(h string, cols ...*column) (*column, bool) {
	f := foldHeader(h)
	for _, c := range cols {
		if f == foldHeader(c.key) {
			return c, true
		}
		for _, n := range c.names {
			if f == foldHeader(n) {
				return c, true
			}
		}
	}
	return nil, false
}

// isSkipped reports whether a header is a note or a computed column.
func isSkipped(h string, relations bool) bool {
	f := foldHeader(h)
	if f == "" || strings.HasPrefix(strings.TrimSpace(h), "#") || slices.Contains(notes, f) {
		return true
	}
	if f == "type" && !relations {
		return false // a node sheet's kind column
	}
	return slices.Contains(ignored, f)
}

// --- cells

func splitList(s string, semicolons bool) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	sep := func(r rune) bool { return r == '\n' || r == '\r' || semicolons && r == ';' }
	var out []string
	for _, p := range strings.FieldsFunc(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func formatBool(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "nei", "no", "n", "0", "usann", "falsk", "-":
		return false, nil
	case "true", "ja", "yes", "j", "y", "1", "x", "sann", "sant":
		return true, nil
	}
	return false, fmt.Errorf("%q is not true or false (ja/nei, yes/no, 1/0, x or empty)", s)
}

func formatIntP(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func formatInt64P(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// parseInt reads a whole number as people and spreadsheets write it: with
// spaces (also no-break spaces) or dots or commas between groups of three
// digits, with "kr" or "NOK", with decimals that are all zero, or as a
// spreadsheet's raw number ("1.5E6").
func parseInt(s string) (int64, bool, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, false, nil
	}
	low := strings.ToLower(t)
	for _, cut := range []string{"nok", "kr.", "kr", ",-", ".-"} {
		low = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(low, cut), cut))
	}
	low = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\'' {
			return -1
		}
		return r
	}, low)
	if v, err := strconv.ParseInt(low, 10, 64); err == nil {
		return v, true, nil
	}
	// 1.500.000 or 1,500,000: groups of three.
	for _, sep := range []string{".", ","} {
		parts := strings.Split(low, sep)
		if len(parts) > 2 || len(parts) == 2 && len(parts[1]) == 3 {
			ok := len(parts[0]) >= 1 && len(parts[0]) <= 3
			for _, p := range parts[1:] {
				ok = ok && len(p) == 3
			}
			if ok {
				if v, err := strconv.ParseInt(strings.Join(parts, ""), 10, 64); err == nil {
					return v, true, nil
				}
			}
		}
	}
	// 1500000,00 or a raw float that is whole.
	if f, err := strconv.ParseFloat(strings.Replace(low, ",", ".", 1), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return int64(f), true, nil
	}
	return 0, false, fmt.Errorf("%q is not a whole number", s)
}

func parseYear(s string) (*int, error) {
	v, ok, err := parseInt(s)
	if err != nil || !ok {
		return nil, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return nil, fmt.Errorf("%q is not a year", s)
	}
	y := int(v)
	return &y, nil
}

func parseAmount(s string) (*int64, error) {
	v, ok, err := parseInt(s)
	if err != nil || !ok {
		return nil, err
	}
	return &v, nil
}

func formatYearly(ys []rg.YearAmount) string {
	parts := make([]string, len(ys))
	for i, y := range ys {
		parts[i] = strconv.Itoa(y.Year) + ": " + strconv.FormatInt(y.AmountNok, 10)
	}
	return strings.Join(parts, "\n")
}

// parseYearly reads "2011: 700000" entries, one per line or separated by
// ";"; the year and amount may also be separated by "=" or a tab.
func parseYearly(s string) ([]rg.YearAmount, error) {
	var out []rg.YearAmount
	for _, line := range splitList(s, true) {
		i := strings.IndexAny(line, ":=\t")
		if i < 0 {
			return nil, fmt.Errorf("%q is not \"year: amount\"", line)
		}
		y, ok, err := parseInt(line[:i])
		if err != nil || !ok || y < math.MinInt32 || y > math.MaxInt32 {
			return nil, fmt.Errorf("%q is not \"year: amount\": the year is not a whole number", line)
		}
		a, ok, err := parseInt(line[i+1:])
		if err != nil || !ok {
			return nil, fmt.Errorf("%q is not \"year: amount\": the amount is not a whole number", line)
		}
		out = append(out, rg.YearAmount{Year: int(y), AmountNok: a})
	}
	return out, nil
}

// --- sheet names

// kindNames are the names a node kind's sheet may have (folded).
var kindNames = map[rg.Kind][]string{
	rg.KindMunicipality: {"municipality", "municipalities", "kommune", "kommuner"},
	rg.KindRegion:       {"region", "regions", "regioner", "regionrad", "regionsamarbeid"},
	rg.KindNetwork:      {"network", "networks", "nettverk", "nettverkene"},
	rg.KindPartner:      {"partner", "partners", "partnere", "eksternepartnere"},
	rg.KindFund:         {"fund", "funds", "fond", "finansieringskilde", "finansieringskilder"},
	rg.KindInitiative:   {"initiative", "initiatives", "tiltak", "tiltakene"},
	rg.KindFocusArea:    {"focusarea", "focusareas", "satsingsomrade", "satsingsomrader", "satsningsomrade", "satsningsomrader"},
	rg.KindStrategyArea: {"strategyarea", "strategyareas", "tiltaksomrade", "tiltaksomrader"},
	rg.KindTopic:        {"topic", "topics", "sak", "saker", "tema"},
	rg.KindPlan:         {"plan", "plans", "planer", "handlingsplan", "handlingsplaner"},
}

var (
	relationSheetNames = []string{"relations", "relation", "relasjoner", "relasjon", "edges", "koblinger", "forbindelser"}
	guideSheetNames    = []string{"veiledning", "howtofillthisin", "readme", "lesmeg", "instructions", "hjelp"}
)

// kindNamed reads a kind from a sheet name or a kind cell: the domain
// name, the GraphQL enum value or a Norwegian or plural name.
func kindNamed(s string) (rg.Kind, bool) {
	f := foldHeader(s)
	for _, k := range rg.Kinds {
		if f == foldHeader(string(k)) || slices.Contains(kindNames[k], f) {
			return k, true
		}
	}
	return "", false
}

// relKindNamed reads a relation kind: "MEMBER_OF", "member of",
// "member-of", in any case.
func relKindNamed(s string) (rg.RelKind, bool) {
	f := foldHeader(s)
	for _, k := range rg.RelKinds {
		if f == foldHeader(string(k)) {
			return k, true
		}
	}
	return "", false
}
