import { Entity, Enum, Index, Property, Unique, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';

export enum SubjectKind {
  COMPUTE_POOL = 'COMPUTE_POOL',
  APP_DEPLOYMENT = 'APP_DEPLOYMENT',
}

/** What happened. Every step start, progress change, wait reason, success, failure and phase change. */
export enum EventType {
  CREATED = 'CREATED',
  PHASE_CHANGED = 'PHASE_CHANGED',
  STEP_STARTED = 'STEP_STARTED',
  STEP_PROGRESS = 'STEP_PROGRESS',
  STEP_WAITING = 'STEP_WAITING',
  STEP_SUCCEEDED = 'STEP_SUCCEEDED',
  STEP_FAILED = 'STEP_FAILED',
  RETRIED = 'RETRIED',
  DELETE_REQUESTED = 'DELETE_REQUESTED',
}

/**
 * The progress log of a pool or deployment (design §3). `seq` is gapless per subject and `projectSeq`
 * gapless per project; both are taken from event_sequence counters in the same transaction as the
 * state change they describe, so a reader that has seen seq N has seen every event before it.
 */
@Entity({ tableName: 'deployment_event' })
@Unique({ properties: ['subjectId', 'seq'] })
@Unique({ properties: ['projectId', 'projectSeq'] })
export class DeploymentEvent extends BaseEntity {
  @Enum({ items: () => SubjectKind, type: 'string' })
  subjectKind!: SubjectKind;

  @Property({ type: 'uuid' })
  subjectId!: string;

  /** The subject's name, so a project stream reads without joins. */
  @Property({ type: 'string', length: 63 })
  subjectName!: string;

  @Property({ type: 'uuid' })
  @Index()
  projectId!: string;

  @Property({ type: 'integer' })
  seq!: number;

  @Property({ type: 'integer' })
  projectSeq!: number;

  @Enum({ items: () => EventType, type: 'string' })
  type!: EventType;

  @Property({ type: 'string', length: 32 })
  phase!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  stepId: string | null = null;

  @Property({ type: 'integer', nullable: true })
  stepIndex: number | null = null;

  @Property({ type: 'integer', nullable: true })
  stepCount: number | null = null;

  @Property({ type: 'integer' })
  percent: Opt<number> = 0;

  @Property({ type: 'text' })
  message!: string;

  @Property({ type: 'json', nullable: true })
  details: Record<string, unknown> | null = null;
}

/** Per-scope counters behind `seq` and `projectSeq` (scope = a subject id or a project id). */
@Entity({ tableName: 'event_sequence' })
export class EventSequence {
  @Property({ type: 'uuid', primary: true })
  scopeId!: string;

  @Property({ type: 'integer' })
  last: Opt<number> = 0;
}
