package regiongraph

import (
	"bytes"
	"encoding/json"
)

// SameNode reports whether a and b hold the same values (nil and empty lists
// alike). Stores use it to count an upsert that changes nothing as unchanged.
func SameNode(a, b *Node) bool { return sameJSON(a, b) }

// SameEdge reports whether a and b hold the same values.
func SameEdge(a, b *Edge) bool { return sameJSON(a, b) }

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
