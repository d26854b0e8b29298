import { Entity, Property, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';

/** The hub namespace of the tenant named `name`. */
export function tenantNamespace(name: string): string {
  return `tenant-${name}`;
}

@Entity({ tableName: 'tenant' })
export class Tenant extends BaseEntity {
  @Property({ type: 'string', length: 33, unique: true })
  name!: string;

  @Property({ type: 'string', length: 128 })
  displayName!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  /** Hub namespace owned by the tenant (design §1). */
  get namespace(): Opt<string> {
    return tenantNamespace(this.name);
  }
}
