import { Property, type Opt, DateTimeType } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';

/**
 * Columns every workflow subject carries so that "why is it not running yet?" is one row read:
 * current step, percent, wait reason and since-when, failure. Written only by the workflow runner,
 * in the same transaction as the matching events. `phase` lives in the subclass (its own enum).
 */
export abstract class TrackedEntity extends BaseEntity {
  abstract phase: string;
  abstract name: string;
  abstract get projectId(): string;

  @Property({ type: 'integer' })
  percent: Opt<number> = 0;

  @Property({ type: 'string', length: 64, nullable: true })
  currentStep: string | null = null;

  @Property({ type: 'integer', nullable: true })
  stepIndex: number | null = null;

  @Property({ type: 'integer', nullable: true })
  stepCount: number | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  waitReason: string | null = null;

  @Property({ type: 'text', nullable: true })
  waitMessage: string | null = null;

  @Property({ type: DateTimeType, nullable: true })
  waitingSince: Date | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  failureReason: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  failureStep: string | null = null;

  @Property({ type: 'text', nullable: true })
  failureMessage: string | null = null;
}
