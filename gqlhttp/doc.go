// Package gqlhttp is regiongraph's front door: GraphQL over HTTP (decoding,
// the request limits, the cost estimate, execution under deadlines) and the
// guards every HTTP route shares.
//
// Package resolvers holds the resolvers only; package server picks the
// routes and registers them through a Router, whose only way to add a route
// puts it behind the guards.
package gqlhttp
