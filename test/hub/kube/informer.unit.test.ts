/**
 * HubInformer's restart logic against a scripted source (no HTTP): silent watches cured by resync,
 * backoff after errors, re-list after 410, nothing restarts after stop.
 */
import { describe, expect, it } from 'vitest';
import { HubInformer, waitForObject, type Aborter, type InformerSource, type KubeObject } from '../../../src/kube/index.js';
import { silentLogger } from '../../../src/logger.js';
import { eventually } from './sim.harness.js';

const obj = (name: string, rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns', resourceVersion: rv } });

interface WatchCall {
  rv: string;
  onEvent: (type: string, obj: unknown) => void;
  onDone: (err: unknown) => void;
  aborted: boolean;
}

function fakeSource(initial: KubeObject[] = []) {
  const state = { items: initial, rv: '10', lists: 0, listFailures: 0, watches: [] as WatchCall[], watchDelay: undefined as Promise<void> | undefined };
  const source: InformerSource<KubeObject> = {
    name: 'fake',
    list: async () => {
      state.lists++;
      if (state.listFailures > 0) {
        state.listFailures--;
        throw new Error('list failed');
      }
      return { items: state.items.map((i) => structuredClone(i)), resourceVersion: state.rv };
    },
    watch: async (rv, onEvent, onDone): Promise<Aborter> => {
      const call: WatchCall = { rv, onEvent, onDone, aborted: false };
      state.watches.push(call);
      if (state.watchDelay) await state.watchDelay;
      return { abort: () => (call.aborted = true) };
    },
    normalize: (o) => o as KubeObject,
  };
  return { state, source };
}

const lastWatch = (s: { watches: WatchCall[] }) => s.watches[s.watches.length - 1];
const informer = (source: InformerSource<KubeObject>, resyncMs = 60_000) =>
  new HubInformer(source, { logger: silentLogger, resyncMs, backoff: { baseMs: 5, maxMs: 20 } });

describe('HubInformer', () => {
  it('should list, emit adds, and apply watch events to its cache', async () => {
    const { state, source } = fakeSource([obj('a', '1')]);
    const inf = informer(source);
    const events: string[] = [];
    inf.on('add', (o) => events.push(`add ${o.metadata.name}`));
    inf.on('update', (o, old) => events.push(`update ${o.metadata.name} ${old?.metadata.resourceVersion}->${o.metadata.resourceVersion}`));
    inf.on('delete', (o) => events.push(`delete ${o.metadata.name}`));
    inf.start();
    await inf.synced;
    await eventually(() => state.watches.length === 1, 'watch');
    expect(lastWatch(state).rv).toBe('10');
    lastWatch(state).onEvent('ADDED', obj('b', '11'));
    lastWatch(state).onEvent('MODIFIED', obj('a', '12'));
    lastWatch(state).onEvent('MODIFIED', obj('a', '12')); // same RV: no event
    lastWatch(state).onEvent('BOOKMARK', { metadata: { resourceVersion: '15' } });
    lastWatch(state).onEvent('DELETED', obj('b', '16'));
    expect(events).toEqual(['add a', 'add b', 'update a 1->12', 'delete b']);
    expect(inf.list().map((o) => o.metadata.name)).toEqual(['a']);
    expect(inf.get('ns', 'a')?.metadata.resourceVersion).toBe('12');
    // a clean close resumes from the last resourceVersion seen, without a re-list
    lastWatch(state).onDone(null);
    await eventually(() => state.watches.length === 2, 'rewatch');
    expect(lastWatch(state).rv).toBe('16');
    expect(state.lists).toBe(1);
    inf.stop();
  });

  it('should re-list on a timer, so a silent watch cannot hide changes', async () => {
    const { state, source } = fakeSource([obj('a', '1'), obj('b', '1')]);
    const inf = informer(source, 50);
    const events: string[] = [];
    for (const e of ['add', 'update', 'delete'] as const) inf.on(e, (o) => events.push(`${e} ${o.metadata.name}`));
    inf.start();
    await inf.synced;
    state.items = [obj('a', '2'), obj('c', '1')]; // the watch says nothing about this
    state.rv = '20';
    await eventually(() => inf.get('ns', 'c'), 'resync');
    expect(events).toEqual(['add a', 'add b', 'update a', 'add c', 'delete b']);
    expect(inf.get('ns', 'b')).toBeUndefined();
    await eventually(() => lastWatch(state).rv === '20', 'watch restarted from the new list');
    expect(state.watches.slice(0, -1).every((w) => w.aborted)).toBe(true);
    inf.stop();
  });

  it.each([
    ['an in-stream 410 ERROR', (w: WatchCall) => w.onEvent('ERROR', { kind: 'Status', code: 410, reason: 'Expired' })],
    ['an HTTP 410', (w: WatchCall) => w.onDone(Object.assign(new Error('Gone'), { statusCode: 410 }))],
  ])('should re-list after %s', async (_n, fail) => {
    const { state, source } = fakeSource([obj('a', '1')]);
    const inf = informer(source);
    inf.start();
    await eventually(() => state.watches.length === 1, 'watch');
    state.items = [];
    fail(lastWatch(state));
    await eventually(() => state.lists === 2 && state.watches.length === 2, 're-list and watch');
    expect(inf.list()).toEqual([]);
    inf.stop();
  });

  it('should back off and resume the watch after other errors, without re-listing', async () => {
    const { state, source } = fakeSource();
    const inf = informer(source);
    inf.start();
    await eventually(() => state.watches.length === 1, 'watch');
    for (let i = 1; i <= 3; i++) {
      lastWatch(state).onDone(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      await eventually(() => state.watches.length === i + 1, `restart ${i}`);
    }
    lastWatch(state).onEvent('ERROR', { kind: 'Status', code: 500, reason: 'InternalError' });
    await eventually(() => state.watches.length === 5, 'restart after an in-stream error');
    expect(state.lists).toBe(1);
    inf.stop();
  });

  it('should retry a failed list and resolve synced once it succeeds', async () => {
    const { state, source } = fakeSource([obj('a', '1')]);
    state.listFailures = 2;
    const inf = informer(source);
    inf.start();
    await inf.synced;
    expect(state.lists).toBe(3);
    expect(inf.list()).toHaveLength(1);
    inf.stop();
  });

  it('should ignore completions after stop (the AbortError of its own abort) and abort a watch that connects late', async () => {
    const { state, source } = fakeSource();
    let connect!: () => void;
    state.watchDelay = new Promise((r) => (connect = r));
    const inf = informer(source);
    inf.start();
    await eventually(() => state.watches.length === 1, 'watch requested');
    inf.stop();
    connect();
    await eventually(() => lastWatch(state).aborted, 'late watch aborted');
    lastWatch(state).onDone(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(state.watches).toHaveLength(1);
    expect(state.lists).toBe(1);
  });

  it('should keep delivering to other handlers when one throws', async () => {
    const { source } = fakeSource([obj('a', '1')]);
    const inf = informer(source);
    const seen: string[] = [];
    inf.on('add', () => {
      throw new Error('handler bug');
    });
    inf.on('add', (o) => seen.push(o.metadata.name));
    inf.start();
    await inf.synced;
    expect(seen).toEqual(['a']);
    inf.stop();
  });

  it('should wait for an object to reach a state, and time out otherwise', async () => {
    const { state, source } = fakeSource([obj('a', '1')]);
    const inf = informer(source);
    inf.start();
    await eventually(() => state.watches.length === 1, 'watch');
    const ready = waitForObject(inf, 'ns', 'a', (o) => o?.metadata.resourceVersion === '5', 5_000);
    const gone = waitForObject(inf, 'ns', 'a', (o) => o === undefined, 5_000);
    lastWatch(state).onEvent('MODIFIED', obj('a', '5'));
    await expect(ready).resolves.toMatchObject({ metadata: { resourceVersion: '5' } });
    lastWatch(state).onEvent('DELETED', obj('a', '6'));
    await expect(gone).resolves.toBeUndefined();
    await expect(waitForObject(inf, 'ns', 'never', (o) => Boolean(o), 50)).rejects.toThrow(/timed out/);
    inf.stop();
  });
});
