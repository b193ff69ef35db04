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
  const relLabel = (k) => k.toLowerCase().replaceAll('_', ' ');
  const FORMATS = [
    ['graphml', 'GraphML (yEd, Gephi)'], ['gexf', 'GEXF (Gephi)'], ['cytoscape.json', 'Cytoscape.js JSON'],
    ['graphology.json', 'graphology JSON (sigma.js)'], ['nodes.csv', 'nodes.csv'], ['edges.csv', 'edges.csv'],
  ];

  const state = {
    options: { kinds: null, relations: null, years: [], focusAreas: [], networks: [] },
    kinds: [], relations: [], // legend entries from the server, in order
    checkedKinds: null, checkedRelations: null, // Sets; null until the legend is known
    year: null, focusArea: '', network: '', text: '', focus: '', focusName: '', metric: 'degree',
    data: null, byId: new Map(), selected: null,
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

  // filterQuery is the filter as query parameters, exactly as ParseQuery reads them.
  function filterQuery() {
    const q = new URLSearchParams();
    if (state.checkedKinds && state.checkedKinds.size < state.kinds.length) {
      for (const k of state.kinds) if (state.checkedKinds.has(k.kind)) q.append('kind', k.kind);
    }
    if (state.checkedRelations && state.checkedRelations.size < state.relations.length) {
      for (const r of state.relations) if (state.checkedRelations.has(r.kind)) q.append('relation', r.kind);
    }
    if (state.year !== null) q.set('year', String(state.year));
    if (state.focusArea) q.set('focusArea', state.focusArea);
    if (state.network) q.set('network', state.network);
    if (state.focus) q.set('focus', state.focus);
    if (state.text) q.set('text', state.text);
    return q;
  }

  function writeURL() {
    const q = filterQuery();
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
    fit();
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
    state.checkedRelations = new Set(rels.length ? rels.map((v) => canon(state.relations, v)) : state.relations.map((r) => r.kind));

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

  function yearSteps() { return [null, ...state.options.years]; }

  function syncYearSlider() {
    const slider = $('#f-year');
    const steps = yearSteps();
    slider.max = String(steps.length - 1);
    let i = steps.indexOf(state.year);
    if (i < 0) i = 0;
    slider.value = String(i);
    const label = state.year === null ? 'All years' : String(state.year);
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
      if (t.name === 'relation') { t.checked ? state.checkedRelations.add(t.value) : state.checkedRelations.delete(t.value); scheduleReload(); }
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
      scheduleReload();
    });
    form.addEventListener('reset', (e) => {
      e.preventDefault();
      state.text = ''; state.year = null; state.focusArea = ''; state.network = ''; state.focus = ''; state.metric = 'degree';
      state.checkedKinds = new Set(state.kinds.map((k) => k.kind));
      state.checkedRelations = new Set(state.relations.map((r) => r.kind));
      for (const box of form.querySelectorAll('input[type=checkbox]')) box.checked = true;
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

  function renderMarkers() {
    const defs = $('#markers');
    defs.replaceChildren(...state.relations.map((r) => {
      const m = svgEl('marker', { id: 'arrow-' + r.kind, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' });
      m.append(svgEl('path', { d: 'M0,1 L10,5 L0,9 z', fill: r.color }));
      return m;
    }));
  }

  const styleOf = (kind) => state.relations.find((r) => r.kind === kind) || { color: '#777', dash: '', width: 1 };
  const colorOf = (kind) => (state.kinds.find((k) => k.kind === kind) || { color: '#999' }).color;
  const nodeElement = (id) => document.querySelector(`#nodes .node[data-id="${CSS.escape(id)}"]`);

  function draw() {
    const d = state.data;
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
          class: 'edge', d: edgePath(a, b, bend), stroke: st.color, 'stroke-width': st.width,
          'stroke-dasharray': st.dash || null, 'marker-end': `url(#arrow-${e.kind})`,
          'data-id': e.id, 'data-from': e.from, 'data-to': e.to, 'data-kind': e.kind,
        });
        const title = svgEl('title');
        title.textContent = `${a.name} — ${relLabel(e.kind)} → ${b.name}${years(e)}`;
        p.append(title);
        edgeEls.push(p);
      });
    }
    $('#edges').replaceChildren(...edgeEls);

    // Larger nodes first, so that small ones stay clickable on top.
    const nodes = [...d.nodes].sort((x, y) => y.size - x.size || (x.id < y.id ? -1 : 1));
    $('#nodes').replaceChildren(...nodes.map((n) => {
      const g = svgEl('g', {
        class: 'node', transform: `translate(${n.x},${n.y})`, tabindex: 0, role: 'button',
        'data-id': n.id, 'data-kind': n.kind, 'aria-label': `${n.name}, ${KIND_LABELS[n.kind] || n.kind}, ${n.degree} relation${n.degree === 1 ? '' : 's'}`,
      });
      g.append(svgEl('circle', { r: n.size, fill: colorOf(n.kind) }));
      const title = svgEl('title');
      title.textContent = n.name;
      g.append(title);
      return g;
    }));
    // Names in a layer of their own, above every circle.
    $('#labels').replaceChildren(...nodes.map((n) => {
      const label = shortName(n.name);
      labelWidth.set(n.id, measure(label));
      const t = svgEl('text', { x: n.x + n.size + 3, y: n.y + 4, 'data-id': n.id });
      t.textContent = label;
      return t;
    }));
    highlight();
    updateLabels();
  }

  function years(e) {
    if (e.fromYear == null && e.toYear == null) return '';
    if (e.fromYear === e.toYear) return ` (${e.fromYear})`;
    return ` (${e.fromYear ?? '…'}–${e.toYear ?? '…'})`;
  }

  // edgePath runs from a's rim to b's rim, bent sideways by bend units.
  function edgePath(a, b, bend) {
    const dx = b.x - a.x, dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len, uy = dy / len;
    const sx = a.x + ux * a.size, sy = a.y + uy * a.size;
    const tx = b.x - ux * (b.size + 1.5), ty = b.y - uy * (b.size + 1.5);
    if (!bend) return `M${r1(sx)},${r1(sy)} L${r1(tx)},${r1(ty)}`;
    const mx = (sx + tx) / 2 - uy * bend * 2, my = (sy + ty) / 2 + ux * bend * 2;
    return `M${r1(sx)},${r1(sy)} Q${r1(mx)},${r1(my)} ${r1(tx)},${r1(ty)}`;
  }
  const r1 = (v) => Math.round(v * 10) / 10;

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
    if (n) requestAnimationFrame(() => reveal(n, 0.15));
    $('#details-title').textContent = n ? n.name : id;
    const sw = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    sw.style.background = colorOf(n ? n.kind : '');
    $('#details-kind').replaceChildren(sw, document.createTextNode(n ? `${KIND_LABELS[n.kind] || n.kind} · ${n.degree} relation${n.degree === 1 ? '' : 's'} drawn` : ''));
    $('#details-props').replaceChildren();
    $('#details-relations').replaceChildren(el('li', { text: 'Loading…' }));
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
      $('#details-relations').replaceChildren(el('li', { text: 'Could not load the details: ' + err.message }));
    }
  }

  const nok = new Intl.NumberFormat('nb-NO');

  function renderDetails(n) {
    if (!n) {
      $('#details-relations').replaceChildren(el('li', { text: 'This node no longer exists.' }));
      return;
    }
    const props = [
      ['Id', n.id], ['Also called', (n.aliases || []).join('; ')], ['Description', n.description],
      ['Code', n.code], ['Plan year', n.planYear ?? n.year], ['Cost', n.costNok != null ? nok.format(n.costNok) + ' NOK' + (n.costText && n.costText !== String(n.costNok) ? ` (as printed: ${n.costText})` : '') : n.costText],
      ['Kommunenummer', n.number], ['County', n.county], ['Field', n.field], ['Category', n.category], ['Adopted', n.adopted],
      ['Goals', (n.goals || []).join(' · ')], ['Activities', (n.activities || []).join(' · ')],
    ].filter(([, v]) => v !== undefined && v !== null && v !== '');
    $('#details-props').replaceChildren(...props.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: String(v) })]));

    const rels = [...n.relations].sort((a, b) => a.kind.localeCompare(b.kind) || otherOf(a, n.id).name.localeCompare(otherOf(b, n.id).name, 'nb'));
    $('#details-relations').replaceChildren(...(rels.length ? rels.map((r) => {
      const out = r.from.id === n.id;
      const other = otherOf(r, n.id);
      const drawn = state.byId.has(other.id);
      const name = drawn
        ? el('button', { type: 'button', class: 'link', 'data-goto': other.id, text: other.name })
        : el('span', { text: other.name });
      const extra = [r.role, r.asWritten ? `«${r.asWritten}»` : '', r.amountNok != null ? nok.format(r.amountNok) + ' NOK' : ''].filter(Boolean).join(', ');
      return el('li', {},
        el('span', { class: 'rel-kind', text: (out ? '' : '← ') + relLabel(r.kind) + (out ? ' →' : '') }), document.createTextNode(' '),
        name, el('span', { class: 'years', text: years(r) + (extra ? ' — ' + extra : '') }));
    }) : [el('li', { text: state.year ? `No relations in ${state.year}.` : 'No relations.' })]));

    const sources = new Map();
    const addSource = (s) => { if (s && s.citation) sources.set(s.citation, s); };
    addSource(n.source);
    for (const r of n.relations) addSource(r.source);
    $('#details-sources').replaceChildren(...(sources.size ? [...sources.keys()].map((c) => el('li', { text: c })) : [el('li', { text: 'No source given.' })]));
  }

  const otherOf = (r, id) => (r.from.id === id ? r.to : r.from);

  // ---- pan and zoom

  function applyView() {
    const v = state.view;
    $('#viewport').setAttribute('transform', `translate(${r1(v.x)},${r1(v.y)}) scale(${v.k.toFixed(4)})`);
    // Text and outlines keep their size on screen.
    const labels = $('#labels');
    labels.setAttribute('font-size', (12 / v.k).toFixed(2));
    labels.style.setProperty('--halo', (3 / v.k).toFixed(2) + 'px');
    scheduleLabels();
  }

  let labelFrame = 0;
  function scheduleLabels() {
    if (!labelFrame) labelFrame = requestAnimationFrame(() => { labelFrame = 0; updateLabels(); });
  }

  // Names are shown where they fit: the selected node and its neighbours
  // first, then by size, each only when its label does not overlap one
  // already shown. Hover and keyboard focus show any name.
  function updateLabels() {
    const d = state.data;
    if (!d) return;
    const v = state.view;
    const { w, h } = stageSize();
    const order = [...d.nodes].sort((a, b) => rank(b) - rank(a) || b.size - a.size || (a.id < b.id ? -1 : 1));
    const placed = [];
    const show = new Set();
    // The circles on screen, which a label should not cover either.
    const circles = d.nodes.map((n) => ({ id: n.id, x: v.x + n.x * v.k, y: v.y + n.y * v.k, r: n.size * v.k }));
    const hitsCircle = (box, id) => circles.some((c) => c.id !== id &&
      c.x + c.r > box.x0 && c.x - c.r < box.x1 && c.y + c.r > box.y0 && c.y - c.r < box.y1);
    order.forEach((n, i) => {
      if (placed.length > 400) return;
      const x = v.x + (n.x + n.size + 3) * v.k, y = v.y + n.y * v.k;
      const box = { x0: x - 2, y0: y - 8, x1: x + (labelWidth.get(n.id) || 0) + 2, y1: y + 5 };
      if (box.x1 < 0 || box.x0 > w || box.y1 < 0 || box.y0 > h) return;
      if (placed.some((b) => box.x0 < b.x1 && box.x1 > b.x0 && box.y0 < b.y1 && box.y1 > b.y0)) return;
      // The selection and the few largest nodes are named even over a circle.
      if (rank(n) === 0 && i >= 10 && hitsCircle(box, n.id)) return;
      placed.push(box);
      show.add(n.id);
    });
    for (const t of document.querySelectorAll('#labels text')) t.classList.toggle('show', show.has(t.dataset.id));
  }

  function rank(n) {
    if (!state.selected) return 0;
    if (n.id === state.selected) return 2;
    return nearSet.has(n.id) ? 1 : 0;
  }

  // labelWidth holds each drawn label's width in pixels at 12px.
  const labelWidth = new Map();
  let measureCtx = null;
  function measure(text) {
    if (!measureCtx) {
      measureCtx = document.createElement('canvas').getContext('2d');
      measureCtx.font = '12px ' + getComputedStyle(document.documentElement).fontFamily;
    }
    return measureCtx.measureText(text).width;
  }
  const shortName = (name) => (name.length > 42 ? name.slice(0, 40).trimEnd() + '…' : name);

  // canvasSize is the size the view was last placed for; fit and reveal
  // place it for the current size, the ResizeObserver follows changes.
  let canvasSize = { w: 1, h: 1 };

  function stageSize() {
    const r = $('#map').getBoundingClientRect();
    return { w: r.width || 1, h: r.height || 1 };
  }

  function fit() {
    const d = state.data;
    if (!d || !d.nodes.length) { state.view = { x: 0, y: 0, k: 1 }; applyView(); return; }
    const [x0, y0, x1, y1] = d.bounds;
    const pad = 40 + 22;
    const { w, h } = stageSize();
    const k = Math.min(1.6, Math.max(0.05, Math.min(w / (x1 - x0 + 2 * pad), h / (y1 - y0 + 2 * pad))));
    state.view = { k, x: w / 2 - k * (x0 + x1) / 2, y: h / 2 - k * (y0 + y1) / 2 };
    canvasSize = { w, h };
    applyView();
  }

  // reveal centres the view on node n when it lies within margin (a share
  // of the width and height) of the canvas's edge or outside it.
  function reveal(n, margin) {
    const { w } = stageSize();
    let { h } = stageSize();
    // On a phone the details are a sheet over the lower part of the map.
    const panel = $('#details');
    if (!panel.hidden && getComputedStyle(panel).position === 'absolute') h = Math.max(80, h - panel.getBoundingClientRect().height);
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
        drag = { x: e.clientX, y: e.clientY, vx: state.view.x, vy: state.view.y, moved: false, target: e.target.closest('.node') };
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
      const node = e.target.closest && e.target.closest('.node');
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
    if (state.year !== null && !state.options.years.includes(state.year)) state.year = null;
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
