//go:build pprofdebug

package main

// Built with -tags pprofdebug only (profiling the server under load, see
// bench/README or issue 13): serves net/http/pprof on
// REGIONGRAPH_PPROF_ADDR (a loopback address) when it is set.

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
)

func init() {
	addr := os.Getenv("REGIONGRAPH_PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			slog.Error("pprof", "err", err)
		}
	}()
}
