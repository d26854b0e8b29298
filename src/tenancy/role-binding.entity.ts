import { Entity, Enum, ManyToOne, type Ref } from '@mikro-orm/core';
import { BaseEntity } from '../db/base.entity.js';
import { ApiToken } from './api-token.entity.js';
import { Project } from './project.entity.js';
import { Tenant } from './tenant.entity.js';

/** Roles as in PaletteAI (design §5). */
export enum Role {
  PLATFORM_ADMIN = 'PLATFORM_ADMIN',
  TENANT_ADMIN = 'TENANT_ADMIN',
  PROJECT_ADMIN = 'PROJECT_ADMIN',
  PROJECT_EDITOR = 'PROJECT_EDITOR',
  PROJECT_VIEWER = 'PROJECT_VIEWER',
}

/**
 * A role held by a token, scoped to nothing (PLATFORM_ADMIN), a tenant (TENANT_ADMIN) or a project
 * (PROJECT_*, which also records the project's tenant). Bindings die with their tenant or project
 * (cascade), so a deleted project grants nothing.
 */
@Entity({ tableName: 'role_binding' })
export class RoleBinding extends BaseEntity {
  @ManyToOne(() => ApiToken, { ref: true, deleteRule: 'cascade' })
  token!: Ref<ApiToken>;

  @Enum({ items: () => Role, type: 'string' })
  role!: Role;

  @ManyToOne(() => Tenant, { ref: true, nullable: true, deleteRule: 'cascade' })
  tenant: Ref<Tenant> | null = null;

  @ManyToOne(() => Project, { ref: true, nullable: true, deleteRule: 'cascade' })
  project: Ref<Project> | null = null;
}
