// Rewritten by scripts/migrations.ts: the names in index.ts, without importing the migrations (and the migrator).
export const migrationNames: string[] = [
  'Migration0001Initial',
  'Migration20261206004326JobStepNames',
  'Migration20261206004337DeploymentHubName',
  'Migration20261206015753AuditTrailGpuBudgets',
  'Migration20261206042330DeploymentRevisions',
  'Migration20261206072544JobTraceParent',
  'Migration20261206073217PoolExposure',
];
