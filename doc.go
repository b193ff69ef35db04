// Package regiongraph is the domain of regiongraph: the stakeholder graph of a
// regional cooperation (municipalities, networks, partners, funds, initiatives,
// focus areas, topics and plans) and the Store that keeps it.
//
// The layering rule:
//
//   - This package holds nouns, filters, validation and the Store interface. It
//     imports the standard library only.
//   - Stores (boltstore, neo4jstore), storetest, analysis and dataset import
//     only this package.
//   - resolvers imports this package, graph (generated) and analysis, never a
//     concrete store; server imports resolvers and web.
//   - Only cmd/ and e2e/ pick a concrete store.
//
// Year semantics, used by every query and store: a relation holds in year Y when
// fromYear <= Y <= toYear, where a missing fromYear or toYear is unbounded on
// that side. A query without a year sees every relation.
package regiongraph
