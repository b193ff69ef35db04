package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/export"
	"github.com/regiongraph/regiongraph/server"
	. "github.com/regiongraph/regiongraph/storetest"
)

// testGraph is a small cooperation: a region, three municipalities (one
// with a name full of quoting trouble), a network, a focus area, two plans
// and their initiatives.
func testGraph() Graph {
	ini := func(id, name string, year int) *rg.Node {
		n := N(id, rg.KindInitiative, name)
		n.PlanYear = Int(year)
		return n
	}
	plan := func(id string, year int) *rg.Node {
		n := N(id, rg.KindPlan, "Handlingsplan "+id)
		n.PlanYear = Int(year)
		return n
	}
	return Graph{
		Nodes: []*rg.Node{
			N("region", rg.KindRegion, "Kongsbergregionen"),
			N("nore", rg.KindMunicipality, "Nore og Uvdal"),
			N("tinn", rg.KindMunicipality, `Tinn «Rjukan» & <Co>, "quoted"`),
			N("kongsberg", rg.KindMunicipality, "Kongsberg"),
			N("skole", rg.KindNetwork, "Sørlandsbanen, Bratsbergbanen"),
			N("fa1", rg.KindFocusArea, "Samferdsel"),
			plan("p2011", 2011), plan("p2014", 2014),
			ini("i2011", "Bredbånd", 2011), ini("i2014", "Næringsforum", 2014),
		},
		Edges: []*rg.Edge{
			E("m-nore", rg.RelMemberOf, "nore", "region"),
			EY("m-tinn", rg.RelMemberOf, "tinn", "region", nil, Int(2012)),
			E("m-kongsberg", rg.RelMemberOf, "kongsberg", "region"),
			E("p-kongsberg", rg.RelParticipatesIn, "kongsberg", "skole"),
			E("f-skole", rg.RelFacilitates, "region", "skole"),
			E("c-i2011", rg.RelCoordinates, "region", "i2011"),
			E("fa-i2011", rg.RelInFocusArea, "i2011", "fa1"),
			E("fa-i2014", rg.RelInFocusArea, "i2014", "fa1"),
			E("pl-i2011", rg.RelInPlan, "i2011", "p2011"),
			E("pl-i2014", rg.RelInPlan, "i2014", "p2014"),
		},
	}
}

func newTestServer(t *testing.T) (*httptest.Server, rg.Store) {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "server.db"), boltstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	Load(t, s, testGraph())
	h := server.New(s, server.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, s
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// idsIn reads node and relation ids back from a file in the given format.
func idsIn(t *testing.T, format string, b []byte) (nodes, edges []string) {
	t.Helper()
	switch format {
	case "graphml":
		var doc struct {
			Nodes []struct {
				ID string `xml:"id,attr"`
			} `xml:"graph>node"`
			Edges []struct {
				ID string `xml:"id,attr"`
			} `xml:"graph>edge"`
		}
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("GraphML: %v", err)
		}
		for _, n := range doc.Nodes {
			nodes = append(nodes, n.ID)
		}
		for _, e := range doc.Edges {
			edges = append(edges, e.ID)
		}
	case "gexf":
		var doc struct {
			Nodes []struct {
				ID string `xml:"id,attr"`
			} `xml:"graph>nodes>node"`
			Edges []struct {
				ID string `xml:"id,attr"`
			} `xml:"graph>edges>edge"`
		}
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("GEXF: %v", err)
		}
		for _, n := range doc.Nodes {
			nodes = append(nodes, n.ID)
		}
		for _, e := range doc.Edges {
			edges = append(edges, e.ID)
		}
	case "cytoscape.json":
		var doc struct {
			Elements struct {
				Nodes []struct {
					Data struct {
						ID string `json:"id"`
					} `json:"data"`
				} `json:"nodes"`
				Edges []struct {
					Data struct {
						ID string `json:"id"`
					} `json:"data"`
				} `json:"edges"`
			} `json:"elements"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("Cytoscape: %v", err)
		}
		for _, n := range doc.Elements.Nodes {
			nodes = append(nodes, n.Data.ID)
		}
		for _, e := range doc.Elements.Edges {
			edges = append(edges, e.Data.ID)
		}
	case "graphology.json":
		var doc struct {
			Nodes []struct {
				Key string `json:"key"`
			} `json:"nodes"`
			Edges []struct {
				Key string `json:"key"`
			} `json:"edges"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("graphology: %v", err)
		}
		for _, n := range doc.Nodes {
			nodes = append(nodes, n.Key)
		}
		for _, e := range doc.Edges {
			edges = append(edges, e.Key)
		}
	case "nodes.csv", "edges.csv":
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		for _, r := range rows[1:] {
			if format == "nodes.csv" {
				nodes = append(nodes, r[0])
			} else {
				edges = append(edges, r[0])
			}
		}
	default:
		t.Fatalf("no reader for %s", format)
	}
	slices.Sort(nodes)
	slices.Sort(edges)
	return nodes, edges
}

// TestExportEndpoints fetches every format with several filters and checks
// status, headers and that the ids are those Select gives for the filter.
func TestExportEndpoints(t *testing.T) {
	srv, store := newTestServer(t)
	for _, q := range []string{"", "kind=Municipality,Region", "year=2014", "relation=MEMBER_OF&year=2014", "focusArea=fa1", "network=skole", "text=rjukan", "focus=region&depth=2"} {
		v, err := export.ParseQuery(mustValues(t, q))
		if err != nil {
			t.Fatal(err)
		}
		sg, err := export.Select(context.Background(), store, v)
		if err != nil {
			t.Fatal(err)
		}
		var wantN, wantE []string
		for _, n := range sg.Nodes {
			wantN = append(wantN, n.ID)
		}
		for _, e := range sg.Edges {
			wantE = append(wantE, e.ID)
		}
		for _, f := range export.Formats {
			resp, b := get(t, srv.URL+"/export/"+f.Name+"?"+q)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s?%s: status %d: %s", f.Name, q, resp.StatusCode, b)
			}
			if ct := resp.Header.Get("Content-Type"); ct != f.ContentType {
				t.Errorf("%s: Content-Type %q, want %q", f.Name, ct, f.ContentType)
			}
			if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+f.File+`"` {
				t.Errorf("%s: Content-Disposition %q", f.Name, cd)
			}
			nodes, edges := idsIn(t, f.Name, b)
			if f.Name != "edges.csv" && !slices.Equal(nodes, wantN) && len(nodes)+len(wantN) > 0 {
				t.Errorf("%s?%s: nodes %q, want %q", f.Name, q, nodes, wantN)
			}
			if f.Name != "nodes.csv" && !slices.Equal(edges, wantE) && len(edges)+len(wantE) > 0 {
				t.Errorf("%s?%s: relations %q, want %q", f.Name, q, edges, wantE)
			}
		}
	}
}

// TestExportFiltersNarrow makes sure the filters reach the endpoint: each
// gives fewer nodes than no filter.
func TestExportFiltersNarrow(t *testing.T) {
	srv, _ := newTestServer(t)
	_, all := get(t, srv.URL+"/export/cytoscape.json")
	allN, _ := idsIn(t, "cytoscape.json", all)
	for _, q := range []string{"kind=Municipality", "year=2014", "network=skole", "text=rjukan"} {
		_, b := get(t, srv.URL+"/export/cytoscape.json?"+q)
		n, _ := idsIn(t, "cytoscape.json", b)
		if len(n) == 0 || len(n) >= len(allN) {
			t.Errorf("%s: %d nodes of %d", q, len(n), len(allN))
		}
	}
}

type errorResponse struct {
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code  string `json:"code"`
			Field string `json:"field"`
		} `json:"extensions"`
	} `json:"errors"`
}

func TestExportErrors(t *testing.T) {
	srv, _ := newTestServer(t)
	cases := []struct {
		path   string
		status int
		code   string
		field  string
	}{
		{"/export/graphml?kind=Kommune", 400, rg.EBADINPUT, "kind"},
		{"/export/gexf?year=nineteen", 400, rg.EBADINPUT, "year"},
		{"/export/nodes.csv?kinds=Municipality", 400, rg.EBADINPUT, "kinds"},
		{"/export/edges.csv?network=fa1", 400, rg.EBADINPUT, "network"},
		{"/export/graphology.json?focusArea=nowhere", 404, rg.ENOTFOUND, "focusArea"},
		{"/export/pdf", 404, rg.ENOTFOUND, ""},
		{"/map/data.json?metric=popularity", 400, rg.EBADINPUT, "metric"},
		{"/map/data.json?relation=LIKES", 400, rg.EBADINPUT, "relation"},
	}
	for _, c := range cases {
		resp, b := get(t, srv.URL+c.path)
		var e errorResponse
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("%s: not a JSON error: %s", c.path, b)
		}
		if resp.StatusCode != c.status || len(e.Errors) != 1 || e.Errors[0].Extensions.Code != c.code || e.Errors[0].Extensions.Field != c.field {
			t.Errorf("%s: status %d, body %s; want %d %s on %q", c.path, resp.StatusCode, b, c.status, c.code, c.field)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", c.path, ct)
		}
	}
}

// TestMapData: the map's data endpoint draws the same selection as the
// exports, with positions inside its bounds and a legend that counts it.
func TestMapData(t *testing.T) {
	srv, store := newTestServer(t)
	for _, q := range []string{"", "kind=Municipality,Region&year=2014", "text=Nore"} {
		resp, b := get(t, srv.URL+"/map/data.json?"+q)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", q, resp.StatusCode, b)
		}
		var d export.MapData
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		f, _ := export.ParseQuery(mustValues(t, q))
		sg, err := export.Select(context.Background(), store, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Nodes) != len(sg.Nodes) || len(d.Edges) != len(sg.Edges) {
			t.Errorf("%s: %d nodes, %d relations; Select has %d, %d", q, len(d.Nodes), len(d.Edges), len(sg.Nodes), len(sg.Edges))
		}
		counted := 0
		for _, k := range d.Legend.Kinds {
			counted += k.Count
		}
		if counted != len(d.Nodes) || len(d.Legend.Kinds) != len(rg.Kinds) || len(d.Legend.Relations) != len(rg.RelKinds) {
			t.Errorf("%s: legend counts %d of %d nodes; %d kinds, %d relations", q, counted, len(d.Nodes), len(d.Legend.Kinds), len(d.Legend.Relations))
		}
		for _, n := range d.Nodes {
			if n.X < d.Bounds[0] || n.Y < d.Bounds[1] || n.X > d.Bounds[2] || n.Y > d.Bounds[3] || n.Size < export.MinSize || n.Size > export.MaxSize {
				t.Errorf("%s: node %s at (%v, %v) size %v, bounds %v", q, n.ID, n.X, n.Y, n.Size, d.Bounds)
			}
		}
	}
	resp, b := get(t, srv.URL+"/map/options.json")
	var o export.MapOptions
	if err := json.Unmarshal(b, &o); err != nil || resp.StatusCode != 200 {
		t.Fatalf("options: %d %s", resp.StatusCode, b)
	}
	if !slices.Equal(o.Years, []int{2011, 2014}) || len(o.FocusAreas) != 1 || len(o.Networks) != 1 || o.Networks[0].Name != "Sørlandsbanen, Bratsbergbanen" {
		t.Errorf("options %+v", o)
	}
}

// TestMapPage: the page and its assets are served with a strict CSP and
// the right types, and refer to no other host.
func TestMapPage(t *testing.T) {
	srv, _ := newTestServer(t)
	resp, b := get(t, srv.URL+"/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	page := string(b)
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") || strings.Contains(page, "//cdn") {
		t.Errorf("the page refers to another host")
	}
	for path, ct := range map[string]string{"/static/map.js": "text/javascript", "/static/map.css": "text/css", "/static/favicon.svg": "image/svg+xml"} {
		if !strings.Contains(page, path) {
			t.Errorf("the page does not load %s", path)
		}
		resp, b := get(t, srv.URL+path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), ct) || len(b) == 0 {
			t.Errorf("%s: %d %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if strings.Contains(string(b), "https://") && path != "/static/favicon.svg" {
			t.Errorf("%s refers to another host", path)
		}
	}
	if resp, _ := get(t, srv.URL+"/static/../server.go"); resp.StatusCode != 404 {
		t.Errorf("path escape: %d", resp.StatusCode)
	}
	if resp, _ := get(t, srv.URL+"/static/nothing.js"); resp.StatusCode != 404 {
		t.Errorf("missing asset: %d", resp.StatusCode)
	}
}

func mustValues(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPartnershipMapQuery: the GraphQL query returns the same nodes,
// positions and relations as /map/data.json for the same filter.
func TestPartnershipMapQuery(t *testing.T) {
	srv, _ := newTestServer(t)
	const q = `query($f: MapFilterInput) { partnershipMap(filter: $f) {
		query metric
		nodes { id kind name x y size degree node { name ... on Municipality { number } } }
		edges { id kind fromId toId fromYear toYear source { citation } relation { from { id } } }
	} }`
	body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"f": map[string]any{"kinds": []string{"MUNICIPALITY", "REGION"}, "year": 2011}}})
	resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			PartnershipMap struct {
				Query  string
				Metric string
				Nodes  []struct {
					ID, Kind, Name string
					X, Y, Size     float64
					Degree         int
					Node           struct{ Name string }
				}
				Edges []struct {
					ID, Kind, FromID, ToID string
					ToYear                 *int
					Relation               struct{ From struct{ ID string } }
				}
			}
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("decode: %v, errors %v", err, r.Errors)
	}
	m := r.Data.PartnershipMap
	if m.Query != "kind=Municipality&kind=Region&year=2011" || m.Metric != "DEGREE" {
		t.Errorf("query %q, metric %q", m.Query, m.Metric)
	}
	_, b := get(t, srv.URL+"/map/data.json?"+m.Query)
	var d export.MapData
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if len(m.Nodes) != len(d.Nodes) || len(m.Edges) != len(d.Edges) || len(m.Nodes) != 4 || len(m.Edges) != 3 {
		t.Fatalf("GraphQL %d nodes, %d relations; data.json %d, %d; want 4, 3", len(m.Nodes), len(m.Edges), len(d.Nodes), len(d.Edges))
	}
	for i, n := range m.Nodes {
		dn := d.Nodes[i]
		if n.ID != dn.ID || n.X != dn.X || n.Y != dn.Y || n.Size != dn.Size || n.Degree != dn.Degree || n.Name != dn.Name || n.Node.Name != n.Name {
			t.Errorf("node %d: GraphQL %+v, data.json %+v", i, n, dn)
		}
	}
	for _, e := range m.Edges {
		if e.Relation.From.ID != e.FromID || e.Kind != "MEMBER_OF" {
			t.Errorf("edge %+v", e)
		}
	}

	// A bad filter is BAD_USER_INPUT naming the input field.
	body, _ = json.Marshal(map[string]any{"query": `{ partnershipMap(filter: {depth: 2}) { query } }`})
	resp2, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var e errorResponse
	if err := json.NewDecoder(resp2.Body).Decode(&e); err != nil || len(e.Errors) != 1 || e.Errors[0].Extensions.Code != rg.EBADINPUT || e.Errors[0].Extensions.Field != "filter.depth" {
		t.Errorf("bad filter: %v %+v", err, e)
	}
}
