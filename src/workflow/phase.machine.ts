/**
 * A phase transition table, enforced twice: in code (illegal transitions throw) and in the database
 * (the UPDATE only matches a row still in the expected phase, so two writers cannot both move it).
 * Each subject type owns exactly one table (compute/pool.machine.ts, deployments/deployment.machine.ts);
 * nothing else assigns a phase.
 */
import type { EntityName } from '@mikro-orm/core';
import type { Em } from '../db/orm.js';
import { ConflictError, ErrorCode } from '../errors.js';
import { updateSubject } from './subject.columns.js';

export class IllegalTransitionError extends Error {
  constructor(machine: string, from: string, to: string) {
    super(`${machine}: illegal phase transition ${from} -> ${to}`);
  }
}

/** The guarded row write `apply` makes (subject.columns.ts; the unit tests give a row in memory). */
export type SubjectWrite = typeof updateSubject;

export class PhaseMachine<P extends string = string> {
  constructor(
    readonly name: string,
    private readonly table: Record<P, readonly P[]>,
    private readonly write: SubjectWrite = updateSubject,
  ) {}

  can(from: P, to: P): boolean {
    return from === to || (this.table[from]?.includes(to) ?? false);
  }

  assert(from: P, to: P): void {
    if (!this.can(from, to)) throw new IllegalTransitionError(this.name, from, to);
  }

  /**
   * Moves one row from `from` to `to` (plus other columns), or throws ConflictError when the row is no
   * longer in `from` — somebody else moved it first.
   */
  async apply<E extends object>(em: Em, entity: EntityName<E>, id: string, from: P, to: P, extra: Record<string, unknown> = {}): Promise<void> {
    this.assert(from, to);
    const n = await this.write(em, entity, id, { phase: to, ...extra }, { phase: from });
    if (n !== 1) throw new ConflictError(`${this.name} changed concurrently (expected ${from})`, null, ErrorCode.CONFLICT);
  }
}
