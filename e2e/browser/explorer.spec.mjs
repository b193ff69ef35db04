// The GraphQL explorer's browser test: Debian's chromium driven by
// playwright-core against a running regiongraph (BASE_URL) that accepts the
// editor token EDITOR_TOKEN. Run by e2e/browser_test.go; by hand:
//
//   BASE_URL=http://127.0.0.1:8080 EDITOR_TOKEN=rgt_... node e2e/browser/explorer.spec.mjs
//
// It opens /graphql as a browser does and checks that GraphiQL loads from
// the server alone (no other host, no console errors), that an example from
// the Examples pane runs, that typing a query offers completions from the
// schema and a chosen completion lands in the query, that the query runs
// and its result is shown, that a wrong field is marked in the editor, that
// the docs browser lists the schema's fields, and that the Bearer token
// field sends the token: a mutation is refused without it and done with it.
// It writes explorer.png to OUT_DIR (default e2e/browser/out).
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.BASE_URL || '').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = process.env.OUT_DIR || join(here, 'out');
const TOKEN = process.env.EDITOR_TOKEN || '';
if (!BASE || !TOKEN) {
  console.error('explorer.spec: set BASE_URL to a running regiongraph and EDITOR_TOKEN to an editor\'s token it accepts');
  process.exit(2);
}

let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ': ' + detail : ''}`);
  if (!ok) failures++;
  return ok;
}

const userDataDir = await mkdtemp(join(tmpdir(), 'regiongraph-chromium-'));
await mkdir(OUT, { recursive: true });
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  viewport: { width: 1280, height: 800 },
  deviceScaleFactor: 1,
});

const problems = [];
context.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
context.on('weberror', (e) => problems.push('page error: ' + e.error().message));
context.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure() ? r.failure().errorText : ''}`));
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(BASE + '/') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
  problems.push('request to another host: ' + url);
  return route.abort();
});

const page = context.pages()[0] || await context.newPage();
const editor = '.graphiql-query-editor';

// queryText is the operation editor's whole text, from Monaco's model.
const queryText = () => page.evaluate(() => {
  const lines = [...document.querySelectorAll('.graphiql-query-editor .view-line')].map((l) => ({ top: parseFloat(l.style.top), text: l.textContent.replace(/\u00a0/g, ' ') }));
  return lines.sort((a, b) => a.top - b.top).map((l) => l.text).join('\n');
});
const responseText = () => page.evaluate(() => {
  const lines = [...document.querySelectorAll('.graphiql-response .view-line')].map((l) => ({ top: parseFloat(l.style.top), text: l.textContent.replace(/\u00a0/g, ' ') }));
  return lines.sort((a, b) => a.top - b.top).map((l) => l.text).join('\n');
});

// run clicks ▶ and returns the request the explorer sent and the answer.
async function run(label) {
  const [req] = await Promise.all([
    page.waitForRequest((r) => r.url() === BASE + '/graphql' && r.method() === 'POST' && (r.postData() || '').includes('"query"') && !(r.postData() || '').includes('IntrospectionQuery'), { timeout: 15000 }),
    page.click('.graphiql-execute-button'),
  ]);
  const resp = await req.response();
  const body = await resp.json();
  await page.waitForFunction(() => !document.querySelector('.graphiql-response .graphiql-spinner'), null, { timeout: 10000 });
  await page.waitForTimeout(300);
  console.log(`     ${label}: HTTP ${resp.status()}`);
  return { req, resp, body };
}

async function clearEditor() {
  await page.click(`${editor} .view-lines`);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
}

try {
  const resp = await page.goto(BASE + '/graphql', { waitUntil: 'load' });
  check(resp.ok() && (resp.headers()['content-type'] || '').startsWith('text/html'), 'a browser at /graphql gets the explorer page', `${resp.status()} ${resp.headers()['content-type']}`);
  await page.waitForSelector(`${editor} .monaco-editor`, { timeout: 30000 });
  // The schema is loaded by introspection: the docs browser needs it.
  await page.waitForFunction(() => !document.querySelector('.graphiql-spinner'), null, { timeout: 20000 });
  check(await page.isVisible('.rg-examples'), 'the Examples pane is open');
  const first = await queryText();
  check(/initiatives\(filter/.test(first), 'the editor opens on the first example', first.split('\n').slice(0, 4).join(' | '));

  // An example from the Examples pane runs and shows its answer.
  await page.click('.rg-example:has-text("Who is tied to E134?")');
  await page.waitForFunction(() => [...document.querySelectorAll('.graphiql-query-editor .view-line')].some((l) => l.textContent.includes('E134')));
  const ex = await run('example');
  const topics = ex.body.data && ex.body.data.search ? ex.body.data.search.nodes : [];
  check(ex.resp.status() === 200 && topics.length > 0 && topics.some((t) => t.name === 'E134' && t.actors.length > 0), 'the E134 example runs', `${topics.length} topics; E134's actors: ${(topics.find((t) => t.name === 'E134') || { actors: [] }).actors.map((a) => a.name).join(', ')}`);
  check((await responseText()).includes('"E134"'), 'the result is shown', (await responseText()).slice(0, 80).replace(/\n/g, ' '));
  await page.screenshot({ path: join(OUT, 'explorer.png') });
  console.log('screenshot ' + join(OUT, 'explorer.png'));

  // Typing with autocomplete: "pla" offers the Query fields that start so;
  // Enter takes "plans". Inside nodes, "ye" offers "year".
  await clearEditor();
  await page.keyboard.type('{ pla', { delay: 30 });
  await page.keyboard.press('Control+Space');
  await page.waitForSelector('.suggest-widget.visible .monaco-list-row', { timeout: 10000 });
  const offered = await page.$$eval('.suggest-widget.visible .monaco-list-row', (rows) => rows.map((r) => r.getAttribute('aria-label') || r.textContent));
  check(offered.some((o) => /^plans\b/.test(o)), 'typing "pla" offers the field plans', offered.slice(0, 6).join(' | '));
  const pick = offered.findIndex((o) => /^plans\b/.test(o));
  for (let i = 0; i < pick; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.keyboard.insertText('(orderBy: {field: PLAN_YEAR}) { nodes { ');
  await page.keyboard.type('ye', { delay: 30 });
  await page.keyboard.press('Control+Space');
  await page.waitForSelector('.suggest-widget.visible .monaco-list-row', { timeout: 10000 });
  const offered2 = await page.$$eval('.suggest-widget.visible .monaco-list-row', (rows) => rows.map((r) => r.getAttribute('aria-label') || r.textContent));
  check(offered2.some((o) => /^year\b/.test(o)), 'inside a Plan, "ye" offers year', offered2.slice(0, 6).join(' | '));
  await page.keyboard.press('Enter');
  await page.keyboard.insertText(' name } } }');
  // The editor draws what was typed a frame or more later (much later on a
  // loaded machine): the query is read until it shows, within a bound
  // that only something never drawn reaches.
  const chosen = /plans\(orderBy: \{field: PLAN_YEAR\}\) \{ nodes \{ year name \} \} \}/;
  let typed = '';
  for (const until = Date.now() + 30000; ; await page.waitForTimeout(100)) {
    typed = (await queryText()).replace(/\s+/g, ' ');
    if (chosen.test(typed) || Date.now() > until) break;
  }
  check(chosen.test(typed), 'the chosen completions are in the query', typed);
  const ran = await run('typed query');
  const plans = ran.body.data && ran.body.data.plans ? ran.body.data.plans.nodes : [];
  check(ran.resp.status() === 200 && plans.length === 2 && plans[0].year === 2011 && plans[1].year === 2014, 'the typed query runs: the plans of 2011 and 2014', JSON.stringify(plans));
  const shown = await responseText();
  check(shown.includes('2011') && shown.includes('2014') && shown.includes('Handlingsplan'), 'its result is shown', shown.replace(/\s+/g, ' ').slice(0, 120));

  // A field the schema does not have is marked where it is.
  await clearEditor();
  await page.keyboard.insertText('{ plans { nodes { yeer } } }');
  await page.waitForSelector(`${editor} .squiggly-error`, { timeout: 10000 }).catch(() => null);
  const marked = await page.locator(`${editor} .squiggly-error`).count();
  check(marked > 0, 'an unknown field is underlined in the editor', `${marked} marks`);

  // The docs browser lists the schema: Query and its fields.
  await page.click('[aria-label="Show Documentation Explorer"]');
  await page.waitForSelector('.graphiql-doc-explorer', { timeout: 10000 });
  await page.click('.graphiql-doc-explorer a:has-text("Query")');
  await page.waitForSelector('.graphiql-doc-explorer-title:has-text("Query")', { timeout: 10000 });
  const fields = await page.$$eval('.graphiql-doc-explorer .graphiql-doc-explorer-field-name', (a) => a.map((x) => x.textContent));
  check(fields.includes('partnershipMap') && fields.includes('plans') && fields.includes('search'), 'the docs browser lists the Query fields', `${fields.length} fields: ${fields.slice(0, 8).join(', ')}…`);

  // The bearer token: a mutation without it is refused, with it done.
  const id = 'nettverk-explorer-test';
  const mutation = `mutation { createNetwork(input: {id: "${id}", name: "Explorer test network", source: {outside: true, reference: "e2e/browser/explorer.spec.mjs"}}, reason: "browser test") { id name } }`;
  await clearEditor();
  await page.keyboard.insertText(mutation);
  const anon = await run('mutation without a token');
  const code = anon.body.errors && anon.body.errors[0] && anon.body.errors[0].extensions ? anon.body.errors[0].extensions.code : '';
  check(!anon.req.headers().authorization && ['UNAUTHENTICATED', 'FORBIDDEN'].includes(code) && !(anon.body.data && anon.body.data.createNetwork), 'without a token the mutation is refused', `${anon.resp.status()} ${code}`);
  await page.fill('#token', TOKEN);
  const authed = await run('mutation with the token');
  const sent = authed.req.headers().authorization || '';
  check(sent === 'Bearer ' + TOKEN, 'the Bearer token field sends Authorization: Bearer <token>', sent ? 'Bearer rgt_…' : 'no header');
  check(authed.resp.status() === 200 && authed.body.data && authed.body.data.createNetwork && authed.body.data.createNetwork.id === id, 'with the token the mutation is done', JSON.stringify(authed.body).slice(0, 160));
  check(await page.evaluate(() => !localStorage.getItem('regiongraph.token') && !JSON.stringify(localStorage).includes('rgt_')), 'the token is not kept in local storage');
} catch (err) {
  check(false, 'the test ran to the end', err.stack || String(err));
} finally {
  check(problems.length === 0, 'no console errors, no failed requests, nothing from another host', problems.join('\n  '));
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
