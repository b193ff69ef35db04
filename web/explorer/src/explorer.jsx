// The GraphQL explorer served at /graphql to browsers: GraphiQL (editor with
// autocomplete and error positions, docs browser, history, variables and
// headers) with the project's example queries and a field for the bearer
// token. Bundled by build.mjs into web/static/explorer/; nothing is loaded
// from elsewhere at run time.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';
import './explorer.css';
import { examples } from './examples.js';

// Monaco's workers are files of their own next to this bundle (build.mjs).
globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    const name = label === 'graphql' ? 'graphql' : label === 'json' ? 'json' : 'editor';
    return new Worker(`/static/explorer/${name}.worker.js`, { name: `${name} worker` });
  },
};

// The token lives in this tab's session storage only, never in the page's
// address or in GraphiQL's saved tabs.
const TOKEN_KEY = 'regiongraph.token';
const tokenInput = document.getElementById('token');
tokenInput.value = sessionStorage.getItem(TOKEN_KEY) || '';
tokenInput.addEventListener('input', () => {
  const t = tokenInput.value.trim();
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
});
document.getElementById('token-form').addEventListener('submit', (e) => e.preventDefault());
document.getElementById('token-show').addEventListener('click', (e) => {
  const show = tokenInput.type === 'password';
  tokenInput.type = show ? 'text' : 'password';
  e.currentTarget.textContent = show ? 'Hide' : 'Show';
  e.currentTarget.setAttribute('aria-pressed', String(show));
});

// The first time, a narrower side pane and a little more room for the
// editor than for the response (GraphiQL then remembers the splits the user
// drags to, under these keys).
try {
  for (const [key, flex] of [['graphiql:docExplorerFlex', '0.28'], ['graphiql:editorFlex', '1.2']]) {
    if (localStorage.getItem(key) === null) localStorage.setItem(key, flex);
  }
} catch {
  // no storage: GraphiQL's own splits
}

const base = createGraphiQLFetcher({ url: '/graphql' });

// fetcher adds "Authorization: Bearer <token>" when the token field is
// filled, unless the Headers editor sets an Authorization header itself.
function fetcher(params, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  const token = tokenInput.value.trim();
  const has = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  if (token && !has) headers.Authorization = `Bearer ${token}`;
  return base(params, { ...opts, headers });
}

function ExamplesIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="1.6" aria-hidden="true">
      <path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-3.5 10.9c.6.5 1 1.2 1 2V16h5v-.1c0-.8.4-1.5 1-2A6 6 0 0 0 12 3z" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}

function Examples() {
  const queryEditor = useGraphiQL((s) => s.queryEditor);
  const variableEditor = useGraphiQL((s) => s.variableEditor);
  const { updateActiveTabValues } = useGraphiQLActions();
  const [chosen, setChosen] = useState('');
  const open = (title) => {
    const query = examples[title];
    if (queryEditor) queryEditor.setValue(query);
    if (variableEditor) variableEditor.setValue('');
    updateActiveTabValues({ query, variables: '' });
    setChosen(title);
    if (queryEditor) queryEditor.focus();
  };
  return (
    <section className="rg-examples" aria-labelledby="rg-examples-title">
      <div className="graphiql-doc-explorer-title" id="rg-examples-title">Examples</div>
      <p className="rg-hint">
        Questions the bundled Kongsbergregionen data answers. Choose one to put it in the editor,
        then run it with the ▶ button or Ctrl+Enter. Ctrl+Space suggests fields as you type;
        the Docs pane (book icon) lists every type and field.
      </p>
      <ul>
        {Object.keys(examples).map((title) => (
          <li key={title}>
            <button type="button" className="rg-example" aria-current={chosen === title ? 'true' : undefined} onClick={() => open(title)}>
              {title}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

const examplesPlugin = { title: 'Examples', icon: ExamplesIcon, content: Examples };

const [firstTitle, firstQuery] = Object.entries(examples)[0];
const defaultQuery = `# ${firstTitle}
# Run it with Ctrl+Enter or ▶.
# More questions: the Examples pane.
${firstQuery}
`;

createRoot(document.getElementById('graphiql')).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      plugins={[examplesPlugin, HISTORY_PLUGIN]}
      visiblePlugin={examplesPlugin}
      defaultQuery={defaultQuery}
      defaultEditorToolsVisibility={false}
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    >
      <GraphiQL.Logo>
        <span className="rg-logo">regiongraph</span>
      </GraphiQL.Logo>
    </GraphiQL>
  </StrictMode>,
);
