/**
 * Relay connections with keyset cursors. Rows are ordered by their UUIDv7 primary key, so a cursor is
 * just the last id seen (wrapped, so clients treat it as opaque); pages stay stable while rows are
 * inserted, unlike offsets.
 */
import type { ClassType } from 'type-graphql';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { isUuid } from '../../db/ids.js';
import { ErrorCode, ValidationError } from '../../errors.js';

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

// simpleResolvers (here and on the other types of a nested page): a plain property is read by
// graphql-js's default resolver instead of a per-field wrapper of type-graphql's middleware runner
// (this schema has no field middleware or auth checker); a 50-project page reads ~1,500 of them.
@ObjectType('PageInfo', { simpleResolvers: true, description: 'Where a page of a connection sits in the whole list (Relay cursor connections)' })
export class PageInfo {
  @Field(() => Boolean, { description: 'With first: whether more items follow this page; with last: whether `before` was given' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'With last: whether more items come before this page; with first: whether `after` was given' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of this page (pass as `before` to page backwards); null when the page is empty' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of this page (pass as `after` for the next page); null when the page is empty' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1-${MAX_PAGE} (default ${DEFAULT_PAGE})` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'A cursor: the page starts after it' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Page backwards: the last items (1-${MAX_PAGE}) before \`before\` (or the end); not with first` })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'A cursor: the page ends before it' })
  before?: string | null;
}

export interface PageRequest {
  /** page size (first or last) */
  first: number;
  /** decoded id after which the page starts */
  afterId: string | null;
  /** decoded id before which the page ends */
  beforeId: string | null;
  /** `last`: the items nearest the end (or `before`); fetched newest first, returned oldest first */
  backward: boolean;
}

/** Identifies a page shape, for keying batched loaders. */
export function pageKey(p: PageRequest): string {
  return `${p.backward ? 'b' : 'f'}${p.first}|${p.afterId ?? ''}|${p.beforeId ?? ''}`;
}

export function encodeCursor(id: string): string {
  return Buffer.from(`c1:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): string {
  const raw = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = raw.startsWith('c1:') ? raw.slice(3) : '';
  if (!isUuid(id)) throw new ValidationError('Invalid cursor', [field], ErrorCode.INVALID_INPUT);
  return id;
}

/** Checks first/last (one of them, 1..MAX_PAGE) and returns the page size and direction. */
export function pageSize(args: { first?: number | null; last?: number | null }): { size: number; backward: boolean } {
  if (args.first != null && args.last != null) throw new ValidationError('Give first or last, not both', ['last'], ErrorCode.INVALID_INPUT);
  const backward = args.last != null;
  const size = (backward ? args.last : args.first) ?? DEFAULT_PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
    const name = backward ? 'last' : 'first';
    throw new ValidationError(`${name} must be between 1 and ${MAX_PAGE}`, [name], ErrorCode.INVALID_INPUT);
  }
  return { size, backward };
}

export function pageRequest(args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }): PageRequest {
  const { size, backward } = pageSize(args);
  return {
    first: size,
    afterId: args.after ? decodeCursor(args.after, 'after') : null,
    beforeId: args.before ? decodeCursor(args.before, 'before') : null,
    backward,
  };
}

/** What services return: one page (oldest first) plus a lazy total (counted only if the client selects it). */
export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  count: () => Promise<number>;
}

/**
 * Rows fetched with limit size+1 in the page's direction (ascending, or descending for `last`) → a
 * page in ascending order. The far side is known from the extra row; the near side from the cursor
 * (a cursor names an item that was there, so something lies beyond it).
 */
export function toPage<T>(rows: T[], page: Pick<PageRequest, 'first' | 'backward' | 'afterId' | 'beforeId'>, count: () => Promise<number>): Page<T> {
  const more = rows.length > page.first;
  const items = rows.slice(0, page.first);
  if (page.backward) return { items: items.reverse(), hasPreviousPage: more, hasNextPage: page.beforeId != null, count };
  return { items, hasNextPage: more, hasPreviousPage: page.afterId != null, count };
}

/** The id bounds of a page, as MikroORM filters. */
export function keysetWhere(page: PageRequest): Record<string, unknown>[] {
  return [...(page.afterId ? [{ id: { $gt: page.afterId } }] : []), ...(page.beforeId ? [{ id: { $lt: page.beforeId } }] : [])];
}

/** An empty page (e.g. for a parent the caller may not see). */
export function emptyPage<T>(): Page<T> {
  return { items: [], hasNextPage: false, hasPreviousPage: false, count: async () => 0 };
}

export interface ConnectionShape<N> {
  edges: { cursor: string; node: N }[];
  nodes: N[];
  pageInfo: PageInfo;
  countFn: () => Promise<number>;
}

/** Description of `<name>Connection`; subclasses repeat it, as type-graphql does not inherit type descriptions. */
export function connectionDescription(name: string): string {
  return `A page of ${name} objects (Relay cursor connection, at most ${MAX_PAGE} items per page)`;
}

/** Builds the `<Name>Connection` / `<Name>Edge` pair for a node type. */
export function Connection<N extends object>(NodeClass: ClassType<N>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true, description: `One ${name} of a page, with its cursor` })
  class Edge {
    @Field(() => String, { description: 'Opaque cursor of this item: pass it as `after` or `before` to page from here' })
    cursor!: string;

    @Field(() => NodeClass, { description: `The ${name} itself` })
    node!: N;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true, description: connectionDescription(name) })
  class Conn implements ConnectionShape<N> {
    @Field(() => [Edge], { description: 'The items of this page with their cursors' })
    edges!: Edge[];

    @Field(() => [NodeClass], { description: 'The items of this page without cursors (same order as edges)' })
    nodes!: N[];

    @Field(() => PageInfo, { description: 'Cursors and whether more items exist before or after this page' })
    pageInfo!: PageInfo;

    countFn!: () => Promise<number>;

    @Field(() => Int, { description: 'Total number of items (counted only when selected)' })
    totalCount(): Promise<number> {
      return this.countFn();
    }
  }
  return Conn;
}

/**
 * The PageInfo of a page, its cursors encoded when read: inner connections of a nested page (a
 * project's bundles) are rarely asked for theirs, and a page has fifty of them.
 */
class PageInfoOf<E> implements PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  private start: string | null | undefined;
  private end: string | null | undefined;

  constructor(
    private readonly page: Page<E>,
    private readonly cursorOf: (e: E) => string,
  ) {
    this.hasNextPage = page.hasNextPage;
    this.hasPreviousPage = page.hasPreviousPage;
  }

  get startCursor(): string | null {
    const first = this.page.items[0];
    return this.start !== undefined ? this.start : (this.start = first === undefined ? null : this.cursorOf(first));
  }

  set startCursor(v: string | null) {
    this.start = v;
  }

  get endCursor(): string | null {
    const items = this.page.items;
    if (this.end !== undefined) return this.end;
    return (this.end = items.length === 0 ? null : items.length === 1 ? this.startCursor : this.cursorOf(items[items.length - 1]));
  }

  set endCursor(v: string | null) {
    this.end = v;
  }
}

/** Turns a service page into a connection instance; `toNode` maps entities to GraphQL objects. */
export function connectionOf<E extends { id: string }, N, C extends ConnectionShape<N>>(
  Conn: new () => C,
  page: Page<E>,
  toNode: (e: E) => N,
  cursorOf: (e: E) => string = (e) => encodeCursor(e.id),
): C {
  const conn = new Conn();
  const nodes = page.items.map(toNode);
  conn.nodes = nodes;
  // Edges (a cursor each: an encoding per item) are made only when read: a nested page asks for
  // `nodes` of most of its inner connections, and 300 unused cursors were ~5 % of a page's CPU.
  let edges: C['edges'] | undefined;
  Object.defineProperty(conn, 'edges', {
    enumerable: true,
    configurable: true,
    get: () => (edges ??= page.items.map((e, i) => ({ cursor: cursorOf(e), node: nodes[i] }))),
    set: (v: C['edges']) => void (edges = v),
  });
  conn.pageInfo = new PageInfoOf(page, cursorOf);
  conn.countFn = page.count;
  return conn;
}
