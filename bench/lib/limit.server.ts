/**
 * The limit for bench:graph's nested page: a bare node:http handler that runs the minimal SQL for
 * the page (better-sqlite3 on the gateway's SQLite file, prepared once) and JSON.stringifies the
 * same response shape (same fields, cursors and ids encoded as the gateway encodes them). No
 * GraphQL, no ORM, no authentication: what the page costs with none of the machinery.
 *
 *   DB_FILE=<spokegraph.sqlite> PORT=<port> node --import tsx bench/lib/limit.server.ts
 * POST /graphql with the page's `{ variables: { first, after } }`; GET /readyz.
 */
import http from 'node:http';
import Database from 'better-sqlite3';

const db = new Database(process.env.DB_FILE!, { readonly: true });
db.pragma('journal_mode');

const cursor = (id: string) => Buffer.from(`c1:${id}`, 'utf8').toString('base64url');
const globalId = (kind: string, id: string) => Buffer.from(`sg1:${kind}:${id}`, 'utf8').toString('base64url');
const idOfCursor = (c: string) => Buffer.from(c, 'base64url').toString('utf8').slice(3);

const tenantsAfter = db.prepare<[string, number], { id: string; name: string }>('select id, name from tenant where id > ? order by id limit ?');
const quotas = db.prepare<[string], { gpu_family: string; hard_limit: number; used: number }>('select gpu_family, hard_limit, used from gpu_quota where scope_id = ? order by gpu_family');
const projects = db.prepare<[string, number], { id: string; name: string }>('select id, name from project where tenant_id = ? order by id limit ?');
const projectCount = db.prepare<[string], { n: number }>('select count(*) as n from project where tenant_id = ?');
// the quotas and first bundles of all the page's projects, one statement each (as the gateway batches them)
const quotasOf = (ids: string[]) =>
  db.prepare<string[], { scope_id: string; gpu_family: string; hard_limit: number; used: number }>(
    `select scope_id, gpu_family, hard_limit, used from gpu_quota where scope_id in (${ids.map(() => '?').join(',')}) order by scope_id, gpu_family`,
  );
const bundlesOf = (ids: string[]) =>
  db.prepare<unknown[], { project_id: string; name: string; version: number; type: string }>(
    `select project_id, name, version, type from (select project_id, name, version, type, id, row_number() over (partition by project_id order by id) as rn
       from profile_bundle where project_id in (${ids.map(() => '?').join(',')})) where rn <= ? order by project_id, id`,
  );
const statements = new Map<string, ReturnType<typeof quotasOf> | ReturnType<typeof bundlesOf>>();
function cached<T>(key: string, make: () => T): T {
  let s = statements.get(key) as T | undefined;
  if (!s) statements.set(key, (s = make() as never));
  return s;
}

const quota = (r: { gpu_family: string; hard_limit: number; used: number }) => ({ gpuFamily: r.gpu_family, limit: r.hard_limit, used: r.used, available: Math.max(0, r.hard_limit - r.used) });

function page(first: number, after: string | null) {
  const ts = tenantsAfter.all(after ? idOfCursor(after) : '', 2);
  const t = ts[0];
  const edges = [];
  if (t) {
    const ps = projects.all(t.id, first + 1);
    const shown = ps.slice(0, first);
    const ids = shown.map((p) => p.id);
    const qs = new Map<string, ReturnType<typeof quota>[]>();
    const bs = new Map<string, { name: string; version: number; bundleType: string }[]>();
    if (ids.length) {
      for (const r of cached(`q${ids.length}`, () => quotasOf(ids)).all(...ids) as { scope_id: string; gpu_family: string; hard_limit: number; used: number }[]) {
        (qs.get(r.scope_id) ?? qs.set(r.scope_id, []).get(r.scope_id)!).push(quota(r));
      }
      for (const r of cached(`b${ids.length}`, () => bundlesOf(ids)).all(...ids, 5) as { project_id: string; name: string; version: number; type: string }[]) {
        (bs.get(r.project_id) ?? bs.set(r.project_id, []).get(r.project_id)!).push({ name: r.name, version: r.version, bundleType: r.type });
      }
    }
    edges.push({
      cursor: cursor(t.id),
      node: {
        name: t.name,
        gpuQuota: quotas.all(t.id).map(quota),
        projects: {
          totalCount: projectCount.get(t.id)!.n,
          pageInfo: { hasNextPage: ps.length > first, endCursor: shown.length ? cursor(shown[shown.length - 1].id) : null },
          edges: shown.map((p) => ({
            cursor: cursor(p.id),
            node: { id: globalId('Project', p.id), name: p.name, gpuQuota: qs.get(p.id) ?? [], tenant: { name: t.name }, profileBundles: { nodes: bs.get(p.id) ?? [] } },
          })),
        },
      },
    });
  }
  return { data: { tenants: { pageInfo: { hasNextPage: ts.length > 1, endCursor: t ? cursor(t.id) : null }, edges } } };
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/readyz') return void res.end('{"status":"ready"}');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: { first: number; after: string | null } };
      const body = JSON.stringify(page(variables.first, variables.after));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (e) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(e) }] }));
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
// stopped by the benchmark: a clean exit, not an error in its log
process.once('SIGTERM', () => server.close(() => process.exit(0)));
