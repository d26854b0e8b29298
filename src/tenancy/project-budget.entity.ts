import { DateTimeType, Entity, OneToOne, Property, type Ref } from '@mikro-orm/core';
import { Project } from './project.entity.js';

/**
 * A project's monthly GPU-hour budget (no row: no budget). A table of its own, not a project column:
 * admission locks this row to serialise a budgeted project's admissions, and a lock on the project
 * row would also block every insert referencing the project (foreign-key checks).
 */
@Entity({ tableName: 'project_budget' })
export class ProjectBudget {
  @OneToOne(() => Project, { primary: true, owner: true, ref: true, deleteRule: 'cascade' })
  project!: Ref<Project>;

  @Property({ type: 'double' })
  monthlyGpuHours!: number;

  @Property({ type: DateTimeType })
  updatedAt: Date = new Date();
}
