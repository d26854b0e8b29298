/**
 * A fresh PostgreSQL database per benchmark run, created from TEST_DATABASE_URL (or DATABASE_URL
 * when it is a postgres:// URL) and dropped afterwards. Null, with the reason, when none is
 * configured or the server cannot be reached.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface PgDatabase {
  url: string;
  drop(): Promise<void>;
}

export function pgAdminUrl(): string | null {
  const candidates = [process.env.TEST_DATABASE_URL, process.env.DATABASE_URL];
  return candidates.find((u) => u && /^postgres(ql)?:\/\//.test(u)) ?? null;
}

export async function createPgDatabase(): Promise<{ db: PgDatabase } | { skipped: string }> {
  const admin = pgAdminUrl();
  if (!admin) return { skipped: 'neither TEST_DATABASE_URL nor DATABASE_URL is a postgres:// URL (e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres)' };
  const name = `sg_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query(`create database "${name}"`);
  } catch (e) {
    return { skipped: `PostgreSQL at ${new URL(admin).host} is unreachable or refused: ${(e as Error).message}` };
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    db: {
      url: url.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        await c.query(`drop database if exists "${name}" with (force)`);
        await c.end();
      },
    },
  };
}

/** `select version()` and the settings that matter for commit-heavy loads. */
export async function pgInfo(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const v = (await c.query('show server_version')).rows[0].server_version;
    const s = (await c.query(`select name, setting from pg_settings where name in ('synchronous_commit', 'fsync', 'max_connections', 'shared_buffers')`)).rows;
    return `PostgreSQL ${v} (${s.map((r: { name: string; setting: string }) => `${r.name}=${r.setting}`).join(', ')})`;
  } finally {
    await c.end();
  }
}
