package neo4jstore

import (
	"regexp"
	"slices"
	"testing"

	"github.com/regiongraph/regiongraph"
)

// The schema the offline Cypher check (lint_test.go, -tags cypherlint)
// declares to the analyser, and a fast check, in every go test run, that it
// declares every label and relationship type the statements use.

// mapParamKeys are the keys of map parameters that statements read
// (e.from in "UNWIND $edges AS e MATCH (a:Entity {id: e.from})"): the analyser
// cannot tell a map key from a property key, so they are declared with the
// property keys.
var mapParamKeys = []string{"from", "to", "props", "kind", "direction", "nodeIds", "offset", "op", "target", "id", "before", "after", "tokens"}

// The labels and property keys of the change history (history.go).
var (
	historyLabels       = []string{"Change", "Counter"}
	historyPropertyKeys = []string{"seq", "at", "actor", "reason", "applyId", "op", "target", "targetId", "fromId", "toId", "before", "after", "name", "value", "writer"}
)

// lintSchema is the database schema statements are checked against: exactly
// the labels, relationship types and property keys the store writes, and
// the keys of map parameters.
func lintSchema() map[string]any {
	labels := append([]string{entityLabel, schemaVersionLabel, "ReadGate"}, historyLabels...)
	for _, k := range regiongraph.Kinds {
		labels = append(labels, string(k))
	}
	var rels []string
	for _, k := range regiongraph.RelKinds {
		rels = append(rels, string(k))
	}
	return map[string]any{"labels": labels, "relationshipTypes": rels, "propertyKeys": slices.Concat(propertyKeys, historyPropertyKeys, mapParamKeys)}
}

var (
	labelUse   = regexp.MustCompile(`\(\w*((?::\w+)+)`)
	relTypeUse = regexp.MustCompile(`\[\w*:(\w+(?:\|\w+)*)`)
)

func TestLintSchemaDeclaresEveryLabelAndType(t *testing.T) {
	schema := lintSchema()
	labels, rels := schema["labels"].([]string), schema["relationshipTypes"].([]string)
	seen := 0
	for _, st := range Statements() {
		for _, m := range labelUse.FindAllStringSubmatch(st.Query, -1) {
			for _, l := range regexp.MustCompile(`:(\w+)`).FindAllStringSubmatch(m[1], -1) {
				seen++
				if !slices.Contains(labels, l[1]) {
					t.Errorf("%s uses label %s, which the analyser is not told of", st.Name, l[1])
				}
			}
		}
		for _, m := range relTypeUse.FindAllStringSubmatch(st.Query, -1) {
			for _, r := range regexp.MustCompile(`\w+`).FindAllString(m[1], -1) {
				seen++
				if !slices.Contains(rels, r) {
					t.Errorf("%s uses relationship type %s, which the analyser is not told of", st.Name, r)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no label found in any statement: the pattern is wrong")
	}
	t.Logf("%d uses of labels and relationship types in %d statements, all declared", seen, len(Statements()))
}
