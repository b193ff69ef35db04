package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regiongraph/regiongraph/data"
)

// TestDocsExamples follows README.md and then docs/*.md as a reader would,
// in one working folder against one server started as the README says
// (`go run ./cmd/regiongraph`: the binary with no arguments; only the port
// is chosen by the test, with REGIONGRAPH_ADDR). Every GraphQL block is
// sent (mutations with an admin token the test makes with `regiongraph
// token`), every shell block is run, and each must succeed: no GraphQL
// errors, every top-level field there and not empty, exit status 0, the
// files it writes written. A few answers are checked for their values. A
// block is skipped only when its info string says `norun (why)` or when it
// is neither GraphQL nor shell; the log lists what was skipped and why.
//
// Shell commands run with `regiongraph` on PATH, http://localhost:8080 read
// as the test server's address and `rgt_…` as the test's token.
// `regiongraph import` and `export` without -server open the data file,
// which the server holds (as the docs say), so the server is stopped while
// they run and started again after.
func TestDocsExamples(t *testing.T) {
	files := []string{filepath.Join("..", "README.md")}
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(docs)
	files = append(files, docs...)

	d := newDocsRun(t)
	defer d.stop()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, blk := range codeBlocks(filepath.Base(f), string(b)) {
			d.run(blk)
		}
	}
	var sum strings.Builder
	fmt.Fprintf(&sum, "%d blocks run, %d skipped:", d.ran, len(d.skipped))
	for _, s := range d.skipped {
		fmt.Fprintf(&sum, "\n  skipped %s", s)
	}
	t.Log(sum.String())
	if d.ran < 10 {
		t.Errorf("only %d blocks ran: the docs or the parser changed", d.ran)
	}
}

// block is one fenced code block.
type block struct {
	where string // file:line
	lang  string
	info  string // the rest of the info string
	text  string
}

func codeBlocks(name, md string) []block {
	var out []block
	var cur *block
	var buf strings.Builder
	sc := bufio.NewScanner(strings.NewReader(md))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !strings.HasPrefix(line, "```") {
			if cur != nil {
				buf.WriteString(line + "\n")
			}
			continue
		}
		if cur != nil {
			cur.text = buf.String()
			out = append(out, *cur)
			cur = nil
			continue
		}
		info := strings.TrimSpace(strings.TrimPrefix(line, "```"))
		lang, rest, _ := strings.Cut(info, " ")
		cur = &block{where: fmt.Sprintf("%s:%d", name, n), lang: lang, info: strings.TrimSpace(rest)}
		buf.Reset()
	}
	return out
}

// docsRun is the reader's session: a working folder, the server, a token.
type docsRun struct {
	t       *testing.T
	dir     string // the working folder
	bin     string // a folder with regiongraph in it, first on PATH
	token   string
	env     map[string]string // the server's environment
	p       *proc
	client  *http.Client
	ran     int
	skipped []string
}

func newDocsRun(t *testing.T) *docsRun {
	d := &docsRun{t: t, dir: t.TempDir(), bin: t.TempDir(), client: &http.Client{Timeout: hangBound}}
	if err := os.Symlink(binary, filepath.Join(d.bin, "regiongraph")); err != nil {
		t.Fatal(err)
	}
	// The admin token, made as the README says.
	out, err := exec.Command(binary, "token", "-name", "docs", "-role", "admin").Output()
	if err != nil {
		t.Fatalf("regiongraph token: %v", err)
	}
	d.token = regexp.MustCompile(`rgt_\S+`).FindString(string(out))
	grant := regexp.MustCompile(`(?m)^\s*(docs:admin:[0-9a-f]{64})\s*$`).FindStringSubmatch(string(out))
	if d.token == "" || grant == nil {
		t.Fatalf("regiongraph token printed no token or no REGIONGRAPH_TOKENS entry:\n%s", out)
	}
	d.env = map[string]string{"REGIONGRAPH_ADDR": "127.0.0.1:0", "REGIONGRAPH_TOKENS": grant[1]}
	d.start()
	return d
}

func (d *docsRun) start() {
	d.p = launch(d.t, d.dir, d.env)
	if _, err := os.Stat(filepath.Join(d.dir, "regiongraph.db")); err != nil {
		d.t.Fatalf("the server does not keep the graph in regiongraph.db in its folder: %v", err)
	}
	if !strings.Contains(d.p.stderr.String(), "map=http://127.0.0.1:") {
		d.t.Errorf("the start-up line does not name the map's URL:\n%s", d.p.stderr.String())
	}
}

func (d *docsRun) stop() {
	if d.p != nil {
		d.p.stop(d.t, hangBound)
		d.p = nil
	}
}

func (d *docsRun) skip(b block, why string) {
	d.skipped = append(d.skipped, fmt.Sprintf("%s (%s): %s", b.where, b.lang, why))
}

func (d *docsRun) run(b block) {
	if strings.HasPrefix(b.info, "norun") {
		why := strings.Trim(strings.TrimSpace(strings.TrimPrefix(b.info, "norun")), "()")
		if why == "" {
			d.t.Errorf("%s: norun without a reason", b.where)
		}
		d.skip(b, why)
		return
	}
	switch b.lang {
	case "graphql":
		for _, op := range operations(b.text) {
			d.graphql(b, op)
		}
	case "sh", "bash", "shell":
		for _, cmd := range shellCommands(b.text) {
			d.shell(b, cmd)
		}
	case "":
		d.skip(b, "no language: a file's contents, not a command")
		return
	default:
		d.skip(b, b.lang+" is neither a GraphQL query nor a shell command")
		return
	}
	d.ran++
}

// operations splits a GraphQL block into its top-level operations (the docs
// put several one-line mutations in one block); a block with fragments is
// one document.
func operations(text string) []string {
	if strings.Contains(text, "fragment ") {
		return []string{text}
	}
	var ops []string
	depth, from := 0, 0
	inString := false
	for i, r := range text {
		switch {
		case r == '"' && (i == 0 || text[i-1] != '\\'):
			inString = !inString
		case inString:
		case r == '{':
			depth++
		case r == '}':
			depth--
			if depth == 0 {
				ops = append(ops, strings.TrimSpace(text[from:i+1]))
				from = i + 1
			}
		}
	}
	return ops
}

var variableUse = regexp.MustCompile(`\$(\w+)\s*:`)

func (d *docsRun) graphql(b block, op string) {
	t := d.t
	vars := map[string]any{}
	for _, m := range variableUse.FindAllStringSubmatch(op[:strings.Index(op, "{")], -1) {
		switch m[1] {
		case "yaml":
			vars["yaml"] = string(data.Kongsbergregionen) // the bundled dataset
		default:
			t.Errorf("%s: no value for $%s", b.where, m[1])
			return
		}
	}
	token := ""
	if strings.HasPrefix(op, "mutation") {
		token = d.token
	}
	a, err := post(context.Background(), d.client, d.p.url, token, op, vars)
	if err != nil {
		t.Errorf("%s: %v\n%s", b.where, err, op)
		return
	}
	if a.Status != 200 || len(a.Errors) > 0 {
		t.Errorf("%s: HTTP %d, errors %+v\n%s", b.where, a.Status, a.Errors, op)
		return
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(a.Data, &top); err != nil || len(top) == 0 {
		t.Errorf("%s: no data (%v): %s", b.where, err, a.Data)
		return
	}
	for k, v := range top {
		if empty(v) {
			t.Errorf("%s: %s is empty: %s\n%s", b.where, k, v, op)
		}
	}
	for _, c := range docsChecks {
		if strings.Contains(op, c.in) && !strings.Contains(string(a.Data), c.want) {
			t.Errorf("%s: the answer does not contain %q:\n%.1500s", b.where, c.want, a.Data)
		}
	}
	t.Logf("%s: %.300s", b.where, a.Data)
}

// docsChecks are values some examples must show: what the text around
// them promises, from the bundled data or from the examples before them.
var docsChecks = []struct{ in, want string }{
	{`search(text: "hoghastighet")`, `"name":"Høghastighetstog"`},
	{`initiatives(filter: {text: "LUP 2011"})`, `"name":"LUP 2011"`},
	{`search(text: "plom", kinds: [NETWORK])`, `"name":"PLOM`},
	{`paths(from: "kommune-tinn", to: "partner-statens-vegvesen"`, `"name":"Statens vegvesen"`},
	{`createNetwork(`, `"id":"nettverk-klima"`},
	{`updateInitiative(input: {id: "tiltak-2025-1-1", costNok: 650000`, `"costNok":650000`},
	{`node(id: "tiltak-2025-1-1")`, `"costNok":650000`},
	{`importDataset(yaml: $yaml, dryRun: true)`, `"applied":false`},
}

// empty reports whether a top-level answer is null, {}, [] or a
// connection without nodes.
func empty(v json.RawMessage) bool {
	var x any
	if json.Unmarshal(v, &x) != nil || x == nil {
		return true
	}
	switch x := x.(type) {
	case []any:
		return len(x) == 0
	case map[string]any:
		if len(x) == 0 {
			return true
		}
		if nodes, ok := x["nodes"].([]any); ok {
			return len(nodes) == 0
		}
	}
	return false
}

// shellCommands are the block's commands: lines joined where they end in a
// backslash, without blank lines.
func shellCommands(text string) []string {
	var cmds []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		if c := strings.TrimSpace(cur.String()); c != "" && !strings.HasPrefix(c, "#") {
			cmds = append(cmds, c)
		}
		cur.Reset()
	}
	return cmds
}

var opensDataFile = regexp.MustCompile(`(^|\s)regiongraph (import|export)\b`)

func (d *docsRun) shell(b block, command string) {
	t := d.t
	if command == "go run ./cmd/regiongraph" {
		// What the test's server is: the binary without arguments.
		t.Logf("%s: %s: the test's server (the built binary, no arguments)", b.where, command)
		return
	}
	restart := opensDataFile.MatchString(command) && !strings.Contains(command, "-server")
	if restart {
		d.stop()
		defer d.start()
	}
	url := "http://localhost:8080"
	if d.p != nil {
		url = d.p.url
	}
	line := strings.ReplaceAll(command, "http://localhost:8080", url)
	line = strings.ReplaceAll(line, "rgt_…", d.token)
	if strings.HasPrefix(line, "curl ") {
		line = "curl -f " + strings.TrimPrefix(line, "curl ") // an HTTP error fails the command
	}
	ctx, cancel := testContext(t)
	defer cancel()
	cmd := reaped(ctx, "sh", "-c", line)
	cmd.Dir = d.dir
	gobin := filepath.Join(d.dir, "gobin")
	if strings.HasPrefix(command, "go ") {
		cmd.Dir = ".." // the repository, where the README's go commands run
	}
	cmd.Env = append(os.Environ(), "PATH="+d.bin+string(os.PathListSeparator)+os.Getenv("PATH"), "GOBIN="+gobin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s: $ %s (%v)\n%.600s", b.where, command, time.Since(start).Round(time.Millisecond), out.String())
	if err != nil {
		t.Errorf("%s: %s: %v\n%s", b.where, command, err, out.String())
		return
	}
	// What the command must have done.
	switch {
	case strings.HasPrefix(command, "curl -s ") && strings.Contains(command, "/graphql"):
		var a gqlAnswer
		if json.Unmarshal(out.Bytes(), &a) != nil || len(a.Errors) > 0 || empty(a.Data) {
			t.Errorf("%s: curl's answer is not data without errors: %s", b.where, out.String())
		}
	case strings.HasPrefix(command, "go install "):
		if _, err := os.Stat(filepath.Join(gobin, "regiongraph")); err != nil {
			t.Errorf("%s: go install left no regiongraph: %v", b.where, err)
		}
	case strings.HasPrefix(command, "regiongraph token"):
		if !regexp.MustCompile(`rgt_\S+`).MatchString(out.String()) || !regexp.MustCompile(`(?m)^\s*\S+ \w+ [0-9a-f]{64}\s*$`).MatchString(out.String()) {
			t.Errorf("%s: no token or no tokens-file line in:\n%s", b.where, out.String())
		}
	case strings.Contains(command, "regiongraph import"):
		if !strings.Contains(out.String(), "nothing changed") && !strings.Contains(out.String(), "imported") {
			t.Errorf("%s: import did not say what it did:\n%s", b.where, out.String())
		}
	}
	for _, f := range regexp.MustCompile(`(?:-o|--output)\s+(\S+)`).FindAllStringSubmatch(command, -1) {
		path := filepath.Join(d.dir, f[1])
		if strings.HasSuffix(f[1], "/") {
			path = filepath.Join(path, "nodes.csv")
		}
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Errorf("%s: %s wrote nothing to %s: %v", b.where, command, path, err)
		}
	}
}
