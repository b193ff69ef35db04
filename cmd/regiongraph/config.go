package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/regiongraph/regiongraph/gqlhttp"
)

// config is every setting, from flags over REGIONGRAPH_* variables over defaults.
type config struct {
	addr        string
	data        string
	store       string
	corsOrigins string
	tokensFile  string
	tokens      string
	// accessLogSample: log one in this many plain successes.
	accessLogSample int
	// requireAuthForReads makes every request need a token.
	requireAuthForReads bool
	// gcPercent is -gogc: the garbage collector's heap growth percentage
	// while serving; 0: not given (defaultGCPercent unless GOGC is set).
	gcPercent   int
	logLevel    string
	logFormat   string
	drain       time.Duration
	openTimeout time.Duration

	limits            gqlhttp.Limits
	introspection     bool
	metrics           bool
	readHeaderTimeout time.Duration
	// httpLane is -http-lane: plain requests take httplane's lane.
	httpLane     bool
	storeTimeout time.Duration
	// memoryLimit is -memory-limit: memLimitAuto, memLimitOff or bytes.
	memoryLimit int64
	// txTimeout, when set, bounds each Neo4j transaction instead of
	// neo4jstore's default (import: a batch of thousands of changes).
	txTimeout time.Duration

	// server is the URL of a running server that import goes through.
	server string

	// dataSet says whether -data (or REGIONGRAPH_DATA) was given.
	dataSet bool
}

// The commands a setting belongs to.
const (
	forServe = 1 << iota
	forImport
	forExport
	forStore = forServe | forImport | forExport
)

// setting is one flag: its name (the environment variable is REGIONGRAPH_
// and the name upper-cased, dashes as underscores), its default as text,
// what it means, the commands that have it, and its value in a config.
type setting struct {
	name, def, usage string
	cmds             int
	value            func(c *config) flag.Value
}

// settings are every command's flags, in the order help lists them.
var settings = []setting{
	{"addr", ":8080", "address to listen on", forServe, func(c *config) flag.Value { return text(&c.addr) }},
	{"data", "regiongraph.db", "the embedded store's data file; a new file is filled from the bundled dataset", forStore, func(c *config) flag.Value { return text(&c.data) }},
	{"store", "", `bolt (embedded) or neo4j; the default is bolt, or neo4j when NEO4J_URI is set`, forStore, func(c *config) flag.Value { return oneOf(&c.store, "bolt", "neo4j") }},
	{"server", "", "import through the running server at this URL instead of opening the store: a dataset through its importDataset mutation (an admin token), spreadsheets through POST /import (an editor token); the token is read from $REGIONGRAPH_TOKEN", forImport, func(c *config) flag.Value { return text(&c.server) }},
	{"cors-origins", "", "comma-separated origins allowed to call the API from browsers", forServe, func(c *config) flag.Value { return text(&c.corsOrigins) }},
	{"tokens-file", "", `file of bearer tokens, one "name role sha256hex" per line (see "regiongraph token")`, forServe, func(c *config) flag.Value { return text(&c.tokensFile) }},
	{"tokens", "", "more bearer tokens as name:role:sha256hex, comma-separated", forServe, func(c *config) flag.Value { return text(&c.tokens) }},
	{"require-auth-for-reads", "false", "every request, reads too, needs a valid token", forServe, func(c *config) flag.Value { return boolean(&c.requireAuthForReads) }},
	{"log-level", "info", "debug, info, warn or error", forStore, func(c *config) flag.Value { return oneOf(&c.logLevel, "debug", "info", "warn", "error") }},
	{"log-format", "text", "text or json", forStore, func(c *config) flag.Value { return oneOf(&c.logFormat, "text", "json") }},
	{"access-log-sample", "100", "log one in this many requests answered 2xx or 3xx within a second (every error, refusal and slow answer is logged; the metrics count every request); 1: every request", forServe, func(c *config) flag.Value { return count(&c.accessLogSample) }},
	{"gogc", "", "the garbage collector's heap growth in percent while serving (debug.SetGCPercent); default " + itoa(defaultGCPercent) + ", or $GOGC when set; 100 is Go's own default, for a large graph on little memory", forServe, func(c *config) flag.Value { return count(&c.gcPercent) }},
	{"drain", "15s", "how long shutdown waits for in-flight requests", forServe, func(c *config) flag.Value { return duration(&c.drain) }},
	{"open-timeout", "10s", "how long opening the store may take (waiting for the data file's lock, or connecting to Neo4j)", forStore, func(c *config) flag.Value { return duration(&c.openTimeout) }},

	// The request limits (docs/hardening.md).
	{"max-body-bytes", itoa(gqlhttp.DefaultLimits.MaxBodyBytes), "largest POST body in bytes; more is refused with 413", forServe, func(c *config) flag.Value { return count64(&c.limits.MaxBodyBytes) }},
	{"max-admin-body-bytes", itoa(gqlhttp.DefaultLimits.MaxAdminBodyBytes), "largest POST body in bytes for a request with an admin's token (importDataset)", forServe, func(c *config) flag.Value { return count64(&c.limits.MaxAdminBodyBytes) }},
	{"max-json-depth", itoa(gqlhttp.DefaultLimits.MaxJSONDepth), "deepest nesting of the JSON body and of variables", forServe, func(c *config) flag.Value { return count(&c.limits.MaxJSONDepth) }},
	{"max-json-items", itoa(gqlhttp.DefaultLimits.MaxJSONItems), "most items in any one JSON list or object of the body or variables", forServe, func(c *config) flag.Value { return count(&c.limits.MaxJSONItems) }},
	{"max-query-bytes", itoa(gqlhttp.DefaultLimits.MaxQueryBytes), "longest query text in bytes, checked before lexing", forServe, func(c *config) flag.Value { return count(&c.limits.MaxQueryBytes) }},
	{"max-tokens", itoa(gqlhttp.DefaultLimits.MaxTokens), "most lexical tokens in a query, counted before parsing", forServe, func(c *config) flag.Value { return count(&c.limits.MaxTokens) }},
	{"max-fields", itoa(gqlhttp.DefaultLimits.MaxFields), "most fields selected (aliases and fragment spreads expanded), checked before validation", forServe, func(c *config) flag.Value { return count(&c.limits.MaxFields) }},
	{"max-depth", itoa(gqlhttp.DefaultLimits.MaxDepth), "deepest selection nesting", forServe, func(c *config) flag.Value { return count(&c.limits.MaxDepth) }},
	{"max-complexity", itoa(gqlhttp.DefaultLimits.MaxComplexity), "highest estimated cost (lists multiply by first, or by what the graph holds: a relation kind's highest degree, a kind's nodes)", forServe, func(c *config) flag.Value { return count(&c.limits.MaxComplexity) }},
	{"list-estimate", itoa(gqlhttp.DefaultLimits.ListEstimate), "items a list without first is assumed to hold, for the cost, where the graph's cardinalities do not say", forServe, func(c *config) flag.Value { return count(&c.limits.ListEstimate) }},
	{"max-page-size", itoa(gqlhttp.DefaultLimits.MaxPageSize), "largest first on any field", forServe, func(c *config) flag.Value { return count(&c.limits.MaxPageSize) }},
	{"max-results", itoa(gqlhttp.DefaultLimits.MaxResults), "most values in one response (fields plus list elements)", forServe, func(c *config) flag.Value { return count(&c.limits.MaxResults) }},
	{"parse-timeout", gqlhttp.DefaultLimits.ParseTimeout.String(), "bound on reading, parsing and validating a request", forServe, func(c *config) flag.Value { return duration(&c.limits.ParseTimeout) }},
	{"exec-timeout", gqlhttp.DefaultLimits.ExecTimeout.String(), "bound on executing an operation, and on every route that runs no analysis", forServe, func(c *config) flag.Value { return duration(&c.limits.ExecTimeout) }},
	{"analysis-timeout", gqlhttp.DefaultLimits.AnalysisTimeout.String(), "bound, instead of -exec-timeout, on an operation selecting an analysis field and on /map/data.json, /export/... and /brief/...", forServe, func(c *config) flag.Value { return duration(&c.limits.AnalysisTimeout) }},
	{"max-concurrent", itoa(gqlhttp.DefaultLimits.MaxConcurrent), "requests served at once on each route (a request keeps its place until its work has stopped)", forServe, func(c *config) flag.Value { return count(&c.limits.MaxConcurrent) }},
	{"max-analysis-concurrent", itoa(gqlhttp.DefaultLimits.MaxAnalysisConcurrent), "analyses running at once, over every route", forServe, func(c *config) flag.Value { return count(&c.limits.MaxAnalysisConcurrent) }},
	{"queue-wait", gqlhttp.DefaultLimits.QueueWait.String(), "how long a request waits for a place among -max-concurrent (or -max-analysis-concurrent) before 503", forServe, func(c *config) flag.Value { return duration(&c.limits.QueueWait) }},
	{"read-header-timeout", "5s", "bound on reading a request's headers (slow clients)", forServe, func(c *config) flag.Value { return duration(&c.readHeaderTimeout) }},
	{"http-lane", "true", "answer plain HTTP/1.1 GET and POST requests on a lean path of our own (httplane) and everything else through Go's net/http; false: net/http alone", forServe, func(c *config) flag.Value { return boolean(&c.httpLane) }},
	{"store-timeout", "5s", "bound on every Neo4j call when serving (a read of the whole graph for an analysis: -analysis-timeout); past it the call is UNAVAILABLE and the store is probed until it answers", forServe, func(c *config) flag.Value { return duration(&c.storeTimeout) }},
	{"introspection", "true", `allow schema introspection (false also removes "Did you mean" suggestions)`, forServe, func(c *config) flag.Value { return boolean(&c.introspection) }},
	{"metrics", "true", "serve Prometheus metrics on /metrics", forServe, func(c *config) flag.Value { return boolean(&c.metrics) }},
	{"memory-limit", "auto", "the Go runtime's soft memory limit: auto (with the embedded store: 2.2 times the live heap after opening it, at least 256 MiB above it, following it up), off, or a size such as 900MiB; a GOMEMLIMIT set in the environment is left alone", forServe, func(c *config) flag.Value { return memLimit(&c.memoryLimit) }},
}

func itoa[T int | int64](v T) string { return strconv.FormatInt(int64(v), 10) }

func envName(flagName string) string {
	return "REGIONGRAPH_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// value is a flag.Value whose Set checks and stores the text; its error
// says what is accepted.
type value struct {
	text   string
	set    func(string) error
	isBool bool
	kind   string // what help calls the value
}

func (v *value) String() string {
	if v == nil {
		return ""
	}
	return v.text
}

func (v *value) Set(s string) error {
	if err := v.set(s); err != nil {
		return err
	}
	v.text = s
	return nil
}

func (v *value) IsBoolFlag() bool { return v.isBool }

func text(dst *string) *value {
	return &value{kind: "string", set: func(s string) error { *dst = s; return nil }}
}

func oneOf(dst *string, allowed ...string) *value {
	return &value{kind: strings.Join(allowed, "|"), set: func(s string) error {
		for _, a := range allowed {
			if strings.EqualFold(s, a) {
				*dst = a
				return nil
			}
		}
		return fmt.Errorf("must be %s", orList(allowed))
	}}
}

func orList(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

func duration(dst *time.Duration) *value {
	return &value{kind: "duration", set: func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return errors.New("must be a positive duration such as 500ms, 10s or 2m")
		}
		*dst = d
		return nil
	}}
}

func count(dst *int) *value {
	return &value{kind: "n", set: func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return errors.New("must be a positive whole number")
		}
		*dst = n
		return nil
	}}
}

func count64(dst *int64) *value {
	return &value{kind: "bytes", set: func(s string) error {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return errors.New("must be a positive whole number of bytes")
		}
		*dst = n
		return nil
	}}
}

func boolean(dst *bool) *value {
	return &value{isBool: true, kind: "true|false", set: func(s string) error {
		switch strings.ToLower(s) {
		case "1", "true", "yes", "on":
			*dst = true
		case "0", "false", "no", "off":
			*dst = false
		default:
			return errors.New("must be true or false (1 or 0)")
		}
		return nil
	}}
}

// command is one subcommand's flags: the settings it has and its own.
type command struct {
	name string
	fs   *flag.FlagSet
	// env are the flags that a REGIONGRAPH_* variable may set.
	env []string
}

// newCommand makes the flag set of a subcommand with the settings for cmds
// at their defaults, applied to c.
func newCommand(name string, cmds int, c *config) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed by parse
	cmd := &command{name: name, fs: fs}
	for _, s := range settings {
		if s.cmds&cmds == 0 {
			continue
		}
		v := s.value(c)
		if err := v.Set(s.def); s.def != "" && err != nil {
			panic(fmt.Sprintf("default of -%s: %v", s.name, err))
		}
		fs.Var(v, s.name, s.usage)
		cmd.env = append(cmd.env, s.name)
	}
	return cmd
}

// parse parses args, then sets each flag of cmd.env not on the command line
// from its REGIONGRAPH_* variable. -h prints the help to stdout and returns
// errHelp; a bad value prints what is accepted and returns errUsage.
func (a *app) parseCommand(cmd *command, help string, args []string) error {
	if err := cmd.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.printHelp(a.stdout, cmd, help)
			return errHelp
		}
		fmt.Fprintf(a.stderr, "regiongraph %s: %v\nRun \"regiongraph %s -h\" for its flags.\n", cmd.name, err, cmd.name)
		return errUsage
	}
	set := map[string]bool{}
	cmd.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range cmd.env {
		if set[name] {
			continue
		}
		if v := a.getenv(envName(name)); v != "" {
			if err := cmd.fs.Set(name, v); err != nil {
				fmt.Fprintf(a.stderr, "regiongraph %s: %s=%q: -%s %v\n", cmd.name, envName(name), v, name, err)
				return errUsage
			}
		}
	}
	return nil
}

// printHelp writes a command's help: its text, then each flag with its
// environment variable and default.
func (a *app) printHelp(w io.Writer, cmd *command, help string) {
	fmt.Fprint(w, help)
	n := 0
	cmd.fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "\nFlags (each may also be given as -name=value or --name value):\n")
	env := map[string]bool{}
	for _, e := range cmd.env {
		env[e] = true
	}
	defs := map[string]string{}
	for _, s := range settings {
		defs[s.name] = s.def
	}
	cmd.fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		if v, ok := f.Value.(*value); ok {
			kind = v.kind
		}
		fmt.Fprintf(w, "  -%s %s\n", f.Name, kind)
		fmt.Fprintf(w, "        %s\n", usage)
		var extra []string
		if env[f.Name] {
			extra = append(extra, "$"+envName(f.Name))
		}
		def, ok := defs[f.Name]
		if !ok && f.DefValue != "0" && f.DefValue != "false" {
			def = f.DefValue
		}
		if def != "" {
			extra = append(extra, "default "+def)
		}
		if len(extra) > 0 {
			fmt.Fprintf(w, "        (%s)\n", strings.Join(extra, ", "))
		}
	})
}

// parse parses a store command's arguments into a config. more define
// flags of the command's own. Flags may also follow the arguments
// ("import FILE.xlsx --dry-run").
func (a *app) parse(name string, cmds int, help string, args []string, more ...func(*flag.FlagSet)) (*config, []string, error) {
	c := &config{}
	cmd := newCommand(name, cmds, c)
	for _, m := range more {
		m(cmd.fs)
	}
	if err := a.parseCommand(cmd, help, args); err != nil {
		return nil, nil, err
	}
	var rest []string
	for args := cmd.fs.Args(); len(args) > 0; args = cmd.fs.Args() {
		rest = append(rest, args[0])
		if err := cmd.fs.Parse(args[1:]); err != nil {
			fmt.Fprintf(a.stderr, "regiongraph %s: %v\nRun \"regiongraph %s -h\" for its flags.\n", name, err, name)
			return nil, nil, errUsage
		}
	}
	a.settle(cmd, c)
	return c, rest, nil
}

// settle fills what depends on more than one setting: the store is bolt
// unless NEO4J_URI is set.
func (a *app) settle(cmd *command, c *config) {
	if c.store == "" {
		c.store = "bolt"
		if a.getenv("NEO4J_URI") != "" {
			c.store = "neo4j"
		}
	}
	cmd.fs.Visit(func(f *flag.Flag) {
		if f.Name == "data" {
			c.dataSet = true
		}
	})
	if a.getenv(envName("data")) != "" {
		c.dataSet = true
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// readsNeedAuth reports whether -require-auth-for-reads is on.
func (c *config) readsNeedAuth() bool { return c.requireAuthForReads }
