package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var importFile = flag.String("import.file", "", "a dataset file for BenchmarkImportFile (such as the national one of bench/national/README.md)")

// BenchmarkImportFile runs "regiongraph import" of -import.file into a new
// embedded store per iteration (go test -bench ImportFile -import.file
// /tmp/national.yaml -cpuprofile ...), for profiling the import whole, with
// the collector's settings of the binary (importGC).
func BenchmarkImportFile(b *testing.B) {
	if *importFile == "" {
		b.Skip("give -import.file")
	}
	if _, err := os.Stat(*importFile); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db := filepath.Join(b.TempDir(), "import.db")
		var out, errOut bytes.Buffer
		a := &app{stdout: &out, stderr: &errOut, getenv: os.Getenv, limiter: runtimeLimiter{}} // as main
		b.StartTimer()
		if err := a.run(context.Background(), []string{"import", "-data", db, *importFile}); err != nil {
			b.Fatalf("import: %v\n%s", err, errOut.String())
		}
		b.Logf("%s", errOut.String())
	}
}
