package regiongraph

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Direction selects which relations of a node to follow.
type Direction string

const (
	Out  Direction = "OUT"  // relations whose From is the node
	In   Direction = "IN"   // relations whose To is the node
	Both Direction = "BOTH" // either
)

// OrderField is what node lists are ordered by. Ties are broken by id, so the
// order is total and stable.
type OrderField string

const (
	OrderByName     OrderField = "NAME"      // lower-cased name
	OrderByID       OrderField = "ID"        // id
	OrderByPlanYear OrderField = "PLAN_YEAR" // plan year, missing last
	OrderByCostNok  OrderField = "COST_NOK"  // cost, missing last
	OrderByCode     OrderField = "CODE"      // code as text, missing last
)

// Order is a node ordering. Missing values sort after every value when
// ascending and before every value when descending (as null does in Neo4j).
type Order struct {
	Field OrderField
	Desc  bool
}

// Related restricts nodes to those joined by a relation of Kind to one of
// NodeIDs, in Direction as seen from the node being filtered (Out: the node is
// From). With Year set, only relations that hold in that year count.
type Related struct {
	Kind      RelKind
	Direction Direction
	NodeIDs   []string
}

// NodeFilter selects, orders and pages nodes. Every set field must match.
type NodeFilter struct {
	Kinds    []Kind
	IDs      []string
	Text     string    // search text: folded, case-insensitive substring of name or an alias
	PlanYear *int      // Initiative and Plan
	Code     string    // exact code
	Related  []Related // all must hold
	Year     *int      // applies to Related
	Order    Order     // default: by name
	First    int       // page size; 0 means DefaultPageSize, capped at MaxPageSize
	After    string    // cursor from a previous page's EndCursor
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
	MaxBatchIDs     = 10000 // ids in one Nodes or Edges call
)

// NodePage is one page of a node list.
type NodePage struct {
	Nodes       []*Node
	TotalCount  int    // nodes matching the filter over all pages
	EndCursor   string // cursor of the last node on this page
	HasNextPage bool
}

// EdgeFilter selects relations. With NodeIDs set, relations touching one of
// them in Direction; IDs, Kinds and Year narrow further. An empty filter
// matches every relation.
type EdgeFilter struct {
	IDs       []string
	NodeIDs   []string
	Direction Direction // default Both
	Kinds     []RelKind
	Year      *int
}

// Expansion is one relation level read for many nodes at once (see
// Store.Expand): the relations, ordered by id, and the nodes at their other
// ends, each once, ordered by id. A relation's other end is, for each node of
// the filter's NodeIDs it was selected through (respecting the direction),
// Edge.Other of that node; so with Direction Both a relation between two of
// NodeIDs brings both of its ends.
//
// Nodes and Edges returned by a store's reads may be shared with the store
// and with other readers: callers must not modify them (Clone first).
type Expansion struct {
	Edges []*Edge
	Nodes []*Node
}

// ValidateExpand checks that f names the nodes to expand, and f itself.
func (f EdgeFilter) ValidateExpand() error {
	if len(f.NodeIDs) == 0 {
		return FieldErrorf("nodeIds", "name the nodes whose relations to expand")
	}
	return f.Validate()
}

// RelationDegrees describe one relation kind: how many relations there are
// and how they spread over the nodes at each end.
type RelationDegrees struct {
	Count   int     // relations of this kind
	MaxOut  int     // the most of them leaving one node
	MaxIn   int     // the most of them entering one node
	MeanOut float64 // per node with at least one leaving it; 0 when none
	MeanIn  float64 // per node with at least one entering it; 0 when none
}

// Max is the most relations of this kind one node has in direction d (for
// Both, leaving and entering added up: a bound, not always reached).
func (r RelationDegrees) Max(d Direction) int {
	switch d {
	case Out:
		return r.MaxOut
	case In:
		return r.MaxIn
	}
	return r.MaxOut + r.MaxIn
}

// GraphStats are a graph's cardinalities, for estimating what a query
// returns before running it. Kinds without nodes or relations are absent.
type GraphStats struct {
	Nodes     map[Kind]int
	Relations map[RelKind]RelationDegrees
	// The most relations of any kind one node has: leaving it, entering
	// it, and in all.
	MaxOut, MaxIn, MaxBoth int
}

// MaxDegree is the most relations of any kind one node has in direction d.
func (s GraphStats) MaxDegree(d Direction) int {
	switch d {
	case Out:
		return s.MaxOut
	case In:
		return s.MaxIn
	}
	return s.MaxBoth
}

// StatsMaxAge bounds how stale a store's Stats may be for changes it did
// not make itself (another process writing to the same Neo4j).
const StatsMaxAge = time.Minute

// SubgraphFilter selects a subgraph. With Roots set, the nodes within Depth
// hops of them (following relations in either direction, only through the
// allowed kinds and relations); otherwise every node of the allowed kinds.
// Edges are those of the allowed relations with both ends in the node set.
type SubgraphFilter struct {
	Kinds     []Kind    // empty: every kind
	Relations []RelKind // empty: every relation kind
	Year      *int
	Roots     []string
	Depth     int // with Roots: 0..MaxDepth
	MaxNodes  int // 0: no limit; when exceeded the result is cut and Truncated set
}

// MaxDepth bounds neighbourhoods; MaxHops bounds paths.
const (
	MaxDepth = 3
	MaxHops  = 6
)

// Subgraph is a set of nodes and the relations among them, ordered by id.
type Subgraph struct {
	Nodes     []*Node
	Edges     []*Edge
	Truncated bool
}

// PathOptions bound a shortest-path search. Relations are followed in either
// direction.
type PathOptions struct {
	MaxHops   int       // 1..MaxHops; 0 means MaxHops
	Relations []RelKind // empty: every relation kind
	Kinds     []Kind    // kinds the path may pass through (ends excepted); empty: every kind
	Year      *int
	First     int // at most this many paths; 0 means 10
}

// Path is a chain of relations from one node to another: Nodes[i] and
// Nodes[i+1] are joined by Edges[i] (in either direction).
type Path struct {
	Nodes []*Node
	Edges []*Edge
}

// Op is what a change does.
type Op string

const (
	OpCreateNode Op = "CREATE_NODE"
	OpUpdateNode Op = "UPDATE_NODE" // replaces the node's fields (kind may not change)
	OpUpsertNode Op = "UPSERT_NODE" // create or replace; idempotent
	OpDeleteNode Op = "DELETE_NODE"
	OpCreateEdge Op = "CREATE_EDGE"
	OpUpdateEdge Op = "UPDATE_EDGE" // replaces the relation's fields (kind and ends may not change)
	OpUpsertEdge Op = "UPSERT_EDGE"
	OpDeleteEdge Op = "DELETE_EDGE"
)

// Change is one change in a batch given to Store.Apply. Node is set for
// create, update and upsert of nodes; Edge for those of relations; ID for
// deletes. Detach lets a node delete remove its relations too.
//
// Fields makes an update partial: with UPDATE_NODE or UPDATE_EDGE and Fields
// not empty, only the named fields (their JSON names, "costNok", "source",
// ...) are taken from Node or Edge, and every other field keeps its value; a
// named field that is empty in Node or Edge is cleared. The store merges in
// the write transaction, so concurrent partial updates of different fields
// do not undo each other, and validates the merged result. A partial node
// update still gives Node.ID and Node.Kind (which must be the node's kind);
// a partial relation update gives Edge.ID, and Kind, From and To only if
// they are the relation's own. Id, kind and a relation's ends cannot be named.
//
// Kind, with DELETE_NODE, requires the node to be of that kind: a node of
// another kind is NOT_FOUND, as if there were none.
//
// Reason, when set, is the reason the history records for this change (for
// every entry it makes, a detach's relation deletes included) instead of
// ReasonFrom(ctx); it is checked as ValidateReason checks a reason. A bulk
// import uses it to name the file and row each change comes from.
type Change struct {
	Op     Op
	Node   *Node
	Edge   *Edge
	ID     string
	Detach bool
	Fields []string
	Kind   Kind
	Reason string
}

// ApplyResult is what a batch changed, in the order of the changes: the node
// or relation after each change (before it, for deletes).
type ApplyResult struct {
	Nodes     []*Node
	Edges     []*Edge
	Created   int
	Updated   int
	Deleted   int
	Unchanged int // upserts and updates that found the node or relation already equal
}

// Store keeps the graph. Implementations are safe for concurrent use.
// Every method may also return UNAVAILABLE when the backing database cannot
// be reached and INTERNAL for anything unexpected.
type Store interface {
	// Nodes returns the nodes with the given ids, in the order of ids, skipping
	// ids that do not exist and returning each node once. More than
	// MaxBatchIDs ids is BAD_USER_INPUT.
	Nodes(ctx context.Context, ids []string) ([]*Node, error)

	// FindNodes returns one page of the nodes matching f, in f.Order then id.
	// A malformed cursor, unknown kind or order is BAD_USER_INPUT.
	FindNodes(ctx context.Context, f NodeFilter) (NodePage, error)

	// Edges returns the relations matching f, ordered by id. More than
	// MaxBatchIDs node ids is BAD_USER_INPUT.
	Edges(ctx context.Context, f EdgeFilter) ([]*Edge, error)

	// Expand returns the relations matching f, as Edges does, together with
	// the nodes at their other ends, in one call: one relation level of a
	// query for many nodes at once. f.NodeIDs must not be empty
	// (BAD_USER_INPUT otherwise). See Expansion for what Nodes holds.
	Expand(ctx context.Context, f EdgeFilter) (Expansion, error)

	// Stats returns the graph's cardinalities: nodes per kind, relations
	// per kind with their highest and mean degrees. The store keeps them
	// current: they reflect every Apply that has returned (on Neo4j, writes
	// by other processes show within StatsMaxAge).
	Stats(ctx context.Context) (GraphStats, error)

	// Subgraph returns the nodes and relations selected by f. A Depth outside
	// 0..MaxDepth is BAD_USER_INPUT; a root that does not exist is NOT_FOUND.
	Subgraph(ctx context.Context, f SubgraphFilter) (*Subgraph, error)

	// ShortestPaths returns up to o.First shortest paths between from and to,
	// ordered by the ids along them. No path within o.MaxHops is an empty
	// result. A missing endpoint is NOT_FOUND; MaxHops outside 0..MaxHops is
	// BAD_USER_INPUT.
	ShortestPaths(ctx context.Context, from, to string, o PathOptions) ([]Path, error)

	// Search finds nodes by what the plans say about them: name, aliases,
	// code, description, goals, activities and source quote, analysed as
	// regiongraph.SearchTokens describes, every query term matching, ranked
	// by regiongraph.RankCandidates (at most q.First hits; TotalCount all).
	// An empty or over-long query, or one matching more than
	// MaxSearchCandidates nodes, is BAD_USER_INPUT. The hits' nodes may be
	// shared with the store, as every read's (see Expansion).
	Search(ctx context.Context, q SearchQuery) (SearchResult, error)

	// Apply applies changes atomically: all or nothing. An invalid change is
	// BAD_USER_INPUT (with the field path, prefixed "changes[i]"); creating an
	// id that exists is CONFLICT; updating, deleting or relating an id that
	// does not exist is NOT_FOUND; deleting a node that has relations without
	// Detach is CONFLICT.
	//
	// Every change that alters the graph is recorded in the history (see
	// HistoryEntry) in the same transaction, with the actor ActorFrom(ctx)
	// and the reason ReasonFrom(ctx); an invalid reason is BAD_USER_INPUT on
	// the field "reason". A batch that fails records nothing.
	Apply(ctx context.Context, changes []Change) (ApplyResult, error)

	// History returns one page of the change history, newest first (by
	// HistoryEntry.Seq, descending). An invalid id, page size or cursor is
	// BAD_USER_INPUT; an id with no history is an empty page, not NOT_FOUND.
	History(ctx context.Context, f HistoryFilter) (HistoryPage, error)

	// Close releases the store.
	Close() error
}

// Versioned is implemented by a store that can name the state of its graph
// cheaply, so that work derived from the whole graph (package analysis) can
// be computed once per state and shared. Both stores implement it.
type Versioned interface {
	// GraphVersion returns the graph's current version. Two calls that
	// return the same version saw the same graph.
	GraphVersion(ctx context.Context) (GraphVersion, error)
}

// GraphVersion names one state of one store's graph.
type GraphVersion struct {
	// Store identifies the Store value in this process (NewStoreID): two
	// stores never share it, even on the same file or database.
	Store uint64
	// Seq is the Seq of the newest history entry (0 for none). Every Apply
	// that changes the graph records at least one entry, so Seq changes
	// whenever the graph does.
	Seq int64
	// Nodes and Relations are how many the graph holds: cheap counts for
	// bounding work before reading the graph.
	Nodes, Relations int
}

// ErrNoVersion is what a store wrapping another (metrics, a guard) answers
// from GraphVersion when the store it wraps is not Versioned; callers then
// read the graph as if there were no version.
var ErrNoVersion = errors.New("regiongraph: the store does not version its graph")

// VersionOf returns store's graph version, or ErrNoVersion when it has none.
func VersionOf(ctx context.Context, store Store) (GraphVersion, error) {
	v, ok := store.(Versioned)
	if !ok {
		return GraphVersion{}, ErrNoVersion
	}
	return v.GraphVersion(ctx)
}

var storeIDs atomic.Uint64

// NewStoreID returns a number no other call in this process returns, for
// GraphVersion.Store.
func NewStoreID() uint64 { return storeIDs.Add(1) }

// NodeDegreer is a store that can tell at once how many relations one node
// has, for estimating a query about that node before running it.
type NodeDegreer interface {
	// NodeDegrees returns node id's relations as GraphStats of a graph of
	// that node alone: for each relation kind, Count and MaxOut are the
	// relations leaving it and MaxIn those entering it; MaxOut, MaxIn and
	// MaxBoth its relations of any kind; Nodes is empty. A node that does
	// not exist has none.
	NodeDegrees(ctx context.Context, id string) (GraphStats, error)
}

// NodeDegreesOf returns node id's degrees from store, or ErrNoNodeDegrees
// when it cannot tell them at once.
func NodeDegreesOf(ctx context.Context, store Store, id string) (GraphStats, error) {
	d, ok := store.(NodeDegreer)
	if !ok {
		return GraphStats{}, ErrNoNodeDegrees
	}
	return d.NodeDegrees(ctx, id)
}

// ErrNoNodeDegrees is what NodeDegreesOf, and a store wrapping another,
// answers when the store cannot tell a node's degrees at once.
var ErrNoNodeDegrees = errors.New("regiongraph: the store does not tell a node's degrees")
