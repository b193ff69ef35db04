// The map's "Import a spreadsheet" panel, in Debian's chromium driven by
// playwright-core, against a running regiongraph (BASE_URL) with an editor's
// token (EDITOR_TOKEN). Run by e2e/browser_test.go; by hand:
//
//   BASE_URL=http://127.0.0.1:8080 EDITOR_TOKEN=rgt_... node e2e/browser/import.spec.mjs
//
// It chooses a CSV file (semicolons, a BOM and Norwegian letters, as
// Norwegian Excel writes it) with a new partner and a relation to a node of
// the bundled data named by its name, checks the diff the panel shows (1 +
// 1 created, nothing written yet), applies it, and checks that the new node
// is drawn without the page reloading: through the live change stream. A
// second file that refers to a node nobody has shows the refused row with
// its sheet, row and column, and no Apply button. Screenshot: import.png.
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
  console.error('import.spec: set BASE_URL to a running regiongraph and EDITOR_TOKEN to an editor token');
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
  viewport: { width: 1280, height: 900 },
  deviceScaleFactor: 1,
});
const problems = [];
context.on('console', (m) => { if (m.type() === 'error') problems.push(`console ${m.type()}: ${m.text()}`); });
context.on('weberror', (e) => problems.push('page error: ' + e.error().message));
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(BASE + '/') || url.startsWith('data:')) return route.continue();
  problems.push('request to another host: ' + url);
  return route.abort();
});
const page = context.pages()[0] || await context.newPage();

const NAME = 'Fjellnettverket på Ål – Øvre Æsj';
const csv = (rows) => Buffer.from('\ufeff' + rows.map((r) => r.join(';')).join('\r\n') + '\r\n', 'utf8');

try {
  await page.goto(BASE + '/');
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 20000 });
  await page.waitForFunction(() => document.body.dataset.live === 'on', null, { timeout: 20000 });
  check(true, 'the map is drawn and listens to the change stream');
  const drawnBefore = await page.evaluate(() => document.querySelectorAll('#nodes .node').length);
  await page.evaluate(() => { window.__sameDocument = true; });

  await page.click('#sheet-import summary');
  await page.fill('#si-token', TOKEN);
  // A node sheet named by its kind, with a relation in a second file.
  await page.setInputFiles('#si-file', {
    name: 'Nettverk.csv', mimeType: 'text/csv',
    buffer: csv([['navn', 'fagfelt', 'kilde'], [NAME, 'friluftsliv', 'https://example.org/vedtak-2025']]),
  });
  await page.click('#si-preview');
  await page.waitForFunction(() => document.querySelector('#si-apply') && !document.querySelector('#si-apply').hidden, null, { timeout: 20000 });
  const diffText = await page.textContent('#si-diff');
  check(diffText.includes('1 created, 0 updated, 0 deleted') && diffText.includes(NAME), 'the dry run shows the new node with its Norwegian name', diffText.slice(0, 200));
  const drawnDry = await page.evaluate(() => document.querySelectorAll('#nodes .node').length);
  check(drawnDry === drawnBefore, 'nothing is drawn before applying', `${drawnBefore} → ${drawnDry}`);

  await page.click('#si-apply');
  await page.waitForFunction(() => /^Applied/.test(document.querySelector('#si-status').textContent), null, { timeout: 20000 });
  check(true, 'applied', await page.textContent('#si-status'));
  const id = 'nettverk-fjellnettverket-pa-al-ovre-aesj';
  await page.waitForSelector(`#nodes .node[data-id="${id}"]`, { timeout: 20000 });
  const drawnAfter = await page.evaluate(() => document.querySelectorAll('#nodes .node').length);
  check(drawnAfter === drawnBefore + 1, 'the new node is drawn', `${drawnBefore} → ${drawnAfter}`);
  check(await page.evaluate(() => window.__sameDocument === true), 'without reloading the page (the live change stream redrew it)');

  // A relation to the new node, by names, and the same file again: 0 changes.
  await page.setInputFiles('#si-file', {
    name: 'Relasjoner.csv', mimeType: 'text/csv',
    buffer: csv([['relasjon', 'fra', 'til', 'fraÅr', 'kilde'], ['MEMBER_OF', 'Kongsberg', NAME, '2025', 'https://example.org/vedtak-2025']]),
  });
  await page.click('#si-preview');
  await page.waitForFunction(() => !document.querySelector('#si-apply').hidden, null, { timeout: 20000 });
  await page.evaluate(() => document.querySelector('#sheet-import').scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(OUT, 'import.png') });
  console.log('screenshot ' + join(OUT, 'import.png'));
  await page.click('#si-apply');
  await page.waitForFunction(() => /^Applied/.test(document.querySelector('#si-status').textContent), null, { timeout: 20000 });
  await page.waitForSelector(`#edges path[data-to="${id}"][data-kind="MEMBER_OF"]`, { timeout: 20000 });
  check(true, 'the new relation is drawn too');

  // A refused row: named sheet, row and column; no Apply.
  await page.setInputFiles('#si-file', {
    name: 'Relasjoner.csv', mimeType: 'text/csv',
    buffer: csv([['relasjon', 'fra', 'til', 'kilde'], ['MEMBER_OF', 'Kongsberg', 'Ingen slik node', 'https://example.org/x']]),
  });
  await page.click('#si-preview');
  await page.waitForFunction(() => /refused/.test(document.querySelector('#si-status').textContent), null, { timeout: 20000 });
  const refused = await page.textContent('#si-diff');
  check(refused.includes('Relasjoner') && refused.includes('til (C2)') && refused.includes('Ingen slik node'), 'a refused row names its sheet, row and column', refused.slice(0, 300));
  check(await page.evaluate(() => document.querySelector('#si-apply').hidden), 'and cannot be applied');
} catch (err) {
  check(false, 'the test ran to the end', err.stack || String(err));
} finally {
  check(problems.length === 0, 'no console errors', problems.join('\n  '));
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
