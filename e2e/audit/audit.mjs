// Runs the graphql-http server audits (GraphQL over HTTP conformance)
// against a running server and prints one JSON object:
//   {"url": ..., "results": [{"id", "name", "level", "status", "reason"}],
//    "counts": {"MUST": {"passed", "total"}, "SHOULD": {...}, "MAY": {...}}}
// Usage: node audit.mjs http://127.0.0.1:8080/graphql
// The audits run one after another, so the server's concurrency cap is not
// what is being measured.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

const results = [];
const counts = {};
for (const audit of serverAudits({ url })) {
  const level = audit.name.split(' ')[0];
  let r;
  try {
    r = await audit.fn();
  } catch (err) {
    r = { id: audit.id, name: audit.name, status: 'error', reason: 'fatal: ' + String(err) };
  }
  const passed = r.status === 'ok';
  counts[level] ??= { passed: 0, total: 0 };
  counts[level].total++;
  if (passed) counts[level].passed++;
  results.push({ id: r.id, name: r.name, level, status: r.status, reason: r.reason ?? '' });
}
console.log(JSON.stringify({ url, results, counts }, null, 2));
