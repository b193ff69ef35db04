package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/auth"
)

// runSheet runs the program with args and the environment env.
func runSheet(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	a := &app{stdout: &out, stderr: io.Discard, getenv: func(k string) string { return env[k] }}
	err := a.run(context.Background(), args)
	return out.String(), err
}

func TestSpreadsheetRoundTripThroughTheCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "regiongraph.db")
	book := filepath.Join(dir, "graf.xlsx")
	if _, err := runSheet(t, nil, "export", "-data", data, "-log-level", "warn", "--format", "xlsx", "-o", book); err != nil {
		t.Fatal(err)
	}
	out, err := runSheet(t, nil, "import", "-data", data, "-log-level", "warn", book)
	if err != nil || !strings.Contains(out, "nothing changed: the store already holds what the files say (0 changes)") {
		t.Fatalf("import of the export: %v\n%s", err, out)
	}
	// The sheets as CSV files the way Norwegian Excel writes them.
	csvDir := filepath.Join(dir, "csv")
	if err := os.Mkdir(csvDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := runSheet(t, nil, "export", "-data", data, "-log-level", "warn", "--format", "csv-sheets", "--excel-csv", "-o", csvDir); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(csvDir, "*.csv"))
	if len(files) != 11 {
		t.Fatalf("%d CSV files: %v", len(files), files)
	}
	out, err = runSheet(t, nil, append([]string{"import", "-data", data, "-log-level", "warn", "--dry-run"}, files...)...)
	if err != nil || !strings.Contains(out, "0 changes") {
		t.Fatalf("import of the CSV sheets: %v\n%s", err, out)
	}

	// An edit: a dry run shows it and writes nothing; the import writes it.
	edit := filepath.Join(dir, "Nettverk.csv")
	if err := os.WriteFile(edit, []byte("\ufeffnavn;fagfelt;kilde\nKlimanettverket;klima;https://example.org/sak-12-25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		args := []string{"import", "-data", data, "-log-level", "warn", edit}
		if i == 0 {
			args = append(args, "--dry-run")
		}
		out, err = runSheet(t, nil, args...)
		if err != nil || !strings.Contains(out, "nettverk-klimanettverket") || !strings.Contains(out, "1 created") {
			t.Fatalf("import %d: %v\n%s", i, err, out)
		}
		want := "dry run: 1 changes would be imported"
		if i == 1 {
			want = "imported: 1 changes applied in one batch"
		}
		if !strings.Contains(out, want) {
			t.Fatalf("import %d says:\n%s\nwant %q", i, out, want)
		}
	}
	// A bad row: an error naming the sheet, row and column; nothing written.
	bad := filepath.Join(dir, "Relasjoner.csv")
	if err := os.WriteFile(bad, []byte("relasjon,fra,til,kilde\nMEMBER_OF,Kongsberg,Ingen slik,https://example.org/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runSheet(t, nil, "import", "-data", data, "-log-level", "warn", bad)
	if err == nil || !strings.Contains(err.Error(), `Relasjoner.csv, sheet "Relasjoner", row 2, column "til" (C2)`) || !strings.Contains(out, "refused (1)") {
		t.Fatalf("bad row: %v\n%s", err, out)
	}
}

func TestSpreadsheetImportThroughAServer(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "regiongraph.db")
	token, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, data, map[string]string{"REGIONGRAPH_TOKENS": "ella:editor:" + auth.Hash(token)})
	file := filepath.Join(dir, "Partnere.csv")
	if err := os.WriteFile(file, []byte("navn,kategori,kilde\nFjellpartner,klynge,https://example.org/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := runSheet(t, nil, "import", "--server", srv.url, file); err == nil || !strings.Contains(err.Error(), "REGIONGRAPH_TOKEN") {
		t.Fatalf("without a token: %v", err)
	}
	env := map[string]string{"REGIONGRAPH_TOKEN": token}
	out, err := runSheet(t, env, "import", "--server", srv.url, "--dry-run", file)
	if err != nil || !strings.Contains(out, "dry run: 1 changes would be imported") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	out, err = runSheet(t, env, "import", "--server", srv.url, "--reason", "Vedtak 12/25", file)
	if err != nil || !strings.Contains(out, "imported: 1 changes applied") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	var h struct {
		History struct {
			Nodes []struct{ Actor, Reason, TargetID string } `json:"nodes"`
		} `json:"history"`
	}
	srv.query(t, `{ history(first: 1) { nodes { actor reason targetId } } }`, nil, &h)
	if n := h.History.Nodes; len(n) != 1 || n[0].Actor != "ella" || n[0].Reason != "Vedtak 12/25; import Partnere.csv, row 2" || n[0].TargetID != "partner-fjellpartner" {
		t.Fatalf("history %+v", n)
	}
}
