/** The one registry of persisted entities (passed as classes, not globs: works under tsx, vitest and tsc). */
import { ProfileBundle } from '../catalog/profile-bundle.entity.js';
import { Machine } from '../compute/machine.entity.js';
import { ApiToken } from '../tenancy/api-token.entity.js';
import { GpuQuota } from '../tenancy/gpu-quota.entity.js';
import { GpuReservation } from '../tenancy/gpu-reservation.entity.js';
import { Project } from '../tenancy/project.entity.js';
import { RoleBinding } from '../tenancy/role-binding.entity.js';
import { Tenant } from '../tenancy/tenant.entity.js';
import { ClusterGpu, ComputePool, PoolCluster } from '../compute/pool.entity.js';
import { DeploymentEvent, EventSequence } from '../events/event.entity.js';
import { WorkflowJob } from '../workflow/job.entity.js';
import { IdempotencyRecord } from './idempotency.js';
import { AppDeployment, AppDeploymentBundle } from '../deployments/deployment.entity.js';
import { AuditPurgeGate, AuditRecord, AuditSequence } from '../audit/audit-record.entity.js';
import { ProjectBudget } from '../tenancy/project-budget.entity.js';
import { PeriodicLease } from './lease.js';
import { AppDeploymentRevision, AppDeploymentRevisionBundle } from '../deployments/deployment.revision.entity.js';

export const entities = [
  Tenant,
  Project,
  GpuQuota,
  GpuReservation,
  ApiToken,
  RoleBinding,
  Machine,
  ProfileBundle,
  IdempotencyRecord,
  DeploymentEvent,
  EventSequence,
  WorkflowJob,
  ComputePool,
  PoolCluster,
  ClusterGpu,
  AppDeployment,
  AppDeploymentBundle,
  AuditRecord,
  AuditSequence,
  AuditPurgeGate,
  PeriodicLease,
  AppDeploymentRevision,
  AppDeploymentRevisionBundle,
  ProjectBudget,
];
