/** What the CLI's documents (queries.ts) return. */
import type { UserError } from './graphql.client.js';

export interface GpuQuota {
  gpuFamily: string;
  limit: number;
  used: number;
  available: number;
}

export interface Project {
  id: string;
  name: string;
  displayName: string;
  namespace: string;
  tenant: { name: string };
  gpuQuota: GpuQuota[];
}

export interface QuotaLevelVerdict {
  level: string;
  gpuFamily: string;
  requested: number;
  used: number;
  limit: number;
  available: number;
  allowed: boolean;
}

export interface Status {
  phase: string;
  percent: number;
  currentStep: string | null;
  stepIndex: number | null;
  stepCount: number | null;
  waitingOn: { reason: string; message: string; since: string } | null;
  failure: { reason: string; step: string; message: string } | null;
}

export interface Pool {
  id: string;
  name: string;
  mode: string;
  phase: string;
  clusterCount: number;
  createdAt: string;
  gpus: { gpuFamily: string; capacity: number; allocated: number; free: number }[];
  status: Status;
}

export interface VariableDef {
  name: string;
  type: string;
  locked: boolean;
}

export interface Bundle {
  id: string;
  name: string;
  version: number;
  versionLabel: string;
  bundleType: string;
  variables: VariableDef[];
}

export interface Deployment {
  id: string;
  name: string;
  phase: string;
  cluster: string;
  retries: number;
  variableValues: Record<string, unknown>;
  createdAt: string;
  project: { name: string };
  computePool: { id: string; name: string };
  gpuRequests: { gpuFamily: string; count: number }[];
  accessUrls: { component: string; url: string; port: number }[];
  status: Status;
}

export interface Plan {
  allowed: boolean;
  refusals: UserError[];
  quota: QuotaLevelVerdict[];
  gpuRequests: { gpuFamily: string; count: number }[];
  pool: { computePool: { id: string; name: string } | null; name: string; mode: string; isNew: boolean; cluster: string | null; machines: string[] };
  steps: { step: string; title: string }[];
  variableValues: Record<string, unknown>;
  hubObjects: { kind?: string; metadata?: { name?: string; namespace?: string } }[];
}

export interface DeploymentEvent {
  cursor: string;
  seq: number;
  type: string;
  phase: string;
  step: string | null;
  stepIndex: number | null;
  stepCount: number | null;
  percent: number;
  message: string;
  time: string;
  subjectName: string;
}

export interface Page<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: T[];
}
