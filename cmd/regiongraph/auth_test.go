package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/regiongraph/regiongraph/auth"
)

// Tokens of the end-to-end tests. The admin's is read from a tokens file,
// the others from REGIONGRAPH_TOKENS.
const (
	readerToken = "rgt_reader-e2e"
	editorToken = "rgt_editor-e2e"
	adminToken  = "rgt_admin-e2e"
	wrongToken  = "rgt_not-a-token"
)

// authEnv returns the environment of a server that knows the three tokens.
func authEnv(t *testing.T, extra map[string]string) map[string]string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "tokens")
	body := "# end-to-end tests\nroot admin " + auth.Hash(adminToken) + "\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"REGIONGRAPH_TOKENS_FILE": file,
		"REGIONGRAPH_TOKENS":      "rita:reader:" + auth.Hash(readerToken) + ",alice:editor:" + auth.Hash(editorToken),
		// snapshotQuery reads every node with its relations, asking for
		// 1000 per kind: its estimated cost (about 1 040 000: 1000 nodes
		// per kind, each with at most the 93 relations the busiest node
		// has) is over the default limit.
		"REGIONGRAPH_MAX_COMPLEXITY": "2000000",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// call is one GraphQL request over HTTP with its own client.
type call struct {
	status int
	body   string
	resp   gqlResponse
}

func (c call) code() string {
	if len(c.resp.Errors) == 0 {
		return ""
	}
	code, _ := c.resp.Errors[0].Extensions["code"].(string)
	return code
}

func (s *testServer) post(t *testing.T, client *http.Client, token, q string, vars map[string]any) call {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.do(t, client, req)
}

func (s *testServer) do(t *testing.T, client *http.Client, req *http.Request) call {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		return call{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c := call{status: resp.StatusCode, body: string(b)}
	if err := json.Unmarshal(b, &c.resp); err != nil {
		t.Errorf("decode %q (status %d): %v", b, resp.StatusCode, err)
	}
	return c
}

// snapshotQuery reads every node of every kind with its fields and
// relations, and the length of the history: what a refused request must
// leave as it was.
const snapshotQuery = `{
  history(first: 1) { totalCount nodes { seq } }
  municipalities(first: 1000) { nodes { id name number county description relations { id fromYear toYear } } }
  regions(first: 1000) { nodes { id name description relations { id } } }
  networks(first: 1000) { nodes { id name field description relations { id } } }
  partners(first: 1000) { nodes { id name category description relations { id } } }
  funds(first: 1000) { nodes { id name description relations { id } } }
  initiatives(first: 1000) { nodes { id name costNok costText planYear description relations { id fromYear toYear amountNok } } }
  focusAreas(first: 1000) { nodes { id name } }
  strategyAreas(first: 1000) { nodes { id name } }
  topics(first: 1000) { nodes { id name } }
  plans(first: 1000) { nodes { id name year } }
}`

func (s *testServer) snapshot(t *testing.T) string {
	t.Helper()
	c := s.post(t, nil, adminToken, snapshotQuery, nil)
	if c.status != http.StatusOK || len(c.resp.Errors) > 0 {
		t.Fatalf("snapshot: %d %s", c.status, c.body)
	}
	return string(c.resp.Data)
}

func (s *testServer) historyLen(t *testing.T) int {
	t.Helper()
	var out struct{ History struct{ TotalCount int } }
	c := s.post(t, nil, "", `{ history(first: 1) { totalCount } }`, nil)
	if err := json.Unmarshal(c.resp.Data, &out); err != nil || len(c.resp.Errors) > 0 {
		t.Fatalf("history: %s", c.body)
	}
	return out.History.TotalCount
}

const e2eSource = `source: {outside: true, reference: "https://example.org/e2e"}`

// importYAML is a small dataset for importDataset: one new partner.
func importYAML(id string) string {
	return "nodes:\n  - id: " + id + "\n    kind: Partner\n    name: Partner " + id + "\n    source: {outside: true, reference: \"https://example.org/e2e\"}\n"
}

// TestAuthMatrix walks anonymous, editor and admin (and a wrong token)
// against read, write, delete and import over real HTTP. Every refused
// request must leave the graph and the history as they were; every allowed
// one must do what it says.
func TestAuthMatrix(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "regiongraph.db"), authEnv(t, map[string]string{
		"REGIONGRAPH_CORS_ORIGINS": "https://allowed.example",
	}))
	// Nodes for the deletes, one per principal.
	for _, who := range []string{"anonymous", "editor", "admin", "wrong"} {
		c := s.post(t, nil, adminToken, `mutation($id: ID!) { createPartner(input: {id: $id, name: "Til sletting", `+e2eSource+`}) { id } }`, map[string]any{"id": "slett-" + who})
		if c.code() != "" {
			t.Fatalf("setup: %s", c.body)
		}
	}
	type op struct {
		name  string
		query func(who string) (string, map[string]any)
		// grows is how many history entries the operation adds when allowed.
		grows int
	}
	ops := []op{
		{"read", func(string) (string, map[string]any) {
			return `{ node(id: "kommune-kongsberg") { name } history(first: 1) { totalCount } }`, nil
		}, 0},
		{"write", func(who string) (string, map[string]any) {
			return `mutation($id: ID!) { createPartner(input: {id: $id, name: "Ny partner", ` + e2eSource + `}, reason: "e2e") { id } }`, map[string]any{"id": "ny-" + who}
		}, 1},
		{"delete", func(who string) (string, map[string]any) {
			return `mutation($id: ID!) { deletePartner(id: $id, reason: "e2e") { id } }`, map[string]any{"id": "slett-" + who}
		}, 1},
		{"import", func(who string) (string, map[string]any) {
			return `mutation($yaml: String!) { importDataset(yaml: $yaml) { applied created { id } rejected { reason } } }`, map[string]any{"yaml": importYAML("importert-" + who)}
		}, 1},
	}
	type who struct {
		name, token string
	}
	principals := []who{{"anonymous", ""}, {"editor", editorToken}, {"admin", adminToken}, {"wrong", wrongToken}}
	// want[principal][op]: "" allowed, else the error code; status is 200
	// unless the token itself is refused (401).
	want := map[string]map[string]string{
		"anonymous": {"read": "", "write": "UNAUTHENTICATED", "delete": "UNAUTHENTICATED", "import": "UNAUTHENTICATED"},
		"editor":    {"read": "", "write": "", "delete": "FORBIDDEN", "import": "FORBIDDEN"},
		"admin":     {"read": "", "write": "", "delete": "", "import": ""},
		"wrong":     {"read": "UNAUTHENTICATED", "write": "UNAUTHENTICATED", "delete": "UNAUTHENTICATED", "import": "UNAUTHENTICATED"},
	}
	for _, p := range principals {
		for _, o := range ops {
			t.Run(p.name+"/"+o.name, func(t *testing.T) {
				before, history := s.snapshot(t), s.historyLen(t)
				q, vars := o.query(p.name)
				c := s.post(t, nil, p.token, q, vars)
				wantCode := want[p.name][o.name]
				if got := c.code(); got != wantCode {
					t.Fatalf("code %q, want %q (status %d, body %s)", got, wantCode, c.status, c.body)
				}
				wantStatus := http.StatusOK
				if p.name == "wrong" {
					wantStatus = http.StatusUnauthorized
				}
				if c.status != wantStatus {
					t.Fatalf("status %d, want %d", c.status, wantStatus)
				}
				after, grown := s.snapshot(t), s.historyLen(t)-history
				if wantCode != "" || o.grows == 0 {
					if after != before || grown != 0 {
						t.Fatalf("a refused or read-only request changed the store (history +%d)", grown)
					}
					return
				}
				if after == before || grown != o.grows {
					t.Fatalf("an allowed %s changed nothing or the wrong amount (history +%d, want +%d): %s", o.name, grown, o.grows, c.body)
				}
				if o.name == "import" && !strings.Contains(string(c.resp.Data), `"applied":true`) {
					t.Fatalf("import not applied: %s", c.resp.Data)
				}
			})
		}
	}

	t.Run("the history names who did it", func(t *testing.T) {
		var out struct {
			History struct {
				Nodes []struct{ Actor, Op, TargetID string }
			}
		}
		c := s.post(t, nil, "", `{ history(first: 5) { nodes { actor op targetId } } }`, nil)
		if err := json.Unmarshal(c.resp.Data, &out); err != nil {
			t.Fatal(err)
		}
		got := out.History.Nodes
		if len(got) < 3 || got[0].Actor != "root" || got[0].TargetID != "importert-admin" {
			t.Fatalf("newest history %+v", got)
		}
		var alice bool
		for _, h := range s.historyOf(t, "ny-editor") {
			alice = alice || h.Actor == "alice"
		}
		if !alice {
			t.Fatal("the editor's write is not recorded as alice's")
		}
	})

	t.Run("a mutation over GET is refused and changes nothing", func(t *testing.T) {
		before, history := s.snapshot(t), s.historyLen(t)
		q := url.Values{"query": {`mutation { createPartner(input: {id: "via-get", name: "GET", ` + e2eSource + `}) { id } }`}}
		req, _ := http.NewRequest(http.MethodGet, s.url+"/graphql?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		c := s.do(t, nil, req)
		// 405, as the GraphQL-over-HTTP spec has it for a mutation over GET.
		if c.status != http.StatusMethodNotAllowed || len(c.resp.Errors) == 0 || !strings.Contains(c.resp.Errors[0].Message, "must be sent with POST") {
			t.Fatalf("GET mutation: %d %s", c.status, c.body)
		}
		if s.snapshot(t) != before || s.historyLen(t) != history {
			t.Fatal("a mutation over GET changed the store")
		}
	})

	t.Run("CORS never widens access", func(t *testing.T) {
		// A preflight from an origin not configured gets no CORS grant.
		req, _ := http.NewRequest(http.MethodOptions, s.url+"/graphql", nil)
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Fatalf("preflight from an unknown origin allowed %q", v)
		}
		// An allowed origin still needs a token to write.
		before, history := s.snapshot(t), s.historyLen(t)
		body, _ := json.Marshal(map[string]any{"query": `mutation { createPartner(input: {id: "via-cors", name: "CORS", ` + e2eSource + `}) { id } }`})
		req, _ = http.NewRequest(http.MethodPost, s.url+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://allowed.example")
		c := s.do(t, nil, req)
		if c.code() != "UNAUTHENTICATED" {
			t.Fatalf("a write from an allowed origin without a token: %s", c.body)
		}
		if s.snapshot(t) != before || s.historyLen(t) != history {
			t.Fatal("the refused write changed the store")
		}
	})
}

type historyItem struct {
	Seq           int64
	Actor, Op     string
	TargetID      string
	ChangedFields []string
	NodeAfter     *struct{ Description *string }
}

// historyOf reads the whole history of id, paging.
func (s *testServer) historyOf(t *testing.T, id string) []historyItem {
	t.Helper()
	var all []historyItem
	after := ""
	for {
		vars := map[string]any{"id": id}
		if after != "" {
			vars["after"] = after
		}
		c := s.post(t, nil, "", `query($id: ID!, $after: String) { node(id: $id) { changes(first: 1000, after: $after) {
			nodes { seq actor op targetId changedFields nodeAfter { description } } pageInfo { hasNextPage endCursor } } } }`, vars)
		var out struct {
			Node struct {
				Changes struct {
					Nodes    []historyItem
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
		}
		if err := json.Unmarshal(c.resp.Data, &out); err != nil || len(c.resp.Errors) > 0 {
			t.Fatalf("history of %s: %s", id, c.body)
		}
		all = append(all, out.Node.Changes.Nodes...)
		if !out.Node.Changes.PageInfo.HasNextPage {
			return all
		}
		after = out.Node.Changes.PageInfo.EndCursor
	}
}

func TestReadsNeedATokenWhenConfigured(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "regiongraph.db"), authEnv(t, map[string]string{"REGIONGRAPH_REQUIRE_AUTH_FOR_READS": "1"}))
	read := `{ node(id: "kommune-kongsberg") { name } }`
	for _, tc := range []struct {
		name, token string
		status      int
		code        string
	}{
		{"anonymous", "", http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"a wrong token", wrongToken, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"a reader", readerToken, http.StatusOK, ""},
		{"an editor", editorToken, http.StatusOK, ""},
	} {
		c := s.post(t, nil, tc.token, read, nil)
		if c.status != tc.status || c.code() != tc.code {
			t.Errorf("%s: %d %q, want %d %q (%s)", tc.name, c.status, c.code(), tc.status, tc.code, c.body)
		}
		if tc.code == "" && !strings.Contains(string(c.resp.Data), "Kongsberg") {
			t.Errorf("%s read %s", tc.name, c.resp.Data)
		}
	}
	// The map's data and the exports are reads too; the pages are not data.
	for _, path := range []string{"/map/data.json", "/map/options.json", "/export/graphml"} {
		for _, tc := range []struct {
			token  string
			status int
		}{{"", http.StatusUnauthorized}, {wrongToken, http.StatusUnauthorized}, {readerToken, http.StatusOK}} {
			req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("GET %s with token %q: %d, want %d", path, tc.token, resp.StatusCode, tc.status)
			}
		}
	}
	if resp, err := http.Get(s.url + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz without a token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// A reader still may not write.
	c := s.post(t, nil, readerToken, `mutation { createPartner(input: {id: "x", name: "X", `+e2eSource+`}) { id } }`, nil)
	if c.code() != "FORBIDDEN" {
		t.Errorf("a reader's write: %s", c.body)
	}
}

// TestConcurrentUpdatesOverHTTP sends 200 updates of one node from 20
// clients, each with its own connection pool: all are acknowledged, the
// node's history holds exactly those 200 updates after its creation, in a
// total order, and the node ends as the newest entry left it.
func TestConcurrentUpdatesOverHTTP(t *testing.T) {
	const clients, each = 20, 10
	const id = "tiltak-2011-1-4"
	s := startServer(t, filepath.Join(t.TempDir(), "regiongraph.db"), authEnv(t, nil))
	start := s.historyOf(t, id)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sent []string
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			token := editorToken
			if c%2 == 1 {
				token = adminToken
			}
			for i := range each {
				desc := fmt.Sprintf("client %02d update %d", c, i)
				r := s.post(t, client, token, `mutation($id: ID!, $d: String) { updateInitiative(input: {id: $id, description: $d}, reason: "load") { id description } }`,
					map[string]any{"id": id, "d": desc})
				if r.status != http.StatusOK || len(r.resp.Errors) > 0 || !strings.Contains(string(r.resp.Data), desc) {
					t.Errorf("client %d update %d: %d %s", c, i, r.status, r.body)
					return
				}
				mu.Lock()
				sent = append(sent, desc)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if len(sent) != clients*each {
		t.Fatalf("%d updates acknowledged, want %d", len(sent), clients*each)
	}
	all := s.historyOf(t, id)
	if len(all) != len(start)+clients*each {
		t.Fatalf("the history has %d entries, want %d before and %d updates", len(all), len(start), clients*each)
	}
	updates := all[:clients*each]
	var recorded []string
	for i, h := range updates {
		if i > 0 && h.Seq >= updates[i-1].Seq {
			t.Fatalf("entry %d (seq %d) after seq %d: not a total order, newest first", i, h.Seq, updates[i-1].Seq)
		}
		if h.Op != "UPDATE_NODE" || h.TargetID != id || !slices.Equal(h.ChangedFields, []string{"description"}) || h.NodeAfter == nil || h.NodeAfter.Description == nil {
			t.Fatalf("entry %d: %+v", i, h)
		}
		wantActor := "alice"
		if c := (*h.NodeAfter.Description)[len("client "):len("client 00")]; c[1]%2 == 1 {
			wantActor = "root"
		}
		if h.Actor != wantActor {
			t.Fatalf("entry %d by %s, want %s (%s)", i, h.Actor, wantActor, *h.NodeAfter.Description)
		}
		recorded = append(recorded, *h.NodeAfter.Description)
	}
	slices.Sort(recorded)
	slices.Sort(sent)
	if !slices.Equal(recorded, sent) {
		t.Fatal("the history's after-states are not the 200 updates sent, each once")
	}
	var final struct {
		Node struct{ Description string }
	}
	s.query(t, `query($id: ID!) { node(id: $id) { description } }`, map[string]any{"id": id}, &final)
	if final.Node.Description != *updates[0].NodeAfter.Description {
		t.Fatalf("the node's description is %q, the newest entry's %q", final.Node.Description, *updates[0].NodeAfter.Description)
	}
}

func TestTokenCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	if err := a.run(t.Context(), []string{"token", "-name", "alice", "-role", "admin"}); err != nil {
		t.Fatalf("token: %v\n%s", err, errOut.String())
	}
	var token, line string
	for _, l := range strings.Split(out.String(), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, auth.TokenPrefix):
			token = l
		case strings.HasPrefix(l, "alice admin "):
			line = l
		}
	}
	if token == "" || line != "alice admin "+auth.Hash(token) {
		t.Fatalf("output does not give a token and its line:\n%s", out.String())
	}
	ts, err := auth.ParseFile(strings.NewReader(line), "out")
	if err != nil || len(ts) != 1 {
		t.Fatalf("the printed line does not parse: %v", err)
	}
	// The printed token works against a server given the printed line.
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, filepath.Join(dir, "regiongraph.db"), map[string]string{"REGIONGRAPH_TOKENS_FILE": tokens})
	c := s.post(t, nil, token, `mutation { deletePartner(id: "nope") { id } }`, nil)
	if c.code() != "NOT_FOUND" {
		t.Fatalf("admin delete with the new token: %s", c.body)
	}
	for _, args := range [][]string{{"token", "-role", "editor"}, {"token", "-name", "a b"}, {"token", "-name", "bob", "-role", "owner"}} {
		errOut.Reset()
		if err := a.run(t.Context(), args); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestBadTokensFileStopsTheServer(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte("alice editor not-a-hash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string {
		return map[string]string{"REGIONGRAPH_TOKENS_FILE": tokens}[k]
	}}
	err := a.run(t.Context(), []string{"serve", "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "regiongraph.db")})
	if err == nil || !strings.Contains(err.Error(), tokens+":1") {
		t.Fatalf("serve with a bad tokens file: %v, want an error naming %s:1", err, tokens)
	}
}
