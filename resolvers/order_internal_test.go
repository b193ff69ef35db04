package resolvers

import (
	"slices"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/graph/model"
)

// TestPageOfOrdersAsCompareKeys checks that pageOf, whose sort keys are
// unboxed, orders nodes as rg.CompareKeys orders rg.SortValue's values (codes
// as naturalKey), for every order field and both directions.
func TestPageOfOrdersAsCompareKeys(t *testing.T) {
	year := func(y int) *int { return &y }
	cost := func(c int64) *int64 { return &c }
	ns := []*rg.Node{
		{ID: "a", Name: "Kongsberg", Code: "5.10", PlanYear: year(2011), CostNok: cost(100)},
		{ID: "b", Name: "kongsberg", Code: "5.2", PlanYear: year(2014)},
		{ID: "c", Name: "Øvre Eiker", CostNok: cost(-5)},
		{ID: "d", Name: "Åsen", Code: "5.2a", PlanYear: year(2011), CostNok: cost(100)},
		{ID: "e", Name: "", Code: "10"},
		{ID: "f", Name: "Notodden", Code: "5.10"},
		{ID: "g", Name: "ÅSEN"},
	}
	for _, field := range []model.NodeOrderField{model.NodeOrderFieldName, model.NodeOrderFieldID, model.NodeOrderFieldPlanYear, model.NodeOrderFieldCostNok, model.NodeOrderFieldCode} {
		for _, dir := range []model.OrderDirection{model.OrderDirectionAsc, model.OrderDirectionDesc} {
			o := toOrder(&model.NodeOrder{Field: field, Direction: dir})
			value := func(n *rg.Node) any {
				v := rg.SortValue(n, o.Field)
				if o.Field == rg.OrderByCode && v != nil {
					v = naturalKey(n.Code)
				}
				return v
			}
			want := slices.SortedFunc(slices.Values(ns), func(a, b *rg.Node) int {
				return rg.CompareKeys(o, value(a), a.ID, value(b), b.ID)
			})
			got, err := pageOf(ns, anyNode, listOpts{orderBy: &model.NodeOrder{Field: field, Direction: dir}})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: %v, want %v", field, dir, ids(got), ids(want))
			}
		}
	}
}

func ids(ns []*rg.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}
