package regiongraph

import "sync"

// Validate checks a node filter: known kinds, relation kinds and directions,
// a known order, a valid page size and a well-formed cursor. It returns
// BAD_USER_INPUT naming the field.
func (f NodeFilter) Validate() error {
	for _, k := range f.Kinds {
		if !k.Valid() {
			return FieldErrorf("kinds", "unknown node kind %q", k)
		}
	}
	if len(f.IDs) > MaxBatchIDs {
		return FieldErrorf("ids", "%d ids; at most %d are allowed", len(f.IDs), MaxBatchIDs)
	}
	if err := checkText("text", f.Text, MaxNameLen, false); err != nil {
		return err
	}
	if err := checkYear("planYear", f.PlanYear); err != nil {
		return err
	}
	if err := checkYear("year", f.Year); err != nil {
		return err
	}
	for i, r := range f.Related {
		if !r.Kind.Valid() {
			return FieldErrorf("related["+itoa(i)+"].kind", "unknown relation kind %q", r.Kind)
		}
		if !validDirection(r.Direction) {
			return FieldErrorf("related["+itoa(i)+"].direction", "unknown direction %q", r.Direction)
		}
	}
	if !ValidOrderField(f.Order.Field) {
		return FieldErrorf("orderBy", "unknown order field %q", f.Order.Field)
	}
	if _, err := PageSize(f.First); err != nil {
		return err
	}
	if f.After != "" {
		if _, err := DecodeCursor(f.Order, f.After); err != nil {
			return err
		}
	}
	return nil
}

func validDirection(d Direction) bool { return d == "" || d == Out || d == In || d == Both }

// Validate checks an edge filter.
func (f EdgeFilter) Validate() error {
	if len(f.NodeIDs) > MaxBatchIDs {
		return FieldErrorf("nodeIds", "%d ids; at most %d are allowed", len(f.NodeIDs), MaxBatchIDs)
	}
	if len(f.IDs) > MaxBatchIDs {
		return FieldErrorf("ids", "%d ids; at most %d are allowed", len(f.IDs), MaxBatchIDs)
	}
	if !validDirection(f.Direction) {
		return FieldErrorf("direction", "unknown direction %q", f.Direction)
	}
	for _, k := range f.Kinds {
		if !k.Valid() {
			return FieldErrorf("kinds", "unknown relation kind %q", k)
		}
	}
	return checkYear("year", f.Year)
}

// Validate checks a subgraph filter.
func (f SubgraphFilter) Validate() error {
	for _, k := range f.Kinds {
		if !k.Valid() {
			return FieldErrorf("kinds", "unknown node kind %q", k)
		}
	}
	for _, k := range f.Relations {
		if !k.Valid() {
			return FieldErrorf("relations", "unknown relation kind %q", k)
		}
	}
	if f.Depth < 0 || f.Depth > MaxDepth {
		return FieldErrorf("depth", "depth %d is outside 0..%d", f.Depth, MaxDepth)
	}
	if f.MaxNodes < 0 {
		return FieldErrorf("maxNodes", "must not be negative")
	}
	if len(f.Roots) > MaxBatchIDs {
		return FieldErrorf("roots", "%d ids; at most %d are allowed", len(f.Roots), MaxBatchIDs)
	}
	return checkYear("year", f.Year)
}

// Validate checks path options.
func (o PathOptions) Validate() error {
	if o.MaxHops < 0 || o.MaxHops > MaxHops {
		return FieldErrorf("maxHops", "maxHops %d is outside 1..%d", o.MaxHops, MaxHops)
	}
	if o.First < 0 || o.First > MaxPageSize {
		return FieldErrorf("first", "first %d is outside 1..%d", o.First, MaxPageSize)
	}
	for _, k := range o.Relations {
		if !k.Valid() {
			return FieldErrorf("relations", "unknown relation kind %q", k)
		}
	}
	for _, k := range o.Kinds {
		if !k.Valid() {
			return FieldErrorf("kinds", "unknown node kind %q", k)
		}
	}
	return checkYear("year", o.Year)
}

// MaxChanges bounds one Apply batch: a spreadsheet import of up to 50 000
// rows is one batch. (GraphQL's applyChanges is bounded lower by the
// request limits: max-json-items.)
const MaxChanges = 50000

// Validate checks a change on its own (not against the graph): the op, that
// the right one of Node, Edge and ID is set, and that the node or relation is
// valid. Errors name the field path within the change.
//
// A partial update (Fields set) is checked here only for its id, kind and
// field names; the store validates the merged node or relation.
func (c Change) Validate() error {
	if len(c.Fields) > 0 && c.Op != OpUpdateNode && c.Op != OpUpdateEdge {
		return FieldErrorf("fields", "only %s and %s may name fields", OpUpdateNode, OpUpdateEdge)
	}
	if c.Kind != "" && c.Op != OpDeleteNode {
		return FieldErrorf("kind", "only %s takes a kind", OpDeleteNode)
	}
	if err := ValidateReason(c.Reason); err != nil {
		return err
	}
	switch c.Op {
	case OpCreateNode, OpUpdateNode, OpUpsertNode:
		if c.Node == nil {
			return FieldErrorf("node", "is required for %s", c.Op)
		}
		if len(c.Fields) > 0 {
			if err := checkID("node.id", c.Node.ID); err != nil {
				return err
			}
			if !c.Node.Kind.Valid() {
				return FieldErrorf("node.kind", "unknown node kind %q", c.Node.Kind)
			}
			return checkFieldNames(c.Fields, nodeFieldNames)
		}
		return WithField(c.Node.Validate(), "node")
	case OpCreateEdge, OpUpdateEdge, OpUpsertEdge:
		if c.Edge == nil {
			return FieldErrorf("edge", "is required for %s", c.Op)
		}
		if len(c.Fields) > 0 {
			if err := checkID("edge.id", c.Edge.ID); err != nil {
				return err
			}
			if c.Edge.Kind != "" && !c.Edge.Kind.Valid() {
				return FieldErrorf("edge.kind", "unknown relation kind %q", c.Edge.Kind)
			}
			return checkFieldNames(c.Fields, edgeFieldNames)
		}
		return WithField(c.Edge.Validate(), "edge")
	case OpDeleteNode:
		if c.Kind != "" && !c.Kind.Valid() {
			return FieldErrorf("kind", "unknown node kind %q", c.Kind)
		}
		return checkID("id", c.ID)
	case OpDeleteEdge:
		return checkID("id", c.ID)
	}
	return FieldErrorf("op", "unknown change %q", c.Op)
}

// ValidateChanges checks a batch on its own: its size and every change, and
// returns the first error with its path "changes[i]...".
func ValidateChanges(changes []Change) error {
	if len(changes) == 0 {
		return FieldErrorf("changes", "no changes given")
	}
	if len(changes) > MaxChanges {
		return FieldErrorf("changes", "%d changes; at most %d are allowed in one batch", len(changes), MaxChanges)
	}
	// A large batch (an import) is checked on every core; the error is
	// the first change's that fails, as in order.
	const chunk = 4096
	n := (len(changes) + chunk - 1) / chunk
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		check := func() {
			for i := k * chunk; i < min((k+1)*chunk, len(changes)); i++ {
				if err := changes[i].Validate(); err != nil {
					errs[k] = WithField(err, "changes["+itoa(i)+"]")
					return
				}
			}
		}
		if n == 1 {
			check()
			break
		}
		wg.Add(1)
		go func() { defer wg.Done(); check() }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
