// Live updates for the map: listens to the GraphQL `changes` subscription
// (Server-Sent Events over a POST to /graphql/stream, read with fetch so that a
// bearer token can go along) and fires a `regiongraph:changed` event on
// document with {entries, lastSeq} whenever the graph changes; map.js
// redraws on it. The stream resumes from the last seq it saw after a drop.
'use strict';

(() => {
  const QUERY = 'subscription Live($since: Int64) { changes(since: $since) { lastSeq entries { seq op target targetId } } }';
  let since = null;
  let wait = 1000;

  function token() {
    try { return sessionStorage.getItem('regiongraph.token') || ''; } catch { return ''; }
  }

  async function listen() {
    const headers = { 'Content-Type': 'application/json', Accept: 'text/event-stream' };
    const t = token();
    if (t) headers.Authorization = 'Bearer ' + t;
    const resp = await fetch('/graphql/stream', {
      method: 'POST', headers, cache: 'no-store',
      body: JSON.stringify({ query: QUERY, operationName: 'Live', variables: { since } }),
    });
    if (!resp.ok || !resp.body || !(resp.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
      throw new Error('the change stream answered ' + resp.status);
    }
    document.body.dataset.live = 'on';
    const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = 'message', data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (event !== 'next' || !data) continue;
        const msg = JSON.parse(data);
        const b = msg.data && msg.data.changes;
        if (!b) continue;
        wait = 1000;
        since = b.lastSeq;
        // The first batch without since is empty; after a drop, the batch
        // holds what changed meanwhile.
        if (b.entries.length) {
          document.dispatchEvent(new CustomEvent('regiongraph:changed', { detail: b }));
        }
      }
    }
  }

  async function run() {
    for (;;) {
      try {
        await listen();
      } catch {
        document.body.dataset.live = 'off';
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 30000);
    }
  }

  if (window.fetch && window.TextDecoderStream) run();
})();
