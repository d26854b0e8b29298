/**
 * The upstream CustomResourceDefinitions the simulated hub serves, read from the repository's `crds/`
 * folder (the same files the builder tests validate against). Each file is named
 * `<group>_<plural>.yaml`, so a kind's file is found without parsing the others; a file is parsed the
 * first time its kind is needed and kept for the life of the process (every hub in a process shares
 * it). Works from the sources (src/sim) and from the esbuild bundle (dist/): the folder is found by
 * walking up from this module.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import type { SchemaObject } from './schema.types.js';

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema?: { openAPIV3Schema?: SchemaObject };
  subresources?: {
    status?: Record<string, never>;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }>;
}

export interface Crd {
  apiVersion: string;
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; plural: string; singular?: string; shortNames?: string[]; listKind?: string; categories?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: CrdVersion[];
    conversion?: { strategy?: string };
  };
}

let dir: string | undefined;

/** The repository's crds/ folder (holds SOURCES.md and one YAML file per CRD). */
export function crdDirectory(): string {
  if (dir) return dir;
  let at = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(at, 'crds');
    if (existsSync(path.join(candidate, 'SOURCES.md'))) return (dir = candidate);
    const up = path.dirname(at);
    if (up === at) throw new Error('simulated hub: cannot find the crds/ folder (upstream CRD YAML) above ' + fileURLToPath(import.meta.url));
    at = up;
  }
}

const cache = new Map<string, Crd | null>();

/** The CRD serving `<plural>.<group>`, or undefined when the repository carries none. */
export function crdFor(group: string, plural: string): Crd | undefined {
  const key = `${group}_${plural}`;
  let crd = cache.get(key);
  if (crd === undefined) {
    const file = path.join(crdDirectory(), `${key}.yaml`);
    crd = existsSync(file) ? (yaml.load(readFileSync(file, 'utf8')) as Crd) : null;
    if (crd && (crd.spec.group !== group || crd.spec.names.plural !== plural)) throw new Error(`simulated hub: ${file} defines ${crd.spec.names.plural}.${crd.spec.group}`);
    cache.set(key, crd);
  }
  return crd ?? undefined;
}

export function crdVersion(group: string, plural: string, version: string): CrdVersion | undefined {
  return crdFor(group, plural)?.spec.versions.find((v) => v.name === version);
}
