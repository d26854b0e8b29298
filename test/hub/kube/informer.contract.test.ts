/**
 * Informers against the simulated hub over real HTTP watches: events, reconnect after the server
 * drops every watch (cleanly or abruptly), re-list after history is compacted (410), periodic resync.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HubInformer, KubeObject } from '../../../src/kube/index.js';
import { eventually, namespace, secret, startTestHub, type TestHub } from './sim.harness.js';

let t: TestHub;
const informers: Array<HubInformer<KubeObject>> = [];
beforeAll(async () => {
  t = await startTestHub();
  await t.adapter.apply(namespace('inf'));
});
afterAll(async () => {
  informers.forEach((i) => i.stop());
  await t?.stop();
});

function track(inf: HubInformer<KubeObject>) {
  informers.push(inf);
  const events: string[] = [];
  for (const e of ['add', 'update', 'delete'] as const) inf.on(e, (o) => events.push(`${e} ${o.metadata.name}`));
  return events;
}

describe('informer on the simulated hub', () => {
  it('should sync and then follow adds, updates and deletes', async () => {
    await t.adapter.apply(secret('inf', 'pre'));
    const inf = t.adapter.informer('Secret', { namespace: 'inf' });
    const events = track(inf);
    inf.start();
    await inf.synced;
    expect(events).toEqual(['add pre']);
    await t.adapter.apply(secret('inf', 'one', { v: '1' }));
    await t.adapter.apply(secret('inf', 'one', { v: '2' }));
    await t.adapter.delete({ kind: 'Secret', namespace: 'inf', name: 'one' });
    await eventually(() => events.includes('delete one'), 'delete event');
    expect(events).toEqual(['add pre', 'add one', 'update one', 'delete one']);
    expect(inf.get('inf', 'pre')).toMatchObject({ apiVersion: 'v1', kind: 'Secret' });
  });

  it.each([
    ['cleanly', false],
    ['abruptly', true],
  ])('should keep following changes after the server drops every watch %s', async (_n, abrupt) => {
    const inf = t.adapter.informer('Secret', { namespace: 'inf', labelSelector: { drop: String(abrupt) } });
    const events = track(inf);
    inf.start();
    await inf.synced;
    for (let round = 0; round < 3; round++) {
      await eventually(() => t.hub.dropWatches(abrupt) > 0 || undefined, 'an open watch to drop');
      await t.adapter.apply(secret('inf', `drop-${abrupt}-${round}`, {}, { drop: String(abrupt) }));
      await eventually(() => events.includes(`add drop-${abrupt}-${round}`), `event after drop ${round}`);
    }
    await t.adapter.apply(secret('inf', 'not-selected', {}, { drop: 'other' }));
    expect(inf.get('inf', 'not-selected')).toBeUndefined();
  });

  it('should re-list when its resourceVersion has been compacted away (410)', async () => {
    // its own hub without bookmarks, so nothing moves the informer's resourceVersion forward unseen
    const quiet = await startTestHub({ bookmarkIntervalMs: 3_600_000 });
    try {
      await quiet.adapter.apply(namespace('inf'));
      const list = vi.spyOn(quiet.adapter, 'list');
      const inf = quiet.adapter.informer('Secret', { namespace: 'inf', labelSelector: 'gone=yes' });
      const events = track(inf);
      inf.start();
      await inf.synced;
      expect(list).toHaveBeenCalledTimes(1);
      await quiet.adapter.apply(secret('inf', 'unseen')); // moves the server past the informer's resourceVersion
      // compact first, then drop: the reconnect must ask for a resourceVersion the server no longer has
      await eventually(() => {
        quiet.hub.compactHistory();
        return quiet.hub.dropWatches() > 0 || undefined;
      }, 'an open watch');
      await eventually(() => list.mock.calls.length >= 2, 're-list after 410');
      await quiet.adapter.apply(secret('inf', 'after-compaction', {}, { gone: 'yes' }));
      await eventually(() => events.includes('add after-compaction'), 'events after the re-list');
    } finally {
      await quiet.stop();
    }
  });

  it('should re-list on its resync period even when nothing breaks', async () => {
    const list = vi.spyOn(t.adapter, 'list');
    const inf = t.adapter.informer('Secret', { namespace: 'inf', resyncMs: 100 });
    track(inf);
    inf.start();
    await inf.synced;
    await eventually(() => list.mock.calls.length >= 3, 'two resyncs');
    list.mockRestore();
  });

  it('should stop cleanly: no events after stop', async () => {
    const inf = t.adapter.informer('Secret', { namespace: 'inf' });
    const events = track(inf);
    inf.start();
    await inf.synced;
    inf.stop();
    const count = events.length;
    await t.adapter.apply(secret('inf', 'after-stop'));
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toHaveLength(count);
  });
});
