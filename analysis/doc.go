// Package analysis holds regiongraph's lobbying and exploration analyses
// over a store's graph. It imports only the root package: the algorithms
// run on its own compact graph (compressed sparse rows of integer node
// numbers), and gonum, which they follow, is their cross-check in the tests
// (the same partitions, scores and paths on the known-answer fixtures, the
// bundled dataset, the national graph at 1 % and random graphs). Both
// stores give the same answers as long as they return the same subgraph
// (analysistest.Run checks that on every store).
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
// # Shared, computed once per version
//
// On a store that versions its graph (regiongraph.Versioned; both stores
// do), LoadActorGraph reads the nodes and relations the projection needs
// once per version into integer form with their years, derives each year's
// actor graph from that without reading again, and shares it, read-only,
// between every request until the graph changes. Each analysis computed on
// a shared graph (PageRank, betweenness and closeness, communities per
// resolution, brokers per pair of groups) is kept with it, and concurrent
// requests for the same one wait for one computation. LoadFunding does the
// same for funding. A change that touches nothing a cached graph reads (an
// initiative's cost for the actor graph, a plan for both; read from the
// store's history) carries the graph and its results over to the new
// version. Before anything is read, the store's cheap counts are checked
// against MaxRelations.
//
// # Measures
//
//   - Degree: linked actors; weighted degree: the sum of link weights.
//   - Betweenness: Brandes' algorithm, halved so each unordered pair counts
//     once (the centre of an n-star has (n-1)(n-2)/2), as gonum's
//     network.Betweenness halved.
//   - Closeness: harmonic closeness (1/(n-1)) Σ 1/d(u,v), 1/∞ = 0, so that
//     it is defined on disconnected graphs (gonum's network.Harmonic over
//     n-1).
//   - Both walk the graph breadth first from every actor, in parallel on
//     every core: exact when that is at most MaxExactPathWork steps, else
//     estimated from a fixed-seed random sample of pivots within bounds
//     stated with the answer (PathSampling: pivots, and with probability
//     PathConfidence every actor within BetweennessNormError and
//     ClosenessError; Serfling's inequality; formulas at MaxExactPathWork).
//   - PageRank: edge-weighted, damping 0.85, the equation of gonum's
//     network.PageRankSparse iterated from the uniform vector.
//   - Brokers: cross-group betweenness over shortest A–B paths, by Brandes'
//     accumulation restricted to the targets in B, one walk per member of
//     A; Burt's constraint and effective size (formulas at
//     structuralHoles) in time Σ over the neighbours of their degrees.
//   - Communities: Louvain with a fixed seed, following gonum's
//     community.Modularize step for step (the same partition); each
//     community is labelled by its member with the highest PageRank.
//
// Scores are rounded (PageRank to 8 decimals after converging to 1e-13; the
// others to 9), the parallel sums are split into fixed parts added in a
// fixed order, and every list is ordered with ties broken by id, so results
// are the same on every run and on any number of cores.
//
// # Bounds and stopping
//
// Whole-graph computations refuse graphs beyond MaxRelations (from the
// store's counts, before reading), MaxNodes, MaxActors and MaxPairs with a
// BAD_USER_INPUT error naming the limit; betweenness and closeness are
// estimated rather than refused beyond MaxExactPathWork. Every long
// computation looks at its context every few milliseconds of work (between
// walks and inside them, between Louvain moves, per PageRank iteration)
// and returns the context's error when it is done; a shared computation is
// stopped when the last request waiting for it goes away, and that request
// returns only once it has stopped (Running counts those in progress).
package analysis
