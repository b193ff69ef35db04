package main

import "testing"

// TestGCPercent: -gogc (flag or REGIONGRAPH_GOGC) wins; without it, $GOGC
// is left to the runtime; with neither, serving uses defaultGCPercent.
func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		flag int
		env  string
		want int
	}{
		{0, "", defaultGCPercent},
		{150, "", 150},
		{150, "50", 150},
		{0, "50", 0},
		{0, "off", 0},
	} {
		if got := gcPercent(c.flag, c.env); got != c.want {
			t.Errorf("gcPercent(%d, %q) = %d, want %d", c.flag, c.env, got, c.want)
		}
	}
}
