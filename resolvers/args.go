package resolvers

import (
	"encoding/json"
	"strconv"

	"github.com/regiongraph/regiongraph/graph/model"
)

// decodeInput decodes m into v (a **model.InitiativeFilter,
// **model.NodeFilter or **model.NodeOrder) as json.Unmarshal of m's JSON
// would, for the plain cases: scalar fields and lists of strings. It
// reports false, having changed nothing, for anything else (a related
// filter, a key it does not know, a value of another type, a null enum),
// which decodeArg then decodes through JSON. Decoding through JSON was a
// tenth of a filtered list's work.
func decodeInput(m map[string]any, v any) bool {
	switch p := v.(type) {
	case **model.InitiativeFilter:
		var f model.InitiativeFilter
		for k, x := range m {
			known, ok := filterField(k, x, &f.Text, &f.Code, &f.Ids, &f.Year)
			if !known {
				switch k {
				case "planYear":
					ok = inputInt(x, &f.PlanYear)
				case "focusArea":
					ok = inputString(x, &f.FocusArea)
				case "strategyArea":
					ok = inputString(x, &f.StrategyArea)
				case "coordinatedBy":
					ok = inputString(x, &f.CoordinatedBy)
				case "fundedBy":
					ok = inputString(x, &f.FundedBy)
				case "topic":
					ok = inputString(x, &f.Topic)
				case "plan":
					ok = inputString(x, &f.Plan)
				case "partOf":
					ok = inputString(x, &f.PartOf)
				}
			}
			if !ok {
				return false
			}
		}
		*p = &f
		return true
	case **model.NodeFilter:
		var f model.NodeFilter
		for k, x := range m {
			if _, ok := filterField(k, x, &f.Text, &f.Code, &f.Ids, &f.Year); !ok {
				return false
			}
		}
		*p = &f
		return true
	case **model.NodeOrder:
		var o model.NodeOrder
		for k, x := range m {
			s, ok := x.(string)
			switch {
			case !ok:
				return false
			case k == "field" && model.NodeOrderField(s).IsValid():
				o.Field = model.NodeOrderField(s)
			case k == "direction" && model.OrderDirection(s).IsValid():
				o.Direction = model.OrderDirection(s)
			default:
				return false
			}
		}
		*p = &o
		return true
	}
	return false
}

// filterField decodes the member k of the fields both filters have;
// known reports whether k is one of them.
func filterField(k string, x any, text, code **string, ids *[]string, year **int) (known, ok bool) {
	switch k {
	case "text":
		return true, inputString(x, text)
	case "code":
		return true, inputString(x, code)
	case "ids":
		return true, inputStrings(x, ids)
	case "year":
		return true, inputInt(x, year)
	}
	return false, false
}

// inputString decodes a string or null into *dst.
func inputString(x any, dst **string) bool {
	switch x := x.(type) {
	case nil:
		return true
	case string:
		*dst = &x
		return true
	}
	return false
}

// inputInt decodes an integer or null into *dst.
func inputInt(x any, dst **int) bool {
	var n int64
	switch x := x.(type) {
	case nil:
		return true
	case int64:
		n = x
	case int:
		n = int64(x)
	case json.Number:
		var err error
		if n, err = strconv.ParseInt(string(x), 10, strconv.IntSize); err != nil {
			return false
		}
	default:
		return false
	}
	if int64(int(n)) != n {
		return false
	}
	i := int(n)
	*dst = &i
	return true
}

// inputStrings decodes a list of strings or null into *dst.
func inputStrings(x any, dst *[]string) bool {
	switch x := x.(type) {
	case nil:
		return true
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return false
			}
			out[i] = s
		}
		*dst = out
		return true
	}
	return false
}
