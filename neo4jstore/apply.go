package neo4jstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/regiongraph/regiongraph"
)

// Apply applies changes atomically in one write transaction:
//
//  1. validate the batch on its own (regiongraph.ValidateChanges);
//  2. read, in the transaction, every node and relation the batch names and
//     every relation of a node it deletes (batched by UNWIND);
//  3. play the changes in order against that state, failing on the first
//     missing id (NOT_FOUND), taken id or node that still has relations
//     (CONFLICT), changed kind or ends, or endpoint kinds the relation table
//     forbids (BAD_USER_INPUT), each with the path "changes[i]...";
//  4. write the net effect (deletes, then creates and replacements, batched),
//     checking that every write touched exactly the rows expected, so that a
//     concurrent change fails the transaction instead of being overwritten.
//
// Any error rolls the whole transaction back.
func (s *Store) Apply(ctx context.Context, changes []regiongraph.Change) (regiongraph.ApplyResult, error) {
	if err := regiongraph.ValidateChanges(changes); err != nil {
		return regiongraph.ApplyResult{}, err
	}
	actor, reason := regiongraph.ActorFrom(ctx), regiongraph.ReasonFrom(ctx)
	if err := regiongraph.ValidateReason(reason); err != nil {
		return regiongraph.ApplyResult{}, err
	}
	now := time.Now
	if s.cfg.Now != nil {
		now = s.cfg.Now
	}
	// The driver retries the transaction on transient errors, including a
	// connection lost while committing, when the outcome is unknown. Every
	// attempt records applyID with its history; a retry that finds it knows
	// an earlier attempt committed and answers with that attempt's result
	// instead of replaying the batch (which would report its creates as
	// CONFLICT).
	var b [16]byte
	_, _ = rand.Read(b[:])
	applyID := hex.EncodeToString(b[:])
	var (
		tried   bool
		settled regiongraph.ApplyResult
	)
	return inTx(ctx, s, "apply", true, func(ctx context.Context, r txRunner) (regiongraph.ApplyResult, error) {
		// The lock first, so that everything read below is what the
		// batches before this one committed.
		if err := lockHistory(ctx, r); err != nil {
			return regiongraph.ApplyResult{}, err
		}
		if tried {
			done, err := applied(ctx, r, applyID)
			if err != nil {
				return regiongraph.ApplyResult{}, err
			}
			if done {
				return settled, nil
			}
		}
		tried = true
		p, err := loadPlay(ctx, r, changes)
		if err != nil {
			return regiongraph.ApplyResult{}, err
		}
		res, err := p.play(changes)
		if err != nil {
			return regiongraph.ApplyResult{}, err
		}
		if err := p.write(ctx, r); err != nil {
			return regiongraph.ApplyResult{}, err
		}
		if err := appendHistory(ctx, r, p.log, now().UTC(), actor, reason, applyID); err != nil {
			return regiongraph.ApplyResult{}, err
		}
		// Last: the read gate's exclusive lock, held until the commit has
		// been applied, so no reader sees part of this batch.
		if err := r.gate(ctx, "apply_gate"); err != nil {
			return regiongraph.ApplyResult{}, err
		}
		settled = res
		return res, nil
	})
}

// play is the state a batch is played against: the stored nodes and
// relations it touches, then the batch's changes to them.
type play struct {
	origNodes map[string]*regiongraph.Node // as stored (absent: not stored)
	origEdges map[string]*regiongraph.Edge
	nodes     map[string]*regiongraph.Node // current; nil: deleted or absent
	edges     map[string]*regiongraph.Edge
	nodeGone  map[string]bool             // a stored node deleted at some point
	stubs     map[string]bool             // nodes read as id and kind only (loadEnds)
	edgeGone  map[string]bool             // a stored relation deleted at some point
	log       []*regiongraph.HistoryEntry // the batch's history, in order
	reason    string                      // the Reason of the change being played
}

func newPlay() *play {
	return &play{
		origNodes: map[string]*regiongraph.Node{}, origEdges: map[string]*regiongraph.Edge{},
		nodes: map[string]*regiongraph.Node{}, edges: map[string]*regiongraph.Edge{},
		nodeGone: map[string]bool{}, edgeGone: map[string]bool{}, stubs: map[string]bool{},
	}
}

// loadPlay reads what the batch touches: whole, the nodes it changes and
// the relations it names; of the other ends of its relations, only their
// kinds (stubs, never written back).
func loadPlay(ctx context.Context, r txRunner, changes []regiongraph.Change) (*play, error) {
	var nodeIDs, endIDs, edgeIDs, deleted []string
	for _, c := range changes {
		switch c.Op {
		case regiongraph.OpCreateNode, regiongraph.OpUpdateNode, regiongraph.OpUpsertNode:
			nodeIDs = append(nodeIDs, c.Node.ID)
		case regiongraph.OpDeleteNode:
			nodeIDs = append(nodeIDs, c.ID)
			deleted = append(deleted, c.ID)
		case regiongraph.OpCreateEdge, regiongraph.OpUpdateEdge, regiongraph.OpUpsertEdge:
			edgeIDs = append(edgeIDs, c.Edge.ID)
			endIDs = append(endIDs, c.Edge.From, c.Edge.To)
		case regiongraph.OpDeleteEdge:
			edgeIDs = append(edgeIDs, c.ID)
		}
	}
	p := newPlay()
	nodeIDs = dedupe(nodeIDs)
	nodes, err := nodesByID(ctx, r, nodeIDs)
	if err != nil {
		return nil, err
	}
	for id, n := range nodes {
		p.origNodes[id] = n
	}
	whole := make(map[string]bool, len(nodeIDs))
	for _, id := range nodeIDs {
		whole[id] = true
	}
	var ends []string
	for _, id := range dedupe(endIDs) {
		if !whole[id] {
			ends = append(ends, id)
		}
	}
	if err := p.loadEnds(ctx, r, ends); err != nil {
		return nil, err
	}
	if err := p.loadEdgesByID(ctx, r, dedupe(edgeIDs)); err != nil {
		return nil, err
	}
	for chunk := range slices.Chunk(dedupe(deleted), batchSize) {
		params := map[string]any{"nodeIds": chunk, "ids": nil, "kinds": nil, "year": nil}
		if err := p.loadEdges(ctx, r, "edges_both", params); err != nil {
			return nil, err
		}
	}
	for id, n := range p.origNodes {
		p.nodes[id] = n
	}
	for id, e := range p.origEdges {
		p.edges[id] = e
	}
	return p, nil
}

// loadEnds reads the kinds of the nodes ids (nodes_kinds) as stubs: a node
// with its id and kind only, which the batch reads (a relation's end must
// exist and be of a kind the relation allows) but never changes or writes.
func (p *play) loadEnds(ctx context.Context, r txRunner, ids []string) error {
	for chunk := range slices.Chunk(ids, applyBatch) {
		recs, err := r.run(ctx, "nodes_kinds", map[string]any{"ids": chunk})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			id, err := recordValue[string](rec, "id")
			if err != nil {
				return err
			}
			v, _ := rec.Get("labels")
			labels, err := stringList(v)
			if err != nil {
				return fmt.Errorf("neo4jstore: node %q: labels: %w", id, err)
			}
			kind, err := kindOf(labels)
			if err != nil {
				return fmt.Errorf("neo4jstore: node %q: %w", id, err)
			}
			n := &regiongraph.Node{ID: id, Kind: kind}
			p.origNodes[id] = n
			p.stubs[id] = true
		}
	}
	return nil
}

// pointLookupMax is the most relation ids read by one index seek per id
// and type (edges_by_id); more are read by ranges (edges_by_id_range).
const pointLookupMax = 64

// loadEdgesByID reads the stored relations with the given ids, whatever
// their type, with statements per type (Neo4j indexes relationship
// properties per type): a few ids by seeking each in every type's id index
// (edges_by_id); many first by reading each type's index over ranges of
// up to applyBatch ids in id order (edges_by_id_range, whose ranges do not
// overlap, so no index entry is read twice, and which send two ids rather
// than thousands), then the ids found that the batch names (edges_by_id).
func (p *play) loadEdgesByID(ctx context.Context, r txRunner, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) <= pointLookupMax {
		for _, k := range regiongraph.RelKinds {
			if err := p.loadEdgesWith(ctx, r, r.st.edgesByID[k], map[string]any{"ids": ids}); err != nil {
				return err
			}
		}
		return nil
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	for _, k := range regiongraph.RelKinds {
		var found []string
		for chunk := range slices.Chunk(ids, applyBatch) {
			recs, err := r.runStatement(ctx, r.st.edgesByIDRange[k], map[string]any{"lo": chunk[0], "hi": chunk[len(chunk)-1]})
			if err != nil {
				return err
			}
			for _, rec := range recs {
				id, err := recordValue[string](rec, "id")
				if err != nil {
					return err
				}
				if want[id] {
					found = append(found, id)
				}
			}
		}
		for chunk := range slices.Chunk(found, applyBatch) {
			if err := p.loadEdgesWith(ctx, r, r.st.edgesByID[k], map[string]any{"ids": chunk}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *play) loadEdges(ctx context.Context, r txRunner, name string, params map[string]any) error {
	st, err := r.st.stmt(name)
	if err != nil {
		return err
	}
	return p.loadEdgesWith(ctx, r, st, params)
}

func (p *play) loadEdgesWith(ctx context.Context, r txRunner, st Statement, params map[string]any) error {
	recs, err := r.runStatement(ctx, st, params)
	if err != nil {
		return err
	}
	edges, err := collectEdges(recs)
	if err != nil {
		return err
	}
	for _, e := range edges {
		p.origEdges[e.ID] = e
	}
	return nil
}

// equalJSON reports whether two values have the same JSON form, under which
// a missing list and an empty one are the same (omitempty).
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func at(i int, field string) string { return fmt.Sprintf("changes[%d].%s", i, field) }

// play plays the changes in order, returning the result or the first error.
func (p *play) play(changes []regiongraph.Change) (regiongraph.ApplyResult, error) {
	var res regiongraph.ApplyResult
	for i, c := range changes {
		p.reason = c.Reason
		switch c.Op {
		case regiongraph.OpCreateNode, regiongraph.OpUpdateNode, regiongraph.OpUpsertNode:
			n := c.Node.Clone()
			cur := p.nodes[n.ID]
			if len(c.Fields) > 0 && cur != nil { // partial update
				merged, err := regiongraph.MergeNode(cur, c.Node, c.Fields)
				if err != nil {
					return res, regiongraph.WithField(err, at(i, "node"))
				}
				n = merged
			}
			switch {
			case cur == nil && c.Op == regiongraph.OpUpdateNode:
				return res, errNotFound(at(i, "node.id"), "no node %q", n.ID)
			case cur != nil && c.Op == regiongraph.OpCreateNode:
				return res, errConflict(at(i, "node.id"), "node %q already exists", n.ID)
			case cur == nil:
				res.Created++
			case cur.Kind != n.Kind:
				return res, regiongraph.FieldErrorf(at(i, "node.kind"), "node %q is a %s; its kind may not change to %s", n.ID, cur.Kind, n.Kind)
			case equalJSON(cur, n):
				res.Unchanged++
			default:
				res.Updated++
			}
			switch {
			case cur == nil:
				p.record(regiongraph.OpCreateNode, n.ID, nil, n, nil, nil)
			case !equalJSON(cur, n):
				p.record(regiongraph.OpUpdateNode, n.ID, cur, n, nil, nil)
			}
			p.nodes[n.ID] = n
			res.Nodes = append(res.Nodes, n.Clone())

		case regiongraph.OpDeleteNode:
			cur := p.nodes[c.ID]
			if cur == nil || (c.Kind != "" && cur.Kind != c.Kind) {
				what := "node"
				if c.Kind != "" {
					what = string(c.Kind)
				}
				return res, errNotFound(at(i, "id"), "no %s %q", what, c.ID)
			}
			var rels []string
			for id, e := range p.edges {
				if e != nil && (e.From == c.ID || e.To == c.ID) {
					rels = append(rels, id)
				}
			}
			if len(rels) > 0 && !c.Detach {
				return res, errConflict(at(i, "id"), "node %q has %d relations; delete them first or set detach", c.ID, len(rels))
			}
			slices.Sort(rels)
			for _, id := range rels {
				p.record(regiongraph.OpDeleteEdge, id, nil, nil, p.edges[id], nil)
				p.deleteEdge(id)
			}
			p.record(regiongraph.OpDeleteNode, c.ID, cur, nil, nil, nil)
			p.nodes[c.ID] = nil
			if _, stored := p.origNodes[c.ID]; stored {
				p.nodeGone[c.ID] = true
			}
			res.Deleted++
			res.Nodes = append(res.Nodes, cur.Clone())

		case regiongraph.OpCreateEdge, regiongraph.OpUpdateEdge, regiongraph.OpUpsertEdge:
			e := c.Edge.Clone()
			cur := p.edges[e.ID]
			if len(c.Fields) > 0 && cur != nil { // partial update
				merged, err := regiongraph.MergeEdge(cur, c.Edge, c.Fields)
				if err != nil {
					return res, regiongraph.WithField(err, at(i, "edge"))
				}
				e = merged
			}
			switch {
			case cur == nil && c.Op == regiongraph.OpUpdateEdge:
				return res, errNotFound(at(i, "edge.id"), "no relation %q", e.ID)
			case cur != nil && c.Op == regiongraph.OpCreateEdge:
				return res, errConflict(at(i, "edge.id"), "relation %q already exists", e.ID)
			case cur == nil:
				from, to := p.nodes[e.From], p.nodes[e.To]
				if from == nil {
					return res, errNotFound(at(i, "edge.from"), "no node %q", e.From)
				}
				if to == nil {
					return res, errNotFound(at(i, "edge.to"), "no node %q", e.To)
				}
				if err := regiongraph.CheckEndpoints(e.Kind, from.Kind, to.Kind); err != nil {
					return res, regiongraph.WithField(err, at(i, "edge"))
				}
				res.Created++
			case cur.Kind != e.Kind:
				return res, regiongraph.FieldErrorf(at(i, "edge.kind"), "relation %q is %s; its kind may not change to %s", e.ID, cur.Kind, e.Kind)
			case cur.From != e.From:
				return res, regiongraph.FieldErrorf(at(i, "edge.from"), "relation %q is from %q; its ends may not change", e.ID, cur.From)
			case cur.To != e.To:
				return res, regiongraph.FieldErrorf(at(i, "edge.to"), "relation %q is to %q; its ends may not change", e.ID, cur.To)
			case equalJSON(cur, e):
				res.Unchanged++
			default:
				res.Updated++
			}
			switch {
			case cur == nil:
				p.record(regiongraph.OpCreateEdge, e.ID, nil, nil, nil, e)
			case !equalJSON(cur, e):
				p.record(regiongraph.OpUpdateEdge, e.ID, nil, nil, cur, e)
			}
			p.edges[e.ID] = e
			res.Edges = append(res.Edges, e.Clone())

		case regiongraph.OpDeleteEdge:
			cur := p.edges[c.ID]
			if cur == nil {
				return res, errNotFound(at(i, "id"), "no relation %q", c.ID)
			}
			p.record(regiongraph.OpDeleteEdge, c.ID, nil, nil, cur, nil)
			p.deleteEdge(c.ID)
			res.Deleted++
			res.Edges = append(res.Edges, cur.Clone())

		default:
			return res, regiongraph.FieldErrorf(at(i, "op"), "unknown change %q", c.Op)
		}
	}
	return res, nil
}

func (p *play) deleteEdge(id string) {
	p.edges[id] = nil
	if _, stored := p.origEdges[id]; stored {
		p.edgeGone[id] = true
	}
}

// writeStep is one batched write: a statement, its rows and the parameter
// they go in.
type writeStep struct {
	stmt  Statement
	param string
	rows  []any
}

// plan returns the writes that turn the stored state into the played one,
// in order: delete relations, delete nodes, create nodes by kind, replace
// nodes, create relations by kind, replace relations.
func (p *play) plan(st *stmts) ([]writeStep, error) {
	get := func(name string) (Statement, error) { return st.stmt(name) }
	var steps []writeStep
	add := func(s Statement, param string, rows []any) {
		if len(rows) > 0 {
			steps = append(steps, writeStep{stmt: s, param: param, rows: rows})
		}
	}
	sortedKeys := func(m map[string]bool) []string {
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}

	var rows []any
	for _, id := range sortedKeys(p.edgeGone) {
		e := p.origEdges[id]
		rows = append(rows, map[string]any{"id": e.ID, "from": e.From, "to": e.To})
	}
	s, err := get("apply_delete_edges")
	if err != nil {
		return nil, err
	}
	add(s, "edges", rows)

	rows = nil
	for _, id := range sortedKeys(p.nodeGone) {
		rows = append(rows, id)
	}
	if s, err = get("apply_delete_nodes"); err != nil {
		return nil, err
	}
	add(s, "ids", rows)

	nodeIDs := make([]string, 0, len(p.nodes))
	for id := range p.nodes {
		nodeIDs = append(nodeIDs, id)
	}
	slices.Sort(nodeIDs)
	create := map[regiongraph.Kind][]any{}
	var update []any
	for _, id := range nodeIDs {
		n := p.nodes[id]
		if n == nil || p.stubs[id] {
			continue
		}
		orig, stored := p.origNodes[id]
		switch {
		case !stored || p.nodeGone[id]:
			create[n.Kind] = append(create[n.Kind], nodeProps(n))
		case !equalJSON(orig, n):
			update = append(update, nodeProps(n))
		}
	}
	for _, k := range regiongraph.Kinds {
		add(st.createNodes[k], "nodes", create[k])
	}
	if s, err = get("apply_update_nodes"); err != nil {
		return nil, err
	}
	add(s, "nodes", update)

	edgeIDs := make([]string, 0, len(p.edges))
	for id := range p.edges {
		edgeIDs = append(edgeIDs, id)
	}
	slices.Sort(edgeIDs)
	createE := map[regiongraph.RelKind][]any{}
	update = nil
	for _, id := range edgeIDs {
		e := p.edges[id]
		if e == nil {
			continue
		}
		row := map[string]any{"id": e.ID, "from": e.From, "to": e.To, "props": edgeProps(e)}
		orig, stored := p.origEdges[id]
		switch {
		case !stored || p.edgeGone[id]:
			createE[e.Kind] = append(createE[e.Kind], row)
		case !equalJSON(orig, e):
			update = append(update, row)
		}
	}
	for _, k := range regiongraph.RelKinds {
		add(st.createEdges[k], "edges", createE[k])
	}
	if s, err = get("apply_update_edges"); err != nil {
		return nil, err
	}
	add(s, "edges", update)
	return steps, nil
}

// write runs the plan in batches, failing with CONFLICT when a write does
// not touch exactly the rows it was given (the graph changed underneath).
func (p *play) write(ctx context.Context, r txRunner) error {
	steps, err := p.plan(r.st)
	if err != nil {
		return err
	}
	for _, step := range steps {
		for chunk := range slices.Chunk(step.rows, applyBatch) {
			recs, err := r.runStatement(ctx, step.stmt, map[string]any{step.param: chunk})
			if err != nil {
				return err
			}
			if len(recs) != 1 {
				return fmt.Errorf("neo4jstore: %s: %w", step.stmt.Name, errNoRows)
			}
			n, err := recordInt(recs[0], "n")
			if err != nil {
				return err
			}
			if int(n) != len(chunk) {
				return errConflict("changes", "the graph changed while the batch was applied (%s touched %d of %d); try again", step.stmt.Name, n, len(chunk))
			}
		}
	}
	return nil
}
