/**
 * Plain reads on PostgreSQL (read-rows.ts `readRows` outside a transaction): named prepared
 * statements with bound parameters, whose rows come back as JSON text, and the reads one request
 * starts in the same turn of the event loop (the DataLoaders of one level of a query: a page's
 * quotas, projects and their count, say) sent as one statement, one round trip.
 *
 * Why: per statement, the pg driver decodes every column of every row (a DataRow message per row, a
 * string sliced per column, an object built field by field), and every statement costs a pooled
 * connection's acquire and release, the protocol messages both ways, a socket write and read, and
 * the promises between them. That was most of what a nested page cost more on PostgreSQL than on
 * SQLite (bench/README.md, branch `pagepg`). Each read still reaches MikroORM's query log on its
 * own (readRows), so the debug log and the tests' statement counts see the same statements.
 */

/** What these reads need of knex's PostgreSQL client (its pool and the pg connections in it). */
export interface PgClientLike {
  acquireConnection(): Promise<{ query(q: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }> }>;
  releaseConnection(c: unknown): Promise<unknown>;
}

interface Queued {
  sql: string;
  params: unknown[];
  /** the read's rows as JSON text (each reader parses its own copy) */
  resolve(json: string): void;
  reject(e: unknown): void;
}

interface Statement {
  name: string | undefined;
  text: string;
}

/** Prepared statements by the `?` SQL of their reads (one read, or several sent together), bounded. */
const statements = new Map<string, Statement>();
const MAX_NAMED = 256;
/** Reads sent together at most (their parameters add up; a DataLoader batch holds up to 500 ids). */
const MAX_TOGETHER = 16;

/**
 * One read as a column of JSON text: its rows as an array, in the read's own order. `json_agg`
 * over an ordered subquery aggregates in the subquery's order (PostgreSQL's "sorted subquery" form,
 * which PostGraphile relies on too). The values are what the row readers (read-rows.ts helpers)
 * take in either dialect: timestamps as ISO 8601 text, booleans, numbers (counts too), jsonb as JSON.
 */
function jsonColumn(text: string, i: number): string {
  return `(select coalesce(json_agg("sg_row"), '[]') from (${text}) as "sg_row")::text as "r${i}"`;
}

function statementOf(reads: readonly Queued[]): Statement {
  const key = reads.length === 1 ? reads[0].sql : reads.map((r) => r.sql).join('\u0000');
  let st = statements.get(key);
  if (!st) {
    let n = 0;
    // our read SQL has no `?` inside literals or identifiers; the parameters follow each other
    const columns = reads.map((r, i) => jsonColumn(r.sql.replace(/\?/g, () => `$${++n}`), i));
    // past the cap, new shapes run unnamed (parsed each time), so the names per connection stay bounded
    st = { name: statements.size < MAX_NAMED ? `sg_read_${statements.size}` : undefined, text: `select ${columns.join(', ')}` };
    statements.set(key, st);
  }
  return st;
}

async function run(client: PgClientLike, reads: readonly Queued[]): Promise<string[]> {
  const st = statementOf(reads);
  const values = reads.length === 1 ? reads[0].params : reads.flatMap((r) => r.params);
  const c = await client.acquireConnection();
  let row: Record<string, string>;
  try {
    row = (await c.query(st.name ? { name: st.name, text: st.text, values } : { text: st.text, values })).rows[0] as Record<string, string>;
  } finally {
    await client.releaseConnection(c);
  }
  return reads.map((_, i) => row[`r${i}`]);
}

/** The reads waiting for the end of this turn, per request (its EntityManager). */
const waiting = new WeakMap<object, Queued[]>();

function send(client: PgClientLike, reads: Queued[]): void {
  for (let i = 0; i < reads.length; i += MAX_TOGETHER) {
    const group = reads.slice(i, i + MAX_TOGETHER);
    run(client, group).then(
      (results) => group.forEach((r, k) => r.resolve(results[k])),
      (e: unknown) => {
        if (group.length === 1) return group[0].reject(e);
        // one statement failed for all: each read again on its own, so each gets its own answer or error
        for (const r of group) run(client, [r]).then((res) => r.resolve(res[0]), r.reject);
      },
    );
  }
}

/**
 * A `select *` read as the driver's rows (its callers make entities of them, and the ORM's mapping
 * takes the driver's values), unnamed: a prepared plan refuses to run once a migration changed the
 * columns. Not sent together with others.
 */
export async function pgReadRows<T>(client: PgClientLike, sql: string, params: unknown[]): Promise<T[]> {
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  const c = await client.acquireConnection();
  try {
    return (await c.query({ text, values: params })).rows as T[];
  } finally {
    await client.releaseConnection(c);
  }
}

/**
 * A read (`?` placeholders) for the request `owner`, answered as plain rows. Sent at the end of the
 * current turn (setImmediate: after the DataLoaders of this level have all dispatched their
 * batches) together with the request's other reads of the turn.
 */
export function pgRead<T>(owner: object, client: PgClientLike, sql: string, params: unknown[]): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) => {
    const q = waiting.get(owner);
    const read: Queued = { sql, params, resolve: (json) => resolve(JSON.parse(json) as T[]), reject };
    if (q) {
      q.push(read);
      return;
    }
    const reads = [read];
    waiting.set(owner, reads);
    setImmediate(() => {
      waiting.delete(owner);
      send(client, reads);
    });
  });
}

/**
 * Shared reads waiting for the end of this turn, of every request: by SQL and parameters, each with
 * the readers that asked for exactly it.
 */
const sharedWaiting = new WeakMap<PgClientLike, Map<string, Queued & { readers: Queued[] }>>();

/**
 * A read whose answer does not depend on who asks (a token by its hash, a project, a pool, bundle
 * versions by id; no transaction): the same read started by any number of requests in the same turn
 * is ONE read, and the distinct shared reads of the turn go as one statement (as pgRead's of one
 * request). Each reader gets its own rows (its own JSON.parse), so no request can change another's.
 *
 * Why: under a burst of similar calls (an admission storm: every call reads the same token, project,
 * pool and bundles) each read was a statement per call — a pooled connection, a socket write and
 * read, the protocol messages — about a third of the gateway's CPU per admission. Sharing it is as
 * fresh as reading it alone: the statement is sent after every reader asked (setImmediate), so it
 * sees everything committed before any of them started the read (a revoked token is refused alike).
 */
export function pgReadShared<T>(client: PgClientLike, sql: string, params: unknown[]): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) => {
    const reader: Queued = { sql, params, resolve: (json) => resolve(JSON.parse(json) as T[]), reject };
    const key = `${sql}\u0000${JSON.stringify(params)}`;
    // per client (database): two apps in one process never share
    let turn = sharedWaiting.get(client);
    if (!turn) {
      const reads = (turn = new Map());
      sharedWaiting.set(client, reads);
      setImmediate(() => {
        sharedWaiting.delete(client);
        send(client, [...reads.values()]);
      });
    }
    const same = turn.get(key);
    if (same) return void same.readers.push(reader);
    const readers = [reader];
    turn.set(key, {
      sql,
      params,
      readers,
      resolve: (json) => readers.forEach((r) => r.resolve(json)),
      reject: (e) => readers.forEach((r) => r.reject(e)),
    });
  });
}
