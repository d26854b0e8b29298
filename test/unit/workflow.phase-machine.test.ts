import { describe, expect, it } from 'vitest';
import { poolMachine } from '../../src/compute/pool.machine.js';
import { PoolPhase as P } from '../../src/compute/pool.model.js';
import type { Em } from '../../src/db/orm.js';
import { ConflictError } from '../../src/errors.js';
import { IllegalTransitionError, PhaseMachine, type SubjectWrite } from '../../src/workflow/phase.machine.js';

const ALL = Object.values(P);

/** The pool lifecycle of design §2, written out independently of pool.machine.ts. */
const LEGAL: Array<[P, P]> = [
  [P.PENDING, P.PROVISIONING],
  [P.PENDING, P.FAILED],
  [P.PENDING, P.DELETING],
  [P.PROVISIONING, P.REGISTERING],
  [P.PROVISIONING, P.FAILED],
  [P.PROVISIONING, P.DELETING],
  [P.REGISTERING, P.INSTALLING],
  [P.REGISTERING, P.FAILED],
  [P.REGISTERING, P.DELETING],
  [P.INSTALLING, P.RUNNING],
  [P.INSTALLING, P.FAILED],
  [P.INSTALLING, P.DELETING],
  [P.RUNNING, P.DELETING],
  [P.RUNNING, P.FAILED],
  // a failed pool can be retried from its failed step, or deleted
  [P.FAILED, P.PROVISIONING],
  [P.FAILED, P.DELETING],
  [P.DELETING, P.DELETED],
  [P.DELETING, P.FAILED],
];
const legal = new Set(LEGAL.map(([a, b]) => `${a}>${b}`));
const pairs = ALL.flatMap((from) => ALL.filter((to) => to !== from).map((to) => [from, to] as [P, P]));

describe('poolMachine', () => {
  it.each(LEGAL)('should allow %s -> %s', (from, to) => {
    expect(poolMachine.can(from, to)).toBe(true);
    expect(() => poolMachine.assert(from, to)).not.toThrow();
  });

  it.each(pairs.filter(([a, b]) => !legal.has(`${a}>${b}`)))('should refuse %s -> %s', (from, to) => {
    expect(poolMachine.can(from, to)).toBe(false);
    expect(() => poolMachine.assert(from, to)).toThrow(IllegalTransitionError);
  });

  it('should treat staying in a phase as no transition', () => {
    for (const p of ALL) expect(poolMachine.can(p, p)).toBe(true);
  });

  it('should make DELETED final and reach RUNNING only through every provisioning phase', () => {
    expect(ALL.filter((to) => to !== P.DELETED && poolMachine.can(P.DELETED, to))).toEqual([]);
    const into = (to: P) => ALL.filter((from) => from !== to && poolMachine.can(from, to));
    expect(into(P.RUNNING)).toEqual([P.INSTALLING]);
    expect(into(P.INSTALLING)).toEqual([P.REGISTERING]);
    expect(into(P.REGISTERING)).toEqual([P.PROVISIONING]);
    expect(into(P.DELETED)).toEqual([P.DELETING]);
    // every phase but DELETED (and DELETING itself) can start a deletion
    expect(into(P.DELETING).sort()).toEqual(ALL.filter((p) => p !== P.DELETED && p !== P.DELETING).sort());
  });
});

/** A row in memory behind the machine's guarded write: it changes only while `guard` still holds. */
function fakeRow(row: { id: string; phase: string; [k: string]: unknown }) {
  const updates: Array<{ where: Record<string, unknown>; set: Record<string, unknown> }> = [];
  const write: SubjectWrite = async (_em, _entity, id, values, guard = {}) => {
    const where = { id, ...guard };
    updates.push({ where, set: values });
    if (Object.entries(where).some(([k, v]) => row[k] !== v)) return 0;
    Object.assign(row, values);
    return 1;
  };
  return { em: {} as Em, write, updates, row };
}

describe('PhaseMachine.apply', () => {
  const table = { A: ['B'], B: ['C'], C: [] } as const;
  const machine = (write: SubjectWrite) => new PhaseMachine<'A' | 'B' | 'C'>('Thing', table, write);

  it('should move the row only from the expected phase, with the extra columns', async () => {
    const { em, row, updates, write } = fakeRow({ id: 'x', phase: 'A' });
    const m = machine(write);
    await m.apply(em, 'Thing', 'x', 'A', 'B', { percent: 10 });
    expect(row).toEqual({ id: 'x', phase: 'B', percent: 10 });
    expect(updates).toEqual([{ where: { id: 'x', phase: 'A' }, set: { phase: 'B', percent: 10 } }]);
  });

  it('should throw a ConflictError when somebody else moved the row first', async () => {
    const { em, row, write } = fakeRow({ id: 'x', phase: 'C' });
    const m = machine(write);
    await expect(m.apply(em, 'Thing', 'x', 'B', 'C')).rejects.toBeInstanceOf(ConflictError);
    expect(row.phase).toBe('C');
  });

  it('should refuse an illegal transition before touching the database', async () => {
    const { em, updates, write } = fakeRow({ id: 'x', phase: 'A' });
    const m = machine(write);
    await expect(m.apply(em, 'Thing', 'x', 'A', 'C')).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(m.apply(em, 'Thing', 'x', 'C', 'A')).rejects.toThrow(/Thing: illegal phase transition C -> A/);
    expect(updates).toEqual([]);
  });

  it('should refuse phases missing from the table', () => {
    expect(new PhaseMachine<'A' | 'B' | 'C'>('Thing', table).can('Z' as never, 'A')).toBe(false);
  });
});
