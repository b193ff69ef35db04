package neo4jstore

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/regiongraph/regiongraph"
)

// This file maps domain values to Neo4j properties and back. It is pure: no
// driver calls, only values.
//
// Storage layout (see README.md):
//
// Node: labels :Entity and its Kind (e.g. :Entity:Municipality). Properties
// id, name, aliases (list of strings), description, number, county, field,
// category, code, planYear (integer), costNok (integer), costText, goals and
// activities (lists of strings), adopted (string, as written); Source
// flattened into sourcePlan, sourceSection, sourceQuote, sourceOutside
// (boolean, only when true) and sourceReference; YearlyAmounts flattened into
// the parallel lists yearlyAmountYears and yearlyAmountNok (integers). Two
// derived properties are written with every node and never read back:
// nameKey = strings.ToLower(name), for ordering by name, and searchText =
// regiongraph.SearchText(node), for search. Empty values are not stored
// (absent = null in Neo4j).
//
// Relationship: type = RelKind, direction From -> To; properties id,
// fromYear, toYear, amountNok (integers), asWritten, role and the flattened
// source as on nodes.

// Property keys.
const (
	pID                = "id"
	pName              = "name"
	pNameKey           = "nameKey"
	pSearchText        = "searchText"
	pSearchTokens      = "searchTokens"
	pSearchVersion     = "searchVersion"
	pAliases           = "aliases"
	pDescription       = "description"
	pSourcePlan        = "sourcePlan"
	pSourceSection     = "sourceSection"
	pSourceQuote       = "sourceQuote"
	pSourceOutside     = "sourceOutside"
	pSourceReference   = "sourceReference"
	pNumber            = "number"
	pCounty            = "county"
	pField             = "field"
	pCategory          = "category"
	pCode              = "code"
	pPlanYear          = "planYear"
	pCostNok           = "costNok"
	pCostText          = "costText"
	pYearlyAmountYears = "yearlyAmountYears"
	pYearlyAmountNok   = "yearlyAmountNok"
	pGoals             = "goals"
	pActivities        = "activities"
	pAdopted           = "adopted"
	pFromYear          = "fromYear"
	pToYear            = "toYear"
	pAmountNok         = "amountNok"
	pAsWritten         = "asWritten"
	pRole              = "role"
	pVersion           = "version"
)

// entityLabel is the label every domain node carries besides its kind.
const entityLabel = "Entity"

// schemaVersionLabel labels the node recording the applied migrations.
const schemaVersionLabel = "SchemaVersion"

// propertyKeys lists every property key the store writes.
var propertyKeys = []string{
	pID, pName, pNameKey, pSearchText, pAliases, pDescription, pSourcePlan, pSourceSection,
	pSourceQuote, pSourceOutside, pSourceReference, pNumber, pCounty, pField, pCategory, pCode,
	pPlanYear, pCostNok, pCostText, pYearlyAmountYears, pYearlyAmountNok, pGoals, pActivities,
	pAdopted, pFromYear, pToYear, pAmountNok, pAsWritten, pRole, pVersion, pSearchTokens, pSearchVersion,
}

func putString(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func putStrings(m map[string]any, k string, v []string) {
	if len(v) > 0 {
		m[k] = slices.Clone(v)
	}
}

func putSource(m map[string]any, s regiongraph.Source) {
	putString(m, pSourcePlan, s.Plan)
	putString(m, pSourceSection, s.Section)
	putString(m, pSourceQuote, s.Quote)
	if s.Outside {
		m[pSourceOutside] = true
	}
	putString(m, pSourceReference, s.Reference)
}

// nodeProps returns the properties stored for n, including the derived
// nameKey and searchText.
func nodeProps(n *regiongraph.Node) map[string]any {
	m := map[string]any{
		pID:         n.ID,
		pName:       n.Name,
		pNameKey:    strings.ToLower(n.Name),
		pSearchText: regiongraph.SearchText(n),
		// Full-text search (migration 9): the analysed terms, and the
		// analysis version they were computed with.
		pSearchTokens:  strings.Join(regiongraph.SearchTokens(n), " "),
		pSearchVersion: int64(regiongraph.SearchAnalysisVersion),
	}
	putStrings(m, pAliases, n.Aliases)
	putString(m, pDescription, n.Description)
	putSource(m, n.Source)
	putString(m, pNumber, n.Number)
	putString(m, pCounty, n.County)
	putString(m, pField, n.Field)
	putString(m, pCategory, n.Category)
	putString(m, pCode, n.Code)
	if n.PlanYear != nil {
		m[pPlanYear] = int64(*n.PlanYear)
	}
	if n.CostNok != nil {
		m[pCostNok] = *n.CostNok
	}
	putString(m, pCostText, n.CostText)
	if len(n.YearlyAmounts) > 0 {
		years := make([]int64, len(n.YearlyAmounts))
		nok := make([]int64, len(n.YearlyAmounts))
		for i, ya := range n.YearlyAmounts {
			years[i], nok[i] = int64(ya.Year), ya.AmountNok
		}
		m[pYearlyAmountYears], m[pYearlyAmountNok] = years, nok
	}
	putStrings(m, pGoals, n.Goals)
	putStrings(m, pActivities, n.Activities)
	putString(m, pAdopted, n.Adopted)
	return m
}

// edgeProps returns the properties stored on the relationship for e (its
// kind and ends are the relationship's type and nodes).
func edgeProps(e *regiongraph.Edge) map[string]any {
	m := map[string]any{pID: e.ID}
	if e.FromYear != nil {
		m[pFromYear] = int64(*e.FromYear)
	}
	if e.ToYear != nil {
		m[pToYear] = int64(*e.ToYear)
	}
	if e.AmountNok != nil {
		m[pAmountNok] = *e.AmountNok
	}
	putString(m, pAsWritten, e.AsWritten)
	putString(m, pRole, e.Role)
	putSource(m, e.Source)
	return m
}

// props reads typed properties, remembering the first error.
type props struct {
	what string // "node x" or "relationship y", for messages
	m    map[string]any
	err  error
}

func (p *props) fail(key string, v any, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("neo4jstore: %s: property %s is %T (%v), want %s", p.what, key, v, v, want)
	}
}

func (p *props) str(key string) string {
	v, ok := p.m[key]
	if !ok || v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case dbtype.Date:
		// A date written by hand (date('2019-06-12')) reads as its ISO form.
		return x.String()
	case time.Time, dbtype.LocalDateTime, dbtype.LocalTime, dbtype.Time, dbtype.Duration:
		p.fail(key, v, "a string (temporal values other than a date are not mapped)")
		return ""
	}
	p.fail(key, v, "a string")
	return ""
}

func (p *props) boolean(key string) bool {
	v, ok := p.m[key]
	if !ok || v == nil {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		p.fail(key, v, "a boolean")
	}
	return b
}

func (p *props) int64p(key string) *int64 {
	v, ok := p.m[key]
	if !ok || v == nil {
		return nil
	}
	i, isInt := v.(int64)
	if !isInt {
		p.fail(key, v, "an integer")
		return nil
	}
	return &i
}

func (p *props) intp(key string) *int {
	i := p.int64p(key)
	if i == nil {
		return nil
	}
	if int64(int(*i)) != *i {
		p.fail(key, *i, "an integer within int")
		return nil
	}
	v := int(*i)
	return &v
}

func (p *props) strs(key string) []string {
	v, ok := p.m[key]
	if !ok || v == nil {
		return nil
	}
	switch xs := v.(type) {
	case []string:
		if len(xs) == 0 {
			return nil
		}
		return slices.Clone(xs)
	case []any:
		if len(xs) == 0 {
			return nil
		}
		out := make([]string, len(xs))
		for i, x := range xs {
			s, isStr := x.(string)
			if !isStr {
				p.fail(fmt.Sprintf("%s[%d]", key, i), x, "a string")
				return nil
			}
			out[i] = s
		}
		return out
	}
	p.fail(key, v, "a list of strings")
	return nil
}

func (p *props) ints(key string) []int64 {
	v, ok := p.m[key]
	if !ok || v == nil {
		return nil
	}
	switch xs := v.(type) {
	case []int64:
		return slices.Clone(xs)
	case []any:
		out := make([]int64, len(xs))
		for i, x := range xs {
			n, isInt := x.(int64)
			if !isInt {
				p.fail(fmt.Sprintf("%s[%d]", key, i), x, "an integer")
				return nil
			}
			out[i] = n
		}
		return out
	}
	p.fail(key, v, "a list of integers")
	return nil
}

func (p *props) source() regiongraph.Source {
	return regiongraph.Source{
		Plan:      p.str(pSourcePlan),
		Section:   p.str(pSourceSection),
		Quote:     p.str(pSourceQuote),
		Outside:   p.boolean(pSourceOutside),
		Reference: p.str(pSourceReference),
	}
}

// kindOf returns the node kind among labels: exactly one known kind besides
// :Entity.
func kindOf(labels []string) (regiongraph.Kind, error) {
	var kind regiongraph.Kind
	for _, l := range labels {
		if k := regiongraph.Kind(l); k.Valid() {
			if kind != "" {
				return "", fmt.Errorf("labels %v name two kinds", labels)
			}
			kind = k
		}
	}
	if kind == "" {
		return "", fmt.Errorf("labels %v name no kind", labels)
	}
	return kind, nil
}

// nodeFromDB maps a Neo4j node to a domain node.
func nodeFromDB(dn dbtype.Node) (*regiongraph.Node, error) {
	return nodeFromProps("node "+dn.ElementId, dn.Labels, dn.Props)
}

// nodeFromProps maps a node's labels and properties to a domain node; what
// names the node in messages until its id is known.
func nodeFromProps(what string, labels []string, m map[string]any) (*regiongraph.Node, error) {
	p := &props{what: what, m: m}
	id := p.str(pID)
	if id == "" && p.err == nil {
		return nil, fmt.Errorf("neo4jstore: %s has no id", what)
	}
	p.what = fmt.Sprintf("node %q", id)
	kind, err := kindOf(labels)
	if err != nil {
		return nil, fmt.Errorf("neo4jstore: node %q: %w", id, err)
	}
	n := &regiongraph.Node{
		ID:          id,
		Kind:        kind,
		Name:        p.str(pName),
		Aliases:     p.strs(pAliases),
		Description: p.str(pDescription),
		Source:      p.source(),
		Number:      p.str(pNumber),
		County:      p.str(pCounty),
		Field:       p.str(pField),
		Category:    p.str(pCategory),
		Code:        p.str(pCode),
		PlanYear:    p.intp(pPlanYear),
		CostNok:     p.int64p(pCostNok),
		CostText:    p.str(pCostText),
		Goals:       p.strs(pGoals),
		Activities:  p.strs(pActivities),
		Adopted:     p.str(pAdopted),
	}
	years, nok := p.ints(pYearlyAmountYears), p.ints(pYearlyAmountNok)
	if p.err == nil && len(years) != len(nok) {
		return nil, fmt.Errorf("neo4jstore: node %q: %d yearly amount years but %d amounts", id, len(years), len(nok))
	}
	for i := range years {
		n.YearlyAmounts = append(n.YearlyAmounts, regiongraph.YearAmount{Year: int(years[i]), AmountNok: nok[i]})
	}
	if p.err != nil {
		return nil, p.err
	}
	return n, nil
}

// edgeFromDB maps a Neo4j relationship whose start and end nodes have the
// ids from and to to a domain edge.
func edgeFromDB(r dbtype.Relationship, from, to string) (*regiongraph.Edge, error) {
	return edgeFromProps("relationship "+r.ElementId, r.Type, from, to, r.Props)
}

// edgeFromProps maps a relationship's type, end ids and properties to a
// domain edge; what names it in messages until its id is known.
func edgeFromProps(what, typ, from, to string, m map[string]any) (*regiongraph.Edge, error) {
	p := &props{what: what, m: m}
	id := p.str(pID)
	if id == "" && p.err == nil {
		return nil, fmt.Errorf("neo4jstore: %s has no id", what)
	}
	p.what = fmt.Sprintf("relationship %q", id)
	kind := regiongraph.RelKind(typ)
	if !kind.Valid() {
		return nil, fmt.Errorf("neo4jstore: relationship %q has unknown type %q", id, typ)
	}
	if from == "" || to == "" {
		return nil, fmt.Errorf("neo4jstore: relationship %q: an end node has no id", id)
	}
	e := &regiongraph.Edge{
		ID:        id,
		Kind:      kind,
		From:      from,
		To:        to,
		FromYear:  p.intp(pFromYear),
		ToYear:    p.intp(pToYear),
		AmountNok: p.int64p(pAmountNok),
		AsWritten: p.str(pAsWritten),
		Role:      p.str(pRole),
		Source:    p.source(),
	}
	if p.err != nil {
		return nil, p.err
	}
	return e, nil
}

// pathFromDB maps a Neo4j path to a domain path, reading each
// relationship's direction from its start and end element ids.
func pathFromDB(dp dbtype.Path) (regiongraph.Path, error) {
	if len(dp.Nodes) != len(dp.Relationships)+1 {
		return regiongraph.Path{}, fmt.Errorf("neo4jstore: path has %d nodes and %d relationships", len(dp.Nodes), len(dp.Relationships))
	}
	ids := make(map[string]string, len(dp.Nodes))
	path := regiongraph.Path{Nodes: make([]*regiongraph.Node, len(dp.Nodes)), Edges: make([]*regiongraph.Edge, len(dp.Relationships))}
	for i, dn := range dp.Nodes {
		n, err := nodeFromDB(dn)
		if err != nil {
			return regiongraph.Path{}, err
		}
		ids[dn.ElementId] = n.ID
		path.Nodes[i] = n
	}
	for i, dr := range dp.Relationships {
		from, to := ids[dr.StartElementId], ids[dr.EndElementId]
		e, err := edgeFromDB(dr, from, to)
		if err != nil {
			return regiongraph.Path{}, err
		}
		if !(from == path.Nodes[i].ID && to == path.Nodes[i+1].ID || to == path.Nodes[i].ID && from == path.Nodes[i+1].ID) {
			return regiongraph.Path{}, fmt.Errorf("neo4jstore: path relationship %q does not join nodes %d and %d", e.ID, i, i+1)
		}
		path.Edges[i] = e
	}
	return path, nil
}

// Projections. A read that runs alone in its transaction (Store.read)
// does not return whole nodes and relationships: a Bolt node carries its
// element id, and every property, including the derived nameKey,
// searchText, searchTokens and searchVersion (about half of a node's
// bytes), which no read maps back. It returns lists instead, the values
// in a fixed order without their keys: {{NODE n}} in a statement becomes
//
//	[labels(n)] + [k IN $nodeKeys | n[k]]
//
// and {{RELATION r}}
//
//	[type(r), startNode(r).id, endNode(r).id] + [k IN $relationKeys | r[k]]
//
// where the parameters $nodeKeys and $relationKeys, which Store.read sets,
// are nodeReadKeys and edgeReadKeys (as parameters rather than spelled out
// as n.id, n.name, ..., the statements stay short: the text goes to Neo4j
// with every request, and the offline analyser's time grows with it). A
// missing property is null, which maps as a missing property does.
// nodeFromList and edgeFromList map them back with nodeFromProps and
// edgeFromProps, as whole nodes and relationships are mapped, so both give
// the same domain values (TestProjectionsMapAsWholeValues).

// nodeReadKeys are the node properties nodeFromProps reads, in projection
// order.
var nodeReadKeys = []string{
	pID, pName, pAliases, pDescription, pSourcePlan, pSourceSection, pSourceQuote, pSourceOutside,
	pSourceReference, pNumber, pCounty, pField, pCategory, pCode, pPlanYear, pCostNok, pCostText,
	pYearlyAmountYears, pYearlyAmountNok, pGoals, pActivities, pAdopted,
}

// edgeReadKeys are the relationship properties edgeFromProps reads, in
// projection order.
var edgeReadKeys = []string{
	pID, pFromYear, pToYear, pAmountNok, pAsWritten, pRole,
	pSourcePlan, pSourceSection, pSourceQuote, pSourceOutside, pSourceReference,
}

// The parameters of the projections.
const (
	paramNodeKeys     = "nodeKeys"
	paramRelationKeys = "relationKeys"
)

// nodeProjection is the text of {{NODE v}}.
func nodeProjection(v string) string {
	return "[labels(" + v + ")] + [k IN $" + paramNodeKeys + " | " + v + "[k]]"
}

// edgeProjection is the text of {{RELATION v}}.
func edgeProjection(v string) string {
	return "[type(" + v + "), startNode(" + v + ").id, endNode(" + v + ").id] + [k IN $" + paramRelationKeys + " | " + v + "[k]]"
}

// projected turns the values of a projection (after its head) into the
// properties they are, leaving out the missing ones.
func projected(keys []string, vals []any) map[string]any {
	m := make(map[string]any, len(keys))
	for i, k := range keys {
		if vals[i] != nil {
			m[k] = vals[i]
		}
	}
	return m
}

// nodeFromList maps a {{NODE n}} projection to a domain node.
func nodeFromList(v any) (*regiongraph.Node, error) {
	vals, ok := v.([]any)
	if !ok || len(vals) != 1+len(nodeReadKeys) {
		return nil, fmt.Errorf("neo4jstore: a node projection is %T of %d values, want a list of %d", v, len(vals), 1+len(nodeReadKeys))
	}
	labels, err := stringList(vals[0])
	if err != nil {
		return nil, fmt.Errorf("neo4jstore: a node's labels: %w", err)
	}
	return nodeFromProps("a node", labels, projected(nodeReadKeys, vals[1:]))
}

// edgeFromList maps a {{RELATION r}} projection to a domain edge.
func edgeFromList(v any) (*regiongraph.Edge, error) {
	vals, ok := v.([]any)
	if !ok || len(vals) != 3+len(edgeReadKeys) {
		return nil, fmt.Errorf("neo4jstore: a relationship projection is %T of %d values, want a list of %d", v, len(vals), 3+len(edgeReadKeys))
	}
	typ, _ := vals[0].(string)
	from, _ := vals[1].(string)
	to, _ := vals[2].(string)
	return edgeFromProps("a relationship", typ, from, to, projected(edgeReadKeys, vals[3:]))
}

// stringList is a list value of strings.
func stringList(v any) ([]string, error) {
	xs, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%T, want a list", v)
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		if out[i], ok = x.(string); !ok {
			return nil, fmt.Errorf("item %d is %T, want a string", i, x)
		}
	}
	return out, nil
}

// listColumn returns the list in column key, its items mapped by f.
func listColumn[T any](rec *neo4j.Record, key string, f func(any) (T, error)) ([]T, error) {
	xs, err := recordValue[[]any](rec, key)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		if out[i], err = f(x); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recordValue returns rec[key] as a T, or an error naming the key.
func recordValue[T any](rec *neo4j.Record, key string) (T, error) {
	var zero T
	v, ok := rec.Get(key)
	if !ok {
		return zero, fmt.Errorf("neo4jstore: result has no column %q", key)
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("neo4jstore: column %q is %T, want %T", key, v, zero)
	}
	return t, nil
}

// recordNode maps the node in column key.
func recordNode(rec *neo4j.Record, key string) (*regiongraph.Node, error) {
	dn, err := recordValue[dbtype.Node](rec, key)
	if err != nil {
		return nil, err
	}
	return nodeFromDB(dn)
}

// recordEdge maps the relationship in column "r" with its ends' ids in
// columns "from" and "to".
func recordEdge(rec *neo4j.Record) (*regiongraph.Edge, error) {
	r, err := recordValue[dbtype.Relationship](rec, "r")
	if err != nil {
		return nil, err
	}
	from, err := recordValue[string](rec, "from")
	if err != nil {
		return nil, err
	}
	to, err := recordValue[string](rec, "to")
	if err != nil {
		return nil, err
	}
	return edgeFromDB(r, from, to)
}

// recordInt returns the integer in column key.
func recordInt(rec *neo4j.Record, key string) (int64, error) {
	return recordValue[int64](rec, key)
}

type (
	neo4jRecord = neo4j.Record
	neo4jPath   = dbtype.Path
)
