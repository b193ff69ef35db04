// Package resolvers holds the handwritten half of the GraphQL API: resolvers
// over a regiongraph.Store, per-request dataloaders, the directives and the
// error presenter. The generated half lives in graph/; GraphQL over HTTP
// (decoding, limits, cost) lives in gqlhttp/.
package resolvers

import rg "github.com/regiongraph/regiongraph"

// Resolver is the root resolver. It reads only through the Store's batch
// methods, via the request's Loaders.
type Resolver struct {
	Store rg.Store
}
