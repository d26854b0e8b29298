/**
 * The schema of each served kind and version: a CRD's `openAPIV3Schema` for custom resources, the
 * built-in schemas otherwise. Compiled nodes are cached (per schema object, for the process).
 */
import { builtinSchema, OBJECT_META } from './builtin.schemas.js';
import { crdVersion } from './crd.registry.js';
import type { ResourceType } from './resource.catalog.js';
import { typeNode, type TypeNode } from './schema.structural.js';
import type { SchemaObject } from './schema.types.js';

/** The raw schema (with descriptions) of a kind at a version, or undefined when none is known. */
export function schemaOf(r: ResourceType, version: string): SchemaObject | undefined {
  if (r.custom) return crdVersion(r.group, r.plural, version)?.schema?.openAPIV3Schema;
  return builtinSchema(r.group, version, r.kind);
}

/** The compiled root node of a kind at a version (the storage version when omitted). */
export function rootNode(r: ResourceType, version = r.storage): TypeNode | undefined {
  const s = schemaOf(r, version);
  return s ? typeNode(s, true) : undefined;
}

/** ObjectMeta's node: list types of finalizers/ownerReferences for apply and strategic merge. */
export const META_NODE: TypeNode = typeNode(OBJECT_META);
