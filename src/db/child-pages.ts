/**
 * One SQL statement for the first page of children of many parents (e.g. the projects of 50 tenants),
 * using ROW_NUMBER() per parent — supported by SQLite ≥ 3.25 and PostgreSQL. This is what keeps
 * nested connections from issuing one query per parent (N+1). Pages run either way along the id
 * order: forward (`first`/`after`) or backward (`last`/`before`, each parent's rows newest first).
 */
import type { EntityName } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { isPostgres } from './dialect.js';
import type { Em } from './orm.js';
import { readRows } from './read-rows.js';

export interface ChildPageQuery {
  /** FK column naming the parent, e.g. 'tenant_id' */
  parentColumn: string;
  parentIds: string[];
  /** rows to fetch per parent (page size + 1 to know whether there is a next page) */
  limit: number;
  afterId: string | null;
  beforeId?: string | null;
  /** the rows nearest the end (or beforeId), fetched newest first (Relay `last`) */
  backward?: boolean;
  /** extra filters on the child table */
  where?: (qb: Knex.QueryBuilder) => void;
  /** extra filters in plain SQL (read models): no query builder to build and compile per statement */
  filter?: SqlFilter;
}

/** A condition on the child table in plain SQL: double-quoted identifiers, `?` placeholders. */
export interface SqlFilter {
  sql: string;
  params: unknown[];
}

/** A trusted identifier (table and column names of our own code, never input), double-quoted. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Adds a keyset page's bounds on `"id"` (after / before a cursor) to a plain-SQL where clause. */
export function idWindow(conds: string[], params: unknown[], afterId?: string | null, beforeId?: string | null): void {
  if (afterId) {
    conds.push('"id" > ?');
    params.push(afterId);
  }
  if (beforeId) {
    conds.push('"id" < ?');
    params.push(beforeId);
  }
}

function placeholders(n: number): string {
  return n === 1 ? '?' : `?${', ?'.repeat(n - 1)}`;
}

export async function loadChildPages<E extends object>(em: Em, entity: EntityName<E>, q: ChildPageQuery): Promise<Map<string, E[]>> {
  const meta = em.getMetadata().get(entity as string);
  return loadChildRows(em, meta.tableName, ['*'], q, (row) => readEntity(em, entity, row));
}

/**
 * The same page as plain rows of the given columns (DB names; the parent column and id are always
 * selected), each turned into what the read needs by `read`: for read models, which skip the ORM
 * entity altogether (MikroORM stays for writes).
 */
export async function loadChildRows<T>(em: Em, table: string, columns: string[], q: ChildPageQuery, read: (row: Record<string, unknown>) => T): Promise<Map<string, T[]>> {
  const out = new Map<string, T[]>(q.parentIds.map((id) => [id, []]));
  if (q.parentIds.length === 0) return out;
  const dir = q.backward ? 'desc' : 'asc';
  const cols = columns.includes('*') ? ['*'] : [...new Set([q.parentColumn, 'id', ...columns])];
  const rows = q.where ? await builtPage(em, table, cols, dir, q) : await plainPage(em, table, cols, dir, q);
  for (const row of rows) {
    if ('sg_rn' in row) delete row.sg_rn;
    out.get(String(row[q.parentColumn]))?.push(read(row));
  }
  return out;
}

/**
 * The page statement as plain SQL: the same statement the query builder makes (builtPage), without
 * building and compiling a builder for each of a page's statements.
 */
async function plainPage(em: Em, table: string, cols: string[], dir: 'asc' | 'desc', q: ChildPageQuery): Promise<Record<string, unknown>[]> {
  const list = cols[0] === '*' ? '*' : cols.map(ident).join(', ');
  const parent = ident(q.parentColumn);
  const conds = [`${parent} in (${placeholders(q.parentIds.length)})`];
  const params: unknown[] = [...q.parentIds];
  idWindow(conds, params, q.afterId, q.beforeId);
  if (q.filter) {
    conds.push(`(${q.filter.sql})`);
    params.push(...q.filter.params);
  }
  params.push(q.limit);
  const ranked = `(select ${list}, row_number() over (partition by ${parent} order by "id" ${dir}) as "sg_rn" from ${ident(table)} where ${conds.join(' and ')}) as "sg_page" where "sg_rn" <= ?`;
  const order = `${parent} asc, "id" ${dir}`;
  if (cols[0] === '*' || isPostgres(em)) return readRows(em, `select ${list} from ${ranked} order by ${order}`, params);
  return sqliteJsonPage(em, cols, ranked, order, params);
}

/**
 * The page on SQLite as ONE JSON text (an array of row objects, in page order), parsed with one
 * JSON.parse: better-sqlite3 makes a V8 string per text value and a row object per row, which was
 * most of the statement's cost for a page of versions (300 rows × 7 columns: SQLite itself spends
 * a few hundredths of a millisecond there); SQLite writes the JSON in C and V8's JSON parser makes
 * the same objects cheaper. The values are the same: text stays a string (a JSON column's text
 * too: no JSON subtype on a stored value), integers numbers, NULL null; REALs are written with 17
 * significant digits, so a double reads back the same. PostgreSQL's reads answer JSON already
 * (pg.read.ts), for all of readRows.
 */
async function sqliteJsonPage(em: Em, cols: string[], ranked: string, order: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const fields = cols.map((c) => `'${c.replace(/'/g, "''")}', ${ident(c)}`).join(', ');
  const sql = `select json_group_array(json_object(${fields}) order by ${order}) as "sg_rows" from ${ranked}`;
  const [row] = await readRows<{ sg_rows: string }>(em, sql, params);
  return row ? (JSON.parse(row.sg_rows) as Record<string, unknown>[]) : [];
}

/** The page statement through the query builder, for callers whose filter is a builder callback. */
async function builtPage(em: Em, table: string, cols: string[], dir: 'asc' | 'desc', q: ChildPageQuery): Promise<Record<string, unknown>[]> {
  const knex = em.getKnex();
  const inner = knex(table)
    .select(...cols, knex.raw(`row_number() over (partition by ?? order by ?? ${dir}) as sg_rn`, [q.parentColumn, 'id']))
    .whereIn(q.parentColumn, q.parentIds);
  if (q.afterId) inner.where('id', '>', q.afterId);
  if (q.beforeId) inner.where('id', '<', q.beforeId);
  q.where?.(inner);
  const sql = knex
    .select(...cols)
    .from(inner.as('sg_page'))
    .where('sg_rn', '<=', q.limit)
    .orderBy([q.parentColumn, { column: 'id', order: dir }]);
  return (await em.getConnection().execute(sql)) as Record<string, unknown>[];
}

/**
 * A row of a page, as an entity for reading. `em.map` would also make it managed: register it in
 * the identity map and take its change-tracking snapshot (every JSON column stringified again, the
 * relations cascaded) — most of a nested page's CPU, for entities that pages only ever read. So a
 * row becomes an unmanaged entity, unless the request already manages that one (a mutation's own
 * payload, say): then em.map refreshes and returns the managed instance, as before.
 */
function readEntity<E extends object>(em: Em, entity: EntityName<E>, row: Record<string, unknown>): E {
  const meta = em.getMetadata().get(entity as string);
  const data = em.getDriver().mapResult(row as never, meta as never) as Record<string, unknown>;
  const id = data[meta.primaryKeys[0]];
  if (!meta.simplePK || em.getUnitOfWork().getById(meta.className, id as never)) return em.map(entity, row as never);
  return em.getEntityFactory().create(entity, data as never, { merge: false, refresh: true, convertCustomTypes: true });
}

/** Counts children per parent in one statement. */
export async function countChildren(
  em: Em,
  entity: EntityName<object>,
  parentColumn: string,
  parentIds: string[],
  where?: ((qb: Knex.QueryBuilder) => void) | SqlFilter,
): Promise<Map<string, number>> {
  const out = new Map<string, number>(parentIds.map((id) => [id, 0]));
  if (parentIds.length === 0) return out;
  const meta = em.getMetadata().get(entity as string);
  let rows: Record<string, unknown>[];
  if (typeof where === 'function') {
    const qb = em.getKnex()(meta.tableName).select(parentColumn).count({ n: '*' }).whereIn(parentColumn, parentIds).groupBy(parentColumn);
    where(qb);
    rows = (await em.getConnection().execute(qb)) as Record<string, unknown>[];
  } else {
    // plain SQL, as plainPage
    const parent = ident(parentColumn);
    const cond = where ? ` and (${where.sql})` : '';
    const sql = `select ${parent}, count(*) as "n" from ${ident(meta.tableName)} where ${parent} in (${placeholders(parentIds.length)})${cond} group by ${parent}`;
    rows = await readRows(em, sql, [...parentIds, ...(where?.params ?? [])]);
  }
  for (const r of rows) out.set(String(r[parentColumn]), Number(r.n));
  return out;
}
