package metrics

import "sync"

// children keeps a vector's children by their label values, so that a
// request finds its counters with one map lookup instead of hashing and
// checking its label values in the vector on every call (issue 13). Every
// label here has few values (routes, outcomes, status codes, store methods,
// the operation names gqlhttp bounds), so the map stays small.
type children[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
	mk func(K) V
}

func newChildren[K comparable, V any](mk func(K) V) *children[K, V] {
	return &children[K, V]{m: map[K]V{}, mk: mk}
}

func (c *children[K, V]) get(k K) V {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[k]; ok {
		return v
	}
	v = c.mk(k)
	c.m[k] = v
	return v
}

// pair is two label values.
type pair struct{ a, b string }

// routeCode is a route and a status code.
type routeCode struct {
	route string
	code  int
}
