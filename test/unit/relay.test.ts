/** Relay conventions: opaque global IDs and keyset cursors. */
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/db/ids.js';
import { ValidationError } from '../../src/errors.js';
import { connectionOf, DEFAULT_PAGE, decodeCursor, encodeCursor, MAX_PAGE, pageRequest, toPage, type ConnectionShape } from '../../src/graphql/relay/connection.js';
import { fromGlobalId, NodeKind, parseGlobalId, toGlobalId } from '../../src/graphql/relay/global-id.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

describe('global IDs', () => {
  it.each(Object.values(NodeKind))('round-trips a %s id and is opaque (no raw uuid or kind in clear)', (kind) => {
    const id = uuidv7();
    const g = toGlobalId(kind, id);
    expect(g).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(g).not.toContain(id);
    expect(g).not.toContain(kind);
    expect(parseGlobalId(g)).toEqual({ kind, id });
    expect(fromGlobalId(g, kind)).toBe(id);
  });

  it('differs per kind for the same row id', () => {
    const id = uuidv7();
    expect(toGlobalId(NodeKind.Tenant, id)).not.toBe(toGlobalId(NodeKind.Project, id));
  });

  it.each([
    ['', 'empty'],
    ['!!!', 'not base64url'],
    ['abc def', 'space'],
    ['a'.repeat(201), 'too long'],
    [b64('sg1:Tenant:not-a-uuid'), 'not a uuid'],
    [b64(`sg1:Tenant:${uuidv7()}:x`), 'extra part'],
    [b64(`sg1:Tenant:${uuidv7().toUpperCase()}`), 'upper-case uuid'],
    [b64(`sg1:tenant:${uuidv7()}`), 'unknown kind (case)'],
    [b64(`sg1:Nope:${uuidv7()}`), 'unknown kind'],
    [b64(`sg2:Tenant:${uuidv7()}`), 'other prefix'],
    [b64(`Tenant:${uuidv7()}`), 'no prefix'],
    [b64(`sg1::${uuidv7()}`), 'no kind'],
    [b64('sg1:Tenant:'), 'no id'],
    [uuidv7(), 'a raw uuid'],
    [b64(`sg1:__proto__:${uuidv7()}`), 'prototype key as kind'],
  ])('parseGlobalId(%j) is null (%s)', (g) => {
    expect(parseGlobalId(g)).toBeNull();
  });

  it('parseGlobalId never throws on non-strings', () => {
    for (const v of [null, undefined, 42, {}, []]) expect(parseGlobalId(v as unknown as string)).toBeNull();
  });

  it('fromGlobalId refuses a malformed ID or one of another kind with INVALID_ID on the given field', () => {
    const project = toGlobalId(NodeKind.Project, uuidv7());
    for (const g of ['garbage', project]) {
      let err: unknown;
      try {
        fromGlobalId(g, NodeKind.Tenant, ['input', 'tenantId']);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).toMatchObject({ code: 'INVALID_ID', field: ['input', 'tenantId'], message: 'Not a valid Tenant ID' });
    }
  });
});

describe('cursors', () => {
  it('round-trip and are opaque', () => {
    const id = uuidv7();
    const c = encodeCursor(id);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(c).not.toContain(id);
    expect(decodeCursor(c)).toBe(id);
  });

  it.each([
    '',
    'garbage',
    'x'.repeat(201),
    b64('c1:not-a-uuid'),
    b64(`c2:${uuidv7()}`),
    b64(uuidv7()),
    toGlobalId(NodeKind.Tenant, uuidv7()),
    'a+b/c=',
  ])('decodeCursor(%j) is an INVALID_INPUT on after', (c) => {
    expect(() => decodeCursor(c)).toThrow(ValidationError);
    try {
      decodeCursor(c);
    } catch (e) {
      expect(e).toMatchObject({ code: 'INVALID_INPUT', field: ['after'] });
    }
  });

  it.each([
    [{}, DEFAULT_PAGE],
    [{ first: null }, DEFAULT_PAGE],
    [{ first: 1 }, 1],
    [{ first: MAX_PAGE }, MAX_PAGE],
  ])('pageRequest(%j).first = %d', (args, first) => {
    expect(pageRequest(args)).toEqual({ first, afterId: null, beforeId: null, backward: false });
  });

  it.each([0, -1, MAX_PAGE + 1, 1.5, Number.NaN])('pageRequest refuses first: %d', (first) => {
    expect(() => pageRequest({ first })).toThrow(/first must be between 1 and 100/);
  });

  it('pageRequest decodes after', () => {
    const id = uuidv7();
    expect(pageRequest({ first: 5, after: encodeCursor(id) })).toEqual({ first: 5, afterId: id, beforeId: null, backward: false });
  });
});

describe('toPage and connectionOf', () => {
  const rows = (n: number) => Array.from({ length: n }, () => ({ id: uuidv7() }));
  const fwd = (first: number) => ({ first, afterId: null, beforeId: null, backward: false });

  it('fetching first+1 rows tells whether there is a next page', () => {
    const r = rows(4);
    expect(toPage(r, fwd(3), async () => 9)).toMatchObject({ items: r.slice(0, 3), hasNextPage: true });
    expect(toPage(r.slice(0, 3), fwd(3), async () => 3)).toMatchObject({ items: r.slice(0, 3), hasNextPage: false });
    expect(toPage([], fwd(3), async () => 0)).toMatchObject({ items: [], hasNextPage: false });
  });

  it('builds edges with cursors, nodes and pageInfo; the total is counted lazily', async () => {
    class Conn implements ConnectionShape<string> {
      edges!: { cursor: string; node: string }[];
      nodes!: string[];
      pageInfo!: ConnectionShape<string>['pageInfo'];
      countFn!: () => Promise<number>;
    }
    let counted = 0;
    const r = rows(3);
    const conn = connectionOf(Conn, toPage(r, fwd(2), async () => ++counted && 42), (e) => `n:${e.id}`);
    expect(conn.nodes).toEqual([`n:${r[0].id}`, `n:${r[1].id}`]);
    expect(conn.edges.map((e) => decodeCursor(e.cursor))).toEqual([r[0].id, r[1].id]);
    expect(conn.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: conn.edges[0].cursor, endCursor: conn.edges[1].cursor });
    expect(counted).toBe(0);
    expect(await conn.countFn()).toBe(42);
    const empty = connectionOf(Conn, toPage([], fwd(2), async () => 0), String);
    expect(empty.pageInfo).toMatchObject({ hasNextPage: false, startCursor: null, endCursor: null });
  });

  it('pages backward: rows fetched newest first come back oldest first, the extra row means a previous page', () => {
    const r = rows(4);
    const desc = [...r].reverse();
    const page = { first: 3, afterId: null, beforeId: null, backward: true };
    expect(toPage(desc, page, async () => 4)).toMatchObject({ items: [r[1], r[2], r[3]], hasPreviousPage: true, hasNextPage: false });
    expect(toPage(desc.slice(0, 3), page, async () => 3)).toMatchObject({ items: [r[1], r[2], r[3]], hasPreviousPage: false });
    expect(toPage(desc.slice(1), { ...page, beforeId: r[3].id }, async () => 4)).toMatchObject({ items: [r[0], r[1], r[2]], hasPreviousPage: false, hasNextPage: true });
    expect(toPage(r.slice(1), { ...fwd(3), afterId: r[0].id }, async () => 4)).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });
});

describe('last/before', () => {
  it('pageRequest takes last and before', () => {
    const id = uuidv7();
    expect(pageRequest({ last: 5, before: encodeCursor(id) })).toEqual({ first: 5, afterId: null, beforeId: id, backward: true });
    expect(pageRequest({ last: null })).toMatchObject({ first: DEFAULT_PAGE, backward: false });
  });

  it.each([
    [{ first: 2, last: 2 }, 'last', /first or last, not both/],
    [{ last: 0 }, 'last', /last must be between 1 and 100/],
    [{ last: MAX_PAGE + 1 }, 'last', /last must be between 1 and 100/],
    [{ before: 'garbage' }, 'before', /Invalid cursor/],
  ])('pageRequest(%j) is an INVALID_INPUT on %s', (args, field, message) => {
    expect(() => pageRequest(args)).toThrow(message);
    try {
      pageRequest(args);
    } catch (e) {
      expect(e).toMatchObject({ code: 'INVALID_INPUT', field: [field] });
    }
  });
});
