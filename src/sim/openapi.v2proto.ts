/**
 * The Swagger 2.0 document in the protobuf form client-go asks for first
 * (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): gnostic's openapi.v2.Document
 * (github.com/google/gnostic-models, openapiv2/OpenAPIv2.proto). kubectl reads it for client-side
 * validation (e.g. of a v1 List) and apply's patch computation. Vendor extensions, enums and
 * defaults travel as YAML text in `Any.yaml` (JSON is YAML), as gnostic stores them.
 */
import { isPlainObject } from './kube.types.js';

type J = Record<string, unknown>;

class Writer {
  private readonly parts: Buffer[] = [];

  private tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  varint(v: bigint): void {
    const bytes: number[] = [];
    let x = BigInt.asUintN(64, v);
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      bytes.push(b);
    } while (x);
    this.parts.push(Buffer.from(bytes));
  }

  string(field: number, v: unknown): void {
    if (typeof v !== 'string' || v === '') return;
    this.bytes(field, Buffer.from(v, 'utf8'));
  }

  bytes(field: number, b: Buffer): void {
    this.tag(field, 2);
    this.varint(BigInt(b.length));
    this.parts.push(b);
  }

  bool(field: number, v: unknown): void {
    if (v !== true) return;
    this.tag(field, 0);
    this.varint(1n);
  }

  int(field: number, v: unknown): void {
    if (typeof v !== 'number' || !v) return;
    this.tag(field, 0);
    this.varint(BigInt(Math.trunc(v)));
  }

  double(field: number, v: unknown): void {
    if (typeof v !== 'number' || !v) return;
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.parts.push(b);
  }

  message(field: number, encode: (w: Writer) => void): void {
    const w = new Writer();
    encode(w);
    this.bytes(field, w.finish());
  }

  strings(field: number, v: unknown): void {
    if (Array.isArray(v)) for (const s of v) this.string(field, s);
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Any{yaml}: gnostic keeps free-form values as YAML text. */
const any = (w: Writer, field: number, v: unknown) => w.message(field, (a) => a.string(2, JSON.stringify(v)));

function extensions(w: Writer, field: number, o: J): void {
  for (const [k, v] of Object.entries(o)) if (k.startsWith('x-')) w.message(field, (n) => (n.string(1, k), any(n, 2, v)));
}

function schema(w: Writer, s: J): void {
  w.string(1, s.$ref);
  w.string(2, s.format);
  w.string(3, s.title);
  w.string(4, s.description);
  if (s.default !== undefined) any(w, 5, s.default);
  w.double(6, s.multipleOf);
  w.double(7, s.maximum);
  w.bool(8, s.exclusiveMaximum);
  w.double(9, s.minimum);
  w.bool(10, s.exclusiveMinimum);
  w.int(11, s.maxLength);
  w.int(12, s.minLength);
  w.string(13, s.pattern);
  w.int(14, s.maxItems);
  w.int(15, s.minItems);
  w.bool(16, s.uniqueItems);
  w.int(17, s.maxProperties);
  w.int(18, s.minProperties);
  w.strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) any(w, 20, e);
  const ap = s.additionalProperties;
  if (isPlainObject(ap)) w.message(21, (m) => m.message(1, (x) => schema(x, ap)));
  else if (typeof ap === 'boolean') w.message(21, (m) => (ap ? m.bool(2, true) : (m.varint(BigInt((2 << 3) | 0)), m.varint(0n))));
  if (typeof s.type === 'string') w.message(22, (t) => t.string(1, s.type));
  if (isPlainObject(s.items)) w.message(23, (i) => i.message(1, (x) => schema(x, s.items as J)));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) w.message(24, (x) => schema(x, a as J));
  if (isPlainObject(s.properties))
    w.message(25, (p) => {
      for (const [name, v] of Object.entries(s.properties as J)) p.message(1, (n) => (n.string(1, name), n.message(2, (x) => schema(x, v as J))));
    });
  w.bool(27, s.readOnly);
  if (s.example !== undefined) any(w, 30, s.example);
  extensions(w, 31, s);
}

function parameter(w: Writer, p: J): void {
  w.message(1, (param) => {
    if (p.in === 'body') {
      param.message(1, (b) => {
        b.string(1, p.description);
        b.string(2, p.name);
        b.string(3, p.in);
        b.bool(4, p.required);
        if (isPlainObject(p.schema)) b.message(5, (x) => schema(x, p.schema as J));
        extensions(b, 6, p);
      });
      return;
    }
    // NonBodyParameter: query (3) and path (4) sub-schemas share their first fields' numbers.
    const which = p.in === 'path' ? 4 : 3;
    param.message(2, (nb) =>
      nb.message(which, (q) => {
        q.bool(1, p.required);
        q.string(2, p.in);
        q.string(3, p.description);
        q.string(4, p.name);
        if (which === 3) {
          q.string(6, p.type);
          q.bool(20, p.uniqueItems);
          extensions(q, 23, p);
        } else {
          q.string(5, p.type);
          q.bool(19, p.uniqueItems);
          extensions(q, 22, p);
        }
      }),
    );
  });
}

function operation(w: Writer, op: J): void {
  w.strings(1, op.tags);
  w.string(3, op.description);
  w.string(5, op.operationId);
  w.strings(6, op.produces);
  w.strings(7, op.consumes);
  for (const p of (op.parameters as J[] | undefined) ?? []) w.message(8, (x) => parameter(x, p));
  if (isPlainObject(op.responses))
    w.message(9, (rs) => {
      for (const [code, r] of Object.entries(op.responses as Record<string, J>))
        rs.message(1, (n) => {
          n.string(1, code);
          n.message(2, (rv) =>
            rv.message(1, (resp) => {
              resp.string(1, r.description);
              if (isPlainObject(r.schema)) resp.message(2, (si) => si.message(1, (x) => schema(x, r.schema as J)));
            }),
          );
        });
    });
  w.strings(10, op.schemes);
  extensions(w, 13, op);
}

const VERBS: Array<[string, number]> = [
  ['get', 2],
  ['put', 3],
  ['post', 4],
  ['delete', 5],
  ['patch', 8],
];

/** Encodes a Swagger 2.0 JSON document as a gnostic openapi.v2.Document. */
export function encodeOpenApiV2(doc: J): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger);
  if (isPlainObject(doc.info)) w.message(2, (i) => (i.string(1, (doc.info as J).title), i.string(2, (doc.info as J).version)));
  if (isPlainObject(doc.paths))
    w.message(8, (ps) => {
      for (const [path, item] of Object.entries(doc.paths as Record<string, J>))
        ps.message(2, (n) => {
          n.string(1, path);
          n.message(2, (pi) => {
            for (const [verb, field] of VERBS) if (isPlainObject(item[verb])) pi.message(field, (o) => operation(o, item[verb] as J));
            for (const p of (item.parameters as J[] | undefined) ?? []) pi.message(9, (x) => parameter(x, p));
          });
        });
    });
  if (isPlainObject(doc.definitions))
    w.message(9, (d) => {
      for (const [name, s] of Object.entries(doc.definitions as Record<string, J>)) d.message(1, (n) => (n.string(1, name), n.message(2, (x) => schema(x, s))));
    });
  return w.finish();
}
