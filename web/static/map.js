// The partnership map: vanilla JavaScript and SVG, no framework, no CDN.
//
// It draws /map/data.json (the same filters as /export/..., given as URL
// query parameters), reads the filter choices from /map/options.json and a
// node's details from /graphql. The page's own URL carries the filters, so a
// map can be shared as a link.
'use strict';

(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'text') e.textContent = v;
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
    }
    for (const k of kids) if (k) e.append(k);
    return e;
  };
  const svgEl = (tag, attrs = {}) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
    return e;
  };

  const KIND_LABELS = {
    Municipality: 'Municipality (kommune)', Region: 'Region', Network: 'Network', Partner: 'Partner',
    Fund: 'Fund', Initiative: 'Initiative (tiltak)', FocusArea: 'Focus area', StrategyArea: 'Strategy area',
    Topic: 'Topic', Plan: 'Plan',
  };
  const KIND_SHORT = {
    Municipality: 'municipality', Region: 'region', Network: 'network', Partner: 'partner', Fund: 'fund',
    Initiative: 'initiative', FocusArea: 'focus area', StrategyArea: 'strategy area', Topic: 'topic', Plan: 'plan',
  };
  // Actors are always named on the map.
  const ACTORS = new Set(['Municipality', 'Region', 'Network', 'Partner', 'Fund']);
  // Plan and classification relations tie most initiatives to two plans and
  // a few areas: drawn, they pull everything into a hairball. They are off
  // until asked for (one click on "Plans and areas").
  const CLASSIFICATION = ['IN_PLAN', 'IN_FOCUS_AREA', 'IN_STRATEGY_AREA', 'RELEVANT_FOR'];
  const relLabel = (k) => k.toLowerCase().replaceAll('_', ' ');
  const FORMATS = [
    ['graphml', 'GraphML (yEd, Gephi)'], ['gexf', 'GEXF (Gephi)'], ['cytoscape.json', 'Cytoscape.js JSON'],
    ['graphology.json', 'graphology JSON (sigma.js)'], ['nodes.csv', 'nodes.csv'], ['edges.csv', 'edges.csv'],
  ];

  const state = {
    options: { kinds: null, relations: null, years: [], dataYears: [], focusAreas: [], networks: [] },
    kinds: [], relations: [], // legend entries from the server, in order
    checkedKinds: null, checkedRelations: null, // Sets; null until the legend is known
    year: null, focusArea: '', network: '', text: '', focus: '', focusName: '', metric: 'degree',
    data: null, byId: new Map(), selected: null, dupNames: new Set(),
    view: { x: 0, y: 0, k: 1 },
    seq: 0,
  };

  // ---- URL <-> state

  function readURL() {
    const q = new URLSearchParams(location.search);
    const list = (k) => q.getAll(k).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    state.urlKinds = list('kind');
    state.urlRelations = list('relation');
    const y = parseInt(q.get('year') || '', 10);
    state.year = Number.isFinite(y) ? y : null;
    state.focusArea = q.get('focusArea') || '';
    state.network = q.get('network') || '';
    state.text = q.get('text') || '';
    state.focus = q.get('focus') || '';
    state.metric = q.get('metric') || 'degree';
  }

  // defaultRelations are the relation kinds drawn when the page's address
  // names none: all but the plan and classification relations.
  const defaultRelations = () => state.relations.map((r) => r.kind).filter((k) => !CLASSIFICATION.includes(k));
  const sameSet = (set, list) => set.size === list.length && list.every((k) => set.has(k));

  // filterQuery is the filter as query parameters, exactly as ParseQuery
  // reads them. forPage: the page's own address, where the default
  // relations are left out (and all of them are named).
  function filterQuery(forPage) {
    const q = new URLSearchParams();
    if (state.checkedKinds && state.checkedKinds.size < state.kinds.length) {
      for (const k of state.kinds) if (state.checkedKinds.has(k.kind)) q.append('kind', k.kind);
    }
    const rels = state.checkedRelations;
    if (rels && (forPage ? !sameSet(rels, defaultRelations()) : rels.size < state.relations.length)) {
      for (const r of state.relations) if (rels.has(r.kind)) q.append('relation', r.kind);
    }
    if (state.year !== null) q.set('year', String(state.year));
    if (state.focusArea) q.set('focusArea', state.focusArea);
    if (state.network) q.set('network', state.network);
    if (state.focus) q.set('focus', state.focus);
    if (state.text) q.set('text', state.text);
    return q;
  }

  function writeURL() {
    const q = filterQuery(true);
    if (state.metric !== 'degree') q.set('metric', state.metric);
    const s = q.toString();
    history.replaceState(null, '', s ? '?' + s : location.pathname);
  }

  // ---- loading

  async function getJSON(url, init) {
    const resp = await fetch(url, init);
    let body = null;
    try { body = await resp.json(); } catch { body = null; }
    if (!resp.ok || (body && body.errors && body.errors.length)) {
      const e = body && body.errors && body.errors[0];
      throw new Error(e ? e.message : `${url}: HTTP ${resp.status}`);
    }
    return body;
  }

  function setStatus(text, error) {
    const s = $('#status');
    s.textContent = text;
    s.classList.toggle('error', !!error);
  }

  let reloadTimer = 0;
  function scheduleReload(delay = 0) {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(reload, delay);
  }

  async function reload() {
    writeURL();
    renderDownloads();
    const seq = ++state.seq;
    document.body.dataset.state = 'loading';
    if (state.checkedKinds && state.checkedKinds.size === 0) {
      showData({ nodes: [], edges: [], legend: null, bounds: [0, 0, 0, 0], filter: filterQuery().toString() }, 'Choose at least one kind to draw.');
      return;
    }
    if (state.checkedRelations && state.checkedRelations.size === 0) {
      showData({ nodes: [], edges: [], legend: null, bounds: [0, 0, 0, 0], filter: filterQuery().toString() }, 'Choose at least one kind of relation to draw.');
      return;
    }
    const q = filterQuery();
    if (state.metric !== 'degree') q.set('metric', state.metric);
    setStatus('Loading the map…');
    try {
      const d = await getJSON('/map/data.json?' + q.toString());
      if (seq !== state.seq) return;
      showData(d);
    } catch (err) {
      if (seq !== state.seq) return;
      document.body.dataset.state = 'error';
      setStatus('Could not load the map: ' + err.message, true);
    }
  }

  function showData(d, emptyMessage) {
    if (d.legend) updateCounts(d.legend);
    state.data = d;
    state.byId = new Map(d.nodes.map((n) => [n.id, n]));
    if (state.selected && !state.byId.has(state.selected)) state.selected = null;
    draw();
    fitTo(d.nodes);
    const empty = $('#empty');
    if (!d.nodes.length) {
      empty.textContent = emptyMessage || 'Nothing matches these filters.';
      empty.hidden = false;
    } else {
      empty.hidden = true;
    }
    const n = d.nodes.length, m = d.edges.length;
    setStatus(`Showing ${n} node${n === 1 ? '' : 's'} and ${m} relation${m === 1 ? '' : 's'}.`);
    const svg = $('#map');
    svg.dataset.nodes = String(n);
    svg.dataset.edges = String(m);
    svg.dataset.query = d.filter;
    document.body.dataset.state = 'ready';
  }

  // ---- filter controls

  // initChoices builds the kind and relation checkboxes from the options,
  // checked as the page's URL says (all when it names none).
  function initChoices(legend) {
    state.kinds = legend.kinds;
    state.relations = legend.relations;
    const known = (list, vals) => vals.filter((v) => list.some((x) => x.kind.toLowerCase() === v.toLowerCase() || (x.enum || '').toLowerCase() === v.toLowerCase()));
    const kinds = known(state.kinds, state.urlKinds || []);
    const rels = known(state.relations, state.urlRelations || []);
    const canon = (list, v) => list.find((x) => x.kind.toLowerCase() === v.toLowerCase() || (x.enum || '').toLowerCase() === v.toLowerCase()).kind;
    state.checkedKinds = new Set(kinds.length ? kinds.map((v) => canon(state.kinds, v)) : state.kinds.map((k) => k.kind));
    state.checkedRelations = new Set(rels.length ? rels.map((v) => canon(state.relations, v)) : defaultRelations());

    const kindBox = $('#f-kinds .choices');
    kindBox.replaceChildren(...state.kinds.map((k) => {
      const box = el('input', { type: 'checkbox', name: 'kind', value: k.kind });
      box.checked = state.checkedKinds.has(k.kind);
      const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      sw.style.background = k.color;
      return el('label', {}, box, sw, el('span', { text: KIND_LABELS[k.kind] || k.kind }), el('span', { class: 'count', 'data-kind': k.kind }));
    }));
    const relBox = $('#f-relations .choices');
    relBox.replaceChildren(...state.relations.map((r) => {
      const box = el('input', { type: 'checkbox', name: 'relation', value: r.kind });
      box.checked = state.checkedRelations.has(r.kind);
      return el('label', {}, box, lineSwatch(r), el('span', { text: relLabel(r.kind) }), el('span', { class: 'count', 'data-relation': r.kind }));
    }));
    renderLegend(legend);
    renderMarkers();
    syncClassificationToggle();
  }

  // The "Plans and areas" switch on the map: on when every plan and
  // classification relation is drawn.
  function syncClassificationToggle() {
    const box = $('#show-classification');
    if (!state.checkedRelations) { box.disabled = true; return; }
    const on = CLASSIFICATION.filter((k) => state.checkedRelations.has(k)).length;
    box.checked = on === CLASSIFICATION.length;
    box.indeterminate = on > 0 && on < CLASSIFICATION.length;
  }

  function lineSwatch(r) {
    const s = svgEl('svg', { class: 'line-swatch', viewBox: '0 0 28 10', 'aria-hidden': 'true', focusable: 'false' });
    s.append(svgEl('line', { x1: 1, y1: 5, x2: 27, y2: 5, stroke: r.color, 'stroke-width': Math.max(1.5, r.width), 'stroke-dasharray': r.dash || null }));
    return s;
  }

  function updateCounts(legend) {
    for (const k of legend.kinds) {
      const c = document.querySelector(`#f-kinds .count[data-kind="${k.kind}"]`);
      if (c) c.textContent = k.count ? String(k.count) : '';
    }
    for (const r of legend.relations) {
      const c = document.querySelector(`#f-relations .count[data-relation="${r.kind}"]`);
      if (c) c.textContent = r.count ? String(r.count) : '';
    }
    renderLegend(legend);
  }

  function renderLegend(legend) {
    $('#legend-kinds').replaceChildren(...legend.kinds.map((k) => {
      const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      sw.style.background = k.color;
      return el('li', { class: k.count ? null : 'none' }, sw, el('span', { text: `${KIND_LABELS[k.kind] || k.kind}${k.count ? ` (${k.count})` : ''}` }));
    }));
    const shown = legend.relations.filter((r) => r.count > 0);
    $('#legend-relations').replaceChildren(...shown.map((r) => el('li', {}, lineSwatch(r), el('span', { text: `${relLabel(r.kind)} (${r.count})` }))));
    $('#legend-size').textContent = state.metric === 'degree'
      ? 'Larger circles have more relations drawn. Arrows point from a relation\'s subject to its object.'
      : `Circle size: ${state.metric}.`;
  }

  function renderDownloads() {
    const q = filterQuery().toString();
    $('#downloads').replaceChildren(...FORMATS.map(([f, label]) => el('li', {}, el('a', { href: `/export/${f}${q ? '?' + q : ''}`, download: '', text: label }))));
  }

  // yearSteps are the year slider's stops: all years, then every year from
  // the first to the last the data names (a relation's start or end, a plan
  // year).
  function yearSteps() {
    const ys = state.options.dataYears && state.options.dataYears.length ? state.options.dataYears : state.options.years;
    if (!ys.length) return [null];
    const steps = [null];
    for (let y = ys[0]; y <= ys[ys.length - 1]; y++) steps.push(y);
    return steps;
  }

  function initYearSlider() {
    const steps = yearSteps();
    const named = new Set(state.options.dataYears || []);
    const plan = new Set(state.options.years || []);
    // Tick marks under the slider at the years something starts or ends.
    $('#f-year-ticks').replaceChildren(...steps.map((y, i) => (y === null || named.has(y) ? el('option', { value: String(i) }) : null)).filter(Boolean));
    const scale = $('#f-year-scale');
    // Under it, the first and last year and the plan years (bold).
    const first = steps[1], last = steps[steps.length - 1];
    scale.replaceChildren(...steps.filter((y) => y !== null && (y === first || y === last || plan.has(y))).map((y) => {
      const span = el('span', { text: String(y), class: plan.has(y) ? 'plan-year' : null, title: plan.has(y) ? `plan year ${y}` : null });
      span.style.left = `${(steps.indexOf(y) / Math.max(1, steps.length - 1)) * 100}%`;
      return span;
    }));
  }

  function syncYearSlider() {
    const slider = $('#f-year');
    const steps = yearSteps();
    slider.max = String(steps.length - 1);
    let i = steps.indexOf(state.year);
    if (i < 0) i = 0;
    slider.value = String(i);
    const plan = state.year !== null && (state.options.years || []).includes(state.year);
    const label = state.year === null ? 'All years' : String(state.year) + (plan ? ' (plan year)' : '');
    $('#f-year-out').textContent = label;
    slider.setAttribute('aria-valuetext', label);
    slider.disabled = steps.length < 2;
  }

  function fillSelect(sel, items, current, fmt) {
    const first = sel.options[0];
    sel.replaceChildren(first, ...items.map((o) => el('option', { value: o.id, text: fmt(o) })));
    sel.value = items.some((o) => o.id === current) ? current : '';
  }

  function bindControls() {
    const form = $('#filter-form');
    form.addEventListener('submit', (e) => e.preventDefault());
    $('#f-text').value = state.text;
    $('#f-text').addEventListener('input', (e) => { state.text = e.target.value.trim(); scheduleReload(300); });
    $('#f-year').addEventListener('input', (e) => {
      state.year = yearSteps()[Number(e.target.value)] ?? null;
      syncYearSlider();
      scheduleReload(120);
    });
    $('#f-focus-area').addEventListener('change', (e) => { state.focusArea = e.target.value; scheduleReload(); });
    $('#f-network').addEventListener('change', (e) => { state.network = e.target.value; scheduleReload(); });
    $('#f-metric').addEventListener('change', (e) => { state.metric = e.target.value; scheduleReload(); });
    form.addEventListener('change', (e) => {
      const t = e.target;
      if (t.name === 'kind') { t.checked ? state.checkedKinds.add(t.value) : state.checkedKinds.delete(t.value); scheduleReload(); }
      if (t.name === 'relation') { t.checked ? state.checkedRelations.add(t.value) : state.checkedRelations.delete(t.value); syncClassificationToggle(); scheduleReload(); }
    });
    $('#show-classification').addEventListener('change', (e) => {
      for (const k of CLASSIFICATION) {
        if (e.target.checked) state.checkedRelations.add(k); else state.checkedRelations.delete(k);
        const box = form.querySelector(`input[name="relation"][value="${k}"]`);
        if (box) box.checked = e.target.checked;
      }
      scheduleReload();
    });
    form.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-all], button[data-none]');
      if (!b) return;
      const name = b.dataset.all || b.dataset.none;
      const on = !!b.dataset.all;
      const set = name === 'kind' ? state.checkedKinds : state.checkedRelations;
      const list = name === 'kind' ? state.kinds : state.relations;
      set.clear();
      if (on) for (const x of list) set.add(x.kind);
      for (const box of form.querySelectorAll(`input[name="${name}"]`)) box.checked = on;
      syncClassificationToggle();
      scheduleReload();
    });
    form.addEventListener('reset', (e) => {
      e.preventDefault();
      state.text = ''; state.year = null; state.focusArea = ''; state.network = ''; state.focus = ''; state.metric = 'degree';
      state.checkedKinds = new Set(state.kinds.map((k) => k.kind));
      state.checkedRelations = new Set(defaultRelations());
      for (const box of form.querySelectorAll('input[type=checkbox]')) box.checked = box.name === 'kind' || state.checkedRelations.has(box.value);
      syncClassificationToggle();
      $('#f-text').value = ''; $('#f-focus-area').value = ''; $('#f-network').value = ''; $('#f-metric').value = 'degree';
      syncYearSlider();
      syncFocusChip();
      scheduleReload();
    });
    $('#focus-clear').addEventListener('click', () => { state.focus = ''; syncFocusChip(); scheduleReload(); });
    const toggle = $('#toggle-filters');
    toggle.addEventListener('click', () => {
      const open = !$('#filters').classList.contains('open');
      $('#filters').classList.toggle('open', open);
      toggle.setAttribute('aria-expanded', String(open));
      if (open) $('#f-text').focus();
    });
    $('#details-close').addEventListener('click', () => select(null));
    $('#details-focus').addEventListener('click', () => {
      if (!state.selected) return;
      state.focus = state.selected;
      state.focusName = (state.byId.get(state.selected) || {}).name || state.selected;
      syncFocusChip();
      scheduleReload();
    });
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      if ($('#filters').classList.contains('open')) {
        $('#filters').classList.remove('open');
        toggle.setAttribute('aria-expanded', 'false');
        toggle.focus();
      } else if (state.selected) {
        const id = state.selected;
        select(null);
        const g = nodeElement(id);
        if (g) g.focus();
      }
    });
  }

  function syncFocusChip() {
    const chip = $('#focus-chip');
    chip.hidden = !state.focus;
    $('#focus-name').textContent = state.focusName || state.focus;
  }

  // ---- drawing

  // Markers are sized in screen pixels: they are redrawn when the zoom changes.
  let markerK = 0;
  function renderMarkers() {
    const k = state.view.k || 1;
    markerK = k;
    const size = 8 / k;
    const defs = $('#markers');
    defs.replaceChildren(...state.relations.map((r) => {
      const m = svgEl('marker', { id: 'arrow-' + r.kind, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: size, markerHeight: size, orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' });
      m.append(svgEl('path', { d: 'M0,1 L10,5 L0,9 z', fill: r.color }));
      return m;
    }));
  }

  const styleOf = (kind) => state.relations.find((r) => r.kind === kind) || { color: '#777', dash: '', width: 1 };
  const colorOf = (kind) => (state.kinds.find((k) => k.kind === kind) || { color: '#999' }).color;
  const nodeElement = (id) => document.querySelector(`#nodes .node[data-id="${CSS.escape(id)}"]`);
  // nodeOf is the node an event's target belongs to: its circle or its target.
  const nodeOf = (t) => (t && t.closest ? t.closest('.node') || (t.classList.contains('hit') ? nodeElement(t.dataset.id) : null) : null);

  // qualifier tells a node from others of the same name: its kind, and an
  // initiative's code and plan year ("initiative 2.1, 2011").
  function qualifier(n) {
    const kind = KIND_SHORT[n.kind] || n.kind;
    if (n.kind === 'Initiative') return [kind + (n.code ? ' ' + n.code : ''), n.planYear].filter(Boolean).join(', ');
    if (n.kind === 'Plan' && n.planYear) return `${kind} ${n.planYear}`;
    return kind;
  }
  // displayName is the name as the map shows it: qualified when another
  // drawn node has the same name (two "E134": the topic and the 2011
  // initiative).
  const displayName = (n) => (state.dupNames.has(n.name.toLowerCase()) ? `${n.name} (${qualifier(n)})` : n.name);

  function draw() {
    const d = state.data;
    const count = new Map();
    for (const n of d.nodes) count.set(n.name.toLowerCase(), (count.get(n.name.toLowerCase()) || 0) + 1);
    state.dupNames = new Set([...count].filter(([, c]) => c > 1).map(([name]) => name));
    // Parallel relations between the same two nodes are drawn as arcs.
    const groups = new Map();
    for (const e of d.edges) {
      const key = e.from < e.to ? e.from + '\u0000' + e.to : e.to + '\u0000' + e.from;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(e);
    }
    const edgeEls = [];
    for (const list of groups.values()) {
      list.forEach((e, i) => {
        const a = state.byId.get(e.from), b = state.byId.get(e.to);
        if (!a || !b) return;
        const st = styleOf(e.kind);
        const bend = list.length > 1 ? (i - (list.length - 1) / 2) * 14 : 0;
        const p = svgEl('path', {
          class: 'edge', stroke: st.color, 'stroke-width': st.width,
          'stroke-dasharray': st.dash || null, 'marker-end': `url(#arrow-${e.kind})`,
          'data-id': e.id, 'data-from': e.from, 'data-to': e.to, 'data-kind': e.kind,
        });
        p.bend = bend;
        const title = svgEl('title');
        title.textContent = `${displayName(a)} — ${relLabel(e.kind)} → ${displayName(b)}${years(e)}`;
        p.append(title);
        edgeEls.push(p);
      });
    }
    $('#edges').replaceChildren(...edgeEls);

    // Larger nodes first, so that small ones stay clickable on top.
    const nodes = [...d.nodes].sort((x, y) => y.size - x.size || (x.id < y.id ? -1 : 1));
    $('#nodes').replaceChildren(...nodes.map((n) => {
      const name = displayName(n);
      const g = svgEl('g', {
        class: 'node' + (ACTORS.has(n.kind) ? ' actor' : ''), transform: `translate(${n.x},${n.y})`, tabindex: 0, role: 'button',
        'data-id': n.id, 'data-kind': n.kind, 'aria-label': `${name}, ${KIND_LABELS[n.kind] || n.kind}, ${n.degree} relation${n.degree === 1 ? '' : 's'}`,
      });
      g.append(svgEl('circle', { class: 'dot', fill: colorOf(n.kind) }));
      const title = svgEl('title');
      title.textContent = name;
      g.append(title);
      return g;
    }));
    // Under all the circles, a larger invisible one for each node: the target
    // a finger or pointer hits (at least 24 px across on a phone) where no
    // other circle is.
    $('#hits').replaceChildren(...nodes.map((n) => svgEl('circle', { class: 'hit', cx: n.x, cy: n.y, 'data-id': n.id })));
    // Names in a layer of their own, above every circle, in screen pixels.
    labelWidth.clear();
    $('#labels').replaceChildren(...nodes.map((n) => {
      const label = n.kind === 'Initiative' || n.kind === 'StrategyArea' ? shortName(displayName(n), 34) : shortName(displayName(n), 40);
      labelWidth.set(n.id, measure(label));
      const t = svgEl('text', { 'data-id': n.id, class: ACTORS.has(n.kind) ? 'actor' : null });
      t.textContent = label;
      return t;
    }));
    radiusK = 0;
    highlight();
  }

  function years(e) {
    if (e.fromYear == null && e.toYear == null) return '';
    if (e.fromYear === e.toYear) return ` (${e.fromYear})`;
    return ` (${e.fromYear ?? '…'}–${e.toYear ?? '…'})`;
  }

  // Circles grow with the zoom up to 1.5×, then more slowly, and never get
  // smaller than MIN_R pixels; targets are at least HIT_R pixels in radius.
  const narrow = () => window.matchMedia('(max-width: 760px), (pointer: coarse)').matches;
  function screenRadius(n, k) {
    const grown = k <= 1.5 ? n.size * k : n.size * 1.5 * Math.pow(k / 1.5, 0.4);
    return Math.max(narrow() ? 5 : 3.5, grown);
  }
  const hitRadius = (r) => Math.max(r, narrow() ? 12.5 : 7);

  // applyRadii sizes circles, targets, relation ends and arrows for zoom k.
  let radiusK = 0;
  function applyRadii() {
    const d = state.data;
    const k = state.view.k;
    if (!d || Math.abs(k - radiusK) < 1e-6) return;
    radiusK = k;
    for (const g of document.querySelectorAll('#nodes .node')) {
      const n = state.byId.get(g.dataset.id);
      n.r = screenRadius(n, k) / k;
      g.querySelector('.dot').setAttribute('r', r1(n.r, 1000));
    }
    for (const c of document.querySelectorAll('#hits .hit')) {
      const n = state.byId.get(c.dataset.id);
      c.setAttribute('r', r1(hitRadius(n.r * k) / k, 1000));
    }
    for (const p of document.querySelectorAll('#edges .edge')) {
      p.setAttribute('d', edgePath(state.byId.get(p.dataset.from), state.byId.get(p.dataset.to), p.bend, k));
    }
    if (Math.abs(markerK - k) / k > 0.02) renderMarkers();
  }

  // edgePath runs from a's rim to b's rim, bent sideways by bend pixels.
  function edgePath(a, b, bend, k) {
    const dx = b.x - a.x, dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len, uy = dy / len;
    const sx = a.x + ux * a.r, sy = a.y + uy * a.r;
    const tx = b.x - ux * (b.r + 1.5 / k), ty = b.y - uy * (b.r + 1.5 / k);
    const q = 100 * Math.max(1, k);
    if (!bend) return `M${r1(sx, q)},${r1(sy, q)} L${r1(tx, q)},${r1(ty, q)}`;
    const mx = (sx + tx) / 2 - uy * bend * 2 / Math.max(1, k), my = (sy + ty) / 2 + ux * bend * 2 / Math.max(1, k);
    return `M${r1(sx, q)},${r1(sy, q)} Q${r1(mx, q)},${r1(my, q)} ${r1(tx, q)},${r1(ty, q)}`;
  }
  const r1 = (v, q = 10) => Math.round(v * q) / q;

  // ---- selection and details

  let nearSet = new Set();
  function highlight() {
    const sel = state.selected;
    const near = new Set();
    nearSet = near;
    if (sel) {
      near.add(sel);
      for (const e of state.data.edges) {
        if (e.from === sel) near.add(e.to);
        if (e.to === sel) near.add(e.from);
      }
    }
    for (const t of document.querySelectorAll('#labels text')) {
      t.classList.toggle('selected', t.dataset.id === sel);
      t.classList.toggle('dim', !!sel && !near.has(t.dataset.id));
    }
    for (const g of document.querySelectorAll('#nodes .node')) {
      const id = g.dataset.id;
      g.classList.toggle('selected', id === sel);
      g.classList.toggle('near', !!sel && near.has(id) && id !== sel);
      g.classList.toggle('dim', !!sel && !near.has(id));
      g.setAttribute('aria-pressed', String(id === sel));
    }
    for (const p of document.querySelectorAll('#edges .edge')) {
      p.classList.toggle('dim', !!sel && p.dataset.from !== sel && p.dataset.to !== sel);
    }
    scheduleLabels();
  }

  function select(id) {
    state.selected = id;
    highlight();
    const panel = $('#details');
    if (!id) {
      panel.hidden = true;
      return;
    }
    const n = state.byId.get(id);
    panel.hidden = false;
    panel.scrollTop = 0;
    // After the layout has settled (on a phone the sheet takes the lower
    // part of the screen and the map shrinks above it).
    if (n) requestAnimationFrame(() => requestAnimationFrame(() => reveal(n, narrow() ? 0.2 : 0.12)));
    $('#details-title').textContent = n ? n.name : id;
    const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.background = colorOf(n ? n.kind : '');
    const what = n ? [KIND_LABELS[n.kind] || n.kind, n.code ? (n.kind === 'Initiative' ? 'tiltak ' : '') + n.code : '', n.planYear && n.kind === 'Initiative' ? `plan ${n.planYear}` : ''].filter(Boolean).join(' · ') : '';
    $('#details-kind').replaceChildren(sw, document.createTextNode(n ? `${what} · ${n.degree} relation${n.degree === 1 ? '' : 's'} drawn` : ''));
    $('#details-props').replaceChildren();
    $('#details-relations').replaceChildren(el('p', { class: 'loading', text: 'Loading…' }));
    $('#details-sources').replaceChildren();
    loadDetails(id);
  }

  const DETAILS = `query Details($id: ID!, $year: Int) {
    node(id: $id) {
      id kind name aliases description
      source { citation reference outside }
      ... on Municipality { number county }
      ... on Network { field }
      ... on Partner { category }
      ... on Initiative { code planYear costText costNok goals activities }
      ... on FocusArea { code }
      ... on StrategyArea { code }
      ... on Plan { year adopted }
      relations(year: $year) {
        id kind fromYear toYear role asWritten amountNok
        from { id name kind } to { id name kind }
        source { citation }
      }
    }
  }`;

  let detailsSeq = 0;
  async function loadDetails(id) {
    const seq = ++detailsSeq;
    try {
      const body = await getJSON('/graphql', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: DETAILS, variables: { id, year: state.year } }),
      });
      if (seq !== detailsSeq || state.selected !== id) return;
      renderDetails(body.data.node);
    } catch (err) {
      if (seq !== detailsSeq) return;
      $('#details-relations').replaceChildren(el('p', { text: 'Could not load the details: ' + err.message }));
    }
  }

  const nok = new Intl.NumberFormat('nb-NO');
  const kindOfEnum = (e) => (state.kinds.find((k) => k.enum === e) || {}).kind || e;

  function renderDetails(n) {
    if (!n) {
      $('#details-relations').replaceChildren(el('p', { text: 'This node no longer exists.' }));
      return;
    }
    const props = [
      ['Id', n.id], ['Also called', (n.aliases || []).join('; ')], ['Description', n.description],
      ['Code', n.code], ['Plan year', n.planYear ?? n.year], ['Cost', n.costNok != null ? nok.format(n.costNok) + ' NOK' + (n.costText && n.costText !== String(n.costNok) ? ` (as printed: ${n.costText})` : '') : n.costText],
      ['Kommunenummer', n.number], ['County', n.county], ['Field', n.field], ['Category', n.category], ['Adopted', n.adopted],
      ['Goals', (n.goals || []).join(' · ')], ['Activities', (n.activities || []).join(' · ')],
    ].filter(([, v]) => v !== undefined && v !== null && v !== '');
    $('#details-props').replaceChildren(...props.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: String(v) })]));

    // Relations grouped by kind and direction; each with its own source.
    const groups = new Map();
    for (const r of n.relations) {
      const out = r.from.id === n.id;
      const key = (out ? '' : '← ') + relLabel(r.kind) + (out ? ' →' : '');
      if (!groups.has(key)) groups.set(key, { kind: r.kind, list: [] });
      groups.get(key).list.push(r);
    }
    const keys = [...groups.keys()].sort((a, b) => groups.get(a).kind.localeCompare(groups.get(b).kind) || a.localeCompare(b));
    const hidden = (kind) => !state.checkedRelations.has(kind);
    $('#details-relations').replaceChildren(...(keys.length ? keys.map((key) => {
      const g = groups.get(key);
      const rels = g.list.sort((a, b) => otherOf(a, n.id).name.localeCompare(otherOf(b, n.id).name, 'nb'));
      const st = styleOf(g.kind);
      return el('section', { class: 'rel-group', 'data-kind': g.kind },
        el('h4', {}, lineSwatch(st), el('span', { text: `${key} (${rels.length})` }), hidden(g.kind) ? el('span', { class: 'not-drawn', text: 'not drawn' }) : null),
        el('ul', {}, ...rels.map((r) => {
          const other = otherOf(r, n.id);
          const drawn = state.byId.has(other.id);
          const name = drawn
            ? el('button', { type: 'button', class: 'link', 'data-goto': other.id, text: other.name })
            : el('span', { class: 'other', text: other.name });
          const extra = [r.role, r.asWritten ? `«${r.asWritten}»` : '', r.amountNok != null ? nok.format(r.amountNok) + ' NOK' : ''].filter(Boolean).join(', ');
          const cite = r.source && r.source.citation;
          return el('li', { 'data-id': r.id },
            el('div', { class: 'rel-head' }, name, el('span', { class: 'kind-tag', text: KIND_SHORT[kindOfEnum(other.kind)] || other.kind }),
              el('span', { class: 'years', text: years(r) + (extra ? ' — ' + extra : '') })),
            el('div', { class: 'rel-source' + (cite ? '' : ' none'), text: cite || 'No source given for this relation.' }));
        })));
    }) : [el('p', { text: state.year ? `No relations in ${state.year}.` : 'No relations.' })]));

    const own = n.source && n.source.citation;
    $('#details-sources').replaceChildren(el('li', { class: own ? null : 'none', text: own || 'No source given.' }));
  }

  const otherOf = (r, id) => (r.from.id === id ? r.to : r.from);

  // ---- pan and zoom

  function applyView() {
    const v = state.view;
    $('#viewport').setAttribute('transform', `translate(${r1(v.x)},${r1(v.y)}) scale(${v.k.toFixed(4)})`);
    applyRadii();
    scheduleLabels();
  }

  let labelFrame = 0;
  function scheduleLabels() {
    if (!labelFrame) labelFrame = requestAnimationFrame(() => { labelFrame = 0; updateLabels(); });
  }

  // Names are placed in screen pixels where they collide with no other name
  // and no circle: to the right of the node, else left, above, below or on a
  // diagonal, or farther away joined by a thin line. The selection, its
  // neighbours and every actor are placed first and always named (where
  // every place collides, at the least crowded one); other names follow by
  // size while they fit next to their node. Hover and keyboard focus show
  // any name.
  const LABEL_H = 16; // a 12px line with room for the halo
  function updateLabels() {
    const d = state.data;
    if (!d) return;
    applyRadii();
    const v = state.view;
    const { w, h } = stageSize();
    const pos = new Map();
    const circles = d.nodes.map((n) => ({ id: n.id, x: v.x + n.x * v.k, y: v.y + n.y * v.k, r: (n.r || n.size) * v.k }));
    for (const c of circles) pos.set(c.id, c);
    // A coarse grid of what is placed, so each test looks at its neighbourhood only.
    const cell = 48;
    const grid = new Map();
    const cellsOf = (b) => {
      const out = [];
      for (let i = Math.floor(b.x0 / cell); i <= Math.floor(b.x1 / cell); i++) for (let j = Math.floor(b.y0 / cell); j <= Math.floor(b.y1 / cell); j++) out.push(i + ',' + j);
      return out;
    };
    const add = (item) => { for (const c of cellsOf(item.box)) { if (!grid.has(c)) grid.set(c, []); grid.get(c).push(item); } };
    for (const c of circles) add({ id: c.id, circle: c, box: { x0: c.x - c.r, y0: c.y - c.r, x1: c.x + c.r, y1: c.y + c.r } });
    // The buttons over the map hide what is under them.
    const origin = $('#map').getBoundingClientRect();
    for (const ctl of document.querySelectorAll('.canvas .zoom, .canvas .layer-toggle')) {
      const r = ctl.getBoundingClientRect();
      if (r.width) add({ id: '', box: { x0: r.left - origin.left - 4, y0: r.top - origin.top - 4, x1: r.right - origin.left + 4, y1: r.bottom - origin.top + 4 } });
    }
    // overlap scores a place: how much of it covers circles, and (four
    // times worse) other names. labelsHit is how deep it runs into another
    // name (the smaller side of the largest overlap).
    let labelsHit = 0;
    const overlap = (b, id) => {
      let area = 0;
      labelsHit = 0;
      const seen = new Set();
      for (const c of cellsOf(b)) for (const it of grid.get(c) || []) {
        if (seen.has(it) || it.id === id) continue;
        seen.add(it);
        const o = it.box;
        const ox = Math.min(b.x1, o.x1) - Math.max(b.x0, o.x0), oy = Math.min(b.y1, o.y1) - Math.max(b.y0, o.y0);
        if (ox <= 0 || oy <= 0) continue;
        if (it.circle) {
          const cx = Math.max(b.x0, Math.min(it.circle.x, b.x1)), cy = Math.max(b.y0, Math.min(it.circle.y, b.y1));
          if (Math.hypot(cx - it.circle.x, cy - it.circle.y) >= it.circle.r) continue;
          area += ox * oy * 0.5;
        } else {
          area += ox * oy * 4;
          labelsHit = Math.max(labelsHit, Math.min(ox, oy));
        }
      }
      return area;
    };
    const candidates = (c, lw) => {
      const g = 3, r = c.r, dg = r * 0.72;
      return [
        { x: c.x + r + g, y: c.y - LABEL_H / 2 }, // right
        { x: c.x - r - g - lw, y: c.y - LABEL_H / 2 }, // left
        { x: c.x - lw / 2, y: c.y - r - g - LABEL_H }, // above
        { x: c.x - lw / 2, y: c.y + r + g }, // below
        { x: c.x + dg + g, y: c.y - dg - LABEL_H }, // upper right
        { x: c.x + dg + g, y: c.y + dg }, // lower right
        { x: c.x - dg - g - lw, y: c.y - dg - LABEL_H }, // upper left
        { x: c.x - dg - g - lw, y: c.y + dg }, // lower left
      ].map((p) => ({ x0: p.x, y0: p.y, x1: p.x + lw, y1: p.y + LABEL_H }));
    };
    // Farther places, for a name that finds no room next to its node: in
    // twelve directions at four distances, joined to the node by a thin line.
    const farther = (c, lw) => {
      const out = [];
      for (const dist of [18, 36, 60, 90]) {
        for (let i = 0; i < 12; i++) {
          const a = (i * Math.PI) / 6;
          const ux = Math.cos(a), uy = Math.sin(a);
          const px = c.x + ux * (c.r + dist), py = c.y + uy * (c.r + dist);
          const x0 = ux > 0.3 ? px : ux < -0.3 ? px - lw : px - lw / 2;
          const y0 = uy > 0.3 ? py : uy < -0.3 ? py - LABEL_H : py - LABEL_H / 2;
          out.push({ x0, y0, x1: x0 + lw, y1: y0 + LABEL_H, lead: { x1: c.x + ux * c.r, y1: c.y + uy * c.r, x2: px, y2: py } });
        }
      }
      return out;
    };
    // The selection and its neighbours are always named too.
    const must = (n) => rank(n) > 0 || ACTORS.has(n.kind);
    const order = [...d.nodes].sort((a, b) => rank(b) - rank(a) || must(b) - must(a) || b.size - a.size || (a.id < b.id ? -1 : 1));
    const show = new Map();
    let placed = 0;
    for (const n of order) {
      const c = pos.get(n.id);
      const lw = widthOf(n.id);
      const onScreen = c.x + c.r > 0 && c.x - c.r < w && c.y + c.r > 0 && c.y - c.r < h;
      if (!onScreen || (!must(n) && rank(n) === 0 && placed > 400)) continue;
      const boxes = candidates(c, lw);
      const tries = must(n) ? [...boxes, ...farther(c, lw)] : rank(n) > 0 ? boxes : boxes.slice(0, 2);
      let best = null, bestArea = Infinity, bestLabels = 0;
      for (const b of tries) {
        // Leader lines cost a little, so a name stays next to its node when it can.
        const a = overlap(b, n.id) + (b.x0 < 0 || b.x1 > w || b.y0 < 0 || b.y1 > h ? 1e6 : 0) + (b.lead ? 0.001 : 0);
        if (a < bestArea) { best = b; bestArea = a; bestLabels = labelsHit; }
        if (a === 0) break;
      }
      if (bestArea >= 1 && !must(n)) continue;
      // Zoomed out too far for every actor's name (a phone showing the
      // whole map): an actor's name that would cover another name waits
      // for the zoom; the selection's are always drawn.
      if (rank(n) === 0 && bestLabels > 3) continue;
      show.set(n.id, best);
      add({ id: n.id, box: best });
      placed++;
    }
    const leaders = [];
    for (const t of document.querySelectorAll('#labels text')) {
      const id = t.dataset.id;
      const b = show.get(id) || candidates(pos.get(id), widthOf(id))[0];
      t.setAttribute('x', r1(b.x0 + 3));
      t.setAttribute('y', r1(b.y0 + 12));
      t.classList.toggle('show', show.has(id));
      if (show.has(id) && b.lead) {
        leaders.push(svgEl('line', { x1: r1(b.lead.x1), y1: r1(b.lead.y1), x2: r1(b.lead.x2), y2: r1(b.lead.y2), 'data-id': id, class: t.classList.contains('dim') ? 'dim' : null }));
      }
    }
    $('#leaders').replaceChildren(...leaders);
  }

  function rank(n) {
    if (!state.selected) return 0;
    if (n.id === state.selected) return 2;
    return nearSet.has(n.id) ? 1 : 0;
  }

  // labelWidth holds each drawn label's width in pixels at 12px, normal
  // and bold (the selection's name is bold).
  const labelWidth = new Map();
  let measureCtx = null;
  function measure(text) {
    if (!measureCtx) measureCtx = document.createElement('canvas').getContext('2d');
    const family = getComputedStyle(document.documentElement).fontFamily;
    measureCtx.font = '12px ' + family;
    const normal = measureCtx.measureText(text).width;
    measureCtx.font = '700 12px ' + family;
    return { normal, bold: measureCtx.measureText(text).width };
  }
  // widthOf is the room a name needs: its width and a gap of 3 px each side.
  const widthOf = (id) => {
    const m = labelWidth.get(id);
    return m ? (id === state.selected ? m.bold : m.normal) + 6 : 0;
  };
  const shortName = (name, max) => (name.length > max ? name.slice(0, max - 2).trimEnd() + '…' : name);

  // canvasSize is the size the view was last placed for; fit and reveal
  // place it for the current size, the ResizeObserver follows changes.
  let canvasSize = { w: 1, h: 1 };

  function stageSize() {
    const r = $('#map').getBoundingClientRect();
    return { w: r.width || 1, h: r.height || 1 };
  }

  // fitTo zooms so that the given nodes fill the canvas (with room for
  // their names), however few they are: a seven-node neighbourhood fills it
  // as the whole map does.
  function fitTo(nodes) {
    const { w, h } = stageSize();
    canvasSize = { w, h };
    if (!nodes.length) { state.view = { x: 0, y: 0, k: 1 }; applyView(); return; }
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of nodes) { x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y); x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y); }
    const padX = Math.min(w / 4, 110), padY = Math.min(h / 4, 40);
    const kx = (w - 2 * padX) / Math.max(x1 - x0, 1), ky = (h - 2 * padY) / Math.max(y1 - y0, 1);
    const k = Math.min(8, Math.max(0.05, Math.min(kx, ky)));
    state.view = { k, x: w / 2 - k * (x0 + x1) / 2, y: h / 2 - k * (y0 + y1) / 2 };
    applyView();
  }

  // fit shows the selection and its neighbours, or everything.
  function fit() {
    const d = state.data;
    if (!d) return;
    if (state.selected && state.byId.has(state.selected)) {
      fitTo([...nearSet].map((id) => state.byId.get(id)).filter(Boolean));
      return;
    }
    fitTo(d.nodes);
  }

  // reveal centres the view on node n when it lies within margin (a share
  // of the width and height) of the canvas's edge or outside it.
  function reveal(n, margin) {
    const { w, h } = stageSize();
    const v = state.view;
    const sx = v.x + n.x * v.k, sy = v.y + n.y * v.k;
    if (sx < w * margin || sy < h * margin || sx > w * (1 - margin) || sy > h * (1 - margin)) {
      state.view = { k: v.k, x: w / 2 - n.x * v.k, y: h / 2 - n.y * v.k };
      canvasSize = stageSize();
      applyView();
    }
  }

  function zoomAt(factor, cx, cy) {
    const v = state.view;
    const k = Math.min(12, Math.max(0.05, v.k * factor));
    const f = k / v.k;
    state.view = { k, x: cx - (cx - v.x) * f, y: cy - (cy - v.y) * f };
    applyView();
  }

  function zoomCentre(factor) {
    const { w, h } = stageSize();
    zoomAt(factor, w / 2, h / 2);
  }

  function bindPanZoom() {
    const svg = $('#map');
    const pointers = new Map();
    let drag = null; // {x, y, vx, vy, moved, target}
    let pinch = null;

    svg.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 && e.pointerType === 'mouse') return;
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pointers.size === 1) {
        drag = { x: e.clientX, y: e.clientY, vx: state.view.x, vy: state.view.y, moved: false, target: nodeOf(e.target) };
      } else if (pointers.size === 2) {
        const [p, q] = [...pointers.values()];
        pinch = { dist: Math.hypot(p.x - q.x, p.y - q.y), k: state.view.k };
        drag = null;
      }
    });
    svg.addEventListener('pointermove', (e) => {
      if (!pointers.has(e.pointerId)) return;
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pinch && pointers.size === 2) {
        const [p, q] = [...pointers.values()];
        const rect = svg.getBoundingClientRect();
        const dist = Math.hypot(p.x - q.x, p.y - q.y);
        zoomAt((pinch.k * dist / pinch.dist) / state.view.k, (p.x + q.x) / 2 - rect.left, (p.y + q.y) / 2 - rect.top);
        return;
      }
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) { drag.moved = true; svg.setPointerCapture(e.pointerId); svg.classList.add('dragging'); }
      state.view.x = drag.vx + dx;
      state.view.y = drag.vy + dy;
      applyView();
    });
    const up = (e) => {
      if (!pointers.has(e.pointerId)) return;
      pointers.delete(e.pointerId);
      if (pointers.size < 2) pinch = null;
      svg.classList.remove('dragging');
      if (drag && !drag.moved && e.type === 'pointerup') {
        if (drag.target) select(drag.target.dataset.id);
        else if (state.selected) select(null);
      }
      drag = null;
    };
    svg.addEventListener('pointerup', up);
    svg.addEventListener('pointercancel', up);
    svg.addEventListener('wheel', (e) => {
      e.preventDefault();
      const rect = svg.getBoundingClientRect();
      zoomAt(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.clientX - rect.left, e.clientY - rect.top);
    }, { passive: false });

    svg.addEventListener('keydown', (e) => {
      const node = e.target.closest && e.target.closest('.node');
      if (node && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        select(node.dataset.id);
        return;
      }
      const step = 60;
      const keys = {
        ArrowLeft: () => { state.view.x += step; applyView(); }, ArrowRight: () => { state.view.x -= step; applyView(); },
        ArrowUp: () => { state.view.y += step; applyView(); }, ArrowDown: () => { state.view.y -= step; applyView(); },
        '+': () => zoomCentre(1.25), '=': () => zoomCentre(1.25), '-': () => zoomCentre(0.8), '0': () => fit(),
      };
      if (keys[e.key] && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); keys[e.key](); }
    });
    // Hover and keyboard focus show a node's name.
    const hot = (e, on) => {
      const node = nodeOf(e.target);
      const t = node && document.querySelector(`#labels text[data-id="${CSS.escape(node.dataset.id)}"]`);
      if (t) t.classList.toggle('hot', on);
    };
    svg.addEventListener('pointerover', (e) => hot(e, true));
    svg.addEventListener('pointerout', (e) => hot(e, false));
    svg.addEventListener('focusout', (e) => hot(e, false));
    // A node reached with Tab is brought into view.
    svg.addEventListener('focusin', (e) => {
      const node = e.target.closest && e.target.closest('.node');
      if (!node) return;
      hot(e, true);
      reveal(state.byId.get(node.dataset.id), 0.02);
    });
    $('#zoom-in').addEventListener('click', () => zoomCentre(1.3));
    $('#zoom-out').addEventListener('click', () => zoomCentre(1 / 1.3));
    $('#zoom-fit').addEventListener('click', () => fit());
    $('#details-relations').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-goto]');
      if (!b) return;
      const id = b.dataset.goto;
      select(id);
      const g = nodeElement(id);
      if (g) g.focus();
    });
    // When the canvas changes size (the details open, the window turns), the
    // point in its centre stays in its centre.
    canvasSize = stageSize();
    new ResizeObserver(() => {
      const now = stageSize();
      state.view.x += (now.w - canvasSize.w) / 2;
      state.view.y += (now.h - canvasSize.h) / 2;
      canvasSize = now;
      applyView();
    }).observe($('.canvas'));
  }

  // ---- start

  async function start() {
    readURL();
    bindControls();
    bindPanZoom();
    renderDownloads();
    try {
      state.options = await getJSON('/map/options.json');
    } catch (err) {
      setStatus('Could not load the filter choices: ' + err.message, true);
    }
    if (state.options.kinds) initChoices({ kinds: state.options.kinds, relations: state.options.relations });
    fillSelect($('#f-focus-area'), state.options.focusAreas, state.focusArea, (o) => (o.code ? o.code + ' ' : '') + o.name);
    fillSelect($('#f-network'), state.options.networks, state.network, (o) => o.name);
    if (state.year !== null && !yearSteps().includes(state.year)) state.year = null;
    initYearSlider();
    syncYearSlider();
    if (state.focus) {
      state.focusName = state.focus;
      syncFocusChip();
    }
    if (window.matchMedia('(max-width: 760px)').matches) $('#legend').open = false;
    await reload();
    if (state.focus && state.byId.has(state.focus)) {
      state.focusName = state.byId.get(state.focus).name;
      syncFocusChip();
    }
  }

  start();
})();
