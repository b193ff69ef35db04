package boltstore

import (
	"context"
	"path/filepath"
	"testing"

	rg "github.com/regiongraph/regiongraph"
)

func TestOpenApplyReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Empty() {
		t.Fatal("new store not empty")
	}
	src := rg.Source{Plan: "plan-x"}
	_, err = s.Apply(context.Background(), []rg.Change{
		{Op: rg.OpCreateNode, Node: &rg.Node{ID: "a", Kind: rg.KindPartner, Name: "A", Source: src}},
		{Op: rg.OpCreateNode, Node: &rg.Node{ID: "b", Kind: rg.KindPartner, Name: "B", Source: src}},
		{Op: rg.OpCreateEdge, Edge: &rg.Edge{ID: "ab", Kind: rg.RelPartnerOf, From: "a", To: "b", Source: src}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	es, err := s.Edges(context.Background(), rg.EdgeFilter{NodeIDs: []string{"a"}})
	if err != nil || len(es) != 1 || es[0].ID != "ab" {
		t.Fatalf("edges after reopen: %v %v", es, err)
	}
}
