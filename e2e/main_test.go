// Package e2e tests the regiongraph binary from outside: built with
// `go build`, run as a subprocess on 127.0.0.1, spoken to over HTTP.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph/internal/neo4jlocal"
)

// binary is the regiongraph binary TestMain built.
var binary string

// hangBound is how long the tests wait for what must happen (the server
// listening, an answer): only something that never happens reaches it,
// never a slow machine.
const hangBound = 2 * time.Minute

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "regiongraph-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "regiongraph")
	build := exec.Command("go", "build", "-o", binary, "./cmd/regiongraph")
	build.Dir = ".."
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: go build ./cmd/regiongraph:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := neo4jlocal.Main(m) // m.Run with the package's Neo4j tier
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running `regiongraph serve`.
type proc struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	exited chan struct{}
	err    error
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

var servingAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)

// start runs `regiongraph serve -addr 127.0.0.1:0 args...` with env added to
// a clean environment, and waits until it listens.
func start(t *testing.T, env map[string]string, args ...string) *proc {
	t.Helper()
	return launch(t, "", env, append([]string{"serve", "-addr", "127.0.0.1:0", "-log-level", "info"}, args...)...)
}

// launch runs the binary with exactly args in dir ("" for the test's own),
// with env added to a clean environment, and waits until it listens.
func launch(t *testing.T, dir string, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REGIONGRAPH_") && !strings.HasPrefix(kv, "NEO4J_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	pr, pw := io.Pipe()
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = pw
	cmd.Stdout = io.Discard
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binary, err)
	}
	// Whatever the test does, the server does not outlive it.
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.kill()
		}
	})
	go func() {
		p.err = cmd.Wait()
		_ = pw.Close()
		close(p.exited)
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p.stderr, line)
			if m := servingAddr.FindStringSubmatch(line); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-p.exited:
		t.Fatalf("regiongraph exited before listening: %v\n%s", p.err, p.stderr.String())
	case <-time.After(hangBound):
		p.kill()
		t.Fatalf("regiongraph did not listen within %v\n%s", hangBound, p.stderr.String())
	}
	return p
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop sends SIGTERM and waits up to d for a clean exit.
func (p *proc) stop(t *testing.T, d time.Duration) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("regiongraph exited with %v after SIGTERM\n%s", p.err, p.stderr.String())
		}
	case <-time.After(d):
		p.kill()
		t.Errorf("regiongraph did not stop within %v of SIGTERM", d)
	}
}

type gqlAnswer struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// post sends a GraphQL request with an optional bearer token.
func post(ctx context.Context, client *http.Client, url, token, query string, vars map[string]any) (gqlAnswer, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return gqlAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return gqlAnswer{}, err
	}
	defer resp.Body.Close()
	var a gqlAnswer
	a.Status = resp.StatusCode
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return a, fmt.Errorf("decode answer (status %d): %w", resp.StatusCode, err)
	}
	return a, nil
}
