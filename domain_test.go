package regiongraph_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

func ptr[T any](v T) *T { return &v }

func validNode() *rg.Node {
	return &rg.Node{ID: "tiltak-2011-1-4", Kind: rg.KindInitiative, Name: "LUP 2011",
		PlanYear: ptr(2011), CostNok: ptr[int64](250000), Source: rg.Source{Plan: "plan-2011", Section: "Satsingsområde 1", Quote: "LUP 2011"}}
}

func TestNodeValidate(t *testing.T) {
	if err := validNode().Validate(); err != nil {
		t.Fatalf("valid node: %v", err)
	}
	cases := map[string]struct {
		edit  func(n *rg.Node)
		field string
	}{
		"ErrIDRequired":       {func(n *rg.Node) { n.ID = "" }, "id"},
		"ErrIDNotSlug":        {func(n *rg.Node) { n.ID = "Tiltak 1" }, "id"},
		"ErrIDDoubleHyphen":   {func(n *rg.Node) { n.ID = "a--b" }, "id"},
		"ErrUnknownKind":      {func(n *rg.Node) { n.Kind = "Planet" }, "kind"},
		"ErrNameRequired":     {func(n *rg.Node) { n.Name = "  " }, "name"},
		"ErrNameTooLong":      {func(n *rg.Node) { n.Name = strings.Repeat("ø", 201) }, "name"},
		"ErrNameControlChar":  {func(n *rg.Node) { n.Name = "a\x07b" }, "name"},
		"ErrNameNewline":      {func(n *rg.Node) { n.Name = "a\nb" }, "name"},
		"ErrNameInvalidUTF8":  {func(n *rg.Node) { n.Name = "a\xffb" }, "name"},
		"ErrYearTooEarly":     {func(n *rg.Node) { n.PlanYear = ptr(1899) }, "planYear"},
		"ErrYearTooLate":      {func(n *rg.Node) { n.PlanYear = ptr(2101) }, "planYear"},
		"ErrNegativeCost":     {func(n *rg.Node) { n.CostNok = ptr[int64](-1) }, "costNok"},
		"ErrCostTooLarge":     {func(n *rg.Node) { n.CostNok = ptr[int64](1e12 + 1) }, "costNok"},
		"ErrFieldOfOtherKind": {func(n *rg.Node) { n.Number = "3006" }, "number"},
		"ErrSourcePlanless":   {func(n *rg.Node) { n.Source = rg.Source{Quote: "x"} }, "source.plan"},
		"ErrOutsideNoRef":     {func(n *rg.Node) { n.Source = rg.Source{Outside: true} }, "source.reference"},
		"ErrYearTwice": {func(n *rg.Node) {
			n.YearlyAmounts = []rg.YearAmount{{Year: 2011, AmountNok: 1}, {Year: 2011, AmountNok: 2}}
		}, "yearlyAmounts[1].year"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			n := validNode()
			c.edit(n)
			err := n.Validate()
			if rg.ErrorCode(err) != rg.EBADINPUT || rg.ErrorField(err) != c.field {
				t.Errorf("err = %v (code %q, field %q), want BAD_USER_INPUT on %q", err, rg.ErrorCode(err), rg.ErrorField(err), c.field)
			}
		})
	}
	t.Run("OKBoundaries", func(t *testing.T) {
		n := validNode()
		n.Name = strings.Repeat("å", 200)
		n.PlanYear = ptr(2100)
		n.CostNok = ptr[int64](1e12)
		n.Source = rg.Source{Outside: true, Reference: "https://www.sigdal.no/"}
		if err := n.Validate(); err != nil {
			t.Errorf("boundary values rejected: %v", err)
		}
	})
}

func TestEdgeValidate(t *testing.T) {
	ok := func() *rg.Edge {
		return &rg.Edge{ID: "e1", Kind: rg.RelMemberOf, From: "kommune-sigdal", To: "kongsbergregionen", FromYear: ptr(2020),
			Source: rg.Source{Outside: true, Reference: "https://www.sigdal.no/aktuelt/sigdal-en-del-av-kongsbergregionen"}}
	}
	if err := ok().Validate(); err != nil {
		t.Fatalf("valid edge: %v", err)
	}
	for name, c := range map[string]struct {
		edit  func(e *rg.Edge)
		field string
	}{
		"ErrYearsReversed": {func(e *rg.Edge) { e.ToYear = ptr(2019) }, "toYear"},
		"ErrSelfLoop":      {func(e *rg.Edge) { e.To = e.From }, "to"},
		"ErrUnknownKind":   {func(e *rg.Edge) { e.Kind = "LIKES" }, "kind"},
		"ErrBadFrom":       {func(e *rg.Edge) { e.From = "Sigdal" }, "from"},
		"ErrAmount":        {func(e *rg.Edge) { e.AmountNok = ptr[int64](-5) }, "amountNok"},
	} {
		t.Run(name, func(t *testing.T) {
			e := ok()
			c.edit(e)
			if err := e.Validate(); rg.ErrorCode(err) != rg.EBADINPUT || rg.ErrorField(err) != c.field {
				t.Errorf("err = %v, want BAD_USER_INPUT on %q", err, c.field)
			}
		})
	}
}

func TestCheckEndpoints(t *testing.T) {
	allowed := [][3]string{
		{"MEMBER_OF", "Municipality", "Region"},
		{"FUNDS", "Fund", "Initiative"},
		{"IN_FOCUS_AREA", "Initiative", "FocusArea"},
		{"PART_OF", "Initiative", "Initiative"},
		{"PART_OF", "StrategyArea", "FocusArea"},
		{"CONCERNS", "Partner", "Topic"},
	}
	forbidden := [][3]string{
		{"FUNDS", "Topic", "Initiative"},
		{"MEMBER_OF", "Initiative", "Region"},
		{"PART_OF", "Initiative", "FocusArea"}, // the table allows both kinds, the pairing does not
		{"IN_PLAN", "Plan", "Plan"},
	}
	for _, c := range allowed {
		if err := rg.CheckEndpoints(rg.RelKind(c[0]), rg.Kind(c[1]), rg.Kind(c[2])); err != nil {
			t.Errorf("%v: %v", c, err)
		}
	}
	for _, c := range forbidden {
		if err := rg.CheckEndpoints(rg.RelKind(c[0]), rg.Kind(c[1]), rg.Kind(c[2])); rg.ErrorCode(err) != rg.EBADINPUT {
			t.Errorf("%v allowed, want BAD_USER_INPUT", c)
		}
	}
	// Every relation kind is in the table.
	for _, k := range rg.RelKinds {
		if _, ok := rg.Relations[k]; !ok {
			t.Errorf("%s is not in the relation table", k)
		}
	}
}

func TestFoldAndSearch(t *testing.T) {
	for _, c := range []struct{ name, q string }{
		{"Tromsø", "tromso"}, {"Nore og Uvdal", "nore"}, {"Nore og Uvdal", "NORE  OG"},
		{"Århus/Gvammen", "arhus"}, {"Kompetanseregionen", "kompetanse"}, {"Sørlandsbanen", "SØRLAND"},
	} {
		if !rg.Matches(&rg.Node{Name: c.name}, c.q) {
			t.Errorf("%q does not find %q", c.q, c.name)
		}
	}
	if rg.Matches(&rg.Node{Name: "Notodden"}, "tinn") {
		t.Error("tinn finds Notodden")
	}
	if !rg.Matches(&rg.Node{Name: "Samordnet næringsapparat", Aliases: []string{"SNKR"}}, "snkr") {
		t.Error("aliases are not searched")
	}
	n := &rg.Node{Name: "Tinn"}
	if r := rg.SearchRank(n, "tinn"); r != 0 {
		t.Errorf("exact match rank %d, want 0", r)
	}
	if r := rg.SearchRank(&rg.Node{Name: "Nore og Uvdal"}, "uvd"); r != 2 {
		t.Errorf("word-prefix rank %d, want 2", r)
	}
}

func TestCursor(t *testing.T) {
	o := rg.Order{Field: rg.OrderByCostNok, Desc: true}
	n := validNode()
	c, err := rg.DecodeCursor(o, rg.CursorFor(o, n))
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != n.ID || c.Value != int64(250000) {
		t.Errorf("cursor round trip: %+v", c)
	}
	if _, err := rg.DecodeCursor(rg.Order{Field: rg.OrderByName}, rg.CursorFor(o, n)); rg.ErrorCode(err) != rg.EBADINPUT {
		t.Errorf("a cursor for another order is accepted: %v", err)
	}
	for _, bad := range []string{"!!", "e30", "bm90IGpzb24"} {
		if _, err := rg.DecodeCursor(o, bad); rg.ErrorCode(err) != rg.EBADINPUT {
			t.Errorf("malformed cursor %q accepted: %v", bad, err)
		}
	}
	// Missing values sort last ascending.
	asc := rg.Order{Field: rg.OrderByCostNok}
	none := &rg.Node{ID: "a"}
	if rg.CompareNodes(asc, none, n) <= 0 {
		t.Error("a node without cost sorts before one with cost, ascending")
	}
	if rg.CompareNodes(o, none, n) >= 0 {
		t.Error("a node without cost sorts after one with cost, descending")
	}
}

func TestYearSemantics(t *testing.T) {
	e := &rg.Edge{FromYear: ptr(2011), ToYear: ptr(2014)}
	for y, want := range map[int]bool{2010: false, 2011: true, 2014: true, 2015: false} {
		if e.HoldsIn(y) != want {
			t.Errorf("2011–2014 holds in %d: %v", y, !want)
		}
	}
	open := &rg.Edge{FromYear: ptr(2020)}
	if open.HoldsIn(2019) || !open.HoldsIn(2100) {
		t.Error("an open end is not unbounded")
	}
	if !(&rg.Edge{}).HoldsInYear(nil) {
		t.Error("no year sees every relation")
	}
}

func TestErrors(t *testing.T) {
	err := fmt.Errorf("load: %w", rg.Errorf(rg.ENOTFOUND, "no node %q", "x"))
	if rg.ErrorCode(err) != rg.ENOTFOUND || rg.ErrorMessage(err) != `no node "x"` {
		t.Errorf("wrapped domain error: %q %q", rg.ErrorCode(err), rg.ErrorMessage(err))
	}
	if rg.ErrorCode(errors.New("boom")) != rg.EINTERNAL || rg.ErrorMessage(errors.New("boom")) != "internal error" {
		t.Error("a plain error is not INTERNAL with a generic message")
	}
	if rg.ErrorCode(nil) != "" {
		t.Error("nil has a code")
	}
	f := rg.WithField(rg.WithField(rg.FieldErrorf("name", "bad"), "node"), "changes[3]")
	if rg.ErrorField(f) != "changes[3].node.name" {
		t.Errorf("field path %q", rg.ErrorField(f))
	}
	if rg.ValidateChanges(nil) == nil {
		t.Error("an empty batch is accepted")
	}
	bad := []rg.Change{{Op: rg.OpCreateNode, Node: validNode()}, {Op: rg.OpCreateNode, Node: &rg.Node{ID: "x", Kind: rg.KindTopic}}}
	if err := rg.ValidateChanges(bad); rg.ErrorField(err) != "changes[1].node.name" {
		t.Errorf("batch error path %q (%v)", rg.ErrorField(err), err)
	}
	// A large batch, checked in parts at once, names its first bad change.
	big := make([]rg.Change, rg.MaxChanges)
	for i := range big {
		big[i] = rg.Change{Op: rg.OpCreateNode, Node: validNode()}
	}
	big[rg.MaxChanges-1] = bad[1]
	big[9000] = bad[1]
	big[4097] = rg.Change{Op: rg.OpCreateNode, Node: &rg.Node{ID: "x", Kind: "Nope", Name: "x"}}
	if err := rg.ValidateChanges(big); rg.ErrorField(err) != "changes[4097].node.kind" {
		t.Errorf("large batch error path %q (%v)", rg.ErrorField(err), err)
	}
	big[4097] = big[0]
	if err := rg.ValidateChanges(big); rg.ErrorField(err) != "changes[9000].node.name" {
		t.Errorf("large batch error path %q (%v)", rg.ErrorField(err), err)
	}
	if err := rg.ValidateChanges(big[:9000]); err != nil {
		t.Errorf("large valid batch: %v", err)
	}
}
