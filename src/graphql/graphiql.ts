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
};

const DEFAULT_QUERY = `# spokegraph: paste your token into the Headers tab below, then run.
query Overview {
  viewer { isPlatformAdmin token { name } }
  tenants(first: 10) {
    totalCount
    edges { node { name displayName gpuQuota { gpuFamily limit used available } } }
  }
}
`;

const BOOT = `
(function () {
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
    defaultHeaders: JSON.stringify({ Authorization: 'Bearer <your token>' }, null, 2),
    shouldPersistHeaders: true,
    isHeadersEditorEnabled: true,
  }));
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>spokegraph · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<style>html,body,#graphiql{height:100%;margin:0}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
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
