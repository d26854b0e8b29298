/**
 * Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which
 * client-go 1.32+ (kubectl create namespace/configmap/secret/service/quota, certificate approve) sends for built-in
 * kinds and does not retry as JSON when refused. The envelope is the 4-byte magic `k8s\0` and a
 * runtime.Unknown whose `raw` is the object's message. Decoded into the JSON the Go types would
 * marshal (omitempty: zero values of non-pointer fields are dropped), for the kinds listed here;
 * any other kind is refused with 415. Field numbers are those of k8s.io/api and
 * k8s.io/apimachinery's generated.proto.
 */
import { errors } from './api.errors.js';

type Scalar = 'string' | 'bytes' | 'bool' | 'int' | 'time' | 'microtime' | 'intorstring' | 'quantity';
interface Field {
  name: string;
  type: Scalar | Message;
  repeated?: boolean;
  /** map<string, T>: the entry's value type. */
  map?: Scalar | Message;
  /** A pointer (or non-omitempty) field: a present zero value is kept. */
  keep?: boolean;
}
type Message = Record<number, Field>;

const f = (name: string, type: Field['type'], extra: Partial<Field> = {}): Field => ({ name, type, ...extra });

const OWNER_REFERENCE: Message = {
  5: f('apiVersion', 'string'),
  1: f('kind', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  6: f('controller', 'bool', { keep: true }),
  7: f('blockOwnerDeletion', 'bool', { keep: true }),
};

const OBJECT_META: Message = {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  4: f('selfLink', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int'),
  8: f('creationTimestamp', 'time'),
  9: f('deletionTimestamp', 'time'),
  10: f('deletionGracePeriodSeconds', 'int', { keep: true }),
  11: f('labels', 'string', { map: 'string' }),
  12: f('annotations', 'string', { map: 'string' }),
  13: f('ownerReferences', OWNER_REFERENCE, { repeated: true }),
  14: f('finalizers', 'string', { repeated: true }),
};

const SERVICE_PORT: Message = {
  1: f('name', 'string'),
  2: f('protocol', 'string'),
  6: f('appProtocol', 'string', { keep: true }),
  3: f('port', 'int', { keep: true }),
  4: f('targetPort', 'intorstring'),
  5: f('nodePort', 'int'),
};

const SERVICE_SPEC: Message = {
  1: f('ports', SERVICE_PORT, { repeated: true }),
  2: f('selector', 'string', { map: 'string' }),
  3: f('clusterIP', 'string'),
  18: f('clusterIPs', 'string', { repeated: true }),
  4: f('type', 'string'),
  5: f('externalIPs', 'string', { repeated: true }),
  7: f('sessionAffinity', 'string'),
  8: f('loadBalancerIP', 'string'),
  9: f('loadBalancerSourceRanges', 'string', { repeated: true }),
  10: f('externalName', 'string'),
  11: f('externalTrafficPolicy', 'string'),
  12: f('healthCheckNodePort', 'int'),
  13: f('publishNotReadyAddresses', 'bool'),
  14: f('sessionAffinityConfig', { 1: f('clientIP', { 1: f('timeoutSeconds', 'int', { keep: true }) }) }),
  19: f('ipFamilies', 'string', { repeated: true }),
  17: f('ipFamilyPolicy', 'string', { keep: true }),
  20: f('allocateLoadBalancerNodePorts', 'bool', { keep: true }),
  21: f('loadBalancerClass', 'string', { keep: true }),
  22: f('internalTrafficPolicy', 'string', { keep: true }),
  23: f('trafficDistribution', 'string', { keep: true }),
};

const LEASE_SPEC: Message = {
  1: f('holderIdentity', 'string', { keep: true }),
  2: f('leaseDurationSeconds', 'int', { keep: true }),
  3: f('acquireTime', 'microtime', { keep: true }),
  4: f('renewTime', 'microtime', { keep: true }),
  5: f('leaseTransitions', 'int', { keep: true }),
  6: f('strategy', 'string', { keep: true }),
  7: f('preferredHolder', 'string', { keep: true }),
};

// k8s.io/api/certificates/v1 (kubectl certificate approve PUTs the CSR to /approval this way);
// `extra` (map of ExtraValue) is left out: unknown field numbers are skipped
const CSR_CONDITION: Message = {
  1: f('type', 'string'),
  6: f('status', 'string'),
  2: f('reason', 'string'),
  3: f('message', 'string'),
  4: f('lastUpdateTime', 'time'),
  5: f('lastTransitionTime', 'time'),
};

const CSR: Message = {
  1: f('metadata', OBJECT_META),
  2: f('spec', {
    1: f('request', 'bytes'),
    7: f('signerName', 'string'),
    8: f('expirationSeconds', 'int', { keep: true }),
    5: f('usages', 'string', { repeated: true }),
    2: f('username', 'string'),
    3: f('uid', 'string'),
    4: f('groups', 'string', { repeated: true }),
  }),
  3: f('status', { 1: f('conditions', CSR_CONDITION, { repeated: true }), 2: f('certificate', 'bytes') }),
};

/** The kinds whose protobuf bodies are understood, by `apiVersion/kind`. */
const KINDS: Record<string, Message> = {
  'v1/Namespace': { 1: f('metadata', OBJECT_META), 2: f('spec', { 1: f('finalizers', 'string', { repeated: true }) }) },
  'v1/ConfigMap': { 1: f('metadata', OBJECT_META), 4: f('immutable', 'bool', { keep: true }), 2: f('data', 'string', { map: 'string' }), 3: f('binaryData', 'string', { map: 'bytes' }) },
  'v1/Secret': {
    1: f('metadata', OBJECT_META),
    5: f('immutable', 'bool', { keep: true }),
    2: f('data', 'string', { map: 'bytes' }),
    4: f('stringData', 'string', { map: 'string' }),
    3: f('type', 'string'),
  },
  'v1/Service': { 1: f('metadata', OBJECT_META), 2: f('spec', SERVICE_SPEC) },
  'v1/ResourceQuota': {
    1: f('metadata', OBJECT_META),
    2: f('spec', {
      1: f('hard', 'string', { map: 'quantity' }),
      2: f('scopes', 'string', { repeated: true }),
      3: f('scopeSelector', { 1: f('matchExpressions', { 1: f('scopeName', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', { repeated: true }) }, { repeated: true }) }),
    }),
  },
  'coordination.k8s.io/v1/Lease': { 1: f('metadata', OBJECT_META), 2: f('spec', LEASE_SPEC) },
  'certificates.k8s.io/v1/CertificateSigningRequest': CSR,
};

const UNKNOWN: Message = {
  1: f('typeMeta', { 1: f('apiVersion', 'string'), 2: f('kind', 'string') }),
  2: f('raw', 'bytes'),
  3: f('contentEncoding', 'string'),
  4: f('contentType', 'string'),
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly end = buf.length) {}
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.end) throw new Error('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

const signed32 = (v: bigint) => Number(BigInt.asIntN(32, v));
const signed64 = (v: bigint) => Number(BigInt.asIntN(64, v));

function timeOf(buf: Buffer, micro: boolean): string | undefined {
  const t = decodeMessage(buf, { 1: f('seconds', 'int'), 2: f('nanos', 'int') });
  const seconds = Number(t.seconds ?? 0);
  const nanos = Number(t.nanos ?? 0);
  if (!seconds && !nanos) return undefined;
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function scalar(type: Scalar, wire: number, r: Reader): unknown {
  switch (type) {
    case 'string':
      return r.bytes().toString('utf8');
    case 'bytes':
      return r.bytes().toString('base64');
    case 'bool':
      return r.varint() !== 0n;
    case 'int':
      return wire === 0 ? signed64(r.varint()) : (r.skip(wire), 0);
    case 'time':
      return timeOf(r.bytes(), false);
    case 'microtime':
      return timeOf(r.bytes(), true);
    case 'quantity':
      return decodeMessage(r.bytes(), { 1: f('string', 'string') }).string;
    case 'intorstring': {
      const v = decodeMessage(r.bytes(), { 1: f('type', 'int', { keep: true }), 2: f('intVal', 'int', { keep: true }), 3: f('strVal', 'string', { keep: true }) });
      return v.type === 1 ? (v.strVal ?? '') : signed32(BigInt(Number(v.intVal ?? 0)));
    }
  }
}

function isZero(v: unknown): boolean {
  return v === undefined || v === '' || v === 0 || v === false || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}

function decodeMessage(buf: Buffer, m: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const tag = Number(r.varint());
    const num = tag >>> 3;
    const wire = tag & 7;
    const field = m[num];
    if (!field) {
      r.skip(wire);
      continue;
    }
    if (field.map) {
      const entry = new Reader(r.bytes());
      let k = '';
      let v: unknown;
      while (entry.pos < entry.end) {
        const t = Number(entry.varint());
        if (t >>> 3 === 1) k = entry.bytes().toString('utf8');
        else if (t >>> 3 === 2) v = typeof field.map === 'string' ? scalar(field.map, t & 7, entry) : decodeMessage(entry.bytes(), field.map);
        else entry.skip(t & 7);
      }
      const map = (out[field.name] ??= {}) as Record<string, unknown>;
      map[k] = v ?? (field.map === 'string' || field.map === 'bytes' || field.map === 'quantity' ? '' : {});
      continue;
    }
    const value = typeof field.type === 'string' ? scalar(field.type, wire, r) : decodeMessage(r.bytes(), field.type);
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else if (value !== undefined && (field.keep || !isZero(value))) out[field.name] = value;
  }
  return out;
}

/** Decodes a protobuf request body into JSON-shaped data; 415 for kinds it does not know. */
export function decodeProtobuf(body: Buffer, accepted: string[]): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw errors.badRequest('the protobuf body does not start with the Kubernetes magic number');
  let unknown: Record<string, unknown>;
  try {
    unknown = decodeMessage(body.subarray(4), UNKNOWN);
  } catch (e) {
    throw errors.badRequest(`could not decode the protobuf envelope: ${(e as Error).message}`);
  }
  const tm = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const m = KINDS[`${tm.apiVersion}/${tm.kind}`];
  if (!m) throw errors.unsupportedMediaType(accepted);
  try {
    const obj = decodeMessage(Buffer.from(String(unknown.raw ?? ''), 'base64'), m);
    return { apiVersion: tm.apiVersion, kind: tm.kind, ...obj };
  } catch (e) {
    throw errors.badRequest(`could not decode the ${tm.kind} protobuf body: ${(e as Error).message}`);
  }
}

export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';
