/**
 * Label and field selectors, in the string form of the REST API and the object form used inside
 * specs (Placement predicates, ManagedClusterSet selectors).
 */
import { errors } from './api.errors.js';
import type { KubeObject } from './kube.types.js';

export type Requirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

export type Selector = (labels: Record<string, string> | undefined) => boolean;

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** Split on commas that are not inside an `in (...)` set. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function checkKey(key: string, raw: string): string {
  if (!KEY.test(key)) throw errors.badRequest(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}

function checkValue(value: string, raw: string): string {
  if (!VALUE.test(value) || value.length > 63)
    throw errors.badRequest(`unable to parse requirement: invalid label value "${value}" in "${raw}"`);
  return value;
}

export function parseLabelSelector(s: string | undefined): Requirement[] {
  if (!s || !s.trim()) return [];
  return splitTopLevel(s).map((raw) => {
    let m = /^!\s*(\S+)$/.exec(raw);
    if (m) return { key: checkKey(m[1], raw), op: '!exists' as const };
    m = /^(\S+?)\s+(in|notin)\s+\((.*)\)$/.exec(raw);
    if (m) {
      const values = m[3].split(',').map((v) => checkValue(v.trim(), raw));
      return { key: checkKey(m[1], raw), op: m[2] as 'in' | 'notin', values };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(raw);
    if (m) {
      return { key: checkKey(m[1], raw), op: m[2] === '!=' ? ('!=' as const) : ('=' as const), value: checkValue(m[3], raw) };
    }
    if (/^\S+$/.test(raw) && !/[=!()<>]/.test(raw)) return { key: checkKey(raw, raw), op: 'exists' as const };
    throw errors.badRequest(`unable to parse requirement: "${raw}"`);
  });
}

export function matchRequirements(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
    }
  });
}

export function labelSelector(s: string | undefined): Selector {
  const reqs = parseLabelSelector(s);
  return (labels) => matchRequirements(reqs, labels);
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** metav1.LabelSelector semantics: an empty selector matches everything. Unknown operators match nothing. */
export function matchLabelSelectorObject(sel: LabelSelectorObject | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return true;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export type FieldSelector = (obj: KubeObject) => boolean;

/**
 * Field selectors: metadata.name and metadata.namespace for every kind (all a CRD supports); built-in
 * kinds also accept other dotted paths (e.g. status.phase, type), compared as strings.
 */
export function fieldSelector(s: string | undefined, custom: boolean): FieldSelector {
  if (!s || !s.trim()) return () => true;
  const reqs = s.split(',').map((raw) => {
    const m = /^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw errors.badRequest(`invalid field selector: "${raw}"`);
    const [, path, op, value] = m;
    if (custom && path !== 'metadata.name' && path !== 'metadata.namespace')
      throw errors.badRequest(`field label not supported: ${path}`);
    return { path: path.split('.'), neg: op === '!=', value };
  });
  return (obj) =>
    reqs.every((r) => {
      let cur: unknown = obj;
      for (const p of r.path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[p] : undefined;
      const actual = cur === undefined || cur === null ? '' : String(cur);
      return r.neg ? actual !== r.value : actual === r.value;
    });
}
