/**
 * What a start says about live events: on PostgreSQL (several replicas possible) without REDIS_URL,
 * that they stay local to the replica; with REDIS_URL (the Redis bus shares them), nothing; on
 * SQLite (one process), nothing. Also: a misspelt variable is warned about at start.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startTestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';

async function startLogs(env: Record<string, string>, extra: { redisUrl?: string; warnings?: string[] } = {}): Promise<string[]> {
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', json: true, write: (l) => lines.push(l) });
  const app = await startTestApp({ log, env, configure: (c) => ({ ...c, ...extra }) });
  await app.close();
  return lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
}

describe('start-up messages', () => {
  it(`on ${testDialect()} without REDIS_URL`, async () => {
    const local = (await startLogs({})).filter((m) => m.includes('live events stay local to this replica'));
    expect(local).toHaveLength(testDialect() === 'postgresql' ? 1 : 0);
  });

  it('with REDIS_URL: no warning that live events stay local', async () => {
    const msgs = await startLogs({}, { redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
    expect(msgs.filter((m) => m.includes('live events stay local'))).toEqual([]);
    expect(msgs.filter((m) => m.startsWith('REDIS_URL is not set'))).toEqual([]);
  });

  it('warns about a misspelt variable', async () => {
    const msgs = await startLogs({ WORKFLOW_CONCURENCY: '4' });
    expect(msgs).toContain('unknown variable WORKFLOW_CONCURENCY ignored (did you mean WORKFLOW_CONCURRENCY?)');
  });
});
