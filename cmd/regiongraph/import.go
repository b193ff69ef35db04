package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"text/tabwriter"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// importCmd loads a dataset into the store with upserts: a second import of
// the same dataset changes nothing and says so.
func (a *app) importCmd(ctx context.Context, args []string) error {
	var sf sheetFlags
	c, rest, err := a.parse("import", args, sf.define)
	if err != nil {
		return err
	}
	// Spreadsheets (.xlsx, .csv): compared with the store, applied as one
	// batch (see package sheet).
	if len(rest) > 0 && isSheet(rest[0]) {
		for _, f := range rest {
			if !isSheet(f) {
				return fmt.Errorf("import takes spreadsheets (.xlsx, .csv) or one dataset file, not both: %s", f)
			}
		}
		return a.sheetImport(ctx, c, rest, sf)
	}
	if sf.dryRun || sf.server != "" || sf.reason != "" || sf.json {
		return fmt.Errorf("-dry-run, -server, -reason and -json are for spreadsheets (.xlsx, .csv)")
	}
	if len(rest) > 1 {
		return fmt.Errorf("import takes at most one dataset file, got %d", len(rest))
	}
	b, name := data.Kongsbergregionen, data.KongsbergregionenFile
	if len(rest) == 1 {
		name = rest[0]
		if b, err = os.ReadFile(name); err != nil {
			return fmt.Errorf("read dataset: %w", err)
		}
	}
	ds, err := dataset.ParseBytes(b, name)
	if err != nil {
		return err
	}
	log := a.logger(c)
	store, err := a.openStore(ctx, c, log, openOptions{})
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := store.Apply(ctx, ds.Changes())
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	a.printCounts(ds)
	if res.Created == 0 && res.Updated == 0 {
		fmt.Fprintf(a.stdout, "\nnothing changed: the store already holds %s (%d unchanged)\n", name, res.Unchanged)
	} else {
		fmt.Fprintf(a.stdout, "\nimported %s: %d created, %d updated, %d unchanged\n", name, res.Created, res.Updated, res.Unchanged)
	}
	return nil
}

func (a *app) printCounts(ds *dataset.Dataset) {
	nodes := map[string]int{}
	for _, n := range ds.Nodes {
		nodes[string(n.Kind)]++
	}
	rels := map[string]int{}
	for _, e := range ds.Edges {
		rels[string(e.Kind)]++
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "nodes\tcount")
	for _, k := range rg.Kinds {
		if nodes[string(k)] > 0 {
			fmt.Fprintf(tw, "%s\t%d\n", k, nodes[string(k)])
		}
	}
	fmt.Fprintf(tw, "total\t%d\n\nrelations\tcount\n", len(ds.Nodes))
	keys := make([]string, 0, len(rels))
	for k := range rels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%d\n", k, rels[k])
	}
	fmt.Fprintf(tw, "total\t%d\n", len(ds.Edges))
	_ = tw.Flush()
}
