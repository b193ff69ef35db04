package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runApp runs the program with args and env and returns its stdout, its
// stderr, what main would print for the error, and the exit code.
func runApp(t *testing.T, env map[string]string, args ...string) (stdout, stderr, printed string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }}
	// A command expected to fail that serves instead is stopped after
	// hangBound, and then fails the test by its exit code.
	ctx, cancel := context.WithTimeout(context.Background(), hangBound)
	defer cancel()
	err := a.run(ctx, args)
	if err != nil && !errors.Is(err, errUsage) && !errors.Is(err, errHelp) {
		printed = "regiongraph: " + message(err)
	}
	return out.String(), errOut.String(), printed, exitCode(err)
}

func TestHelpListsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}} {
		stdout, stderr, _, code := runApp(t, nil, args...)
		if code != 0 || stderr != "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
		for _, s := range subcommands {
			if !strings.Contains(stdout, "\n  "+s.name+" ") || !strings.Contains(stdout, s.summary) {
				t.Errorf("%q does not list %s with its line:\n%s", args, s.name, stdout)
			}
		}
	}
	// An unknown command lists them too, on stderr, and is an error.
	_, stderr, _, code := runApp(t, nil, "frobnicate")
	if code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) || !strings.Contains(stderr, "  import ") {
		t.Errorf("unknown command: exit %d, stderr:\n%s", code, stderr)
	}
}

// Each command's help lists exactly its own flags, each with its
// environment variable and default.
func TestCommandHelpListsOnlyItsFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		cmds int
		own  []string // the command's flags that are not settings
	}{
		{"serve", forServe, nil},
		{"import", forImport, []string{"dry-run", "reason", "json", "batch"}},
		{"export", forExport, []string{"format", "o", "kind", "relation", "year", "focus-area", "network", "focus", "depth", "text", "csv", "template", "excel-csv"}},
		{"token", 0, []string{"name", "role"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, _, code := runApp(t, nil, c.name, "-h")
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if viaHelp, _, _, _ := runApp(t, nil, "help", c.name); viaHelp != stdout {
				t.Errorf("regiongraph help %s differs from %s -h", c.name, c.name)
			}
			listed := map[string]bool{}
			for _, line := range strings.Split(stdout, "\n") {
				if strings.HasPrefix(line, "  -") {
					listed[strings.Fields(line)[0][1:]] = true
				}
			}
			for _, s := range settings {
				has := s.cmds&c.cmds != 0
				if has != listed[s.name] {
					t.Errorf("-%s listed %v, want %v", s.name, listed[s.name], has)
				}
				if !has {
					continue
				}
				block := flagBlock(stdout, s.name)
				if !strings.Contains(block, "$"+envName(s.name)) {
					t.Errorf("-%s does not name $%s:\n%s", s.name, envName(s.name), block)
				}
				if s.def != "" && !strings.Contains(block, "default "+s.def) {
					t.Errorf("-%s does not give its default %s:\n%s", s.name, s.def, block)
				}
			}
			for _, f := range c.own {
				if !listed[f] {
					t.Errorf("-%s is not listed:\n%s", f, stdout)
				}
			}
			if n := len(listed); n != countFor(c.cmds)+len(c.own) {
				t.Errorf("%d flags listed, want %d:\n%s", n, countFor(c.cmds)+len(c.own), stdout)
			}
		})
	}
}

func countFor(cmds int) int {
	n := 0
	for _, s := range settings {
		if s.cmds&cmds != 0 {
			n++
		}
	}
	return n
}

// flagBlock is the help's lines about flag name.
func flagBlock(help, name string) string {
	lines := strings.Split(help, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "  -"+name+" ") {
			end := i + 1
			for end < len(lines) && strings.HasPrefix(lines[end], "        ") {
				end++
			}
			return strings.Join(lines[i:end], "\n")
		}
	}
	return ""
}

// A bad value, on the command line or in the environment, stops the program
// naming the flag and what it accepts.
func TestInvalidValuesStopTheProgram(t *testing.T) {
	for _, c := range []struct {
		args     []string
		env      map[string]string
		flag     string
		accepted string
	}{
		{[]string{"-addr", "127.0.0.1:0", "-log-level", "banana"}, nil, "-log-level", "debug, info, warn or error"},
		{[]string{"serve", "-log-format", "xml"}, nil, "-log-format", "text or json"},
		{[]string{"serve", "-addr", "127.0.0.1:0"}, map[string]string{"REGIONGRAPH_LOG_LEVEL": "loud"}, "-log-level", "debug, info, warn or error"},
		{[]string{"import"}, map[string]string{"REGIONGRAPH_OPEN_TIMEOUT": "banana"}, "-open-timeout", "positive duration"},
		{[]string{"serve", "-drain", "10"}, nil, "-drain", "positive duration"},
		{[]string{"serve", "-addr", "127.0.0.1:0"}, map[string]string{"REGIONGRAPH_DRAIN": "-1s"}, "-drain", "positive duration"},
		{[]string{"serve", "-max-body-bytes", "1k"}, nil, "-max-body-bytes", "positive whole number of bytes"},
		{[]string{"serve", "-addr", "127.0.0.1:0"}, map[string]string{"REGIONGRAPH_MAX_FIELDS": "0"}, "-max-fields", "positive whole number"},
		{[]string{"serve", "-metrics=maybe"}, nil, "-metrics", "true or false"},
		{[]string{"serve", "-addr", "127.0.0.1:0"}, map[string]string{"REGIONGRAPH_REQUIRE_AUTH_FOR_READS": "sometimes"}, "-require-auth-for-reads", "true or false"},
		{[]string{"export", "-format", "graphml", "-store", "mongo"}, nil, "-store", "bolt or neo4j"},
		{[]string{"serve", "-nope"}, nil, "-nope", "not defined"},
	} {
		_, stderr, _, code := runApp(t, c.env, c.args...)
		if code != 2 || !strings.Contains(stderr, c.flag) || !strings.Contains(stderr, c.accepted) {
			t.Errorf("%q %v: exit %d, stderr %q; want exit 2 naming %s and %q", c.args, c.env, code, stderr, c.flag, c.accepted)
		}
		for k, v := range c.env {
			if !strings.Contains(stderr, k) || !strings.Contains(stderr, v) {
				t.Errorf("%v: the message does not name the variable and its value: %q", c.env, stderr)
			}
		}
	}
	// Good values in the environment are taken, and the command line wins.
	c, _, err := (&app{stderr: &bytes.Buffer{}, getenv: func(k string) string {
		return map[string]string{"REGIONGRAPH_LOG_LEVEL": "WARN", "REGIONGRAPH_DRAIN": "3s", "REGIONGRAPH_METRICS": "0"}[k]
	}}).parse("serve", forServe, "", []string{"-drain", "4s"})
	if err != nil || c.logLevel != "warn" || c.drain.String() != "4s" || c.metrics {
		t.Errorf("parse: %v, log level %q, drain %v, metrics %v", err, c.logLevel, c.drain, c.metrics)
	}
}

func TestErrorsHaveOnePrefix(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("nodes:\n  - id: BAD ID\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, printed, code := runApp(t, nil, "import", "-data", filepath.Join(t.TempDir(), "x.db"), bad)
	if code != 1 || strings.Count(printed, "regiongraph:") != 1 || !strings.Contains(printed, "BAD_USER_INPUT") || !strings.Contains(printed, "bad.yaml:2") {
		t.Errorf("import of a bad file prints %q (exit %d)", printed, code)
	}
}

// A data file that is truncated, corrupt or empty is refused with a message
// naming the file and saying what is wrong, and is left as it was.
func TestDamagedDataFiles(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.db")
	if _, _, printed, code := runApp(t, nil, "import", "-data", full); code != 0 {
		t.Fatalf("import: %s", printed)
	}
	whole, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Every page after the two meta pages overwritten: the size is
	// right, the contents are not.
	corrupt := bytes.Clone(whole)
	for i := 2 * 4096; i < len(corrupt); i++ {
		corrupt[i] = 0xA5
	}
	cases := []struct {
		file string
		says string
	}{
		{write("one-byte.db", whole[:1]), "not a valid bbolt file"},
		{write("one-page.db", whole[:4096]), "truncated"},
		{write("two-pages.db", whole[:8192]), "truncated"},
		{write("half.db", whole[:len(whole)/2]), "truncated"},
		{write("junk.db", bytes.Repeat([]byte("not a bbolt file\x00\xff"), 512)), "not a valid bbolt file"},
		{write("corrupt.db", corrupt), "corrupt"},
		{write("empty.db", nil), "empty (0 bytes)"},
	}
	for _, c := range cases {
		before, _ := os.ReadFile(c.file)
		for _, args := range [][]string{
			{"export", "-format", "nodes.csv", "-o", filepath.Join(dir, "out.csv"), "-data", c.file},
			{"import", "-data", c.file},
			{"serve", "-addr", "127.0.0.1:0", "-data", c.file},
		} {
			_, _, printed, code := runApp(t, nil, args...)
			if code != 1 || !strings.Contains(printed, c.file) || !strings.Contains(printed, c.says) {
				t.Errorf("%s %s: exit %d, %q; want it named and %q", args[0], filepath.Base(c.file), code, printed, c.says)
			}
			for _, leak := range []string{"runtime error", "nil pointer", "goroutine", "panic"} {
				if strings.Contains(printed, leak) {
					t.Errorf("%s %s: the message shows Go's %q: %s", args[0], filepath.Base(c.file), leak, printed)
				}
			}
			t.Logf("%s %s: %s", args[0], filepath.Base(c.file), printed)
		}
		if after, _ := os.ReadFile(c.file); !bytes.Equal(before, after) {
			t.Errorf("%s was modified", c.file)
		}
	}
	// An empty file at the default path, -data not given, is what an
	// interrupted first start leaves: it is filled.
	t.Chdir(t.TempDir())
	if err := os.WriteFile("regiongraph.db", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, printed, code := runApp(t, nil, "export", "-format", "nodes.csv", "-o", "nodes.csv"); code != 0 {
		t.Errorf("export with an empty regiongraph.db at the default path: %s", printed)
	}
}

// import while a server holds the data file says what to do, and doing it
// (import -server) works.
func TestImportWhileServing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "regiongraph.db")
	s := startServer(t, file, authEnv(t, nil))
	_, _, printed, code := runApp(t, nil, "import", "-data", file, "-open-timeout", "300ms")
	if code != 1 || !strings.Contains(printed, "in use") || !strings.Contains(printed, "Stop the server, or import through it") || !strings.Contains(printed, "-server") {
		t.Errorf("import while serving: exit %d, %q", code, printed)
	}

	// Through the server: the bundled dataset changes nothing ...
	stdout, _, printed, code := runApp(t, map[string]string{"REGIONGRAPH_TOKEN": adminToken}, "import", "-server", s.url)
	if code != 0 || !strings.Contains(stdout, "nothing changed") {
		t.Errorf("import -server: exit %d, %s\n%s", code, printed, stdout)
	}
	// ... a dataset with a new node creates it ...
	extra := filepath.Join(t.TempDir(), "extra.yaml")
	yaml := "nodes:\n  - id: partner-docs-test\n    kind: Partner\n    name: Docs test partner\n    source: {outside: true, reference: \"https://example.org/test\"}\n"
	if err := os.WriteFile(extra, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, printed, code = runApp(t, map[string]string{"REGIONGRAPH_TOKEN": adminToken}, "import", "-server", s.url+"/", extra)
	if code != 0 || !strings.Contains(stdout, "1 created") {
		t.Errorf("import -server of a new node: exit %d, %s\n%s", code, printed, stdout)
	}
	var out struct{ Node *struct{ Name string } }
	s.query(t, `{ node(id: "partner-docs-test") { name } }`, nil, &out)
	if out.Node == nil || out.Node.Name != "Docs test partner" {
		t.Errorf("the imported node: %+v", out.Node)
	}
	// ... and without a token, or with an editor's, it is refused.
	for env, want := range map[string]string{"": "REGIONGRAPH_TOKEN", editorToken: "FORBIDDEN", "rgt_wrong": "UNAUTHENTICATED"} {
		_, _, printed, code := runApp(t, map[string]string{"REGIONGRAPH_TOKEN": env}, "import", "-server", s.url)
		if code != 1 || !strings.Contains(printed, want) {
			t.Errorf("import -server with token %q: exit %d, %q; want %s", env, code, printed, want)
		}
	}
}
