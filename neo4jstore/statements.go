package neo4jstore

import (
	"embed"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regiongraph/regiongraph"
)

// Every statement the store runs lives in queries/*.cypher. Statements whose
// shape varies are composed from the fixed fragments in queries/fragments:
// FindNodes from find_nodes.cypher (by which filters are set, the order and
// whether there is a cursor), creation from a template per node kind and
// relationship type, shortest paths from a template per hop count. Statements
// lists all of them, so tests can lint every statement the store can run.

//go:embed queries/*.cypher
var queryFiles embed.FS

//go:embed queries/fragments/*.cypher
var fragmentFiles embed.FS

// Statement is one Cypher statement the store may run: a name, the text, and
// its parameters with a sample value of each one's type.
type Statement struct {
	Name   string
	Query  string
	Params map[string]any
}

// Sample parameter values, by type.
var (
	sampleString   = ""
	sampleStrings  = []string{""}
	sampleInt      = int64(0)
	sampleNodes    = []map[string]any{{"id": ""}}
	sampleEdges    = []map[string]any{{"id": "", "from": "", "to": "", "props": map[string]any{"id": ""}}}
	sampleRelated  = []map[string]any{{"kind": "", "direction": "", "nodeIds": []string{""}}}
	sampleEdgeKeys = []map[string]any{{"id": "", "from": "", "to": ""}}
	sampleHistory  = []map[string]any{{"offset": int64(1), "op": "", "target": "", "id": "", "from": "", "to": "", "before": "", "after": "", "reason": ""}}
	sampleTime     = time.Time{}
)

// fileParams declares the parameters of each statement file (migration files
// have none).
var fileParams = map[string]map[string]any{
	"ready":                  {},
	"schema_version_get":     {"name": sampleString},
	"schema_version_set":     {"name": sampleString, "version": sampleInt},
	"nodes_by_id":            {"ids": sampleStrings},
	"nodes_kinds":            {"ids": sampleStrings},
	"nodes_read":             {"ids": sampleStrings},
	"edges_both":             {"nodeIds": sampleStrings, "ids": sampleStrings, "kinds": sampleStrings, "year": sampleInt},
	"edges_read_all":         {"ids": sampleStrings, "kinds": sampleStrings, "year": sampleInt},
	"edges_read_out":         {"nodeIds": sampleStrings, "ids": sampleStrings, "kinds": sampleStrings, "year": sampleInt},
	"edges_read_in":          {"nodeIds": sampleStrings, "ids": sampleStrings, "kinds": sampleStrings, "year": sampleInt},
	"edges_read_both":        {"nodeIds": sampleStrings, "ids": sampleStrings, "kinds": sampleStrings, "year": sampleInt},
	"subgraph_nodes":         {"kinds": sampleStrings, "limit": sampleInt},
	"subgraph_neighbours":    {"ids": sampleStrings, "relations": sampleStrings, "year": sampleInt, "kinds": sampleStrings, "limit": sampleInt},
	"subgraph_edges":         {"ids": sampleStrings, "relations": sampleStrings, "year": sampleInt},
	"apply_delete_edges":     {"edges": sampleEdgeKeys},
	"apply_delete_nodes":     {"ids": sampleStrings},
	"apply_update_nodes":     {"nodes": sampleNodes},
	"apply_update_edges":     {"edges": sampleEdges},
	"testing_clear":          {"limit": sampleInt},
	"testing_clear_history":  {"limit": sampleInt},
	"history_lock":           {"writer": sampleString},
	"history_append":         {"entries": sampleHistory, "at": sampleTime, "actor": sampleString, "reason": sampleString, "applyId": sampleString},
	"history_applied":        {"applyId": sampleString},
	"history_page":           {"before": sampleInt, "limit": sampleInt},
	"history_page_by_id":     {"id": sampleString, "before": sampleInt, "limit": sampleInt},
	"history_count":          {},
	"history_count_by_id":    {"id": sampleString},
	"read_gate":              {},
	"apply_gate":             {},
	"await_indexes":          {},
	"search_nodes":           {"query": sampleString, "limit": sampleInt},
	"search_stale":           {"version": sampleInt, "limit": sampleInt},
	"search_backfill":        {"rows": sampleSearchRows, "version": sampleInt},
	"testing_unindex_search": {},
	"graph_version":          {},
	"graph_relations":        {},
}

// sampleSearchRows is the sample of search_backfill's rows.
var sampleSearchRows = []map[string]any{{"id": "", "tokens": ""}}

// fragmentParams declares the parameters of each FindNodes fragment.
var fragmentParams = map[string]map[string]any{
	"filter.kinds":    {"kinds": sampleStrings},
	"filter.ids":      {"ids": sampleStrings},
	"filter.text":     {"text": sampleString},
	"filter.planYear": {"planYear": sampleInt},
	"filter.code":     {"code": sampleString},
	"filter.related":  {"related": sampleRelated, "year": sampleInt},
	"match.related":   {"related": sampleRelated, "year": sampleInt},
	"limit":           {"limit": sampleInt},
	"after.ID.ASC":    {"afterId": sampleString},
	"after.ID.DESC":   {"afterId": sampleString},
}

// stmts holds every statement, built once at start-up from the embedded files.
type stmts struct {
	byName      map[string]Statement
	all         []Statement // files, then composed variants, in a fixed order
	migrations  []migration
	find        map[string]string // FindNodes fragments by name
	createNodes map[regiongraph.Kind]Statement
	createEdges map[regiongraph.RelKind]Statement
	// edges_by_id and edges_by_id_range by relationship type
	edgesByID, edgesByIDRange map[regiongraph.RelKind]Statement
	paths                     map[int]Statement // by max hops
}

// migration is a numbered schema migration: statements applied in order.
type migration struct {
	Number     int
	Name       string
	Statements []Statement
}

// loadedStatements loads the embedded statements once. The files are part
// of the binary, so an error is a bug that every test catches; Open reports
// it rather than panicking.
var loadedStatements = sync.OnceValues(loadStatements)

func readEmbedded(fs embed.FS, name string) (string, error) {
	b, err := fs.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("neo4jstore: read %s: %w", name, err)
	}
	return string(b), nil
}

// stripComments drops whole-line // comments and blank lines at both ends.
func stripComments(text string) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "//") {
			continue
		}
		lines = append(lines, strings.TrimRight(l, " \t\r"))
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

func loadStatements() (*stmts, error) {
	s := &stmts{
		byName:      map[string]Statement{},
		find:        map[string]string{},
		createNodes: map[regiongraph.Kind]Statement{},
		createEdges: map[regiongraph.RelKind]Statement{},
		paths:       map[int]Statement{},
	}
	add := func(st Statement) error {
		if _, dup := s.byName[st.Name]; dup {
			return fmt.Errorf("neo4jstore: statement %q defined twice", st.Name)
		}
		s.byName[st.Name] = st
		s.all = append(s.all, st)
		return nil
	}
	gate, err := readEmbedded(fragmentFiles, "queries/fragments/read_gate.cypher")
	if err != nil {
		return nil, err
	}
	macros := macroExpander(stripComments(gate))
	entries, err := queryFiles.ReadDir("queries")
	if err != nil {
		return nil, fmt.Errorf("neo4jstore: list queries: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".cypher" {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ".cypher")
		text, err := readEmbedded(queryFiles, "queries/"+e.Name())
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(name, "migrate_") {
			m, err := parseMigration(name, text)
			if err != nil {
				return nil, err
			}
			for _, st := range m.Statements {
				if err := add(st); err != nil {
					return nil, err
				}
			}
			s.migrations = append(s.migrations, m)
			continue
		}
		params, ok := fileParams[name]
		if !ok {
			return nil, fmt.Errorf("neo4jstore: queries/%s.cypher has no declared parameters", name)
		}
		if err := add(withMacros(macros, Statement{Name: name, Query: stripComments(text), Params: params})); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(s.migrations, func(a, b migration) int { return a.Number - b.Number })
	for i, m := range s.migrations {
		if m.Number != i+1 {
			return nil, fmt.Errorf("neo4jstore: migration %s: numbers must run 1, 2, 3, ...; want %d", m.Name, i+1)
		}
	}

	// Templates: the placeholders take values from fixed domain lists only.
	tmpl, err := readEmbedded(fragmentFiles, "queries/fragments/apply_create_nodes.cypher")
	if err != nil {
		return nil, err
	}
	for _, k := range regiongraph.Kinds {
		st := Statement{Name: "apply_create_nodes[" + string(k) + "]", Query: strings.ReplaceAll(stripComments(tmpl), "{{KIND}}", string(k)), Params: map[string]any{"nodes": sampleNodes}}
		s.createNodes[k] = st
		if err := add(st); err != nil {
			return nil, err
		}
	}
	tmpl, err = readEmbedded(fragmentFiles, "queries/fragments/apply_create_edges.cypher")
	if err != nil {
		return nil, err
	}
	for _, k := range regiongraph.RelKinds {
		st := Statement{Name: "apply_create_edges[" + string(k) + "]", Query: strings.ReplaceAll(stripComments(tmpl), "{{REL}}", string(k)), Params: map[string]any{"edges": sampleEdges}}
		s.createEdges[k] = st
		if err := add(st); err != nil {
			return nil, err
		}
	}
	// edges_by_id and edges_by_id_range, one statement per relationship
	// type: a union of the fifteen takes the planner seconds, and an import
	// changes the statistics enough for Neo4j to plan its statements again
	// several times.
	s.edgesByID, s.edgesByIDRange = map[regiongraph.RelKind]Statement{}, map[regiongraph.RelKind]Statement{}
	for _, byID := range []struct {
		name   string
		params map[string]any
		into   map[regiongraph.RelKind]Statement
	}{
		{"edges_by_id", map[string]any{"ids": sampleStrings}, s.edgesByID},
		{"edges_by_id_range", map[string]any{"lo": sampleString, "hi": sampleString}, s.edgesByIDRange},
	} {
		tmpl, err = readEmbedded(fragmentFiles, "queries/fragments/"+byID.name+".cypher")
		if err != nil {
			return nil, err
		}
		for _, k := range regiongraph.RelKinds {
			st := Statement{Name: byID.name + "[" + string(k) + "]", Query: strings.ReplaceAll(stripComments(tmpl), "{{REL}}", string(k)), Params: byID.params}
			byID.into[k] = st
			if err := add(st); err != nil {
				return nil, err
			}
		}
	}
	tmpl, err = readEmbedded(fragmentFiles, "queries/fragments/shortest_paths.cypher")
	if err != nil {
		return nil, err
	}
	for hops := 1; hops <= regiongraph.MaxHops; hops++ {
		st := Statement{
			Name:   "shortest_paths[" + strconv.Itoa(hops) + "]",
			Query:  strings.ReplaceAll(stripComments(tmpl), "{{HOPS}}", strconv.Itoa(hops)),
			Params: map[string]any{"from": sampleString, "to": sampleString, "relations": sampleStrings, "year": sampleInt, "kinds": sampleStrings, "first": sampleInt},
		}
		s.paths[hops] = st
		if err := add(st); err != nil {
			return nil, err
		}
	}

	text, err := readEmbedded(fragmentFiles, "queries/fragments/find_nodes.cypher")
	if err != nil {
		return nil, err
	}
	if s.find, err = parseFragments(text); err != nil {
		return nil, err
	}
	for _, v := range findVariants() {
		st, err := s.composeFind(v)
		if err != nil {
			return nil, err
		}
		st = withMacros(macros, st)
		if err := add(st); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// macro matches the macros of statement files and fragments: {{READ_GATE}}
// (queries/fragments/read_gate.cypher), {{NODE v}} and {{RELATION v}} (the
// projections of node v and relationship v, see nodeProjection and
// edgeProjection, with their parameters).
var macro = regexp.MustCompile(`\{\{(READ_GATE|NODE (\w+)|RELATION (\w+))\}\}`)

// macroExpander returns the function that expands the macros of a
// statement, the read gate's text being gate.
func macroExpander(gate string) func(string) string {
	return func(text string) string {
		return macro.ReplaceAllStringFunc(text, func(m string) string {
			sub := macro.FindStringSubmatch(m)
			switch {
			case sub[2] != "":
				return nodeProjection(sub[2])
			case sub[3] != "":
				return edgeProjection(sub[3])
			}
			return gate
		})
	}
}

// withMacros expands the macros of st, adding the parameters of the
// projections it then uses.
func withMacros(expand func(string) string, st Statement) Statement {
	st.Query = expand(st.Query)
	for _, p := range []string{paramNodeKeys, paramRelationKeys} {
		if strings.Contains(st.Query, "$"+p) {
			st.Params = cloneParams(st.Params)
			st.Params[p] = sampleStrings
		}
	}
	return st
}

// parseMigration splits a migration file migrate_NNN_name into its
// statements, each ending with ";" at the end of a line.
func parseMigration(name, text string) (migration, error) {
	num, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrate_"), "_", 2)[0])
	if err != nil || num < 1 {
		return migration{}, fmt.Errorf("neo4jstore: migration file %s: want migrate_NNN_name", name)
	}
	m := migration{Number: num, Name: name}
	var cur []string
	for _, l := range strings.Split(stripComments(text), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		cur = append(cur, l)
		if strings.HasSuffix(l, ";") {
			q := strings.TrimSuffix(strings.Join(cur, "\n"), ";")
			m.Statements = append(m.Statements, Statement{Name: fmt.Sprintf("%s#%d", name, len(m.Statements)+1), Query: q, Params: map[string]any{}})
			cur = nil
		}
	}
	if len(cur) > 0 || len(m.Statements) == 0 {
		return migration{}, fmt.Errorf("neo4jstore: migration file %s: every statement must end with ';'", name)
	}
	return m, nil
}

// parseFragments splits a fragment file at lines "// == name".
func parseFragments(text string) (map[string]string, error) {
	out := map[string]string{}
	name := ""
	var cur []string
	flush := func() {
		if name != "" {
			out[name] = stripComments(strings.Join(cur, "\n"))
		}
	}
	for _, l := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(l, "// == "); ok {
			flush()
			name, cur = strings.TrimSpace(rest), nil
			if _, dup := out[name]; dup {
				return nil, fmt.Errorf("neo4jstore: fragment %q defined twice", name)
			}
			continue
		}
		cur = append(cur, l)
	}
	flush()
	return out, nil
}

// findFilters are FindNodes' optional filters, in composition order.
var findFilters = []string{"kinds", "ids", "text", "planYear", "code", "related"}

// findOrders are the order keys: each field with ASC and DESC.
var findOrders = []string{"ID.ASC", "ID.DESC", "NAME.ASC", "NAME.DESC", "PLAN_YEAR.ASC", "PLAN_YEAR.DESC", "COST_NOK.ASC", "COST_NOK.DESC", "CODE.ASC", "CODE.DESC"}

// findVariant says which fragments a FindNodes statement is made of.
type findVariant struct {
	Filters map[string]bool // set filters
	Order   string          // one of findOrders
	After   bool            // a cursor is given
}

func (v findVariant) name() string {
	var set []string
	for _, f := range findFilters {
		if v.Filters[f] {
			set = append(set, f)
		}
	}
	after := ""
	if v.After {
		after = ";after"
	}
	return "find_nodes[" + strings.Join(set, ",") + ";order=" + v.Order + after + "]"
}

// findVariants enumerates every FindNodes statement: each subset of filters
// in each order, with and without a cursor.
func findVariants() []findVariant {
	var out []findVariant
	for mask := 0; mask < 1<<len(findFilters); mask++ {
		filters := map[string]bool{}
		for i, f := range findFilters {
			if mask&(1<<i) != 0 {
				filters[f] = true
			}
		}
		for _, o := range findOrders {
			for _, after := range []bool{false, true} {
				out = append(out, findVariant{Filters: filters, Order: o, After: after})
			}
		}
	}
	return out
}

// composeFind builds the statement of variant v from the fragments: the
// read gate, the count and the page in one statement (see
// queries/fragments/find_nodes.cypher).
func (s *stmts) composeFind(v findVariant) (Statement, error) {
	params := map[string]any{}
	frag := func(name string) (string, error) {
		f, ok := s.find[name]
		if !ok {
			return "", fmt.Errorf("neo4jstore: find_nodes fragment %q is missing", name)
		}
		for k, val := range fragmentParams[name] {
			params[k] = val
		}
		return f, nil
	}
	var preds []string
	for _, f := range findFilters {
		if !v.Filters[f] {
			continue
		}
		p, err := frag("filter." + f)
		if err != nil {
			return Statement{}, err
		}
		preds = append(preds, p)
	}
	// part is the fragment head, the predicates, then the fragments named
	// by tail.
	part := func(head string, preds []string, tail ...string) (string, error) {
		f, err := frag(head)
		if err != nil {
			return "", err
		}
		parts := []string{f}
		if len(preds) > 0 {
			parts = append(parts, "WHERE "+strings.Join(preds, "\n  AND "))
		}
		for _, name := range tail {
			f, err := frag(name)
			if err != nil {
				return "", err
			}
			parts = append(parts, f)
		}
		return strings.Join(parts, "\n"), nil
	}
	var after string
	if v.After {
		p, err := frag("after." + v.Order)
		if err != nil {
			return Statement{}, err
		}
		if !strings.HasPrefix(v.Order, "ID.") {
			params["afterValue"] = sampleString
			params["afterId"] = sampleString
		}
		after = p
	}
	var count, page string
	var err error
	if v.Filters["related"] {
		// From the first related filter's nodes (see the fragments).
		if count, err = part("match.related", preds, "collect.related"); err != nil {
			return Statement{}, err
		}
		head := "page.related"
		if v.After {
			head = "page.related.after"
		}
		if page, err = part(head, nil, "order."+v.Order, "limit"); err != nil {
			return Statement{}, err
		}
		page = strings.Replace(page, "{{AFTER}}", after, 1)
	} else {
		if count, err = part("match", preds, "count"); err != nil {
			return Statement{}, err
		}
		pagePreds := preds
		if v.After {
			pagePreds = append(slices.Clip(preds), after)
		}
		if page, err = part("page", pagePreds, "order."+v.Order, "limit"); err != nil {
			return Statement{}, err
		}
	}
	q := strings.Join([]string{"{{READ_GATE}}", count, page}, "\n")
	return Statement{Name: v.name(), Query: q, Params: params}, nil
}

// Statements returns every statement the store can run: each statement file,
// each migration statement, and every composed variant, each with a name and
// its parameters.
// It returns nil if the embedded files are broken (TestStatementsLoad fails
// then, and Open returns the error).
func Statements() []Statement {
	s, err := loadedStatements()
	if err != nil {
		return nil
	}
	out := make([]Statement, len(s.all))
	for i, st := range s.all {
		out[i] = Statement{Name: st.Name, Query: st.Query, Params: cloneParams(st.Params)}
	}
	return out
}

func cloneParams(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// stmt returns the statement named name.
func (s *stmts) stmt(name string) (Statement, error) {
	st, ok := s.byName[name]
	if !ok {
		return Statement{}, fmt.Errorf("neo4jstore: no statement %q", name)
	}
	return st, nil
}
