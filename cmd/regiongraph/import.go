package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

const importHelp = `Usage: regiongraph import [flags] [file]

Loads a dataset (the bundled Kongsbergregionen one, or a YAML file in the
format of data/kongsbergregionen.yaml) into the store with upserts: a second
import of the same dataset changes nothing and says so.

It opens the store itself, so with the embedded store it cannot run while
"regiongraph serve" holds the data file: stop the server, or import through
it with -server URL and an admin token in $REGIONGRAPH_TOKEN (see
"regiongraph token -role admin").
`

// importCmd loads a dataset into the store with upserts: a second import of
// the same dataset changes nothing and says so.
func (a *app) importCmd(ctx context.Context, args []string) error {
	c, rest, err := a.parse("import", forImport, importHelp, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		fmt.Fprintf(a.stderr, "regiongraph import: takes at most one dataset file, got %q\n", rest)
		return errUsage
	}
	b, name := data.Kongsbergregionen, data.KongsbergregionenFile
	if len(rest) == 1 {
		name = rest[0]
		if b, err = os.ReadFile(name); err != nil {
			return fmt.Errorf("read the dataset: %w", err)
		}
	}
	ds, err := dataset.ParseBytes(b, name)
	if err != nil {
		return err
	}
	if c.server != "" {
		return a.importThrough(ctx, c.server, b, name, ds)
	}
	log := a.logger(c)
	store, err := a.openStore(ctx, c, log, openOptions{inUseAdvice: "Stop the server, or import through it:\n  REGIONGRAPH_TOKEN=<an admin token> regiongraph import -server http://localhost:8080" + fileArg(rest)})
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := store.Apply(ctx, ds.Changes())
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	a.printCounts(ds)
	a.printResult(name, res.Created, res.Updated, res.Unchanged)
	return nil
}

func fileArg(rest []string) string {
	if len(rest) == 1 {
		return " " + rest[0]
	}
	return ""
}

func (a *app) printResult(name string, created, updated, unchanged int) {
	if created == 0 && updated == 0 {
		fmt.Fprintf(a.stdout, "\nnothing changed: the store already holds %s (%d unchanged)\n", name, unchanged)
	} else {
		fmt.Fprintf(a.stdout, "\nimported %s: %d created, %d updated, %d unchanged\n", name, created, updated, unchanged)
	}
}

// importThrough sends the dataset to a running server's importDataset
// mutation (admin), with the token from $REGIONGRAPH_TOKEN.
func (a *app) importThrough(ctx context.Context, server string, yaml []byte, name string, ds *dataset.Dataset) error {
	token := a.getenv("REGIONGRAPH_TOKEN")
	if token == "" {
		return fmt.Errorf("import -server %s needs an admin token in $REGIONGRAPH_TOKEN (make one with \"regiongraph token -name NAME -role admin\" and add it to the server's tokens)", server)
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-server %q: give the server's URL, such as http://localhost:8080", server)
	}
	endpoint := strings.TrimSuffix(u.String(), "/")
	if !strings.HasSuffix(endpoint, "/graphql") {
		endpoint += "/graphql"
	}
	body, err := json.Marshal(map[string]any{
		"query": `mutation($yaml: String!, $reason: String) {
  importDataset(yaml: $yaml, reason: $reason) {
    applied
    created { id } updated { id } unchanged { id }
    rejected { line id reason }
  }
}`,
		"variables": map[string]any{"yaml": string(yaml), "reason": "regiongraph import " + name},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("import through %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			ImportDataset *struct {
				Applied                     bool
				Created, Updated, Unchanged []struct{ ID string }
				Rejected                    []struct {
					Line   *int
					ID     *string
					Reason string
				}
			}
		}
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("import through %s: read the answer: %w", endpoint, err)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("import through %s: HTTP %d, not a GraphQL answer: %.200s", endpoint, resp.StatusCode, raw)
	}
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		return fmt.Errorf("import through %s: %s: %s", endpoint, e.Extensions.Code, e.Message)
	}
	r := out.Data.ImportDataset
	if r == nil {
		return fmt.Errorf("import through %s: HTTP %d, no result", endpoint, resp.StatusCode)
	}
	if len(r.Rejected) > 0 {
		var lines []string
		for _, x := range r.Rejected {
			where := ""
			if x.Line != nil {
				where = fmt.Sprintf("line %d: ", *x.Line)
			}
			if x.ID != nil {
				where += *x.ID + ": "
			}
			lines = append(lines, "  "+where+x.Reason)
		}
		return fmt.Errorf("import through %s: the server rejected %s, nothing was applied:\n%s", endpoint, name, strings.Join(lines, "\n"))
	}
	a.printCounts(ds)
	a.printResult(name, len(r.Created), len(r.Updated), len(r.Unchanged))
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
