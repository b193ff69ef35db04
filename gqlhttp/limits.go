package gqlhttp

import (
	"fmt"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"

	rg "github.com/regiongraph/regiongraph"
)

// Limits bound what one GraphQL request may cost. Each has a default (see
// DefaultLimits); a request over a limit is refused with an error that names
// the limit (extensions.limit) and its value (extensions.max).
type Limits struct {
	// MaxBodyBytes bounds a POST body; more is refused with 413.
	MaxBodyBytes int64
	// MaxAdminBodyBytes bounds the POST body of a request whose bearer
	// token has the admin role (importDataset sends a whole dataset).
	MaxAdminBodyBytes int64
	// MaxJSONDepth bounds how deeply the JSON body (and GET variables) nest.
	MaxJSONDepth int
	// MaxJSONItems bounds the items of any one JSON list or object in the
	// body (and GET variables), checked before decoding.
	MaxJSONItems int
	// MaxQueryBytes bounds the query text, checked before it is lexed.
	MaxQueryBytes int
	// MaxTokens bounds the lexical tokens of the query, counted before it
	// is parsed.
	MaxTokens int
	// MaxFields bounds the fields the operations select, each alias and each
	// time a fragment is spread counted again; checked before validation,
	// so validation's cost cannot grow with the square of a huge query.
	MaxFields int
	// MaxDepth bounds how deeply selections nest (fragments expanded).
	MaxDepth int
	// MaxComplexity bounds the estimated cost: every field costs 1 plus its
	// children, list and connection fields multiply their children's cost
	// by what they can return: `first`, or a relation kind's highest
	// degree, or a kind's nodes (see costSchema).
	MaxComplexity int
	// ListEstimate is what a list field without `first` is assumed to
	// return when the graph's cardinalities do not say.
	ListEstimate int
	// MaxPageSize caps `first` on every field that takes it.
	MaxPageSize int
	// MaxResults caps the values one response may hold: every resolved
	// field counts one, and every element of a list one more.
	MaxResults int
	// ParseTimeout bounds reading the body, parsing and validating.
	ParseTimeout time.Duration
	// ExecTimeout bounds executing an operation that selects no analysis
	// field, and every route beside /graphql that runs no analysis.
	ExecTimeout time.Duration
	// AnalysisTimeout bounds, instead of ExecTimeout, executing an
	// operation that selects an analysis field (resolvers.AnalysisFields)
	// and the whole of a request to /map/data.json, /export/... and
	// /brief/..., whose computations share the analysis work caps.
	AnalysisTimeout time.Duration
	// MaxConcurrent bounds the requests being served at once on each route
	// (every route has a pool of its own, so that a flood on one cannot
	// starve another); a request waits up to QueueWait for a place, then
	// gets 503. A request keeps its place until its work has stopped.
	MaxConcurrent int
	// MaxAnalysisConcurrent bounds the analysis computations running at
	// once, over every route: GraphQL operations with an analysis field and
	// the computations behind the map, the exports and the briefs (which
	// identical requests share). One waits up to QueueWait for a place.
	MaxAnalysisConcurrent int
	// QueueWait is how long a request waits for one of MaxConcurrent places,
	// and a computation for one of MaxAnalysisConcurrent.
	QueueWait time.Duration
	// StreamLifetime is how long a subscription stream lasts (the client
	// then resumes with since): the deadline of the stream route.
	StreamLifetime time.Duration
	// ImportTimeout bounds a spreadsheet import (POST /import).
	ImportTimeout time.Duration
}

// DefaultLimits are the limits used for every zero field of Limits.
var DefaultLimits = Limits{
	MaxBodyBytes:          1 << 20,
	MaxAdminBodyBytes:     40 << 20,
	MaxJSONDepth:          32,
	MaxJSONItems:          rg.MaxBatchIDs,
	MaxQueryBytes:         16 << 10,
	MaxTokens:             3000,
	MaxFields:             300,
	MaxDepth:              15,
	MaxComplexity:         100000,
	ListEstimate:          20,
	MaxPageSize:           rg.MaxPageSize,
	MaxResults:            50000,
	ParseTimeout:          2 * time.Second,
	ExecTimeout:           10 * time.Second,
	AnalysisTimeout:       30 * time.Second,
	MaxConcurrent:         32,
	MaxAnalysisConcurrent: 4,
	QueueWait:             time.Second,
	StreamLifetime:        time.Hour,
	ImportTimeout:         5 * time.Minute,
}

// withDefaults returns l with every zero field set from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&l.MaxJSONDepth, d.MaxJSONDepth)
	set(&l.MaxJSONItems, d.MaxJSONItems)
	set(&l.MaxQueryBytes, d.MaxQueryBytes)
	set(&l.MaxTokens, d.MaxTokens)
	set(&l.MaxFields, d.MaxFields)
	set(&l.MaxDepth, d.MaxDepth)
	set(&l.MaxComplexity, d.MaxComplexity)
	set(&l.ListEstimate, d.ListEstimate)
	set(&l.MaxPageSize, d.MaxPageSize)
	set(&l.MaxResults, d.MaxResults)
	set(&l.MaxConcurrent, d.MaxConcurrent)
	set(&l.MaxAnalysisConcurrent, d.MaxAnalysisConcurrent)
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.MaxAdminBodyBytes == 0 {
		l.MaxAdminBodyBytes = max(d.MaxAdminBodyBytes, l.MaxBodyBytes)
	}
	if l.ParseTimeout == 0 {
		l.ParseTimeout = d.ParseTimeout
	}
	if l.ExecTimeout == 0 {
		l.ExecTimeout = d.ExecTimeout
	}
	if l.AnalysisTimeout == 0 {
		l.AnalysisTimeout = d.AnalysisTimeout
	}
	if l.QueueWait == 0 {
		l.QueueWait = d.QueueWait
	}
	if l.StreamLifetime == 0 {
		l.StreamLifetime = d.StreamLifetime
	}
	if l.ImportTimeout == 0 {
		l.ImportTimeout = d.ImportTimeout
	}
	return l
}

// Names of the limits, as in extensions.limit, the metrics and the flags.
const (
	LimitBodyBytes           = "max-body-bytes"
	LimitAdminBodyBytes      = "max-admin-body-bytes"
	LimitJSONDepth           = "max-json-depth"
	LimitJSONItems           = "max-json-items"
	LimitQueryBytes          = "max-query-bytes"
	LimitTokens              = "max-tokens"
	LimitFields              = "max-fields"
	LimitDepth               = "max-depth"
	LimitComplexity          = "max-complexity"
	LimitPageSize            = "max-page-size"
	LimitResults             = "max-results"
	LimitParseTime           = "parse-timeout"
	LimitExecTime            = "exec-timeout"
	LimitConcurrency         = "max-concurrent"
	LimitAnalysisTime        = "analysis-timeout"
	LimitAnalysisConcurrency = "max-analysis-concurrent"
	LimitStreamLifetime      = "stream-lifetime"
	LimitImportTime          = "import-timeout"
)

// Budget is a route's time budget.
type Budget int

const (
	// BudgetExec: ExecTimeout for the whole request.
	BudgetExec Budget = iota
	// BudgetAnalysis: AnalysisTimeout for the whole request.
	BudgetAnalysis
	// BudgetGraphQL: ParseTimeout to read, parse and validate, then
	// ExecTimeout to execute, or AnalysisTimeout for an operation that
	// selects an analysis field. The route's own deadline is their sum.
	BudgetGraphQL
	// BudgetStream: a subscription stream's lifetime (StreamLifetime).
	BudgetStream
	// BudgetImport: a spreadsheet import (ImportTimeout).
	BudgetImport
)

// Timeout returns the deadline of a route with budget b, and the name of the
// limit a request that misses it is refused by.
func (l Limits) Timeout(b Budget) (time.Duration, string) {
	l = l.withDefaults()
	switch b {
	case BudgetAnalysis:
		return l.AnalysisTimeout, LimitAnalysisTime
	case BudgetGraphQL:
		return l.ParseTimeout + max(l.ExecTimeout, l.AnalysisTimeout), LimitExecTime
	case BudgetStream:
		return l.StreamLifetime, LimitStreamLifetime
	case BudgetImport:
		return l.ImportTimeout, LimitImportTime
	}
	return l.ExecTimeout, LimitExecTime
}

// limitError is the GraphQL error for a request over a limit: its message
// names the limit and its value, and so do its extensions.
func limitError(code, limit string, max any, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{
		Message: fmt.Sprintf(format, args...) + fmt.Sprintf("; the limit %s is %v", limit, max),
		Extensions: map[string]any{
			"code":  code,
			"limit": limit,
			"max":   max,
		},
	}
}

// countTokens lexes query and returns its token count, stopping one past max.
// A lexical error is left for the parser to report.
func countTokens(query string, max int) int {
	lx := lexer.New(&ast.Source{Input: query})
	n := 0
	for n <= max {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return n
		}
		n++
	}
	return n
}

// shape is what checkShape measured of a document.
type shape struct {
	Fields int // fields selected, fragments expanded, saturating at max+1
	Depth  int // deepest selection, fragments expanded
	// Introspection is set when __schema or __type is selected anywhere.
	Introspection bool
}

// checkShape counts the fields (aliases and fragment spreads expanded) and
// the depth of every operation in doc, before validation. Fragments are
// measured once each, so a fragment bomb costs its size, not its expansion;
// a fragment that spreads itself, directly or not, is an error here (the
// validator would say so too, but this walk must not loop).
func checkShape(doc *ast.QueryDocument, maxFields int) (shape, *gqlerror.Error) {
	w := &shapeWalker{
		doc:   doc,
		max:   maxFields,
		memo:  map[string]shape{},
		state: map[string]int{},
	}
	var total shape
	for _, op := range doc.Operations {
		s, err := w.selectionSet(op.SelectionSet)
		if err != nil {
			return total, err
		}
		total.Fields = w.add(total.Fields, s.Fields)
		total.Depth = max(total.Depth, s.Depth)
		total.Introspection = total.Introspection || s.Introspection
	}
	// Fragments no operation spreads are still validated: measure them too.
	for _, f := range doc.Fragments {
		s, err := w.fragment(f.Name)
		if err != nil {
			return total, err
		}
		total.Depth = max(total.Depth, s.Depth)
		total.Introspection = total.Introspection || s.Introspection
		if _, used := w.spread[f.Name]; !used {
			total.Fields = w.add(total.Fields, s.Fields)
		}
	}
	return total, nil
}

type shapeWalker struct {
	doc    *ast.QueryDocument
	max    int
	memo   map[string]shape
	state  map[string]int // 1: being measured, 2: done
	spread map[string]struct{}
	path   []string
}

// add adds saturating at max+1, so counts cannot overflow.
func (w *shapeWalker) add(a, b int) int {
	if a > w.max || b > w.max || a+b > w.max {
		return w.max + 1
	}
	return a + b
}

func (w *shapeWalker) selectionSet(set ast.SelectionSet) (shape, *gqlerror.Error) {
	var s shape
	for _, sel := range set {
		var c shape
		switch sel := sel.(type) {
		case *ast.Field:
			sub, err := w.selectionSet(sel.SelectionSet)
			if err != nil {
				return s, err
			}
			c = shape{Fields: w.add(1, sub.Fields), Depth: 1 + sub.Depth, Introspection: sub.Introspection}
			if sel.Name == "__schema" || sel.Name == "__type" {
				c.Introspection = true
			}
		case *ast.InlineFragment:
			sub, err := w.selectionSet(sel.SelectionSet)
			if err != nil {
				return s, err
			}
			c = sub
		case *ast.FragmentSpread:
			if w.spread == nil {
				w.spread = map[string]struct{}{}
			}
			w.spread[sel.Name] = struct{}{}
			sub, err := w.fragment(sel.Name)
			if err != nil {
				return s, err
			}
			c = sub
		}
		s.Fields = w.add(s.Fields, c.Fields)
		s.Depth = max(s.Depth, c.Depth)
		s.Introspection = s.Introspection || c.Introspection
		if s.Fields > w.max {
			// Over the limit already: the exact count does not matter.
			return s, nil
		}
	}
	return s, nil
}

func (w *shapeWalker) fragment(name string) (shape, *gqlerror.Error) {
	switch w.state[name] {
	case 2:
		return w.memo[name], nil
	case 1:
		cycle := name
		for i := len(w.path) - 1; i >= 0; i-- {
			cycle = w.path[i] + " → " + cycle
			if w.path[i] == name {
				break
			}
		}
		return shape{}, &gqlerror.Error{
			Message:    "fragment cycle: " + clip(cycle, 200) + "; fragments may not spread themselves",
			Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"},
		}
	}
	def := w.doc.Fragments.ForName(name)
	if def == nil {
		// Unknown fragment: validation reports it.
		w.state[name] = 2
		return shape{}, nil
	}
	w.state[name] = 1
	w.path = append(w.path, name)
	s, err := w.selectionSet(def.SelectionSet)
	w.path = w.path[:len(w.path)-1]
	if err != nil {
		return s, err
	}
	w.state[name] = 2
	w.memo[name] = s
	return s, nil
}

// clip shortens s to at most n bytes (on a rune boundary), marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}
