import { parse, Kind, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { bundleColumnsFor } from '../../src/catalog/bundle.read.js';
import { fieldNamesBelow } from '../../src/graphql/selection.js';

/** The resolve info of the first field named `name` in the document's operation (depth first). */
function infoOf(query: string, name: string) {
  const doc = parse(query);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const find = (sels: readonly { kind: Kind }[]): FieldNode | null => {
    for (const s of sels as FieldNode[]) {
      if (s.kind === Kind.FIELD && s.name.value === name) return s;
      const below = s.selectionSet ? find(s.selectionSet.selections) : null;
      if (below) return below;
    }
    return null;
  };
  return { fieldNodes: [find(op.selectionSet.selections)!], fragments };
}

describe('fieldNamesBelow', () => {
  it('lists the field names below a field at any depth, through inline and named fragments', () => {
    const info = infoOf(
      `{ project(name: "p") { name profileBundles(first: 5) { nodes { name ... on ProfileBundle { version } ...F } } } }
       fragment F on ProfileBundle { createdAt project { description ...F } }`,
      'profileBundles',
    );
    expect([...fieldNamesBelow(info)].sort()).toEqual(['createdAt', 'description', 'name', 'nodes', 'project', 'version']);
  });

  it('counts fields under @skip and @include too (never fewer columns than a query may show)', () => {
    const info = infoOf(`query($s: Boolean!) { profileBundles { nodes { name description @skip(if: $s) } } }`, 'profileBundles');
    expect(fieldNamesBelow(info).has('description')).toBe(true);
  });

  it('answers the same set for the same field node', () => {
    const info = infoOf(`{ profileBundles { nodes { name } } }`, 'profileBundles');
    expect(fieldNamesBelow(info)).toBe(fieldNamesBelow(info));
  });
});

describe('bundleColumnsFor', () => {
  it('selects description and created_at only when a query asks for them', () => {
    expect(bundleColumnsFor(new Set(['nodes', 'name', 'version']))).toEqual(['id', 'project_id', 'name', 'version', 'type']);
    expect(bundleColumnsFor(new Set(['createdAt']))).toEqual(['id', 'project_id', 'name', 'version', 'type', 'created_at']);
    expect(bundleColumnsFor(new Set(['description', 'createdAt']))).toEqual(['id', 'project_id', 'name', 'version', 'type', 'description', 'created_at']);
  });
});
