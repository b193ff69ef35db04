package main

import (
	"context"
	"errors"
	"log/slog"

	rg "github.com/regiongraph/regiongraph"
)

func (a *app) openNeo4j(ctx context.Context, c *config, log *slog.Logger) (rg.Store, error) {
	return nil, errors.New("the Neo4j store is not built in yet")
}
