package gqlhttp_test

import (
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/gqlhttp"
)

// openStore returns an embedded store holding the bundled dataset once.
func openStore(tb testing.TB) rg.Store {
	tb.Helper()
	return gqlhttp.OpenBundledStore(tb)
}
