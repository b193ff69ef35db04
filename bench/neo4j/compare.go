package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/regiongraph/regiongraph/bench/internal/loadgen"
)

// The two APIs give the same facts in different shapes: regiongraph pages
// lists (nodes), @neo4j/graphql 7 gives plain lists, has no 1:1
// relationships (parent is a list of at most one) and names kinds by
// __typename. compareValues compares what they say, not how: each answer
// becomes the multiset of its leaves, a leaf being its path of field names
// (the root field, list indices and the wrappers nodes, edges and node left
// out) with its value; null leaves are left out (null and an empty list say
// the same), numbers compare as numbers, and @neo4j/graphql's kind (a
// __typename such as FocusArea) as regiongraph's enum (FOCUS_AREA). Lists
// may come in another order (unions cannot be sorted in @neo4j/graphql;
// search ranks by Lucene score there).

// wrappers are the field names that only wrap a list.
var wrappers = map[string]bool{"nodes": true, "edges": true, "node": true}

// leaves returns the multiset of data's leaves as "path = value" → count.
func leaves(data []byte, typenameKind bool) (map[string]int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	out := map[string]int{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case nil:
		case map[string]any:
			for k, e := range x {
				p := path
				if !wrappers[k] {
					p = strings.TrimPrefix(path+"."+k, ".")
				}
				walk(p, e)
			}
		case []any:
			for _, e := range x {
				walk(path, e)
			}
		case json.Number:
			f, err := x.Float64()
			s := x.String()
			if err == nil {
				s = strconv.FormatFloat(f, 'f', -1, 64)
			}
			out[path+" = "+s]++
		case string:
			if typenameKind && (path == "kind" || strings.HasSuffix(path, ".kind")) {
				x = upperSnake(x)
			}
			out[path+" = "+strconv.Quote(x)]++
		default:
			out[fmt.Sprintf("%s = %v", path, x)]++
		}
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("data is not an object: %.100s", data)
	}
	// The root fields' names differ between the APIs (search, or totalCount
	// and nodes beside each other): a root object or list counts from its
	// own fields, a root scalar is named by its (aliased) field.
	for k, e := range root {
		switch e.(type) {
		case map[string]any, []any:
			walk("", e)
		default:
			walk(k, e)
		}
	}
	return out, nil
}

// upperSnake turns a GraphQL type name into regiongraph's enum value:
// FocusArea → FOCUS_AREA.
func upperSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// compareValues posts qa to a (regiongraph) and qb to b (@neo4j/graphql)
// and says whether their answers hold the same leaves, with the count of
// leaves by path; ok is false when they differ or a request failed.
func compareValues(client *http.Client, a, qa, b, qb string) (string, bool) {
	da, err := loadgen.PostData(client, a, qa)
	if err != nil {
		return "regiongraph: " + err.Error(), false
	}
	db, err := loadgen.PostData(client, b, qb)
	if err != nil {
		return "neo4jgraphql: " + err.Error(), false
	}
	la, err := leaves(da, false)
	if err != nil {
		return "regiongraph: " + err.Error(), false
	}
	lb, err := leaves(db, true)
	if err != nil {
		return "neo4jgraphql: " + err.Error(), false
	}
	byPath := func(l map[string]int) map[string]int {
		out := map[string]int{}
		for k, n := range l {
			p, _, _ := strings.Cut(k, " = ")
			out[p] += n
		}
		return out
	}
	pa, pb := byPath(la), byPath(lb)
	var counts []string
	for _, p := range slices.Sorted(maps.Keys(pa)) {
		counts = append(counts, fmt.Sprintf("%s %d/%d", p, pa[p], pb[p]))
	}
	for _, p := range slices.Sorted(maps.Keys(pb)) {
		if _, ok := pa[p]; !ok {
			counts = append(counts, fmt.Sprintf("%s 0/%d", p, pb[p]))
		}
	}
	if maps.Equal(la, lb) {
		n := 0
		for _, c := range la {
			n += c
		}
		return fmt.Sprintf("same values (%d leaves; by path, regiongraph/neo4jgraphql: %s)", n, strings.Join(counts, ", ")), true
	}
	var diff []string
	for _, k := range slices.Sorted(maps.Keys(la)) {
		if la[k] != lb[k] {
			diff = append(diff, fmt.Sprintf("%s ×%d/×%d", k, la[k], lb[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(lb)) {
		if _, ok := la[k]; !ok {
			diff = append(diff, fmt.Sprintf("%s ×0/×%d", k, lb[k]))
		}
	}
	if len(diff) > 10 {
		diff = append(diff[:10], fmt.Sprintf("… %d more", len(diff)-10))
	}
	return fmt.Sprintf("DIFFERENT values (by path: %s): %s", strings.Join(counts, ", "), strings.Join(diff, "; ")), false
}
