// Package dataset reads and writes the human-editable YAML form of a
// regiongraph dataset (see data/kongsbergregionen.yaml for the format, which
// is documented at the top of that file).
//
// Parse validates the whole file before returning anything: every error names
// the file and line ("data/kongsbergregionen.yaml:123: relation FUNDS may not
// join Topic to Initiative"). That is why the file is read through yaml.v3's
// yaml.Node tree rather than decoded into structs: the tree keeps the line of
// every key and value.
//
// The format in short:
//
//	plans:      Plan nodes (kind may be left out)
//	nodes:      every other node: id, kind, name, aliases, description, source,
//	            the kind's own fields, and optionally relations written under it
//	relations:  relations with kind, from, to, fromYear, toYear, amountNok,
//	            asWritten, role, source and an optional id
//
// A relation written under a node gives either to (the node is from) or from
// (the node is to). When it has no source it inherits the node's; when its
// source gives neither plan nor outside, plan and section come from the
// node's source. A relation without id gets "<from>-<kind>-<to>" (kind in
// lower case with hyphens), with "-2", "-3", ... added when that id is taken.
package dataset

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/regiongraph/regiongraph"
	"gopkg.in/yaml.v3"
)

// Dataset is a validated set of nodes and relations, in file order (plans
// first, then nodes, then relations written under nodes in node order, then
// the top-level relations).
type Dataset struct {
	Nodes []*regiongraph.Node
	Edges []*regiongraph.Edge
}

// Changes returns the upserts that load the dataset into a store: every node
// first, then every relation.
func (ds *Dataset) Changes() []regiongraph.Change {
	cs := make([]regiongraph.Change, 0, len(ds.Nodes)+len(ds.Edges))
	for _, n := range ds.Nodes {
		cs = append(cs, regiongraph.Change{Op: regiongraph.OpUpsertNode, Node: n.Clone()})
	}
	for _, e := range ds.Edges {
		cs = append(cs, regiongraph.Change{Op: regiongraph.OpUpsertEdge, Edge: e.Clone()})
	}
	return cs
}

// Limits of Parse.
const (
	MaxErrors    = 20       // errors reported before giving up listing them
	MaxFileBytes = 16 << 20 // largest file Parse reads
	maxVisits    = 1 << 20  // YAML nodes visited (guards against alias bombs)
)

// Parse reads a dataset from r. filename is used in error messages only. On
// any error it returns nil and a BAD_USER_INPUT *regiongraph.Error whose
// message lists up to MaxErrors problems, one per line, each "file:line: ...".
func Parse(r io.Reader, filename string) (*Dataset, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, regiongraph.Errorf(regiongraph.EBADINPUT, "%s:1: cannot read: %v", filename, err)
	}
	if len(b) > MaxFileBytes {
		return nil, regiongraph.Errorf(regiongraph.EBADINPUT, "%s:1: file is larger than %d bytes", filename, MaxFileBytes)
	}
	return ParseBytes(b, filename)
}

// ParseBytes is Parse for a byte slice.
func ParseBytes(b []byte, filename string) (*Dataset, error) {
	p := &parser{file: filename}
	root, err := decodeYAML(b)
	if err != nil {
		p.errAt(syntaxLine(err, b), "%s", syntaxMessage(err))
		return nil, p.result()
	}
	ds := p.document(root)
	if len(p.errs) > 0 {
		return nil, p.result()
	}
	return ds, nil
}

// decodeYAML parses exactly one YAML document into a node tree. A panic in
// the YAML library is turned into an error.
func decodeYAML(b []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("yaml: cannot parse: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, errEmpty
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, err
		}
		return nil, &lineError{line: extra.Line, msg: "only one YAML document is allowed"}
	}
	return &doc, nil
}

var errEmpty = &lineError{line: 1, msg: "the dataset is empty"}

type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return e.msg }

var (
	yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	anchorRE   = regexp.MustCompile(`anchor '([^']*)'`)
)

// parserErrors are the messages of yaml.v3's parser (as opposed to its
// scanner), whose line numbers it reports 0-based.
var parserErrors = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// syntaxLine finds the line of a YAML syntax error: from the message when it
// has one, else the first line holding a byte the parser rejects, else 1.
func syntaxLine(err error, b []byte) int {
	if le, ok := err.(*lineError); ok {
		return max(le.line, 1)
	}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		if n, e := strconv.Atoi(m[1]); e == nil && n > 0 {
			if parserErrors[m[2]] {
				n++ // yaml.v3 reports parser (not scanner) errors 0-based
			}
			return n
		}
	}
	if m := anchorRE.FindStringSubmatch(err.Error()); m != nil {
		for i, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "*"+m[1]) {
				return i + 1
			}
		}
	}
	line := 1
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		} else if unicode.IsControl(r) && r != '\t' && r != '\r' && r != 0x85 {
			return line
		}
		i += size
	}
	return 1
}

func syntaxMessage(err error) string {
	if le, ok := err.(*lineError); ok {
		return le.msg
	}
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	return "YAML syntax: " + msg
}

// ---------------------------------------------------------------------------
// The parser proper.

type lineErr struct {
	line int
	msg  string
}

type parser struct {
	file   string
	errs   []lineErr
	visits int

	nodes []*nodeRec
	edges []*edgeRec
}

// nodeRec is a node with the lines of its fields.
type nodeRec struct {
	n     *regiongraph.Node
	line  int
	lines map[string]int // field path -> line
}

// edgeRec is a relation with the lines of its fields.
type edgeRec struct {
	e       *regiongraph.Edge
	line    int
	lines   map[string]int
	derived bool // id was not written
}

func (p *parser) errAt(line int, format string, args ...any) {
	p.errs = append(p.errs, lineErr{line: max(line, 1), msg: fmt.Sprintf(format, args...)})
}

func (p *parser) result() error {
	errs := slices.Clone(p.errs)
	slices.SortStableFunc(errs, func(a, b lineErr) int { return a.line - b.line })
	var sb strings.Builder
	for i, e := range errs {
		if i == MaxErrors {
			fmt.Fprintf(&sb, "\n%s:%d: ... and %d more errors", p.file, e.line, len(errs)-MaxErrors)
			break
		}
		if i > 0 {
			sb.WriteByte('\n')
		}
		fmt.Fprintf(&sb, "%s:%d: %s", p.file, e.line, e.msg)
	}
	return &regiongraph.Error{Code: regiongraph.EBADINPUT, Message: sb.String()}
}

// resolve follows aliases and counts visits.
func (p *parser) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	p.visits++
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "empty"
}

// fields walks a mapping, rejecting duplicate keys, non-text keys, merge
// keys and keys not in allowed. It calls f for each known key.
func (p *parser) fields(m *yaml.Node, what string, allowed []string, f func(key string, keyLine int, v *yaml.Node)) bool {
	m = p.resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		line := 1
		if m != nil {
			line = m.Line
		}
		p.errAt(line, "%s must be a mapping, not %s", what, kindName(m))
		return false
	}
	var seen uint64 // the allowed keys seen, by their index (allowed has fewer than 64)
	var unknown []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := p.resolve(m.Content[i]), m.Content[i+1]
		if p.visits > maxVisits {
			return false
		}
		if k.Kind != yaml.ScalarNode {
			p.errAt(k.Line, "%s: keys must be plain text", what)
			continue
		}
		if k.Tag == "!!merge" {
			p.errAt(k.Line, "%s: merge keys (<<) are not supported", what)
			continue
		}
		j := slices.Index(allowed, k.Value)
		if j < 0 {
			if slices.Contains(unknown, k.Value) {
				p.errAt(k.Line, "%s: field %q is given twice", what, k.Value)
				continue
			}
			unknown = append(unknown, k.Value)
			p.errAt(k.Line, "%s: unknown field %q (known: %s)", what, k.Value, strings.Join(allowed, ", "))
			continue
		}
		if seen&(1<<j) != 0 {
			p.errAt(k.Line, "%s: field %q is given twice", what, k.Value)
			continue
		}
		seen |= 1 << j
		f(k.Value, k.Line, v)
	}
	return true
}

func (p *parser) str(v *yaml.Node, what string) (string, bool) {
	v = p.resolve(v)
	if v.Kind != yaml.ScalarNode {
		p.errAt(v.Line, "%s must be text, not %s", what, kindName(v))
		return "", false
	}
	if v.Tag == "!!null" {
		return "", true
	}
	return v.Value, true
}

func (p *parser) integer(v *yaml.Node, what string) (int64, bool) {
	v = p.resolve(v)
	if v.Kind != yaml.ScalarNode || v.Tag != "!!int" {
		p.errAt(v.Line, "%s must be a whole number, not %q", what, v.Value)
		return 0, false
	}
	var x int64
	if err := v.Decode(&x); err != nil {
		p.errAt(v.Line, "%s: %q is not a whole number that fits in 64 bits", what, v.Value)
		return 0, false
	}
	return x, true
}

func (p *parser) year(v *yaml.Node, what string) (*int, bool) {
	x, ok := p.integer(v, what)
	if !ok {
		return nil, false
	}
	if x < -1<<31 || x > 1<<31-1 {
		p.errAt(v.Line, "%s: year %d is out of range", what, x)
		return nil, false
	}
	y := int(x)
	return &y, true
}

func (p *parser) boolean(v *yaml.Node, what string) (bool, bool) {
	v = p.resolve(v)
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
		p.errAt(v.Line, "%s must be true or false, not %q", what, v.Value)
		return false, false
	}
	var b bool
	if err := v.Decode(&b); err != nil {
		p.errAt(v.Line, "%s must be true or false", what)
		return false, false
	}
	return b, true
}

func (p *parser) strList(v *yaml.Node, what string, lines map[string]int, path string) []string {
	v = p.resolve(v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errAt(v.Line, "%s must be a list, not %s", what, kindName(v))
		return nil
	}
	var out []string
	for i, it := range v.Content {
		if p.visits > maxVisits {
			return nil
		}
		it = p.resolve(it)
		lines[fmt.Sprintf("%s[%d]", path, i)] = it.Line
		if s, ok := p.str(it, fmt.Sprintf("%s[%d]", what, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) seq(v *yaml.Node, what string) []*yaml.Node {
	v = p.resolve(v)
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errAt(v.Line, "%s must be a list, not %s", what, kindName(v))
		return nil
	}
	return v.Content
}

var sourceFields = []string{"plan", "section", "quote", "outside", "reference"}

// source reads a source mapping. It reports whether plan or outside was given.
func (p *parser) source(v *yaml.Node, what string, lines map[string]int) (regiongraph.Source, bool) {
	var s regiongraph.Source
	anchored := false
	v = p.resolve(v)
	lines["source"] = v.Line
	p.fields(v, what, sourceFields, func(key string, keyLine int, val *yaml.Node) {
		lines["source."+key] = keyLine
		w := what + "." + key
		switch key {
		case "plan":
			s.Plan, _ = p.str(val, w)
			anchored = true
		case "section":
			s.Section, _ = p.str(val, w)
		case "quote":
			s.Quote, _ = p.str(val, w)
		case "reference":
			s.Reference, _ = p.str(val, w)
		case "outside":
			s.Outside, _ = p.boolean(val, w)
			anchored = true
		}
	})
	return s, anchored
}

func (p *parser) document(doc *yaml.Node) *Dataset {
	root := doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			p.errAt(doc.Line, "the dataset is empty")
			return nil
		}
		root = doc.Content[0]
	}
	if r := p.resolve(root); r.Kind == yaml.ScalarNode && r.Tag == "!!null" {
		p.errAt(r.Line, "the dataset is empty")
		return nil
	}
	var plans, nodes, rels []*yaml.Node
	if !p.fields(root, "the dataset", []string{"plans", "nodes", "relations"}, func(key string, _ int, v *yaml.Node) {
		switch key {
		case "plans":
			plans = p.seq(v, "plans")
		case "nodes":
			nodes = p.seq(v, "nodes")
		case "relations":
			rels = p.seq(v, "relations")
		}
	}) {
		return nil
	}
	var nested []*edgeRec
	for i, v := range plans {
		if p.visits > maxVisits {
			break
		}
		nested = append(nested, p.node(v, fmt.Sprintf("plans[%d]", i), true)...)
	}
	for i, v := range nodes {
		if p.visits > maxVisits {
			break
		}
		nested = append(nested, p.node(v, fmt.Sprintf("nodes[%d]", i), false)...)
	}
	p.edges = append(p.edges, nested...)
	for i, v := range rels {
		if p.visits > maxVisits {
			break
		}
		if e := p.edge(v, fmt.Sprintf("relations[%d]", i), nil); e != nil {
			p.edges = append(p.edges, e)
		}
	}
	if p.visits > maxVisits {
		p.errAt(1, "the dataset is too large or uses too many aliases (more than %d YAML nodes)", maxVisits)
		return nil
	}
	return p.check()
}

var nodeFields = []string{
	"id", "kind", "name", "aliases", "description", "source",
	"number", "county", "field", "category", "code", "planYear",
	"costText", "costNok", "yearlyAmounts", "goals", "activities", "adopted",
	"relations",
}

func (p *parser) node(v *yaml.Node, what string, isPlan bool) []*edgeRec {
	v = p.resolve(v)
	n := &regiongraph.Node{}
	rec := &nodeRec{n: n, line: v.Line, lines: map[string]int{}}
	var relNodes []*yaml.Node
	kindGiven := false
	ok := p.fields(v, what, nodeFields, func(key string, keyLine int, val *yaml.Node) {
		rec.lines[key] = keyLine
		w := what + "." + key
		switch key {
		case "id":
			n.ID, _ = p.str(val, w)
		case "kind":
			var k string
			k, _ = p.str(val, w)
			n.Kind = regiongraph.Kind(k)
			kindGiven = true
		case "name":
			n.Name, _ = p.str(val, w)
		case "aliases":
			n.Aliases = p.strList(val, w, rec.lines, key)
		case "description":
			n.Description, _ = p.str(val, w)
		case "source":
			n.Source, _ = p.source(val, w, rec.lines)
			rec.lines["source"] = keyLine
		case "number":
			n.Number, _ = p.str(val, w)
		case "county":
			n.County, _ = p.str(val, w)
		case "field":
			n.Field, _ = p.str(val, w)
		case "category":
			n.Category, _ = p.str(val, w)
		case "code":
			n.Code, _ = p.str(val, w)
		case "planYear":
			n.PlanYear, _ = p.year(val, w)
		case "costText":
			n.CostText, _ = p.str(val, w)
		case "costNok":
			if x, ok := p.integer(val, w); ok {
				n.CostNok = &x
			}
		case "yearlyAmounts":
			for i, it := range p.seq(val, w) {
				var ya regiongraph.YearAmount
				iw := fmt.Sprintf("%s[%d]", w, i)
				path := fmt.Sprintf("yearlyAmounts[%d]", i)
				rec.lines[path] = p.resolve(it).Line
				var haveYear, haveAmount bool
				p.fields(it, iw, []string{"year", "amountNok"}, func(k string, kl int, x *yaml.Node) {
					rec.lines[path+"."+k] = kl
					switch k {
					case "year":
						if y, ok := p.year(x, iw+".year"); ok {
							ya.Year, haveYear = *y, true
						}
					case "amountNok":
						ya.AmountNok, haveAmount = p.integer(x, iw+".amountNok")
					}
				})
				if !haveYear || !haveAmount {
					p.errAt(rec.lines[path], "node %q: %s needs both year and amountNok", n.ID, path)
				}
				n.YearlyAmounts = append(n.YearlyAmounts, ya)
			}
		case "goals":
			n.Goals = p.strList(val, w, rec.lines, key)
		case "activities":
			n.Activities = p.strList(val, w, rec.lines, key)
		case "adopted":
			n.Adopted, _ = p.str(val, w)
		case "relations":
			relNodes = p.seq(val, w)
		}
	})
	if !ok {
		return nil
	}
	if isPlan {
		if !kindGiven {
			n.Kind = regiongraph.KindPlan
		} else if n.Kind != regiongraph.KindPlan {
			p.errAt(rec.lines["kind"], "node %q: kind: a node under plans must be a Plan, not %q", n.ID, n.Kind)
		}
	} else if !kindGiven {
		p.errAt(v.Line, "node %q: kind is required", n.ID)
	}
	if _, has := rec.lines["source"]; !has {
		p.errAt(v.Line, "node %q: source is required (plan, section and quote; or outside: true and a reference)", n.ID)
	}
	p.nodes = append(p.nodes, rec)
	var out []*edgeRec
	for i, rv := range relNodes {
		if p.visits > maxVisits {
			break
		}
		if e := p.edge(rv, fmt.Sprintf("%s.relations[%d]", what, i), rec); e != nil {
			out = append(out, e)
		}
	}
	return out
}

var edgeFields = []string{"id", "kind", "from", "to", "fromYear", "toYear", "amountNok", "asWritten", "role", "source"}

// edge reads a relation; under is the node it is written under, if any.
func (p *parser) edge(v *yaml.Node, what string, under *nodeRec) *edgeRec {
	v = p.resolve(v)
	e := &regiongraph.Edge{}
	rec := &edgeRec{e: e, line: v.Line, lines: map[string]int{}}
	var src regiongraph.Source
	srcGiven, srcAnchored := false, false
	ok := p.fields(v, what, edgeFields, func(key string, keyLine int, val *yaml.Node) {
		rec.lines[key] = keyLine
		w := what + "." + key
		switch key {
		case "id":
			e.ID, _ = p.str(val, w)
		case "kind":
			var k string
			k, _ = p.str(val, w)
			e.Kind = regiongraph.RelKind(k)
		case "from":
			e.From, _ = p.str(val, w)
		case "to":
			e.To, _ = p.str(val, w)
		case "fromYear":
			e.FromYear, _ = p.year(val, w)
		case "toYear":
			e.ToYear, _ = p.year(val, w)
		case "amountNok":
			if x, ok := p.integer(val, w); ok {
				e.AmountNok = &x
			}
		case "asWritten":
			e.AsWritten, _ = p.str(val, w)
		case "role":
			e.Role, _ = p.str(val, w)
		case "source":
			src, srcAnchored = p.source(val, w, rec.lines)
			rec.lines["source"] = keyLine
			srcGiven = true
		}
	})
	if !ok {
		return nil
	}
	_, hasFrom := rec.lines["from"]
	_, hasTo := rec.lines["to"]
	if _, has := rec.lines["kind"]; !has {
		p.errAt(v.Line, "relation: kind is required")
	}
	if under == nil {
		if !hasFrom || !hasTo {
			p.errAt(v.Line, "relation: from and to are both required")
		}
		if !srcGiven {
			p.errAt(v.Line, "relation: source is required (plan, section and quote; or outside: true and a reference)")
		}
	} else {
		switch {
		case hasFrom && hasTo:
			p.errAt(v.Line, "relation under node %q: give from or to, not both (the node is the other end)", under.n.ID)
		case hasFrom:
			e.To = under.n.ID
		case hasTo:
			e.From = under.n.ID
		default:
			p.errAt(v.Line, "relation under node %q: give from or to (the node is the other end)", under.n.ID)
		}
		switch {
		case !srcGiven:
			src = under.n.Source
			rec.lines["source"] = under.lines["source"]
		case !srcAnchored:
			src.Plan, src.Section = under.n.Source.Plan, cmpOr(src.Section, under.n.Source.Section)
			src.Outside, src.Reference = under.n.Source.Outside, cmpOr(src.Reference, under.n.Source.Reference)
		}
	}
	e.Source = src
	rec.derived = e.ID == ""
	return rec
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// lineOf returns the line of the longest known prefix of a field path.
func lineOf(lines map[string]int, field string, dflt int) int {
	for f := field; f != ""; {
		if l, ok := lines[f]; ok && l > 0 {
			return l
		}
		i := strings.LastIndexAny(f, ".[")
		if i <= 0 {
			break
		}
		f = f[:i]
	}
	return dflt
}

// check validates nodes and relations against the domain and each other and
// derives missing relation ids.
func (p *parser) check() *Dataset {
	byID := make(map[string]*nodeRec, len(p.nodes))
	nodeErrs := validateAll(p.nodes, func(r *nodeRec) error { return r.n.Validate() })
	for i, r := range p.nodes {
		n := r.n
		if err := nodeErrs[i]; err != nil {
			f := regiongraph.ErrorField(err)
			p.errAt(lineOf(r.lines, f, r.line), "node %q: %s: %s", n.ID, f, regiongraph.ErrorMessage(err))
		}
		if n.CostNok != nil && len(n.YearlyAmounts) > 0 {
			var sum int64
			for _, ya := range n.YearlyAmounts {
				sum += ya.AmountNok
			}
			if sum != *n.CostNok {
				p.errAt(lineOf(r.lines, "costNok", r.line), "node %q: costNok %d is not the sum %d of yearlyAmounts", n.ID, *n.CostNok, sum)
			}
		}
		if n.ID == "" {
			continue
		}
		if prev, dup := byID[n.ID]; dup {
			p.errAt(lineOf(r.lines, "id", r.line), "node %q: duplicate id (first at line %d)", n.ID, prev.line)
			continue
		}
		byID[n.ID] = r
	}
	for _, r := range p.nodes {
		p.checkPlanRef(r.n.Source, r.lines, r.line, fmt.Sprintf("node %q", r.n.ID), byID)
	}

	// Relation ids: written ones first, then derived ones in file order.
	taken := make(map[string]int, len(p.edges))
	for _, r := range p.edges {
		if r.derived {
			continue
		}
		if prev, dup := taken[r.e.ID]; dup {
			p.errAt(lineOf(r.lines, "id", r.line), "relation %q: duplicate id (first at line %d)", r.e.ID, prev)
			continue
		}
		taken[r.e.ID] = r.line
	}
	for _, r := range p.edges {
		if !r.derived {
			continue
		}
		base := DeriveID(r.e.From, r.e.Kind, r.e.To)
		id := base
		for i := 2; ; i++ {
			if _, t := taken[id]; !t {
				break
			}
			id = suffixID(base, i)
		}
		r.e.ID = id
		taken[id] = r.line
	}

	edgeErrs := validateAll(p.edges, func(r *edgeRec) error { return r.e.Validate() })
	for i, r := range p.edges {
		e := r.e
		if err := edgeErrs[i]; err != nil {
			f := regiongraph.ErrorField(err)
			p.errAt(lineOf(r.lines, f, r.line), "relation %q: %s: %s", e.ID, f, regiongraph.ErrorMessage(err))
			continue
		}
		from, okF := byID[e.From]
		to, okT := byID[e.To]
		if !okF {
			p.errAt(lineOf(r.lines, "from", r.line), "relation %q: from: no node with id %q", e.ID, e.From)
		}
		if !okT {
			p.errAt(lineOf(r.lines, "to", r.line), "relation %q: to: no node with id %q", e.ID, e.To)
		}
		if okF && okT {
			if err := regiongraph.CheckEndpoints(e.Kind, from.n.Kind, to.n.Kind); err != nil {
				p.errAt(lineOf(r.lines, "kind", r.line), "relation %s (%s → %s)", regiongraph.ErrorMessage(err), e.From, e.To)
			}
		}
		if planRefToCheck(e.Source) {
			p.checkPlanRef(e.Source, r.lines, r.line, fmt.Sprintf("relation %q", e.ID), byID)
		}
	}
	if len(p.errs) > 0 {
		return nil
	}
	ds := &Dataset{}
	for _, r := range p.nodes {
		ds.Nodes = append(ds.Nodes, r.n)
	}
	for _, r := range p.edges {
		ds.Edges = append(ds.Edges, r.e)
	}
	return ds
}

// planRefToCheck reports whether checkPlanRef has anything to check.
func planRefToCheck(s regiongraph.Source) bool {
	return !s.Outside && s.Plan != "" && regiongraph.ValidID(s.Plan) // else Validate has reported what is wrong, if anything
}

// validateAll runs validate on every record, on every core, and returns
// the errors by record (the records' own checks, independent of each
// other; check reports them in order).
func validateAll[R any](recs []R, validate func(R) error) []error {
	errs := make([]error, len(recs))
	const chunk = 4096
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, min(runtime.GOMAXPROCS(0), (len(recs)+chunk-1)/chunk)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for from := range next {
				for i := from; i < min(from+chunk, len(recs)); i++ {
					errs[i] = validate(recs[i])
				}
			}
		}()
	}
	for from := 0; from < len(recs); from += chunk {
		next <- from
	}
	close(next)
	wg.Wait()
	return errs
}

func (p *parser) checkPlanRef(s regiongraph.Source, lines map[string]int, line int, label string, byID map[string]*nodeRec) {
	if !planRefToCheck(s) {
		return
	}
	pl, ok := byID[s.Plan]
	if !ok {
		p.errAt(lineOf(lines, "source.plan", line), "%s: source.plan: no plan with id %q", label, s.Plan)
	} else if pl.n.Kind != regiongraph.KindPlan {
		p.errAt(lineOf(lines, "source.plan", line), "%s: source.plan: %q is a %s, not a Plan", label, s.Plan, pl.n.Kind)
	}
}

// DeriveID returns the id a relation gets when none is written:
// "<from>-<kind>-<to>" with the kind in lower case and hyphens
// ("tiltak-2011-1-4-in-focus-area-satsingsomrade-1"), made a valid slug and
// cut to regiongraph.MaxIDLen with a hash of the whole when too long.
func DeriveID(from string, kind regiongraph.RelKind, to string) string {
	raw := from + "-" + kindSlug(kind) + "-" + to
	id := slug(raw)
	if len(id) > regiongraph.MaxIDLen {
		h := fnv.New32a()
		h.Write([]byte(raw))
		sum := fmt.Sprintf("%08x", h.Sum32())
		id = strings.TrimRight(id[:regiongraph.MaxIDLen-len(sum)-1], "-") + "-" + sum
	}
	return id
}

func suffixID(base string, i int) string {
	s := "-" + strconv.Itoa(i)
	if len(base)+len(s) > regiongraph.MaxIDLen {
		base = strings.TrimRight(base[:regiongraph.MaxIDLen-len(s)], "-")
	}
	return base + s
}

// slug lower-cases s and turns every run of other characters than a-z and
// 0-9 into one hyphen.
func slug(s string) string {
	if isSlug(s) {
		return s
	}
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		} else {
			hyphen = true
		}
	}
	if b.Len() == 0 {
		return "relation"
	}
	return b.String()
}

// isSlug reports whether slug(s) is s: lower-case letters and digits in
// runs joined by single hyphens.
func isSlug(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// kindSlugs are the relation kinds in lower case with hyphens.
var kindSlugs sync.Map

func kindSlug(k regiongraph.RelKind) string {
	if v, ok := kindSlugs.Load(k); ok {
		return v.(string)
	}
	v := strings.ReplaceAll(strings.ToLower(string(k)), "_", "-")
	if k.Valid() {
		kindSlugs.Store(k, v)
	}
	return v
}
