/**
 * Opaque global IDs (Relay `Node.id`). The encoding is an implementation detail: clients must not
 * decode them, so it can change without a schema change.
 */
import { isUuid } from '../../db/ids.js';
import { ErrorCode, ValidationError } from '../../errors.js';

export const NodeKind = {
  Tenant: 'Tenant',
  Project: 'Project',
  Machine: 'Machine',
  ProfileBundle: 'ProfileBundle',
  ApiToken: 'ApiToken',
  ComputePool: 'ComputePool',
  Environment: 'Environment',
  AppDeployment: 'AppDeployment',
  DeploymentEvent: 'DeploymentEvent',
  AuditEvent: 'AuditEvent',
} as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

const KINDS = new Set<string>(Object.values(NodeKind));
const PREFIX = 'sg1:';

export function toGlobalId(kind: NodeKind, id: string): string {
  return Buffer.from(`${PREFIX}${kind}:${id}`, 'utf8').toString('base64url');
}

export interface DecodedId {
  kind: NodeKind;
  id: string;
}

/** Returns null for anything that is not an ID we issued (never throws). */
export function parseGlobalId(globalId: string): DecodedId | null {
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > 200) return null;
  if (!/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const raw = Buffer.from(globalId, 'base64url').toString('utf8');
  if (!raw.startsWith(PREFIX)) return null;
  const [kind, id, ...rest] = raw.slice(PREFIX.length).split(':');
  if (rest.length || !KINDS.has(kind) || !id || !isUuid(id)) return null;
  return { kind: kind as NodeKind, id };
}

/** Decodes an ID that must be of `kind`; a malformed or foreign ID is a user error on `field`. */
export function fromGlobalId(globalId: string, kind: NodeKind, field: string[] | null = null): string {
  const d = parseGlobalId(globalId);
  if (!d || d.kind !== kind) {
    throw new ValidationError(`Not a valid ${kind} ID`, field, ErrorCode.INVALID_ID);
  }
  return d.id;
}
