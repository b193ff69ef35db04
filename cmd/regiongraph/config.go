package main

import (
	"flag"
	"fmt"
	"strings"
	"time"
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
	return fs, ss
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

func (a *app) parse(name string, args []string) (*config, []string, error) {
	c := &config{}
	fs, _ := a.flags(name, c)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, nil, errUsage
		}
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
	return c, fs.Args(), nil
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
