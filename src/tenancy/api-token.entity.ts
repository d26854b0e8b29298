import { Collection, Entity, OneToMany, Property, DateTimeType } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';
import { RoleBinding } from './role-binding.entity.js';

/**
 * A caller identity. The secret is shown once at creation; only its SHA-256 is stored, so a database
 * leak does not leak usable credentials. Tokens are high-entropy, so an unsalted hash is sufficient
 * and keeps lookup a single indexed equality.
 */
@Entity({ tableName: 'api_token' })
export class ApiToken extends BaseEntity {
  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 64, unique: true })
  tokenHash!: string;

  /** The first characters of the secret, to recognise a token in lists without revealing it. */
  @Property({ type: 'string', length: 16 })
  prefix!: string;

  @Property({ type: 'uuid', nullable: true })
  createdById: string | null = null;

  @Property({ type: DateTimeType, nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: DateTimeType, nullable: true })
  revokedAt: Date | null = null;

  @OneToMany(() => RoleBinding, (b) => b.token, { orphanRemoval: true })
  roleBindings = new Collection<RoleBinding>(this);
}
