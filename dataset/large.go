package dataset

import (
	"bytes"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// ParseLarge is ParseBytes for a file of any size (a national dataset of
// half a million relations is some 80 MB of YAML): it gives the same
// dataset and the same errors, with the same lines, but never holds a YAML
// tree of the whole file. The file is cut into its top-level items (each
// node or plan with the relations written under it, each top-level
// relation), which are parsed one by one, on every core, and checked
// together as ParseBytes checks them.
//
// Cutting needs the file's top level in block style, as the format's
// documentation and Encode write it: the keys plans, nodes and relations
// at the start of a line, each followed by its list, one item per "- " at
// one indentation. A file of another shape (flow style at the top, a
// document marker, an anchor used across items, ...) is parsed by
// ParseBytes, within its limits.
func ParseLarge(b []byte, filename string) (*Dataset, error) {
	secs, dups, ok := cutTop(b)
	if !ok {
		return ParseBytes(b, filename)
	}
	// As ParseBytes: plans, then nodes, then relations, whatever their
	// order in the file.
	order := map[string]int{"plans": 0, "nodes": 1, "relations": 2}
	slices.SortStableFunc(secs, func(a, b *section) int { return order[a.key] - order[b.key] })
	p := &parser{file: filename}
	p.errs = append(p.errs, dups...)
	type result struct {
		nodes  []*nodeRec
		nested []*edgeRec
		edges  []*edgeRec
		errs   []lineErr
		syntax *lineErr // a YAML syntax error, line in the file
	}
	// Each section's items are parsed in runs on every core; the runs'
	// results are joined in file order.
	type job struct {
		sec   *section
		from  int
		to    int
		index int
	}
	var jobs []job
	for _, s := range secs {
		const run = 512
		for i := 0; i < len(s.items); i += run {
			jobs = append(jobs, job{sec: s, from: i, to: min(i+run, len(s.items)), index: len(jobs)})
		}
	}
	results := make([]result, len(jobs))
	work := make(chan job)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fr := newFastReader()
			for j := range work {
				r := &results[j.index]
				q := &parser{file: filename}
				for i := j.from; i < j.to && r.syntax == nil; i++ {
					it := j.sec.items[i]
					v, err := fr.decodeItem(it)
					if err != nil {
						r.syntax = err
						break
					}
					if j.sec.repeated {
						continue // ignored, as ParseBytes ignores a key given twice
					}
					q.visits = 0
					what := fmt.Sprintf("%s[%d]", j.sec.key, i)
					switch j.sec.key {
					case "plans", "nodes":
						r.nested = append(r.nested, q.node(v, what, j.sec.key == "plans")...)
					case "relations":
						if e := q.edge(v, what, nil); e != nil {
							r.edges = append(r.edges, e)
						}
					}
					if q.visits > maxVisits {
						q.errAt(it.line, "%s is too large or uses too many aliases (more than %d YAML nodes)", what, maxVisits)
					}
				}
				r.nodes, r.errs = q.nodes, q.errs
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()

	var nested, top []*edgeRec
	for _, r := range results {
		if r.syntax != nil {
			// The item alone is not valid YAML: parse the whole file, which
			// tells whether the item was cut wrongly (an anchor used
			// across items, a scalar the cut misread) or the file is
			// wrong, and where; unless the file is too large for that.
			ds, err := ParseBytes(b, filename)
			if err == nil || !strings.Contains(err.Error(), "too large") {
				return ds, err
			}
			p.errAt(r.syntax.line, "%s", r.syntax.msg)
			return nil, p.result()
		}
		p.nodes = append(p.nodes, r.nodes...)
		p.errs = append(p.errs, r.errs...)
		nested = append(nested, r.nested...)
		top = append(top, r.edges...)
	}
	if len(secs) == 0 {
		p.errAt(1, "the dataset is empty")
		return nil, p.result()
	}
	p.edges = append(nested, top...)
	ds := p.check()
	if len(p.errs) > 0 {
		return nil, p.result()
	}
	return ds, nil
}

// section is a top-level key's list, cut into items.
type section struct {
	key      string
	items    []item
	repeated bool // the key was given before: the section is ignored
}

// item is one list item: its text (with the "- " and its indentation) and
// the line it starts on.
type item struct {
	line int
	text []byte
}

var topKeyRE = regexp.MustCompile(`^(plans|nodes|relations):([ \t]+(#.*)?)?$`)

// cutTop cuts b into its top-level sections and their items, or reports
// (ok false) that the file's shape is not one it can cut. A key given
// twice is the error ParseBytes gives (in dups), and its list is ignored.
func cutTop(b []byte) (secs []*section, dups []lineErr, ok bool) {
	// Lines end at "\n" here; YAML also ends them at a lone "\r" and at
	// NEL, LS and PS.
	if bytes.Contains(bytes.ReplaceAll(b, []byte("\r\n"), nil), []byte("\r")) ||
		bytes.Contains(b, []byte("\u0085")) || bytes.Contains(b, []byte("\u2028")) || bytes.Contains(b, []byte("\u2029")) {
		return nil, nil, false
	}
	var (
		cur    *section
		indent = -1 // of the current section's items
		seen   = map[string]int{}
		start  = -1 // offset of the current item
		sLine  int
		gap    []byte // the lines outside items
	)
	closeItem := func(end int) {
		if start >= 0 {
			cur.items = append(cur.items, item{line: sLine, text: b[start:end]})
		}
		start = -1
	}
	line := 0
	for off := 0; off < len(b); {
		line++
		nl := bytes.IndexByte(b[off:], '\n')
		end := len(b)
		if nl >= 0 {
			end = off + nl + 1
		}
		l := bytes.TrimRight(b[off:end], "\r\n")
		trimmed := bytes.TrimLeft(l, " ")
		lead := len(l) - len(trimmed)
		if start < 0 || (lead == 0 && len(trimmed) > 0 && trimmed[0] != '#') {
			gap = append(gap, b[off:end]...)
		}
		switch {
		case len(trimmed) == 0 || trimmed[0] == '#':
			// blank or comment: part of whatever is around it
		case trimmed[0] == '\t':
			return nil, nil, false
		case lead == 0 && topKeyRE.Match(l):
			if cur != nil {
				closeItem(off)
			}
			key := string(l[:bytes.IndexByte(l, ':')])
			_, repeated := seen[key]
			if repeated {
				dups = append(dups, lineErr{line: line, msg: fmt.Sprintf("the dataset: field %q is given twice", key)})
			}
			seen[key] = line
			cur = &section{key: key, repeated: repeated}
			secs = append(secs, cur)
			indent = -1
		case cur == nil:
			return nil, nil, false
		case isItemStart(trimmed) && (indent < 0 || lead == indent):
			closeItem(off)
			indent = lead
			start, sLine = off, line
		case lead > indent && indent >= 0 && start >= 0:
			// inside the current item
		default:
			return nil, nil, false
		}
		off = end
	}
	if cur != nil {
		closeItem(len(b))
	}
	// What lies outside the items (the keys, comments, blank lines) must
	// be YAML as well: bytes the parser refuses in a comment are refused.
	if len(gap) > 0 && !bytes.HasSuffix(gap, []byte("\n")) {
		gap = append(gap, '\n')
	}
	if _, err := decodeYAML(gap); err != nil && err != errEmpty {
		return nil, nil, false
	}
	return secs, dups, true
}

func isItemStart(t []byte) bool {
	return bytes.Equal(t, []byte("-")) || bytes.HasPrefix(t, []byte("- "))
}

// decodeItem parses one item: by the fast reader when the item is in its
// subset of YAML (fastitem.go), else by yaml.v3 (decodeItemYAML).
func (r *fastReader) decodeItem(it item) (*yaml.Node, *lineErr) {
	if n, ok := r.item(it.text, it.line); ok {
		return n, nil
	}
	return decodeItemYAML(it)
}

// decodeItemYAML parses one item with yaml.v3: a one-item list, whose
// lines are then made the file's.
func decodeItemYAML(it item) (*yaml.Node, *lineErr) {
	root, err := decodeYAML(it.text)
	if err != nil {
		return nil, &lineErr{line: syntaxLine(err, it.text) + it.line - 1, msg: syntaxMessage(err)}
	}
	shift(root, it.line-1)
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) != 1 {
		return nil, &lineErr{line: it.line, msg: "YAML syntax: an item that is not one list item"}
	}
	return n.Content[0], nil
}

// shift adds d to the line of every node of the tree under n.
func shift(n *yaml.Node, d int) {
	n.Line += d
	for _, c := range n.Content {
		shift(c, d)
	}
}
