/**
 * Column values of plain rows read for the graph (read models), in the JavaScript types the
 * entities would hold — without making an entity: no identity map, no change-tracking snapshot,
 * no relation references. SQLite keeps booleans as 0/1, timestamps as epoch milliseconds and JSON
 * as text; PostgreSQL answers booleans, timestamps as text (MikroORM's setting) and parsed jsonb.
 */
import type { Em } from './orm.js';

export function boolOf(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

export function dateOf(em: Em, v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) return new Date(Number(v));
  return em.getPlatform().parseDate(v as string) as Date;
}

/** A JSON column (object or array): SQLite answers its text. */
export function jsonOf<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
