/**
 * Named leases for periodic jobs that one replica at a time should run (the audit retention purge):
 * a holder takes or renews the lease in one statement, and only when it is free, expired or already
 * its own; a replica that dies stops renewing and another takes over after the lease runs out.
 */
import { DateTimeType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { Em } from './orm.js';
import { all } from './sql.js';

@Entity({ tableName: 'periodic_lease' })
export class PeriodicLease {
  @PrimaryKey({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'string', length: 64 })
  holder!: string;

  @Property({ type: DateTimeType })
  leaseUntil!: Date;
}

/** Takes or renews lease `name` for `ms`; false when another holder has it. */
export async function tryLease(em: Em, name: string, holder: string, ms: number, now = new Date()): Promise<boolean> {
  const rows = await all<{ holder: string }>(
    em,
    'insert into periodic_lease (name, holder, lease_until) values (?, ?, ?) ' +
      'on conflict (name) do update set holder = excluded.holder, lease_until = excluded.lease_until ' +
      'where periodic_lease.lease_until < ? or periodic_lease.holder = ? returning holder',
    [name, holder, new Date(now.getTime() + ms), now, holder],
  );
  return rows.length === 1;
}
