/**
 * Loads what the objects of a page will be asked for, before graphql-js completes them.
 *
 * A field resolver that returns a promise costs graphql-js a chain of its own, and the object and
 * list holding it one more each: a nested page of 50 projects asking their quotas, tenant and
 * bundles made ~150 of those per page plus the loader's and the async resolvers' own. A connection
 * resolver that has its page of parents calls `prefetchChildren`: for each field of the node type
 * the query selects (in `edges { node }` or `nodes`) that has a prefetcher, the prefetcher issues the
 * same batched loads the field resolver would, and the page is returned once they have settled. The
 * field resolvers then find their values known (`Loaders.known`) and return them as plain values.
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

/** One selected field of the node type, with its argument values as its resolver will get them. */
export interface SelectedField {
  node: FieldNode;
  args: Record<string, unknown>;
  info: GraphQLResolveInfo;
}

type Prefetcher<P> = (ctx: Ctx, parents: readonly P[], field: SelectedField) => Promise<unknown>[];

/** type name → field name → prefetcher; features register theirs beside their field resolvers */
const prefetchers = new Map<string, Map<string, Prefetcher<any>>>();

export function registerPrefetch<P>(typeName: string, fieldName: string, prefetch: Prefetcher<P>): void {
  const m = prefetchers.get(typeName) ?? new Map<string, Prefetcher<any>>();
  m.set(fieldName, prefetch);
  prefetchers.set(typeName, m);
}

function included(node: FieldNode | { directives?: FieldNode['directives'] }, variables: Record<string, unknown>): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/** The field nodes of `set` (through fragments), as graphql-js would collect them, by name. */
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

/** Loads what the query asks of `parents` (objects of type `typeName`, the nodes of the connection `info` resolves). */
export async function prefetchChildren<P>(ctx: Ctx, info: GraphQLResolveInfo, typeName: string, parents: readonly P[]): Promise<void> {
  const byField = prefetchers.get(typeName);
  const type = info.schema.getType(typeName);
  if (!byField || !parents.length || !isObjectType(type)) return;
  const loads: Promise<unknown>[] = [];
  for (const node of nodeFields(info)) {
    const prefetch = byField.get(node.name.value);
    const def = prefetch && type.getFields()[node.name.value];
    if (!def) continue;
    try {
      loads.push(...prefetch(ctx, parents, { node, args: getArgumentValues(def, node, info.variableValues), info }));
    } catch {
      // arguments the field resolver will refuse: it reports them itself
    }
  }
  if (loads.length) await Promise.all(loads.map((l) => l.catch(() => undefined)));
}
