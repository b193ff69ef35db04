// lint.mjs lints Cypher statements with Neo4j's own analyser,
// @neo4j-cypher/language-support (lintCypherQuery), for Neo4j 5 (CYPHER 5).
//
// stdin:  {"schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...]},
//          "statements": [{"name": "...", "query": "...", "parameters": {"p": <sample value>}}]}
// stdout: {"analyser": "<package>@<version>", "language": "CYPHER 5",
//          "functions": n, "procedures": n,
//          "results": [{"name": "...", "diagnostics": [{"severity": "error"|"warning"|"information"|"hint",
//                       "message": "...", "line": 1, "column": 1}]}]}
//
// Each statement is linted against a DbSchema holding the given labels,
// relationship types and property keys, exactly its own parameters, and the
// built-in (non-APOC) functions and procedures of Neo4j 5 as bundled with the
// analyser, so an unknown label, relationship type, property key, parameter,
// function or procedure is reported, as is deprecated syntax.
// Statements are spread over worker threads: the analyser takes tens of
// milliseconds per statement.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const LANGUAGE = 'CYPHER 5';
const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function builtins(registry) {
  const all = (registry && registry[LANGUAGE]) || {};
  return Object.fromEntries(Object.entries(all).filter(([name, sig]) => sig.isBuiltIn !== false && !name.startsWith('apoc.')));
}

function lintAll(schema, statements) {
  const functions = builtins(testData.mockSchema.functions);
  const procedures = builtins(testData.mockSchema.procedures);
  return statements.map((st) => {
    const dbSchema = {
      labels: schema.labels || [],
      relationshipTypes: schema.relationshipTypes || [],
      propertyKeys: schema.propertyKeys || [],
      parameters: st.parameters || {},
      functions: { [LANGUAGE]: functions },
      procedures: { [LANGUAGE]: procedures },
      defaultLanguage: LANGUAGE,
    };
    let diagnostics;
    try {
      diagnostics = lintCypherQuery(st.query, dbSchema).diagnostics.map((d) => ({
        severity: SEVERITY[d.severity] || String(d.severity),
        message: d.message,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
      }));
    } catch (e) {
      diagnostics = [{ severity: 'error', message: `analyser failed: ${e && e.stack ? e.stack : e}`, line: 0, column: 0 }];
    }
    return { name: st.name, diagnostics };
  });
}

if (isMainThread) {
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const statements = input.statements || [];
  const pkg = JSON.parse(readFileSync(new URL('./node_modules/@neo4j-cypher/language-support/package.json', import.meta.url), 'utf8'));
  const n = Math.max(1, Math.min(availableParallelism(), Math.ceil(statements.length / 50)));
  const chunks = Array.from({ length: n }, (_, i) => statements.filter((_, j) => j % n === i));
  const parts = await Promise.all(chunks.map((chunk) => new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { schema: input.schema || {}, statements: chunk } });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  const byName = new Map(parts.flat().map((r) => [r.name, r]));
  process.stdout.write(JSON.stringify({
    analyser: `${pkg.name}@${pkg.version}`,
    language: LANGUAGE,
    functions: Object.keys(builtins(testData.mockSchema.functions)).length,
    procedures: Object.keys(builtins(testData.mockSchema.procedures)).length,
    results: statements.map((st) => byName.get(st.name)),
  }));
} else {
  parentPort.postMessage(lintAll(workerData.schema, workerData.statements));
}
