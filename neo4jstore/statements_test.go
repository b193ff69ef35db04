package neo4jstore

import (
	"encoding/base64"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph"
)

func TestStatementsLoad(t *testing.T) {
	s, err := loadStatements()
	if err != nil {
		t.Fatalf("loadStatements: %v", err)
	}
	sts := Statements()
	if len(sts) != len(s.all) || len(sts) == 0 {
		t.Fatalf("Statements() has %d statements, want %d", len(sts), len(s.all))
	}
	names := map[string]bool{}
	for _, st := range sts {
		if names[st.Name] {
			t.Errorf("statement name %q twice", st.Name)
		}
		names[st.Name] = true
		if strings.Contains(st.Query, "{{") {
			t.Errorf("%s has an unfilled placeholder", st.Name)
		}
	}
	// 64 filter subsets × 10 orders × 2 cursor states.
	find := 0
	for _, st := range sts {
		if strings.HasPrefix(st.Name, "find_nodes[") {
			find++
		}
	}
	if want := 64 * 10 * 2; find != want {
		t.Errorf("%d FindNodes variants, want %d", find, want)
	}
	t.Logf("%d statements, %d of them FindNodes variants", len(sts), find)
}

var paramRef = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)

// TestStatementParamsDeclared checks that each statement declares exactly
// the parameters its text uses, so the analyser checks them with the right
// set and checkParams holds calls to it.
func TestStatementParamsDeclared(t *testing.T) {
	for _, st := range Statements() {
		used := map[string]bool{}
		for _, m := range paramRef.FindAllStringSubmatch(st.Query, -1) {
			used[m[1]] = true
		}
		if got, want := slices.Sorted(maps.Keys(st.Params)), slices.Sorted(maps.Keys(used)); !slices.Equal(got, want) {
			t.Errorf("%s declares %v, uses %v", st.Name, got, want)
		}
	}
}

func TestMigrationsCoverEveryLabelAndType(t *testing.T) {
	s, err := loadStatements()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for i, m := range s.migrations {
		if m.Number != i+1 {
			t.Fatalf("migration %s has number %d, want %d", m.Name, m.Number, i+1)
		}
		for _, st := range m.Statements {
			// Idempotent: CREATE ... IF NOT EXISTS, DROP ... IF EXISTS.
			if !strings.Contains(st.Query, "IF NOT EXISTS") && !(strings.HasPrefix(st.Query, "DROP ") && strings.HasSuffix(strings.TrimSuffix(st.Query, ";"), " IF EXISTS")) {
				t.Errorf("%s is not idempotent: %s", st.Name, st.Query)
			}
			all = append(all, st.Query)
		}
	}
	text := strings.Join(all, "\n")
	for _, k := range append([]string{entityLabel}, kindStrings()...) {
		if !strings.Contains(text, "FOR (n:"+k+") REQUIRE n.id IS UNIQUE") {
			t.Errorf("no uniqueness constraint on :%s(id)", k)
		}
	}
	for _, k := range regiongraph.RelKinds {
		if !strings.Contains(text, "FOR ()-[r:"+string(k)+"]-() REQUIRE r.id IS UNIQUE") {
			t.Errorf("no uniqueness constraint on [:%s].id", k)
		}
	}
	for _, p := range []string{"n.planYear", "n.code", "n.nameKey", "n.searchText", "FULLTEXT INDEX"} {
		if !strings.Contains(text, p) {
			t.Errorf("no index on %s", p)
		}
	}
	if got := s.pendingMigrations(0); len(got) != len(s.migrations) {
		t.Errorf("from version 0, %d pending, want all %d", len(got), len(s.migrations))
	}
	if got := s.pendingMigrations(len(s.migrations)); len(got) != 0 {
		t.Errorf("at the current version, %d pending, want none", len(got))
	}
	if got := s.pendingMigrations(1); len(got) != len(s.migrations)-1 || got[0].Number != 2 {
		t.Errorf("from version 1: %v", got)
	}
}

func kindStrings() []string {
	var out []string
	for _, k := range regiongraph.Kinds {
		out = append(out, string(k))
	}
	return out
}

// TestUserTextIsOnlyAParameter builds FindNodes for hostile input and
// checks that the statements are fixed ones from Statements(), contain no
// part of the input, and that the parameters carry it.
func TestUserTextIsOnlyAParameter(t *testing.T) {
	s, err := loadStatements()
	if err != nil {
		t.Fatal(err)
	}
	const evil = "'); MATCH (n) DETACH DELETE n //"
	known := map[string]string{}
	for _, st := range Statements() {
		known[st.Name] = st.Query
	}
	q, err := s.buildFind(regiongraph.NodeFilter{
		Text: evil, Code: evil, IDs: []string{evil},
		Related: []regiongraph.Related{{Kind: regiongraph.RelFunds, Direction: regiongraph.In, NodeIDs: []string{evil}}},
	})
	if err != nil {
		t.Fatalf("buildFind: %v", err)
	}
	st := q.stmt
	if known[st.Name] != st.Query {
		t.Errorf("statement %s is not one of Statements()", st.Name)
	}
	for _, part := range []string{evil, "DETACH DELETE", "');", "//"} {
		if strings.Contains(st.Query, part) {
			t.Errorf("statement %s contains %q from the input", st.Name, part)
		}
	}
	if got, want := q.params["text"], regiongraph.Fold(evil); got != want {
		t.Errorf("text parameter = %q, want %q", got, want)
	}
	if q.params["code"] != evil || !slices.Equal(q.params["ids"].([]string), []string{evil}) {
		t.Errorf("parameters do not carry the input: %v", q.params)
	}
	if err := checkParams(q.stmt, withProjectionKeys(q.stmt, q.params)); err != nil {
		t.Error(err)
	}
}

func TestBuildFindChoosesFragments(t *testing.T) {
	s, err := loadStatements()
	if err != nil {
		t.Fatal(err)
	}
	n := &regiongraph.Node{ID: "b", Kind: regiongraph.KindInitiative, Name: "B", PlanYear: intp(2011)}
	for _, tc := range []struct {
		f         regiongraph.NodeFilter
		page      string
		afterVals map[string]any
	}{
		{regiongraph.NodeFilter{}, "find_nodes[;order=NAME.ASC]", nil},
		{regiongraph.NodeFilter{Kinds: []regiongraph.Kind{"Plan"}, PlanYear: intp(2011), Order: regiongraph.Order{Field: regiongraph.OrderByPlanYear, Desc: true}},
			"find_nodes[kinds,planYear;order=PLAN_YEAR.DESC]", nil},
		{regiongraph.NodeFilter{Text: "  ", Order: regiongraph.Order{Field: regiongraph.OrderByID, Desc: true}, After: regiongraph.CursorFor(regiongraph.Order{Field: regiongraph.OrderByID, Desc: true}, n)},
			"find_nodes[;order=ID.DESC;after]", map[string]any{"afterId": "b"}},
		{regiongraph.NodeFilter{Order: regiongraph.Order{Field: regiongraph.OrderByPlanYear}, After: regiongraph.CursorFor(regiongraph.Order{Field: regiongraph.OrderByPlanYear}, n)},
			"find_nodes[;order=PLAN_YEAR.ASC;after]", map[string]any{"afterId": "b", "afterValue": int64(2011)}},
		{regiongraph.NodeFilter{Order: regiongraph.Order{Field: regiongraph.OrderByCode}, After: regiongraph.CursorFor(regiongraph.Order{Field: regiongraph.OrderByCode}, n)},
			"find_nodes[;order=CODE.ASC;after]", map[string]any{"afterId": "b", "afterValue": nil}},
	} {
		q, err := s.buildFind(tc.f)
		if err != nil {
			t.Fatalf("buildFind(%+v): %v", tc.f, err)
		}
		if q.stmt.Name != tc.page {
			t.Errorf("statement %s, want %s", q.stmt.Name, tc.page)
		}
		for k, v := range tc.afterVals {
			if got, ok := q.params[k]; !ok || got != v {
				t.Errorf("%s: param %s = %#v, want %#v", tc.page, k, got, v)
			}
		}
		if q.params["limit"] != int64(q.size+1) {
			t.Errorf("limit %v, want page size + 1", q.params["limit"])
		}
	}
	good := regiongraph.CursorFor(regiongraph.Order{Field: regiongraph.OrderByName}, &regiongraph.Node{ID: "x", Name: "X"})
	if _, err := s.buildFind(regiongraph.NodeFilter{After: good, Order: regiongraph.Order{Field: regiongraph.OrderByName}}); err != nil {
		t.Errorf("a good name cursor is rejected: %v", err)
	}
	// A cursor whose value has the wrong type for its order is malformed.
	wrongType := base64.RawURLEncoding.EncodeToString([]byte(`{"f":"NAME","v":5,"id":"x"}`))
	if _, err := s.buildFind(regiongraph.NodeFilter{After: wrongType}); regiongraph.ErrorCode(err) != regiongraph.EBADINPUT {
		t.Errorf("a NAME cursor with a number: %v, want BAD_USER_INPUT", err)
	}
	if _, err := s.buildFind(regiongraph.NodeFilter{After: "!!", Order: regiongraph.Order{}}); regiongraph.ErrorCode(err) != regiongraph.EBADINPUT {
		t.Errorf("malformed cursor: %v", err)
	}
}

func TestCheckParams(t *testing.T) {
	st := Statement{Name: "x", Params: map[string]any{"a": "", "b": int64(0)}}
	if err := checkParams(st, map[string]any{"a": "1", "b": nil}); err != nil {
		t.Errorf("exact parameters rejected: %v", err)
	}
	for _, p := range []map[string]any{{"a": ""}, {"a": "", "b": 1, "c": 2}, {"a": "", "c": 1}} {
		if err := checkParams(st, p); err == nil {
			t.Errorf("parameters %v accepted", p)
		}
	}
}
