package sheet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	rg "github.com/regiongraph/regiongraph"
)

// Options configure an import.
type Options struct {
	// Role is the importer's role: deletes need rg.RoleAdmin. Empty: the
	// role of the principal in the context, or admin when there is none
	// (the command line working on the data file, as the system does).
	Role rg.Role
	// Reason, when set, is written before the file and row in the reason of
	// every history entry.
	Reason string
}

// Diff is what an import changes: every row sorted into created, updated,
// deleted, unchanged or refused, in the order of the files, sheets and
// rows, and the changes that apply it.
type Diff struct {
	Files     []string  `json:"files"`
	DryRun    bool      `json:"dryRun"`
	Applied   bool      `json:"applied"`
	Counts    Counts    `json:"counts"`
	Created   []Item    `json:"created"`
	Updated   []Item    `json:"updated"`
	Deleted   []Item    `json:"deleted"`
	Unchanged []Item    `json:"unchanged"`
	Refused   []Problem `json:"refused"`
	// Digest identifies the planned changes: an apply that expects a
	// digest is refused when the graph has changed since the dry run that
	// showed it.
	Digest string `json:"digest"`

	changes []planned
}

// Counts are the sizes of a Diff's lists.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Deleted   int `json:"deleted"`
	Unchanged int `json:"unchanged"`
	Refused   int `json:"refused"`
	// Changes is created + updated + deleted: 0 means the store already
	// holds what the files say.
	Changes int `json:"changes"`
}

// Item is one row's node or relation.
type Item struct {
	File   string    `json:"file"`
	Sheet  string    `json:"sheet"`
	Row    int       `json:"row"`
	Target rg.Target `json:"target"`
	ID     string    `json:"id"`
	Kind   string    `json:"kind"`
	// Name is the node's name, or for a relation "from name → to name".
	Name string `json:"name"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Fields are the changed columns of an update, with their old and new
	// cells as the export writes them.
	Fields []FieldChange `json:"fields,omitempty"`
	// Detached are the relations a node delete removes with the node.
	Detached []string `json:"detached,omitempty"`
}

// FieldChange is one changed column.
type FieldChange struct {
	Column string `json:"column"`
	Old    string `json:"old"`
	New    string `json:"new"`
}

// Problem is a refused row (or header), naming where it is.
type Problem struct {
	File  string `json:"file"`
	Sheet string `json:"sheet"`
	Row   int    `json:"row"`
	// Column is the column's header as written in the sheet, Cell its A1
	// name ("C7"); both empty when the problem is the whole row.
	Column  string `json:"column,omitempty"`
	Cell    string `json:"cell,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	where := fmt.Sprintf("%s, sheet %q, row %d", p.File, p.Sheet, p.Row)
	switch {
	case p.Cell != "":
		where += fmt.Sprintf(", column %q (%s)", p.Column, p.Cell)
	case p.Column != "":
		where += fmt.Sprintf(", column %q", p.Column)
	}
	return where + ": " + p.Message
}

// planned is a change and the row it comes from.
type planned struct {
	c   rg.Change
	ref ref
}

type ref struct {
	file, sheet string
	row         int
	single      bool // the file's only sheet, named by the file
}

func (r ref) String() string {
	if r.single {
		return fmt.Sprintf("%s, row %d", r.file, r.row)
	}
	return fmt.Sprintf("%s, sheet %s, row %d", r.file, r.sheet, r.row)
}

// Changes returns the planned changes in the order Apply gives them to the
// store.
func (d *Diff) Changes() []rg.Change {
	out := make([]rg.Change, len(d.changes))
	for i, p := range d.changes {
		out[i] = p.c
	}
	return out
}

// Plan reads the files' sheets against the store and returns what an
// import would change. Refused rows are in the Diff, not an error; the
// error is for a store that cannot be read.
func Plan(ctx context.Context, s rg.Store, files []*File, o Options) (*Diff, error) {
	sg, err := s.Subgraph(ctx, rg.SubgraphFilter{})
	if err != nil {
		return nil, fmt.Errorf("sheet: read the graph: %w", err)
	}
	role := o.Role
	if role == "" {
		role = rg.RoleAdmin
		if p, ok := rg.PrincipalFrom(ctx); ok {
			role = p.Role
		}
	}
	p := newPlanner(sg, role, o.Reason)
	for _, f := range files {
		p.d.Files = append(p.d.Files, f.Name)
	}
	// Nodes first, so that relations may refer to nodes the same import
	// creates or renames.
	for _, relations := range []bool{false, true} {
		for _, f := range files {
			for _, sh := range f.Sheets {
				p.sheet(f, sh, relations)
			}
		}
	}
	p.finish()
	return p.d, nil
}

type planner struct {
	d      *Diff
	role   rg.Role
	reason string

	nodes  map[string]*rg.Node // the graph as the rows so far leave it
	edges  map[string]*rg.Edge
	names  map[string][]string // exact name -> node ids
	triple map[[3]string][]string
	taken  map[string]bool // ids of nodes and relations, stored or planned

	nodeRow, edgeRow map[string]ref // the row that gave a node or relation
	deleted          map[string]ref // nodes deleted by a row

	nodeCh, edgeDel, edgeCh, nodeDel []planned
	delItems                         map[string]int // node id -> index in d.Deleted
}

func newPlanner(sg *rg.Subgraph, role rg.Role, reason string) *planner {
	p := &planner{
		d:    &Diff{Files: []string{}, Created: []Item{}, Updated: []Item{}, Deleted: []Item{}, Unchanged: []Item{}, Refused: []Problem{}},
		role: role, reason: reason,
		nodes: make(map[string]*rg.Node, len(sg.Nodes)), edges: make(map[string]*rg.Edge, len(sg.Edges)),
		names: map[string][]string{}, triple: map[[3]string][]string{}, taken: map[string]bool{},
		nodeRow: map[string]ref{}, edgeRow: map[string]ref{}, deleted: map[string]ref{}, delItems: map[string]int{},
	}
	for _, n := range sg.Nodes {
		p.nodes[n.ID] = n
		p.names[n.Name] = append(p.names[n.Name], n.ID)
		p.taken[n.ID] = true
	}
	for _, e := range sg.Edges {
		p.edges[e.ID] = e
		k := [3]string{string(e.Kind), e.From, e.To}
		p.triple[k] = append(p.triple[k], e.ID)
		p.taken[e.ID] = true
	}
	return p
}

// sheetCtx is a sheet being read: its columns by index.
type sheetCtx struct {
	f         *File
	sh        *Sheet
	kind      rg.Kind // of a node kind's sheet
	relations bool
	cols      []*column      // by column index; nil: skipped
	at        map[string]int // column key -> index
	kindIdx   []int          // the kind columns
	single    bool
}

func (sc *sheetCtx) ref(row int) ref {
	return ref{file: sc.f.Name, sheet: sc.sh.Name, row: row, single: sc.single}
}

// problem records a refused row; column is a column key ("" for the row).
func (p *planner) problem(sc *sheetCtx, row int, key, code, format string, args ...any) {
	pr := Problem{File: sc.f.Name, Sheet: sc.sh.Name, Row: row, Code: code, Message: fmt.Sprintf(format, args...)}
	if key != "" {
		if i, ok := sc.at[key]; ok {
			pr.Column, pr.Cell = strings.TrimSpace(sc.sh.Header[i]), cellName(i, row)
		} else {
			pr.Column = key
			pr.Message += fmt.Sprintf(" (the sheet has no %s column)", key)
		}
	}
	p.d.Refused = append(p.d.Refused, pr)
}

func (p *planner) headerProblem(sc *sheetCtx, i int, format string, args ...any) {
	p.d.Refused = append(p.d.Refused, Problem{
		File: sc.f.Name, Sheet: sc.sh.Name, Row: headerRow(sc.sh), Column: strings.TrimSpace(sc.sh.Header[i]),
		Cell: cellName(i, headerRow(sc.sh)), Code: rg.EBADINPUT, Message: fmt.Sprintf(format, args...),
	})
}

func headerRow(sh *Sheet) int {
	if len(sh.Rows) > 0 {
		// The header is the first row with cells, before the first data row.
		return max(1, sh.Rows[0].Num-1)
	}
	return 1
}

// sheet reads one sheet if it is of the kind this pass reads (node sheets,
// then relations).
func (p *planner) sheet(f *File, sh *Sheet, relations bool) {
	if sh.Header == nil {
		return // an empty sheet
	}
	f0 := foldHeader(sh.Name)
	if slices.Contains(guideSheetNames, f0) {
		return
	}
	sc := &sheetCtx{f: f, sh: sh, at: map[string]int{}, single: len(f.Sheets) == 1 && FormatOf(f.Name, nil) == FormatCSV}
	isRel := slices.Contains(relationSheetNames, f0)
	if k, ok := kindNamed(sh.Name); ok {
		sc.kind = k
	} else if !isRel {
		// By its columns: from and to make a relations sheet, a kind
		// column a node sheet.
		_, hasFrom := findHeader(sh.Header, metaFrom)
		_, hasTo := findHeader(sh.Header, metaTo)
		_, hasKind := findHeader(sh.Header, metaKindN)
		switch {
		case hasFrom && hasTo:
			isRel = true
		case hasKind:
		default:
			if !relations {
				p.d.Refused = append(p.d.Refused, Problem{File: f.Name, Sheet: sh.Name, Row: headerRow(sh), Code: rg.EBADINPUT,
					Message: fmt.Sprintf("cannot tell what the sheet holds: name it after a node kind (%s) or Relations, or give it a kind column (nodes) or from and to columns (relations)", kindList())})
			}
			return
		}
	}
	if isRel != relations {
		return
	}
	sc.relations = isRel
	if !p.columns(sc) {
		return
	}
	for _, r := range sh.Rows {
		if isRel {
			p.edgeRow_(sc, r)
		} else {
			p.nodeRow_(sc, r)
		}
	}
}

func kindList() string {
	s := make([]string, len(rg.Kinds))
	for i, k := range rg.Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func findHeader(header []string, c *column) (int, bool) {
	for i, h := range header {
		if _, ok := lookup(h, c); ok {
			return i, true
		}
	}
	return 0, false
}

// columns maps the header; false when it has problems (reported).
func (p *planner) columns(sc *sheetCtx) bool {
	var cands []*column
	if sc.relations {
		cands = append([]*column{metaID, metaKindE, metaFrom, metaTo, metaDelete, metaKildeE}, edgeColumns...)
	} else {
		cands = append([]*column{metaID, metaKindN, metaDelete, metaKildeN}, nodeColumns...)
	}
	ok := true
	sc.cols = make([]*column, len(sc.sh.Header))
	for i, h := range sc.sh.Header {
		c, found := lookup(h, cands...)
		if !found {
			if isSkipped(h, sc.relations) {
				continue
			}
			known := make([]string, 0, len(cands))
			for _, c := range cands {
				known = append(known, c.key)
			}
			p.headerProblem(sc, i, "unknown column %q; the columns are %s (or a note column starting with #)", strings.TrimSpace(h), strings.Join(known, ", "))
			ok = false
			continue
		}
		if c.key == colKind {
			sc.kindIdx = append(sc.kindIdx, i)
		}
		if j, dup := sc.at[c.key]; dup {
			// Gephi's edges.csv has Label and kind, both the kind: a
			// second column for the same field must agree row by row.
			if c.key != colKind {
				p.headerProblem(sc, i, "column %q is the same as column %q (%s)", strings.TrimSpace(h), strings.TrimSpace(sc.sh.Header[j]), c.key)
				ok = false
			}
			continue
		}
		sc.cols[i], sc.at[c.key] = c, i
	}
	if !ok {
		return false
	}
	if _, ok := sc.at[colID]; !ok {
		if _, ok := sc.at["name"]; !ok && !sc.relations {
			p.d.Refused = append(p.d.Refused, Problem{File: sc.f.Name, Sheet: sc.sh.Name, Row: headerRow(sc.sh), Code: rg.EBADINPUT,
				Message: "the sheet needs an id or a name column"})
			return false
		}
	}
	if sc.kind == "" && !sc.relations {
		if _, ok := sc.at[colKind]; !ok {
			p.d.Refused = append(p.d.Refused, Problem{File: sc.f.Name, Sheet: sc.sh.Name, Row: headerRow(sc.sh), Code: rg.EBADINPUT,
				Message: "the sheet needs a kind column, or a node kind as its name"})
			return false
		}
	}
	return true
}

// cell returns the row's cell of column key and whether the sheet has it.
func (sc *sheetCtx) cell(r Row, key string) (string, bool) {
	i, ok := sc.at[key]
	if !ok {
		return "", false
	}
	return r.Cell(i), true
}

// kindCells returns the cells of the kind columns that are not empty
// (edges.csv has two: Label and kind).
func (sc *sheetCtx) kindCells(r Row) []string {
	var out []string
	for _, i := range sc.kindIdx {
		if c := strings.TrimSpace(r.Cell(i)); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// --- nodes

func (p *planner) nodeRow_(sc *sheetCtx, r Row) {
	before := len(p.d.Refused)
	bad := func() bool { return len(p.d.Refused) > before }
	kind := sc.kind
	for _, c := range sc.kindCells(r) {
		k, ok := kindNamed(c)
		switch {
		case !ok:
			p.problem(sc, r.Num, colKind, rg.EBADINPUT, "unknown node kind %q; the kinds are %s", c, kindList())
		case kind != "" && k != kind:
			p.problem(sc, r.Num, colKind, rg.EBADINPUT, "kind %s on a sheet of %s", k, kind)
		default:
			kind = k
		}
	}
	if bad() {
		return
	}
	if kind == "" {
		p.problem(sc, r.Num, colKind, rg.EBADINPUT, "is required: the node's kind (%s)", kindList())
		return
	}
	id, _ := sc.cell(r, colID)
	id = strings.TrimSpace(id)
	name, hasName := sc.cell(r, "name")
	name = strings.TrimSpace(name)
	var cur *rg.Node
	switch {
	case id != "":
		if !rg.ValidID(id) {
			p.problem(sc, r.Num, colID, rg.EBADINPUT, "id %q is not a slug (lower-case a-z, 0-9 and single hyphens)", id)
			return
		}
		cur = p.nodes[id]
	case name != "":
		var cands []string
		for _, nid := range p.names[name] {
			if p.nodes[nid] != nil && p.nodes[nid].Kind == kind {
				cands = append(cands, nid)
			}
		}
		switch len(cands) {
		case 0:
			id = p.newNodeID(kind, name)
		case 1:
			id, cur = cands[0], p.nodes[cands[0]]
		default:
			p.problem(sc, r.Num, "name", rg.EBADINPUT, "%d %s nodes are named %q (%s); give the id", len(cands), kind, name, p.describe(cands))
			return
		}
	default:
		if hasName {
			p.problem(sc, r.Num, "name", rg.EBADINPUT, "is required (or give the id of a node)")
		} else {
			p.problem(sc, r.Num, colID, rg.EBADINPUT, "is required (or give the name of a node)")
		}
		return
	}
	if prev, ok := p.nodeRow[id]; ok {
		p.problem(sc, r.Num, colID, rg.EBADINPUT, "node %q is already given on %s", id, prev)
		return
	}
	if prev, ok := p.deleted[id]; ok {
		p.problem(sc, r.Num, colID, rg.EBADINPUT, "node %q is deleted on %s", id, prev)
		return
	}
	if cur != nil && cur.Kind != kind {
		p.problem(sc, r.Num, colKind, rg.EBADINPUT, "node %q is a %s, not a %s; a node's kind never changes", id, cur.Kind, kind)
		return
	}
	rf := sc.ref(r.Num)
	if del, ok := sc.cell(r, colDelete); ok {
		yes, err := parseBool(del)
		if err != nil {
			p.problem(sc, r.Num, colDelete, rg.EBADINPUT, "%s", err)
			return
		}
		if yes {
			p.deleteNode(sc, r, rf, id, kind, cur)
			return
		}
	}
	next := &rg.Node{ID: id, Kind: kind}
	if cur != nil {
		next = cur.Clone()
	}
	for i, c := range sc.cols {
		if c == nil || c.setN == nil {
			continue
		}
		if err := c.setN(next, r.Cell(i)); err != nil {
			p.problem(sc, r.Num, c.key, rg.EBADINPUT, "%s", err)
		}
	}
	if k, ok := sc.cell(r, colKilde); ok {
		p.kilde(sc, r, k, &next.Source)
	}
	if next.Source.Plan != "" {
		p.resolvePlan(sc, r, &next.Source)
	}
	if bad() {
		return
	}
	next = next.Normalized()
	if err := next.Validate(); err != nil {
		p.problem(sc, r.Num, p.columnOf(sc, rg.ErrorField(err)), rg.EBADINPUT, "%s", rg.ErrorMessage(err))
		return
	}
	p.nodeRow[id] = rf
	item := Item{File: sc.f.Name, Sheet: sc.sh.Name, Row: r.Num, Target: rg.TargetNode, ID: id, Kind: string(kind), Name: next.Name}
	switch {
	case cur == nil:
		p.d.Created = append(p.d.Created, item)
		p.nodeCh = append(p.nodeCh, planned{rg.Change{Op: rg.OpCreateNode, Node: next}, rf})
	case rg.SameNode(cur.Normalized(), next):
		p.d.Unchanged = append(p.d.Unchanged, item)
		return
	default:
		item.Fields = nodeFieldChanges(cur, next)
		h := rg.HistoryEntry{Target: rg.TargetNode, Before: cur, After: next}
		p.d.Updated = append(p.d.Updated, item)
		p.nodeCh = append(p.nodeCh, planned{rg.Change{Op: rg.OpUpdateNode, Node: next, Fields: h.ChangedFields()}, rf})
	}
	if cur != nil {
		p.names[cur.Name] = slices.DeleteFunc(slices.Clone(p.names[cur.Name]), func(s string) bool { return s == id })
	}
	p.nodes[id] = next
	p.names[next.Name] = append(p.names[next.Name], id)
	p.taken[id] = true
}

func (p *planner) deleteNode(sc *sheetCtx, r Row, rf ref, id string, kind rg.Kind, cur *rg.Node) {
	if !p.role.Allows(rg.RoleAdmin) {
		p.problem(sc, r.Num, colDelete, rg.EFORBIDDEN, "deleting needs the admin role")
		return
	}
	if cur == nil {
		p.problem(sc, r.Num, colID, rg.ENOTFOUND, "there is no %s %q to delete", kind, id)
		return
	}
	p.deleted[id] = rf
	p.nodeRow[id] = rf
	p.delItems[id] = len(p.d.Deleted)
	p.d.Deleted = append(p.d.Deleted, Item{File: sc.f.Name, Sheet: sc.sh.Name, Row: r.Num, Target: rg.TargetNode, ID: id, Kind: string(kind), Name: cur.Name})
	p.nodeDel = append(p.nodeDel, planned{rg.Change{Op: rg.OpDeleteNode, ID: id, Kind: kind, Detach: true}, rf})
}

// kilde reads the "kilde" (source) column: a Plan by id or exact name is
// the source plan; any other text a reference from outside the plans. An
// empty cell leaves the source as it is.
func (p *planner) kilde(sc *sheetCtx, r Row, v string, s *rg.Source) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	if id, ok := p.planNamed(v); ok {
		*s = rg.Source{Plan: id, Section: s.Section, Quote: s.Quote}
		return
	}
	*s = rg.Source{Outside: true, Reference: v}
}

// planNamed finds a Plan by id or exact name.
func (p *planner) planNamed(v string) (string, bool) {
	if n := p.nodes[v]; n != nil && n.Kind == rg.KindPlan {
		return v, true
	}
	var ids []string
	for _, id := range p.names[v] {
		if n := p.nodes[id]; n != nil && n.Kind == rg.KindPlan {
			ids = append(ids, id)
		}
	}
	if len(ids) == 1 {
		return ids[0], true
	}
	return "", false
}

// resolvePlan checks the source plan, which may be a Plan's id or name.
func (p *planner) resolvePlan(sc *sheetCtx, r Row, s *rg.Source) {
	if id, ok := p.planNamed(s.Plan); ok {
		s.Plan = id
		return
	}
	key := colPlan
	if _, ok := sc.at[colPlan]; !ok {
		key = colKilde
	}
	if n := p.nodes[s.Plan]; n != nil {
		p.problem(sc, r.Num, key, rg.EBADINPUT, "%q is a %s, not a Plan", s.Plan, n.Kind)
		return
	}
	p.problem(sc, r.Num, key, rg.EBADINPUT, "no plan with id or name %q", s.Plan)
}

// columnOf maps a validation error's field ("source.plan", "aliases[2]")
// to a column key.
func (p *planner) columnOf(sc *sheetCtx, field string) string {
	head, rest, _ := strings.Cut(field, ".")
	if i := strings.IndexByte(head, '['); i >= 0 {
		head = head[:i]
	}
	if head == "source" {
		sub, _, _ := strings.Cut(rest, ".")
		key := "source" + strings.ToUpper(sub[:min(1, len(sub))]) + sub[min(1, len(sub)):]
		if _, ok := sc.at[key]; !ok {
			if _, ok := sc.at[colKilde]; ok {
				return colKilde
			}
		}
		return key
	}
	return head
}

func nodeFieldChanges(a, b *rg.Node) []FieldChange {
	var out []FieldChange
	for _, c := range nodeColumns {
		if o, n := c.getN(a), c.getN(b); o != n {
			out = append(out, FieldChange{Column: c.key, Old: o, New: n})
		}
	}
	return out
}

func edgeFieldChanges(a, b *rg.Edge) []FieldChange {
	var out []FieldChange
	for _, c := range edgeColumns {
		if o, n := c.getE(a), c.getE(b); o != n {
			out = append(out, FieldChange{Column: c.key, Old: o, New: n})
		}
	}
	return out
}

// describe lists node ids with their kinds, for an ambiguous name.
func (p *planner) describe(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%s (%s)", id, p.nodes[id].Kind)
	}
	return strings.Join(parts, ", ")
}

// idPrefix is the start of the ids the bundled data gives each kind.
var idPrefix = map[rg.Kind]string{
	rg.KindMunicipality: "kommune", rg.KindRegion: "region", rg.KindNetwork: "nettverk", rg.KindPartner: "partner",
	rg.KindFund: "fond", rg.KindInitiative: "tiltak", rg.KindFocusArea: "satsingsomrade", rg.KindStrategyArea: "tiltaksomrade",
	rg.KindTopic: "sak", rg.KindPlan: "plan",
}

// newNodeID gives a new node an id from its kind and name
// ("nettverk-klimanettverket"), with "-2", "-3", ... when taken.
func (p *planner) newNodeID(k rg.Kind, name string) string {
	return p.unique(clip(idPrefix[k] + "-" + slug(rg.Fold(name))))
}

func (p *planner) unique(base string) string {
	if !p.taken[base] {
		return base
	}
	for i := 2; ; i++ {
		s := "-" + strconv.Itoa(i)
		id := strings.TrimRight(base[:min(len(base), rg.MaxIDLen-len(s))], "-") + s
		if !p.taken[id] {
			return id
		}
	}
}

// DeriveID is the id a relation gets when none is given, the same as a
// link or a dataset gives it: "<from>-<kind>-<to>" with the kind in lower
// case and hyphens, cut with a hash of the whole when too long.
func DeriveID(from string, kind rg.RelKind, to string) string {
	raw := from + "-" + strings.ReplaceAll(strings.ToLower(string(kind)), "_", "-") + "-" + to
	id := slug(raw)
	if len(id) > rg.MaxIDLen {
		h := fnv.New32a()
		h.Write([]byte(raw))
		sum := fmt.Sprintf("%08x", h.Sum32())
		id = strings.TrimRight(id[:rg.MaxIDLen-len(sum)-1], "-") + "-" + sum
	}
	return id
}

func clip(id string) string {
	if len(id) > rg.MaxIDLen {
		id = strings.TrimRight(id[:rg.MaxIDLen], "-")
	}
	return id
}

// slug lower-cases s and turns every run of other characters than a-z and
// 0-9 into one hyphen.
func slug(s string) string {
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
		return "node"
	}
	return b.String()
}

// --- relations

// end resolves a from or to cell: a node id, or the exact name of one node
// (of the kinds the relation may join at that end, when several nodes share
// the name).
func (p *planner) end(sc *sheetCtx, r Row, key, v string, kinds []rg.Kind) (string, bool) {
	v = strings.TrimSpace(v)
	if n := p.nodes[v]; n != nil {
		if prev, ok := p.deleted[v]; ok {
			p.problem(sc, r.Num, key, rg.EBADINPUT, "node %q is deleted on %s", v, prev)
			return "", false
		}
		return v, true
	}
	var ids, fit []string
	for _, id := range p.names[v] {
		if n := p.nodes[id]; n != nil {
			ids = append(ids, id)
			if slices.Contains(kinds, n.Kind) {
				fit = append(fit, id)
			}
		}
	}
	if len(ids) > 1 && len(fit) == 1 {
		ids = fit
	}
	switch len(ids) {
	case 0:
		p.problem(sc, r.Num, key, rg.EBADINPUT, "no node has the id or name %q", v)
		return "", false
	case 1:
		if prev, ok := p.deleted[ids[0]]; ok {
			p.problem(sc, r.Num, key, rg.EBADINPUT, "node %q is deleted on %s", ids[0], prev)
			return "", false
		}
		return ids[0], true
	}
	p.problem(sc, r.Num, key, rg.EBADINPUT, "%d nodes are named %q: %s; give the id", len(ids), v, p.describe(ids))
	return "", false
}

func (p *planner) edgeRow_(sc *sheetCtx, r Row) {
	before := len(p.d.Refused)
	bad := func() bool { return len(p.d.Refused) > before }
	var kind rg.RelKind
	for _, c := range sc.kindCells(r) {
		k, ok := relKindNamed(c)
		switch {
		case !ok:
			p.problem(sc, r.Num, colKind, rg.EBADINPUT, "unknown relation kind %q; the kinds are %s", c, relKindList())
		case kind != "" && k != kind:
			p.problem(sc, r.Num, colKind, rg.EBADINPUT, "two kind columns disagree: %s and %s", kind, k)
		default:
			kind = k
		}
	}
	var from, to string
	ends := rg.Relations[kind]
	if v, _ := sc.cell(r, colFrom); strings.TrimSpace(v) != "" {
		from, _ = p.end(sc, r, colFrom, v, ends.From)
	}
	if v, _ := sc.cell(r, colTo); strings.TrimSpace(v) != "" {
		to, _ = p.end(sc, r, colTo, v, ends.To)
	}
	if bad() {
		return
	}
	id, _ := sc.cell(r, colID)
	id = strings.TrimSpace(id)
	var cur *rg.Edge
	if id != "" {
		if !rg.ValidID(id) {
			p.problem(sc, r.Num, colID, rg.EBADINPUT, "id %q is not a slug (lower-case a-z, 0-9 and single hyphens)", id)
			return
		}
		cur = p.edges[id]
		if cur != nil {
			switch {
			case kind != "" && kind != cur.Kind:
				p.problem(sc, r.Num, colKind, rg.EBADINPUT, "relation %q is %s; a relation's kind never changes (delete it and add another)", id, cur.Kind)
			case from != "" && from != cur.From:
				p.problem(sc, r.Num, colFrom, rg.EBADINPUT, "relation %q starts at %q; a relation's ends never change (delete it and add another)", id, cur.From)
			case to != "" && to != cur.To:
				p.problem(sc, r.Num, colTo, rg.EBADINPUT, "relation %q ends at %q; a relation's ends never change (delete it and add another)", id, cur.To)
			}
			if bad() {
				return
			}
			kind, from, to = cur.Kind, cur.From, cur.To
			for _, end := range []string{from, to} {
				if prev, ok := p.deleted[end]; ok {
					p.problem(sc, r.Num, colID, rg.EBADINPUT, "relation %q touches node %q, deleted on %s (which deletes the relation too)", id, end, prev)
					return
				}
			}
		}
	}
	if cur == nil {
		for _, m := range []struct{ key, v string }{{colKind, string(kind)}, {colFrom, from}, {colTo, to}} {
			if m.v == "" {
				p.problem(sc, r.Num, m.key, rg.EBADINPUT, "is required for a new relation")
			}
		}
		if bad() {
			return
		}
		if id == "" {
			switch ids := p.triple[[3]string{string(kind), from, to}]; len(ids) {
			case 0:
				id = p.unique(DeriveID(from, kind, to))
			case 1:
				id, cur = ids[0], p.edges[ids[0]]
			default:
				p.problem(sc, r.Num, colID, rg.EBADINPUT, "%d %s relations join %q to %q (%s); give the id", len(ids), kind, from, to, strings.Join(ids, ", "))
				return
			}
		}
	}
	if prev, ok := p.edgeRow[id]; ok {
		p.problem(sc, r.Num, colID, rg.EBADINPUT, "relation %q is already given on %s", id, prev)
		return
	}
	rf := sc.ref(r.Num)
	fromN, toN := p.nodes[from], p.nodes[to]
	item := Item{File: sc.f.Name, Sheet: sc.sh.Name, Row: r.Num, Target: rg.TargetRelation, ID: id, Kind: string(kind),
		Name: fromN.Name + " → " + toN.Name, From: from, To: to}
	if del, ok := sc.cell(r, colDelete); ok {
		yes, err := parseBool(del)
		if err != nil {
			p.problem(sc, r.Num, colDelete, rg.EBADINPUT, "%s", err)
			return
		}
		if yes {
			switch {
			case !p.role.Allows(rg.RoleAdmin):
				p.problem(sc, r.Num, colDelete, rg.EFORBIDDEN, "deleting needs the admin role")
			case cur == nil:
				p.problem(sc, r.Num, colID, rg.ENOTFOUND, "there is no %s relation %q to delete", kind, id)
			default:
				p.edgeRow[id] = rf
				p.d.Deleted = append(p.d.Deleted, item)
				p.edgeDel = append(p.edgeDel, planned{rg.Change{Op: rg.OpDeleteEdge, ID: id}, rf})
				delete(p.edges, id)
			}
			return
		}
	}
	next := &rg.Edge{ID: id, Kind: kind, From: from, To: to}
	if cur != nil {
		next = cur.Clone()
	}
	for i, c := range sc.cols {
		if c == nil || c.setE == nil {
			continue
		}
		if err := c.setE(next, r.Cell(i)); err != nil {
			p.problem(sc, r.Num, c.key, rg.EBADINPUT, "%s", err)
		}
	}
	if k, ok := sc.cell(r, colKilde); ok {
		p.kilde(sc, r, k, &next.Source)
	}
	if next.Source.Plan != "" {
		p.resolvePlan(sc, r, &next.Source)
	}
	if bad() {
		return
	}
	if err := next.Validate(); err != nil {
		p.problem(sc, r.Num, p.columnOf(sc, rg.ErrorField(err)), rg.EBADINPUT, "%s", rg.ErrorMessage(err))
		return
	}
	if err := rg.CheckEndpoints(kind, fromN.Kind, toN.Kind); err != nil {
		p.problem(sc, r.Num, colKind, rg.EBADINPUT, "%s", rg.ErrorMessage(err))
		return
	}
	p.edgeRow[id] = rf
	switch {
	case cur == nil:
		p.d.Created = append(p.d.Created, item)
		p.edgeCh = append(p.edgeCh, planned{rg.Change{Op: rg.OpCreateEdge, Edge: next}, rf})
		k := [3]string{string(kind), from, to}
		p.triple[k] = append(p.triple[k], id)
	case rg.SameEdge(cur, next):
		p.d.Unchanged = append(p.d.Unchanged, item)
		return
	default:
		item.Fields = edgeFieldChanges(cur, next)
		h := rg.HistoryEntry{Target: rg.TargetRelation, BeforeEdge: cur, AfterEdge: next}
		p.d.Updated = append(p.d.Updated, item)
		p.edgeCh = append(p.edgeCh, planned{rg.Change{Op: rg.OpUpdateEdge, Edge: next, Fields: h.ChangedFields()}, rf})
	}
	p.edges[id] = next
	p.taken[id] = true
}

func relKindList() string {
	s := make([]string, len(rg.RelKinds))
	for i, k := range rg.RelKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// finish orders the changes, lists what node deletes detach, gives every
// change its reason and computes the digest.
func (p *planner) finish() {
	for id, i := range p.delItems {
		var ds []string
		for eid, e := range p.edges {
			if e.From == id || e.To == id {
				ds = append(ds, eid)
			}
		}
		slices.Sort(ds)
		p.d.Deleted[i].Detached = ds
	}
	d := p.d
	d.changes = slices.Concat(p.nodeCh, p.edgeDel, p.edgeCh, p.nodeDel)
	prefix := "import "
	if r := strings.TrimSpace(p.reason); r != "" {
		prefix = r + "; import "
	}
	for i := range d.changes {
		d.changes[i].c.Reason = clipReason(prefix + d.changes[i].ref.String())
	}
	d.Counts = Counts{Created: len(d.Created), Updated: len(d.Updated), Deleted: len(d.Deleted), Unchanged: len(d.Unchanged), Refused: len(d.Refused)}
	d.Counts.Changes = d.Counts.Created + d.Counts.Updated + d.Counts.Deleted
	if len(d.Refused) > 0 {
		d.changes = nil
	}
	h := sha256.New()
	_ = json.NewEncoder(h).Encode(d.Changes())
	d.Digest = hex.EncodeToString(h.Sum(nil))[:32]
}

func clipReason(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > rg.MaxTextLen {
		s = string(r[:rg.MaxTextLen])
	}
	return s
}

// CleanName is a file name as the diff and the history show it: its last
// element, without control characters, at most 200 characters.
func CleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	return name
}
