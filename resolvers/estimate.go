package resolvers

import (
	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

// ListEstimate returns how many items list field typeName.field with
// arguments args (as the cost estimate gets them) can return at most, from
// the graph's cardinalities: for a relation field, the highest degree of its
// relation kind(s) in its direction (relations and neighbours: no more than
// the most relations any node has); for a list query, the nodes of its
// kind; for search, the nodes of the kinds searched. The field's `first`,
// when given, bounds it further. ok is false for fields it does not know.
func ListEstimate(st rg.GraphStats, typeName, field string, args map[string]any) (n int, ok bool) {
	first, hasFirst := argInt(args, "first")
	bound := func(v int) (int, bool) {
		if hasFirst && first < v {
			v = max(first, 0)
		}
		return v, true
	}
	if typeName == "Query" {
		if k, isList := rootKinds[field]; isList {
			if !hasFirst {
				first, hasFirst = rg.DefaultPageSize, true
			}
			return bound(st.Nodes[k])
		}
		if field == "search" {
			if !hasFirst {
				first, hasFirst = 20, true
			}
			total := 0
			kinds := argStrings(args, "kinds")
			for k, c := range st.Nodes {
				if len(kinds) == 0 || searchesKind(kinds, k) {
					total += c
				}
			}
			return bound(min(total, searchMax))
		}
		return 0, false
	}
	if !nodeTypeNames[typeName] {
		return 0, false
	}
	switch field {
	case "relations", "neighbours", "relationsConnection":
		dir := rg.Both
		if d, ok := args["direction"].(string); ok {
			dir = rg.Direction(d)
		}
		if field == "relationsConnection" && !hasFirst {
			first, hasFirst = 100, true
		}
		// No node has more relations than the most any node has, of
		// whatever kind.
		total := st.MaxDegree(dir)
		if kinds := argStrings(args, "kinds"); len(kinds) > 0 {
			sum := 0
			for _, k := range kinds {
				sum += st.Relations[rg.RelKind(k)].Max(dir)
			}
			total = min(total, sum)
		}
		return bound(total)
	}
	// Interface fields (Node.x, Actor.x) take the most of the types'.
	best, found := 0, false
	for k := range kindNames {
		if typeName != "Node" && typeName != "Actor" && typeName != string(k) {
			continue
		}
		if s, ok := relFields[string(k)+"."+field]; ok {
			found = true
			deg := st.Relations[s.kind].Max(s.dir)
			if s.mode == modeOne {
				deg = min(deg, 1)
			}
			best = max(best, deg)
		}
	}
	if !found {
		return 0, false
	}
	return bound(best)
}

func searchesKind(kinds []string, k rg.Kind) bool {
	for _, x := range kinds {
		if domainKinds[model.NodeKind(x)] == k {
			return true
		}
	}
	return false
}
