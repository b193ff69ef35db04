package resolvers_test

import (
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/storetest"
)

const importYAML = `plans:
  - id: plan-2030
    name: Handlingsplan 2030
    planYear: 2030
    source: {plan: plan-2030, section: "1", quote: "Handlingsplan 2030"}
nodes:
  - id: nettverk-sykkel
    kind: Network
    name: Sykkelnettverket
    source: {plan: plan-2030, section: "2", quote: "sykkel"}
  - id: tiltak-2030-1
    kind: Initiative
    name: Sykkelveier
    planYear: 2030
    costNok: 100000
    source: {plan: plan-2030, section: "3", quote: "sykkelveier"}
    relations:
      - {kind: COORDINATES, from: nettverk-sykkel}
`

type importPayload struct {
	Applied, DryRun             bool
	Created, Updated, Unchanged []struct {
		Target, ID, Kind string
		ChangedFields    []string
	}
	Rejected []struct {
		Line   *int
		ID     *string
		Reason string
	}
}

const importMutation = `mutation($yaml: String!, $dryRun: Boolean) { importDataset(yaml: $yaml, dryRun: $dryRun, reason: "import") {
	applied dryRun created { target id kind changedFields } updated { target id kind changedFields } unchanged { id } rejected { line id reason } } }`

func (g *gql) importDataset(yaml string, dryRun bool) importPayload {
	g.t.Helper()
	var out struct{ ImportDataset importPayload }
	g.ok(admin, importMutation, map[string]any{"yaml": yaml, "dryRun": dryRun}, &out)
	return out.ImportDataset
}

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func TestImportDataset(t *testing.T) {
	g := newGQL(t)
	before := storetest.TakeSnapshot(t, g.store)
	history := storetest.HistoryLen(t, g.store, "")

	dry := g.importDataset(importYAML, true)
	created := ids(dry.Created, func(x struct {
		Target, ID, Kind string
		ChangedFields    []string
	}) string {
		return x.ID
	})
	if dry.Applied || !dry.DryRun || len(dry.Rejected) != 0 || len(dry.Updated)+len(dry.Unchanged) != 0 ||
		strings.Join(created, " ") != "plan-2030 nettverk-sykkel tiltak-2030-1 nettverk-sykkel-coordinates-tiltak-2030-1" {
		t.Fatalf("dry run: %+v", dry)
	}
	g.unchanged(before, history)

	got := g.importDataset(importYAML, false)
	if !got.Applied || len(got.Created) != 4 || len(got.Rejected) != 0 {
		t.Fatalf("import: %+v", got)
	}
	if n := storetest.HistoryLen(t, g.store, ""); n != history+4 {
		t.Fatalf("history grew by %d, want 4", n-history)
	}
	h := storetest.AllHistory(t, g.store, "tiltak-2030-1")
	if h[0].Actor != "root" || h[0].Reason != "import" {
		t.Fatalf("import recorded as %s (reason %q)", h[0].Actor, h[0].Reason)
	}

	again := g.importDataset(importYAML, false)
	if !again.Applied || len(again.Created)+len(again.Updated) != 0 || len(again.Unchanged) != 4 {
		t.Fatalf("second import: %+v", again)
	}
	if n := storetest.HistoryLen(t, g.store, ""); n != history+4 {
		t.Fatalf("an import that changes nothing grew the history by %d", n-history-4)
	}

	cheaper := strings.Replace(importYAML, "costNok: 100000", "costNok: 90000", 1)
	upd := g.importDataset(cheaper, false)
	if len(upd.Updated) != 1 || upd.Updated[0].ID != "tiltak-2030-1" || strings.Join(upd.Updated[0].ChangedFields, ",") != "costNok" || len(upd.Unchanged) != 3 {
		t.Fatalf("import with a corrected cost: %+v", upd)
	}
}

func TestImportRejections(t *testing.T) {
	g := newGQL(t)
	before := storetest.TakeSnapshot(t, g.store)
	history := storetest.HistoryLen(t, g.store, "")

	bad := strings.Replace(importYAML, "planYear: 2030\n    costNok", "planYear: 1850\n    costNok", 1)
	got := g.importDataset(bad, false)
	if got.Applied || len(got.Rejected) == 0 || got.Rejected[0].Line == nil || *got.Rejected[0].Line != 14 || !strings.Contains(got.Rejected[0].Reason, "1850") {
		t.Fatalf("import with a bad year: %+v", got)
	}
	g.unchanged(before, history)

	// A node the store holds as another kind: rejected with its id, and
	// nothing of the dataset applied.
	kind := strings.Replace(importYAML, "id: nettverk-sykkel\n    kind: Network", "id: buskerud\n    kind: Network", 1)
	kind = strings.ReplaceAll(kind, "from: nettverk-sykkel", "from: buskerud")
	got = g.importDataset(kind, false)
	if got.Applied || len(got.Rejected) != 1 || got.Rejected[0].ID == nil || *got.Rejected[0].ID != "buskerud" || !strings.Contains(got.Rejected[0].Reason, "Partner") {
		t.Fatalf("import changing a kind: %+v", got)
	}
	g.unchanged(before, history)

	got = g.importDataset("nodes: [", false)
	if got.Applied || len(got.Rejected) != 1 || got.Rejected[0].Line == nil {
		t.Fatalf("import of broken YAML: %+v", got)
	}
	g.unchanged(before, history)
}
