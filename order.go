package regiongraph

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SortValue returns the value n is ordered by for field: a string, an int64,
// or nil when n has no such value. For OrderByID it is the id itself, so that
// a descending order by id descends (ties are broken by an ascending id).
func SortValue(n *Node, field OrderField) any {
	switch field {
	case OrderByName, "":
		return strings.ToLower(n.Name)
	case OrderByPlanYear:
		if n.PlanYear == nil {
			return nil
		}
		return int64(*n.PlanYear)
	case OrderByCostNok:
		if n.CostNok == nil {
			return nil
		}
		return *n.CostNok
	case OrderByCode:
		if n.Code == "" {
			return nil
		}
		return n.Code
	case OrderByID:
		return n.ID
	}
	return nil
}

// ValidOrderField reports whether f is a known order field ("" is NAME).
func ValidOrderField(f OrderField) bool {
	switch f {
	case "", OrderByName, OrderByID, OrderByPlanYear, OrderByCostNok, OrderByCode:
		return true
	}
	return false
}

// compareValues orders sort values; nil is greater than every value.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	switch x := a.(type) {
	case string:
		y, _ := b.(string)
		return cmp.Compare(x, y)
	case int64:
		y, _ := b.(int64)
		return cmp.Compare(x, y)
	}
	return 0
}

// CompareKeys compares two (value, id) sort keys under o. The id always
// ascends, so that ties break the same way in both directions.
func CompareKeys(o Order, av any, aid string, bv any, bid string) int {
	c := compareValues(av, bv)
	if o.Desc {
		c = -c
	}
	if c != 0 {
		return c
	}
	return cmp.Compare(aid, bid)
}

// CompareNodes orders nodes under o.
func CompareNodes(o Order, a, b *Node) int {
	return CompareKeys(o, SortValue(a, o.Field), a.ID, SortValue(b, o.Field), b.ID)
}

// Cursor is a position in an ordered node list: the sort value and id of the
// last node seen.
type Cursor struct {
	Field OrderField `json:"f"`
	Desc  bool       `json:"d,omitempty"`
	Value any        `json:"v"`
	ID    string     `json:"id"`
}

// CursorFor returns the cursor just after n in order o: the base64 of
// Cursor's JSON, as encoding/json writes it. Every list page has one, so
// its plain cases are written here (a tenth of a small page's work went
// through json.Marshal's reflection); the rest go through json.Marshal.
func CursorFor(o Order, n *Node) string {
	c := Cursor{Field: normField(o.Field), Desc: o.Desc, Value: SortValue(n, o.Field), ID: n.ID}
	var buf [160]byte
	b, ok := appendCursorJSON(buf[:0], c)
	if !ok {
		b, _ = json.Marshal(c)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// appendCursorJSON appends c's JSON as json.Marshal gives it, or reports
// false when c holds what only json.Marshal writes exactly (a string it
// escapes, a value neither a string, an int64 nor nil).
func appendCursorJSON(b []byte, c Cursor) ([]byte, bool) {
	if !plainJSON(string(c.Field)) || !plainJSON(c.ID) {
		return b, false
	}
	b = append(b, `{"f":"`...)
	b = append(b, c.Field...)
	b = append(b, '"')
	if c.Desc {
		b = append(b, `,"d":true`...)
	}
	b = append(b, `,"v":`...)
	switch v := c.Value.(type) {
	case nil:
		b = append(b, "null"...)
	case string:
		if !plainJSON(v) {
			return b, false
		}
		b = append(b, '"')
		b = append(b, v...)
		b = append(b, '"')
	case int64:
		b = strconv.AppendInt(b, v, 10)
	default:
		return b, false
	}
	b = append(b, `,"id":"`...)
	b = append(b, c.ID...)
	return append(b, `"}`...), true
}

// plainJSON reports whether json.Marshal writes s between quotes as it is:
// valid UTF-8 without control characters, quotes, backslashes, the
// characters it escapes for HTML (<, >, &) or U+2028 and U+2029.
func plainJSON(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

func normField(f OrderField) OrderField {
	if f == "" {
		return OrderByName
	}
	return f
}

// DecodeCursor parses a cursor made by CursorFor for order o. A cursor that
// is malformed or was made for another order is BAD_USER_INPUT.
func DecodeCursor(o Order, s string) (Cursor, error) {
	bad := FieldErrorf("after", "malformed cursor")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 4096 {
		return Cursor{}, bad
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var c Cursor
	if err := dec.Decode(&c); err != nil || c.ID == "" {
		return Cursor{}, bad
	}
	if c.Field != normField(o.Field) || c.Desc != o.Desc {
		return Cursor{}, FieldErrorf("after", "cursor was made for another order")
	}
	switch v := c.Value.(type) {
	case nil, string:
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return Cursor{}, bad
		}
		c.Value = i
	default:
		return Cursor{}, bad
	}
	return c, nil
}

// After reports whether node n comes after cursor c in order o.
func (c Cursor) After(o Order, n *Node) bool {
	return CompareKeys(o, SortValue(n, o.Field), n.ID, c.Value, c.ID) > 0
}

// PageSize returns the effective page size for a requested first.
func PageSize(first int) (int, error) {
	switch {
	case first < 0:
		return 0, FieldErrorf("first", "must not be negative")
	case first == 0:
		return DefaultPageSize, nil
	case first > MaxPageSize:
		return 0, FieldErrorf("first", "%d is more than the page size limit %d", first, MaxPageSize)
	}
	return first, nil
}

// CompareLower is strings.Compare(strings.ToLower(a), strings.ToLower(b))
// without the copies (names are ordered lower-cased): rune by rune, each lower-cased (invalid UTF-8 as
// U+FFFD, as strings.ToLower writes it); UTF-8 orders as its code points.
func CompareLower(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if ca < utf8.RuneSelf && cb < utf8.RuneSelf {
			if 'A' <= ca && ca <= 'Z' {
				ca += 'a' - 'A'
			}
			if 'A' <= cb && cb <= 'Z' {
				cb += 'a' - 'A'
			}
			if ca != cb {
				return cmp.Compare(ca, cb)
			}
			i, j = i+1, j+1
			continue
		}
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		if ra, rb = unicode.ToLower(ra), unicode.ToLower(rb); ra != rb {
			return cmp.Compare(ra, rb)
		}
		i, j = i+na, j+nb
	}
	return cmp.Compare(len(a)-i, len(b)-j)
}

// Smallest returns the k smallest of xs by cmp, in order, reusing xs: a
// sort of xs when k is a good part of it, otherwise one pass keeping the k
// smallest in a max-heap (n log k comparisons instead of n log n).
func Smallest[T any](xs []T, k int, cmp func(a, b T) int) []T {
	if k <= 0 {
		return xs[:0]
	}
	if k >= len(xs)/4 {
		slices.SortFunc(xs, cmp)
		return xs[:min(k, len(xs))]
	}
	h := xs[:k] // a max-heap of the k smallest seen so far
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= k {
				return
			}
			if r := l + 1; r < k && cmp(h[r], h[l]) > 0 {
				l = r
			}
			if cmp(h[l], h[i]) <= 0 {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, x := range xs[k:] {
		if cmp(x, h[0]) < 0 {
			h[0] = x
			down(0)
		}
	}
	slices.SortFunc(h, cmp)
	return h
}
