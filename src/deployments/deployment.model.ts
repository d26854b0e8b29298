/** App Deployment vocabulary shared by entity, rules, flows and GraphQL types. */
import type { ExposureSetting, NodeRequirements } from '../compute/pool.model.js';

export enum DeploymentPhase {
  QUEUED = 'QUEUED',
  PROVISIONING = 'PROVISIONING',
  PLACING = 'PLACING',
  DEPLOYING = 'DEPLOYING',
  RUNNING = 'RUNNING',
  FAILED = 'FAILED',
  DELETING = 'DELETING',
  DELETED = 'DELETED',
}

export interface Link {
  title: string;
  url: string;
}

export interface GpuRequest {
  gpuFamily: string;
  count: number;
}

export interface AccessUrl {
  component: string;
  url: string;
  port: number;
}

/** Where the deployment runs: an existing RUNNING pool, or a new DEDICATED pool made in the same flow. */
export type DeploymentTarget =
  | { kind: 'EXISTING_POOL'; poolId: string }
  | {
      kind: 'NEW_DEDICATED_POOL';
      poolName: string;
      description: string | null;
      infrastructureBundleId: string;
      nodeRequirements: NodeRequirements;
      /** only when the input named one (so specs admitted before the setting hash the same) */
      exposure?: ExposureSetting;
    };

/** The normalised input a deployment was admitted with: what clone starts from, what idempotency hashes. */
export interface DeploymentSpec {
  name: string;
  description: string | null;
  links: Link[];
  bundleIds: string[];
  target: DeploymentTarget;
  /** the caller's variable values, as given (typed resolution is stored separately) */
  variables: Record<string, unknown>;
}
