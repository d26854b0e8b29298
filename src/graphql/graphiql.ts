/**
 * A GraphiQL page served from our own node_modules (graphiql 3 UMD + React 18 UMD), so exploring the
 * graph works on a machine with no internet. Apollo's landing pages load from a CDN; they are off.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import express, { type Router } from 'express';

const require = createRequire(import.meta.url);
const dir = (pkg: string) => path.dirname(require.resolve(`${pkg}/package.json`));

const ASSETS: Record<string, string> = {
  'react.js': path.join(dir('react'), 'umd', 'react.production.min.js'),
  'react-dom.js': path.join(dir('react-dom'), 'umd', 'react-dom.production.min.js'),
  'graphiql.js': path.join(dir('graphiql'), 'graphiql.min.js'),
  'graphiql.css': path.join(dir('graphiql'), 'graphiql.min.css'),
  // the graphql-ws client GraphiQL runs subscriptions with (its browser build, global `graphqlWs`)
  'graphql-ws.js': path.join(dir('graphql-ws'), 'umd', 'graphql-ws.min.js'),
};

const DEFAULT_QUERY = `# spokegraph: the token you entered is in the Headers tab below; edit it there to switch.
# Subscriptions run over graphql-ws with that same token (connectionParams.authorization).
query Overview {
  viewer { isPlatformAdmin token { name } }
  tenants(first: 10) {
    totalCount
    edges { node { name displayName gpuQuota { gpuFamily limit used available } } }
  }
}
`;

/**
 * GraphiQL is mounted only once a token is known (this tab's, or the web console's sign-in on this
 * origin), so its first schema fetch is authenticated instead of failing with 401. The Headers tab
 * starts with that token and is the source of truth afterwards: every operation, subscriptions
 * included, carries the Authorization the tab holds (graphql-ws gets it as connectionParams, one
 * client per distinct value). Headers are not persisted: a token never lands in localStorage.
 */
const BOOT = `
(function () {
  var e = React.createElement;
  var HTTP_URL = window.location.origin + '/graphql';
  var WS_URL = HTTP_URL.replace(/^http/, 'ws');
  var OWN_KEY = 'spokegraph.graphiql.token';
  var CONSOLE_KEY = 'spokegraph.token';
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));

  function storedToken() {
    var own = sessionStorage.getItem(OWN_KEY);
    if (own) return own;
    try {
      var s = JSON.parse(sessionStorage.getItem(CONSOLE_KEY) || 'null');
      return s && typeof s.token === 'string' ? s.token : null;
    } catch (err) {
      return null;
    }
  }

  function authorizationOf(headers) {
    for (var k in headers || {}) if (k.toLowerCase() === 'authorization') return headers[k];
    return null;
  }

  var fetchers = {};
  function fetcherFor(authorization) {
    if (!fetchers[authorization]) {
      var ws = graphqlWs.createClient({ url: WS_URL, lazy: true, connectionParams: { authorization: authorization } });
      fetchers[authorization] = GraphiQL.createFetcher({ url: HTTP_URL, wsClient: ws });
    }
    return fetchers[authorization];
  }

  function showGraphiql(token) {
    var fallback = 'Bearer ' + token;
    function fetcher(params, opts) {
      var authorization = authorizationOf(opts && opts.headers) || fallback;
      return fetcherFor(authorization)(params, opts);
    }
    function changeToken() {
      sessionStorage.removeItem(OWN_KEY);
      showForm('');
    }
    root.render(e('div', { className: 'sg-shell' },
      e('header', { className: 'sg-bar' },
        e('span', null, 'spokegraph GraphiQL · token ' + token.slice(0, 10) + '…'),
        e('button', { type: 'button', onClick: changeToken }, 'Change token')),
      e('main', { className: 'sg-main' },
        e(GraphiQL, {
          key: token,
          fetcher: fetcher,
          defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
          defaultHeaders: JSON.stringify({ Authorization: fallback }, null, 2),
          shouldPersistHeaders: false,
          isHeadersEditorEnabled: true,
        }))));
  }

  function showForm(message) {
    function submit(ev) {
      ev.preventDefault();
      var value = String(new FormData(ev.target).get('token') || '').trim().replace(/^Bearer\\s+/i, '');
      if (!value) return showForm('Enter a token.');
      sessionStorage.setItem(OWN_KEY, value);
      showGraphiql(value);
    }
    root.render(e('main', { className: 'sg-signin' },
      e('h1', null, 'spokegraph GraphiQL'),
      e('form', { onSubmit: submit },
        e('label', { htmlFor: 'sg-token' }, 'API token'),
        e('input', { id: 'sg-token', name: 'token', type: 'password', autoComplete: 'off', autoFocus: true, 'aria-describedby': 'sg-token-help' }),
        e('p', { id: 'sg-token-help' }, 'The token is kept for this browser tab only and sent as Authorization: Bearer on every request and subscription.'),
        message ? e('p', { role: 'alert' }, message) : null,
        e('button', { type: 'submit' }, 'Open GraphiQL'))));
  }

  var token = storedToken();
  if (token) showGraphiql(token);
  else showForm('');
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>spokegraph · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>
html,body,#graphiql{height:100%;margin:0}
.sg-shell{height:100%;display:flex;flex-direction:column}
.sg-bar{display:flex;gap:1em;align-items:center;padding:4px 12px;font:14px system-ui,sans-serif;border-bottom:1px solid #ccc}
.sg-main{flex:1;min-height:0}
.sg-signin{max-width:28em;margin:4em auto;font:16px system-ui,sans-serif}
.sg-signin label,.sg-signin input{display:block;width:100%}
.sg-signin input{margin:.3em 0;padding:.4em;font:inherit;box-sizing:border-box}
.sg-signin button{font:inherit;padding:.3em 1em}
</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script src="/graphiql/graphql-ws.js"></script>
<script src="/graphiql/boot.js"></script>
</body>
</html>`;

export function graphiqlRouter(): Router {
  const r = express.Router();
  r.get('/graphiql/boot.js', (_req, res) => {
    res.type('application/javascript').send(BOOT);
  });
  r.get('/graphiql/:asset', (req, res, next) => {
    const file = ASSETS[req.params.asset];
    if (!file) return next();
    res.sendFile(file, { maxAge: '1h' });
  });
  return r;
}

/** Browsers asking /graphql for HTML get GraphiQL; API clients never send Accept: text/html first. */
export function wantsGraphiql(req: express.Request): boolean {
  return req.method === 'GET' && !req.query.query && (req.headers.accept ?? '').includes('text/html');
}

export const graphiqlPage = PAGE;
