package dataset_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// FuzzParse checks that Parse never panics, that every error is a
// BAD_USER_INPUT whose every line starts "file:line:", that nothing is
// returned with an error, and that what parses survives Encode.
//
// The bundled dataset is a large seed; minimizing inputs derived from it is
// slow, so run the fuzzer with a short minimization budget:
//
//	go test ./dataset/ -run '^$' -fuzz FuzzParse -fuzztime 1m -fuzzminimizetime 2s
func FuzzParse(f *testing.F) {
	f.Add(data.Kongsbergregionen)
	f.Add([]byte(valid))
	for _, s := range []string{
		strings.Replace(valid, "kind: Topic", "kind: Topik", 1),
		strings.Replace(valid, "name: E134", "name: [E134", 1),
		strings.Replace(valid, "costNok: 250000", "costNok: -5", 1),
		valid + "  - {kind: FUNDS, from: sak-e134, to: tiltak-a, source: *x}\n",
		"a: &a [*a, *a]\n",
		"plans: &p\n  - *p\n",
		"nodes:\n  - &n {id: a, kind: Topic, name: a, source: {outside: true, reference: r}, relations: [*n]}\n",
		"",
		"\xff",
		"---\n---\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := dataset.ParseBytes(b, "fuzz.yaml")
		if err != nil {
			if ds != nil {
				t.Fatal("a dataset was returned with an error")
			}
			if code := regiongraph.ErrorCode(err); code != regiongraph.EBADINPUT {
				t.Fatalf("code %q: %v", code, err)
			}
			checkErrorLines(t, regiongraph.ErrorMessage(err), "fuzz.yaml")
			return
		}
		if ds == nil {
			t.Fatal("no dataset and no error")
		}
		out, err := dataset.Encode(ds)
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		again, err := dataset.ParseBytes(out, "encoded.yaml")
		if err != nil {
			t.Fatalf("encoded dataset does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(ds, again) {
			t.Fatalf("Parse(Encode(ds)) != ds\n%s", out)
		}
	})
}
