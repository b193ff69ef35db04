// Builds the GraphQL explorer (src/) into ../static/explorer/, which is
// committed and embedded in the binary, so `go run ./cmd/regiongraph` needs
// no npm. Reproducible: the same package-lock.json gives the same bytes.
//
//   npm ci && npm run build    # rebuild after changing src/ or the lockfile
//   npm ci && npm run check    # fail if the committed files differ from a fresh build
//
// Outputs: explorer.js and explorer.css (GraphiQL, React, the examples and
// the token field) and Monaco's three workers (editor, json, graphql).
import * as esbuild from 'esbuild';
import { mkdtemp, readFile, readdir, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dest = join(here, '..', 'static', 'explorer');
const check = process.argv.includes('--check');

const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  legalComments: 'linked',
  charset: 'utf8',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

async function build(outdir) {
  await esbuild.build({
    ...common,
    entryPoints: { explorer: join(here, 'src', 'explorer.jsx') },
    outdir,
    jsx: 'automatic',
    loader: { '.ttf': 'dataurl', '.woff2': 'dataurl' },
  });
  const workers = {
    'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
    'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
    'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
  };
  await esbuild.build({ ...common, entryPoints: workers, outdir });
}

if (!check) {
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  await build(dest);
  for (const f of (await readdir(dest)).sort()) console.log('built', join('web/static/explorer', f));
} else {
  const tmp = await mkdtemp(join(tmpdir(), 'regiongraph-explorer-'));
  try {
    await build(tmp);
    const fresh = (await readdir(tmp)).sort();
    const committed = (await readdir(dest).catch(() => [])).sort();
    const problems = [];
    for (const f of new Set([...fresh, ...committed])) {
      if (!fresh.includes(f)) { problems.push(`${f} is committed but no longer built`); continue; }
      if (!committed.includes(f)) { problems.push(`${f} is built but not committed`); continue; }
      const [a, b] = await Promise.all([readFile(join(tmp, f)), readFile(join(dest, f))]);
      if (!a.equals(b)) problems.push(`${f} differs from a fresh build`);
    }
    if (problems.length) {
      console.error('web/static/explorer is stale (run `npm ci && npm run build` in web/explorer and commit):\n  ' + problems.join('\n  '));
      process.exit(1);
    }
    console.log(`web/static/explorer matches a fresh build (${fresh.length} files)`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
