/**
 * Idempotency keys for create-style mutations (createComputePool, deployApp): the same caller, key
 * and input returns the first result, also after a restart; the same key with another input is a
 * user error. The record is written in the creating transaction, so it exists iff the object does.
 */
import { createHash } from 'node:crypto';
import { Entity, Property, Unique } from '@mikro-orm/core';
import { DomainError, ErrorCode } from '../errors.js';
import { BaseEntity } from './base.entity.js';
import type { Em } from './orm.js';
import type { Stager } from './plain-inserts.js';

@Entity({ tableName: 'idempotency_record' })
@Unique({ properties: ['tokenId', 'operation', 'key'] })
export class IdempotencyRecord extends BaseEntity {
  @Property({ type: 'uuid' })
  tokenId!: string;

  @Property({ type: 'string', length: 64 })
  operation!: string;

  @Property({ type: 'string', length: 255 })
  key!: string;

  @Property({ type: 'string', length: 64 })
  requestHash!: string;

  @Property({ type: 'uuid' })
  resultId!: string;
}

/** Canonical JSON (sorted keys) so key order in the request doesn't change the hash. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(
      Object.keys(v as object)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

export function requestHash(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(input))).digest('hex');
}

export interface IdempotencyScope {
  tokenId: string;
  operation: string;
  key: string;
  hash: string;
}

export function idempotencyKeyProblem(key: string): string | null {
  if (key.length < 1 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) return 'idempotencyKey must be 1-255 printable ASCII characters without spaces';
  return null;
}

/** The id created by an earlier call with this key and input, null if none; throws on a different input. */
export async function replayOf(em: Em, s: IdempotencyScope): Promise<string | null> {
  const rec = await em.findOne(IdempotencyRecord, { tokenId: s.tokenId, operation: s.operation, key: s.key });
  if (!rec) return null;
  if (rec.requestHash !== s.hash) {
    throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this idempotencyKey was already used with a different input', ['idempotencyKey']);
  }
  return rec.resultId;
}

/** Inside the creating transaction. */
export function remember(em: Stager, s: IdempotencyScope, resultId: string): void {
  em.create(IdempotencyRecord, { tokenId: s.tokenId, operation: s.operation, key: s.key, requestHash: s.hash, resultId });
}
