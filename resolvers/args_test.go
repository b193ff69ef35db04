package resolvers

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/regiongraph/regiongraph/graph/model"
)

// viaJSON decodes a through a JSON round trip, as decodeArg did for every
// input.
func viaJSON[T any](a any) (*T, error) {
	var v *T
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	err = json.Unmarshal(b, &v)
	return v, err
}

// TestDecodeInputAsJSON: whatever decodeInput decodes, it decodes as the
// JSON round trip does, over random filters and orders whose keys are the
// inputs' and others and whose values are of every type an argument map
// holds; and it decodes the plain ones, most of them.
func TestDecodeInputAsJSON(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	values := []any{nil, "LUP 2011", "", "Tromsø", int64(2011), int64(-1), int64(math.MaxInt64), 2014,
		json.Number("2011"), json.Number("1.5"), json.Number("1e3"), json.Number("99999999999999999999"), 1.5, 2011.0, true,
		[]any{}, []any{"a", "b"}, []any{"a", nil}, []any{int64(1)}, map[string]any{"x": "y"},
		"NAME", "CODE", "PLAN_YEAR", "ASC", "DESC", "name", "SIDEWAYS",
		[]any{map[string]any{"kind": "FUNDS", "nodes": []any{"a"}}}}
	filterKeys := []string{"text", "ids", "code", "planYear", "focusArea", "strategyArea", "coordinatedBy", "fundedBy",
		"topic", "plan", "partOf", "year", "related", "unknown"}
	orderKeys := []string{"field", "direction", "other"}
	random := func(keys []string) map[string]any {
		m := map[string]any{}
		for range rnd.IntN(4) {
			m[keys[rnd.IntN(len(keys))]] = values[rnd.IntN(len(values))]
		}
		return m
	}
	check := func(name string, m map[string]any, direct, round any, err error, ok bool) {
		t.Helper()
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("%s %v: decoded directly to %+v, JSON fails: %v", name, m, direct, err)
		}
		if !reflect.DeepEqual(direct, round) {
			t.Fatalf("%s %v: decoded directly to %s, through JSON to %s", name, m, show(direct), show(round))
		}
	}
	decoded := 0
	for range 30000 {
		m := random(filterKeys)
		var f *model.InitiativeFilter
		ok := decodeInput(m, &f)
		want, err := viaJSON[model.InitiativeFilter](m)
		check("InitiativeFilter", m, f, want, err, ok)

		var nf *model.NodeFilter
		ok2 := decodeInput(m, &nf)
		wantN, errN := viaJSON[model.NodeFilter](m)
		check("NodeFilter", m, nf, wantN, errN, ok2)

		o := random(orderKeys)
		var no *model.NodeOrder
		ok3 := decodeInput(o, &no)
		wantO, errO := viaJSON[model.NodeOrder](o)
		check("NodeOrder", o, no, wantO, errO, ok3)
		for _, b := range []bool{ok, ok2, ok3} {
			if b {
				decoded++
			}
		}
	}
	if decoded < 10000 {
		t.Errorf("only %d of 90000 inputs decoded directly", decoded)
	}
	var f *model.InitiativeFilter
	if !decodeInput(map[string]any{"text": "LUP 2011", "planYear": int64(2011)}, &f) || *f.Text != "LUP 2011" || *f.PlanYear != 2011 {
		t.Errorf("a plain filter was not decoded directly: %s", show(f))
	}
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b) + " (" + strconv.Quote(reflect.TypeOf(v).String()) + ")"
}
