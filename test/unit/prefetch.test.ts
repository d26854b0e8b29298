/**
 * graphql/prefetch.ts loads, when a connection has its page, what the query asks of the page's
 * nodes, so their field resolvers find plain values (db/loaders.ts `known`). It must load exactly
 * the fields selected on the nodes (`edges { node }` and `nodes`, through fragments, not those
 * skipped), with the arguments their resolvers will get, and leave failures to those resolvers;
 * only the connection's nodes and edges wait for those loads, not its other fields.
 */
import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/context.js';
import { andThen, Loaders } from '../../src/db/loaders.js';
import { prefetchChildren, registerPrefetch, withPrefetch } from '../../src/graphql/prefetch.js';
import type { ConnectionShape } from '../../src/graphql/relay/connection.js';

const schema = buildSchema(`
  type Query { items(first: Int): ItemConnection! }
  type ItemConnection { edges: [ItemEdge!]! nodes: [Item!]! }
  type ItemEdge { cursor: String! node: Item! }
  type Item { id: ID! detail(size: Int): String! other: String! bad(size: Int!): String }
`);

type Seen = { field: string; parents: readonly string[]; args: Record<string, unknown> }[];

registerPrefetch<string>('Item', 'detail', (ctx, parents, f) => {
  (ctx as unknown as { seen: Seen }).seen.push({ field: 'detail', parents, args: f.args });
  return [Promise.resolve()];
});
registerPrefetch<string>('Item', 'bad', (ctx, parents, f) => {
  (ctx as unknown as { seen: Seen }).seen.push({ field: 'bad', parents, args: f.args });
  return [Promise.reject(new Error('left to the resolver'))];
});

async function run(query: string, variables?: Record<string, unknown>): Promise<Seen> {
  const seen: Seen = [];
  const ids = ['a', 'b'];
  const rootValue = {
    items: async (_args: unknown, ctx: Ctx, info: GraphQLResolveInfo) => {
      await prefetchChildren(ctx, info, 'Item', ids);
      const nodes = ids.map((id) => ({ id, detail: 'd', other: 'o', bad: null }));
      return { nodes, edges: nodes.map((node) => ({ cursor: node.id, node })) };
    },
  };
  const r = await graphql({ schema, source: query, rootValue, contextValue: { seen } as unknown as Ctx, variableValues: variables });
  expect(r.errors).toBeUndefined();
  return seen;
}

describe('prefetchChildren', () => {
  it('loads a field selected under edges.node, with its arguments (variables applied), once per field node', async () => {
    const seen = await run('query($n: Int) { items { edges { node { id detail(size: $n) } } } }', { n: 3 });
    expect(seen).toEqual([{ field: 'detail', parents: ['a', 'b'], args: { size: 3 } }]);
  });

  it('finds fields under nodes and through named and inline fragments', async () => {
    const seen = await run('{ items { nodes { ...F } edges { ... on ItemEdge { node { ... on Item { detail } } } } } } fragment F on Item { detail(size: 1) }');
    expect(seen.map((s) => s.args)).toEqual([{ size: 1 }, {}]);
  });

  it('loads nothing the query does not ask: other fields, skipped fields, fields of other objects', async () => {
    expect(await run('{ items { edges { cursor node { other } } } }')).toEqual([]);
    expect(await run('query($no: Boolean!) { items { nodes { detail @skip(if: true) d2: detail @include(if: $no) } } }', { no: false })).toEqual([]);
    expect(await run('{ items { edges { node { other } } nodes { ... @skip(if: true) { detail } } } }')).toEqual([]);
  });

  it('a failing load does not fail the page: the field resolver reports it', async () => {
    const seen = await run('{ items { nodes { bad(size: 2) } } }');
    expect(seen).toEqual([{ field: 'bad', parents: ['a', 'b'], args: { size: 2 } }]);
  });
});

// withPrefetch: a connection whose nodes' field `late` is prefetched; `log` records the order of events
const connSchema = buildSchema(`
  type Query { boxes: BoxConnection! }
  type BoxConnection { edges: [BoxEdge!]! nodes: [Box!]! totalCount: Int! }
  type BoxEdge { cursor: String! node: Box! }
  type Box { id: ID! late: String! }
`);

registerPrefetch<string>('Box', 'late', (ctx, parents) => {
  const log = (ctx as unknown as { log: string[] }).log;
  log.push(`prefetch ${parents.join(',')}`);
  // settles a few turns later, as a batched read would
  return [new Promise((resolve) => setImmediate(resolve)).then(() => void log.push('settled'))];
});

async function runConnection(query: string): Promise<{ log: string[]; data: unknown }> {
  const log: string[] = [];
  const ids = ['a', 'b'];
  const rootValue = {
    boxes: (_args: unknown, ctx: Ctx, info: GraphQLResolveInfo) => {
      const nodes = ids.map((id) => ({ id, late: () => (log.push(`late ${id}`), `l${id}`) }));
      const conn = { nodes, pageInfo: {}, countFn: async () => 2, totalCount: () => (log.push('count'), 2) } as unknown as ConnectionShape<unknown>;
      Object.defineProperty(conn, 'edges', { enumerable: true, configurable: true, get: () => nodes.map((node) => ({ cursor: `c${node.id}`, node })) });
      return withPrefetch(ctx, info, 'Box', ids, conn);
    },
  };
  const r = await graphql({ schema: connSchema, source: query, rootValue, contextValue: { log } as unknown as Ctx });
  expect(r.errors).toBeUndefined();
  return { log, data: r.data };
}

describe('withPrefetch', () => {
  it('returns the connection at once: its other fields do not wait for the loads, its nodes and edges do', async () => {
    const { log, data } = await runConnection('{ boxes { totalCount nodes { id late } edges { cursor node { late } } } }');
    // one prefetch per field node (nodes' and edges'); the loaders behind them share keys
    expect(log).toEqual(['prefetch a,b', 'prefetch a,b', 'count', 'settled', 'settled', 'late a', 'late b', 'late a', 'late b']);
    expect(data).toEqual({
      boxes: {
        totalCount: 2,
        nodes: [
          { id: 'a', late: 'la' },
          { id: 'b', late: 'lb' },
        ],
        edges: [
          { cursor: 'ca', node: { late: 'la' } },
          { cursor: 'cb', node: { late: 'lb' } },
        ],
      },
    });
  });

  it('leaves the connection as it is when nothing selected is prefetched', async () => {
    const { log, data } = await runConnection('{ boxes { totalCount edges { cursor } nodes { id } } }');
    expect(log).toEqual(['count']);
    expect(data).toEqual({ boxes: { totalCount: 2, edges: [{ cursor: 'ca' }, { cursor: 'cb' }], nodes: [{ id: 'a' }, { id: 'b' }] } });
  });
});

describe('Loaders.value', () => {
  it('answers a key once its load has resolved as a plain value (null included), until cleared; a promise before', async () => {
    const l = new Loaders();
    const batches: string[][] = [];
    const batch = async (keys: readonly string[]) => (batches.push([...keys]), keys.map((k) => (k === 'n' ? null : [k])));
    const first = l.value('x', 'k', batch);
    expect(first).toBeInstanceOf(Promise);
    const rows = await first;
    expect(rows).toEqual(['k']);
    expect(l.value('x', 'k', batch)).toBe(rows);
    expect(await l.value('x', 'n', batch)).toBeNull();
    expect(l.value('x', 'n', batch)).toBeNull();
    // another loader's name knows nothing of it
    const other = l.value('y', 'k', batch);
    expect(other).toBeInstanceOf(Promise);
    await other;
    l.clear();
    const again = l.value('x', 'k', batch);
    expect(again).toBeInstanceOf(Promise);
    await again;
    expect(batches).toEqual([['k'], ['n'], ['k'], ['k']]);
  });

  it('andThen maps a plain value at once and a promise when it settles', async () => {
    expect(andThen(2, (n) => n + 1)).toBe(3);
    const p = andThen(Promise.resolve(2), (n) => n + 1);
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toBe(3);
  });
});
