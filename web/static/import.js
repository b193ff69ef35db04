// "Import a spreadsheet": a token holder chooses an .xlsx or CSV file, sees
// what it would change (POST /import?dryRun=true) and applies exactly that
// (POST /import?expect=<digest>). The map redraws through the live change
// stream (live.js), not through this panel. Fills <section id="sheet-import">.
'use strict';

(() => {
  const root = document.getElementById('sheet-import');
  if (!root) return;
  const el = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'text') e.textContent = v;
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
    }
    for (const k of kids) if (k) e.append(k);
    return e;
  };
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const SHOW = 100; // rows shown per list

  const tokenInput = el('input', { type: 'password', id: 'si-token', autocomplete: 'off', placeholder: 'rgt_…', spellcheck: 'false' });
  const fileInput = el('input', { type: 'file', id: 'si-file', accept: '.xlsx,.csv,text/csv,' + XLSX });
  const preview = el('button', { type: 'button', id: 'si-preview', text: 'Show the changes', disabled: true });
  const apply = el('button', { type: 'button', id: 'si-apply', text: 'Apply these changes', hidden: true });
  const status = el('p', { id: 'si-status', class: 'si-status', role: 'status', 'aria-live': 'polite' });
  const result = el('div', { id: 'si-diff', class: 'si-diff' });
  try { tokenInput.value = sessionStorage.getItem('regiongraph.token') || ''; } catch { /* no storage */ }

  root.append(el('details', { class: 'si' },
    el('summary', {}, el('h2', { id: 'sheet-import-title', text: 'Import a spreadsheet' })),
    el('p', { class: 'help' },
      'Keep the graph in Excel: one sheet per kind and one for relations. ',
      el('a', { href: '/export/template.xlsx', text: 'Blank template' }), ' · ',
      el('a', { href: '/export/graph.xlsx', text: 'The whole graph as a workbook' })),
    el('label', { for: 'si-token', text: 'Bearer token (editor)' }), tokenInput,
    el('label', { for: 'si-file', text: 'Workbook (.xlsx) or CSV file' }), fileInput,
    el('div', { class: 'si-actions' }, preview, apply),
    status, result));

  let planned = null; // {file, digest}

  function setStatus(text, error) {
    status.textContent = text;
    status.classList.toggle('error', !!error);
  }
  function ready() {
    preview.disabled = !(fileInput.files.length && tokenInput.value.trim());
  }
  tokenInput.addEventListener('input', () => {
    try { sessionStorage.setItem('regiongraph.token', tokenInput.value.trim()); } catch { /* no storage */ }
    ready();
  });
  fileInput.addEventListener('change', () => {
    planned = null;
    apply.hidden = true;
    result.replaceChildren();
    setStatus('');
    ready();
  });

  async function send(file, params) {
    const isX = /\.xlsx$/i.test(file.name) || file.type === XLSX;
    const q = new URLSearchParams({ name: file.name, ...params });
    const resp = await fetch('/import?' + q, {
      method: 'POST',
      headers: { 'Content-Type': isX ? XLSX : 'text/csv', Authorization: 'Bearer ' + tokenInput.value.trim() },
      body: file,
    });
    let body = {};
    try { body = await resp.json(); } catch { /* not JSON */ }
    const err = body.errors && body.errors[0];
    return { ok: resp.ok, diff: body.diff, error: err ? err.message : (resp.ok ? '' : 'the server answered ' + resp.status) };
  }

  function cell(text) { return el('td', { text: text === '' ? '∅' : text }); }

  function table(caption, items, cls, rowOf, head) {
    if (!items || !items.length) return null;
    const body = el('tbody');
    for (const it of items.slice(0, SHOW)) for (const r of rowOf(it)) body.append(r);
    const t = el('table', { class: 'si-table ' + cls },
      el('caption', { text: `${caption} (${items.length})` }),
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))), body);
    const wrap = el('div', { class: 'si-section' }, t);
    if (items.length > SHOW) wrap.append(el('p', { class: 'help', text: `… and ${items.length - SHOW} more` }));
    return wrap;
  }

  function itemRows(it) {
    const rows = [el('tr', { 'data-id': it.id }, cell(it.sheet), cell(String(it.row)), cell(it.kind), cell(it.name))];
    for (const f of it.fields || []) {
      rows.push(el('tr', { class: 'si-field' }, el('td'), el('td'), cell(f.column), el('td', {},
        el('del', { text: f.old || '∅' }), ' → ', el('ins', { text: f.new || '∅' }))));
    }
    if (it.detached && it.detached.length) {
      rows.push(el('tr', { class: 'si-field' }, el('td'), el('td'), cell('relations'), cell(it.detached.length + ' go with it')));
    }
    return rows;
  }

  function render(d) {
    const c = d.counts;
    result.replaceChildren(
      el('p', { class: 'si-counts', text: `${c.created} created, ${c.updated} updated, ${c.deleted} deleted, ${c.unchanged} unchanged, ${c.refused} refused` }),
      table('Refused', d.refused, 'refused', (p) => [el('tr', {}, cell(p.sheet), cell(String(p.row)), cell(p.column ? `${p.column} (${p.cell || '—'})` : ''), cell(p.message))],
        ['Sheet', 'Row', 'Column', 'Problem']) || '',
      table('Created', d.created, 'created', itemRows, ['Sheet', 'Row', 'Kind', 'Name']) || '',
      table('Updated', d.updated, 'updated', itemRows, ['Sheet', 'Row', 'Kind / column', 'Name / old → new']) || '',
      table('Deleted', d.deleted, 'deleted', itemRows, ['Sheet', 'Row', 'Kind', 'Name']) || '',
    );
  }

  preview.addEventListener('click', async () => {
    const file = fileInput.files[0];
    if (!file) return;
    apply.hidden = true;
    planned = null;
    setStatus('Reading ' + file.name + '…');
    try {
      const r = await send(file, { dryRun: 'true' });
      if (r.diff) render(r.diff);
      else result.replaceChildren();
      if (!r.ok) {
        setStatus(r.error, true);
        return;
      }
      const c = r.diff.counts;
      if (c.refused) {
        setStatus(`${c.refused} rows are refused: fix them and choose the file again. Nothing is written.`, true);
      } else if (!c.changes) {
        setStatus('0 changes: the graph already holds what the file says.');
      } else {
        planned = { file, digest: r.diff.digest };
        apply.hidden = false;
        setStatus(`${c.changes} changes would be made. Nothing is written until you apply them.`);
      }
    } catch (err) {
      setStatus('Could not send the file: ' + err.message, true);
    }
  });

  apply.addEventListener('click', async () => {
    if (!planned) return;
    apply.disabled = true;
    setStatus('Applying…');
    try {
      const r = await send(planned.file, { expect: planned.digest });
      if (r.diff) render(r.diff);
      if (!r.ok) {
        setStatus(r.error, true);
        return;
      }
      apply.hidden = true;
      planned = null;
      setStatus(`Applied ${r.diff.counts.changes} changes in one batch; the map shows them as they arrive.`);
    } catch (err) {
      setStatus('Could not send the file: ' + err.message, true);
    } finally {
      apply.disabled = false;
    }
  });
})();
