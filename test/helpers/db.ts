/**
 * A fresh database per test app: SQLite in memory, or (when the suite runs its PostgreSQL project)
 * a new PostgreSQL database created from TEST_DATABASE_URL and dropped afterwards, so test files
 * run in parallel without sharing state.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Config } from '../../src/config.js';

export type TestDialect = 'sqlite' | 'postgresql';

export function testDialect(): TestDialect {
  return process.env.DB === 'postgresql' ? 'postgresql' : 'sqlite';
}

export interface TestDatabase {
  db: Config['db'];
  drop(): Promise<void>;
}

/**
 * PostgreSQL only: the database goes away under a running gateway, as in an outage — it refuses new
 * connections and its sessions are ended. (Closing the ORM instead races knex's pool teardown with
 * the runner's next claim: an acquire that slips in while the pool is being destroyed hangs for the
 * acquire timeout.) drop() still works afterwards.
 */
export async function cutOffPostgres(url: string): Promise<void> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('cutOffPostgres needs TEST_DATABASE_URL');
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`alter database "${name}" allow_connections false`);
    await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  } finally {
    await c.end();
  }
}

export async function createTestDatabase(dialect: TestDialect = testDialect()): Promise<TestDatabase> {
  if (dialect === 'sqlite') return { db: { kind: 'sqlite', file: ':memory:' }, drop: async () => undefined };
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('DB=postgresql needs TEST_DATABASE_URL');
  const name = `sg_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database "${name}"`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    db: { kind: 'postgresql', url: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}
