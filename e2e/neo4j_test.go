package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph/internal/faultproxy"
	"github.com/regiongraph/regiongraph/internal/neo4jlocal"
)

// importInto runs `regiongraph import --store neo4j` (the bundled dataset)
// against env's Neo4j and returns its output.
func importInto(t *testing.T, env map[string]string) string {
	t.Helper()
	out, err := runImport(env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cleanEnv is the test's environment without REGIONGRAPH_* and NEO4J_*,
// plus env.
func cleanEnv(env map[string]string) []string {
	var out []string
	for _, kv := range envList() {
		if !strings.HasPrefix(kv, "REGIONGRAPH_") && !strings.HasPrefix(kv, "NEO4J_") {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// The tier's data, set up once for the package's tests that share it:
// the database emptied, then the bundled dataset imported twice, the
// outputs kept for TestImportTwiceOnNeo4j.
var tierData struct {
	once          sync.Once
	vars          map[string]string
	first, second string
	err           error
}

// neo4jTier returns the package's Neo4j with the bundled dataset imported
// into an emptied database, as NEO4J_* variables. The tests that share it
// only add data of their own (under ids of their own) or read.
func neo4jTier(t *testing.T) map[string]string {
	t.Helper()
	env := neo4jlocal.Require(t)
	tierData.once.Do(func() {
		if err := neo4jlocal.Clear(context.Background(), env); err != nil {
			tierData.err = err
			return
		}
		vars := env.Vars()
		if tierData.first, tierData.err = runImport(vars); tierData.err != nil {
			return
		}
		tierData.second, tierData.err = runImport(vars)
		tierData.vars = vars
	})
	if tierData.err != nil {
		t.Fatalf("the tier's data: %v", tierData.err)
	}
	return tierData.vars
}

// runImport runs `regiongraph import --store neo4j` against env's Neo4j
// and returns its output, or an error with the output.
func runImport(env map[string]string) (string, error) {
	cmd := exec.Command(binary, "import", "--store", "neo4j", "--open-timeout", "60s")
	cmd.Env = cleanEnv(env)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("regiongraph import: %w\n%s", err, out.String())
	}
	return out.String(), nil
}

var importedLine = regexp.MustCompile(`imported .*: (\d+) created, (\d+) updated, (\d+) unchanged`)
var nothingLine = regexp.MustCompile(`nothing changed: the store already holds .* \((\d+) unchanged\)`)

// TestImportTwiceOnNeo4j: `regiongraph import` loads the bundled dataset
// into an empty Neo4j (everything created), and a second run changes
// nothing and says so. (The two imports are the tier's set-up.)
func TestImportTwiceOnNeo4j(t *testing.T) {
	t.Parallel()
	neo4jTier(t)
	m := importedLine.FindStringSubmatch(tierData.first)
	if m == nil || m[1] == "0" || m[2] != "0" || m[3] != "0" {
		t.Fatalf("first import into an empty Neo4j: want everything created, got:\n%s", tierData.first)
	}
	m2 := nothingLine.FindStringSubmatch(tierData.second)
	if m2 == nil || m2[1] != m[1] {
		t.Fatalf("second import: want nothing changed with %s unchanged, got:\n%s", m[1], tierData.second)
	}
	t.Logf("first: %s; second: %s", m[0], m2[0])
}

// TestNeo4jRecoversWithoutRestart runs the binary on the tier's Neo4j
// behind a fault proxy: the server starts while Neo4j is unreachable,
// becomes ready once it is reachable, fails fast while it hangs, and
// recovers again, all without a restart.
func TestNeo4jRecoversWithoutRestart(t *testing.T) {
	t.Parallel()
	n4j := neo4jTier(t)
	u, err := url.Parse(n4j["NEO4J_URI"])
	if err != nil || u.Host == "" {
		t.Fatalf("NEO4J_URI %q: %v", n4j["NEO4J_URI"], err)
	}
	upstream := u.Host
	if !strings.Contains(upstream, ":") {
		upstream += ":7687"
	}
	p := faultproxy.New(t, upstream, faultproxy.Refuse)
	env := map[string]string{
		"NEO4J_URI": "bolt://" + p.Addr, "NEO4J_USER": n4j["NEO4J_USER"], "NEO4J_PASSWORD": n4j["NEO4J_PASSWORD"],
		"NEO4J_DATABASE": n4j["NEO4J_DATABASE"], "REGIONGRAPH_OPEN_TIMEOUT": "2s", "REGIONGRAPH_STORE_TIMEOUT": "2s",
	}
	s := start(t, env, "-store", "neo4j")
	defer s.stop(t, 30*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server's log:\n%s", s.stderr.String())
		}
	})
	client := &http.Client{Timeout: hangBound}
	ready := func() bool { c, _ := httpStatus(t, client, s.url+"/readyz"); return c == 200 }
	code := func() string {
		a, err := post(context.Background(), client, s.url, "", `{ plans { totalCount } }`, nil)
		switch {
		case err != nil:
			return "transport: " + err.Error()
		case len(a.Errors) > 0:
			c, _ := a.Errors[0].Extensions["code"].(string)
			return c
		}
		return ""
	}
	if c, _ := httpStatus(t, client, s.url+"/readyz"); c != 503 {
		t.Fatalf("/readyz while Neo4j refuses: %d, want 503", c)
	}
	if c := code(); c != "UNAVAILABLE" {
		t.Fatalf("query while Neo4j refuses: %q, want UNAVAILABLE", c)
	}
	p.Set(faultproxy.Up)
	// The bounds only catch what never happens: they are far beyond the
	// guard's backoff. A cold Neo4j may plan the first query for longer
	// than the 2s store timeout on a loaded machine: queries must answer
	// within the wait.
	waitUntil(t, "ready once Neo4j is reachable", hangBound, ready)
	waitUntil(t, "queries answer once connected", hangBound, func() bool { return code() == "" })
	p.Set(faultproxy.Hang)
	began := time.Now()
	if c := code(); c != "UNAVAILABLE" {
		t.Errorf("query while Neo4j hangs: %q after %v, want UNAVAILABLE (store timeout 2s)", c, time.Since(began))
	}
	d := time.Since(began)
	if c := code(); c != "UNAVAILABLE" {
		t.Errorf("next query while Neo4j hangs: %q, want UNAVAILABLE", c)
	}
	t.Logf("while Neo4j hangs: UNAVAILABLE after %v, then after %v (the guard is open)", d.Round(time.Millisecond), (time.Since(began) - d).Round(time.Millisecond))
	p.Set(faultproxy.Up)
	waitUntil(t, "recovered after the hang", hangBound, func() bool { return code() == "" })
}

// TestNeo4jKilledMidLoad runs the real binary on a Neo4j of its own (with
// authentication on: a wrong password is refused, clearly), streams
// authorised writes at it from three clients, SIGKILLs the Neo4j process in
// the middle, and restarts it on the same port and data. Meanwhile the
// server answers UNAVAILABLE (reads and writes) and stays up; afterwards it
// recovers without a restart; every write it acknowledged is there and no
// write is half there.
func TestNeo4jKilledMidLoad(t *testing.T) {
	// Runs beside the other Neo4j test of the package: each has a Neo4j
	// server of its own (the tier's and a dedicated one).
	t.Parallel()
	began := time.Now()
	// With authentication on (user neo4j): a wrong password is refused
	// with a message that says so, the right one is accepted.
	const password = "kill-test-secret"
	srv := neo4jlocal.Dedicated(t, password)
	wrong := exec.Command(binary, "import", "--store", "neo4j", "--open-timeout", "60s")
	wrong.Env = cleanEnv(map[string]string{"NEO4J_URI": srv.URI, "NEO4J_PASSWORD": "not-the-password"})
	if out, err := wrong.CombinedOutput(); err == nil || !strings.Contains(string(out), "rejected the credentials") {
		t.Errorf("import with a wrong password: %v\n%s\nwant a failure saying Neo4j rejected the credentials", err, out)
	}
	n4j := map[string]string{"NEO4J_URI": srv.URI, "NEO4J_PASSWORD": password}
	importInto(t, n4j)
	t.Logf("imported the bundled dataset %v after the test began", time.Since(began).Round(100*time.Millisecond))
	token, tokens := crashToken(t)
	// The test asserts outcomes, not speed: on a loaded machine a freshly
	// started Neo4j (its JIT cold) takes seconds per write, which must not
	// turn into a refusal while it is up, so the time limits are generous:
	// a call to the killed Neo4j fails UNAVAILABLE within the store timeout
	// and then the guard fails fast until a probe succeeds.
	env := map[string]string{"REGIONGRAPH_TOKENS": tokens, "NEO4J_URI": srv.URI, "NEO4J_PASSWORD": password,
		"REGIONGRAPH_OPEN_TIMEOUT": "60s", "REGIONGRAPH_STORE_TIMEOUT": "30s", "REGIONGRAPH_EXEC_TIMEOUT": "2m"}
	// Debug: the guard logs every probe, which the log printed on failure
	// shows.
	p := start(t, env, "-store", "neo4j", "-log-level", "debug")
	defer p.stop(t, 30*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server's log:\n%s\nNeo4j's log:\n%s", p.stderr.String(), srv.Log())
		}
	})
	client := &http.Client{Timeout: 3 * time.Minute}
	waitUntil(t, "ready (connected to Neo4j)", 3*time.Minute, func() bool {
		code, _ := httpStatus(t, client, p.url+"/readyz")
		return code == 200
	})

	var (
		mu        sync.Mutex
		acked     []write
		attempted []write
		seq       int
		killed    atomic.Bool
		codes     = map[string]int{}
	)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := 0; c < 3; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				seq++
				w := write{partner: fmt.Sprintf("neo4j-kill-w%d", seq)}
				w.relation = w.partner + "-deltar"
				mu.Unlock()
				a, err := post(ctx, client, p.url, token, crashMutation, map[string]any{"p": w.partner, "r": w.relation, "name": "Kill " + w.partner})
				mu.Lock()
				switch {
				case err == nil && a.Status == 200 && len(a.Errors) == 0 && crashCreated(a.Data) == 2:
					acked = append(acked, w)
				default:
					attempted = append(attempted, w)
					if err == nil && len(a.Errors) > 0 {
						code, _ := a.Errors[0].Extensions["code"].(string)
						codes[code]++
						// Answered while Neo4j was up: nothing excuses a refusal.
						// (A write in flight at the kill fails UNAVAILABLE.)
						if !killed.Load() && ctx.Err() == nil {
							t.Errorf("a write was refused while Neo4j was up: %+v", a.Errors)
						}
					}
				}
				mu.Unlock()
				if killed.Load() {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	// Kill once some writes have been acknowledged.
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 20 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("ready, %d writes acknowledged %v after the test began", len(acked), time.Since(began).Round(100*time.Millisecond))
	killed.Store(true)
	srv.Kill()
	t.Logf("SIGKILLed Neo4j (pid gone) after %d acknowledged writes", len(acked))

	// While Neo4j is down the server is up, not ready, and answers
	// UNAVAILABLE.
	if code, _ := httpStatus(t, client, p.url+"/healthz"); code != 200 {
		t.Errorf("/healthz while Neo4j is down: %d", code)
	}
	waitUntil(t, "queries answer UNAVAILABLE while Neo4j is down", 2*time.Minute, func() bool {
		a, err := post(context.Background(), client, p.url, "", `{ plans { totalCount } }`, nil)
		return err == nil && len(a.Errors) > 0 && a.Errors[0].Extensions["code"] == "UNAVAILABLE"
	})
	if code, _ := httpStatus(t, client, p.url+"/readyz"); code != 503 {
		t.Errorf("/readyz while Neo4j is down: %d, want 503", code)
	}
	time.Sleep(time.Second) // writes keep failing meanwhile
	cancel()
	wg.Wait()
	for code, n := range codes {
		if code != "UNAVAILABLE" {
			t.Errorf("%d writes failed with %s; a write while Neo4j is down is UNAVAILABLE", n, code)
		}
	}

	if err := srv.Restart(context.Background()); err != nil {
		t.Fatalf("restart Neo4j on the same port and data: %v", err)
	}
	t.Logf("Neo4j restarted on %s in %v (recovery of its data included)", srv.URI, srv.StartedIn.Round(100*time.Millisecond))
	restarted := time.Now()
	waitUntil(t, "ready again without a restart of the server", 3*time.Minute, func() bool {
		code, _ := httpStatus(t, client, p.url+"/readyz")
		return code == 200
	})
	t.Logf("ready again %v after the restart", time.Since(restarted).Round(100*time.Millisecond))
	waitUntil(t, "queries answer again", 3*time.Minute, func() bool {
		a, err := post(context.Background(), client, p.url, "", `{ plans { totalCount } }`, nil)
		return err == nil && len(a.Errors) == 0
	})
	t.Logf("queries answer again %v after the restart", time.Since(restarted).Round(100*time.Millisecond))
	for chunk := range slices.Chunk(acked, 200) {
		present := crashPresence(t, client, p.url, chunk)
		for _, w := range chunk {
			if !present[w.partner] || !present[w.relation] {
				t.Errorf("the acknowledged write %s is missing after the restart (partner %v, relation %v)", w.partner, present[w.partner], present[w.relation])
			}
		}
	}
	for chunk := range slices.Chunk(attempted, 200) {
		present := crashPresence(t, client, p.url, chunk)
		for _, w := range chunk {
			if present[w.partner] != present[w.relation] {
				t.Errorf("write %s is half there: partner %v, relation %v", w.partner, present[w.partner], present[w.relation])
			}
		}
	}
	t.Logf("%d acknowledged writes all present, %d unacknowledged whole or absent; failures while down: %v", len(acked), len(attempted), codes)
}

func httpStatus(t *testing.T, client *http.Client, url string) (int, error) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func waitUntil(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func envList() []string { return os.Environ() }
