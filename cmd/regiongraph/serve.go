package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/auth"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/metrics"
	"github.com/regiongraph/regiongraph/server"
)

func (a *app) serve(ctx context.Context, args []string) error {
	c, rest, err := a.parse("serve", args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", rest)
	}
	log := a.logger(c)
	tokens, err := auth.Load(c.tokensFile, c.tokens, envName("tokens"))
	if err != nil {
		return err
	}
	if tokens.Len() == 0 {
		log.Warn("no bearer tokens configured: the API is read-only (see `regiongraph token`)")
	}
	store, err := a.openStore(ctx, c, log, openOptions{fillEmpty: true, retry: true})
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			log.Error("closing the store", "err", err)
		}
	}()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.addr, err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "store", c.store, "tokens", tokens.Len(), "readsNeedAuth", c.readsNeedAuth(), "graphql", "http://"+ln.Addr().String()+"/graphql")
	if a.onListen != nil {
		a.onListen(ln.Addr().String())
	}
	cfg := server.Config{
		CORSOrigins: splitList(c.corsOrigins),
		Logger:      log,
		GraphQL:     gqlhttp.Options{Limits: c.limits, NoIntrospection: !c.introspection},
		Tokens:      tokens, RequireAuthForReads: c.readsNeedAuth(),
	}
	if c.metrics {
		cfg.Metrics = metrics.New()
	}
	h := server.New(store, cfg)
	return server.ServeWith(ctx, ln, h, log, server.ServeOptions{Drain: c.drain, ReadHeaderTimeout: c.readHeaderTimeout})
}

// openOptions say how a command opens the store.
type openOptions struct {
	// fillEmpty fills a new embedded data file from the bundled dataset.
	fillEmpty bool
	// retry keeps trying to reach Neo4j in the background (for serving),
	// answering UNAVAILABLE meanwhile, instead of failing within the open
	// timeout (for one-shot commands).
	retry bool
}

// openStore opens the configured store as o says.
func (a *app) openStore(ctx context.Context, c *config, log *slog.Logger, o openOptions) (rg.Store, error) {
	if c.store == "neo4j" {
		return a.openNeo4j(ctx, c, log, o.retry)
	}
	seed := o.fillEmpty
	s, err := boltstore.Open(c.data, boltstore.Options{Timeout: c.openTimeout, Logger: log})
	if err != nil {
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
