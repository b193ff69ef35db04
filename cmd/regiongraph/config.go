package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/regiongraph/regiongraph/resolvers"
)

// config is every setting, from flags over REGIONGRAPH_* variables over defaults.
type config struct {
	addr        string
	data        string
	store       string
	corsOrigins string
	tokensFile  string
	tokens      string
	// requireAuthForReads is "1" (or "true") to make every request need a token.
	requireAuthForReads string
	logLevel            string
	logFormat           string
	drain               time.Duration
	openTimeout         time.Duration

	limits            resolvers.Limits
	introspection     bool
	metrics           bool
	readHeaderTimeout time.Duration
	storeTimeout      time.Duration
}

// setting describes one flag: its name (the variable is REGIONGRAPH_ plus
// the name upper-cased, dashes as underscores), default and meaning.
type setting struct {
	name, def, usage string
	dst              *string
}

func (a *app) flags(name string, c *config) (*flag.FlagSet, []setting) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	ss := []setting{
		{"addr", ":8080", "address to listen on", &c.addr},
		{"data", "regiongraph.db", "the embedded store's data file (filled from the bundled dataset when new)", &c.data},
		{"store", "", `"bolt" (embedded, the default) or "neo4j" (the default when NEO4J_URI is set)`, &c.store},
		{"cors-origins", "", "comma-separated origins allowed to call the API from browsers (none by default)", &c.corsOrigins},
		{"tokens-file", "", `file of bearer tokens, one "name role sha256hex" per line (see "regiongraph token")`, &c.tokensFile},
		{"tokens", "", "bearer tokens as name:role:sha256hex, comma-separated (added to the file's)", &c.tokens},
		{"require-auth-for-reads", "0", "1: every request, reads too, needs a valid token", &c.requireAuthForReads},
		{"log-level", "info", "debug, info, warn or error", &c.logLevel},
		{"log-format", "text", "text or json", &c.logFormat},
	}
	for _, s := range ss {
		def := s.def
		if v := a.getenv(envName(s.name)); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.name, def, s.usage+" ($"+envName(s.name)+")")
	}
	fs.DurationVar(&c.drain, "drain", a.duration("drain", 15*time.Second), "how long shutdown waits for in-flight requests ($REGIONGRAPH_DRAIN)")
	fs.DurationVar(&c.openTimeout, "open-timeout", a.duration("open-timeout", 10*time.Second), "how long opening the store may take ($REGIONGRAPH_OPEN_TIMEOUT)")
	a.limitFlags(fs, c)
	return fs, ss
}

// limitFlags defines the request limits (docs/hardening.md), the
// introspection and metrics switches and the header timeout. Their
// REGIONGRAPH_* variables are applied after parsing (see applyEnv), so a
// malformed value is an error rather than silently the default.
func (a *app) limitFlags(fs *flag.FlagSet, c *config) {
	d := resolvers.DefaultLimits
	l := &c.limits
	fs.Int64Var(&l.MaxBodyBytes, "max-body-bytes", d.MaxBodyBytes, "largest POST body in bytes; more is refused with 413")
	fs.Int64Var(&l.MaxAdminBodyBytes, "max-admin-body-bytes", d.MaxAdminBodyBytes, "largest POST body in bytes for a request with an admin's token (importDataset)")
	fs.IntVar(&l.MaxJSONDepth, "max-json-depth", d.MaxJSONDepth, "deepest nesting of the JSON body and of variables")
	fs.IntVar(&l.MaxJSONItems, "max-json-items", d.MaxJSONItems, "most items in any one JSON list or object of the body or variables")
	fs.IntVar(&l.MaxQueryBytes, "max-query-bytes", d.MaxQueryBytes, "longest query text in bytes, checked before lexing")
	fs.IntVar(&l.MaxTokens, "max-tokens", d.MaxTokens, "most lexical tokens in a query, counted before parsing")
	fs.IntVar(&l.MaxFields, "max-fields", d.MaxFields, "most fields selected (aliases and fragment spreads expanded), checked before validation")
	fs.IntVar(&l.MaxDepth, "max-depth", d.MaxDepth, "deepest selection nesting")
	fs.IntVar(&l.MaxComplexity, "max-complexity", d.MaxComplexity, "highest estimated cost (lists multiply by first or by -list-estimate)")
	fs.IntVar(&l.ListEstimate, "list-estimate", d.ListEstimate, "items a relation list without first is assumed to hold, for the cost")
	fs.IntVar(&l.MaxPageSize, "max-page-size", d.MaxPageSize, "largest first on any field")
	fs.IntVar(&l.MaxResults, "max-results", d.MaxResults, "most values in one response (fields plus list elements)")
	fs.DurationVar(&l.ParseTimeout, "parse-timeout", d.ParseTimeout, "bound on reading, parsing and validating a request")
	fs.DurationVar(&l.ExecTimeout, "exec-timeout", d.ExecTimeout, "bound on executing an operation")
	fs.IntVar(&l.MaxConcurrent, "max-concurrent", d.MaxConcurrent, "GraphQL requests served at once")
	fs.DurationVar(&l.QueueWait, "queue-wait", d.QueueWait, "how long a request waits for a place among -max-concurrent before 503")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 5*time.Second, "bound on reading a request's headers (slow clients)")
	fs.DurationVar(&c.storeTimeout, "store-timeout", 5*time.Second, "bound on every Neo4j call when serving; past it the call is UNAVAILABLE and the store is probed until it answers")
	fs.BoolVar(&c.introspection, "introspection", true, "allow schema introspection (off also removes \"Did you mean\" suggestions)")
	fs.BoolVar(&c.metrics, "metrics", true, "serve Prometheus metrics on /metrics")
}

// envApplied are the flags whose REGIONGRAPH_* variable is applied after
// parsing, when the flag is not on the command line.
var envApplied = []string{"max-body-bytes", "max-admin-body-bytes", "max-json-depth", "max-json-items", "max-query-bytes", "max-tokens", "max-fields", "max-depth",
	"max-complexity", "list-estimate", "max-page-size", "max-results", "parse-timeout", "exec-timeout",
	"max-concurrent", "queue-wait", "read-header-timeout", "store-timeout", "introspection", "metrics"}

func (a *app) applyEnv(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range envApplied {
		if set[name] {
			continue
		}
		if v := a.getenv(envName(name)); v != "" {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s=%q: %w", envName(name), v, err)
			}
		}
	}
	return nil
}

// checkLimits refuses limits that would turn a limit off or make no sense.
func checkLimits(c *config) error {
	l := c.limits
	for _, v := range []struct {
		name string
		v    int64
	}{
		{"max-body-bytes", l.MaxBodyBytes}, {"max-admin-body-bytes", l.MaxAdminBodyBytes}, {"max-json-depth", int64(l.MaxJSONDepth)}, {"max-json-items", int64(l.MaxJSONItems)}, {"max-query-bytes", int64(l.MaxQueryBytes)},
		{"max-tokens", int64(l.MaxTokens)}, {"max-fields", int64(l.MaxFields)}, {"max-depth", int64(l.MaxDepth)},
		{"max-complexity", int64(l.MaxComplexity)}, {"list-estimate", int64(l.ListEstimate)}, {"max-page-size", int64(l.MaxPageSize)},
		{"max-results", int64(l.MaxResults)}, {"max-concurrent", int64(l.MaxConcurrent)},
		{"parse-timeout", int64(l.ParseTimeout)}, {"exec-timeout", int64(l.ExecTimeout)}, {"queue-wait", int64(l.QueueWait)},
		{"read-header-timeout", int64(c.readHeaderTimeout)}, {"store-timeout", int64(c.storeTimeout)},
	} {
		if v.v <= 0 {
			return fmt.Errorf("-%s must be positive", v.name)
		}
	}
	return nil
}

func (a *app) duration(name string, def time.Duration) time.Duration {
	if v := a.getenv(envName(name)); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func envName(flagName string) string {
	return "REGIONGRAPH_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (a *app) parse(name string, args []string, more ...func(*flag.FlagSet)) (*config, []string, error) {
	c := &config{}
	fs, _ := a.flags(name, c)
	for _, m := range more {
		m(fs)
	}
	// Flags may also follow the arguments ("import FILE.xlsx --dry-run").
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
	if err := a.applyEnv(fs); err != nil {
		fmt.Fprintln(a.stderr, "regiongraph:", err)
		return nil, nil, errUsage
	}
	if err := checkLimits(c); err != nil {
		fmt.Fprintln(a.stderr, "regiongraph:", err)
		return nil, nil, errUsage
	}
	if c.store == "" {
		c.store = "bolt"
		if a.getenv("NEO4J_URI") != "" {
			c.store = "neo4j"
		}
	}
	switch strings.ToLower(c.requireAuthForReads) {
	case "", "0", "false", "no", "1", "true", "yes":
	default:
		fmt.Fprintf(a.stderr, "regiongraph: -require-auth-for-reads must be 1 or 0, not %q\n", c.requireAuthForReads)
		return nil, nil, errUsage
	}
	if c.store != "bolt" && c.store != "neo4j" {
		fmt.Fprintf(a.stderr, "regiongraph: -store must be bolt or neo4j, not %q\n", c.store)
		return nil, nil, errUsage
	}
	return c, rest, nil
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
func (c *config) readsNeedAuth() bool {
	switch strings.ToLower(c.requireAuthForReads) {
	case "1", "true", "yes":
		return true
	}
	return false
}
