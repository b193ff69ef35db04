package main

import (
	"context"
	"log/slog"
	"time"

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

// oneShotTxTimeout bounds each Neo4j transaction of a one-shot command.
const oneShotTxTimeout = 10 * time.Minute

// openNeo4j opens the Neo4j store. For serving, a Neo4j that cannot be
// reached is not fatal: the server starts, answers UNAVAILABLE and keeps
// trying to connect in the background; later outages fail fast too
// (storeguard), and every call is bounded by -store-timeout. For one-shot commands it is an error
// within the open timeout.
func (a *app) openNeo4j(ctx context.Context, c *config, log *slog.Logger, retry bool) (rg.Store, error) {
	cfg := a.neo4jConfig(c)
	if !retry {
		// A one-shot command (import, export) is one long piece of work,
		// not a request: its transactions are bounded by oneShotTxTimeout,
		// not by the serving default, so a busy machine or a cold
		// database slows an import down but does not fail it.
		cfg.QueryTimeout = oneShotTxTimeout
	}
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
	return storeguard.New(storeguard.NewRetrying(ctx, open, log), storeguard.Options{CallTimeout: c.storeTimeout, WholeGraphTimeout: c.limits.AnalysisTimeout, Logger: log}), nil
}
