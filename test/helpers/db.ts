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
