package regiongraph

// Regenerate the GraphQL executable schema (graph/) and resolver stubs
// (resolvers/*.resolvers.go) from schema.graphqls.
//go:generate go tool gqlgen generate --config gqlgen.yml
