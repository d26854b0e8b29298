import { BigIntType, DateTimeType, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { AuditOutcome } from './audit.model.js';

/**
 * One mutation call, appended in the transaction of its effect (or alone, for a refusal) and never
 * changed: there is no update or delete path in the code, and the database refuses both (triggers of
 * Migration…AuditTrail) except for the retention purge of records older than its cutoff.
 *
 * `seq` is gapless in commit order (a counter row taken as the last statement before COMMIT), so a
 * reader that has seen seq N has seen every record before it: subscriptions resume by cursor.
 */
@Entity({ tableName: 'audit_record', readonly: true })
@Index({ properties: ['tenantId', 'seq'] })
@Index({ properties: ['projectId', 'seq'] })
@Index({ properties: ['actorTokenId', 'seq'] })
export class AuditRecord {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: new BigIntType('number'), unique: true })
  seq!: number;

  @Property({ type: DateTimeType })
  @Index()
  createdAt!: Date;

  @Property({ type: 'string', length: 128 })
  requestId!: string;

  /** The token that called (null for a caller without one, e.g. an OIDC sign-in). */
  @Property({ type: 'uuid', nullable: true })
  actorTokenId: string | null = null;

  /** The caller's subject (e.g. an OIDC `sub`), when it has one. */
  @Property({ type: 'string', length: 255, nullable: true })
  actorSubject: string | null = null;

  /** The mutation field, e.g. deployApp. */
  @Property({ type: 'string', length: 64 })
  operation!: string;

  @Property({ type: 'uuid', nullable: true })
  tenantId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  projectId: string | null = null;

  /** The object acted on or created (a NodeKind), when there is one. */
  @Property({ type: 'string', length: 32, nullable: true })
  subjectKind: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  subjectId: string | null = null;

  /** SHA-256 (hex) of the canonical input with secret values redacted. */
  @Property({ type: 'string', length: 64 })
  inputDigest!: string;

  /** The input, redacted and shortened for people. */
  @Property({ type: 'json' })
  inputSummary!: unknown;

  @Enum({ items: () => AuditOutcome, type: 'string' })
  outcome!: AuditOutcome;

  @Property({ type: 'string', length: 64, nullable: true })
  errorCode: string | null = null;

  /** Every user error of a refusal: code and input field (messages may echo input, so they stay out). */
  @Property({ type: 'json', nullable: true })
  errors: { code: string; field: string[] | null }[] | null = null;
}

/** The counter behind AuditRecord.seq: one row (id 1). */
@Entity({ tableName: 'audit_sequence' })
export class AuditSequence {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  id!: number;

  @Property({ type: new BigIntType('number') })
  last!: number;
}

/**
 * What lets the retention purge (and nothing else) delete records: the purge's transaction writes its
 * cutoff here, deletes, and removes the row before COMMIT; the database triggers refuse to delete a
 * record created at or after the cutoff, and any cutoff less than a day old.
 */
@Entity({ tableName: 'audit_purge_gate' })
export class AuditPurgeGate {
  @PrimaryKey({ type: 'integer', autoincrement: false })
  id!: number;

  @Property({ type: DateTimeType })
  cutoff!: Date;
}
