// Package neo4jlocal starts a local Neo4j Community for tests: the launcher
// of scripts/neo4j-local (embedded Neo4j 5.26, Bolt on 127.0.0.1), run as a
// child process that cannot outlive the test binary.
//
// Server is one such Neo4j. Main and Require give a test package its Neo4j
// tier: the Neo4j named by NEO4J_URI, or else one started on first use and
// stopped when the package's tests end (see tier.go).
package neo4jlocal

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options say how to start a Server.
type Options struct {
	// Data is the DBMS folder (databases, transaction logs, the launcher's
	// log). Required; a later Start on the same folder finds the data.
	Data string
	// Port is the Bolt port on 127.0.0.1; 0 picks a free one.
	Port int
	// Password turns authentication on (user neo4j); empty: off.
	Password string
	// StartTimeout bounds waiting for Bolt (default 3 minutes; Maven's first
	// download is not part of it).
	StartTimeout time.Duration
}

// Server is a running (or stopped) local Neo4j.
type Server struct {
	URI  string // neo4j://127.0.0.1:Port
	Port int
	Data string
	// StartedIn is how long the last start took, from exec to Bolt
	// answering (Maven and javac excluded).
	StartedIn time.Duration

	opts     Options
	javaArgs []string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	log    *lockedBuffer
}

// Start prepares the launcher (Maven and javac, cached by
// scripts/neo4j-local) and starts Neo4j, returning once Bolt answers.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Data == "" {
		return nil, errors.New("neo4jlocal: Options.Data is required")
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 3 * time.Minute
	}
	args, err := JavaArgs(ctx)
	if err != nil {
		return nil, err
	}
	s := &Server{Data: opts.Data, opts: opts, javaArgs: args}
	pick := opts.Port == 0
	for attempt := 1; ; attempt++ {
		s.Port = opts.Port
		if pick {
			if s.Port, err = freePort(); err != nil {
				return nil, err
			}
		}
		s.URI = "neo4j://127.0.0.1:" + strconv.Itoa(s.Port)
		err = s.start(ctx)
		if err == nil {
			return s, nil
		}
		// Another process may have taken the free port in between.
		if !pick || attempt == 3 || !strings.Contains(err.Error(), "ddress already in use") {
			return nil, err
		}
	}
}

// Restart starts the server again on the same port and data, after Stop or
// Kill.
func (s *Server) Restart(ctx context.Context) error {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if err = s.start(ctx); err == nil || !strings.Contains(err.Error(), "ddress already in use") {
			return err
		}
		time.Sleep(500 * time.Millisecond)
	}
	return err
}

func (s *Server) start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		select {
		case <-s.exited:
		default:
			return errors.New("neo4jlocal: already running")
		}
	}
	if err := os.MkdirAll(s.Data, 0o755); err != nil {
		return fmt.Errorf("neo4jlocal: %w", err)
	}
	args := append(slicesClone(s.javaArgs), "--data", s.Data, "--port", strconv.Itoa(s.Port))
	cmd := exec.Command("java", args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NEO4J_PASSWORD=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if s.opts.Password != "" {
		cmd.Env = append(cmd.Env, "NEO4J_PASSWORD="+s.opts.Password)
	}
	reapable(cmd)
	log := &lockedBuffer{}
	ready := make(chan struct{})
	pr, pw, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("neo4jlocal: %w", err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	exited := make(chan struct{})
	started := make(chan error, 1)
	begin := time.Now()
	go func() {
		// Pdeathsig fires when the thread that started the child ends, so
		// this goroutine keeps its thread until the JVM is gone; the thread
		// then ends with it.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(exited)
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		_ = pr.Close()
		_ = pw.Close()
		return fmt.Errorf("neo4jlocal: start java: %w", err)
	}
	_ = pw.Close()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if strings.HasPrefix(line, "NEO4J_LOCAL_READY") {
				once.Do(func() { close(ready) })
			}
		}
		_ = pr.Close()
	}()
	s.cmd, s.exited, s.log = cmd, exited, log
	timer := time.NewTimer(s.opts.StartTimeout)
	defer timer.Stop()
	select {
	case <-ready:
		s.StartedIn = time.Since(begin)
		return nil
	case <-exited:
		return fmt.Errorf("neo4jlocal: Neo4j exited before it was ready (%s); its log:\n%s", cmd.ProcessState, log.tail())
	case <-timer.C:
	case <-ctx.Done():
	}
	s.killLocked()
	return fmt.Errorf("neo4jlocal: Neo4j on port %d was not ready within %v; its log:\n%s", s.Port, s.opts.StartTimeout, log.tail())
}

// Pid is the JVM's process id (0 when not started).
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Log is what the launcher printed since the last start.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return ""
	}
	return s.log.String()
}

// Kill sends SIGKILL to the JVM's process group and waits until it is gone:
// a crash, as far as Neo4j is concerned.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.killLocked()
}

func (s *Server) killLocked() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = signalGroup(s.cmd, syscall.SIGKILL)
	<-s.exited
}

// Stop asks Neo4j to shut down cleanly (SIGTERM) and waits; after timeout it
// kills the process group and returns an error.
func (s *Server) Stop(timeout time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if !strings.Contains(s.log.String(), "NEO4J_LOCAL_STOPPED") {
			return fmt.Errorf("neo4jlocal: Neo4j exited (%s) without a clean shutdown; its log:\n%s", s.cmd.ProcessState, s.log.tail())
		}
		return nil
	case <-time.After(timeout):
		s.killLocked()
		return fmt.Errorf("neo4jlocal: Neo4j did not stop within %v of SIGTERM; killed", timeout)
	}
}

// Root is the repository's root: the folder of go.mod above the working
// directory.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("neo4jlocal: no go.mod above the working directory")
		}
		dir = parent
	}
}

var javaArgs struct {
	sync.Mutex
	args []string
}

// JavaArgs runs `scripts/neo4j-local java-args` (which resolves Neo4j with
// Maven and compiles the launcher the first time, under a lock) and returns
// the launcher's java arguments. The answer is kept for the process.
func JavaArgs(ctx context.Context) ([]string, error) {
	javaArgs.Lock()
	defer javaArgs.Unlock()
	if javaArgs.args != nil {
		return javaArgs.args, nil
	}
	if missing := MissingTools(); missing != "" {
		return nil, fmt.Errorf("neo4jlocal: %s", missing)
	}
	root, err := Root()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "neo4j-local"), "java-args")
	// A test's server lives for minutes: the JVM's quick compiler alone
	// costs it about a fifth less CPU than both compilers (measured over
	// the conformance suite), unless NEO4J_LOCAL_JIT says otherwise. A
	// benchmark (not a test binary) gets both.
	cmd.Env = os.Environ()
	if os.Getenv("NEO4J_LOCAL_JIT") == "" && testing.Testing() {
		cmd.Env = append(cmd.Env, "NEO4J_LOCAL_JIT=quick")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("neo4jlocal: scripts/neo4j-local java-args: %w\n%s", err, stderr.String())
	}
	args := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(args) < 2 || args[len(args)-1] != "NeoLocal" {
		return nil, fmt.Errorf("neo4jlocal: scripts/neo4j-local java-args printed %q", stdout.String())
	}
	javaArgs.args = args
	return args, nil
}

// MissingTools names what is missing to start a local Neo4j (java, javac,
// mvn, bash, flock), or returns "".
func MissingTools() string {
	var missing []string
	for _, tool := range []string{"java", "javac", "mvn", "bash", "flock"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return strings.Join(missing, ", ") + " not found (a local Neo4j needs OpenJDK 17 and Maven 3.8)"
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("neo4jlocal: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) WriteString(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tail is the last 8 KiB of the log.
func (l *lockedBuffer) tail() string {
	s := l.String()
	if len(s) > 8<<10 {
		s = "...\n" + s[len(s)-8<<10:]
	}
	return s
}
