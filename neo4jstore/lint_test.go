//go:build cypherlint && linux

package neo4jstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The offline Cypher check: every statement the store can run goes through
// Neo4j's own analyser (@neo4j-cypher/language-support, see cypherlint/) and
// must come back without a single error or warning. It takes minutes on two
// cores, so it is not part of `go test ./...`: .ci/run runs it with
//
//	go test -tags cypherlint -run CypherAnalyser ./neo4jstore/
//
// (EXPLAIN on a live Neo4j is the authoritative check; this one needs no
// database.)

const lintDir = "cypherlint"

type lintDiagnostic struct {
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

type lintOutput struct {
	Analyser   string `json:"analyser"`
	Language   string `json:"language"`
	Functions  int    `json:"functions"`
	Procedures int    `json:"procedures"`
	Results    []struct {
		Name        string           `json:"name"`
		Diagnostics []lintDiagnostic `json:"diagnostics"`
	} `json:"results"`
}

// analyserNode returns the node binary to run the analyser with, after
// installing what is missing: Node 24 from npm (cypherlint/node, pinned by
// its package-lock.json; the analyser needs Node >= 24.11.1 and Debian's is
// 20) and then the analyser (cypherlint, pinned by its package-lock.json),
// with that Node first on PATH so npm checks the analyser's engine against
// it. Where npm publishes no Node for the platform (only linux-x64 is), the
// node on PATH is used and must be new enough. The check runs only with
// -tags cypherlint, so a missing node or npm is a failure, never a skip.
func analyserNode(t *testing.T) string {
	t.Helper()
	installOnce.Do(func() { nodeBin, installErr = installAnalyser(t.Context()) })
	if installErr != nil {
		t.Fatalf("install the Cypher analyser: %v", installErr)
	}
	return nodeBin
}

var (
	installOnce sync.Once
	nodeBin     string
	installErr  error
)

// minNode is the oldest Node the pinned analyser supports (its "engines").
var minNode = [3]int{24, 11, 1}

func installAnalyser(ctx context.Context) (string, error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("npm is not installed (install Node.js and npm; the analyser and the Node it needs come from npm): %w", err)
	}
	nodeDir := filepath.Join(lintDir, "node")
	local, err := filepath.Abs(filepath.Join(nodeDir, "node_modules", ".bin", "node"))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(local); err != nil {
		if err := runNpmCI(ctx, npm, nodeDir, ""); err != nil {
			return "", err
		}
	}
	node := local
	if _, err := os.Stat(local); err != nil {
		// npm has no Node package for this platform: use the one on PATH.
		if node, err = exec.LookPath("node"); err != nil {
			return "", fmt.Errorf("npm publishes no Node for this platform and node is not on PATH: %w", err)
		}
	}
	if err := checkNodeVersion(ctx, node); err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(lintDir, "node_modules", "@neo4j-cypher", "language-support", "package.json")); err != nil {
		if err := runNpmCI(ctx, npm, lintDir, filepath.Dir(node)); err != nil {
			return "", err
		}
	}
	return node, nil
}

// runNpmCI runs `npm ci` in dir, with pathFirst (when set) first on PATH.
func runNpmCI(ctx context.Context, npm, dir, pathFirst string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := reapedCommand(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if pathFirst != "" {
		cmd.Env = append(os.Environ(), "PATH="+pathFirst+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", dir, err, out)
	}
	return nil
}

func checkNodeVersion(ctx context.Context, node string) error {
	out, err := reapedCommand(ctx, node, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", node, err)
	}
	v := strings.TrimSpace(string(out))
	var got [3]int
	if _, err := fmt.Sscanf(v, "v%d.%d.%d", &got[0], &got[1], &got[2]); err != nil {
		return fmt.Errorf("%s --version printed %q", node, v)
	}
	if slices.Compare(got[:], minNode[:]) < 0 {
		return fmt.Errorf("%s is Node %s; the analyser needs Node >= %d.%d.%d (npm publishes it only for linux-x64: on other platforms put a newer node on PATH)", node, v, minNode[0], minNode[1], minNode[2])
	}
	return nil
}

// reapedCommand is exec.CommandContext in a process group of its own: when
// ctx ends the whole group is killed (node and anything it started), and the
// kernel kills the process if the test binary dies first (go test's -timeout
// panics and exits without running cleanups).
func reapedCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// lintContext ends a minute before the test's deadline, so that a slow
// analyser is killed, and the test fails saying so, before go test's
// timeout kills the test binary.
func lintContext(t *testing.T) (context.Context, context.CancelFunc) {
	if d, ok := t.Deadline(); ok {
		return context.WithDeadline(t.Context(), d.Add(-time.Minute))
	}
	return context.WithCancel(t.Context())
}

type lintInput struct {
	Name       string         `json:"name"`
	Query      string         `json:"query"`
	Parameters map[string]any `json:"parameters"`
}

// runLint lints statements and returns the analyser's output.
func runLint(t *testing.T, sts []Statement) lintOutput {
	t.Helper()
	node := analyserNode(t)
	in := map[string]any{"schema": lintSchema()}
	var list []lintInput
	for _, st := range sts {
		list = append(list, lintInput{Name: st.Name, Query: st.Query, Parameters: st.Params})
	}
	in["statements"] = list
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("encode statements: %v", err)
	}
	ctx, cancel := lintContext(t)
	defer cancel()
	cmd := reapedCommand(ctx, node, "lint.mjs")
	cmd.Dir = lintDir
	cmd.Stdin = bytes.NewReader(body)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if ctx.Err() != nil {
			t.Fatalf("node lint.mjs killed after %v (%v), a minute before the test's deadline: run with a longer -timeout\n%s", time.Since(start).Round(time.Second), ctx.Err(), stderr.String())
		}
		if errors.As(err, &ee) {
			t.Fatalf("node lint.mjs failed: %v\n%s", err, stderr.String())
		}
		t.Fatalf("run node lint.mjs: %v", err)
	}
	var out lintOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("decode analyser output: %v\n%s", err, stdout.String())
	}
	if len(out.Results) != len(sts) {
		t.Fatalf("analyser returned %d results for %d statements", len(out.Results), len(sts))
	}
	t.Logf("%s (%s, %d functions, %d procedures declared) checked %d statements in %v",
		out.Analyser, out.Language, out.Functions, out.Procedures, len(sts), time.Since(start).Round(time.Millisecond))
	return out
}

func TestCypherAnalyserAcceptsEveryStatement(t *testing.T) {
	sts := Statements()
	if len(sts) == 0 {
		t.Fatal("Statements() is empty")
	}
	out := runLint(t, sts)
	bad := 0
	for i, r := range out.Results {
		if r.Name != sts[i].Name {
			t.Fatalf("result %d is for %q, want %q", i, r.Name, sts[i].Name)
		}
		for _, d := range r.Diagnostics {
			bad++
			if bad <= 50 {
				t.Errorf("%s: %s at %d:%d: %s\n%s", r.Name, d.Severity, d.Line, d.Column, d.Message, sts[i].Query)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d diagnostics in %d statements", bad, len(sts))
	}
	t.Logf("the analyser accepted all %d statements without errors or warnings", len(sts))
}

// TestCypherAnalyserReportsBrokenStatements proves the check can fail: each
// of these statements must draw at least one diagnostic.
func TestCypherAnalyserReportsBrokenStatements(t *testing.T) {
	broken := []Statement{
		{Name: "unknown label and property", Query: "MATCH (n:Nope) RETURN n.nope", Params: map[string]any{}},
		{Name: "syntax error", Query: "MATCH (n:Entity RETURN n", Params: map[string]any{}},
		{Name: "undeclared parameter", Query: "MATCH (n:Entity) WHERE n.id = $nope RETURN n", Params: map[string]any{}},
		{Name: "unknown relationship type", Query: "MATCH (:Entity)-[r:NOPE]->(:Entity) RETURN r.id", Params: map[string]any{}},
		{Name: "deprecated function", Query: "MATCH (n:Entity) RETURN id(n)", Params: map[string]any{}},
		{Name: "unknown function", Query: "MATCH (n:Entity) RETURN nope(n.id)", Params: map[string]any{}},
		{Name: "deprecated subquery import", Query: "MATCH (n:Entity) CALL { WITH n RETURN n.id AS x } RETURN x", Params: map[string]any{}},
		{Name: "user text in a statement", Query: "MATCH (n:Entity) WHERE n.searchText CONTAINS ''); MATCH (n) DETACH DELETE n //' RETURN n", Params: map[string]any{}},
	}
	out := runLint(t, broken)
	for i, r := range out.Results {
		if len(r.Diagnostics) == 0 {
			t.Errorf("%s: the analyser reported nothing for %q", broken[i].Name, broken[i].Query)
			continue
		}
		var msgs []string
		for _, d := range r.Diagnostics {
			msgs = append(msgs, fmt.Sprintf("%s: %s", d.Severity, d.Message))
		}
		t.Logf("%s: %s", broken[i].Name, strings.Join(msgs, "; "))
	}
}
