package export

import (
	"context"
	"crypto/sha256"
	"maps"
	"sync"

	rg "github.com/regiongraph/regiongraph"
)

// layoutCache remembers recent layouts by the selection's content (node ids
// and relation ends), so moving the map's year slider back and forth or
// downloading what the map shows does not lay the same graph out again.
// Layout is deterministic, so a hit gives what a new layout would.
var layoutCache = struct {
	sync.Mutex
	order []key
	byKey map[key]map[string]Point
}{byKey: map[key]map[string]Point{}}

type key [sha256.Size]byte

const (
	cacheEntries  = 32
	cacheMaxNodes = 3000 // larger selections are laid out every time
)

func contentKey(sg *rg.Subgraph) key {
	h := sha256.New()
	for _, n := range sg.Nodes {
		h.Write([]byte(n.ID))
		h.Write([]byte{0})
	}
	h.Write([]byte{1})
	for _, e := range sg.Edges {
		h.Write([]byte(e.From))
		h.Write([]byte{0})
		h.Write([]byte(e.To))
		h.Write([]byte{0})
	}
	var k key
	h.Sum(k[:0])
	return k
}

// cachedLayout is LayoutContext(ctx, sg) through layoutCache. The map
// returned is the caller's own.
func cachedLayout(ctx context.Context, sg *rg.Subgraph) (map[string]Point, error) {
	if len(sg.Nodes) > cacheMaxNodes {
		return LayoutContext(ctx, sg)
	}
	k := contentKey(sg)
	c := &layoutCache
	c.Lock()
	pos, ok := c.byKey[k]
	c.Unlock()
	if ok {
		return maps.Clone(pos), nil
	}
	pos, err := LayoutContext(ctx, sg)
	if err != nil {
		return nil, err
	}
	c.Lock()
	if _, ok := c.byKey[k]; !ok {
		c.byKey[k] = maps.Clone(pos)
		c.order = append(c.order, k)
		if len(c.order) > cacheEntries {
			delete(c.byKey, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.Unlock()
	return pos, nil
}
