/**
 * Raw statements for the few places the ORM's unit of work cannot express a guarded write
 * (conditional UPDATE … WHERE used + n <= limit). They run through MikroORM's connection so they
 * join the EntityManager's transaction and are logged like every other query.
 */
import type { Knex } from '@mikro-orm/knex';
import type { Em } from './orm.js';

export function knexOf(em: Em): Knex {
  return em.getKnex();
}

/** Runs an INSERT/UPDATE/DELETE; returns the number of affected rows. */
export async function run(em: Em, qb: Knex.QueryBuilder | Knex.Raw): Promise<number> {
  const res = (await em.getConnection().execute(qb as never, [], 'run', em.getTransactionContext())) as { affectedRows: number };
  return res.affectedRows;
}

/** Runs a SELECT; returns plain rows (DB column names). */
export async function all<T = Record<string, unknown>>(em: Em, qb: Knex.QueryBuilder | Knex.Raw): Promise<T[]> {
  return (await em.getConnection().execute(qb as never, [], 'all', em.getTransactionContext())) as T[];
}
