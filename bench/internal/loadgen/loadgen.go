// Package loadgen is the client and timing side of regiongraph's load
// benchmarks (./bench against the graphql-js peer, ./bench/neo4j against
// @neo4j/graphql): starting server processes in their own process group,
// closed-loop keep-alive clients, latency percentiles, CPU per request from
// /proc and allocations from /metrics, and comparing answers.
//
// Only 127.0.0.1 is used.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// SplitList splits a comma-separated list, dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Clients parses a comma-separated list of client counts (1 to 256).
func Clients(s string) ([]int, error) {
	var cs []int
	for _, c := range SplitList(s) {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 || n > 256 {
			return nil, fmt.Errorf("-clients: %q is not a count from 1 to 256", c)
		}
		cs = append(cs, n)
	}
	return cs, nil
}

// Server is a started server process.
type Server struct {
	Name    string
	URL     string // the GraphQL endpoint
	Metrics string // regiongraph's /metrics; "" for other servers
	Cmd     *exec.Cmd
	stderr  *limitedWriter
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.Cmd.Process.Pid }

// Stderr is the start of what the server printed on stderr.
func (s *Server) Stderr() string { return s.stderr.String() }

// Stop ends the process group and waits for it.
func (s *Server) Stop() {
	if s == nil || s.Cmd == nil || s.Cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.Cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.Cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.Cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// FreePort returns a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start runs args in dir with env added, in a process group of its own
// (killed with the benchmark: Pdeathsig), and waits up to 30 s for ready
// to answer below 500.
func Start(name, dir string, env []string, ready string, args ...string) (*Server, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = io.Discard
	stderr := &limitedWriter{n: 64 << 10}
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &Server{Name: name, Cmd: cmd, stderr: stderr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("%s did not answer %s within 30s: %v\n%s", name, ready, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type limitedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		l.buf.Write(p[:k])
	}
	return len(p), nil
}

func (l *limitedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// NewClient is the HTTP client of the load: keep-alive, up to 512
// connections, no compression.
func NewClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512, DisableCompression: true}, Timeout: 30 * time.Second}
}

// Result is one measured run.
type Result struct {
	RPS         float64
	P50, P99    time.Duration
	CPUPerReq   []float64 // µs, one per process measured
	AllocPerReq float64   // bytes; -1 when unknown
	Errors      int
}

// Measure loads url with c clients for warm (unmeasured), then for dur,
// and measures the CPU time of each process in pids (the server first) and,
// when metrics is a regiongraph /metrics URL, the bytes allocated.
func Measure(client *http.Client, url, metrics string, pids []int, body []byte, c int, dur, warm time.Duration) (Result, error) {
	if warm > 0 {
		Load(client, url, body, c, warm)
	}
	cpu0 := make([]time.Duration, len(pids))
	for i, pid := range pids {
		t, err := CPUTime(pid)
		if err != nil {
			return Result{}, err
		}
		cpu0[i] = t
	}
	alloc0 := Allocated(client, metrics)
	lat, errs := Load(client, url, body, c, dur)
	res := Result{AllocPerReq: -1, Errors: errs}
	for i, pid := range pids {
		t, err := CPUTime(pid)
		if err != nil {
			return Result{}, err
		}
		res.CPUPerReq = append(res.CPUPerReq, (t-cpu0[i]).Seconds()*1e6/float64(max(1, len(lat))))
	}
	alloc1 := Allocated(client, metrics)
	if len(lat) == 0 {
		return Result{}, errors.New("no request answered")
	}
	slices.Sort(lat)
	n := float64(len(lat))
	res.RPS = n / dur.Seconds()
	res.P50 = lat[len(lat)/2]
	res.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
	if alloc0 >= 0 && alloc1 >= alloc0 {
		res.AllocPerReq = (alloc1 - alloc0) / n
	}
	return res, nil
}

// Load runs c closed-loop clients for d and returns every latency and the
// count of answers that were not 200 or held "errors".
func Load(client *http.Client, url string, body []byte, c int, d time.Duration) ([]time.Duration, int) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			buf := make([]byte, 32<<10)
			for ctx.Err() == nil {
				t := time.Now()
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					bad++
					continue
				}
				ok := resp.StatusCode == http.StatusOK
				for {
					n, err := resp.Body.Read(buf)
					if n > 0 && bytes.Contains(buf[:n], []byte(`"errors"`)) {
						ok = false
					}
					if err != nil {
						break
					}
				}
				resp.Body.Close()
				if ctx.Err() != nil {
					break // cut off by the end of the run: not counted
				}
				mine = append(mine, time.Since(t))
				if !ok {
					bad++
				}
			}
			mu.Lock()
			all = append(all, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, errs
}

// CPUTime is the user and system CPU time of process pid (all its threads)
// from /proc/pid/stat, in clock ticks of 1/100 s.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("CPU time of %d: %w", pid, err)
	}
	// The command name (field 2) may hold spaces; fields after it are plain.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// Allocated reads go_memstats_alloc_bytes_total from a /metrics page; -1
// when there is none.
func Allocated(client *http.Client, url string) float64 {
	v := MetricSums(client, url, "go_memstats_alloc_bytes_total")
	if f, ok := v[""]; ok {
		return f
	}
	return -1
}

// MetricSums reads a Prometheus text page and sums the samples of the
// metric name by the value of their first label ("" for a sample without
// labels). An unreadable page gives an empty map.
func MetricSums(client *http.Client, url, name string) map[string]float64 {
	out := map[string]float64{}
	if url == "" {
		return out
	}
	resp, err := client.Get(url)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		key := ""
		if rest[0] == '{' {
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				continue
			}
			labels := rest[1:end]
			if _, v, ok := strings.Cut(labels, `="`); ok {
				key, _, _ = strings.Cut(v, `"`)
			}
			rest = rest[end+1:]
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err == nil {
			out[key] += f
		}
	}
	return out
}

// Compare posts query to both servers and says whether their data agree:
// "same data", "same data up to list order" or what differs.
func Compare(client *http.Client, query, a, b, nameA, nameB string) string {
	da, err := PostData(client, a, query)
	if err != nil {
		return nameA + ": " + err.Error()
	}
	db, err := PostData(client, b, query)
	if err != nil {
		return nameB + ": " + err.Error()
	}
	switch {
	case bytes.Equal(Canonical(da, false), Canonical(db, false)):
		return fmt.Sprintf("same data (%d bytes)", len(da))
	case bytes.Equal(Canonical(da, true), Canonical(db, true)):
		return fmt.Sprintf("same data up to list order (%d bytes)", len(da))
	}
	return fmt.Sprintf("DIFFERENT data: %s %.200s… %s %.200s…", nameA, da, nameB, db)
}

// PostData posts query and returns the answer's data; an answer that is
// not 200 or has errors is an error.
func PostData(client *http.Client, url, query string) ([]byte, error) {
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || len(r.Errors) > 0 {
		return nil, fmt.Errorf("status %d, errors %v", resp.StatusCode, r.Errors)
	}
	return r.Data, nil
}

// Canonical re-encodes JSON with sorted keys and, with sortLists, every
// list sorted by its elements' encoding.
func Canonical(raw []byte, sortLists bool) []byte {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw
	}
	var norm func(any) any
	norm = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = norm(e)
			}
		case []any:
			for i, e := range x {
				x[i] = norm(e)
			}
			if sortLists {
				slices.SortFunc(x, func(p, q any) int {
					bp, _ := json.Marshal(p)
					bq, _ := json.Marshal(q)
					return bytes.Compare(bp, bq)
				})
			}
		}
		return v
	}
	b, _ := json.Marshal(norm(v))
	return b
}

// MS is d in milliseconds.
func MS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// NumCPU counts the processors in /proc/cpuinfo.
func NumCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return bytes.Count(b, []byte("\nprocessor")) + 1
}

// Loadavg is the 1, 5 and 15 minute load average.
func Loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
