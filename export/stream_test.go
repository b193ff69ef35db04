package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/export"
)

// allFormats are the formats with both CSV dialects.
func allFormats() []export.Format {
	var out []export.Format
	for _, f := range export.Formats {
		out = append(out, f)
		if f.IsCSV() {
			x := f.WithCSV(export.CSVOptions{Excel: true})
			x.Name += "+excel"
			out = append(out, x)
		}
	}
	return out
}

// withoutLayout is g as a streamed export holds it: the same nodes,
// relations and degrees, no positions or sizes.
func withoutLayout(g *export.Graph) *export.Graph {
	return &export.Graph{Filter: g.Filter, Nodes: g.Nodes, Edges: g.Edges, Degree: g.Degree}
}

// TestStreamIsTheSelectionWithoutLayout: on a graph of one page, a streamed
// export is byte for byte what the writer makes of Build's selection
// without its layout (same nodes, relations, attributes and degrees; no
// positions or sizes), in every format and dialect and for filters by
// kind, relation and year.
func TestStreamIsTheSelectionWithoutLayout(t *testing.T) {
	nodes, edges := fixture()
	s := newStore(t, nodes, edges)
	ctx := context.Background()
	for _, q := range []string{"", "kind=Municipality,Network,Topic", "relation=FUNDS,PARTICIPATES_IN", "year=2014", "year=2011&relation=MEMBER_OF,IN_PLAN&kind=Municipality,Region,Plan,Initiative"} {
		f := mustQuery(t, q)
		g, err := export.Build(ctx, s, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Nodes) == 0 || len(g.Edges) == 0 && q != "kind=Municipality,Network,Topic" {
			t.Fatalf("%q selects %d nodes and %d relations; the test would prove little", q, len(g.Nodes), len(g.Edges))
		}
		for _, format := range allFormats() {
			var want, got bytes.Buffer
			if err := format.Write(&want, withoutLayout(g)); err != nil {
				t.Fatal(err)
			}
			res, err := export.Stream(ctx, s, f, format, &got)
			if err != nil {
				t.Fatalf("%s %q: %v", format.Name, q, err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%s %q: the stream differs from the selection without layout\n got %s\nwant %s", format.Name, q, got.Bytes(), want.Bytes())
			}
			if res.Bytes != int64(got.Len()) {
				t.Errorf("%s %q: Bytes %d, wrote %d", format.Name, q, res.Bytes, got.Len())
			}
			n, e := len(g.Nodes), len(g.Edges)
			if strings.Contains(format.Name, ".csv") {
				if strings.HasPrefix(format.Name, "nodes") {
					e = 0
				} else {
					n = 0
				}
			}
			if res.Nodes != n || res.Edges != e {
				t.Errorf("%s %q: counted %d nodes, %d relations, want %d, %d", format.Name, q, res.Nodes, res.Edges, n, e)
			}
		}
	}
	for _, q := range []string{"focus=kommune-tinn", "text=tinn", "network=nettverk-skole", "focusArea=sats-1"} {
		if _, err := export.Stream(ctx, s, mustQuery(t, q), export.Formats[0], io.Discard); rg.ErrorCode(err) != rg.EBADINPUT {
			t.Errorf("Stream of %q: %v, want BAD_USER_INPUT", q, err)
		}
	}
}

// generated is a store of partners and initiatives over several pages: a
// chain of PARTNER_OF, and each initiative with two participants (one of
// them a hub partner), some of the relations ending in 2012.
func generated(t testing.TB, partners, initiatives int) rg.Store {
	t.Helper()
	src := rg.Source{Outside: true, Reference: "test"}
	var nodes []*rg.Node
	var edges []*rg.Edge
	pid := func(i int) string { return fmt.Sprintf("partner-%05d", i) }
	for i := range partners {
		nodes = append(nodes, &rg.Node{ID: pid(i), Kind: rg.KindPartner, Name: "Partner " + strconv.Itoa(i), Source: src})
		if i > 0 {
			edges = append(edges, &rg.Edge{ID: fmt.Sprintf("chain-%05d", i), Kind: rg.RelPartnerOf, From: pid(i - 1), To: pid(i), Source: src})
		}
	}
	for i := range initiatives {
		id := fmt.Sprintf("tiltak-%05d", i)
		y := 2011 + 3*(i%2)
		nodes = append(nodes, &rg.Node{ID: id, Kind: rg.KindInitiative, Name: "Tiltak " + id, PlanYear: &y, Source: src})
		e1 := &rg.Edge{ID: id + "-a", Kind: rg.RelParticipatesIn, From: pid((i * 7) % partners), To: id, Source: src}
		if i%3 == 0 {
			to := 2012
			e1.ToYear = &to
		}
		edges = append(edges, e1, &rg.Edge{ID: id + "-hub", Kind: rg.RelParticipatesIn, From: pid(0), To: id, Source: src})
	}
	s := newStoreBatched(t, nodes, edges)
	return s
}

// newStoreBatched is newStore in batches the store accepts.
func newStoreBatched(t testing.TB, nodes []*rg.Node, edges []*rg.Edge) rg.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "export.db"), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	var changes []rg.Change
	for _, n := range nodes {
		changes = append(changes, rg.Change{Op: rg.OpCreateNode, Node: n})
	}
	for _, e := range edges {
		changes = append(changes, rg.Change{Op: rg.OpCreateEdge, Edge: e})
	}
	for batch := range slices.Chunk(changes, rg.MaxChanges) {
		if _, err := s.Apply(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// streamed parses a streamed export: node ids with their degree (from the
// formats that carry it), relation ids with their ends.
type streamed struct {
	degree map[string]int
	edges  map[string][2]string
}

func parseStreamed(t *testing.T, format string, b []byte) streamed {
	t.Helper()
	out := streamed{degree: map[string]int{}, edges: map[string][2]string{}}
	switch {
	case strings.HasPrefix(format, "cytoscape"):
		var doc struct {
			Data     map[string]any `json:"data"`
			Elements struct {
				Nodes []export.CytoscapeElement `json:"nodes"`
				Edges []export.CytoscapeElement `json:"edges"`
			} `json:"elements"`
		}
		decodeStrict(t, format, b, &doc)
		if doc.Data["layout"] != "none" {
			t.Errorf("%s: data %v does not say layout none", format, doc.Data)
		}
		for _, n := range doc.Elements.Nodes {
			if n.Position != nil || n.Data["x"] != nil || n.Data["size"] != nil {
				t.Errorf("%s: node %v has a position or size", format, n.Data["id"])
			}
			out.degree[n.Data["id"].(string)] = int(n.Data["degree"].(float64))
		}
		for _, e := range doc.Elements.Edges {
			out.edges[e.Data["id"].(string)] = [2]string{e.Data["source"].(string), e.Data["target"].(string)}
		}
	case strings.HasPrefix(format, "graphology"):
		var doc export.Graphology
		decodeStrict(t, format, b, &doc)
		for _, n := range doc.Nodes {
			if n.Attributes["x"] != nil || n.Attributes["y"] != nil {
				t.Errorf("%s: node %s has a position", format, n.Key)
			}
			out.degree[n.Key] = int(n.Attributes["degree"].(float64))
		}
		for _, e := range doc.Edges {
			out.edges[e.Key] = [2]string{e.Source, e.Target}
		}
	case strings.HasPrefix(format, "graphml"):
		var doc graphMLDoc
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s does not parse: %v", format, err)
		}
		for _, n := range doc.Graph.Nodes {
			for _, d := range n.Data {
				if d.Key == "n_degree" {
					out.degree[n.ID], _ = strconv.Atoi(d.Value)
				}
				if d.Key == "n_x" || d.Key == "n_size" {
					t.Errorf("%s: node %s has %s", format, n.ID, d.Key)
				}
			}
		}
		for _, e := range doc.Graph.Edges {
			out.edges[e.ID] = [2]string{e.Source, e.Target}
		}
	case strings.HasPrefix(format, "gexf"):
		var doc struct {
			Nodes []struct {
				ID   string `xml:"id,attr"`
				Atts []struct {
					For   string `xml:"for,attr"`
					Value string `xml:"value,attr"`
				} `xml:"attvalues>attvalue"`
			} `xml:"graph>nodes>node"`
			Edges []struct {
				ID     string `xml:"id,attr"`
				Source string `xml:"source,attr"`
				Target string `xml:"target,attr"`
			} `xml:"graph>edges>edge"`
		}
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s does not parse: %v", format, err)
		}
		for _, n := range doc.Nodes {
			for _, a := range n.Atts {
				if a.For == "degree" {
					out.degree[n.ID], _ = strconv.Atoi(a.Value)
				}
			}
		}
		for _, e := range doc.Edges {
			out.edges[e.ID] = [2]string{e.Source, e.Target}
		}
	case strings.HasPrefix(format, "nodes.csv"), strings.HasPrefix(format, "edges.csv"):
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
		if strings.HasSuffix(format, "excel") {
			r.Comma = ';'
		}
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s does not parse: %v", format, err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, row := range rows[1:] {
			if strings.HasPrefix(format, "nodes") {
				if row[col["x"]] != "" || row[col["size"]] != "" {
					t.Errorf("%s: node %s has a position or size", format, row[0])
				}
				out.degree[row[0]], _ = strconv.Atoi(row[col["degree"]])
			} else {
				out.edges[row[0]] = [2]string{row[col["Source"]], row[col["Target"]]}
			}
		}
	default:
		t.Fatalf("no parser for %s", format)
	}
	return out
}

// TestStreamOverPages: on a graph of several pages (2 500 partners and
// initiatives, a hub partner on every initiative), every format streams
// Build's selection: the same node ids with the same degrees, the same
// relation ids with the same ends, each once, for the whole graph and for
// filters by kind, relation and year.
func TestStreamOverPages(t *testing.T) {
	s := generated(t, 1200, 1300)
	ctx := context.Background()
	for _, q := range []string{"", "year=2012", "year=2014&kind=Partner,Initiative", "kind=Partner", "relation=PARTICIPATES_IN"} {
		f := mustQuery(t, q)
		// Select's selection (Build's without its layout, which takes
		// seconds on this graph) and its degrees, counted as Build does.
		sel, err := export.Select(ctx, s, f)
		if err != nil {
			t.Fatal(err)
		}
		g := withoutLayout(&export.Graph{Filter: f, Nodes: sel.Nodes, Edges: sel.Edges, Degree: map[string]int{}})
		for _, n := range g.Nodes {
			g.Degree[n.ID] = 0
		}
		for _, e := range g.Edges {
			g.Degree[e.From]++
			g.Degree[e.To]++
		}
		if len(g.Nodes) <= export.StreamPage {
			t.Fatalf("%q selects %d nodes: not several pages", q, len(g.Nodes))
		}
		wantEdges := map[string][2]string{}
		for _, e := range g.Edges {
			wantEdges[e.ID] = [2]string{e.From, e.To}
		}
		for _, format := range allFormats() {
			var b bytes.Buffer
			if _, err := export.Stream(ctx, s, f, format, &b); err != nil {
				t.Fatalf("%s %q: %v", format.Name, q, err)
			}
			got := parseStreamed(t, format.Name, b.Bytes())
			if !strings.HasPrefix(format.Name, "edges") && !maps.Equal(got.degree, g.Degree) {
				t.Errorf("%s %q: %d nodes streamed, %d selected, or their degrees differ", format.Name, q, len(got.degree), len(g.Degree))
			}
			if !strings.HasPrefix(format.Name, "nodes") && !maps.Equal(got.edges, wantEdges) {
				t.Errorf("%s %q: %d relations streamed, %d selected, or their ends differ", format.Name, q, len(got.edges), len(wantEdges))
			}
		}
	}
}

// failingStore fails, or runs hook, on its FindNodes call number at (from
// 1); the calls before it go through.
type failingStore struct {
	rg.Store
	at    int32
	calls atomic.Int32
	err   error
	hook  func()
}

func (s *failingStore) FindNodes(ctx context.Context, f rg.NodeFilter) (rg.NodePage, error) {
	if s.calls.Add(1) == s.at {
		if s.hook != nil {
			s.hook()
		} else {
			return rg.NodePage{}, s.err
		}
	}
	return s.Store.FindNodes(ctx, f)
}

// TestStreamFailingMidwayIsNotWhole: an export that fails after its first
// page was written out is left so that it cannot be taken for a whole file:
// JSON and XML do not parse, CSV ends with a row of one cell saying it is
// incomplete (which a strict CSV reader refuses); one that fails before
// writes nothing at all; and a change to the graph while it streams is
// ErrGraphChanged, never a file that ends properly.
func TestStreamFailingMidwayIsNotWhole(t *testing.T) {
	base := generated(t, 1500, 100)
	ctx := context.Background()
	unavailable := &rg.Error{Code: rg.EUNAVAILABLE, Message: "the database cannot be reached"}
	for _, format := range allFormats() {
		t.Run(format.Name, func(t *testing.T) {
			// The second page's read fails.
			var b bytes.Buffer
			res, err := export.Stream(ctx, &failingStore{Store: base, at: 2, err: unavailable}, export.Filter{}, format, &b)
			if !errors.Is(err, unavailable) {
				t.Fatalf("Stream: %v, want the store's error", err)
			}
			if res.Bytes == 0 || res.Bytes != int64(b.Len()) {
				t.Fatalf("Bytes %d after the first page, wrote %d", res.Bytes, b.Len())
			}
			checkIncomplete(t, format.Name, b.Bytes(), "the database cannot be reached")

			// The first read fails: nothing is written.
			b.Reset()
			res, err = export.Stream(ctx, &failingStore{Store: base, at: 1, err: unavailable}, export.Filter{}, format, &b)
			if !errors.Is(err, unavailable) || res.Bytes != 0 || b.Len() != 0 {
				t.Fatalf("failing on the first page: %v, Bytes %d, wrote %q", err, res.Bytes, b.Bytes())
			}

			// A context cancelled after the first page.
			b.Reset()
			cctx, cancel := context.WithCancel(ctx)
			_, err = export.Stream(cctx, &failingStore{Store: base, at: 2, hook: cancel}, export.Filter{}, format, &b)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled: %v, want context.Canceled", err)
			}
			checkIncomplete(t, format.Name, b.Bytes(), "it was cancelled")
		})
	}
	t.Run("graph changed", func(t *testing.T) {
		s := generated(t, 1500, 10)
		change := func() {
			src := rg.Source{Outside: true, Reference: "test"}
			if _, err := s.Apply(ctx, []rg.Change{{Op: rg.OpCreateNode, Node: &rg.Node{ID: "partner-new", Kind: rg.KindPartner, Name: "New", Source: src}}}); err != nil {
				t.Error(err)
			}
		}
		var b bytes.Buffer
		_, err := export.Stream(ctx, &failingStore{Store: s, at: 2, hook: change}, export.Filter{}, export.Formats[2], &b)
		if !errors.Is(err, export.ErrGraphChanged) || rg.ErrorCode(err) != rg.ECONFLICT {
			t.Fatalf("a change while streaming: %v, want ErrGraphChanged", err)
		}
		checkIncomplete(t, "cytoscape.json", b.Bytes(), "the graph changed")
	})
}

// checkIncomplete checks that b, a format's document cut short, is not a
// whole one, and that where the format can say so, it says why.
func checkIncomplete(t *testing.T, format string, b []byte, why string) {
	t.Helper()
	switch {
	case strings.Contains(format, "json"):
		var v any
		if err := json.Unmarshal(b, &v); err == nil {
			t.Errorf("%s: the document cut short parses as JSON", format)
		}
	case format == "graphml" || format == "gexf":
		var v struct{}
		if err := xml.Unmarshal(b, &v); err == nil {
			t.Errorf("%s: the document cut short parses as XML", format)
		}
		if !bytes.Contains(b, []byte("<!-- regiongraph: INCOMPLETE EXPORT")) || !bytes.Contains(b, []byte(why)) {
			t.Errorf("%s: no comment saying the export is incomplete (%s):\n%s", format, why, tail(b))
		}
	default:
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
		if strings.HasSuffix(format, "excel") {
			r.Comma = ';'
		}
		if _, err := r.ReadAll(); err == nil {
			t.Errorf("%s: the file cut short reads as whole CSV", format)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		last := lines[len(lines)-1]
		if !strings.HasPrefix(strings.Trim(last, `"`), "#regiongraph: INCOMPLETE EXPORT") || !strings.Contains(last, why) {
			t.Errorf("%s: the last line does not say the file is incomplete (%s): %q", format, why, last)
		}
	}
}

func tail(b []byte) []byte { return b[max(0, len(b)-300):] }

// BenchmarkStream streams the whole of a generated graph of 12 000 nodes
// (6 000 partners, 6 000 initiatives) and 18 000 relations, in each format,
// to io.Discard: time, allocations and bytes written per export.
//
//	go test ./export/ -run '^$' -bench Stream -benchmem
func BenchmarkStream(b *testing.B) {
	s := generated(b, 6000, 6000)
	ctx := context.Background()
	for _, f := range export.Formats {
		b.Run(f.Name, func(b *testing.B) {
			var bytes int64
			for b.Loop() {
				res, err := export.Stream(ctx, s, export.Filter{}, f, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
				bytes = res.Bytes
			}
			b.ReportMetric(float64(bytes)/1e6, "MB/export")
		})
	}
}
