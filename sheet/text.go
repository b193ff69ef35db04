package sheet

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes the diff as a readable table: what is created,
// updated (each changed column, old → new), deleted and refused, and the
// counts. Unchanged rows are only counted.
func (d *Diff) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	cell := func(s string) string {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\n", " ⏎ "), "\t", " ")
		if r := []rune(s); len(r) > 60 {
			s = string(r[:59]) + "…"
		}
		if s == "" {
			return "∅"
		}
		return s
	}
	section := func(title string, items []Item, verb string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(tw, "\n%s (%d)\n", title, len(items))
		fmt.Fprintln(tw, "sheet\trow\t\tid\tkind\tname")
		for _, it := range items {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", it.Sheet, it.Row, verb, it.ID, it.Kind, cell(it.Name))
			for _, f := range it.Fields {
				fmt.Fprintf(tw, "\t\t\t  %s:\t%s\t→ %s\n", f.Column, cell(f.Old), cell(f.New))
			}
			if len(it.Detached) > 0 {
				fmt.Fprintf(tw, "\t\t\t  and its %d relations:\t%s\n", len(it.Detached), cell(strings.Join(it.Detached, ", ")))
			}
		}
	}
	section("created", d.Created, "+")
	section("updated", d.Updated, "~")
	section("deleted", d.Deleted, "-")
	if len(d.Refused) > 0 {
		fmt.Fprintf(tw, "\nrefused (%d)\n", len(d.Refused))
		fmt.Fprintln(tw, "sheet\trow\tcolumn\tproblem")
		for _, p := range d.Refused {
			col := p.Column
			if p.Cell != "" {
				col += " (" + p.Cell + ")"
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", p.Sheet, p.Row, col, p.Message)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	c := d.Counts
	var status string
	switch {
	case c.Refused > 0:
		status = fmt.Sprintf("%d rows refused: nothing was written", c.Refused)
	case c.Changes == 0:
		status = "nothing changed: the store already holds what the files say (0 changes)"
	case d.Applied:
		status = fmt.Sprintf("imported: %d changes applied in one batch", c.Changes)
	default:
		status = fmt.Sprintf("dry run: %d changes would be imported; nothing was written", c.Changes)
	}
	_, err := fmt.Fprintf(w, "\n%d created, %d updated, %d deleted, %d unchanged, %d refused\n%s\n",
		c.Created, c.Updated, c.Deleted, c.Unchanged, c.Refused, status)
	return err
}
