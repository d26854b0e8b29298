/**
 * Retention of the audit trail (AUDIT_RETENTION_DAYS): records older than the retention are deleted
 * in batches by a periodic job. Every replica runs the timer; the one holding the `audit-purge` lease
 * does the work, so N replicas purge once, and another takes over when the holder dies (its lease
 * runs out after three intervals). The delete passes the database's immutability triggers only
 * through the purge gate: the batch's transaction writes its cutoff there and removes it before
 * COMMIT, and the triggers refuse records at or after the cutoff and any cutoff under a day old.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { tryLease } from '../db/lease.js';
import type { Em, Orm } from '../db/orm.js';
import { knexOf, run } from '../db/sql.js';
import { inTransaction } from '../db/transaction.js';
import type { Logger } from '../logger.js';

const LEASE = 'audit-purge';
const BATCH = 1000;
/** The first run comes this soon after start (or after one interval, if shorter). */
const FIRST_RUN_MS = 60_000;

export class AuditPurger {
  readonly holder = `purger-${randomUUID()}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly orm: Orm,
    private readonly clock: Clock,
    private readonly retentionDays: number,
    private readonly intervalMs: number,
    private readonly log: Logger,
    /** records deleted per transaction */
    private readonly batch = BATCH,
  ) {}

  start(): void {
    if (!this.retentionDays || this.timer) return;
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        this.running = this.runOnce()
          .catch((e) => this.log.error('audit purge failed', { err: e as Error }))
          .finally(() => {
            this.running = null;
            if (this.timer) tick(this.intervalMs);
          });
      }, delay);
      this.timer.unref();
    };
    tick(Math.min(FIRST_RUN_MS, this.intervalMs));
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One purge, if this replica holds the lease: the number of records deleted. */
  async runOnce(): Promise<number> {
    if (!this.retentionDays) return 0;
    const em = this.orm.em.fork() as Em;
    if (!(await tryLease(em, LEASE, this.holder, this.intervalMs * 3))) return 0;
    const cutoff = new Date(this.clock.now().getTime() - this.retentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const n = await inTransaction(em, async (tem) => {
        const k = knexOf(tem);
        await run(tem, k('audit_purge_gate').insert({ id: 1, cutoff }));
        const doomed = k('audit_record').select('id').where('created_at', '<', cutoff).orderBy('created_at').limit(this.batch);
        const deleted = await run(tem, k('audit_record').whereIn('id', doomed).delete());
        await run(tem, k('audit_purge_gate').where({ id: 1 }).delete());
        return deleted;
      });
      total += n;
      if (n < this.batch) break;
    }
    if (total) this.log.info('audit records purged', { deleted: total, before: cutoff.toISOString() });
    return total;
  }
}
