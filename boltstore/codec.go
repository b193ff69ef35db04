package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	rg "github.com/regiongraph/regiongraph"
)

// The compact record format (format version 2).
//
// Nodes and relations are kept in their buckets under their id as a list of
// fields, each a tag byte and its value, in tag order, only the fields that
// are set. Numbers are varints (signed ones zig-zag), text written inline is
// a length and the bytes, and the strings that repeat across records
// (sources and citations, roles, a funding cell as written, counties,
// fields, categories, cost texts, actors and reasons of the history) are
// interned: written once in the strings bucket under a number and referred
// to by it. A relation's ends are, when they occur in its id (as in every
// derived id "<from>-<kind>-<to>"), written as their place in the id.
//
// Interned strings are never removed: a string no record uses any more
// stays in the table (a few dozen bytes each). Kinds are one byte, their
// index in regiongraph.Kinds and regiongraph.RelKinds, whose order is
// therefore part of the format and may only be appended to.
//
// On load the interned strings are read once and shared by every node and
// relation that uses them (and the relations' ends by their ids), so that
// the graph in memory holds each repeated string once.

var bucketStrings = []byte("strings")

// strtab is the table of interned strings: number -> string and back.
// Number 0 is the empty string. Only the writer (holding writeMu) adds to
// it, during a write transaction, as pending; the additions become part of
// the table when the transaction has committed (commit) and are dropped
// when it fails (rollback).
type strtab struct {
	byID    []string
	ids     map[string]uint32
	pending []string
}

func newStrtab() *strtab { return &strtab{byID: []string{""}, ids: map[string]uint32{"": 0}} }

func strKey(id uint32) []byte {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], id)
	return k[:]
}

// load reads the table from the strings bucket.
func (t *strtab) load(tx *bolt.Tx) error {
	b := tx.Bucket(bucketStrings)
	if b == nil {
		return errors.New("missing bucket strings")
	}
	return b.ForEach(func(k, v []byte) error {
		if len(k) != 4 {
			return fmt.Errorf("strings: key %x is not a number", k)
		}
		id := binary.BigEndian.Uint32(k)
		if int(id) != len(t.byID) {
			return fmt.Errorf("strings: number %d out of sequence (want %d)", id, len(t.byID))
		}
		s := string(v)
		t.byID = append(t.byID, s)
		if _, dup := t.ids[s]; !dup {
			t.ids[s] = id
		}
		return nil
	})
}

// get returns string id, reading it from the bucket in tx when it is not in
// the table yet (a history read may see a transaction whose strings are
// not yet committed to the table in memory).
func (t *strtab) get(id uint64, tx *bolt.Tx) (string, error) {
	if id < uint64(len(t.byID)) {
		return t.byID[id], nil
	}
	if tx != nil && id <= 1<<32-1 {
		if b := tx.Bucket(bucketStrings); b != nil {
			if v := b.Get(strKey(uint32(id))); v != nil {
				return string(v), nil
			}
		}
	}
	return "", fmt.Errorf("unknown string %d", id)
}

// intern returns the number of s, adding it (to the bucket and as pending)
// when it is new, and the table's copy of s.
func (t *strtab) intern(b *bolt.Bucket, s string) (uint32, string, error) {
	if id, ok := t.ids[s]; ok {
		if int(id) < len(t.byID) {
			return id, t.byID[id], nil
		}
		return id, t.pending[int(id)-len(t.byID)], nil
	}
	n := len(t.byID) + len(t.pending)
	if n > 1<<32-1 {
		return 0, "", errors.New("strings: the table is full")
	}
	id := uint32(n)
	if err := b.Put(strKey(id), []byte(s)); err != nil {
		return 0, "", fmt.Errorf("strings: %w", err)
	}
	t.pending = append(t.pending, s)
	t.ids[s] = id
	return id, s, nil
}

// commit makes the pending strings part of the table.
func (t *strtab) commit() {
	t.byID = append(t.byID, t.pending...)
	t.pending = nil
}

// rollback forgets the pending strings.
func (t *strtab) rollback() {
	for _, s := range t.pending {
		delete(t.ids, s)
	}
	t.pending = nil
}

// ---------------------------------------------------------------------------
// Encoding.

// encoder writes records, interning strings through tab into the strings
// bucket of the transaction. canon, when set, replaces the interned strings
// of the records it encodes by the table's copies (the records are the
// writer's own, not yet visible to readers).
type encoder struct {
	tab   *strtab
	b     *bolt.Bucket
	buf   []byte
	canon bool
	err   error
	// recs, when set, are the records of values encoded before (by the
	// stage's write, for the history of the same batch).
	recs *records
}

// records are the records written for a batch's staged values.
type records struct {
	nodes map[*rg.Node][]byte
	edges map[*rg.Edge][]byte
}

func (e *encoder) uv(x uint64) { e.buf = binary.AppendUvarint(e.buf, x) }
func (e *encoder) sv(x int64)  { e.buf = binary.AppendVarint(e.buf, x) }
func (e *encoder) tag(t byte)  { e.buf = append(e.buf, t) }

func (e *encoder) inline(s string) {
	e.uv(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// ref writes s as a reference into the string table.
func (e *encoder) ref(s *string) {
	if e.err != nil {
		return
	}
	id, c, err := e.tab.intern(e.b, *s)
	if err != nil {
		e.err = err
		return
	}
	if e.canon {
		*s = c
	}
	e.uv(uint64(id))
}

func (e *encoder) list(xs []string) {
	e.uv(uint64(len(xs)))
	for _, x := range xs {
		e.inline(x)
	}
}

// Tags of a source's parts, in one flags byte.
const (
	srcPlan = 1 << iota
	srcSection
	srcQuote
	srcReference
	srcOutside
)

func (e *encoder) source(s *rg.Source) {
	var f byte
	if s.Plan != "" {
		f |= srcPlan
	}
	if s.Section != "" {
		f |= srcSection
	}
	if s.Quote != "" {
		f |= srcQuote
	}
	if s.Reference != "" {
		f |= srcReference
	}
	if s.Outside {
		f |= srcOutside
	}
	e.buf = append(e.buf, f)
	for _, p := range []struct {
		bit byte
		s   *string
	}{{srcPlan, &s.Plan}, {srcSection, &s.Section}, {srcQuote, &s.Quote}, {srcReference, &s.Reference}} {
		if f&p.bit != 0 {
			e.ref(p.s)
		}
	}
}

func isZeroSource(s rg.Source) bool { return s == rg.Source{} }

// Node field tags.
const (
	nKind = iota + 1
	nName
	nAliases
	nDescription
	nSource
	nNumber
	nCounty
	nField
	nCategory
	nCode
	nPlanYear
	nCostNok
	nCostText
	nYearly
	nGoals
	nActivities
	nAdopted
)

// Relation field tags.
const (
	eKind = iota + 1
	eFrom
	eTo
	eFromYear
	eToYear
	eAmount
	eAsWritten
	eRole
	eSource
)

// An end of a relation is written inline or as its place in the id.
const (
	endInline = 0
	endInID   = 1
)

func kindIndex(k rg.Kind) (int, error) {
	if i := slices.Index(rg.Kinds, k); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("unknown kind %q", k)
}

func relKindIndex(k rg.RelKind) (int, error) {
	if i := slices.Index(rg.RelKinds, k); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("unknown relation kind %q", k)
}

// node appends n (without its id, the key) to the buffer.
func (e *encoder) node(n *rg.Node) {
	k, err := kindIndex(n.Kind)
	if err != nil {
		e.err = err
		return
	}
	e.tag(nKind)
	e.uv(uint64(k))
	str := func(t byte, s string) {
		if s != "" {
			e.tag(t)
			e.inline(s)
		}
	}
	ref := func(t byte, s *string) {
		if *s != "" {
			e.tag(t)
			e.ref(s)
		}
	}
	list := func(t byte, xs []string) {
		if len(xs) > 0 {
			e.tag(t)
			e.list(xs)
		}
	}
	str(nName, n.Name)
	list(nAliases, n.Aliases)
	str(nDescription, n.Description)
	if !isZeroSource(n.Source) {
		e.tag(nSource)
		e.source(&n.Source)
	}
	str(nNumber, n.Number)
	ref(nCounty, &n.County)
	ref(nField, &n.Field)
	ref(nCategory, &n.Category)
	str(nCode, n.Code)
	if n.PlanYear != nil {
		e.tag(nPlanYear)
		e.sv(int64(*n.PlanYear))
	}
	if n.CostNok != nil {
		e.tag(nCostNok)
		e.sv(*n.CostNok)
	}
	ref(nCostText, &n.CostText)
	if len(n.YearlyAmounts) > 0 {
		e.tag(nYearly)
		e.uv(uint64(len(n.YearlyAmounts)))
		for _, ya := range n.YearlyAmounts {
			e.sv(int64(ya.Year))
			e.sv(ya.AmountNok)
		}
	}
	list(nGoals, n.Goals)
	list(nActivities, n.Activities)
	str(nAdopted, n.Adopted)
}

// edge appends r (without its id, the key) to the buffer.
func (e *encoder) edge(r *rg.Edge) {
	k, err := relKindIndex(r.Kind)
	if err != nil {
		e.err = err
		return
	}
	e.tag(eKind)
	e.uv(uint64(k))
	end := func(t byte, s string) {
		e.tag(t)
		if i := strings.Index(r.ID, s); i >= 0 && s != "" {
			e.uv(endInID)
			e.uv(uint64(i))
			e.uv(uint64(len(s)))
			return
		}
		e.uv(endInline)
		e.inline(s)
	}
	end(eFrom, r.From)
	end(eTo, r.To)
	if r.FromYear != nil {
		e.tag(eFromYear)
		e.sv(int64(*r.FromYear))
	}
	if r.ToYear != nil {
		e.tag(eToYear)
		e.sv(int64(*r.ToYear))
	}
	if r.AmountNok != nil {
		e.tag(eAmount)
		e.sv(*r.AmountNok)
	}
	if r.AsWritten != "" {
		e.tag(eAsWritten)
		e.ref(&r.AsWritten)
	}
	if r.Role != "" {
		e.tag(eRole)
		e.ref(&r.Role)
	}
	if !isZeroSource(r.Source) {
		e.tag(eSource)
		e.source(&r.Source)
	}
}

// encodeNode returns n's record.
func (e *encoder) encodeNode(n *rg.Node) ([]byte, error) {
	e.buf = e.buf[:0]
	e.node(n)
	return e.buf, e.err
}

// encodeEdge returns r's record.
func (e *encoder) encodeEdge(r *rg.Edge) ([]byte, error) {
	e.buf = e.buf[:0]
	e.edge(r)
	return e.buf, e.err
}

// ---------------------------------------------------------------------------
// Decoding.

var errShort = errors.New("record ends early")

// decoder reads records; strings come from tab (or from the bucket in tx,
// for strings newer than the table).
type decoder struct {
	tab *strtab
	tx  *bolt.Tx
	b   []byte
	err error
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) uv() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) sv() int64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) raw() []byte {
	n := d.uv()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) inline() string { return string(d.raw()) }

func (d *decoder) ref() string {
	id := d.uv()
	if d.err != nil {
		return ""
	}
	s, err := d.tab.get(id, d.tx)
	if err != nil {
		d.fail(err)
	}
	return s
}

func (d *decoder) list() []string {
	n := d.uv()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail(errShort)
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.inline()
	}
	return out
}

func (d *decoder) source() rg.Source {
	var s rg.Source
	f := d.byte()
	if f&srcPlan != 0 {
		s.Plan = d.ref()
	}
	if f&srcSection != 0 {
		s.Section = d.ref()
	}
	if f&srcQuote != 0 {
		s.Quote = d.ref()
	}
	if f&srcReference != 0 {
		s.Reference = d.ref()
	}
	s.Outside = f&srcOutside != 0
	return s
}

// years holds one shared *int per year in a common range, so that loaded
// relations and nodes do not allocate one each. They are never modified
// (stored values are read-only).
var years = func() []*int {
	out := make([]*int, yearsTo-yearsFrom+1)
	for i := range out {
		y := yearsFrom + i
		out[i] = &y
	}
	return out
}()

const yearsFrom, yearsTo = 1900, 2200

func yearPtr(x int64) *int {
	if x >= yearsFrom && x <= yearsTo {
		return years[x-yearsFrom]
	}
	y := int(x)
	return &y
}

// decodeNode reads the record of node id.
func (d *decoder) decodeNode(id string, rec []byte) (*rg.Node, error) {
	d.b, d.err = rec, nil
	n := &rg.Node{ID: id}
	last := byte(0)
	for len(d.b) > 0 && d.err == nil {
		t := d.byte()
		if t <= last {
			return nil, fmt.Errorf("node %q: field %d out of order", id, t)
		}
		last = t
		switch t {
		case nKind:
			k := d.uv()
			if k >= uint64(len(rg.Kinds)) {
				return nil, fmt.Errorf("node %q: unknown kind %d", id, k)
			}
			n.Kind = rg.Kinds[k]
		case nName:
			n.Name = d.inline()
		case nAliases:
			n.Aliases = d.list()
		case nDescription:
			n.Description = d.inline()
		case nSource:
			n.Source = d.source()
		case nNumber:
			n.Number = d.inline()
		case nCounty:
			n.County = d.ref()
		case nField:
			n.Field = d.ref()
		case nCategory:
			n.Category = d.ref()
		case nCode:
			n.Code = d.inline()
		case nPlanYear:
			n.PlanYear = yearPtr(d.sv())
		case nCostNok:
			v := d.sv()
			n.CostNok = &v
		case nCostText:
			n.CostText = d.ref()
		case nYearly:
			c := d.uv()
			if c > uint64(len(d.b)) {
				d.fail(errShort)
				break
			}
			n.YearlyAmounts = make([]rg.YearAmount, c)
			for i := range n.YearlyAmounts {
				n.YearlyAmounts[i] = rg.YearAmount{Year: int(d.sv()), AmountNok: d.sv()}
			}
		case nGoals:
			n.Goals = d.list()
		case nActivities:
			n.Activities = d.list()
		case nAdopted:
			n.Adopted = d.inline()
		default:
			return nil, fmt.Errorf("node %q: unknown field %d", id, t)
		}
	}
	if d.err != nil {
		return nil, fmt.Errorf("node %q: %w", id, d.err)
	}
	if n.Kind == "" {
		return nil, fmt.Errorf("node %q: no kind", id)
	}
	return n, nil
}

// decodeEdge reads the record of relation id.
func (d *decoder) decodeEdge(id string, rec []byte) (*rg.Edge, error) {
	d.b, d.err = rec, nil
	r := &rg.Edge{ID: id}
	end := func() string {
		switch d.uv() {
		case endInID:
			i, n := d.uv(), d.uv()
			if d.err == nil && (i > uint64(len(id)) || n > uint64(len(id))-i) {
				d.fail(fmt.Errorf("end [%d:+%d] outside the id", i, n))
				return ""
			}
			return id[i : i+n]
		case endInline:
			return d.inline()
		}
		d.fail(errors.New("unknown end form"))
		return ""
	}
	last := byte(0)
	for len(d.b) > 0 && d.err == nil {
		t := d.byte()
		if t <= last {
			return nil, fmt.Errorf("relation %q: field %d out of order", id, t)
		}
		last = t
		switch t {
		case eKind:
			k := d.uv()
			if k >= uint64(len(rg.RelKinds)) {
				return nil, fmt.Errorf("relation %q: unknown kind %d", id, k)
			}
			r.Kind = rg.RelKinds[k]
		case eFrom:
			r.From = end()
		case eTo:
			r.To = end()
		case eFromYear:
			r.FromYear = yearPtr(d.sv())
		case eToYear:
			r.ToYear = yearPtr(d.sv())
		case eAmount:
			v := d.sv()
			r.AmountNok = &v
		case eAsWritten:
			r.AsWritten = d.ref()
		case eRole:
			r.Role = d.ref()
		case eSource:
			r.Source = d.source()
		default:
			return nil, fmt.Errorf("relation %q: unknown field %d", id, t)
		}
	}
	if d.err != nil {
		return nil, fmt.Errorf("relation %q: %w", id, d.err)
	}
	if r.Kind == "" || r.From == "" || r.To == "" {
		return nil, fmt.Errorf("relation %q: kind or an end missing", id)
	}
	return r, nil
}
