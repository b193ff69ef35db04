package sheet

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// Apply writes the planned changes in one Store.Apply batch: all or
// nothing. A Diff with refused rows writes nothing and is BAD_USER_INPUT
// (FORBIDDEN when a refused row is a delete without the admin role) naming
// the first refused row's sheet, row and column. A Diff without changes
// writes nothing and is no error. An error of the store about a change
// names the row the change comes from.
func (d *Diff) Apply(ctx context.Context, s rg.Store) (rg.ApplyResult, error) {
	if err := d.RefusedError(); err != nil {
		return rg.ApplyResult{}, err
	}
	if len(d.changes) == 0 {
		d.Applied = true
		return rg.ApplyResult{}, nil
	}
	res, err := s.Apply(ctx, d.Changes())
	if err != nil {
		return rg.ApplyResult{}, d.rowError(err)
	}
	d.Applied = true
	return res, nil
}

// RefusedError is nil when no row is refused, and otherwise the error Apply
// answers with.
func (d *Diff) RefusedError() error {
	if len(d.Refused) == 0 {
		return nil
	}
	code := rg.EBADINPUT
	for _, p := range d.Refused {
		if p.Code == rg.EFORBIDDEN {
			code = rg.EFORBIDDEN
			break
		}
	}
	more := ""
	if n := len(d.Refused); n > 1 {
		more = fmt.Sprintf(" (and %d more refused rows)", n-1)
	}
	return &rg.Error{Code: code, Message: fmt.Sprintf("nothing was written: %s%s", d.Refused[0], more)}
}

// rowError names the row of the change a store error is about
// ("changes[12].node.name").
func (d *Diff) rowError(err error) error {
	var e *rg.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Field, "changes[") {
		return fmt.Errorf("sheet: apply: %w", err)
	}
	end := strings.IndexByte(e.Field, ']')
	i, convErr := strconv.Atoi(e.Field[len("changes["):max(end, len("changes["))])
	if end < 0 || convErr != nil || i < 0 || i >= len(d.changes) {
		return fmt.Errorf("sheet: apply: %w", err)
	}
	field := strings.TrimLeft(e.Field[end+1:], ".")
	msg := fmt.Sprintf("nothing was written: %s: %s", d.changes[i].ref, e.Message)
	if field != "" {
		msg = fmt.Sprintf("nothing was written: %s: %s: %s", d.changes[i].ref, field, e.Message)
	}
	return &rg.Error{Code: e.Code, Message: msg}
}

// Import plans the files against the store and, unless dryRun, applies the
// plan. With expect set (a Digest from an earlier dry run) the plan must be
// the same or the import is CONFLICT: the graph changed since the user saw
// the diff. The Diff is returned with the error when rows are refused, so
// that the caller can show them.
func Import(ctx context.Context, s rg.Store, files []*File, o Options, dryRun bool, expect string) (*Diff, error) {
	d, err := Plan(ctx, s, files, o)
	if err != nil {
		return nil, err
	}
	d.DryRun = dryRun
	if dryRun {
		return d, nil
	}
	if err := d.RefusedError(); err != nil {
		return d, err
	}
	if expect != "" && expect != d.Digest {
		return d, rg.Errorf(rg.ECONFLICT, "the graph has changed since the dry run: nothing was written; look at the new diff and apply it")
	}
	if _, err := d.Apply(ctx, s); err != nil {
		return d, err
	}
	return d, nil
}
