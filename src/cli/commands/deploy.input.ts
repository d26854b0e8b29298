/**
 * Command-line flags to a DeployAppInput: bundle variables typed by their definitions, node
 * requirements from key=value specs, links, and an optional JSON file the flags override.
 */
import { readFileSync } from 'node:fs';
import type { VariableDef } from '../api/types.js';
import { usageError } from '../exit-codes.js';

export const collect = (value: string, previous: string[]) => [...previous, value];

function splitPair(spec: string, what: string): [string, string] {
  const i = spec.indexOf('=');
  if (i <= 0) throw usageError(`${what} expects NAME=VALUE, got "${spec}"`);
  return [spec.slice(0, i).trim(), spec.slice(i + 1)];
}

/** A --var value in its variable's type (from the bundles' definitions); unknown names: JSON, else text. */
export function typedValue(name: string, raw: string, def: VariableDef | undefined): unknown {
  const bad = (rule: string) => usageError(`--var ${name}: ${rule}, got "${raw}"`);
  switch (def?.type) {
    case 'STRING':
      return raw;
    case 'BOOL':
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw bad('expects true or false');
    case 'INT32':
    case 'INT64': {
      if (!/^-?\d+$/.test(raw)) throw bad('expects a whole number');
      const n = Number(raw);
      return Number.isSafeInteger(n) ? n : raw; // INT64 beyond 2^53 travels as a decimal string
    }
    case 'FLOAT32':
    case 'FLOAT64': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw bad('expects a number');
      return n;
    }
    default:
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
  }
}

export function variableValues(specs: string[], defs: VariableDef[]): { name: string; value: unknown }[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  return specs.map((spec) => {
    const [name, raw] = splitPair(spec, '--var');
    return { name, value: typedValue(name, raw, byName.get(name)) };
  });
}

export function links(specs: string[]): { title: string; url: string }[] {
  return specs.map((spec) => {
    const [title, url] = splitPair(spec, '--link');
    return { title, url };
  });
}

/** `a=1,b=x` → {a: '1', b: 'x'} with only the allowed keys. */
function keyValues(spec: string, flag: string, allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = splitPair(part, flag);
    if (!allowed.includes(k)) throw usageError(`${flag}: unknown key "${k}" (known: ${allowed.join(', ')})`);
    out[k] = v;
  }
  return out;
}

function int(v: string | undefined, flag: string, key: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw usageError(`${flag}: ${key} must be a whole number, got "${v}"`);
  return Number(v);
}

const drop = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** --worker-pool name=gpu,nodes=1,gpu=NVIDIA-H100:8,arch=AMD64,min-cpu=16,min-memory-mib=65536 */
export function workerPool(spec: string): Record<string, unknown> {
  const f = '--worker-pool';
  const kv = keyValues(spec, f, ['name', 'nodes', 'gpu', 'arch', 'min-cpu', 'min-memory-mib']);
  if (!kv.name || !kv.nodes) throw usageError(`${f} needs at least name=NAME,nodes=N, got "${spec}"`);
  let gpu: Record<string, unknown> | undefined;
  if (kv.gpu) {
    const m = /^([^:]+):(\d+)$/.exec(kv.gpu);
    if (!m) throw usageError(`${f}: gpu expects FAMILY:COUNT_PER_NODE (e.g. NVIDIA-H100:8), got "${kv.gpu}"`);
    gpu = { family: m[1], countPerNode: Number(m[2]) };
  }
  return drop({ name: kv.name, nodeCount: int(kv.nodes, f, 'nodes'), gpu, architecture: kv.arch?.toUpperCase(), minCpuCount: int(kv['min-cpu'], f, 'min-cpu'), minMemoryMiB: int(kv['min-memory-mib'], f, 'min-memory-mib') });
}

/** --control-plane nodes=3,arch=AMD64,min-cpu=4,min-memory-mib=8192,worker-eligible=true */
export function controlPlane(spec: string): Record<string, unknown> {
  const f = '--control-plane';
  const kv = keyValues(spec, f, ['nodes', 'arch', 'min-cpu', 'min-memory-mib', 'worker-eligible']);
  const eligible = kv['worker-eligible'];
  if (eligible !== undefined && eligible !== 'true' && eligible !== 'false') throw usageError(`${f}: worker-eligible must be true or false`);
  return drop({ nodeCount: int(kv.nodes, f, 'nodes'), architecture: kv.arch?.toUpperCase(), minCpuCount: int(kv['min-cpu'], f, 'min-cpu'), minMemoryMiB: int(kv['min-memory-mib'], f, 'min-memory-mib'), workerNodeEligible: eligible === undefined ? undefined : eligible === 'true' });
}

/** A DeployAppInput (or part of one) from a JSON file, or stdin with "-". */
export function inputFile(path: string, readStdin: () => string): Record<string, unknown> {
  let text: string;
  try {
    text = path === '-' ? readStdin() : readFileSync(path, 'utf8');
  } catch (e) {
    throw usageError(`--input ${path}: ${(e as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw usageError(`--input ${path}: ${(e as Error).message}`);
  }
}
