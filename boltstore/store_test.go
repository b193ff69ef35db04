package boltstore_test

import (
	"path/filepath"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/storetest"
)

func quiet() boltstore.Options {
	return boltstore.Options{Timeout: 200 * time.Millisecond}
}

func openAt(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path, quiet())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) rg.Store {
		return openAt(t, filepath.Join(t.TempDir(), "store.db"))
	})
}
