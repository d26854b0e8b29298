/**
 * Which field names a query asks anywhere below a field: lets a read select only the columns a
 * query can show (a page of versions usually asks names and versions, not descriptions or times).
 * An over-approximation on purpose: every field name in the subtree counts, through inline and
 * named fragments, whatever its type or directives (`@skip`, `@include`), so a column is left out
 * only when no field of that name is asked at all.
 */
import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Per field node of a parsed document (Apollo keeps parsed documents): the names below it. */
const namesBelow = new WeakMap<FieldNode, ReadonlySet<string>>();

function collect(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, into: Set<string>, seen: Set<string>): void {
  if (!set) return;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      into.add(sel.name.value);
      collect(sel.selectionSet, fragments, into, seen);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      collect(sel.selectionSet, fragments, into, seen);
    } else if (!seen.has(sel.name.value)) {
      seen.add(sel.name.value);
      collect(fragments[sel.name.value]?.selectionSet, fragments, into, seen);
    }
  }
}

/** Every field name asked below the field being resolved (its own selections and theirs, at any depth). */
export function fieldNamesBelow(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): ReadonlySet<string> {
  const only = info.fieldNodes.length === 1 ? info.fieldNodes[0] : null;
  const known = only && namesBelow.get(only);
  if (known) return known;
  const names = new Set<string>();
  const seen = new Set<string>();
  for (const node of info.fieldNodes) collect(node.selectionSet, info.fragments, names, seen);
  if (only) namesBelow.set(only, names);
  return names;
}
