/**
 * The subset of Kubernetes JSONPath that ManifestWork feedback rules use: fields (`.a`, `['a.b']`),
 * indexes (`[0]`, `[-1]`), wildcards (`[*]`, `.*`) and filters (`[?(@.type=="Ready")]` with
 * ==, !=, <, >, or bare existence). Recursive descent and unions are not supported.
 */
type Step = { field: string } | { index: number } | { all: true } | { filter: { path: string[]; op?: string; value?: unknown } };

export class JsonPathError extends Error {}

function parseLiteral(raw: string): unknown {
  const s = raw.trim();
  if (/^(['"]).*\1$/.test(s)) return s.slice(1, -1);
  if (s === 'true' || s === 'false') return s === 'true';
  if (s !== '' && Number.isFinite(Number(s))) return Number(s);
  throw new JsonPathError(`unsupported filter value ${raw}`);
}

export function parseJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('..', i)) throw new JsonPathError(`recursive descent is not supported: ${expr}`);
    if (s[i] === '.') {
      const m = /^[A-Za-z0-9_\-/*]+/.exec(s.slice(i + 1));
      if (!m) throw new JsonPathError(`bad field at ${i} in ${expr}`);
      steps.push(m[0] === '*' ? { all: true } : { field: m[0] });
      i += 1 + m[0].length;
    } else if (s[i] === '[') {
      const end = s.indexOf(']', s.startsWith('[?(', i) ? s.indexOf(')]', i) : i);
      if (end < 0) throw new JsonPathError(`unclosed [ in ${expr}`);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^(['"]).*\1$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const body = inner.slice(2, -1).trim();
        const m = /^@((?:\.[A-Za-z0-9_\-/]+)+)\s*(?:(==|!=|<|>)\s*(.+))?$/.exec(body);
        if (!m) throw new JsonPathError(`unsupported filter ${inner} in ${expr}`);
        steps.push({ filter: { path: m[1].slice(1).split('.'), op: m[2], value: m[3] === undefined ? undefined : parseLiteral(m[3]) } });
      } else throw new JsonPathError(`unsupported bracket expression [${inner}] in ${expr}`);
    } else throw new JsonPathError(`unexpected "${s[i]}" at ${i} in ${expr}`);
  }
  return steps;
}

function get(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const p of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

function keep(v: unknown, f: { path: string[]; op?: string; value?: unknown }): boolean {
  const actual = get(v, f.path);
  switch (f.op) {
    case undefined:
      return actual !== undefined;
    case '==':
      return actual === f.value;
    case '!=':
      return actual !== f.value;
    case '<':
      return typeof actual === 'number' && typeof f.value === 'number' && actual < f.value;
    case '>':
      return typeof actual === 'number' && typeof f.value === 'number' && actual > f.value;
    default:
      return false;
  }
}

/** All values the path selects in `root` (missing keys select nothing, as with AllowMissingKeys). */
export function evaluateJsonPath(root: unknown, expr: string): unknown[] {
  let current: unknown[] = [root];
  for (const step of parseJsonPath(expr)) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('field' in step) {
        const x = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[step.field] : undefined;
        if (x !== undefined) next.push(x);
      } else if ('index' in step) {
        if (Array.isArray(v)) {
          const x = v[step.index < 0 ? v.length + step.index : step.index];
          if (x !== undefined) next.push(x);
        }
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
        else if (typeof v === 'object' && v !== null) next.push(...Object.values(v));
      } else if (Array.isArray(v)) next.push(...v.filter((x) => keep(x, step.filter)));
    }
    current = next;
  }
  return current;
}
