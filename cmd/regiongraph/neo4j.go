package main

import (
	"context"
	"log/slog"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/neo4jstore"
	"github.com/regiongraph/regiongraph/storeguard"
)

// neo4jConfig is the Neo4j store's configuration from NEO4J_* variables,
// with the open timeout bounding connection attempts.
func (a *app) neo4jConfig(c *config) neo4jstore.Config {
	cfg := neo4jstore.Config{
		URI:            a.getenv("NEO4J_URI"),
		User:           a.getenv("NEO4J_USER"),
		Password:       a.getenv("NEO4J_PASSWORD"),
		Database:       a.getenv("NEO4J_DATABASE"),
		ConnectTimeout: c.openTimeout,
		QueryTimeout:   c.txTimeout,
	}
	return cfg
}

// openNeo4j opens the Neo4j store. For serving, a Neo4j that cannot be
// reached is not fatal: the server starts, answers UNAVAILABLE and keeps
// trying to connect in the background; later outages fail fast too
// (storeguard), and every call is bounded by -store-timeout. For one-shot commands it is an error
// within the open timeout.
func (a *app) openNeo4j(ctx context.Context, c *config, log *slog.Logger, retry bool) (rg.Store, error) {
	cfg := a.neo4jConfig(c)
	open := func(ctx context.Context) (rg.Store, error) {
		ctx, cancel := context.WithTimeout(ctx, c.openTimeout)
		defer cancel()
		return neo4jstore.Open(ctx, cfg)
	}
	if !retry {
		return open(ctx)
	}
	// Once connected, a Neo4j that goes away must not make every request
	// wait: the guard bounds each call, fails fast while the database is
	// unreachable and probes it with backoff until it answers again.
	return storeguard.New(newRetryingStore(ctx, open, log), storeguard.Options{CallTimeout: c.storeTimeout, Logger: log}), nil
}
