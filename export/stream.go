package export

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	rg "github.com/regiongraph/regiongraph"
)

// Narrows reports whether f narrows the selection around nodes (FocusArea,
// Network, Focus or Text) rather than taking whole kinds (Kinds, Relations
// and Year only).
func (f Filter) Narrows() bool {
	return f.FocusArea != "" || f.Network != "" || f.Focus != "" || f.Text != ""
}

// Streamed reports whether an export of f is written by Stream rather than
// selected and laid out by Build: when f takes whole kinds (see Narrows) and
// the store holds more than MaxNodes nodes of f's kinds (of every kind when
// f.Kinds is empty), counted before Year leaves out the initiatives and
// plans of other plan years. It reads the count from the store's Stats
// (cheap, kept by the store; on Neo4j, writes by other processes show
// within rg.StatsMaxAge).
func Streamed(ctx context.Context, s rg.Store, f Filter) (bool, error) {
	if err := f.Validate(); err != nil {
		return false, err
	}
	if f.Narrows() {
		return false, nil
	}
	st, err := s.Stats(ctx)
	if err != nil {
		return false, fmt.Errorf("export: count the nodes: %w", err)
	}
	n := 0
	for k, c := range st.Nodes {
		if len(f.Kinds) == 0 || slices.Contains(f.Kinds, k) {
			n += c
		}
	}
	return n > MaxNodes, nil
}

// countKinds returns how many nodes of kinds (every kind when empty) the
// store holds.
func countKinds(ctx context.Context, s rg.Store, kinds []rg.Kind) (int, error) {
	p, err := s.FindNodes(ctx, rg.NodeFilter{Kinds: kinds, Order: rg.Order{Field: rg.OrderByID}, First: 1})
	if err != nil {
		return 0, fmt.Errorf("export: count the nodes: %w", err)
	}
	return p.TotalCount, nil
}

// StreamPage is how many nodes a streamed export reads from the store at a
// time (with, for each page, the relations of those nodes).
const StreamPage = rg.MaxPageSize

// streamBuffer is how much of a streamed export is kept before it is
// written out; a page is written out once it is complete.
const streamBuffer = 64 << 10

// StreamResult is what Stream wrote.
type StreamResult struct {
	Nodes, Edges int
	// Bytes is how much reached the writer. When Stream fails with Bytes
	// 0, nothing was written, and the error can be answered instead.
	Bytes int64
}

// ErrGraphChanged is the error of a streamed export during which the graph
// changed: what was written may mix two states of the graph.
var ErrGraphChanged = &rg.Error{Code: rg.ECONFLICT, Message: "the graph changed while it was exported; export it again"}

// Stream writes the selection of f (which must take whole kinds, see
// Narrows) in format to w, reading the store a page at a time: StreamPage
// nodes by id (FindNodes), then, for the nodes, the relations of the page's
// nodes (Expand) to count each node's degree; for the relations, those
// leaving the page's nodes (Expand). Each page is written out before the
// next is read, so memory holds one page and its relations whatever the size
// of the graph, and the context is checked between pages: Stream stops when
// it is done and returns its error.
//
// The nodes and relations are those Select would give, with the same
// attributes, except that there is no layout: positions and sizes are left
// out (empty cells in CSV) and the header says "layout": "none" (JSON) or
// "streamed without a layout" (XML). Nodes come by id; relations grouped by
// the page of the node they leave, by id within it. GEXF's <nodes> and
// <edges> carry no count.
//
// Nothing reaches w before the first page is read, so an error there (a
// store that cannot be reached, a context already done) leaves w untouched
// (StreamResult.Bytes 0). An error after that leaves a document that is
// not whole and does not look whole: JSON and XML are left unterminated
// (XML with a comment saying why), CSV gets a last row of one cell that
// starts with "#regiongraph: INCOMPLETE EXPORT". The graph's version is
// checked after every page: a change is ErrGraphChanged, so a document that
// ends properly holds one state of the graph.
func Stream(ctx context.Context, s rg.Store, f Filter, format Format, w io.Writer) (StreamResult, error) {
	if format.doc == nil {
		return StreamResult{}, fmt.Errorf("export: the format %q cannot be streamed", format.Name)
	}
	p, err := newPager(ctx, s, f)
	if err != nil {
		return StreamResult{}, err
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, streamBuffer)
	st := &streamer{pager: p, d: format.doc(bw), bw: bw, cw: cw}
	res, err := st.run()
	res.Bytes = cw.n
	return res, err
}

// pager reads a selection of whole kinds a page at a time, checking the
// request's context between pages and the graph's version after each
// (Stream, StreamWorkbook, StreamSheetsCSV).
type pager struct {
	ctx context.Context
	s   rg.Store
	f   Filter
	ver int64
}

// newPager checks f (whole kinds only) and notes the graph's version.
func newPager(ctx context.Context, s rg.Store, f Filter) (*pager, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if f.Narrows() {
		return nil, rg.Errorf(rg.EBADINPUT, "a streamed export takes only kind, relation and year; focusArea, network, focus and text select at most %d nodes", MaxNodes)
	}
	ver, err := graphSeq(ctx, s)
	if err != nil {
		return nil, err
	}
	return &pager{ctx: ctx, s: s, f: f, ver: ver}, nil
}

// streamer is one streamed export.
type streamer struct {
	*pager
	d   docWriter
	bw  *bufio.Writer
	cw  *countWriter
	res StreamResult
}

func (st *streamer) run() (StreamResult, error) {
	st.d.begin(docMeta{filter: st.f.Describe(), streamed: true, nodes: -1, edges: -1})
	nodes, edges := st.d.parts()
	if nodes {
		if err := st.pages(st.writeNodes, st.flush); err != nil {
			return st.fail(err)
		}
	}
	st.d.edges()
	if edges {
		if err := st.pages(st.writeEdges, st.flush); err != nil {
			return st.fail(err)
		}
	}
	if err := st.checkVersion(); err != nil {
		return st.fail(err)
	}
	st.d.end()
	if err := st.flush(); err != nil {
		return st.fail(err)
	}
	return st.res, nil
}

// fail marks the document incomplete, when some of it was written out,
// and returns err.
func (st *streamer) fail(err error) (StreamResult, error) {
	if st.cw.n > 0 {
		st.d.abort(err)
		_ = st.flush() // the writer may be what failed
	}
	return st.res, err
}

// flush writes out what the document holds.
func (st *streamer) flush() error {
	if err := st.d.flush(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	if err := st.bw.Flush(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

// checkVersion fails with ErrGraphChanged when the graph is no longer at
// the version it had when the pager began.
func (p *pager) checkVersion() error {
	now, err := graphSeq(p.ctx, p.s)
	if err != nil {
		return err
	}
	if now != p.ver {
		return ErrGraphChanged
	}
	return nil
}

// pages calls write with each page of the shown nodes, by id, then after
// (when not nil: a streamed export writes the page out), then checks the
// graph's version. The context is checked before each page is read.
func (p *pager) pages(write func(page []*rg.Node, shown func(*rg.Node) bool) error, after func() error) error {
	nf := rg.NodeFilter{Kinds: p.f.Kinds, Order: rg.Order{Field: rg.OrderByID}, First: StreamPage}
	for {
		if err := p.ctx.Err(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		np, err := p.s.FindNodes(p.ctx, nf)
		if err != nil {
			return fmt.Errorf("export: read nodes: %w", err)
		}
		page := make([]*rg.Node, 0, len(np.Nodes))
		for _, n := range np.Nodes {
			if p.shownNode(n) {
				page = append(page, n)
			}
		}
		if len(page) > 0 {
			inPage := make(map[string]bool, len(page))
			for _, n := range page {
				inPage[n.ID] = true
			}
			if err := write(page, func(n *rg.Node) bool { return n != nil && inPage[n.ID] }); err != nil {
				return err
			}
		}
		if after != nil {
			if err := after(); err != nil {
				return err
			}
		}
		if err := p.checkVersion(); err != nil {
			return err
		}
		if !np.HasNextPage || np.EndCursor == "" {
			return nil
		}
		nf.After = np.EndCursor
	}
}

// shownNode reports whether n is in the selection (nil: no).
func (p *pager) shownNode(n *rg.Node) bool {
	if n == nil || len(p.f.Kinds) > 0 && !slices.Contains(p.f.Kinds, n.Kind) {
		return false
	}
	return p.f.Year == nil || n.PlanYear == nil || (n.Kind != rg.KindInitiative && n.Kind != rg.KindPlan) || *n.PlanYear == *p.f.Year
}

// expand reads the relations of page in direction d that the filter
// shows, with their ends.
func (p *pager) expand(page []*rg.Node, d rg.Direction) ([]*rg.Edge, map[string]*rg.Node, error) {
	ids := make([]string, len(page))
	ends := make(map[string]*rg.Node, len(page))
	for i, n := range page {
		ids[i] = n.ID
		ends[n.ID] = n
	}
	x, err := p.s.Expand(p.ctx, rg.EdgeFilter{NodeIDs: ids, Direction: d, Kinds: p.f.Relations, Year: p.f.Year})
	if err != nil {
		return nil, nil, fmt.Errorf("export: read the relations of %d nodes: %w", len(ids), err)
	}
	for _, n := range x.Nodes {
		if _, ok := ends[n.ID]; !ok {
			ends[n.ID] = n
		}
	}
	shown := x.Edges[:0:0]
	for _, e := range x.Edges {
		if (len(p.f.Relations) == 0 || slices.Contains(p.f.Relations, e.Kind)) && e.HoldsInYear(p.f.Year) &&
			p.shownNode(ends[e.From]) && p.shownNode(ends[e.To]) {
			shown = append(shown, e)
		}
	}
	return shown, ends, nil
}

// writeNodes writes a page of nodes with their degrees: the relations the
// export shows that touch them.
func (st *streamer) writeNodes(page []*rg.Node, inPage func(*rg.Node) bool) error {
	es, ends, err := st.expand(page, rg.Both)
	if err != nil {
		return err
	}
	g := &Graph{Filter: st.f, Degree: make(map[string]int, len(page))}
	for _, n := range page {
		g.Degree[n.ID] = 0
	}
	for _, e := range es {
		// A relation of a node to itself counts twice, as in Build.
		if inPage(ends[e.From]) {
			g.Degree[e.From]++
		}
		if inPage(ends[e.To]) {
			g.Degree[e.To]++
		}
	}
	for _, n := range page {
		if err := st.ctx.Err(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		st.d.node(g, n)
		st.res.Nodes++
	}
	return nil
}

// writeEdges writes the relations leaving a page of nodes.
func (st *streamer) writeEdges(page []*rg.Node, inPage func(*rg.Node) bool) error {
	es, err := st.leaving(page, inPage)
	if err != nil {
		return err
	}
	g := &Graph{Filter: st.f}
	for _, e := range es {
		st.d.edge(g, e)
		st.res.Edges++
	}
	return nil
}

// leaving returns the shown relations leaving a page of nodes: over all the
// pages, each shown relation once.
func (p *pager) leaving(page []*rg.Node, inPage func(*rg.Node) bool) ([]*rg.Edge, error) {
	es, ends, err := p.expand(page, rg.Out)
	if err != nil {
		return nil, err
	}
	out := es[:0]
	for _, e := range es {
		if inPage(ends[e.From]) {
			out = append(out, e)
		}
	}
	return out, nil
}

// graphSeq returns the version of the graph in s: its GraphVersion's Seq,
// or the newest history entry's.
func graphSeq(ctx context.Context, s rg.Store) (int64, error) {
	v, err := rg.VersionOf(ctx, s)
	if err == nil {
		return v.Seq, nil
	}
	if !errors.Is(err, rg.ErrNoVersion) {
		return 0, fmt.Errorf("export: the graph's version: %w", err)
	}
	p, err := s.History(ctx, rg.HistoryFilter{First: 1})
	if err != nil {
		return 0, fmt.Errorf("export: the graph's version: %w", err)
	}
	if len(p.Entries) == 0 {
		return 0, nil
	}
	return p.Entries[0].Seq, nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
