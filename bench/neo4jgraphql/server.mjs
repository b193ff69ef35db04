// The reference for regiongraph's Neo4j benchmark: @neo4j/graphql 7 over the
// database regiongraph imported (typeDefs.graphql maps its labels and
// relationship types). Benchmark-only, not part of the product.
//
// The HTTP side is the peer's (../../../shared/bench/peer/server.mjs): a
// plain node:http handler, parsed and validated documents cached by query
// text, no tracing, no logging per request; so what is measured is
// @neo4j/graphql's translation to Cypher and its one transaction per root
// field, not a web framework.
//
//   NEO4J_URI=neo4j://127.0.0.1:7697 NODE_ENV=production \
//     N4G_ADDR=127.0.0.1:18303 node server.mjs
//
// NEO4J_USER, NEO4J_PASSWORD (empty: no auth) and NEO4J_DATABASE as for
// regiongraph. N4G_MAX_POOL bounds the driver's connection pool (default
// 100, the driver's default).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, validate, execute, GraphQLError } from 'graphql';
import neo4j from 'neo4j-driver';
import { Neo4jGraphQL } from '@neo4j/graphql';

const here = dirname(fileURLToPath(import.meta.url));
const ADDR = process.env.N4G_ADDR || '127.0.0.1:18303';
const URI = process.env.NEO4J_URI || 'neo4j://127.0.0.1:7687';
const DATABASE = process.env.NEO4J_DATABASE || 'neo4j';
const MAX_BODY = 1 << 20;

const auth = process.env.NEO4J_PASSWORD
  ? neo4j.auth.basic(process.env.NEO4J_USER || 'neo4j', process.env.NEO4J_PASSWORD)
  : undefined;
const driver = neo4j.driver(URI, auth, {
  maxConnectionPoolSize: Number(process.env.N4G_MAX_POOL || 100),
  userAgent: 'regiongraph-bench-neo4jgraphql',
});

const typeDefs = readFileSync(join(here, 'typeDefs.graphql'), 'utf8');
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const schema = await neoSchema.getSchema();

// Parsed and validated documents by query text (LRU, 1000 entries).
const docs = new Map();
function prepare(query) {
  let d = docs.get(query);
  if (d) {
    docs.delete(query);
    docs.set(query, d);
    return d;
  }
  try {
    const document = parse(query);
    const errors = validate(schema, document);
    d = errors.length ? { errors } : { document };
  } catch (e) {
    d = { errors: [e instanceof GraphQLError ? e : new GraphQLError(String(e))] };
  }
  docs.set(query, d);
  if (docs.size > 1000) docs.delete(docs.keys().next().value);
  return d;
}

function send(res, status, body) {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

async function handle(req, res) {
  if (req.url === '/healthz') {
    try {
      await driver.verifyConnectivity({ database: DATABASE });
      return void res.end('ok');
    } catch (e) {
      return send(res, 503, { errors: [{ message: String(e) }] });
    }
  }
  if (req.method !== 'POST' || !req.url.startsWith('/graphql')) {
    return send(res, req.method === 'POST' ? 404 : 405, { errors: [{ message: 'POST /graphql' }] });
  }
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) return send(res, 413, { errors: [{ message: 'body too large' }] });
    chunks.push(c);
  }
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return send(res, 400, { errors: [{ message: 'the body is not JSON' }] });
  }
  if (typeof body?.query !== 'string') return send(res, 400, { errors: [{ message: 'no query' }] });
  const d = prepare(body.query);
  if (d.errors) return send(res, 400, { errors: d.errors });
  const result = await execute({
    schema,
    document: d.document,
    variableValues: body.variables ?? undefined,
    operationName: body.operationName ?? undefined,
    contextValue: { sessionConfig: { database: DATABASE } },
  });
  send(res, 200, result);
}

const [host, port] = [ADDR.slice(0, ADDR.lastIndexOf(':')), Number(ADDR.slice(ADDR.lastIndexOf(':') + 1))];
const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error(e);
    if (!res.headersSent) send(res, 500, { errors: [{ message: 'internal error' }] });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  console.log(`neo4jgraphql: http://${ADDR}/graphql over ${URI} (NODE_ENV=${process.env.NODE_ENV})`);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.close();
    server.closeAllConnections?.();
    driver.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
