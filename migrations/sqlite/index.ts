// Rewritten by scripts/migrations.ts: every migration of this dialect, in name order.
import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001Initial } from './Migration0001Initial.js';
import { Migration20261206004326JobStepNames } from './Migration20261206004326JobStepNames.js';
import { Migration20261206004337DeploymentHubName } from './Migration20261206004337DeploymentHubName.js';
import { Migration20261206015753AuditTrailGpuBudgets } from './Migration20261206015753AuditTrailGpuBudgets.js';
import { Migration20261206042330DeploymentRevisions } from './Migration20261206042330DeploymentRevisions.js';
import { Migration20261206072544JobTraceParent } from './Migration20261206072544JobTraceParent.js';
import { Migration20261206073217PoolExposure } from './Migration20261206073217PoolExposure.js';

export const migrations: MigrationObject[] = [
  { name: 'Migration0001Initial', class: Migration0001Initial },
  { name: 'Migration20261206004326JobStepNames', class: Migration20261206004326JobStepNames },
  { name: 'Migration20261206004337DeploymentHubName', class: Migration20261206004337DeploymentHubName },
  { name: 'Migration20261206015753AuditTrailGpuBudgets', class: Migration20261206015753AuditTrailGpuBudgets },
  { name: 'Migration20261206042330DeploymentRevisions', class: Migration20261206042330DeploymentRevisions },
  { name: 'Migration20261206072544JobTraceParent', class: Migration20261206072544JobTraceParent },
  { name: 'Migration20261206073217PoolExposure', class: Migration20261206073217PoolExposure },
];
