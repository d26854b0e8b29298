/**
 * ManifestWork status feedback: evaluates `manifestConfigs[].feedbackRules` against the spoke object,
 * with the work agent's typing rules (Integer, String, Boolean; lists and objects become JsonRaw, as
 * with the RawFeedbackJsonString feature gate on).
 */
import type { KubeObject } from '../kube.types.js';
import { evaluateJsonPath } from './jsonpath.eval.js';

export interface FeedbackRule {
  type: 'WellKnownStatus' | 'JSONPaths';
  jsonPaths?: Array<{ name: string; path: string; version?: string }>;
}

export interface FeedbackValue {
  name: string;
  fieldValue: { type: 'Integer' | 'String' | 'Boolean' | 'JsonRaw'; integer?: number; string?: string; boolean?: boolean; jsonRaw?: string };
}

const WELL_KNOWN: Record<string, Array<{ name: string; path: string }>> = {
  'apps/Deployment': [
    { name: 'ReadyReplicas', path: '.status.readyReplicas' },
    { name: 'Replicas', path: '.status.replicas' },
    { name: 'AvailableReplicas', path: '.status.availableReplicas' },
  ],
  'batch/Job': [
    { name: 'JobComplete', path: '.status.conditions[?(@.type=="Complete")].status' },
    { name: 'JobSucceeded', path: '.status.succeeded' },
  ],
  '/Pod': [
    { name: 'PodReady', path: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'PodPhase', path: '.status.phase' },
  ],
};

function typed(name: string, value: unknown): FeedbackValue | string {
  if (typeof value === 'string') return { name, fieldValue: { type: 'String', string: value } };
  if (typeof value === 'boolean') return { name, fieldValue: { type: 'Boolean', boolean: value } };
  if (typeof value === 'number' && Number.isInteger(value)) return { name, fieldValue: { type: 'Integer', integer: value } };
  const raw = JSON.stringify(value);
  if (raw.length > 1024) return `the length of returned json raw string for name ${name} is larger than the maximum length 1024`;
  return { name, fieldValue: { type: 'JsonRaw', jsonRaw: raw } };
}

/** Values for every rule, plus the errors that make StatusFeedbackSynced False. */
export function feedbackValues(obj: KubeObject, rules: FeedbackRule[]): { values: FeedbackValue[]; errors: string[] } {
  const values: FeedbackValue[] = [];
  const errors: string[] = [];
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  for (const rule of rules) {
    const paths = rule.type === 'WellKnownStatus' ? WELL_KNOWN[`${group}/${obj.kind}`] : rule.jsonPaths ?? [];
    if (!paths) {
      errors.push(`cannot find the wellknown statuses for resource with gvk ${obj.apiVersion}, Kind=${obj.kind}`);
      continue;
    }
    for (const p of paths) {
      if ('version' in p && p.version && p.version !== version) {
        errors.push(`version set in the path ${p.name} is not matched for the related resource`);
        continue;
      }
      try {
        const found = evaluateJsonPath(obj, p.path);
        if (found.length === 0 || found[0] === null) continue;
        const v = typed(p.name, found.length === 1 ? found[0] : found);
        if (typeof v === 'string') errors.push(v);
        else values.push(v);
      } catch (e) {
        errors.push(`failed to parse json path ${p.path} of ${p.name} with error: ${(e as Error).message}`);
      }
    }
  }
  return { values, errors };
}
