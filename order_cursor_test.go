package regiongraph

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCursorForAsMarshalled: CursorFor gives the base64 of json.Marshal's
// Cursor, byte for byte, over random orders and nodes whose names, codes
// and ids hold what json.Marshal escapes (quotes, backslashes, <, >, &,
// control characters, invalid UTF-8, U+2028 and U+2029), letters beyond
// ASCII and costs from the least to the greatest int64; and the plain
// cases, most of them, are written without json.Marshal.
func TestCursorForAsMarshalled(t *testing.T) {
	parts := []string{"kongsberg", "Tromsø", "Ål", "æøå", "E 134", "\"", "\\", "<", ">", "&", "\n", "\x00", "\x7f",
		"\xff", "\xc3", "\u2028", "\u2029", "😀", "a/b", "'", "%", "+", "=", "\u00a0"}
	rnd := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		var b strings.Builder
		for range rnd.IntN(4) {
			b.WriteString(parts[rnd.IntN(len(parts))])
		}
		return b.String()
	}
	costs := []int64{0, 1, -1, 250000, math.MaxInt64, math.MinInt64}
	fields := []OrderField{"", OrderByName, OrderByID, OrderByPlanYear, OrderByCostNok, OrderByCode}
	plain := 0
	for i := range 20000 {
		n := &Node{ID: text(), Name: text(), Code: text()}
		if rnd.IntN(3) > 0 {
			y := 2000 + rnd.IntN(30)
			n.PlanYear = &y
		}
		if rnd.IntN(3) > 0 {
			c := costs[rnd.IntN(len(costs))]
			n.CostNok = &c
		}
		o := Order{Field: fields[rnd.IntN(len(fields))], Desc: rnd.IntN(2) == 0}
		c := Cursor{Field: normField(o.Field), Desc: o.Desc, Value: SortValue(n, o.Field), ID: n.ID}
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := CursorFor(o, n); got != base64.RawURLEncoding.EncodeToString(want) {
			g, _ := base64.RawURLEncoding.DecodeString(got)
			t.Fatalf("case %d: CursorFor wrote %s, json.Marshal %s", i, g, want)
		}
		if b, ok := appendCursorJSON(nil, c); ok {
			plain++
			if string(b) != string(want) {
				t.Fatalf("case %d: appendCursorJSON wrote %s, json.Marshal %s", i, b, want)
			}
		}
	}
	if plain < 2000 {
		t.Errorf("only %d of 20000 cursors written without json.Marshal", plain)
	}
	n := &Node{ID: "tiltak-2011-1-4", Name: "LUP 2011 — Tromsø"}
	if _, ok := appendCursorJSON(nil, Cursor{Field: OrderByName, Value: SortValue(n, OrderByName), ID: n.ID}); !ok {
		t.Error("a plain cursor went through json.Marshal")
	}
}
