package dataset

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/data"
	"gopkg.in/yaml.v3"
)

// sameTree fails unless the fast reader, when it reads text (an item
// starting at line first), gives the tree yaml.v3 gives. It reports
// whether the fast reader read it.
func sameTree(t *testing.T, r *fastReader, text []byte, first int) bool {
	t.Helper()
	got, ok := r.item(text, first)
	if !ok {
		return false
	}
	want, err := decodeItemYAML(item{line: first, text: text})
	if err != nil {
		t.Fatalf("the fast reader read an item yaml.v3 refuses (%s):\n%s", err.msg, text)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the fast reader's tree differs from yaml.v3's for\n%s\nfast:\n%s\nyaml.v3:\n%s", text, dumpTree(got), dumpTree(want))
	}
	return true
}

func dumpTree(n *yaml.Node) string {
	var sb strings.Builder
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		fmt.Fprintf(&sb, "%s%+v\n", strings.Repeat("  ", depth), yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Anchor: n.Anchor, Line: n.Line, Column: n.Column, HeadComment: n.HeadComment, LineComment: n.LineComment, FootComment: n.FootComment})
		if n.Content == nil && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
			fmt.Fprintf(&sb, "%s(nil content)\n", strings.Repeat("  ", depth+1))
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return sb.String()
}

// fastItems are items in the subset, each with what it shows.
var fastItems = []string{
	"  - id: a\n    kind: Topic\n",
	"  - {kind: FUNDS, from: sak-e134, to: tiltak-a, fromYear: 2019, amountNok: 250000}\n",
	"- {kind: FUNDS, from: a, to: b, source: {plan: p, section: \"Sec 1\", quote: \"«æøå» 2011\"}}\n",
	"  - id: tiltak-a\n    kind: Initiative\n    name: LUP 2011\n    costNok: 250000\n    source: {plan: plan-2011, section: S1, quote: LUP 2011}\n    relations:\n      - {kind: IN_PLAN, to: plan-2011}\n      - {kind: CONCERNS, to: sak-e134, fromYear: 2011, toYear: 2014}\n",
	"  - id: x\n    aliases: [a b, \"c\", Bjørheim]\n    yearlyAmounts: [{year: 2011, amountNok: 5}, {year: 2012, amountNok: 0}]\n    goals:\n      - \"one\"\n      - two words\n    kind: Topic\n",
	"  - id: x\n\n    kind: Topic   \n    empty: {}\n    none: []\n",
	"  - id: 2011\n    a: true\n    b: False\n    c: null\n    d: 0x1F\n    e: 1.5\n    f: 2009-06-17\n    g: 012\n    h: 1e3\n    i: 99999999999999999999\n    j: 1_000\n    k: Yes\n",
	"  - id: 'single ''quoted'' \\ x'\n    source:\n      plan: p\n      quote: Innvær, «SuksIT» (x):y, http://a.b/c?d=e#f [g] {h}\n    n: x\n",
	"  - 'x'\n",
	"  - id: a, b\n",
	"- id: a\n  relations:\n  \n    - {kind: X, to: b}\n\n    - \"y\"\n  next: 1\n",
	"  - \"just a string\"\n",
	"  - name: \"Å, ø: [x] {y} #z 'q'\"\n    x: {a: \"ø\", b: ø c}\n",
}

// notFast are items outside the subset: the fast reader leaves them to
// yaml.v3.
var notFast = []string{
	"  - id: a # comment\n",
	"  - id: &x a\n",
	"  - id: *x\n",
	"  - id: a: b\n",
	"  - id: a #c\n",
	"  - id: a\n    source:\n      plan: p\n     x: y\n",
	"  - id: 'a\n    b'\n",
	"  - id: \"esc\\n\"\n",
	"  - id: a\n    description: |\n      text\n",
	"  - id: a\n    name: two\n      lines\n",
	"  - id:\n",
	"  - {a: b,}\n",
	"  - {a: b c: d}\n",
	"  - id: a\r\n",
	"  - id: a\n    relations:\n    - {kind: X}\n",
	"  -\n    id: a\n",
	"  - id: -a\n",
	"  - id: !!str a\n",
	"  - id: \"a\"b\n",
	"  - {a: b}\n  - {c: d}\n",
}

func TestFastItemSameAsYAML(t *testing.T) {
	r := newFastReader()
	for _, s := range fastItems {
		if !sameTree(t, r, []byte(s), 7) {
			t.Errorf("the fast reader left to yaml.v3 an item in its subset:\n%s", s)
		}
	}
	for _, s := range notFast {
		if _, ok := r.item([]byte(s), 1); ok {
			t.Errorf("the fast reader read an item outside its subset:\n%s", s)
		}
	}
	// The bundled dataset as written and as Encode writes it: every item
	// the fast reader reads gives yaml.v3's tree, and it reads most.
	ds, err := ParseBytes(data.Kongsbergregionen, "k.yaml")
	if err != nil {
		t.Fatal(err)
	}
	enc, err := Encode(ds)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"bundled": data.Kongsbergregionen, "encoded": enc} {
		secs, _, ok := cutTop(b)
		if !ok {
			t.Fatalf("%s: not cut", name)
		}
		fast, all := 0, 0
		for _, s := range secs {
			for _, it := range s.items {
				all++
				if sameTree(t, r, it.text, it.line) {
					fast++
				}
			}
		}
		t.Logf("%s: %d of %d items read by the fast reader", name, fast, all)
		if name == "encoded" && fast < all*9/10 {
			t.Errorf("%s: the fast reader read %d of %d items, want nine in ten", name, fast, all)
		}
	}
}

// FuzzFastItem: whatever the fast reader reads, yaml.v3 reads the same.
//
//	go test ./dataset/ -run '^$' -fuzz FuzzFastItem -fuzztime 1m
func FuzzFastItem(f *testing.F) {
	for _, s := range append(append([]string{}, fastItems...), notFast...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Only what cutTop can hand it: one item from its "- ".
		secs, _, ok := cutTop(append([]byte("nodes:\n"), b...))
		if !ok || len(secs) != 1 || len(secs[0].items) != 1 {
			return
		}
		it := secs[0].items[0]
		sameTree(t, newFastReader(), it.text, it.line)
	})
}
