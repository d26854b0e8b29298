/**
 * The window between "the API is served" and "the hub is connected" (app.ts connects the hub after the
 * server listens). While it lasts, /readyz says `"hub": "connecting"`, queries and mutations are
 * answered, and a mutation that needs the hub records its workflow job, which the runner takes up once
 * the hub is there. The test holds the window open through `beforeHub`, on a database seeded by an
 * earlier start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { waitForPoolPhase } from '../helpers/compute.js';
import { createTestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/free-port.js';
import { gqlRequest, ok } from '../helpers/graphql.js';
import { gpuWorker, poolWorld, type PoolWorld } from '../helpers/pools.js';
import { uniq } from '../helpers/seed.js';

// two starts share the database: on SQLite a file (the test helper's databases are in memory)
const database = await createTestDatabase();
const dir = mkdtempSync(join(tmpdir(), 'sg-connecting-'));
const db = database.db.kind === 'sqlite' ? { kind: 'sqlite' as const, file: join(dir, 'gateway.db') } : database.db;
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const CREATE_POOL = `mutation($input: CreateComputePoolInput!) {
  createComputePool(input: $input) { computePool { id phase } userErrors { field message code } }
}`;

async function readyz(base: string): Promise<{ status: number; body: unknown } | null> {
  try {
    const res = await fetch(`${base}/readyz`);
    return { status: res.status, body: await res.json() };
  } catch {
    return null; // not listening yet
  }
}

describe('the API before the hub is connected', () => {
  it('is ready with "hub": "connecting", answers, records hub work and runs it once the hub is there', async () => {
    const token = 'sg_test_connecting_' + 'x'.repeat(24);
    const env = { BOOTSTRAP_ADMIN_TOKEN: token };
    const first = await startTestApp({ env, configure: (c) => ({ ...c, db }) });
    let w: PoolWorld;
    try {
      w = await poolWorld(first);
    } finally {
      await first.stop(); // keeps the database (close() would drop it)
    }

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reachedHub = false;
    const starting = startTestApp({
      env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
      configure: (c) => ({ ...c, db }),
      beforeHub: async () => {
        reachedHub = true;
        await held;
      },
    });
    let app: TestApp | null = null;
    try {
      const deadline = Date.now() + 30_000;
      while (!reachedHub && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(reachedHub).toBe(true);
      expect(await readyz(base)).toEqual({ status: 200, body: { status: 'ready', hub: 'connecting' } });

      const url = `${base}/graphql`;
      expect(ok(await gqlRequest(url, '{ viewer { isPlatformAdmin } }', {}, token))).toEqual({ viewer: { isPlatformAdmin: true } });
      const created = ok(
        await gqlRequest<any>(
          url,
          CREATE_POOL,
          {
            input: {
              projectId: w.project.id,
              name: uniq('pool'),
              mode: 'DEDICATED',
              infrastructureBundleId: w.bundle,
              nodeRequirements: { controlPlane: { nodeCount: 1 }, workerPools: gpuWorker(1) },
            },
          },
          token,
        ),
      ).createComputePool;
      expect(created.userErrors).toEqual([]);
      const poolId: string = created.computePool.id;
      // nothing runs while the hub is not connected: the job waits
      await new Promise((r) => setTimeout(r, 300));
      const still = ok(await gqlRequest<any>(url, `query($id: ID!) { node(id: $id) { ... on ComputePool { phase } } }`, { id: poolId }, token)).node;
      expect(still.phase).toBe(created.computePool.phase);
      expect((await readyz(base))?.body).toEqual({ status: 'ready', hub: 'connecting' });

      release();
      app = await starting;
      expect(app.port).toBe(port);
      expect(await readyz(base)).toEqual({ status: 200, body: { status: 'ready' } });
      expect((await waitForPoolPhase(app, poolId, ['RUNNING'], 60_000)).phase).toBe('RUNNING');
    } finally {
      release();
      const started = app ?? (await starting.catch(() => null));
      await started?.stop();
    }
  });
});
