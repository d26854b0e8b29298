/**
 * Loads what the objects of a page will be asked for, before graphql-js completes them.
 *
 * A field resolver that returns a promise costs graphql-js a chain of its own, and the object and
 * list holding it one more each: a nested page of 50 projects asking their quotas, tenant and
 * bundles made ~150 of those per page plus the loaders' and the async resolvers' own. A connection
 * resolver that has its page of parents calls `withPrefetch`: for each field of the node type the
 * query selects (in `edges { node }` or `nodes`) that has a prefetcher, the prefetcher issues the
 * same batched loads the field resolver would; the field resolvers then find their values known
 * (`Loaders.value`) and return them as plain values.
 *
 * Only the connection's `edges` and `nodes` wait for those loads; the connection itself is returned
 * at once, so its other fields (`totalCount`'s count) issue their reads in the same tick as the
 * prefetch and share its round trip (pg.read.ts groups a tick's reads). Awaiting the loads before
 * returning the connection (page8) sent the count alone afterwards: one more PostgreSQL round trip.
 *
 * Nothing is loaded that the query does not ask; a failed load is left to the field resolver, which
 * gets the same failure from its loader and reports it at its own path.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { Ctx } from '../context.js';
import type { ConnectionShape } from './relay/connection.js';

/** One selected field of the node type, with its argument values as its resolver will get them. */
export interface SelectedField {
  node: FieldNode;
  args: Record<string, unknown>;
  info: GraphQLResolveInfo;
}

/** Issues the loads a field's resolver would make for each of `parents`; returns them (a failure is not a failure of the page). */
type Prefetcher<P> = (ctx: Ctx, parents: readonly P[], field: SelectedField) => Promise<unknown>[];

/** type name → field name → prefetcher; features register theirs beside their field resolvers */
const prefetchers = new Map<string, Map<string, Prefetcher<any>>>();

export function registerPrefetch<P>(typeName: string, fieldName: string, prefetch: Prefetcher<P>): void {
  const m = prefetchers.get(typeName) ?? new Map<string, Prefetcher<any>>();
  m.set(fieldName, prefetch);
  prefetchers.set(typeName, m);
}

function included(node: { directives?: FieldNode['directives'] }, variables: Record<string, unknown>): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/** The field nodes of `set` (through fragments, without skipped ones), as graphql-js collects them. */
function fieldsOf(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, into: FieldNode[], seen = new Set<string>()): FieldNode[] {
  for (const sel of set?.selections ?? []) {
    if (!included(sel, info.variableValues)) continue;
    if (sel.kind === Kind.FIELD) into.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) fieldsOf(sel.selectionSet, info, into, seen);
    else if (!seen.has(sel.name.value)) {
      seen.add(sel.name.value);
      fieldsOf(info.fragments[sel.name.value]?.selectionSet, info, into, seen);
    }
  }
  return into;
}

/** Field nodes selected on the node objects of the connection being resolved: `edges { node { … } }` and `nodes { … }`. */
function nodeFields(info: GraphQLResolveInfo): FieldNode[] {
  const out: FieldNode[] = [];
  for (const conn of info.fieldNodes)
    for (const f of fieldsOf(conn.selectionSet, info, [])) {
      if (f.name.value === 'nodes') fieldsOf(f.selectionSet, info, out);
      else if (f.name.value === 'edges') for (const e of fieldsOf(f.selectionSet, info, [])) if (e.name.value === 'node') fieldsOf(e.selectionSet, info, out);
    }
  return out;
}

/**
 * Issues the loads the query will ask of `parents` (objects of type `typeName`, the nodes of the
 * connection `info` resolves) and returns a promise that settles when all have settled (never
 * rejects), or null when there is nothing to load.
 */
export function prefetchChildren<P>(ctx: Ctx, info: GraphQLResolveInfo, typeName: string, parents: readonly P[]): Promise<void> | null {
  const byField = prefetchers.get(typeName);
  const type = info.schema.getType(typeName);
  if (!byField || !parents.length || !isObjectType(type)) return null;
  const loads: Promise<unknown>[] = [];
  for (const node of nodeFields(info)) {
    const prefetch = byField.get(node.name.value);
    const def = prefetch && type.getFields()[node.name.value];
    if (!def) continue;
    try {
      for (const l of prefetch(ctx, parents, { node, args: getArgumentValues(def, node, info.variableValues), info })) loads.push(l);
    } catch {
      // arguments the field resolver will refuse: it reports them itself
    }
  }
  if (!loads.length) return null;
  return Promise.all(loads.map((l) => l.catch(() => undefined))).then(() => undefined);
}

/**
 * `conn` (a connection over `parents`), its `nodes` and `edges` made to wait for the loads
 * `prefetchChildren` issues for them; its other fields are left as they are (see the file's
 * comment). Once the loads have settled, `nodes` and `edges` are plain values again. Until then they
 * are promises the connection's type does not admit: return the result to graphql-js, which
 * completes either, and read nothing of it yourself.
 */
export function withPrefetch<P, N, C extends ConnectionShape<N>>(ctx: Ctx, info: GraphQLResolveInfo, typeName: string, parents: readonly P[], conn: C): C {
  const ready = prefetchChildren(ctx, info, typeName, parents);
  if (!ready) return conn;
  let settled = false;
  const done = ready.then(() => void (settled = true));
  // `edges` is a getter of connectionOf's (cursors made when read); read it through its descriptor
  const nodes = conn.nodes;
  const edges = Object.getOwnPropertyDescriptor(conn, 'edges');
  const edgesNow = (): C['edges'] => (edges?.get ? edges.get.call(conn) : edges?.value);
  // graphql-js's default resolver reads these properties and completes a promise when it settles
  Object.defineProperty(conn, 'nodes', {
    enumerable: true,
    configurable: true,
    get: () => (settled ? nodes : done.then(() => nodes)),
  });
  Object.defineProperty(conn, 'edges', {
    enumerable: true,
    configurable: true,
    get: () => (settled ? edgesNow() : done.then(edgesNow)),
  });
  return conn;
}
