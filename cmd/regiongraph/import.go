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
	c, rest, err := a.parse("import", args)
	if err != nil {
		return err
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
