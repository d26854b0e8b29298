/**
 * A hub that cannot be set up (here: the embedded simulator's port is taken) fails the start,
 * although the API is already served by then
 * (app.ts connects the hub after the server listens): the start rejects, the port it listened on is
 * closed again, and the database is left as a next start needs it (the start-up lock released).
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';

function listening(port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer((c) => c.destroy());
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}
const portOf = (s: net.Server): number => (s.address() as net.AddressInfo).port;
const close = (s: net.Server): Promise<void> => new Promise((r) => s.close(() => r()));

async function freePort(): Promise<number> {
  const s = await listening();
  const port = portOf(s);
  await close(s);
  return port;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(false)));
    c.once('error', () => resolve(true));
  });
}

const database = await createTestDatabase();
afterAll(() => database.drop());

describe('a hub that cannot be set up', () => {
  it('fails the start, closes the API port again and leaves the database to the next start', async () => {
    // one admin token for both starts: the first one already bootstrapped the database
    const token = 'sg_test_hubfail_' + 'x'.repeat(24);
    const taken = await listening();
    const port = await freePort();
    try {
      await expect(
        startTestApp({ env: { PORT: String(port), SIM_PORT: String(portOf(taken)), BOOTSTRAP_ADMIN_TOKEN: token }, configure: (c) => ({ ...c, db: database.db }) }),
      ).rejects.toThrow(/EADDRINUSE|address already in use/i);
      expect(await refused(port)).toBe(true);
    } finally {
      await close(taken);
    }
    // same database, a hub that connects: the start goes through
    const app = await startTestApp({ env: { BOOTSTRAP_ADMIN_TOKEN: token }, configure: (c) => ({ ...c, db: database.db }) });
    try {
      const res = await fetch(app.url.replace(/\/graphql$/, '/readyz'));
      expect(await res.json()).toEqual({ status: 'ready' });
      expect(await app.q('{ viewer { isPlatformAdmin } }', {}, token)).toEqual({ viewer: { isPlatformAdmin: true } });
    } finally {
      await app.close();
    }
  });
});
