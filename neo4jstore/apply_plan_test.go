package neo4jstore

import (
	"context"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// scanOperators are plan operators that read every node of a label, every
// node, or every relationship (of a type): what no statement of Apply may
// run, since it would run once per statement over a graph of any size.
var scanOperators = []string{"AllNodesScan", "NodeByLabelScan", "RelationshipTypeScan", "AllRelationshipsScan", "UnionNodeByLabelsScan", "IntersectionNodeByLabelsScan"}

// TestApplyStatementsSeekIndexesOnNeo4j has the live server plan every
// statement Apply runs (reads and writes, every kind and type variant) and
// fails on any scan operator: each finds its nodes and relationships
// through an id index (:Entity(id), a type's id, the history's indexes).
func TestApplyStatementsSeekIndexesOnNeo4j(t *testing.T) {
	cfg := liveConfig(t)
	s := openLive(t, cfg)
	loadForExplain(t, s)
	ctx := context.Background()
	session := explainSession(ctx, t, s)
	applyStatement := func(name string) bool {
		for _, p := range []string{"apply_", "edges_by_id", "nodes_by_id", "nodes_kinds", "edges_both", "history_lock", "history_append", "history_applied"} {
			if strings.HasPrefix(name, p) {
				return true
			}
		}
		return false
	}
	n := 0
	for _, st := range Statements() {
		if !applyStatement(st.Name) {
			continue
		}
		n++
		res, err := session.Run(ctx, "EXPLAIN "+st.Query, st.Params)
		var summary neo4j.ResultSummary
		if err == nil {
			summary, err = res.Consume(ctx)
		}
		if err != nil {
			t.Errorf("%s: %v", st.Name, err)
			continue
		}
		var walk func(p neo4j.Plan)
		walk = func(p neo4j.Plan) {
			for _, op := range scanOperators {
				if strings.Contains(p.Operator(), op) {
					t.Errorf("%s: the plan scans (%s %v)", st.Name, p.Operator(), p.Arguments()["Details"])
				}
			}
			for _, c := range p.Children() {
				walk(c)
			}
		}
		walk(summary.Plan())
	}
	if n < 40 {
		t.Fatalf("planned %d of Apply's statements; the name prefixes no longer match them", n)
	}
	t.Logf("%d statements of Apply planned, none scans", n)
}
