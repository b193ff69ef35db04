package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/debug"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/auth"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/server"
)

const serveHelp = `Usage: regiongraph serve [flags]

Serves the GraphQL API on /graphql (with an explorer and example queries),
the partnership map on /, the exports on /export/..., and /healthz, /readyz
and /metrics. Reads are public; writes need a bearer token (see
"regiongraph token").

The embedded store keeps the graph in -data, a new file being filled from
the bundled dataset. With -store neo4j (the default when NEO4J_URI is set)
the graph is in Neo4j 5: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and
NEO4J_DATABASE say where.
`

func (a *app) serve(ctx context.Context, args []string) error {
	c, rest, err := a.parse("serve", forServe, serveHelp, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fmt.Fprintf(a.stderr, "regiongraph serve: unexpected arguments %q\nRun \"regiongraph serve -h\" for its flags.\n", rest)
		return errUsage
	}
	log := a.logger(c)
	if pct := gcPercent(c.gcPercent, a.getenv("GOGC")); pct > 0 {
		debug.SetGCPercent(pct)
	}
	tokens, err := auth.Load(c.tokensFile, c.tokens, envName("tokens"))
	if err != nil {
		return err
	}
	if tokens.Len() == 0 {
		log.Warn("no bearer tokens configured: the API is read-only (see `regiongraph token`)")
	}
	store, err := a.openStore(ctx, c, log, openOptions{fillEmpty: true, retry: true,
		inUseAdvice: "Only one server can serve a data file; give this one another -data, or stop the other"})
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			log.Error("closing the store", "err", err)
		}
	}()
	defer a.setMemoryLimit(ctx, c, log)()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.addr, err)
	}
	base := baseURL(ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "map", base+"/", "graphql", base+"/graphql", "store", c.store, "tokens", tokens.Len(), "readsNeedAuth", c.readsNeedAuth())
	if a.onListen != nil {
		a.onListen(ln.Addr().String())
	}
	cfg := server.Config{
		CORSOrigins: splitList(c.corsOrigins),
		Logger:      log,
		GraphQL:     gqlhttp.Options{Limits: c.limits, NoIntrospection: !c.introspection},
		Tokens:      tokens, RequireAuthForReads: c.readsNeedAuth(),

		AccessLogSample: c.accessLogSample,
	}
	if c.metrics {
		cfg.Metrics = metrics.New()
	}
	h := server.New(store, cfg)
	return server.ServeWith(ctx, ln, h, log, server.ServeOptions{Drain: c.drain, ReadHeaderTimeout: c.readHeaderTimeout, NoLane: !c.httpLane})
}

// defaultGCPercent is the garbage collector's heap growth while serving.
// The live heap of a server is small (the bundled graph: about 4 MB), so
// at Go's default of 100 a collection ran every few hundred requests and
// cost a request a sixth of its CPU (issue 13); at 400 the heap grows to
// five times the live data between collections (about 20 MB).
const defaultGCPercent = 400

// gcPercent is the heap growth to set while serving: -gogc when given
// (flag or REGIONGRAPH_GOGC), else defaultGCPercent unless $GOGC is set
// (0: leave the runtime's setting, which $GOGC made).
func gcPercent(flagValue int, envGOGC string) int {
	switch {
	case flagValue > 0:
		return flagValue
	case envGOGC != "":
		return 0
	}
	return defaultGCPercent
}

// baseURL is the URL a browser on this machine reaches addr at:
// localhost when the server listens on every interface.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// openOptions say how a command opens the store.
type openOptions struct {
	// fillEmpty fills a new embedded data file from the bundled dataset.
	fillEmpty bool
	// retry keeps trying to reach Neo4j in the background (for serving),
	// answering UNAVAILABLE meanwhile, instead of failing within the open
	// timeout (for one-shot commands).
	retry bool
	// inUseAdvice says what to do when another process holds the file.
	inUseAdvice string
	// mmapBytes is the embedded store's first memory map (0: bbolt's
	// default), for a large import (boltstore.Options.InitialMmapSize).
	mmapBytes int
}

// checkDataFile refuses an existing empty data file, which is more likely a
// mistake (a wrong path, a failed copy) than a store to fill, except at the
// default path when -data is not given: there an empty file is what an
// interrupted first start leaves.
func (a *app) checkDataFile(c *config) error {
	fi, err := os.Stat(c.data)
	if err != nil || fi.Size() > 0 || !fi.Mode().IsRegular() {
		return nil // a new file, a store, or an error Open reports
	}
	if !c.dataSet {
		return nil
	}
	return fmt.Errorf("the data file %s is empty (0 bytes), not a regiongraph store: give the path of a store, a path that does not exist yet (it is created and filled from the bundled dataset), or remove the empty file", c.data)
}

// openStore opens the configured store as o says.
func (a *app) openStore(ctx context.Context, c *config, log *slog.Logger, o openOptions) (rg.Store, error) {
	if c.store == "neo4j" {
		return a.openNeo4j(ctx, c, log, o.retry)
	}
	seed := o.fillEmpty
	if err := a.checkDataFile(c); err != nil {
		return nil, err
	}
	s, err := boltstore.Open(c.data, boltstore.Options{Timeout: c.openTimeout, Logger: log, InitialMmapSize: o.mmapBytes})
	// boltstore's errors name the file too: say it once, first.
	inner := errors.Unwrap(err)
	switch {
	case errors.Is(err, boltstore.ErrDamaged):
		return nil, fmt.Errorf("the data file %s cannot be used: %w.\nRestore it from a backup, or move it away to start anew from the bundled dataset", c.data, inner)
	case errors.Is(err, boltstore.ErrInUse):
		return nil, fmt.Errorf("the data file %s: %w, most likely a running \"regiongraph serve\".\n%s", c.data, inner, o.inUseAdvice)
	case err != nil:
		return nil, err
	}
	if seed && s.Empty() {
		ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
		if err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("bundled dataset: %w", err)
		}
		res, err := s.Apply(ctx, ds.Changes())
		if err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("fill %s from the bundled dataset: %w", c.data, err)
		}
		log.Info("filled a new data file from the bundled dataset", "file", c.data, "nodes", len(ds.Nodes), "relations", len(ds.Edges), "created", res.Created)
	}
	return s, nil
}
