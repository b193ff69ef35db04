package dataset_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// sameAsParseBytes fails unless ParseLarge gives what ParseBytes gives:
// the same dataset, or the same error.
func sameAsParseBytes(t *testing.T, b []byte, name string) {
	t.Helper()
	want, wantErr := dataset.ParseBytes(b, name)
	got, gotErr := dataset.ParseLarge(b, name)
	if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
		t.Fatalf("%s: ParseLarge error\n  %v\nParseBytes error\n  %v", name, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: ParseLarge and ParseBytes give different datasets", name)
	}
}

// ParseLarge gives the dataset and the errors (with their lines) that
// ParseBytes gives: on the bundled dataset (plans, nodes with relations
// under them, top-level relations), on it as Encode writes it, with its
// sections in another order, and with errors put in at its start, middle
// and end (validation errors, cross-item errors, a duplicate top-level key,
// YAML syntax, an alias across items).
func TestParseLargeSameAsParseBytes(t *testing.T) {
	bundled := string(data.Kongsbergregionen)
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, "k.yaml")
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := dataset.Encode(ds)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dataset.ParseLarge(data.Kongsbergregionen, "k.yaml")
	if err != nil || len(got.Nodes) != len(ds.Nodes) || len(got.Edges) != len(ds.Edges) || len(got.Edges) < 500 {
		t.Fatalf("ParseLarge of the bundled dataset: %v", err)
	}
	i := strings.Index(bundled, "\nnodes:")
	j := strings.Index(bundled, "\nrelations:")
	reordered := bundled[:strings.Index(bundled, "\nplans:")+1] + bundled[j+1:] + bundled[i+1:j+1] + bundled[strings.Index(bundled, "\nplans:")+1:i+1]
	cases := map[string]string{
		"bundled":    bundled,
		"encoded":    string(encoded),
		"reordered":  reordered,
		"kind early": strings.Replace(bundled, "kind: Municipality", "kind: Municipalty", 1),
		"kind late":  replaceLast(bundled, "kind: FUNDS", "kind: FUND"),
		"dangling":   replaceLast(bundled, "to: tiltak-", "to: tiltak-x"),
		"duplicate":  bundled + "  - {id: kongsbergregionen, kind: Region, name: K, source: {outside: true, reference: r}}\n",
		"dup key":    bundled + "plans:\n",
		"syntax":     replaceLast(bundled, "name: ", "name: [x"),
		// in relations written as flow mappings, which the fast reader reads
		"flow year":    strings.Replace(bundled, "fromYear: 2011, toYear: 2011", "fromYear: \"2011\", toYear: 20x1", 1),
		"flow dup":     strings.Replace(bundled, "{kind: FUNDS, from: ", "{kind: FUNDS, kind: FUNDS, from: ", 1),
		"flow unknown": strings.Replace(bundled, "{kind: FUNDS, from: ", "{kind: FUNDS, frm: ", 1),
		"flow null":    strings.Replace(bundled, "{kind: FUNDS, from: ", "{kind: null, from: ", 1),
		"flow both":    strings.Replace(bundled, "{kind: FUNDS, from: ", "{kind: FUNDS, to: x, from: ", 1),
		"flow syntax":  strings.Replace(bundled, "{kind: FUNDS, from: ", "{kind: FUNDS from: ", 1),
		"anchor":       strings.Replace(strings.Replace(bundled, "source: {outside: true", "source: &s {outside: true", 1), "source: {plan: plan-2014", "source: *s\n    x: {plan: plan-2014", 1),
		"empty":        "# nothing\n",
		"only plans":   "plans:\n",
		"tab":          "nodes:\n\t- id: a\n",
		"flow":         "nodes: []\nrelations: []\n",
		"indent 0":     "plans:\n- id: plan-2011\n  name: P\n  planYear: 2011\n  source: {plan: plan-2011, section: S, quote: Q}\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) { sameAsParseBytes(t, []byte(src), name+".yaml") })
	}
}

func replaceLast(s, old, new string) string {
	i := strings.LastIndex(s, old)
	return s[:i] + new + s[i+len(old):]
}

// FuzzParseLarge: ParseLarge gives what ParseBytes gives, whatever the
// input.
//
//	go test ./dataset/ -run '^$' -fuzz FuzzParseLarge -fuzztime 1m -fuzzminimizetime 2s
func FuzzParseLarge(f *testing.F) {
	f.Add([]byte(valid))
	for _, s := range []string{
		strings.Replace(valid, "kind: Topic", "kind: Topik", 1),
		strings.Replace(valid, "name: E134", "name: [E134", 1),
		valid + "  - {kind: FUNDS, from: sak-e134, to: tiltak-a, source: *x}\n",
		"plans: &p\n  - *p\n",
		"nodes:\n  - &n {id: a, kind: Topic, name: a, source: {outside: true, reference: r}, relations: [*n]}\n",
		"nodes:\n  - {id: a, kind: Topic, name: \"a\nb\", source: {outside: true, reference: r}}\n  - {id: b, kind: Topic, name: \"a\n  - b\", source: {outside: true, reference: r}}\n",
		"nodes:\n  - id: a\n    description: |\n      - x\n    kind: Topic\n",
		"",
		"---\nplans:\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameAsParseBytes(t, b, "fuzz.yaml") })
}

// A key given twice, known or not, is the same error whichever parser
// reads it.
func TestParseLargeKeysTwice(t *testing.T) {
	for name, src := range map[string]string{
		"known twice":   "nodes:\n  - {id: a, id: a, kind: Topic, name: a, source: {outside: true, reference: r}}\n",
		"unknown twice": "nodes:\n  - {id: a, x: 1, x: 2, kind: Topic, name: a, source: {outside: true, reference: r}}\n",
		"block twice":   "nodes:\n  - id: a\n    x: 1\n    kind: Topic\n    x: 2\n    name: a\n    source: {outside: true, reference: r}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := dataset.ParseBytes([]byte(src), "k.yaml")
			if err == nil || !strings.Contains(err.Error(), "is given twice") {
				t.Fatalf("ParseBytes: %v", err)
			}
			sameAsParseBytes(t, []byte(src), "k.yaml")
		})
	}
}
