// The partnership map's browser test: Debian's chromium driven by
// playwright-core, against a running regiongraph (BASE_URL). Run by
// e2e/browser_test.go; by hand:
//
//   BASE_URL=http://127.0.0.1:8080 node e2e/browser/map.spec.mjs
//
// It checks that the page loads with no console errors and no failed
// requests, draws as many nodes as the partnershipMap query reports for the
// same filter, opens a node's details on click and from the keyboard, and
// that the year slider and a kind filter change what is drawn. And that the
// map is readable: plan and classification relations are off until the
// "Plans and areas" switch is clicked; every actor is named and no two names
// overlap; the two nodes named E134 are told apart; every relation in the
// details comes with its own source; the year slider covers every year in
// the data (Sigdal joins in 2020); Fit zooms to the selection however small;
// on a phone every node is a target of at least 24 px and the details sheet
// leaves the selected node in view. It writes screenshots to OUT_DIR
// (default e2e/browser/out): map.png at 1280×800 and map-phone.png at
// 390×844.
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
    nodes.sort((a, b) => (b.dataset.id === prefer) - (a.dataset.id === prefer) || b.querySelector('.dot').r.baseVal.value - a.querySelector('.dot').r.baseVal.value);
    for (const g of nodes) {
      const r = g.querySelector('.dot').getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit.closest('.node') === g && x > 0 && y > 0 && x < innerWidth && y < innerHeight) return g.dataset.id;
    }
    return null;
  }, prefer);
}

async function openDetails(id, how) {
  const g = page.locator(`#nodes .node[data-id="${id}"]`);
  const nodeName = await apiName(id);
  if (how === 'click') await clickNode(id);
  await page.waitForSelector('#details:not([hidden])', { timeout: 5000 });
  await page.waitForFunction(() => !document.querySelector('#details-relations .loading'), null, { timeout: 10000 });
  const title = await page.textContent('#details-title');
  const rels = await page.locator('#details-relations li').count();
  const sources = await page.locator('#details-relations li .rel-source').count();
  check(title === nodeName, `${how}: the details panel opens for the node`, `"${title}"`);
  check(rels > 0 && sources === rels, `${how}: the details list relations, each with its source`, `${rels} relations, ${sources} sources`);
}

// clickNode clicks the centre of a node's circle.
async function clickNode(id) {
  const box = await page.locator(`#nodes .node[data-id="${id}"] .dot`).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

async function gql(query, variables) {
  const resp = await fetch(BASE + '/graphql', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await resp.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
async function apiName(id) { return (await gql('query($id: ID!) { node(id: $id) { name } }', { id })).node.name; }

// labels reads the names on the map: each shown name's text and box, and
// for every drawn node whether its name is shown.
function labels() {
  return page.evaluate(() => {
    const shown = [...document.querySelectorAll('#labels text.show')].map((t) => {
      const r = t.getBoundingClientRect();
      return { id: t.dataset.id, text: t.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom };
    });
    const all = Object.fromEntries([...document.querySelectorAll('#labels text')].map((t) => [t.dataset.id, t.textContent]));
    const nodes = [...document.querySelectorAll('#nodes .node')].map((g) => ({ id: g.dataset.id, kind: g.dataset.kind }));
    return { shown, all, nodes };
  });
}

// overlapping lists the pairs of shown names that cover each other by more
// than 3 px each way (their boxes include the halo's font box).
function overlapping(shown) {
  const out = [];
  for (let i = 0; i < shown.length; i++) for (let j = i + 1; j < shown.length; j++) {
    const a = shown[i], b = shown[j];
    const ox = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0), oy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
    if (ox > 3 && oy > 3) out.push(`"${a.text}" and "${b.text}" (${Math.round(ox)}×${Math.round(oy)} px)`);
  }
  return out;
}

// drawnKinds counts the drawn relations by kind.
function drawnKinds() {
  return page.evaluate(() => {
    const c = {};
    for (const e of document.querySelectorAll('#edges .edge')) c[e.dataset.kind] = (c[e.dataset.kind] || 0) + 1;
    return c;
  });
}

// spread is the share of the canvas's width and height that the circles of
// the given nodes (all drawn nodes when ids is null) span on screen.
function spread(ids) {
  return page.evaluate((ids) => {
    const canvas = document.querySelector('#map').getBoundingClientRect();
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const g of document.querySelectorAll('#nodes .node')) {
      if (ids && !ids.includes(g.dataset.id)) continue;
      const r = g.querySelector('.dot').getBoundingClientRect();
      x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top); x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom);
    }
    const inside = x0 >= canvas.left - 1 && y0 >= canvas.top - 1 && x1 <= canvas.right + 1 && y1 <= canvas.bottom + 1;
    return { w: (x1 - x0) / canvas.width, h: (y1 - y0) / canvas.height, inside, zoom: Number((document.querySelector('#viewport').getAttribute('transform').match(/scale\(([\d.]+)\)/) || [0, 0])[1]) };
  }, ids);
}

const CLASSIFICATION = ['IN_PLAN', 'IN_FOCUS_AREA', 'IN_STRATEGY_AREA', 'RELEVANT_FOR'];
const ACTORS = ['Municipality', 'Region', 'Network', 'Partner', 'Fund'];

try {
  const resp = await page.goto(BASE + '/', { waitUntil: 'load' });
  check(resp.ok(), 'GET / answers 200', String(resp.status()));
  const first = await ready('first load');
  await sameAsAPI(first, 'all nodes');
  const opts = await page.evaluate(() => fetch('/map/options.json').then((r) => r.json()));

  // Plan and classification relations are off by default, one click away.
  const rels0 = new URLSearchParams(first.query).getAll('relation');
  const kinds0 = await drawnKinds();
  check(rels0.length > 0 && CLASSIFICATION.every((k) => !rels0.includes(k) && !kinds0[k]), 'plan and classification relations are not drawn by default',
    `filter relations ${rels0.join(',')}; drawn ${JSON.stringify(kinds0)}`);
  check(new URL(page.url()).search === '', 'the default map has a plain address', page.url());
  await page.click('#show-classification');
  const withPlans = await waitForQuery(first.query, 'plans and areas on');
  const kinds1 = await drawnKinds();
  check(CLASSIFICATION.filter((k) => k !== 'RELEVANT_FOR').every((k) => kinds1[k] > 0) && withPlans.edges > first.edges,
    'one click on "Plans and areas" draws the plan and classification relations', `${first.edges} → ${withPlans.edges} relations: ${CLASSIFICATION.map((k) => `${k} ${kinds1[k] || 0}`).join(', ')}`);
  await sameAsAPI(withPlans, 'plans and areas on');
  await page.click('#show-classification');
  const back = await waitForQuery(withPlans.query, 'plans and areas off');
  check(back.query === first.query && back.edges === first.edges, 'a second click hides them again', back.query);

  // Every actor is named; no two names cover each other.
  const l0 = await labels();
  const actors = l0.nodes.filter((n) => ACTORS.includes(n.kind));
  const named = new Set(l0.shown.map((t) => t.id));
  const unnamed = actors.filter((n) => !named.has(n.id)).map((n) => n.id);
  check(actors.length > 40 && unnamed.length === 0, 'every actor on the map is named', `${actors.length} actors, ${l0.shown.length} names shown; unnamed: ${unnamed.join(', ')}`);
  const clash = overlapping(l0.shown);
  check(clash.length === 0, 'no two names on the map overlap', clash.join('; '));

  // Two nodes named E134: the topic and the 2011 initiative, told apart.
  const e134 = [l0.all['sak-e134'], l0.all['tiltak-2011-2-1']];
  check(e134.every((t) => t && t.startsWith('E134')) && e134[0] !== e134[1] && /topic/.test(e134[0]) && /initiative 2\.1, 2011/.test(e134[1]),
    'the two nodes named E134 are labelled by kind', JSON.stringify(e134));
  const renov = Object.entries(l0.all).filter(([, t]) => t.startsWith('Renovasjon')).map(([, t]) => t);
  check(renov.length === 2 && new Set(renov).size === 2, 'two initiatives named Renovasjon are told apart by code and year', JSON.stringify(renov));

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

  // Each relation in the details with its own source, as the API has it.
  await openDetails('sak-e134', 'click');
  const shownRels = await page.evaluate(() => [...document.querySelectorAll('#details-relations li')].map((li) => ({ id: li.dataset.id, source: li.querySelector('.rel-source').textContent })));
  const apiRels = (await gql('query($id: ID!) { node(id: $id) { relations { id source { citation } } } }', { id: 'sak-e134' })).node.relations;
  const wrong = apiRels.filter((r) => {
    const li = shownRels.find((x) => x.id === r.id);
    return !li || li.source !== (r.source && r.source.citation ? r.source.citation : 'No source given for this relation.');
  });
  check(apiRels.length > 0 && shownRels.length === apiRels.length && wrong.length === 0, 'every relation in the details shows its own source',
    `${shownRels.length} shown, ${apiRels.length} in the API; wrong: ${wrong.map((r) => r.id).join(', ')}`);
  check(await page.isVisible('#details-relations .rel-group[data-kind="IN_PLAN"] .not-drawn'), 'the details say which relations the map does not draw');

  // Fit zooms to the selection and its neighbours, however few.
  const near = await page.evaluate(() => {
    const ids = new Set(['sak-e134']);
    for (const e of document.querySelectorAll('#edges .edge')) {
      if (e.dataset.from === 'sak-e134') ids.add(e.dataset.to);
      if (e.dataset.to === 'sak-e134') ids.add(e.dataset.from);
    }
    return [...ids];
  });
  const before = await spread(near);
  await page.click('#zoom-fit');
  const after = await spread(near);
  check(after.inside && Math.max(after.w, after.h) > 0.5 && after.zoom > 1.6, 'Fit zooms to the selection and its neighbours',
    `${near.length} nodes span ${Math.round(before.w * 100)}%×${Math.round(before.h * 100)}% of the map before, ${Math.round(after.w * 100)}%×${Math.round(after.h * 100)}% after, zoom ${after.zoom}`);
  const lFit = await labels();
  check(near.every((n) => lFit.shown.some((t) => t.id === n)) && overlapping(lFit.shown).length === 0, 'the selection and its neighbours are named, without overlaps', overlapping(lFit.shown).join('; '));
  await page.keyboard.press('Escape');

  // The year slider covers every year in the data, one stop a year.
  const dataYears = opts.dataYears;
  const slider = await page.evaluate(() => { const s = document.querySelector('#f-year'); return { min: +s.min, max: +s.max }; });
  const span = dataYears[dataYears.length - 1] - dataYears[0] + 1;
  check(dataYears.length > 2 && dataYears.includes(2020) && slider.max - slider.min === span, 'the year slider has a stop for every year from the first to the last in the data',
    `data years ${dataYears.join(', ')}; ${slider.max - slider.min + 1} stops (all years + ${span})`);
  const last = dataYears[dataYears.length - 1];
  await page.focus('#f-year');
  await page.keyboard.press('End');
  const byYear = await waitForQuery(back.query, 'year slider');
  check(new URLSearchParams(byYear.query).get('year') === String(last), 'the slider sets the year filter', byYear.query);
  check(byYear.drawn !== first.drawn, 'moving the year slider changes the drawn count', `${first.drawn} → ${byYear.drawn} (year ${last})`);
  check((await page.textContent('#f-year-out')).startsWith(String(last)), 'the slider shows its year');
  await sameAsAPI(byYear, `year ${last}`);
  check(new URL(page.url()).searchParams.get('year') === String(last), 'the page URL carries the filter', page.url());
  const sigdal = 'kommune-sigdal-member-of-kongsbergregionen';
  const sigdal2020 = await page.evaluate((id) => !!document.querySelector(`#edges .edge[data-id="${id}"]`), sigdal);
  await page.keyboard.press('ArrowLeft');
  const y2019 = await waitForQuery(byYear.query, 'year 2019');
  const sigdal2019 = await page.evaluate((id) => !!document.querySelector(`#edges .edge[data-id="${id}"]`), sigdal);
  check(sigdal2020 && !sigdal2019 && new URLSearchParams(y2019.query).get('year') === String(last - 1), 'Sigdal\'s membership is drawn in 2020 and not in 2019', `${sigdal2020}, ${sigdal2019}`);
  // Back to the plan year 2014.
  for (let y = last - 1; y > 2014; y--) await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => new URLSearchParams(document.querySelector('#map').dataset.query).get('year') === '2014' && document.body.dataset.state === 'ready', null, { timeout: 20000 });
  const y2014 = await ready('year 2014');
  await sameAsAPI(y2014, 'year 2014');

  // A kind filter: leave out initiatives.
  await page.locator('#f-kinds input[value="Initiative"]').uncheck();
  const byKind = await waitForQuery(y2014.query, 'kind filter');
  const kinds = new URLSearchParams(byKind.query).getAll('kind');
  check(kinds.length > 0 && !kinds.includes('Initiative'), 'the kind filter leaves out initiatives', byKind.query);
  check(byKind.drawn < y2014.drawn, 'unchecking a kind changes the drawn count', `${y2014.drawn} → ${byKind.drawn}`);
  check(await page.evaluate(() => !document.querySelector('#nodes .node[data-kind="Initiative"]')), 'no initiative is drawn');
  await sameAsAPI(byKind, 'without initiatives');

  // The downloads carry the same filter.
  const href = await page.getAttribute('#downloads a[href^="/export/graphml"]', 'href');
  check(href === '/export/graphml?' + byKind.query, 'the GraphML link has the map\'s filter', href);

  // Back to the default map.
  await page.click('#f-reset');
  const again = await waitForQuery(byKind.query, 'reset');
  check(again.query === first.query && new URL(page.url()).search === '', 'reset goes back to the default map', again.query);
  check(again.drawn === first.drawn, 'reset draws everything again', `${again.drawn}`);
  // Text search narrows to the matches and their neighbours.
  await page.fill('#f-text', 'Numedal');
  const byText = await waitForQuery(again.query, 'text search');
  check(new URLSearchParams(byText.query).get('text') === 'Numedal' && byText.drawn < again.drawn, 'the search box filters the map', `${byText.drawn} nodes for "${byText.query}"`);
  await sameAsAPI(byText, 'text search');
  await page.fill('#f-text', '');
  const cleared = await waitForQuery(byText.query, 'search cleared');

  // Focus: a node's neighbourhood only, drawn to fill the map, then back.
  await openDetails('sak-e134', 'click');
  await page.click('#details-focus');
  const focused1 = await waitForQuery(cleared.query, 'focus');
  check(new URLSearchParams(focused1.query).get('focus') === 'sak-e134' && focused1.drawn < 15, 'Focus shows only the neighbourhood', `${focused1.drawn} nodes around sak-e134`);
  const fs = await spread(null);
  check(fs.inside && Math.max(fs.w, fs.h) > 0.5, 'a small neighbourhood fills the map', `${focused1.drawn} nodes span ${Math.round(fs.w * 100)}%×${Math.round(fs.h * 100)}%, zoom ${fs.zoom}`);
  check(await page.isVisible('#focus-chip'), 'the focus is shown in the filters');
  await sameAsAPI(focused1, 'focus');
  await page.click('#focus-clear');
  await waitForQuery(focused1.query, 'focus cleared');
  await page.keyboard.press('Escape');

  // The picture for the docs: the topic E134 selected, its details open.
  await openDetails('sak-e134', 'click');
  await page.mouse.move(5, 795);
  await page.evaluate(() => { document.querySelector('#filters').scrollTop = 0; document.querySelector('#details').scrollTop = 0; });
  await page.waitForTimeout(200);
  const lSel = await labels();
  check(overlapping(lSel.shown).length === 0, 'with E134 selected, no two names overlap', `${lSel.shown.length} names; ${overlapping(lSel.shown).join('; ')}`);
  await page.screenshot({ path: join(OUT, 'map.png') });
  console.log('screenshot ' + join(OUT, 'map.png'));

  // Phone width: nothing overflows sideways and the filters open as a drawer.
  await page.setViewportSize({ width: 390, height: 844 });
  // Filters in the page's address are applied on the first drawing.
  await page.goto(BASE + '/?year=2014&kind=Municipality,Region,Network,Initiative', { waitUntil: 'load' });
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

  // The whole map on a phone: every node a target of at least 24 px.
  await page.goto(BASE + '/', { waitUntil: 'load' });
  await ready('phone, whole map');
  const targets = await page.evaluate(() => [...document.querySelectorAll('#nodes .node')].map((g) => {
    const r = document.querySelector(`#hits .hit[data-id="${g.dataset.id}"]`).getBoundingClientRect();
    return { id: g.dataset.id, w: r.width, h: r.height };
  }));
  const small = targets.filter((t) => t.w < 24 || t.h < 24);
  check(targets.length === first.drawn && small.length === 0, 'on a phone every node is a target of at least 24 px', `${targets.length} nodes; smallest ${Math.min(...targets.map((t) => t.w)).toFixed(1)} px; too small: ${small.map((t) => t.id).join(', ')}`);
  const lp = await labels();
  check(overlapping(lp.shown).length === 0, 'on a phone no two names overlap', `${lp.shown.length} names; ${overlapping(lp.shown).join('; ')}`);
  // A tap opens the details as a sheet below the map; the node stays in view.
  const tapId = 'sak-e134';
  await clickNode(tapId);
  await openDetails(tapId, 'tap');
  await page.waitForTimeout(300);
  const sheet = await page.evaluate((id) => {
    const g = document.querySelector(`#nodes .node[data-id="${id}"] .dot`).getBoundingClientRect();
    const cx = g.left + g.width / 2, cy = g.top + g.height / 2;
    const canvas = document.querySelector('#map').getBoundingClientRect();
    const details = document.querySelector('#details').getBoundingClientRect();
    const hit = document.elementFromPoint(cx, cy);
    return {
      inCanvas: cx > canvas.left && cx < canvas.right && cy > canvas.top && cy < canvas.bottom,
      underSheet: cy >= details.top,
      onTop: !!hit && !!hit.closest('.node') && hit.closest('.node').dataset.id === id,
      sheetTop: Math.round(details.top), nodeY: Math.round(cy), canvasBottom: Math.round(canvas.bottom), sheetHeight: Math.round(details.height),
    };
  }, tapId);
  check(sheet.inCanvas && !sheet.underSheet && sheet.onTop && sheet.sheetHeight > 200, 'on a phone the details sheet does not cover the selected node', JSON.stringify(sheet));
  await page.click('#zoom-fit');
  await page.waitForTimeout(200);
  const lPhone = await labels();
  check(overlapping(lPhone.shown).length === 0, 'on a phone, zoomed to the selection, no two names overlap', `${lPhone.shown.length} names; ${overlapping(lPhone.shown).join('; ')}`);
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
