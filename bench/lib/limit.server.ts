/**
 * The limit for bench:graph's nested page: a bare node:http handler that runs the minimal SQL for
 * the page and JSON.stringifies the same response shape (same fields, cursors and ids encoded as the
 * gateway encodes them, and the same `extensions.cost` the gateway reports for the page, handed over
 * by the benchmark in PAGE_EXTENSIONS). No GraphQL, no ORM, no authentication, no cost analysis:
 * what the page costs with none of the machinery.
 *
 *   DB_FILE=<spokegraph.sqlite> PORT=<port> node --import tsx bench/lib/limit.server.ts
 *   DATABASE_URL=postgresql://… PORT=<port> node --import tsx bench/lib/limit.server.ts
 * POST /graphql with the page's `{ variables: { first, after } }`; GET /readyz.
 */
import http from 'node:http';
import type { QueryResultRow } from 'pg';

interface QuotaRow {
  scope_id?: string;
  gpu_family: string;
  hard_limit: number;
  used: number;
}
interface BundleRow {
  project_id: string;
  name: string;
  version: number;
  type: string;
}

/** The page's statements; SQLite answers synchronously, PostgreSQL through one connection pool. */
interface Source {
  tenants(after: string | null, n: number): Promise<{ id: string; name: string }[]> | { id: string; name: string }[];
  quotas(scope: string): Promise<QuotaRow[]> | QuotaRow[];
  projects(tenant: string, n: number): Promise<{ id: string; name: string }[]> | { id: string; name: string }[];
  projectCount(tenant: string): Promise<number> | number;
  quotasOf(ids: string[]): Promise<QuotaRow[]> | QuotaRow[];
  bundlesOf(ids: string[], n: number): Promise<BundleRow[]> | BundleRow[];
}

const inList = (n: number, first: number, mark: (i: number) => string) => Array.from({ length: n }, (_, i) => mark(first + i)).join(',');

async function sqlite(file: string): Promise<Source> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true });
  const tenantsAfter = db.prepare<[string, number], { id: string; name: string }>('select id, name from tenant where id > ? order by id limit ?');
  const quotas = db.prepare<[string], QuotaRow>('select gpu_family, hard_limit, used from gpu_quota where scope_id = ? order by gpu_family');
  const projects = db.prepare<[string, number], { id: string; name: string }>('select id, name from project where tenant_id = ? order by id limit ?');
  const projectCount = db.prepare<[string], { n: number }>('select count(*) as n from project where tenant_id = ?');
  const statements = new Map<string, ReturnType<typeof db.prepare>>();
  const cached = (key: string, sql: () => string) => statements.get(key) ?? statements.set(key, db.prepare(sql())).get(key)!;
  return {
    tenants: (after, n) => tenantsAfter.all(after ?? '', n),
    quotas: (scope) => quotas.all(scope),
    projects: (tenant, n) => projects.all(tenant, n),
    projectCount: (tenant) => projectCount.get(tenant)!.n,
    quotasOf: (ids) =>
      cached(`q${ids.length}`, () => `select scope_id, gpu_family, hard_limit, used from gpu_quota where scope_id in (${inList(ids.length, 0, () => '?')}) order by scope_id, gpu_family`).all(...ids) as QuotaRow[],
    bundlesOf: (ids, n) =>
      cached(
        `b${ids.length}`,
        () => `select project_id, name, version, type from (select project_id, name, version, type, id, row_number() over (partition by project_id order by id) as rn
          from profile_bundle where project_id in (${inList(ids.length, 0, () => '?')})) where rn <= ? order by project_id, id`,
      ).all(...ids, n) as BundleRow[],
  };
}

async function postgres(url: string): Promise<Source> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // named statements: each connection prepares them once
  const q = async <T>(name: string, text: string, values: unknown[]) => (await pool.query<T & QueryResultRow>({ name, text, values })).rows;
  return {
    tenants: (after, n) =>
      after
        ? q('tenants_after', 'select id, name from tenant where id > $1 order by id limit $2', [after, n])
        : q('tenants_first', 'select id, name from tenant order by id limit $1', [n]),
    quotas: (scope) => q<QuotaRow>('quotas', 'select gpu_family, hard_limit, used from gpu_quota where scope_id = $1 order by gpu_family', [scope]),
    projects: (tenant, n) => q('projects', 'select id, name from project where tenant_id = $1 order by id limit $2', [tenant, n]),
    projectCount: async (tenant) => Number((await q<{ n: string }>('project_count', 'select count(*) as n from project where tenant_id = $1', [tenant]))[0].n),
    quotasOf: (ids) => q<QuotaRow>('quotas_of', 'select scope_id, gpu_family, hard_limit, used from gpu_quota where scope_id = any($1::uuid[]) order by scope_id, gpu_family', [ids]),
    bundlesOf: (ids, n) =>
      q<BundleRow>(
        'bundles_of',
        `select project_id, name, version, type from (select project_id, name, version, type, id, row_number() over (partition by project_id order by id) as rn
          from profile_bundle where project_id = any($1::uuid[])) p where rn <= $2 order by project_id, id`,
        [ids, n],
      ),
  };
}

const cursor = (id: string) => Buffer.from(`c1:${id}`, 'utf8').toString('base64url');
const globalId = (kind: string, id: string) => Buffer.from(`sg1:${kind}:${id}`, 'utf8').toString('base64url');
const idOfCursor = (c: string) => Buffer.from(c, 'base64url').toString('utf8').slice(3);
const quota = (r: QuotaRow) => ({ gpuFamily: r.gpu_family, limit: r.hard_limit, used: r.used, available: Math.max(0, r.hard_limit - r.used) });

const db: Source = process.env.DATABASE_URL ? await postgres(process.env.DATABASE_URL) : await sqlite(process.env.DB_FILE!);
const extensions = process.env.PAGE_EXTENSIONS ? (JSON.parse(process.env.PAGE_EXTENSIONS) as Record<string, unknown>) : undefined;

async function page(first: number, after: string | null) {
  const ts = await db.tenants(after ? idOfCursor(after) : null, 2);
  const t = ts[0];
  const edges = [];
  if (t) {
    const ps = await db.projects(t.id, first + 1);
    const shown = ps.slice(0, first);
    const ids = shown.map((p) => p.id);
    const qs = new Map<string, ReturnType<typeof quota>[]>();
    const bs = new Map<string, { name: string; version: number; bundleType: string }[]>();
    const [tenantQuotas, count, quotaRows, bundleRows] = await Promise.all([db.quotas(t.id), db.projectCount(t.id), ids.length ? db.quotasOf(ids) : [], ids.length ? db.bundlesOf(ids, 5) : []]);
    for (const r of quotaRows) (qs.get(r.scope_id!) ?? qs.set(r.scope_id!, []).get(r.scope_id!)!).push(quota(r));
    for (const r of bundleRows) (bs.get(r.project_id) ?? bs.set(r.project_id, []).get(r.project_id)!).push({ name: r.name, version: r.version, bundleType: r.type });
    edges.push({
      cursor: cursor(t.id),
      node: {
        name: t.name,
        gpuQuota: tenantQuotas.map(quota),
        projects: {
          totalCount: count,
          pageInfo: { hasNextPage: ps.length > first, endCursor: shown.length ? cursor(shown[shown.length - 1].id) : null },
          edges: shown.map((p) => ({
            cursor: cursor(p.id),
            node: { id: globalId('Project', p.id), name: p.name, gpuQuota: qs.get(p.id) ?? [], tenant: { name: t.name }, profileBundles: { nodes: bs.get(p.id) ?? [] } },
          })),
        },
      },
    });
  }
  return { data: { tenants: { pageInfo: { hasNextPage: ts.length > 1, endCursor: t ? cursor(t.id) : null }, edges } }, ...(extensions ? { extensions } : {}) };
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/readyz') return void res.end('{"status":"ready"}');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const fail = (e: unknown) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(e) }] }));
    };
    try {
      const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: { first: number; after: string | null } };
      page(variables.first, variables.after).then((p) => {
        const body = JSON.stringify(p);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }, fail);
    } catch (e) {
      fail(e);
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
// stopped by the benchmark: a clean exit, not an error in its log
process.once('SIGTERM', () => server.close(() => process.exit(0)));
