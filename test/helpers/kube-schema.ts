/**
 * An offline structural check of Kubernetes objects, standing in for `kubectl apply --dry-run`
 * (which needs an API server): every field is checked against the Kubernetes OpenAPI models that
 * @kubernetes/client-node generates (attribute maps for field names and types, the declarations for
 * required fields). Catches a misspelt or misplaced field, a wrong type (an unquoted `true` label) or
 * a missing required field. Quantities must be strings here, as they are in those models.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}
interface Model {
  getAttributeTypeMap(): Attribute[];
}

const models = k8s as unknown as Record<string, Model | undefined>;
const modelsDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@kubernetes/client-node')), 'gen', 'models');
const requiredCache = new Map<string, Set<string>>();

/** Properties declared without `?` in the generated declaration file of `type`. */
function required(type: string): Set<string> {
  let r = requiredCache.get(type);
  if (!r) {
    const dts = readFileSync(path.join(modelsDir, `${type}.d.ts`), 'utf8');
    r = new Set([...dts.matchAll(/^\s+'([A-Za-z0-9$_]+)': /gm)].map((m) => m[1]));
    requiredCache.set(type, r);
  }
  return r;
}

/** The model name for an object's apiVersion and kind, e.g. apps/v1 Deployment → V1Deployment. */
export function modelOf(apiVersion: string, kind: string): string {
  const version = apiVersion.split('/').at(-1)!;
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

/** Problems found in `value` as an instance of `type`, each with its path. */
export function validate(value: unknown, type: string, at = ''): string[] {
  let m: RegExpExecArray | null;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (!Array.isArray(value)) return [`${at}: expected a list`];
    return value.flatMap((v, i) => validate(v, m![1], `${at}[${i}]`));
  }
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected a map`];
    return Object.entries(value).flatMap(([k, v]) => validate(v, m![1], `${at}.${k}`));
  }
  switch (type) {
    case 'string':
    case 'Date':
      return typeof value === 'string' ? [] : [`${at}: expected a string, got ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: expected a number, got ${JSON.stringify(value)}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected true or false, got ${JSON.stringify(value)}`];
    case 'IntOrString':
      return typeof value === 'string' || Number.isInteger(value) ? [] : [`${at}: expected an integer or a string`];
    case 'any':
      return [];
  }
  const model = models[type];
  if (!model?.getAttributeTypeMap) return [`${at}: no model ${type}`];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object (${type})`];
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a]));
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const a = attributes.get(key);
    if (!a) problems.push(`${at}.${key}: unknown field of ${type}`);
    else if (v !== null) problems.push(...validate(v, a.type, `${at}.${key}`));
  }
  for (const name of required(type)) {
    const a = model.getAttributeTypeMap().find((x) => x.name === name);
    if (a && (value as Record<string, unknown>)[a.baseName] === undefined) problems.push(`${at}.${a.baseName}: required by ${type}`);
  }
  return problems;
}

/** Problems of a whole object (apiVersion/kind pick the model). */
export function validateObject(obj: { apiVersion: string; kind: string; metadata?: { name?: string } }): string[] {
  const type = modelOf(obj.apiVersion, obj.kind);
  return validate(obj, type, `${obj.kind}/${obj.metadata?.name ?? '?'}`);
}
