/**
 * The runner's writes of a subject's row (phase, progress and wait columns) as plain SQL with bound
 * parameters, instead of `em.nativeUpdate`: several per step, each built through a query builder and
 * its values written into the SQL text, so SQLite parsed every one again. Same statement otherwise
 * (the columns given, no `updated_at`, the same guard). Values that are not plain scalars (JSON,
 * arrays: none of the runner's) go through `nativeUpdate`, which knows how to convert them.
 */
import type { EntityName } from '@mikro-orm/core';
import type { Em } from '../db/orm.js';
import { driverTxOf } from '../db/driver.sql.js';
import { runBound } from '../db/sql.js';

const isScalar = (v: unknown): boolean => v === null || v instanceof Date || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));

/** SQL texts by entity and the property names set and guarded (a handful per flow). */
const texts = new Map<string, string>();

/** `update <subject> set … where id = ? [and <guard> = ?]`: the number of rows it changed. */
export async function updateSubject<E extends object>(em: Em, entity: EntityName<E>, id: string, values: Record<string, unknown>, guard: Record<string, unknown> = {}): Promise<number> {
  const set = Object.keys(values);
  const where = Object.keys(guard);
  // numbers only as integers: SQLite binds them as REAL, which an integer column stores as an integer
  if (!set.length || !Object.values(values).every(isScalar) || !Object.values(guard).every(isScalar)) {
    // (the query builder would run outside a driver transaction)
    if (driverTxOf(em)) throw new Error(`updateSubject: ${set.join(', ')} need the ORM's conversions, inside a plain transaction`);
    return em.nativeUpdate(entity, { id, ...guard } as never, values as never);
  }
  const meta = em.getMetadata().find(entity)!;
  const key = `${meta.className}|${set.join(',')}|${where.join(',')}`;
  let sql = texts.get(key);
  if (sql === undefined) {
    const column = (prop: string) => {
      const p = meta.properties[prop as keyof typeof meta.properties];
      if (!p?.fieldNames?.length) throw new Error(`${meta.className}.${prop} is no column`);
      return `"${p.fieldNames[0]}"`;
    };
    sql = `update "${meta.tableName}" set ${set.map((p) => `${column(p)} = ?`).join(', ')} where "id" = ?${where.map((p) => ` and ${column(p)} = ?`).join('')}`;
    texts.set(key, sql);
  }
  return runBound(em, sql, [...Object.values(values), id, ...Object.values(guard)]);
}
