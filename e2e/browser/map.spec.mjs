// The partnership map's browser test: Debian's chromium driven by
// playwright-core, against a running regiongraph (BASE_URL). Run by
// e2e/browser_test.go; by hand:
//
//   BASE_URL=http://127.0.0.1:8080 node e2e/browser/map.spec.mjs
//
// It checks that the page loads with no console errors and no failed
// requests, draws as many nodes as the partnershipMap query reports for the
// same filter, opens a node's details on click and from the keyboard, and
// that the year slider and a kind filter change what is drawn. It writes
// screenshots to OUT_DIR (default e2e/browser/out): map.png at 1280×800 and
// map-phone.png at phone width.
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.BASE_URL || '').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = process.env.OUT_DIR || join(here, 'out');
if (!BASE) {
  console.error('map.spec: set BASE_URL to a running regiongraph');
  process.exit(2);
}

let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ': ' + detail : ''}`);
  if (!ok) failures++;
  return ok;
}

// toInput turns the map's query string into partnershipMap's filter input.
function toInput(query) {
  const q = new URLSearchParams(query);
  const list = (k) => q.getAll(k).flatMap((v) => v.split(',')).filter(Boolean);
  const f = {};
  const kinds = list('kind').map((k) => k.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());
  if (kinds.length) f.kinds = kinds;
  if (list('relation').length) f.relations = list('relation');
  if (q.get('year')) f.year = Number(q.get('year'));
  for (const k of ['focusArea', 'network', 'focus', 'text']) if (q.get(k)) f[k] = q.get(k);
  if (q.get('depth')) f.depth = Number(q.get('depth'));
  return f;
}

async function apiCounts(query) {
  const resp = await fetch(BASE + '/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      query: 'query($f: MapFilterInput) { partnershipMap(filter: $f) { query nodes { id } edges { id } } }',
      variables: { f: toInput(query) },
    }),
  });
  const body = await resp.json();
  if (body.errors) throw new Error('partnershipMap: ' + JSON.stringify(body.errors));
  const m = body.data.partnershipMap;
  return { nodes: m.nodes.length, edges: m.edges.length, query: m.query };
}

const userDataDir = await mkdtemp(join(tmpdir(), 'regiongraph-chromium-'));
await mkdir(OUT, { recursive: true });
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true, // playwright adds --headless
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  viewport: { width: 1280, height: 800 },
  deviceScaleFactor: 1,
});

const problems = [];
context.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
context.on('weberror', (e) => problems.push('page error: ' + e.error().message));
context.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure() ? r.failure().errorText : ''}`));
context.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`); });
// No internet: anything not from the server under test is a failure.
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(BASE + '/') || url.startsWith('data:')) return route.continue();
  problems.push('request to another host: ' + url);
  return route.abort();
});

const page = context.pages()[0] || await context.newPage();

async function ready(label) {
  await page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error', null, { timeout: 20000 });
  const st = await page.evaluate(() => document.body.dataset.state);
  if (st !== 'ready') throw new Error(`${label}: the page says ${await page.textContent('#status')}`);
  return page.evaluate(() => {
    const svg = document.querySelector('#map');
    return { drawn: document.querySelectorAll('#nodes .node').length, edges: document.querySelectorAll('#edges .edge').length, query: svg.dataset.query };
  });
}

// waitForQuery waits until the map has drawn the answer for a filter other
// than before, and returns what it drew.
async function waitForQuery(before, label) {
  await page.waitForFunction((before) => {
    const svg = document.querySelector('#map');
    return document.body.dataset.state === 'ready' && svg.dataset.query !== before;
  }, before, { timeout: 20000 });
  return ready(label);
}

async function sameAsAPI(state, label) {
  const api = await apiCounts(state.query);
  check(state.drawn === api.nodes && state.drawn > 0, `${label}: drawn nodes equal the API's`, `drawn ${state.drawn}, partnershipMap ${api.nodes} (filter "${state.query}")`);
  check(state.edges === api.edges, `${label}: drawn relations equal the API's`, `drawn ${state.edges}, partnershipMap ${api.edges}`);
  check(api.query === state.query, `${label}: the API reads the same filter`, `"${api.query}" vs "${state.query}"`);
}

// clickableNode returns the id of a node (the largest first) whose centre is
// not covered by another node, so a click there is a click on it.
async function clickableNode(prefer) {
  return page.evaluate((prefer) => {
    const nodes = [...document.querySelectorAll('#nodes .node')];
    nodes.sort((a, b) => (b.dataset.id === prefer) - (a.dataset.id === prefer) || b.querySelector('circle').r.baseVal.value - a.querySelector('circle').r.baseVal.value);
    for (const g of nodes) {
      const r = g.querySelector('circle').getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit.closest('.node') === g && x > 0 && y > 0 && x < innerWidth && y < innerHeight) return g.dataset.id;
    }
    return null;
  }, prefer);
}

async function openDetails(id, how) {
  const g = page.locator(`#nodes .node[data-id="${id}"]`);
  const name = (await g.locator('title').textContent()) || '';
  if (how === 'click') await g.locator('circle').click();
  await page.waitForSelector('#details:not([hidden])', { timeout: 5000 });
  await page.waitForFunction(() => {
    const li = document.querySelector('#details-relations li');
    return li && li.textContent !== 'Loading…';
  }, null, { timeout: 10000 });
  const title = await page.textContent('#details-title');
  const rels = await page.locator('#details-relations li').count();
  const sources = await page.locator('#details-sources li').count();
  check(title === name, `${how}: the details panel opens for the node`, `"${title}"`);
  check(rels > 0 && sources > 0, `${how}: the details list relations and sources`, `${rels} relations, ${sources} sources`);
}

try {
  const resp = await page.goto(BASE + '/', { waitUntil: 'load' });
  check(resp.ok(), 'GET / answers 200', String(resp.status()));
  const first = await ready('first load');
  await sameAsAPI(first, 'all nodes');

  // Click a node: its details open.
  const id = await clickableNode('kongsbergregionen');
  check(!!id, 'a node can be clicked', id || 'every node is covered');
  if (id) await openDetails(id, 'click');
  await page.keyboard.press('Escape');
  check(await page.isHidden('#details'), 'Escape closes the details');

  // Keyboard: Tab from the map reaches a node; Enter opens it.
  await page.focus('#map');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.closest && document.activeElement.closest('.node') ? document.activeElement.dataset.id : null);
  check(!!focused, 'Tab from the map reaches a node', focused || String(await page.evaluate(() => document.activeElement && document.activeElement.outerHTML.slice(0, 80))));
  if (focused) {
    await page.keyboard.press('Enter');
    await openDetails(focused, 'keyboard');
    await page.keyboard.press('Escape');
  }

  // The year slider: its last step is the latest plan year.
  const years = await page.evaluate(() => fetch('/map/options.json').then((r) => r.json()).then((o) => o.years));
  check(years.length > 0, 'the data has plan years', JSON.stringify(years));
  const last = years[years.length - 1];
  await page.focus('#f-year');
  await page.keyboard.press('End');
  const byYear = await waitForQuery(first.query, 'year slider');
  check(new URLSearchParams(byYear.query).get('year') === String(last), 'the slider sets the year filter', byYear.query);
  check(byYear.drawn !== first.drawn, 'moving the year slider changes the drawn count', `${first.drawn} → ${byYear.drawn} (year ${last})`);
  check((await page.textContent('#f-year-out')) === String(last), 'the slider shows its year');
  await sameAsAPI(byYear, `year ${last}`);
  check(new URL(page.url()).searchParams.get('year') === String(last), 'the page URL carries the filter', page.url());

  // A kind filter: leave out initiatives.
  await page.locator('#f-kinds input[value="Initiative"]').uncheck();
  const byKind = await waitForQuery(byYear.query, 'kind filter');
  const kinds = new URLSearchParams(byKind.query).getAll('kind');
  check(kinds.length > 0 && !kinds.includes('Initiative'), 'the kind filter leaves out initiatives', byKind.query);
  check(byKind.drawn < byYear.drawn, 'unchecking a kind changes the drawn count', `${byYear.drawn} → ${byKind.drawn}`);
  check(await page.evaluate(() => !document.querySelector('#nodes .node[data-kind="Initiative"]')), 'no initiative is drawn');
  await sameAsAPI(byKind, 'without initiatives');

  // The downloads carry the same filter.
  const href = await page.getAttribute('#downloads a[href^="/export/graphml"]', 'href');
  check(href === '/export/graphml?' + byKind.query, 'the GraphML link has the map\'s filter', href);

  // Back to everything, select a node, and take the picture for the README.
  await page.click('#f-reset');
  const again = await waitForQuery(byKind.query, 'reset');
  check(again.query === '', 'reset clears the filter', again.query);
  check(again.drawn === first.drawn, 'reset draws everything again', `${again.drawn}`);
  // Text search narrows to the matches and their neighbours.
  await page.fill('#f-text', 'Numedal');
  const byText = await waitForQuery(again.query, 'text search');
  check(new URLSearchParams(byText.query).get('text') === 'Numedal' && byText.drawn < again.drawn, 'the search box filters the map', `${byText.drawn} nodes for "${byText.query}"`);
  await sameAsAPI(byText, 'text search');
  await page.fill('#f-text', '');
  const cleared = await waitForQuery(byText.query, 'search cleared');

  // Focus: a node's neighbourhood only, then back.
  const hubId = await clickableNode('kongsbergregionen');
  await openDetails(hubId, 'click');
  await page.click('#details-focus');
  const focused1 = await waitForQuery(cleared.query, 'focus');
  check(new URLSearchParams(focused1.query).get('focus') === hubId && focused1.drawn < cleared.drawn, 'Focus shows only the neighbourhood', `${focused1.drawn} nodes around ${hubId}`);
  check(await page.isVisible('#focus-chip'), 'the focus is shown in the filters');
  await sameAsAPI(focused1, 'focus');
  await page.click('#focus-clear');
  await waitForQuery(focused1.query, 'focus cleared');
  await page.keyboard.press('Escape');

  const pick = await clickableNode('sak-e134');
  if (pick) await openDetails(pick, 'click');
  await page.mouse.move(5, 795);
  await page.evaluate(() => { document.querySelector('#filters').scrollTop = 0; document.querySelector('#details').scrollTop = 0; });
  await page.screenshot({ path: join(OUT, 'map.png') });
  console.log('screenshot ' + join(OUT, 'map.png'));

  // Phone width: nothing overflows sideways and the filters open as a drawer.
  await page.setViewportSize({ width: 390, height: 844 });
  // Filters in the page's address are applied on the first drawing.
  await page.goto(BASE + `/?year=${last}&kind=Municipality,Region,Network,Initiative`, { waitUntil: 'load' });
  const phone = await ready('phone');
  await sameAsAPI(phone, 'phone width, filters from the address');
  check(new URLSearchParams(phone.query).getAll('kind').length === 4, 'the address\'s kinds are drawn', phone.query);
  check(await page.isChecked('#f-kinds input[value="Initiative"]') && !(await page.isChecked('#f-kinds input[value="Topic"]')), 'the kind boxes follow the address');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  check(overflow <= 0, 'no sideways scrolling at 390 px', `${overflow}px`);
  check(await page.isVisible('#toggle-filters'), 'the Filters button shows at phone width');
  await page.click('#toggle-filters');
  check(await page.isVisible('#f-text'), 'the filters open');
  await page.keyboard.press('Escape');
  const small = await clickableNode('');
  if (small) await openDetails(small, 'click');
  await page.screenshot({ path: join(OUT, 'map-phone.png') });
  console.log('screenshot ' + join(OUT, 'map-phone.png'));
} catch (err) {
  check(false, 'the test ran to the end', err.stack || String(err));
} finally {
  check(problems.length === 0, 'no console errors and no failed requests', problems.join('\n  '));
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
