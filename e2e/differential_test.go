package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// diffRequest is one GraphQL request of the differential corpus.
type diffRequest struct {
	name  string
	query string
	vars  map[string]any
}

// shippedQueries are the queries the project ships: the explorer's
// examples, the map page's, and the README's and docs' graphql blocks (as
// server/shipped_test.go finds them).
func shippedQueries(t *testing.T) []diffRequest {
	t.Helper()
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	vars := map[string]any{"id": "kommune-kongsberg", "year": 2011}
	var out []diffRequest
	for _, m := range regexp.MustCompile("(?s)\"([^\"]+)\": `([^`]*)`").FindAllStringSubmatch(read("../web/static/explorer.html"), -1) {
		out = append(out, diffRequest{"explorer " + m[1], m[2], vars})
	}
	for _, m := range regexp.MustCompile("(?s)const [A-Z_]+ = `((?:query|\\{)[^`]*)`").FindAllStringSubmatch(read("../web/static/map.js"), -1) {
		out = append(out, diffRequest{"map.js " + strings.Fields(m[1])[1], m[1], vars})
	}
	docs, _ := filepath.Glob("../docs/*.md")
	for _, f := range append([]string{"../README.md"}, docs...) {
		for i, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(read(f), -1) {
			out = append(out, diffRequest{fmt.Sprintf("%s block %d", filepath.Base(f), i+1), m[1], vars})
		}
	}
	if len(out) < 8 {
		t.Fatalf("found only %d shipped queries", len(out))
	}
	return out
}

// analysisQueries: every analysis query field, with its answers' numbers.
var analysisQueries = map[string]string{
	"neighbourhood":     `{ neighbourhood(id: "kongsbergregionen", depth: 2, first: 1000) { nodes { id } relations { id kind } truncated } }`,
	"neighbourhood2014": `{ neighbourhood(id: "kommune-kongsberg", depth: 3, year: 2014, first: 1000) { nodes { id } relations { id kind } truncated } }`,
	"paths":             `{ paths(from: "kommune-tinn", to: "partner-statens-vegvesen", maxHops: 4, first: 10) { hops steps { from { id } to { id } relation { id kind } reversed source { citation } } } }`,
	"centrality":        `{ centrality(orderBy: BETWEENNESS, first: 50) { actorCount scores { actor { id } degree weightedDegree betweenness betweennessNormalized closeness pageRank } } }`,
	"centralityPR":      `{ centrality(orderBy: PAGERANK, first: 50) { actorCount scores { actor { id } pageRank } } }`,
	"brokers":           `{ brokers(between: [{kinds: [MUNICIPALITY], county: "Telemark"}, {ids: ["partner-buskerud-fylkeskommune"]}], first: 20) { pairs brokers { actor { id } crossBetweenness constraint effectiveSize } } }`,
	"communities":       `{ communities(resolution: 1.0, first: 50) { modularity totalCount communities { id size } } }`,
	"fundingSummary":    `{ fundingSummary(groupBy: [FUND, FOCUS_AREA], year: 2011) { totalNok buckets { totalNok initiatives { initiative { id } amountNok shared } } } }`,
	"fundingFlows":      `{ fundingFlows(stages: [FUNDER, FUND, FOCUS_AREA], year: 2011) { totalNok nodes { id valueNok } links { source target valueNok } } }`,
	"lobbyingBrief":     `{ lobbyingBrief(topic: "sak-e134") { title initiatives { initiative { id } } paths { path { hops } } brokers { actor { id } } sources { citation } } }`,
}

// listFields are the list queries, each paged through in every order.
var listFields = []string{"municipalities", "regions", "networks", "partners", "funds", "initiatives", "focusAreas", "strategyAreas", "topics", "plans"}

// listRequests pages: field(filter, orderBy, first: 7, after) until the
// last page.
type listRequest struct {
	name, field, filter, order string
}

func listCorpus() []listRequest {
	var out []listRequest
	for _, f := range listFields {
		for _, o := range []string{"{field: NAME, direction: ASC}", "{field: NAME, direction: DESC}", "{field: ID, direction: ASC}", "{field: ID, direction: DESC}",
			"{field: PLAN_YEAR, direction: ASC}", "{field: PLAN_YEAR, direction: DESC}", "{field: COST_NOK, direction: DESC}", "{field: CODE, direction: ASC}"} {
			out = append(out, listRequest{f + " " + o, f, "null", o})
		}
	}
	for _, fl := range []struct{ field, filter string }{
		{"initiatives", `{planYear: 2011}`},
		{"initiatives", `{planYear: 2014, text: "vei"}`},
		{"initiatives", `{text: "kommune"}`},
		{"initiatives", `{coordinatedBy: "nettverk-plom"}`},
		{"initiatives", `{related: [{kind: FUNDS, direction: IN, nodes: ["kommune-kongsberg"]}], year: 2011}`},
		{"partners", `{text: "fylke"}`},
		{"municipalities", `{related: [{kind: MEMBER_OF, direction: OUT, nodes: ["kongsbergregionen"]}], year: 2014}`},
		{"municipalities", `{ids: ["kommune-kongsberg", "kommune-tinn", "nope"]}`},
		{"networks", `{related: [{kind: PARTICIPATES_IN, direction: IN, nodes: ["kommune-kongsberg"]}]}`},
	} {
		for _, o := range []string{"{field: NAME, direction: ASC}", "{field: COST_NOK, direction: DESC}", "{field: ID, direction: DESC}"} {
			out = append(out, listRequest{fl.field + " " + fl.filter + " " + o, fl.field, fl.filter, o})
		}
	}
	return out
}

// relationQueries read relations with and without year, both ways.
var relationQueries = map[string]string{
	"relations 2011":     `{ relations(kinds: [FUNDS, MEMBER_OF, PARTICIPATES_IN], year: 2011) { id kind from { id } to { id } fromYear toYear amountNok } }`,
	"relations 2014":     `{ relations(kinds: [MEMBER_OF, COORDINATES, IN_PLAN], year: 2014) { id kind from { id } to { id } fromYear toYear } }`,
	"relations FUNDS":    `{ relations(kinds: [FUNDS]) { id from { id } to { id } amountNok asWritten } }`,
	"node relations":     `{ node(id: "kommune-kongsberg") { id relations(year: 2011) { id kind } } }`,
	"node relations in":  `{ node(id: "kongsbergregionen") { id relations(direction: IN, year: 2014) { id kind from { id } } } }`,
	"node relations out": `{ node(id: "nettverk-plom") { id relations(direction: OUT) { id kind to { id } } } }`,
	"search":             `{ search(text: "kongsberg", first: 100) { totalCount edges { cursor node { id } } } }`,
	"search accents":     `{ search(text: "Notodden", kinds: [MUNICIPALITY, PARTNER]) { totalCount nodes { id } } }`,
}

// historyTime matches the time a change was recorded, which is when each
// store imported the dataset (or ran a mutation) and so differs.
var historyTime = regexp.MustCompile(`"at":"[^"]*"`)

// canonical is an answer reduced to what must match: data (with history
// times blanked), and each error's code.
func canonical(a gqlAnswer) string {
	var errs []string
	for _, e := range a.Errors {
		errs = append(errs, fmt.Sprintf("%v", e.Extensions["code"]))
	}
	var buf bytes.Buffer
	if len(a.Data) > 0 {
		_ = json.Compact(&buf, a.Data)
	}
	data := historyTime.ReplaceAllString(buf.String(), `"at":"(time)"`)
	return fmt.Sprintf("status %d errors %v data %s", a.Status, errs, data)
}

// TestDifferentialEmbeddedVsNeo4j sends one corpus of GraphQL requests to
// the real binary on the bundled dataset twice, once on the embedded store
// and once on Neo4j (imported with `regiongraph import`): every answer must
// be identical.
func TestDifferentialEmbeddedVsNeo4j(t *testing.T) {
	// Runs beside the other Neo4j test of the package: each has a Neo4j
	// server of its own (the tier's and a dedicated one).
	t.Parallel()
	vars := neo4jTier(t)
	// An editor's token: the docs' mutations run on both stores too, in the
	// same order, and what follows reads their effects.
	token, tokens := crashToken(t)
	// Identical answers, not speed, are asserted: on a loaded machine a
	// freshly started Neo4j (its JIT cold) takes seconds per query, which
	// must not become a timeout on one side only, so both servers get
	// generous time limits.
	slow := map[string]string{"REGIONGRAPH_EXEC_TIMEOUT": "2m", "REGIONGRAPH_ANALYSIS_TIMEOUT": "2m"}
	env := map[string]string{"REGIONGRAPH_TOKENS": tokens, "REGIONGRAPH_STORE_TIMEOUT": "90s"}
	for k, v := range slow {
		env[k] = v
	}
	embedded := start(t, map[string]string{"REGIONGRAPH_TOKENS": tokens, "REGIONGRAPH_EXEC_TIMEOUT": slow["REGIONGRAPH_EXEC_TIMEOUT"], "REGIONGRAPH_ANALYSIS_TIMEOUT": slow["REGIONGRAPH_ANALYSIS_TIMEOUT"]}, "-data", filepath.Join(t.TempDir(), "diff.db"))
	defer embedded.stop(t, 20*time.Second)
	for k, v := range vars {
		env[k] = v
	}
	neo := start(t, env, "-store", "neo4j")
	defer neo.stop(t, 20*time.Second)
	client := &http.Client{Timeout: 3 * time.Minute}
	waitUntil(t, "the Neo4j server ready", 3*time.Minute, func() bool {
		code, _ := httpStatus(t, client, neo.url+"/readyz")
		return code == 200
	})
	ctx := context.Background()
	requests, differ := 0, 0
	compare := func(name, q string, v map[string]any) (gqlAnswer, bool) {
		t.Helper()
		requests++
		a, err := post(ctx, client, embedded.url, token, q, v)
		if err != nil {
			t.Fatalf("%s on the embedded store: %v", name, err)
		}
		b, err := post(ctx, client, neo.url, token, q, v)
		if err != nil {
			t.Fatalf("%s on Neo4j: %v", name, err)
		}
		ca, cb := canonical(a), canonical(b)
		if ca != cb {
			differ++
			t.Errorf("%s: the answers differ\nquery: %s\nvariables: %v\nembedded: %.3000s\nneo4j:    %.3000s", name, q, v, ca, cb)
			return a, false
		}
		if len(a.Errors) > 0 {
			t.Logf("%s: both answer errors %v", name, a.Errors)
		}
		return a, true
	}
	for _, r := range shippedQueries(t) {
		compare(r.name, r.query, r.vars)
	}
	for _, m := range []map[string]string{analysisQueries, relationQueries} {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			compare(n, m[n], nil)
		}
	}
	pages := 0
	for _, l := range listCorpus() {
		q := fmt.Sprintf(`query($after: String) { %s(filter: %s, orderBy: %s, first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } } }`, l.field, l.filter, l.order)
		var after any
		for page := 1; page <= 30; page++ {
			a, same := compare(fmt.Sprintf("%s page %d", l.name, page), q, map[string]any{"after": after})
			pages++
			if !same || len(a.Errors) > 0 {
				break
			}
			var d map[string]struct {
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
			if err := json.Unmarshal(a.Data, &d); err != nil {
				t.Fatal(err)
			}
			pi := d[l.field].PageInfo
			if !pi.HasNextPage || pi.EndCursor == nil {
				break
			}
			after = *pi.EndCursor
		}
	}
	if differ > 0 {
		t.Fatalf("%d of %d requests answered differently", differ, requests)
	}
	t.Logf("%d requests (%d list pages) answered identically by the embedded store and Neo4j", requests, pages)
}
