package regiongraph

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what may be stored.
const (
	MaxNameLen   = 200  // characters in a name
	MaxTextLen   = 4000 // characters in a description, quote, goal or activity
	MaxListLen   = 100  // entries in aliases, goals, activities, yearly amounts
	MinYear      = 1900 // earliest year
	MaxYear      = 2100 // latest year
	MaxAmountNok = 1e12 // largest amount in NOK
	MaxIDLen     = 100  // bytes in an id
)

// idPattern is the id format: lower-case ASCII letters and digits in groups
// joined by single hyphens, starting with a letter or digit ("kommune-kongsberg",
// "tiltak-2011-5-6b").
var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidID reports whether id has the documented slug format.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > MaxIDLen {
		return false
	}
	// idPattern, by hand: a bulk import checks a million ids.
	hyphen := true // at the start, as after a hyphen: a letter or digit must follow
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			hyphen = false
		case c == '-' && !hyphen:
			hyphen = true
		default:
			return false
		}
	}
	return !hyphen
}

func checkID(field, id string) error {
	if id == "" {
		return FieldErrorf(field, "id is required")
	}
	if !ValidID(id) {
		return FieldErrorf(field, "id %q is not a slug (lower-case a-z, 0-9 and single hyphens, at most %d bytes)", id, MaxIDLen)
	}
	return nil
}

// checkText rejects invalid UTF-8, control characters and over-long text.
func checkText(field, s string, maxLen int, required bool) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(field, "is not valid UTF-8")
	}
	n := utf8.RuneCountInString(s)
	if required && strings.TrimSpace(s) == "" {
		return FieldErrorf(field, "is required")
	}
	if n > maxLen {
		return FieldErrorf(field, "is %d characters; at most %d are allowed", n, maxLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) && (maxLen == MaxNameLen || r != '\n' && r != '\t') {
			return FieldErrorf(field, "contains a control character (%U)", r)
		}
	}
	return nil
}

func checkList(field string, xs []string) error {
	if len(xs) > MaxListLen {
		return FieldErrorf(field, "has %d entries; at most %d are allowed", len(xs), MaxListLen)
	}
	for i, x := range xs {
		if err := checkText(field+"["+itoa(i)+"]", x, MaxTextLen, true); err != nil {
			return err
		}
	}
	return nil
}

func checkYear(field string, y *int) error {
	if y != nil && (*y < MinYear || *y > MaxYear) {
		return FieldErrorf(field, "year %d is outside %d–%d", *y, MinYear, MaxYear)
	}
	return nil
}

func checkAmount(field string, v int64) error {
	if v < 0 || v > MaxAmountNok {
		return FieldErrorf(field, "amount %d NOK is outside 0–10^12", v)
	}
	return nil
}

// Validate checks the source alone.
func (s Source) Validate() error {
	for _, f := range []struct{ name, v string }{{"plan", s.Plan}, {"section", s.Section}, {"quote", s.Quote}, {"reference", s.Reference}} {
		if err := checkText("source."+f.name, f.v, MaxTextLen, false); err != nil {
			return err
		}
	}
	if s.Outside {
		if strings.TrimSpace(s.Reference) == "" {
			return FieldErrorf("source.reference", "a fact from outside the plans needs a reference")
		}
		return nil
	}
	if s.Plan == "" {
		return FieldErrorf("source.plan", "is required (or mark the source as outside the plans with a reference)")
	}
	return checkID("source.plan", s.Plan)
}

// kindFields says which kind-specific fields each kind has.
var kindFields = map[string][]Kind{
	"number":        {KindMunicipality},
	"county":        {KindMunicipality},
	"field":         {KindNetwork},
	"category":      {KindPartner, KindFund},
	"code":          {KindInitiative, KindFocusArea, KindStrategyArea},
	"planYear":      {KindInitiative, KindPlan},
	"costNok":       {KindInitiative},
	"costText":      {KindInitiative},
	"yearlyAmounts": {KindInitiative},
	"goals":         {KindInitiative, KindTopic},
	"activities":    {KindInitiative},
	"adopted":       {KindPlan},
}

// Validate checks a node on its own: id, kind, name, text, years, amounts,
// the source, and that only its kind's fields are set. It returns a
// BAD_USER_INPUT *Error naming the field.
func (n *Node) Validate() error {
	if err := checkID("id", n.ID); err != nil {
		return err
	}
	if !n.Kind.Valid() {
		return FieldErrorf("kind", "unknown node kind %q", n.Kind)
	}
	if err := checkText("name", n.Name, MaxNameLen, true); err != nil {
		return err
	}
	if len(n.Aliases) > MaxListLen {
		return FieldErrorf("aliases", "has %d entries; at most %d are allowed", len(n.Aliases), MaxListLen)
	}
	for i, a := range n.Aliases {
		if err := checkText("aliases["+itoa(i)+"]", a, MaxNameLen, true); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{
		{"description", n.Description}, {"number", n.Number}, {"county", n.County}, {"field", n.Field},
		{"category", n.Category}, {"code", n.Code}, {"costText", n.CostText}, {"adopted", n.Adopted},
	} {
		if err := checkText(f.name, f.v, MaxTextLen, false); err != nil {
			return err
		}
	}
	if err := checkList("goals", n.Goals); err != nil {
		return err
	}
	if err := checkList("activities", n.Activities); err != nil {
		return err
	}
	if err := checkYear("planYear", n.PlanYear); err != nil {
		return err
	}
	if n.CostNok != nil {
		if err := checkAmount("costNok", *n.CostNok); err != nil {
			return err
		}
	}
	if len(n.YearlyAmounts) > MaxListLen {
		return FieldErrorf("yearlyAmounts", "has %d entries; at most %d are allowed", len(n.YearlyAmounts), MaxListLen)
	}
	seen := map[int]bool{}
	for i, ya := range n.YearlyAmounts {
		f := "yearlyAmounts[" + itoa(i) + "]"
		y := ya.Year
		if err := checkYear(f+".year", &y); err != nil {
			return err
		}
		if seen[y] {
			return FieldErrorf(f+".year", "year %d is given twice", y)
		}
		seen[y] = true
		if err := checkAmount(f+".amountNok", ya.AmountNok); err != nil {
			return err
		}
	}
	set := map[string]bool{
		"number": n.Number != "", "county": n.County != "", "field": n.Field != "",
		"category": n.Category != "", "code": n.Code != "", "planYear": n.PlanYear != nil,
		"costNok": n.CostNok != nil, "costText": n.CostText != "", "yearlyAmounts": len(n.YearlyAmounts) > 0,
		"goals": len(n.Goals) > 0, "activities": len(n.Activities) > 0, "adopted": n.Adopted != "",
	}
	for _, f := range fieldOrder {
		if set[f] && !containsKind(kindFields[f], n.Kind) {
			return FieldErrorf(f, "a %s has no %s", n.Kind, f)
		}
	}
	if err := n.Source.Validate(); err != nil {
		return err
	}
	return nil
}

var fieldOrder = []string{"number", "county", "field", "category", "code", "planYear", "costNok", "costText", "yearlyAmounts", "goals", "activities", "adopted"}

func containsKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Validate checks an edge on its own: id, kind, endpoints' ids, years with
// fromYear <= toYear, amount, text and source. Whether its endpoints exist and
// may be joined is checked against the graph with CheckEndpoints.
func (e *Edge) Validate() error {
	if err := checkID("id", e.ID); err != nil {
		return err
	}
	if !e.Kind.Valid() {
		return FieldErrorf("kind", "unknown relation kind %q", e.Kind)
	}
	if err := checkID("from", e.From); err != nil {
		return err
	}
	if err := checkID("to", e.To); err != nil {
		return err
	}
	if e.From == e.To {
		return FieldErrorf("to", "a relation may not join %q to itself", e.From)
	}
	if err := checkYear("fromYear", e.FromYear); err != nil {
		return err
	}
	if err := checkYear("toYear", e.ToYear); err != nil {
		return err
	}
	if e.FromYear != nil && e.ToYear != nil && *e.FromYear > *e.ToYear {
		return FieldErrorf("toYear", "toYear %d is before fromYear %d", *e.ToYear, *e.FromYear)
	}
	if e.AmountNok != nil {
		if err := checkAmount("amountNok", *e.AmountNok); err != nil {
			return err
		}
	}
	if err := checkText("asWritten", e.AsWritten, MaxTextLen, false); err != nil {
		return err
	}
	if err := checkText("role", e.Role, MaxNameLen, false); err != nil {
		return err
	}
	return e.Source.Validate()
}

func itoa(i int) string { return strconv.Itoa(i) }
