package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/auth"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/server"
	"github.com/regiongraph/regiongraph/sheet"
)

// sheetServer is the server over the bundled data with an editor's, an
// admin's and a reader's token.
type sheetServer struct {
	h                     http.Handler
	store                 rg.Store
	editor, admin, reader string
}

func newSheetServer(t *testing.T) *sheetServer {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(context.Background(), ds.Changes()); err != nil {
		t.Fatal(err)
	}
	ss := &sheetServer{store: s}
	var toks []auth.Token
	for _, x := range []struct {
		tok  *string
		name string
		role rg.Role
	}{{&ss.editor, "ella", rg.RoleEditor}, {&ss.admin, "adam", rg.RoleAdmin}, {&ss.reader, "rita", rg.RoleReader}} {
		tok, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		*x.tok = tok
		list, err := auth.ParseList(fmt.Sprintf("%s:%s:%s", x.name, x.role, auth.Hash(tok)), "test")
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, list...)
	}
	set, err := auth.NewSet(toks...)
	if err != nil {
		t.Fatal(err)
	}
	ss.h = server.New(s, server.Config{Tokens: set, Logger: slog.New(slog.DiscardHandler)})
	return ss
}

type importAnswer struct {
	status int
	Diff   *sheet.Diff `json:"diff"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (ss *sheetServer) upload(t *testing.T, token, contentType string, body []byte, params url.Values) importAnswer {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/import?"+params.Encode(), bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	ss.h.ServeHTTP(rec, req)
	var a importAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	a.status = rec.Code
	return a
}

func (ss *sheetServer) state(t *testing.T) (nodes, edges, history int) {
	t.Helper()
	sg, err := ss.store.Subgraph(context.Background(), rg.SubgraphFilter{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ss.store.History(context.Background(), rg.HistoryFilter{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	return len(sg.Nodes), len(sg.Edges), p.TotalCount
}

// workbook2000 writes 2 000 rows: 1 000 new partners and 1 000 relations,
// each new partner PARTICIPATES_IN a network of the bundled data named by
// its name, or (every fifth) is a partner of Kongsberg (also by name). bad,
// when > 0, makes that relation row's fromÅr "tjue".
func workbook2000(t *testing.T, store rg.Store, bad int) ([]byte, []string) {
	t.Helper()
	sg, err := store.Subgraph(context.Background(), rg.SubgraphFilter{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, n := range sg.Nodes {
		count[n.Name]++
	}
	var nets []*rg.Node
	for _, n := range sg.Nodes {
		if n.Kind == rg.KindNetwork && count[n.Name] == 1 {
			nets = append(nets, n)
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Partnere"))
	_, err = f.NewSheet("Relasjoner")
	must(err)
	must(f.SetSheetRow("Partnere", "A1", &[]any{"navn", "kategori", "kilde"}))
	must(f.SetSheetRow("Relasjoner", "A1", &[]any{"relasjon", "fra", "til", "fraÅr", "tilÅr", "kilde"}))
	var want []string
	for i := range 1000 {
		name := fmt.Sprintf("Samarbeidspartner %04d", i)
		must(f.SetSheetRow("Partnere", fmt.Sprintf("A%d", i+2), &[]any{name, "næringsliv", "https://example.org/liste"}))
		want = append(want, fmt.Sprintf("partner-samarbeidspartner-%04d", i))
	}
	for i := range 1000 {
		name := fmt.Sprintf("Samarbeidspartner %04d", i)
		row := []any{"PARTICIPATES_IN", name, nets[i%len(nets)].Name, "2025", "", "https://example.org/liste"}
		id := fmt.Sprintf("partner-samarbeidspartner-%04d-participates-in-%s", i, nets[i%len(nets)].ID)
		if i%5 == 0 {
			row = []any{"PARTNER_OF", "Kongsberg", name, "2025", "2026", "https://example.org/liste"}
			id = fmt.Sprintf("kommune-kongsberg-partner-of-partner-samarbeidspartner-%04d", i)
		}
		if i+2 == bad {
			row[3] = "tjue"
		}
		must(f.SetSheetRow("Relasjoner", fmt.Sprintf("A%d", i+2), &row))
		want = append(want, id)
	}
	var b bytes.Buffer
	_, err = f.WriteTo(&b)
	must(err)
	return b.Bytes(), want
}

func TestSheetImport2000RowsOverHTTP(t *testing.T) {
	ss := newSheetServer(t)
	nodes0, edges0, hist0 := ss.state(t)
	wb, want := workbook2000(t, ss.store, 0)
	params := url.Values{"name": {"partnere.xlsx"}, "dryRun": {"true"}}

	dry := ss.upload(t, ss.editor, sheet.ContentTypeXLSX, wb, params)
	if dry.status != http.StatusOK || len(dry.Errors) > 0 {
		t.Fatalf("dry run: %d %+v", dry.status, dry.Errors)
	}
	d := dry.Diff
	if d.Counts != (sheet.Counts{Created: 2000, Changes: 2000}) || !d.DryRun || d.Applied {
		t.Fatalf("dry run: %+v (refused %v)", d.Counts, d.Refused)
	}
	for i, id := range want {
		if d.Created[i].ID != id {
			t.Fatalf("created[%d] = %s, want %s", i, d.Created[i].ID, id)
		}
	}
	if n, e, h := ss.state(t); n != nodes0 || e != edges0 || h != hist0 {
		t.Fatal("the dry run wrote")
	}

	delete(params, "dryRun")
	params.Set("expect", d.Digest)
	real := ss.upload(t, ss.editor, sheet.ContentTypeXLSX, wb, params)
	if real.status != http.StatusOK || !real.Diff.Applied || real.Diff.Counts.Created != 2000 {
		t.Fatalf("import: %d %+v %+v", real.status, real.Errors, real.Diff.Counts)
	}
	n, e, h := ss.state(t)
	if n != nodes0+1000 || e != edges0+1000 || h != hist0+2000 {
		t.Fatalf("after: %d nodes, %d relations, %d history; want +1000, +1000, +2000", n-nodes0, e-edges0, h-hist0)
	}
	p, err := ss.store.History(context.Background(), rg.HistoryFilter{ID: want[1999], First: 1})
	if err != nil || len(p.Entries) != 1 || p.Entries[0].Reason != "import partnere.xlsx, sheet Relasjoner, row 1001" || p.Entries[0].Actor != "ella" {
		t.Fatalf("history of %s: %+v %v", want[1999], p.Entries, err)
	}

	params.Del("expect")
	again := ss.upload(t, ss.editor, sheet.ContentTypeXLSX, wb, params)
	if again.status != http.StatusOK || again.Diff.Counts.Changes != 0 || again.Diff.Counts.Unchanged != 2000 {
		t.Fatalf("second import: %d %+v", again.status, again.Diff.Counts)
	}
	if n2, e2, h2 := ss.state(t); n2 != n || e2 != e || h2 != h {
		t.Fatal("the second import wrote")
	}
}

func TestSheetImportOneBadRowWritesNothing(t *testing.T) {
	for _, bad := range []int{2, 236, 1001} {
		t.Run(fmt.Sprint("row ", bad), func(t *testing.T) {
			ss := newSheetServer(t)
			n0, e0, h0 := ss.state(t)
			wb, _ := workbook2000(t, ss.store, bad)
			a := ss.upload(t, ss.editor, sheet.ContentTypeXLSX, wb, url.Values{"name": {"feil.xlsx"}})
			if a.status != http.StatusBadRequest || len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != rg.EBADINPUT {
				t.Fatalf("%d %+v", a.status, a.Errors)
			}
			msg := a.Errors[0].Message
			for _, w := range []string{"nothing was written", "feil.xlsx", `sheet "Relasjoner"`, fmt.Sprintf("row %d", bad), `column "fraÅr"`, fmt.Sprintf("D%d", bad)} {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if len(a.Diff.Refused) != 1 || a.Diff.Refused[0].Row != bad || a.Diff.Refused[0].Column != "fraÅr" || a.Diff.Applied {
				t.Fatalf("refused %+v", a.Diff.Refused)
			}
			if n, e, h := ss.state(t); n != n0 || e != e0 || h != h0 {
				t.Fatal("the store or the history changed")
			}
		})
	}
}

func TestSheetImportGuards(t *testing.T) {
	ss := newSheetServer(t)
	csv := []byte("navn;kategori;kilde\nNy;klynge;https://example.org/x\n")
	for _, tc := range []struct {
		name, token, ct string
		status          int
		code            string
	}{
		{"no token", "", sheet.ContentTypeCSV, http.StatusUnauthorized, rg.EUNAUTHENTICATED},
		{"a reader", ss.reader, sheet.ContentTypeCSV, http.StatusForbidden, rg.EFORBIDDEN},
		{"a form a page on any site may post", ss.editor, "multipart/form-data; boundary=x", http.StatusUnsupportedMediaType, rg.EBADINPUT},
		{"urlencoded form", ss.editor, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, rg.EBADINPUT},
		{"text/plain", ss.editor, "text/plain", http.StatusUnsupportedMediaType, rg.EBADINPUT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ss.upload(t, tc.token, tc.ct, csv, url.Values{"name": {"Partnere.csv"}})
			if a.status != tc.status || len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != tc.code {
				t.Fatalf("%d %+v, want %d %s", a.status, a.Errors, tc.status, tc.code)
			}
		})
	}
	t.Run("a wrong token", func(t *testing.T) {
		a := ss.upload(t, "rgt_wrong", sheet.ContentTypeCSV, csv, nil)
		if a.status != http.StatusUnauthorized {
			t.Fatalf("%d", a.status)
		}
	})
	t.Run("GET", func(t *testing.T) {
		rec := do(ss.h, http.MethodGet, "/import", map[string]string{"Authorization": "Bearer " + ss.editor})
		if rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("%d", rec.Code)
		}
	})
	t.Run("an editor's CSV with a semicolon and Norwegian text", func(t *testing.T) {
		a := ss.upload(t, ss.editor, sheet.ContentTypeCSV+"; charset=utf-8", []byte("\ufeffnavn;kategori;kilde\nBygdeutvikling på Øvre Ål;klynge;https://example.org/x\n"), url.Values{"name": {"Partnere.csv"}})
		if a.status != http.StatusOK || a.Diff.Counts.Created != 1 || a.Diff.Created[0].Name != "Bygdeutvikling på Øvre Ål" {
			t.Fatalf("%d %+v %+v", a.status, a.Errors, a.Diff)
		}
	})
}

func TestSheetExportRoundTripsOverHTTP(t *testing.T) {
	ss := newSheetServer(t)
	rec := do(ss.h, http.MethodGet, "/export/graph.xlsx", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != sheet.ContentTypeXLSX {
		t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	nodes, edges, _ := ss.state(t)
	a := ss.upload(t, ss.editor, sheet.ContentTypeXLSX, rec.Body.Bytes(), url.Values{"name": {"regiongraph.xlsx"}, "dryRun": {"1"}})
	if a.status != http.StatusOK || a.Diff.Counts != (sheet.Counts{Unchanged: nodes + edges}) {
		t.Fatalf("%d %+v %+v", a.status, a.Errors, a.Diff.Counts)
	}
	rec = do(ss.h, http.MethodGet, "/export/template.xlsx", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("template: %d", rec.Code)
	}
	f, err := sheet.ReadXLSX(rec.Body.Bytes(), "mal.xlsx", sheet.Limits{})
	if err != nil || f.Sheets[0].Name != sheet.GuideSheet {
		t.Fatalf("template: %v", err)
	}
}
