package resolvers

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	rg "github.com/regiongraph/regiongraph"
)

// TestDirectStringsAsEncodingJSON checks that the direct path writes
// strings as json.Marshal does, HTML-sensitive characters and the line and
// paragraph separators escaped: the front sends the direct path's data as
// it is, where it used to re-encode it with json.Marshal.
func TestDirectStringsAsEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "Kongsberg", "Øvre Eiker – «Numedal»", `a "quoted" \ back\slash`,
		"<script>alert(1)</script> & more", "line\nfeed\r\ttab", "\x00\x01\x1f\x7f",
		"sep\u2028par\u2029end", "emoji 🚂 and ˝", "bad \xff utf-8 \xe2\x80",
	} {
		var b bytes.Buffer
		(&directWriter{buf: &b}).str(s)
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%q: direct %s, json.Marshal %s", s, b.Bytes(), want)
		}
		if strings.ContainsAny(b.String(), "<>&\u2028\u2029") {
			t.Errorf("%q: unescaped in %s", s, b.Bytes())
		}
	}
}

// TestRelSpecOfAsRelFields: what the direct writer remembers of the
// relation fields it looked up is what relFields says, for one field of
// a query met on objects of several types in any order (a field of a
// fragment on an interface), and so are the GraphQL types it remembers
// for node kinds.
func TestRelSpecOfAsRelFields(t *testing.T) {
	byName := map[string][]string{} // field name -> types having it
	for k := range relFields {
		typ, name, _ := strings.Cut(k, ".")
		byName[name] = append(byName[name], typ)
	}
	byName["nothing"] = []string{"Municipality", "FocusArea"}
	rnd := rand.New(rand.NewPCG(1, 2))
	w := &directWriter{}
	for name, types := range byName {
		f := &ast.Field{Name: name}
		types = append(types, "Plan", "Topic")
		for range 50 {
			typ := types[rnd.IntN(len(types))]
			got, ok := w.relSpecOf(typ, f)
			want, wantOK := relFields[typ+"."+name]
			if ok != wantOK || got.dir != want.dir || got.kind != want.kind || got.mode != want.mode ||
				reflect.ValueOf(got.accept).Pointer() != reflect.ValueOf(want.accept).Pointer() {
				t.Fatalf("%s.%s: remembered %+v %v, relFields %+v %v", typ, name, got, ok, want, wantOK)
			}
		}
	}
	var kinds []rg.Kind
	for k := range graphQLTypes {
		kinds = append(kinds, k)
	}
	kinds = append(kinds, "NoSuchKind")
	for range 500 {
		k := kinds[rnd.IntN(len(kinds))]
		if got, want := w.typesOf(k), graphQLTypes[k]; !slices.Equal(got, want) {
			t.Fatalf("%s: types %v, graphQLTypes %v", k, got, want)
		}
	}
}
