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

@ObjectType('PageInfo')
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'Always false: connections page forward only' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1-${MAX_PAGE} (default ${DEFAULT_PAGE})` })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

export interface PageRequest {
  first: number;
  /** decoded id after which the page starts */
  afterId: string | null;
}

export function encodeCursor(id: string): string {
  return Buffer.from(`c1:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const raw = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = raw.startsWith('c1:') ? raw.slice(3) : '';
  if (!isUuid(id)) throw new ValidationError('Invalid cursor', ['after'], ErrorCode.INVALID_INPUT);
  return id;
}

export function pageRequest(args: { first?: number | null; after?: string | null }): PageRequest {
  const first = args.first ?? DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw new ValidationError(`first must be between 1 and ${MAX_PAGE}`, ['first'], ErrorCode.INVALID_INPUT);
  }
  return { first, afterId: args.after ? decodeCursor(args.after) : null };
}

/** What services return: one page plus a lazy total (counted only if the client selects it). */
export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  count: () => Promise<number>;
}

/** Rows fetched with limit first+1 → a page. */
export function toPage<T>(rows: T[], first: number, count: () => Promise<number>): Page<T> {
  return { items: rows.slice(0, first), hasNextPage: rows.length > first, count };
}

export interface ConnectionShape<N> {
  edges: { cursor: string; node: N }[];
  nodes: N[];
  pageInfo: PageInfo;
  countFn: () => Promise<number>;
}

/** Builds the `<Name>Connection` / `<Name>Edge` pair for a node type. */
export function Connection<N extends object>(NodeClass: ClassType<N>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => NodeClass)
    node!: N;
  }

  @ObjectType(`${name}Connection`)
  class Conn implements ConnectionShape<N> {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [NodeClass])
    nodes!: N[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    countFn!: () => Promise<number>;

    @Field(() => Int, { description: 'Total number of items (counted only when selected)' })
    totalCount(): Promise<number> {
      return this.countFn();
    }
  }
  return Conn;
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
  conn.edges = page.items.map((e, i) => ({ cursor: cursorOf(e), node: nodes[i] }));
  const pi = new PageInfo();
  pi.hasNextPage = page.hasNextPage;
  pi.hasPreviousPage = false;
  pi.startCursor = conn.edges[0]?.cursor ?? null;
  pi.endCursor = conn.edges.at(-1)?.cursor ?? null;
  conn.pageInfo = pi;
  conn.countFn = page.count;
  return conn;
}
