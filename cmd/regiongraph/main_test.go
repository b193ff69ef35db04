package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServer is the real program serving on 127.0.0.1:0.
type testServer struct {
	url    string
	cancel context.CancelFunc
	done   chan error
	stderr *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs `regiongraph serve` with the data file and env, and waits
// until it listens.
func startServer(t *testing.T, dataFile string, env map[string]string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	s := &testServer{cancel: cancel, done: make(chan error, 1), stderr: &syncBuffer{}}
	a := &app{stdout: io.Discard, stderr: s.stderr, getenv: func(k string) string { return env[k] }, onListen: func(a string) { addr <- a }}
	go func() {
		s.done <- a.run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", dataFile, "-log-level", "warn"})
	}()
	select {
	case a := <-addr:
		s.url = "http://" + a
	case err := <-s.done:
		cancel()
		t.Fatalf("server exited before listening: %v\n%s", err, s.stderr.String())
	case <-time.After(hangBound):
		cancel()
		t.Fatalf("server did not listen within %v", hangBound)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *testServer) stop(t *testing.T) {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("server stopped with error: %v", err)
		}
	case <-time.After(hangBound):
		t.Errorf("server did not stop within %v", hangBound)
	}
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// query posts a GraphQL query and decodes data into out; errors fail the test.
func (s *testServer) query(t *testing.T, q string, vars map[string]any, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	resp, err := http.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("decode response (status %d): %v", resp.StatusCode, err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("GraphQL errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// planRow is one row of a 2011 table as printed: a numbered row or a
// sub-activity row carrying its own cost.
type planRow struct {
	focusArea string
	number    string // "" for a sub-activity row
	name      string
	cost      int64
	hasCost   bool
	financing string
}

var costDigits = regexp.MustCompile(`^[0-9][0-9 .]*$`)

// parsePlan2011 reads the five focus-area tables of the 2011 plan from its
// text: tab-separated rows, the 6th column the cost, the 7th the financing.
// It stops at the SuksIT appendix.
func parsePlan2011(t *testing.T) []planRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "data", "sources", "handlingsplan-2011.txt"))
	if err != nil {
		t.Fatalf("read the 2011 plan: %v", err)
	}
	var rows []planRow
	fa := ""
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VEDLEGG") {
			break
		}
		if m := regexp.MustCompile(`^SATSINGSOMRÅDE (\d):`).FindStringSubmatch(line); m != nil {
			fa = m[1]
			continue
		}
		cols := strings.Split(line, "\t")
		if fa == "" || len(cols) < 5 || strings.TrimSpace(cols[1]) == "Tiltak" {
			continue
		}
		r := planRow{focusArea: fa}
		switch {
		case regexp.MustCompile(`^\d+$`).MatchString(cols[0]):
			r.number, r.name = cols[0], strings.TrimSpace(cols[1])
		case cols[0] == "" && cols[1] == "" && cols[2] == "":
		default:
			continue
		}
		if len(cols) > 5 {
			c := strings.TrimSpace(cols[5])
			if costDigits.MatchString(c) {
				v, err := strconv.ParseInt(strings.NewReplacer(" ", "", ".", "").Replace(c), 10, 64)
				if err != nil {
					t.Fatalf("cost %q: %v", c, err)
				}
				r.cost, r.hasCost = v, true
			}
		}
		if len(cols) > 6 {
			r.financing = strings.TrimSpace(cols[6])
		}
		rows = append(rows, r)
	}
	if len(rows) < 30 {
		t.Fatalf("parsed only %d rows from the 2011 plan", len(rows))
	}
	return rows
}

func TestServeKongsbergregionen(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "regiongraph.db"), nil)
	rows := parsePlan2011(t)

	t.Run("InitiativesAndCostsPerFocusArea2011", func(t *testing.T) {
		wantCount, wantSum := map[string]int{}, map[string]int64{}
		for _, r := range rows {
			if r.number != "" {
				wantCount[r.focusArea]++
			}
			wantSum[r.focusArea] += r.cost
		}
		var got struct {
			FocusAreas struct {
				Nodes []struct {
					Code        string
					Initiatives []struct {
						Code     string
						AmountIn *int64
						Parent   *struct{ ID string }
					}
				}
			}
		}
		s.query(t, `{ focusAreas(orderBy: {field: CODE}) { nodes { code initiatives(planYear: 2011) { code amountIn(year: 2011) parent { id } } } } }`, nil, &got)
		if len(got.FocusAreas.Nodes) != 5 {
			t.Fatalf("got %d focus areas, want 5", len(got.FocusAreas.Nodes))
		}
		for _, fa := range got.FocusAreas.Nodes {
			count, sum := 0, int64(0)
			for _, in := range fa.Initiatives {
				if in.Parent == nil {
					count++
				}
				if in.AmountIn != nil {
					sum += *in.AmountIn
				}
			}
			if count != wantCount[fa.Code] || sum != wantSum[fa.Code] {
				t.Errorf("focus area %s: %d initiatives costing %d NOK in 2011; the plan's table has %d rows costing %d NOK",
					fa.Code, count, sum, wantCount[fa.Code], wantSum[fa.Code])
			}
		}
	})

	t.Run("LetteredInitiatives2014", func(t *testing.T) {
		plan, err := os.ReadFile(filepath.Join("..", "..", "data", "sources", "handlingsplan-2014.txt"))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(plan)), " ")
		var got struct {
			Initiatives struct {
				TotalCount int
				Nodes      []struct {
					Code, Name string
					Aliases    []string
				}
			}
		}
		s.query(t, `{ initiatives(filter: {planYear: 2014}, orderBy: {field: CODE}, first: 100) { totalCount nodes { code name aliases } } }`, nil, &got)
		var letters []string
		for _, n := range got.Initiatives.Nodes {
			if len(n.Code) == 1 && n.Code >= "A" && n.Code <= "Z" {
				letters = append(letters, n.Code)
				// The name, or the printed form kept as an alias where the
				// scrape dropped "Kongsbergregionen", is in the plan.
				if !slices.ContainsFunc(append([]string{n.Name}, n.Aliases...), func(s string) bool { return strings.Contains(text, s) }) {
					t.Errorf("initiative %s %q (aliases %q) is not named so in the 2014 plan", n.Code, n.Name, n.Aliases)
				}
			}
		}
		want := []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K"}
		if !slices.Equal(letters, want) {
			t.Errorf("lettered 2014 initiatives %v, want %v", letters, want)
		}
		for _, l := range want {
			if !regexp.MustCompile(`\b` + l + ` [A-ZÆØÅ]`).MatchString(text) {
				t.Errorf("the 2014 plan text has no initiative lettered %s", l)
			}
		}
	})

	t.Run("InitiativesPLOMCoordinates", func(t *testing.T) {
		var got struct {
			Search struct {
				Nodes []struct {
					ID, Name    string
					Coordinates []struct {
						ID, Code, Name string
						PlanYear       int
						Parent         *struct{ Code, Name string }
					}
				}
			}
		}
		s.query(t, `{ search(text: "PLOM", kinds: [NETWORK]) { nodes { ... on Network { id name coordinates { ... on Initiative { id code name planYear parent { code name } } } } } } }`, nil, &got)
		// The network named PLOM comes first; networks whose description
		// mentions it (Helse- og omsorgsnettverket: "Ikke slått sammen med
		// PLOM-nettverket") follow.
		if len(got.Search.Nodes) == 0 || got.Search.Nodes[0].ID != "nettverk-plom" {
			t.Fatalf("search PLOM among networks found %+v, want PLOM-nettverket first", got.Search.Nodes)
		}
		plom := got.Search.Nodes[0]
		// From the plan: the sub-activity rows under row 5.8 "PLOM", and the
		// appendix row whose oppdragsgiver is "PLOM-nettverket".
		wantSubs := 0
		inPLOM := false
		for _, r := range rows {
			if r.number != "" {
				inPLOM = r.focusArea == "5" && r.name == "PLOM"
			} else if inPLOM {
				wantSubs++
			}
		}
		// The row's own line holds its first sub-activity.
		wantSubs++
		subs, appendix := 0, 0
		for _, c := range plom.Coordinates {
			if c.Parent != nil && c.Parent.Name == "PLOM" && c.PlanYear == 2011 {
				subs++
			}
			if strings.HasPrefix(c.Code, "3.1.2 f") {
				appendix++
			}
		}
		if subs != wantSubs || !slices.ContainsFunc(plom.Coordinates, func(c struct {
			ID, Code, Name string
			PlanYear       int
			Parent         *struct{ Code, Name string }
		}) bool {
			return c.Code == "5.8"
		}) {
			t.Errorf("PLOM coordinates %d sub-activities of row 5.8; the plan lists %d: %+v", subs, wantSubs, plom.Coordinates)
		}
		if appendix != 1 {
			t.Errorf("PLOM should coordinate the SuksIT appendix row 3.1.2 f) (oppdragsgiver PLOM-nettverket): %+v", plom.Coordinates)
		}
	})

	t.Run("WhoFundsLUP2011", func(t *testing.T) {
		var want planRow
		for _, r := range rows {
			if r.name == "LUP 2011" {
				want = r
			}
		}
		if want.financing == "" {
			t.Fatal("the plan's LUP 2011 row has no financing cell")
		}
		var got struct {
			Initiatives struct {
				Nodes []struct {
					Name    string
					CostNok *int64
					Funding []struct {
						AsWritten string
						From      struct{ Name string }
					}
				}
			}
		}
		s.query(t, `{ initiatives(filter: {text: "LUP 2011", planYear: 2011}) { nodes { name costNok funding { asWritten from { name } } } } }`, nil, &got)
		if len(got.Initiatives.Nodes) != 1 {
			t.Fatalf("found %d initiatives named LUP 2011, want 1", len(got.Initiatives.Nodes))
		}
		lup := got.Initiatives.Nodes[0]
		if lup.CostNok == nil || *lup.CostNok != want.cost {
			t.Errorf("LUP 2011 costs %v, the plan says %d", lup.CostNok, want.cost)
		}
		if len(lup.Funding) != 1 || lup.Funding[0].AsWritten != want.financing || lup.Funding[0].From.Name != want.financing {
			t.Errorf("LUP 2011 funding %+v, the plan says %q", lup.Funding, want.financing)
		}
	})
}

func TestRestartServesTheSameGraph(t *testing.T) {
	file := filepath.Join(t.TempDir(), "regiongraph.db")
	q := `{ municipalities(first: 100) { totalCount nodes { id name memberOf { id } } } initiatives(first: 1000) { totalCount nodes { id costNok funding { id } } } }`
	var before, after json.RawMessage
	s := startServer(t, file, nil)
	s.query(t, q, nil, &before)
	s.stop(t)
	s = startServer(t, file, nil)
	s.query(t, q, nil, &after)
	if !bytes.Equal(before, after) {
		t.Errorf("after a restart the graph differs:\nbefore %s\nafter  %s", before, after)
	}
	if !strings.Contains(string(before), "kongsberg") {
		t.Errorf("the graph has no Kongsberg: %s", before)
	}
}

func TestCorruptDataFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "regiongraph.db")
	junk := bytes.Repeat([]byte("not a bbolt file\x00\xff"), 512)
	if err := os.WriteFile(file, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	a := &app{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := a.run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", file})
	if err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("serve on a corrupt file: err = %v, want an error naming %s", err, file)
	}
	after, _ := os.ReadFile(file)
	if !bytes.Equal(after, junk) {
		t.Error("the corrupt file was modified")
	}
}

func TestImportTwiceChangesNothing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "regiongraph.db")
	var out1, out2 bytes.Buffer
	for i, out := range []*bytes.Buffer{&out1, &out2} {
		a := &app{stdout: out, stderr: io.Discard, getenv: func(string) string { return "" }}
		if err := a.run(context.Background(), []string{"import", "-data", file}); err != nil {
			t.Fatalf("import %d: %v", i+1, err)
		}
	}
	if !strings.Contains(out1.String(), "created") || strings.Contains(out1.String(), "nothing changed") {
		t.Errorf("first import did not report what it created:\n%s", out1.String())
	}
	if !strings.Contains(out2.String(), "nothing changed") {
		t.Errorf("second import did not say it changed nothing:\n%s", out2.String())
	}
	for _, k := range []string{"Municipality", "Initiative", "FUNDS"} {
		if !strings.Contains(out1.String(), k) {
			t.Errorf("import output has no count for %s:\n%s", k, out1.String())
		}
	}
}
