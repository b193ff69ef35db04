package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportCSVExcel: -csv excel writes nodes.csv and edges.csv for
// Norwegian Excel (UTF-8 BOM, ';'); an unknown dialect is a usage error.
func TestExportCSVExcel(t *testing.T) {
	dataFile := filepath.Join(t.TempDir(), "export.db")
	dir := t.TempDir()
	if _, stderr, err := runExport(t, dataFile, "-format", "csv", "-csv", "excel", "-o", dir); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	for _, name := range []string{"nodes.csv", "edges.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\uFEFFId;")) {
			t.Errorf("%s starts %q, want a BOM and Id;", name, b[:min(20, len(b))])
		}
	}
	if !bytes.Contains(mustRead(t, filepath.Join(dir, "nodes.csv")), []byte("Nore og Uvdal")) {
		t.Error("nodes.csv lacks Nore og Uvdal")
	}
	_, stderr, err := runExport(t, dataFile, "-format", "csv", "-csv", "tsv", "-o", dir)
	if err == nil || !strings.Contains(stderr, "-csv must be") {
		t.Errorf("-csv tsv: %v, %q", err, stderr)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
