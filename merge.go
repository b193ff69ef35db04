package regiongraph

import (
	"encoding/json"
	"fmt"
	"slices"
)

// The fields a partial update may name (JSON names). Id, kind and a
// relation's ends are not among them: they never change.
var (
	nodeFieldNames = []string{
		"name", "aliases", "description", "source", "number", "county", "field", "category",
		"code", "planYear", "costNok", "costText", "yearlyAmounts", "goals", "activities", "adopted",
	}
	edgeFieldNames = []string{"fromYear", "toYear", "amountNok", "asWritten", "role", "source"}
)

func checkFieldNames(fields, allowed []string) error {
	seen := map[string]bool{}
	for i, f := range fields {
		at := "fields[" + itoa(i) + "]"
		if !slices.Contains(allowed, f) {
			return FieldErrorf(at, "%q is not a field a partial update may set (one of %v)", f, allowed)
		}
		if seen[f] {
			return FieldErrorf(at, "%q is named twice", f)
		}
		seen[f] = true
	}
	return nil
}

// MergeNode returns cur with the named fields taken from patch (a field that
// is empty in patch is cleared), validated. It is how stores apply a partial
// UPDATE_NODE. A patch of another kind than cur is BAD_USER_INPUT on "kind";
// errors name fields relative to the node.
func MergeNode(cur, patch *Node, fields []string) (*Node, error) {
	if patch.Kind != cur.Kind {
		return nil, FieldErrorf("kind", "node %q is a %s; its kind may not change to %s", cur.ID, cur.Kind, patch.Kind)
	}
	out := &Node{}
	if err := mergeJSON(cur, patch, fields, out); err != nil {
		return nil, err
	}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}

// MergeEdge is MergeNode for relations. A patch giving another kind or other
// ends than cur's is BAD_USER_INPUT on "kind", "from" or "to".
func MergeEdge(cur, patch *Edge, fields []string) (*Edge, error) {
	switch {
	case patch.Kind != "" && patch.Kind != cur.Kind:
		return nil, FieldErrorf("kind", "relation %q is %s; its kind may not change to %s", cur.ID, cur.Kind, patch.Kind)
	case patch.From != "" && patch.From != cur.From:
		return nil, FieldErrorf("from", "relation %q starts at %q; its ends may not change", cur.ID, cur.From)
	case patch.To != "" && patch.To != cur.To:
		return nil, FieldErrorf("to", "relation %q ends at %q; its ends may not change", cur.ID, cur.To)
	}
	out := &Edge{}
	if err := mergeJSON(cur, patch, fields, out); err != nil {
		return nil, err
	}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}

// mergeJSON decodes into out the JSON object of cur with the named fields
// replaced by patch's (removed where patch omits them).
func mergeJSON(cur, patch any, fields []string, out any) error {
	m, p := jsonFields(cur), jsonFields(patch)
	for _, f := range fields {
		if v, ok := p[f]; ok {
			m[f] = v
		} else {
			delete(m, f)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("merge: encode: %w", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("merge: decode: %w", err)
	}
	return nil
}
