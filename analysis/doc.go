// Package analysis holds regiongraph's lobbying and exploration analyses:
// pure functions over a *regiongraph.Subgraph (read with Store.Subgraph),
// built on gonum's graph packages. It imports only the root package and
// gonum, so both stores give the same answers as long as they return the
// same subgraph (analysistest.Run checks that on every store).
//
// # Year semantics
//
// Every function takes the year of the plan to see the graph as of: a
// relation holds in year Y when fromYear <= Y <= toYear, a missing bound
// being unbounded on its side (regiongraph.Edge.HoldsIn); a nil year sees
// every relation. Functions apply this themselves, so a subgraph read
// without a year gives the same answer as one read with it.
//
// # The actor graph
//
// Project turns the subgraph into an undirected, weighted actor graph over
// the actors (municipalities, regions, networks, partners and funds). Two
// actors are linked when
//
//   - both are related to the same initiative by COORDINATES, FUNDS,
//     PARTICIPATES_IN or FACILITATES (ContextRelations), or
//   - a relation of MEMBER_OF, PARTICIPATES_IN, PARTNER_OF, REPRESENTED_IN,
//     FACILITATES, ADMINISTERS, COORDINATES or FUNDS joins them directly
//     (DirectRelations; FUNDS is included so that a fund paying for a
//     network is tied to it).
//
// A link's weight is its number of reasons: shared initiatives (each
// counted once, whatever relations tie the two actors to it) plus direct
// relations. Actors without links stay in the graph, isolated.
//
// Distances (betweenness, closeness, paths between groups) count hops and
// ignore weights: a weight is a tie's strength, not a length. Weights are
// used where strength matters: weighted degree, PageRank, Louvain, and
// Burt's constraint and effective size.
//
// # Measures
//
//   - Degree: linked actors; weighted degree: the sum of link weights.
//   - Betweenness: gonum network.Betweenness (Brandes), halved so each
//     unordered pair counts once: the centre of an n-star has (n-1)(n-2)/2.
//   - Closeness: harmonic closeness (1/(n-1)) Σ 1/d(u,v), 1/∞ = 0, so that
//     it is defined on disconnected graphs (distances from gonum's
//     breadth-first traverse, one walk per source).
//   - PageRank: gonum network.PageRankSparse, edge-weighted, damping 0.85.
//   - Brokers: cross-group betweenness over shortest A–B paths (gonum
//     path.DijkstraFrom per group member), Burt's constraint and effective
//     size (formulas at structuralHoles).
//   - Communities: gonum community.Modularize (Louvain) with a fixed seed;
//     each community is labelled by its member with the highest PageRank.
//
// Scores are rounded (PageRank, which gonum starts from a random vector, to
// 8 decimals after converging to 1e-13; the others to 9), and every list is
// ordered with ties broken by id, so results are the same on every run.
//
// # Bounds
//
// Whole-graph computations refuse graphs beyond MaxActors, MaxNodes and
// MaxPairs, and betweenness and closeness beyond MaxPathWork (they walk the
// graph once per actor), with a BAD_USER_INPUT error naming the limit. They
// check the context between sources and stop gonum's loops when it is done.
package analysis
