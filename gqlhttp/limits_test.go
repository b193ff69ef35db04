package gqlhttp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestCheckShape(t *testing.T) {
	for _, c := range []struct {
		q             string
		fields, depth int
		cycle         bool
	}{
		{`{ a }`, 1, 1, false},
		{`{ a b: a c { d e { f } } }`, 6, 3, false},
		{`{ ...F ...F } fragment F on Query { a b }`, 4, 1, false},
		{`{ x { ...F } } fragment F on T { a { b } }`, 3, 3, false},
		{`query A { a } query B { b { c } }`, 3, 2, false},
		{`{ a } fragment Unused on Query { b { c } }`, 3, 2, false},
		{`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, 0, 0, true},
		{`{ a { ...M } } fragment M on T { b { ...M } }`, 0, 0, true},
		{`{ ...Missing }`, 0, 0, false},
		{`{ ... on Query { a ... { b } } }`, 2, 1, false},
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: c.q})
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		s, gerr := checkShape(doc, 1000)
		if c.cycle {
			if gerr == nil || !strings.Contains(gerr.Message, "fragment cycle") {
				t.Errorf("%s: want a fragment cycle, got %v", c.q, gerr)
			}
			continue
		}
		if gerr != nil || s.Fields != c.fields || s.Depth != c.depth {
			t.Errorf("%s: fields %d depth %d (%v), want %d and %d", c.q, s.Fields, s.Depth, gerr, c.fields, c.depth)
		}
	}
}

// TestFragmentBombIsMeasuredNotExpanded: 2^60 fields by expansion, counted
// with one visit per fragment and saturating just over the limit.
func TestFragmentBombIsMeasuredNotExpanded(t *testing.T) {
	var b strings.Builder
	b.WriteString("{ ...F60 } fragment F0 on Query { a b }\n")
	for i := 1; i <= 60; i++ {
		b.WriteString(fmt.Sprintf("fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1))
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	w := &shapeWalker{doc: doc, max: 300, memo: map[string]shape{}, state: map[string]int{}}
	s, gerr := w.fragment("F60")
	if gerr != nil || s.Fields != 301 {
		t.Fatalf("fields %d (%v), want 301 (saturated)", s.Fields, gerr)
	}
	if len(w.memo) != 61 {
		t.Errorf("%d fragments measured, want each of the 61 once", len(w.memo))
	}
}

func TestCountTokens(t *testing.T) {
	if n := countTokens(`{ a(b: "c d") { ...F } }`, 100); n != 12 {
		t.Errorf("%d tokens, want 12", n)
	}
	if n := countTokens(strings.Repeat("a ", 1e6), 10); n != 11 {
		t.Errorf("counting stops one past the limit: %d", n)
	}
}

// FuzzQueryChecks runs the checks made before validation on arbitrary
// query text: no panic, no endless walk, counts within their bounds.
func FuzzQueryChecks(f *testing.F) {
	for _, s := range []string{
		`{ a }`,
		`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`,
		`{ ...F2 } fragment F0 on Query { a a } fragment F1 on Query { ...F0 ...F0 } fragment F2 on Query { ...F1 ...F1 }`,
		`query($a: [Int] = [1, 2]) @d(x: {y: $a}) { a: b(c: """block""") { ... on T { d } } }`,
		`subscription { s } mutation { m }`,
		`{ a(x: [[[[[[[[[[1]]]]]]]]]]) }`,
		"{ \"\\u00e5\" }",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if n := countTokens(q, 500); n > 501 {
			t.Fatalf("%d tokens counted with a limit of 500", n)
		}
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			return
		}
		s, _ := checkShape(doc, 300)
		if s.Fields < 0 || s.Fields > 301 || s.Depth < 0 {
			t.Fatalf("shape %+v", s)
		}
	})
}
