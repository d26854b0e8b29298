/**
 * The peer of bench:graph: PostGraphile v4 serving the gateway's PostgreSQL tables, read-only
 * (no mutations), in production mode (no GraphiQL, no schema watching, no query log). Plain
 * JavaScript and its own node_modules (bench/peer/package.json, installed on demand by the
 * benchmark): PostGraphile 4 runs on graphql 15, which must not meet the gateway's graphql 16.
 *
 *   DATABASE_URL=postgresql://… PORT=<port> node bench/peer/server.mjs
 * POST /graphql (PostGraphile's schema); GET /readyz once the schema is built.
 */
import http from 'node:http';
import pg from 'pg';
import postgraphileModule from 'postgraphile';

const { postgraphile } = postgraphileModule;
const url = process.env.DATABASE_URL;
const pool = new pg.Pool({ connectionString: url, max: 8 });

// GpuQuota.available as the gateway computes it, as a PostGraphile computed column
await pool.query(`create or replace function gpu_quota_available(q gpu_quota) returns int language sql stable as $$ select greatest(0, q.hard_limit - q.used) $$`);

const middleware = postgraphile(pool, 'public', {
  graphqlRoute: '/graphql',
  graphiql: false,
  watchPg: false,
  disableQueryLog: true,
  disableDefaultMutations: true,
  enableQueryBatching: false,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  retryOnInitFail: false,
  extendedErrors: [],
});
// the schema is built on the first request otherwise: build it now, so /readyz means ready
await middleware.getGraphQLSchema();

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/readyz') return void res.end('{"status":"ready"}');
  middleware(req, res);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
