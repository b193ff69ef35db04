package dataset

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// The fast path of ParseLarge: a reader of the subset of YAML that the
// format's items are written in (by Encode, by gen_national.py and mostly
// by hand), which builds the node tree yaml.v3 would build for the item
// without its scanner, parser and events (which cost most of the time of
// reading a national file). Anything outside the subset (a comment, an
// anchor, a tag, a multi-line or escaped scalar, a plain scalar with a
// character it does not know, ...) makes it give up, and the item is read
// by yaml.v3. A test and a fuzz test (FuzzFastItem) hold it to
// yaml.v3: whenever it reads an item, yaml.v3 reads the same tree.
//
// The subset, per line of the item:
//
//	- key: value            the item: a block mapping (first key after "- ")
//	  key: value            a key of that mapping, at the first key's column
//	  key:                  a key whose value is the block list below it,
//	    - value             deeper, one value per line,
//	  key:                  or the block mapping below it
//	    key: value
//	- value                 the item: one value
//
// where a key is a plain scalar of letters, digits, "_", "-" and "." and a
// value is on one line: a plain scalar (letters, digits, "_", ".", "-",
// "/" and any printable non-ASCII character, words separated by spaces,
// not starting with a punctuation character; in block context any other
// printable ASCII character too, but not ": " or " #"), a double-quoted
// scalar without escapes, a single-quoted one, or a flow mapping {key:
// value, ...} or list [value, ...] of them. Blank lines are skipped.

// fastReader reads items; one per goroutine (it keeps a cache of the
// tags of plain scalars and a slab of nodes).
type fastReader struct {
	tags map[string]string // plain scalar -> its tag, for those that need yaml.v3 to tell
	slab []yaml.Node
	ptrs []*yaml.Node
	line []byte // the line being read
	lnum int    // its number in the item, 1-based
	base int    // lines before the item in the file
	fail bool
}

func newFastReader() *fastReader { return &fastReader{tags: map[string]string{}} }

// item reads one item (the text cutTop cut, from its "- "), whose first
// line is line first of the file, or reports that it is outside the
// subset. The tree's lines are the file's.
func (r *fastReader) item(text []byte, first int) (*yaml.Node, bool) {
	if bytes.IndexByte(text, '\r') >= 0 || bytes.IndexByte(text, '\t') >= 0 {
		return nil, false
	}
	r.base, r.fail = first-1, false
	lines := bytes.Split(text, []byte("\n"))
	// The first line: "<indent>- ".
	l0 := lines[0]
	ind := 0
	for ind < len(l0) && l0[ind] == ' ' {
		ind++
	}
	if ind+2 >= len(l0) || l0[ind] != '-' || l0[ind+1] != ' ' || l0[ind+2] == ' ' {
		return nil, false
	}
	col := ind + 2
	r.line, r.lnum = l0, 1
	var n *yaml.Node
	i := 0 // the line being read
	if c := l0[col]; c == '{' || c == '[' || c == '"' || c == '\'' {
		var end int
		n, end = r.flow(col)
		if r.fail || end != len(l0) {
			return nil, false
		}
		i = 1
	} else {
		n, i = r.blockMap(lines, 0, col)
		if r.fail {
			return nil, false
		}
	}
	for ; i < len(lines); i++ {
		if !blank(lines[i]) {
			return nil, false
		}
	}
	if r.fail {
		return nil, false
	}
	return n, true
}

// blockMap reads the block mapping whose first key is at column col of
// line i (after the item's "- " on the item's first line, else the
// line's first character); next is the line after it.
func (r *fastReader) blockMap(lines [][]byte, i, col int) (n *yaml.Node, next int) {
	r.line, r.lnum = lines[i], i+1
	n = r.node(yaml.MappingNode, 0, "!!map", "", i+1, col)
	for first := i; i < len(lines) && !r.fail; {
		l := lines[i]
		if blank(l) {
			i++
			continue
		}
		if i > first && indentOf(l) != col {
			break
		}
		r.line, r.lnum = l, i+1
		k, v, next := r.pair(lines, i, col)
		if r.fail {
			return nil, 0
		}
		n.Content = r.append2(n.Content, k, v)
		i = next
	}
	return n, i
}

// pair reads "key: value", or "key:" and the block list or mapping below
// it, at column col of line i; next is the line after it.
func (r *fastReader) pair(lines [][]byte, i, col int) (k, v *yaml.Node, next int) {
	l := r.line
	j := col
	for j < len(l) && isKeyByte(l[j]) {
		j++
	}
	if j == col || j-col > 128 || j >= len(l) || l[j] != ':' || !isAlnum(l[col]) {
		r.fail = true
		return nil, nil, 0
	}
	k = r.plain(col, j)
	j++
	if j == len(l) {
		// A block list or mapping, deeper than the key.
		i++
		for i < len(lines) && blank(lines[i]) {
			i++
		}
		if i == len(lines) {
			r.fail = true
			return nil, nil, 0
		}
		sind := indentOf(lines[i])
		if sind <= col {
			r.fail = true
			return nil, nil, 0
		}
		if el := lines[i]; len(el) < sind+2 || el[sind] != '-' || el[sind+1] != ' ' {
			v, next = r.blockMap(lines, i, sind)
			return k, v, next
		}
		r.line, r.lnum = lines[i], i+1
		v = r.node(yaml.SequenceNode, 0, "!!seq", "", i+1, sind)
		for ; i < len(lines); i++ {
			el := lines[i]
			if blank(el) {
				continue
			}
			ei := indentOf(el)
			if ei < sind {
				break
			}
			if ei != sind || len(el) < sind+3 || el[sind] != '-' || el[sind+1] != ' ' || el[sind+2] == ' ' {
				r.fail = true
				return nil, nil, 0
			}
			r.line, r.lnum = el, i+1
			x, end := r.value(sind+2, true)
			if r.fail || end != len(el) {
				r.fail = true
				return nil, nil, 0
			}
			v.Content = append(v.Content, x)
		}
		return k, v, i
	}
	if l[j] != ' ' {
		r.fail = true
		return nil, nil, 0
	}
	for j < len(l) && l[j] == ' ' {
		j++
	}
	if j == len(l) {
		r.fail = true // "key:" and spaces
		return nil, nil, 0
	}
	v, end := r.value(j, true)
	if r.fail || end != len(l) {
		r.fail = true
		return nil, nil, 0
	}
	return k, v, i + 1
}

// value reads a value on one line at byte i: in block context (the rest
// of the line) or in a flow collection.
func (r *fastReader) value(i int, block bool) (*yaml.Node, int) {
	if !block || i >= len(r.line) {
		return r.flow(i)
	}
	switch r.line[i] {
	case '{', '[', '"', '\'':
		return r.flow(i)
	}
	return r.blockPlain(i)
}

// blockPlain reads a plain scalar that runs to the end of the line, in
// block context: besides the characters of a flow one it may hold any
// printable ASCII character but ": " and " #".
func (r *fastReader) blockPlain(i int) (*yaml.Node, int) {
	l := r.line
	if !isAlnum(l[i]) && l[i] < utf8.RuneSelf {
		r.fail = true
		return nil, 0
	}
	j, end := i, i
	for j < len(l) {
		c := l[j]
		switch {
		case c == ' ':
			j++
			continue
		case c == ':' && (j+1 == len(l) || l[j+1] == ' '):
			r.fail = true
			return nil, 0
		case c == '#' && l[j-1] == ' ':
			r.fail = true
			return nil, 0
		case c >= utf8.RuneSelf:
			ru, size := utf8.DecodeRune(l[j:])
			if !printable(ru, size) || ru == 0xa0 {
				r.fail = true
				return nil, 0
			}
			j += size
		case c > ' ' && c < 0x7f:
			j++
		default:
			r.fail = true
			return nil, 0
		}
		end = j
	}
	return r.plain(i, end), j
}

// flow reads a flow value at byte i of the line and returns it and the
// byte after it (and after the spaces that follow).
func (r *fastReader) flow(i int) (*yaml.Node, int) {
	l := r.line
	if r.fail || i >= len(l) {
		r.fail = true
		return nil, 0
	}
	switch l[i] {
	case '{', '[':
		isMap := l[i] == '{'
		closer := byte(']')
		n := r.node(yaml.SequenceNode, yaml.FlowStyle, "!!seq", "", r.lnum, i)
		if isMap {
			closer = '}'
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
		}
		j := skipSpaces(l, i+1)
		if j < len(l) && l[j] == closer {
			return n, skipSpaces(l, j+1)
		}
		for {
			if isMap {
				s := j
				for j < len(l) && isKeyByte(l[j]) {
					j++
				}
				if j == s || j-s > 128 || j+1 >= len(l) || l[j] != ':' || l[j+1] != ' ' || !isAlnum(l[s]) {
					r.fail = true
					return nil, 0
				}
				k := r.plain(s, j)
				j = skipSpaces(l, j+1)
				var v *yaml.Node
				v, j = r.flow(j)
				if r.fail {
					return nil, 0
				}
				n.Content = r.append2(n.Content, k, v)
			} else {
				var v *yaml.Node
				v, j = r.flow(j)
				if r.fail {
					return nil, 0
				}
				n.Content = append(n.Content, v)
			}
			if j >= len(l) {
				r.fail = true
				return nil, 0
			}
			switch l[j] {
			case closer:
				return n, skipSpaces(l, j+1)
			case ',':
				j = skipSpaces(l, j+1)
				if j >= len(l) || l[j] == closer || l[j] == ',' {
					r.fail = true
					return nil, 0
				}
			default:
				r.fail = true
				return nil, 0
			}
		}
	case '"', '\'':
		q := l[i]
		j := i + 1
		quotes := false // '' in a single-quoted scalar
		for j < len(l) {
			c := l[j]
			if c == q {
				if q == '\'' && j+1 < len(l) && l[j+1] == '\'' {
					quotes = true
					j += 2
					continue
				}
				break
			}
			if (c == '\\' && q == '"') || c < 0x20 || c == 0x7f {
				r.fail = true
				return nil, 0
			}
			if c < utf8.RuneSelf {
				j++
				continue
			}
			ru, size := utf8.DecodeRune(l[j:])
			if !printable(ru, size) {
				r.fail = true
				return nil, 0
			}
			j += size
		}
		if j >= len(l) {
			r.fail = true
			return nil, 0
		}
		style, v := yaml.DoubleQuotedStyle, string(l[i+1:j])
		if q == '\'' {
			style = yaml.SingleQuotedStyle
			if quotes {
				v = strings.ReplaceAll(v, "''", "'")
			}
		}
		n := r.node(yaml.ScalarNode, style, "!!str", v, r.lnum, i)
		return n, skipSpaces(l, j+1)
	}
	// A plain scalar: words of plain characters separated by spaces.
	if !isAlnum(l[i]) && l[i] < utf8.RuneSelf {
		r.fail = true
		return nil, 0
	}
	j, end := i, i
	for j < len(l) {
		c := l[j]
		switch {
		case c == ' ':
			j++
			continue
		case c < utf8.RuneSelf && isPlainByte(c):
			j++
		case c >= utf8.RuneSelf:
			ru, size := utf8.DecodeRune(l[j:])
			if !printable(ru, size) || ru == 0xa0 {
				r.fail = true
				return nil, 0
			}
			j += size
		default:
			return r.plain(i, end), j
		}
		end = j
	}
	return r.plain(i, end), j
}

// plain makes the plain scalar line[i:j], tagged as yaml.v3 tags it.
func (r *fastReader) plain(i, j int) *yaml.Node {
	b := r.line[i:j]
	tag := "!!str"
	switch c := b[0]; {
	case c >= '0' && c <= '9':
		tag = r.numberTag(b)
	case c == 't' || c == 'T' || c == 'f' || c == 'F':
		switch string(b) {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			tag = "!!bool"
		}
	case c == 'n' || c == 'N':
		switch string(b) {
		case "null", "Null", "NULL":
			tag = "!!null"
		}
	}
	return r.node(yaml.ScalarNode, 0, tag, string(b), r.lnum, i)
}

// numberTag is the tag of a plain scalar that starts with a digit: !!int
// for a decimal number without a leading zero that fits in 64 bits;
// otherwise whatever yaml.v3 makes of it (an int in another base, a
// float, a timestamp, a string), asked once per scalar.
func (r *fastReader) numberTag(b []byte) string {
	if len(b) <= 18 && (b[0] != '0' || len(b) == 1) {
		digits := true
		for _, c := range b {
			if c < '0' || c > '9' {
				digits = false
				break
			}
		}
		if digits {
			return "!!int"
		}
	}
	if tag, ok := r.tags[string(b)]; ok {
		return tag
	}
	tag := ""
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err == nil && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Value == string(b) {
		tag = doc.Content[0].Tag
	}
	if tag == "" {
		r.fail = true // not a plain scalar on its own: leave it to yaml.v3
		return ""
	}
	if len(r.tags) < 1<<16 {
		r.tags[string(b)] = tag
	}
	return tag
}

// node makes a node at line lnum (of the item) and byte col of r.line.
func (r *fastReader) node(kind yaml.Kind, style yaml.Style, tag, value string, lnum, col int) *yaml.Node {
	if len(r.slab) == 0 {
		r.slab = make([]yaml.Node, 64)
	}
	n := &r.slab[0]
	r.slab = r.slab[1:]
	*n = yaml.Node{Kind: kind, Style: style, Tag: tag, Value: value, Line: r.base + lnum, Column: 1 + utf8.RuneCount(r.line[:col])}
	return n
}

// append2 appends a key and its value, taking the room from a shared slab
// the first time.
func (r *fastReader) append2(c []*yaml.Node, k, v *yaml.Node) []*yaml.Node {
	if c == nil {
		if len(r.ptrs) < 8 {
			r.ptrs = make([]*yaml.Node, 512)
		}
		c = r.ptrs[:0:8]
		r.ptrs = r.ptrs[8:]
	}
	return append(c, k, v)
}

func blank(l []byte) bool {
	for _, c := range l {
		if c != ' ' {
			return false
		}
	}
	return true
}

func indentOf(l []byte) int {
	i := 0
	for i < len(l) && l[i] == ' ' {
		i++
	}
	return i
}

func skipSpaces(l []byte, i int) int {
	for i < len(l) && l[i] == ' ' {
		i++
	}
	return i
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isKeyByte: the characters of a key.
func isKeyByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// isPlainByte: the ASCII characters of a plain scalar.
func isPlainByte(c byte) bool { return isKeyByte(c) || c == '/' }

// printable reports whether a decoded non-ASCII rune is one YAML accepts
// in a stream and that is not a line break (NEL, LS, PS) or a byte order
// mark.
func printable(ru rune, size int) bool {
	if ru == utf8.RuneError && size <= 1 {
		return false
	}
	switch {
	case ru == 0x85 || ru == 0x2028 || ru == 0x2029 || ru == 0xfeff:
		return false
	case ru >= 0xa0 && ru <= 0xd7ff, ru >= 0xe000 && ru <= 0xfffd, ru >= 0x10000 && ru <= 0x10ffff:
		return true
	}
	return false
}
