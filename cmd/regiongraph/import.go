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
	"regexp"
	"slices"
	"sort"
	"strconv"
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

A file of any size is imported in one command: it is checked whole first
(nothing is written when it is not valid, or when it would change the kind
of a stored node or the kind or ends of a stored relation), then applied in
batches of -batch changes, nodes then relations (in id order when there is more
than one batch), each batch one transaction. If a batch fails, the batches before it stay applied and the
error says so: run the same import again to resume (what is applied is
unchanged). The embedded store's file is compacted afterwards when a fifth
of it is free. A file larger than 16 MB is imported with the Go collector
at GOGC=400 within a soft limit of 3/4 of the memory (less CPU, more
memory), unless GOGC or GOMEMLIMIT is set.

It opens the store itself, so with the embedded store it cannot run while
"regiongraph serve" holds the data file: stop the server, or import through
it with -server URL and an admin token in $REGIONGRAPH_TOKEN (see
"regiongraph token -role admin").

       regiongraph import [flags] FILE.xlsx|FILE.csv ...

Imports spreadsheets (docs/spreadsheets.md): shows what they change
(created, updated with each column's old and new value, deleted, unchanged,
refused rows with sheet, row and column) and applies exactly that in one
batch, or nothing when a row is refused. Several files are one batch. With
-server URL each file goes to the server's POST /import with an editor token
in $REGIONGRAPH_TOKEN.
`

// importCmd loads a dataset into the store with upserts: a second import of
// the same dataset changes nothing and says so.
func (a *app) importCmd(ctx context.Context, args []string) error {
	var sf sheetFlags
	c, rest, err := a.parse("import", forImport, importHelp, args, sf.define)
	if err != nil {
		return err
	}
	// Spreadsheets (.xlsx, .csv): compared with the store, applied as one
	// batch (package sheet).
	if len(rest) > 0 && isSheet(rest[0]) {
		for _, f := range rest {
			if !isSheet(f) {
				fmt.Fprintf(a.stderr, "regiongraph import: takes spreadsheets (.xlsx, .csv) or one dataset file, not both: %s\n", f)
				return errUsage
			}
		}
		return a.sheetImport(ctx, c, rest, sf)
	}
	if sf.dryRun || sf.reason != "" || sf.json {
		fmt.Fprintln(a.stderr, "regiongraph import: -dry-run, -reason and -json are for spreadsheets (.xlsx, .csv)")
		return errUsage
	}
	if len(rest) > 1 {
		fmt.Fprintf(a.stderr, "regiongraph import: takes at most one dataset file, got %q\n", rest)
		return errUsage
	}
	if sf.batch < 1 || sf.batch > rg.MaxChanges {
		fmt.Fprintf(a.stderr, "regiongraph import: -batch %d: give 1 to %d changes\n", sf.batch, rg.MaxChanges)
		return errUsage
	}
	b, name := data.Kongsbergregionen, data.KongsbergregionenFile
	if len(rest) == 1 {
		name = rest[0]
		if b, err = os.ReadFile(name); err != nil {
			return fmt.Errorf("read the dataset: %w", err)
		}
	}
	defer a.importGC(len(b))()
	// ParseLarge: the same as ParseBytes, for a file of any size.
	ds, err := dataset.ParseLarge(b, name)
	if err != nil {
		return err
	}
	if c.server != "" {
		return a.importThrough(ctx, c.server, b, name, ds)
	}
	// A large file's store grows to a few times the file: mapped from the
	// start, bbolt does not remap it (copying what the transaction holds)
	// each time it doubles.
	mmap := 0
	if len(b) > dataset.MaxFileBytes {
		mmap = min(6*len(b), 4<<30)
	}
	b = nil
	// A batch of thousands of changes is one Neo4j transaction: it may
	// take longer than a request's.
	c.txTimeout = importTxTimeout
	log := a.logger(c)
	store, err := a.openStore(ctx, c, log, openOptions{mmapBytes: mmap, inUseAdvice: "Stop the server, or import through it:\n  REGIONGRAPH_TOKEN=<an admin token> regiongraph import -server http://localhost:8080" + fileArg(rest)})
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := a.importBatches(ctx, store, ds, name, sf.batch)
	if err != nil {
		return err
	}
	a.printCounts(ds)
	a.printResult(name, res.Created, res.Updated, res.Unchanged)
	if res.batches > 1 {
		if cs, ok := store.(compacter); ok && cs.FreeBytes() > cs.FileBytes()/5 {
			before, after, err := cs.Compact(ctx)
			if err != nil {
				return fmt.Errorf("import %s: everything is imported, but compacting the data file failed: %w", name, err)
			}
			fmt.Fprintf(a.stdout, "compacted the data file: %.1f MB -> %.1f MB\n", float64(before)/1e6, float64(after)/1e6)
		}
	}
	return nil
}

// importTxTimeout bounds one batch's transaction on Neo4j.
const importTxTimeout = 10 * time.Minute

// compacter is a store that can compact its file (boltstore).
type compacter interface {
	Compact(context.Context) (before, after int64, err error)
	FileBytes() int64
	FreeBytes() int64
}

// imported counts what an import changed, over its batches.
type imported struct {
	Created, Updated, Unchanged int
	batches                     int
}

// importBatches applies the dataset's upserts, every node and then every
// relation, in batches of at most batch changes, each one Apply (one
// transaction), so that no batch holds more than batch changes however
// large the file.
//
// It first reads what the store holds of the dataset's ids and refuses,
// writing nothing, a node the store has as another kind or a relation it
// has with another kind or other ends (what Apply would refuse part way).
// A batch that fails all the same (the disk, the database, another
// writer) leaves the batches before it applied: the error says which, and
// that the same import run again resumes (upserts: what is applied is
// unchanged).
func (a *app) importBatches(ctx context.Context, store rg.Store, ds *dataset.Dataset, name string, batch int) (imported, error) {
	if err := checkAgainstStore(ctx, store, ds, name); err != nil {
		return imported{}, err
	}
	// More than one batch: in id order (nodes, then relations). Each batch
	// then adds a run of keys after the last one's to the embedded store's
	// file, which fills its pages and leaves the pages of the batches
	// before it alone (keys in file order fall everywhere: every batch
	// rewrites most pages, half full). The history records the changes in
	// this order. One batch keeps the file's order (one transaction sorts
	// its writes anyway).
	nodes, edges := ds.Nodes, ds.Edges
	total := len(nodes) + len(edges)
	if total > batch {
		nodes, edges = slices.Clone(ds.Nodes), slices.Clone(ds.Edges)
		slices.SortFunc(nodes, func(a, b *rg.Node) int { return strings.Compare(a.ID, b.ID) })
		slices.SortFunc(edges, func(a, b *rg.Edge) int { return strings.Compare(a.ID, b.ID) })
	}
	change := func(i int) rg.Change {
		if i < len(nodes) {
			return rg.Change{Op: rg.OpUpsertNode, Node: nodes[i]}
		}
		return rg.Change{Op: rg.OpUpsertEdge, Edge: edges[i-len(nodes)]}
	}
	n := (total + batch - 1) / batch
	var res imported
	start := time.Now()
	for k, from := 0, 0; from < total; k, from = k+1, from+batch {
		to := min(from+batch, total)
		cs := make([]rg.Change, 0, to-from)
		for i := from; i < to; i++ {
			cs = append(cs, change(i))
		}
		r, err := store.Apply(ctx, cs)
		if err != nil {
			where := ""
			if m := changeIndexRE.FindStringSubmatch(rg.ErrorField(err)); m != nil {
				if i, e := strconv.Atoi(m[1]); e == nil && from+i < to {
					c := change(from + i)
					what := "relation " + strconv.Quote(c.Edge.ID)
					if c.Node != nil {
						what = "node " + strconv.Quote(c.Node.ID)
					}
					where = fmt.Sprintf(" at change %d of the file (%s)", from+i+1, what)
				}
			}
			// A batch the store refused is not applied; one that failed
			// on the way (the database unreachable, a timeout while it
			// committed) may have been.
			outcome := "nothing of it was applied"
			switch rg.ErrorCode(err) {
			case rg.EBADINPUT, rg.ECONFLICT, rg.ENOTFOUND, rg.EFORBIDDEN, rg.EUNAUTHENTICATED:
			default:
				outcome = "it may or may not have been applied (running the import again settles that)"
			}
			msg := fmt.Sprintf("import %s: batch %d of %d (changes %d to %d of %d) failed%s, and %s: %%w", name, k+1, n, from+1, to, total, where, outcome)
			if k > 0 {
				before := "the batch before it"
				if k > 1 {
					before = fmt.Sprintf("the %d batches before it", k)
				}
				msg += fmt.Sprintf("\n%s (changes 1 to %d: %d created, %d updated, %d unchanged) are applied and stay so; "+
					"run the same import again to resume: what is applied already is unchanged", before, from, res.Created, res.Updated, res.Unchanged)
			}
			return res, fmt.Errorf(msg, err)
		}
		res.Created += r.Created
		res.Updated += r.Updated
		res.Unchanged += r.Unchanged
		res.batches++
		if n > 1 {
			fmt.Fprintf(a.stderr, "regiongraph import: batch %d of %d applied (changes %d to %d of %d, %s)\n", k+1, n, from+1, to, total, time.Since(start).Round(100*time.Millisecond))
		}
	}
	return res, nil
}

var changeIndexRE = regexp.MustCompile(`^changes\[(\d+)\]`)

// checkAgainstStore refuses a dataset whose nodes the store has as
// another kind or whose relations it has with another kind or other ends,
// naming up to dataset.MaxErrors of them.
func checkAgainstStore(ctx context.Context, store rg.Store, ds *dataset.Dataset, name string) error {
	var problems []string
	total := 0
	add := func(format string, args ...any) {
		total++
		if len(problems) < dataset.MaxErrors {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	for chunk := range slices.Chunk(ds.Nodes, rg.MaxBatchIDs) {
		ids := make([]string, len(chunk))
		want := make(map[string]rg.Kind, len(chunk))
		for i, n := range chunk {
			ids[i], want[n.ID] = n.ID, n.Kind
		}
		have, err := store.Nodes(ctx, ids)
		if err != nil {
			return fmt.Errorf("import %s: read the store: %w", name, err)
		}
		for _, n := range have {
			if n.Kind != want[n.ID] {
				add("node %q is a %s in the store; the file makes it a %s (a kind may not change)", n.ID, n.Kind, want[n.ID])
			}
		}
	}
	for chunk := range slices.Chunk(ds.Edges, rg.MaxBatchIDs) {
		ids := make([]string, len(chunk))
		want := make(map[string]*rg.Edge, len(chunk))
		for i, e := range chunk {
			ids[i], want[e.ID] = e.ID, e
		}
		have, err := store.Edges(ctx, rg.EdgeFilter{IDs: ids})
		if err != nil {
			return fmt.Errorf("import %s: read the store: %w", name, err)
		}
		for _, e := range have {
			if w := want[e.ID]; w != nil && (e.Kind != w.Kind || e.From != w.From || e.To != w.To) {
				add("relation %q is %s %s -> %s in the store; the file makes it %s %s -> %s (kind and ends may not change)", e.ID, e.Kind, e.From, e.To, w.Kind, w.From, w.To)
			}
		}
	}
	if total == 0 {
		return nil
	}
	more := ""
	if total > len(problems) {
		more = fmt.Sprintf("\n  ... and %d more", total-len(problems))
	}
	return fmt.Errorf("import %s: %w", name, rg.Errorf(rg.EBADINPUT, "%d nodes and relations of the file conflict with the store, nothing was imported:\n  %s%s", total, strings.Join(problems, "\n  "), more))
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
