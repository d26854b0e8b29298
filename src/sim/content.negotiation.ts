/**
 * Media types, as kube-apiserver answers them, for a server that writes JSON and YAML:
 *   - request bodies: JSON, YAML (and protobuf for built-in kinds, see protobuf.decode.ts); CBOR or
 *     anything else → 415 UnsupportedMediaType listing what is accepted; malformed JSON → 400.
 *     (client-go 1.32/1.33 does not retry a refused protobuf body as JSON: it reports the 415.)
 *   - Accept: JSON (also `*\/*`, `application/*`, a missing header), YAML, or a Table for clients
 *     asking `as=Table;g=meta.k8s.io;v=v1` (kubectl get); ranges we cannot produce (protobuf) are
 *     skipped, and when none is left → 406 NotAcceptable;
 *   - duplicate JSON object keys, which strict and warning field validation report.
 */
import type { IncomingMessage } from 'node:http';
import yaml from 'js-yaml';
import { errors } from './api.errors.js';

export const JSON_TYPE = 'application/json';
export const YAML_TYPE = 'application/yaml';
export const BODY_TYPES = [JSON_TYPE, YAML_TYPE];
export const APPLY_TYPE = 'application/apply-patch+yaml';
export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';

export type Output = 'json' | 'yaml' | 'table';

/** The request's media type, lowercased, without parameters; JSON when absent (as the server defaults). */
export function requestMediaType(req: IncomingMessage): string {
  const raw = req.headers['content-type'];
  if (!raw) return JSON_TYPE;
  return raw.split(';')[0].trim().toLowerCase();
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || !header.trim()) return [{ type: '*/*', params: {}, q: 1 }];
  return header
    .split(',')
    .map((part) => {
      const [type, ...ps] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of ps) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      }
      const q = params.q === undefined ? 1 : Number(params.q);
      return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.type && r.q > 0)
    .sort((a, b) => b.q - a.q);
}

/**
 * What to answer with. `table` only when the client asked for a meta.k8s.io/v1 Table and the
 * response is a get or list; other `as=` conversions (PartialObjectMetadata) are skipped, so the
 * client's next choice (usually plain JSON) wins.
 */
export function negotiateOutput(accept: string | undefined, opts: { watch: boolean; tableable: boolean }): Output {
  for (const r of parseAccept(accept)) {
    const as = r.params.as;
    if (as !== undefined) {
      if (as === 'Table' && opts.tableable && (r.params.g ?? '') === 'meta.k8s.io' && (r.params.v === 'v1' || r.params.v === 'v1beta1') && (r.type === JSON_TYPE || r.type === '*/*')) return 'table';
      continue;
    }
    if (r.type === JSON_TYPE || r.type === '*/*' || r.type === 'application/*') return 'json';
    if (r.type === YAML_TYPE && !opts.watch) return 'yaml';
  }
  throw errors.notAcceptable(opts.watch ? [JSON_TYPE] : BODY_TYPES);
}

/** A create/update body (JSON or YAML) → value; other media types → 415, malformed → 400. */
export function decodeBody(text: string, mediaType: string, accepted = BODY_TYPES): unknown {
  if (!accepted.includes(mediaType)) throw errors.unsupportedMediaType(accepted);
  if (mediaType === YAML_TYPE || mediaType === APPLY_TYPE) {
    try {
      return yaml.load(text, { schema: yaml.JSON_SCHEMA });
    } catch (e) {
      throw errors.badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

/**
 * Paths of keys that appear twice in one JSON object (`spec.a`, `items[2].name`), as strict
 * decoding reports them. A scan of the text (JSON.parse keeps the last value silently); YAML bodies
 * are checked by the YAML parser itself, which refuses duplicate keys.
 */
export function duplicateFields(text: string): string[] {
  if (!text.includes('"')) return [];
  const out: string[] = [];
  type Frame = { obj: boolean; path: string; keys?: Set<string>; key?: string; index: number };
  const stack: Frame[] = [];
  let expectKey = false;
  const childPath = (f: Frame | undefined): string => {
    if (!f) return '';
    if (f.obj) return f.path ? `${f.path}.${f.key}` : (f.key ?? '');
    return `${f.path}[${f.index}]`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = i + 1;
      let raw = false;
      while (j < text.length && text.charCodeAt(j) !== 34) {
        if (text.charCodeAt(j) === 92 /* \ */) {
          raw = true;
          j++;
        }
        j++;
      }
      const top = stack[stack.length - 1];
      if (top?.obj && expectKey) {
        let key = text.slice(i + 1, j);
        if (raw) {
          try {
            key = JSON.parse(text.slice(i, j + 1)) as string;
          } catch {
            // malformed: JSON.parse reports it
          }
        }
        if (top.keys!.has(key)) out.push(top.path ? `${top.path}.${key}` : key);
        top.keys!.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === 123 /* { */) {
      stack.push({ obj: true, path: childPath(stack[stack.length - 1]), keys: new Set(), index: 0 });
      expectKey = true;
    } else if (c === 91 /* [ */) {
      stack.push({ obj: false, path: childPath(stack[stack.length - 1]), index: 0 });
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.obj) expectKey = true;
      else if (top) top.index++;
    }
  }
  return out;
}
