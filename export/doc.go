package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// docMeta is what a document's header says.
type docMeta struct {
	filter string // Filter.Describe()
	metric string // what sizes the nodes; "" for a streamed export
	// streamed: written page by page without a layout (see Stream).
	streamed bool
	// nodes and edges are how many the document holds, -1 when not known
	// before they are written (a streamed export).
	nodes, edges int
}

// description is the header's description of the document.
func (m docMeta) description() string {
	d := "regiongraph partnership map; filter: " + m.filter
	if m.streamed {
		d += "; streamed without a layout (no positions or sizes)"
	}
	return d
}

// docWriter writes one document of a format, element by element: begin,
// the nodes, edges, the relations, end. A format that holds only nodes
// (nodes.csv) or only relations (edges.csv) ignores the others; parts
// says which it holds, so that a streamed export reads only what is
// written. Writers keep their first error; flush writes what they buffer
// and returns it.
type docWriter interface {
	parts() (nodes, edges bool)
	begin(m docMeta)
	// node writes n; g gives its position, size and degree.
	node(g *Graph, n *rg.Node)
	// edges ends the nodes and begins the relations.
	edges()
	edge(g *Graph, e *rg.Edge)
	// end ends the document.
	end()
	// abort marks a document that stopped before its end, after err, as
	// incomplete as far as the format allows (a comment in XML, a last row
	// in CSV), without ending it: a JSON or XML document stays unterminated,
	// so that no parser takes it for a whole one.
	abort(err error)
	flush() error
}

// writeGraph writes g as one document with d; a g without a layout as a
// streamed export would write it.
func writeGraph(d docWriter, g *Graph, format string) error {
	m := docMeta{filter: g.Filter.Describe(), metric: g.Metric, nodes: len(g.Nodes), edges: len(g.Edges)}
	if !g.LaidOut() {
		// Written as a streamed export writes it.
		m = docMeta{filter: g.Filter.Describe(), streamed: true, nodes: -1, edges: -1}
	}
	d.begin(m)
	for _, n := range g.Nodes {
		d.node(g, n)
	}
	d.edges()
	for _, e := range g.Edges {
		d.edge(g, e)
	}
	d.end()
	if err := d.flush(); err != nil {
		return fmt.Errorf("export: write %s: %w", format, err)
	}
	return nil
}

// incompleteNote is what abort writes: a line saying the file is not
// whole, and why.
func incompleteNote(err error) string {
	var msg string
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		msg = "its time limit passed"
	case errors.Is(err, context.Canceled):
		msg = "it was cancelled"
	default:
		msg = rg.ErrorMessage(err)
	}
	return "regiongraph: INCOMPLETE EXPORT: the export stopped before its end (" + strings.Join(strings.Fields(msg), " ") + "); this file is not whole"
}

// errWriter remembers the first error of the writes through it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *errWriter) str(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}
