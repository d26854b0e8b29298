/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** CPU architecture of a machine */
export type Architecture =
  /** The x86-64 architecture */
  | 'AMD64'
  /** The 64-bit ARM architecture (aarch64) */
  | 'ARM64';

/** What a profile bundle packages, which decides what it can be used for */
export type BundleType =
  /** Workload profiles only: what app deployments run (one of their bundles must hold an APPLICATION workload profile) */
  | 'APPLICATION'
  /** A cluster profile and workload profiles: usable for pools and for deployments */
  | 'FULLSTACK'
  /** A cluster profile only: what compute pool clusters are built from */
  | 'INFRASTRUCTURE';

/** Input of cloneAppDeployment: a new deployment from the bundles and values of another, with changes */
export type CloneAppDeploymentInput = {
  /** Description of the new deployment (default: the source one) */
  description?: string | null | undefined;
  /** Return the plan in `plan`; write nothing */
  dryRun?: boolean | null | undefined;
  /** The deployment to copy */
  id: string | number;
  /** Your key for this request (1-255 printable ASCII characters): the same key and input return the first result; the same key with another input is refused */
  idempotencyKey?: string | null | undefined;
  /** Name of the new deployment: 3-33 lowercase letters, digits and "-"; unique in the project */
  name: string;
  /** Another RUNNING pool (default: the same target as the source) */
  poolId?: string | number | null | undefined;
  /** Overrides on top of the source values */
  variables?: Array<VariableValueInput> | null | undefined;
};

/** How the apps deployed onto a pool are reached from outside their cluster (their access URLs); fixed at creation */
export type ComputePoolExposure =
  /** A ClusterIP Service and an Ingress per exposed component, on host <component>-<deployment hub name>.<ingressHostSuffix>; the access URL is that host. Needs an ingress controller on the spoke and DNS (e.g. a wildcard record) for the suffix */
  | 'INGRESS'
  /** A LoadBalancer Service per exposed component; the access URL is the address the spoke's load-balancer implementation assigns. A spoke without one never assigns an address: the rollout then fails at its deadline with EXPOSURE_TIMEOUT */
  | 'LOAD_BALANCER'
  /** A NodePort Service per exposed component; the access URL is the host of the cluster's control-plane endpoint (Cluster API Cluster spec.controlPlaneEndpoint) and the allocated node port. For edge and bare-metal spokes without a load balancer */
  | 'NODE_PORT';

/** How a compute pool is shared; fixed at creation */
export type ComputePoolMode =
  /** One cluster for a single app deployment; all GPUs of its worker machines are reserved against the project quota */
  | 'DEDICATED'
  /** One or more clusters for many app deployments; each deployment reserves the GPUs it requests */
  | 'SHARED';

/** Control-plane nodes of each cluster; fields left out come from the project's compute defaults or mean no constraint */
export type ControlPlaneRequirementInput = {
  /** Required CPU architecture (default: any) */
  architecture?: Architecture | null | undefined;
  /** Least CPU cores of each machine, 0-4096 (default 0) */
  minCpuCount?: number | null | undefined;
  /** Least memory of each machine in MiB, 0-67108864 (default 0) */
  minMemoryMiB?: number | null | undefined;
  /** Control-plane nodes per cluster: 1, 3 or 5 (default: the project's compute defaults) */
  nodeCount?: number | null | undefined;
  /** Whether control-plane nodes also run workloads; must be true without worker pools (default: the project's compute defaults) */
  workerNodeEligible?: boolean | null | undefined;
};

/** Input of deployApp */
export type DeployAppInput = {
  /** Global IDs of profile bundle versions of the project, at most 10; together they must hold an APPLICATION workload profile */
  bundleIds: Array<string | number>;
  /** Free text, at most 2048 characters */
  description?: string | null | undefined;
  /** Admit nothing and write nothing: return in `plan` what would happen */
  dryRun?: boolean | null | undefined;
  /** Your key for this request (1-255 printable ASCII characters): the same key and input return the first result; the same key with another input is refused */
  idempotencyKey?: string | null | undefined;
  /** Links to show with the deployment, at most 10 */
  links?: Array<LinkInput> | null | undefined;
  /** 3-33 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit; unique in the project */
  name: string;
  /** Provision a new DEDICATED pool for this deployment in the same flow; give this or poolId, not both */
  newDedicatedPool?: NewDedicatedPoolInput | null | undefined;
  /** A RUNNING compute pool of the project; give this or newDedicatedPool, not both */
  poolId?: string | number | null | undefined;
  /** Global ID of the project */
  projectId: string | number;
  /** Values for the variables of the bundles, at most 100 and 64 KiB of JSON; required variables without a default must be given */
  variables?: Array<VariableValueInput> | null | undefined;
};

/** What an event of the progress log records */
export type DeploymentEventType =
  /** The subject was admitted and created */
  | 'CREATED'
  /** Deletion was requested */
  | 'DELETE_REQUESTED'
  /** The subject moved to another phase (`phase` holds the new one) */
  | 'PHASE_CHANGED'
  /** A failed deployment was retried and resumes from its failed step */
  | 'RETRIED'
  /** A step failed; the subject is FAILED */
  | 'STEP_FAILED'
  /** A running step made progress (`percent` changed) */
  | 'STEP_PROGRESS'
  /** A step of the flow started */
  | 'STEP_STARTED'
  /** A step finished */
  | 'STEP_SUCCEEDED'
  /** A step waits on something outside the gateway; the message says what */
  | 'STEP_WAITING';

/** What an event is about */
export type EventSubjectKind =
  /** An app deployment */
  | 'APP_DEPLOYMENT'
  /** A compute pool */
  | 'COMPUTE_POOL';

/** Why a step of a pool or deployment failed */
export type FailureReason =
  /** The outcome of a step could not be recorded, several times in a row */
  | 'BOOKKEEPING_FAILED'
  /** A Cluster API cluster of the pool failed to provision */
  | 'CLUSTER_FAILED'
  /** The rollout deadline passed while an exposed component had no address, e.g. a LOAD_BALANCER pool on a spoke without a load-balancer implementation; the message names what was missing. Use a NODE_PORT or INGRESS pool there; retryAppDeployment starts a new deadline */
  | 'EXPOSURE_TIMEOUT'
  /** The hub answered with an error the step could not get past */
  | 'HUB_ERROR'
  /** The hub refused a write (a 4xx answer); the message says why */
  | 'HUB_REJECTED'
  /** The step failed because the hub could not be reached */
  | 'HUB_UNREACHABLE'
  /** A fault of the gateway that did not pass after retries */
  | 'INTERNAL_ERROR'
  /** The deployment's compute pool failed */
  | 'POOL_FAILED'
  /** The deployment's compute pool is being deleted or is gone */
  | 'POOL_GONE'
  /** The pool's clusters were not provisioned, registered and given their add-ons within the provisioning deadline (POOL_PROVISION_DEADLINE_SECONDS, counted from when the clusters were requested); the message names what it was still waiting for */
  | 'PROVISION_DEADLINE_EXCEEDED'
  /** The hub refused to register a cluster of the pool */
  | 'REGISTRATION_DENIED'
  /** A Helm release of the app failed to install */
  | 'RELEASE_FAILED'
  /** The rendered hub objects of the app are too large for the hub to store */
  | 'RENDERED_TOO_LARGE'
  /** The rollout deadline passed before the app was applied and every Helm release was Ready; the message names what was pending. retryAppDeployment starts a new deadline */
  | 'ROLLOUT_TIMEOUT'
  /** The job names a step its flow no longer has (a release renamed or removed it) */
  | 'UNKNOWN_STEP';

/** GPUs each worker node must have */
export type GpuPerNodeInput = {
  /** GPUs per worker node, 1-64 */
  countPerNode: number;
  /** GPU family, e.g. NVIDIA-H100 */
  family: string;
};

/** A link to show with a deployment */
export type LinkInput = {
  /** Text of the link, 1-100 characters */
  title: string;
  /** An http(s) URL, at most 2048 characters */
  url: string;
};

/** A role a machine may take in a cluster */
export type MachineRole =
  /** May be a control-plane node (usually a CPU-only host) */
  | 'CONTROL_PLANE'
  /** May be a worker node (usually a GPU host) */
  | 'WORKER';

/** Whether a machine can be given to a compute pool */
export type MachineState =
  /** Healthy and free: admission may reserve it for a pool */
  | 'AVAILABLE'
  /** A node of a running compute pool */
  | 'IN_USE'
  /** Reserved for a compute pool that is being provisioned */
  | 'RESERVED'
  /** Taken out of service by an operator; never reserved */
  | 'UNHEALTHY';

/** A DEDICATED compute pool to provision for the deployment in the same flow */
export type NewDedicatedPoolInput = {
  /** Free text, at most 2048 characters */
  description?: string | null | undefined;
  /** How the app is reached: LOAD_BALANCER (default), NODE_PORT (spokes without a load balancer) or INGRESS (needs ingressHostSuffix), as in createComputePool */
  exposure?: ComputePoolExposure | null | undefined;
  /** Global ID of an INFRASTRUCTURE or FULLSTACK bundle version of the project */
  infrastructureBundleId: string | number;
  /** Required with exposure INGRESS, refused otherwise: the DNS suffix the app hosts are made under (e.g. apps.example.com) */
  ingressHostSuffix?: string | null | undefined;
  /** Name of the pool (default: the deployment's name) */
  name?: string | null | undefined;
  /** The shape of the pool's cluster; its worker GPUs must cover the deployment's GPU requests */
  nodeRequirements: NodeRequirementsInput;
};

/** The shape of each cluster of a pool: at most 10 worker groups, at most 500 machines in the whole pool */
export type NodeRequirementsInput = {
  /** Control-plane nodes (default: the project's compute defaults) */
  controlPlane?: ControlPlaneRequirementInput | null | undefined;
  /** Worker node groups, at most 10 (default: none, a control-plane-only cluster) */
  workerPools?: Array<WorkerPoolRequirementInput> | null | undefined;
};

/** Phase of an app deployment (QUEUED PROVISIONING PLACING DEPLOYING RUNNING FAILED DELETING DELETED) or a compute pool (PENDING PROVISIONING REGISTERING INSTALLING RUNNING FAILED DELETING DELETED) */
export type Phase =
  /** Removed from the hub; the record and its events stay for audit */
  | 'DELETED'
  /** Being removed from the hub; machines and quota are released when done */
  | 'DELETING'
  /** Deployment: its Helm releases are being applied and rolled out on the chosen cluster */
  | 'DEPLOYING'
  /** A step failed; `status.failure` says which and why. Reservations are released; a deployment can be retried from the failed step */
  | 'FAILED'
  /** Pool: add-ons (Flux, GPU support) and the environment are being installed on its cluster(s) */
  | 'INSTALLING'
  /** Pool: admitted (machines and GPU quota reserved), waiting for the runner to start provisioning */
  | 'PENDING'
  /** Deployment: choosing the cluster of the pool it will run on (placement decision) */
  | 'PLACING'
  /** Pool: its Kubernetes cluster(s) are being built on the reserved machines. Deployment: its new dedicated pool is being provisioned */
  | 'PROVISIONING'
  /** Deployment: admitted (GPU quota reserved), waiting for the runner to start its first step */
  | 'QUEUED'
  /** Pool: its cluster(s) are being registered with the hub as spokes */
  | 'REGISTERING'
  /** Ready: a pool accepts deployments; a deployment serves its access URLs */
  | 'RUNNING';

/** Which GPU quota a verdict is about */
export type QuotaLevel =
  /** The project's own GPU quota */
  | 'PROJECT'
  /** The tenant's GPU quota: the cap over all its projects together */
  | 'TENANT';

/** A role a token holds; the higher roles include everything the lower ones of their scope may do */
export type Role =
  /** Everything, in every tenant: creates and deletes tenants and sets tenant GPU quotas */
  | 'PLATFORM_ADMIN'
  /** Everything a project editor may do, plus changing the project's settings and granting project roles */
  | 'PROJECT_ADMIN'
  /** Reads a project; creates and deletes profile bundles and compute pools; deploys, retries, clones and deletes app deployments */
  | 'PROJECT_EDITOR'
  /** Reads a project and everything in it, and subscribes to its events */
  | 'PROJECT_VIEWER'
  /** Administers one tenant: its projects (create, delete, quotas, budgets), its machine inventory, and every project's resources */
  | 'TENANT_ADMIN';

/** Why a mutation refused its input */
export type UserErrorCode =
  /** An object with this name already exists where names must be unique */
  | 'ALREADY_EXISTS'
  /** The GPU-hours this would reserve pass the monthly GPU-hour budget of the project or tenant */
  | 'BUDGET_EXCEEDED'
  /** The request conflicts with current state or a concurrent change (machines taken concurrently, a quota limit below the GPUs in use); re-read and try again */
  | 'CONFLICT'
  /** This idempotency key was already used by you with a different input */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** The object is in a phase where this operation is not allowed (e.g. retry of a deployment that has not failed) */
  | 'ILLEGAL_STATE'
  /** Not enough free machines or free GPUs of the family in the pool or inventory */
  | 'INSUFFICIENT_CAPACITY'
  /** An ID is malformed or names an object of another type */
  | 'INVALID_ID'
  /** A value breaks a rule of its field (range, length, format, combination); the message says which */
  | 'INVALID_INPUT'
  /** A name is not 3-33 lowercase letters, digits and `-`, starting with a letter and ending with a letter or digit */
  | 'INVALID_NAME'
  /** The object is still used by others (projects of a tenant, pools using a bundle, deployments on a pool) and cannot be removed */
  | 'IN_USE'
  /** A referenced object does not exist or is not visible to you */
  | 'NOT_FOUND'
  /** The GPUs requested would pass the project or tenant GPU quota of that family; the message names level, family, requested, used and limit */
  | 'QUOTA_EXCEEDED';

/** Type of a bundle variable; values are given as JSON */
export type VariableType =
  /** A JSON true or false */
  | 'BOOL'
  /** A finite number, stored as single precision */
  | 'FLOAT32'
  /** A finite number */
  | 'FLOAT64'
  /** An integer from -2147483648 to 2147483647 */
  | 'INT32'
  /** A 64-bit integer: a JSON number below 2^53 in magnitude, or a decimal string */
  | 'INT64'
  /** Text of at most 4096 characters */
  | 'STRING';

/** A value for a variable of the bundles */
export type VariableValueInput = {
  /** Name of a variable defined by one of the bundles; locked variables cannot be given */
  name: string;
  /** A value of the variable's type (INT64 may be a decimal string) */
  value: unknown;
};

/** Why a pool or deployment is not done yet */
export type WaitReason =
  /** A hub object with a name the flow needs exists and is not ours; left untouched until someone removes it */
  | 'HUB_NAME_CONFLICT'
  /** The hub does not answer; the step is retried with backoff and does not fail because of this */
  | 'HUB_UNREACHABLE'
  /** Waiting for the workflow runner to pick up the job */
  | 'QUEUED'
  /** A transient error occurred; the step is retried with backoff */
  | 'RETRYING_AFTER_ERROR'
  /** Waiting for add-ons (Flux, GPU support) to become available on a cluster */
  | 'WAITING_FOR_ADDONS'
  /** The app's releases are Ready; waiting for the address of an exposed component: the load-balancer address (pool exposure LOAD_BALANCER), or the node port and the cluster's control-plane endpoint (NODE_PORT). Ends in EXPOSURE_TIMEOUT at the rollout deadline */
  | 'WAITING_FOR_ADDRESS'
  /** Waiting for the Cluster API cluster of the pool to finish provisioning */
  | 'WAITING_FOR_CLUSTER'
  /** Waiting for hub objects being deleted to be gone */
  | 'WAITING_FOR_DELETION'
  /** Waiting for the pool's cluster set and its binding in the project namespace */
  | 'WAITING_FOR_ENVIRONMENT'
  /** Waiting for the kubeconfig Secret of a provisioned cluster */
  | 'WAITING_FOR_KUBECONFIG'
  /** Waiting for the hub to decide which cluster of the pool runs the app */
  | 'WAITING_FOR_PLACEMENT'
  /** Waiting for the compute pool the deployment runs on to become RUNNING */
  | 'WAITING_FOR_POOL'
  /** Waiting for a cluster to join the hub as a spoke and become available */
  | 'WAITING_FOR_REGISTRATION'
  /** Waiting for the applied app to become available (Helm releases Ready) */
  | 'WAITING_FOR_ROLLOUT';

/** One group of worker nodes of each cluster */
export type WorkerPoolRequirementInput = {
  /** Required CPU architecture (default: any) */
  architecture?: Architecture | null | undefined;
  /** GPUs each machine must have (default: none required) */
  gpu?: GpuPerNodeInput | null | undefined;
  /** Least CPU cores of each machine, 0-4096 (default 0) */
  minCpuCount?: number | null | undefined;
  /** Least memory of each machine in MiB, 0-67108864 (default 0) */
  minMemoryMiB?: number | null | undefined;
  /** 1-32 lowercase letters, digits or "-", unique in the pool */
  name: string;
  /** Worker nodes of this group per cluster, 1-100 */
  nodeCount: number;
};

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { isPlatformAdmin: boolean, token: { id: string, name: string } | null, roleBindings: Array<{ role: Role, tenant: { id: string, name: string } | null, project: { id: string, name: string } | null }> } };

export type QuotaFieldsFragment = { gpuFamily: string, limit: number, used: number, available: number };

export type TenantsQueryVariables = Exact<{ [key: string]: never; }>;


export type TenantsQuery = { tenants: { totalCount: number, nodes: Array<{ id: string, name: string, displayName: string, namespace: string, gpuQuota: Array<{ gpuFamily: string, limit: number, used: number, available: number }>, projects: { totalCount: number, nodes: Array<{ id: string, name: string, displayName: string, gpuQuota: Array<{ gpuFamily: string, limit: number, used: number, available: number }> }> } }> } };

export type MachinesQueryVariables = Exact<{
  tenant: string;
  after?: string | null | undefined;
}>;


export type MachinesQuery = { tenant: { id: string, name: string, displayName: string, machines: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, hostId: string, architecture: Architecture, cpuCount: number, memoryMiB: number, state: MachineState, roles: Array<MachineRole>, gpu: { family: string, count: number, memoryMiB: number } | null, assignedPool: { id: string, name: string } | null }> } } | null };

export type StatusFieldsFragment = { phase: Phase, percent: number, currentStep: string | null, stepIndex: number | null, stepCount: number | null, waitingOn: { reason: WaitReason, message: string, since: string } | null, failure: { reason: FailureReason, step: string, message: string } | null };

export type EventFieldsFragment = { id: string, cursor: string, seq: number, projectSeq: number, subjectKind: EventSubjectKind, subjectId: string, subjectName: string, type: DeploymentEventType, phase: Phase, step: string | null, stepIndex: number | null, stepCount: number | null, percent: number, message: string, details: unknown, time: string };

export type ProjectQueryVariables = Exact<{
  name: string;
}>;


export type ProjectQuery = { project: { id: string, name: string, displayName: string, description: string | null, namespace: string, tenant: { id: string, name: string, displayName: string }, gpuQuota: Array<{ gpuFamily: string, limit: number, used: number, available: number }>, computePools: { nodes: Array<{ id: string, name: string, mode: ComputePoolMode, phase: Phase, clusterCount: number, status: { phase: Phase, percent: number, currentStep: string | null, stepIndex: number | null, stepCount: number | null, waitingOn: { reason: WaitReason, message: string, since: string } | null, failure: { reason: FailureReason, step: string, message: string } | null }, gpus: Array<{ gpuFamily: string, capacity: number, allocated: number, free: number }>, events: { nodes: Array<{ cursor: string, projectSeq: number }> } }> }, appDeployments: { nodes: Array<{ id: string, name: string, phase: Phase, createdAt: string, computePool: { id: string, name: string }, status: { phase: Phase, percent: number, currentStep: string | null, stepIndex: number | null, stepCount: number | null, waitingOn: { reason: WaitReason, message: string, since: string } | null, failure: { reason: FailureReason, step: string, message: string } | null }, accessUrls: Array<{ component: string, url: string }>, events: { nodes: Array<{ cursor: string, projectSeq: number }> } }> } } | null };

export type PoolQueryVariables = Exact<{
  id: string | number;
}>;


export type PoolQuery = { node:
    | { __typename: 'ApiToken', id: string }
    | { __typename: 'AppDeployment', id: string }
    | { __typename: 'AuditEvent', id: string }
    | { __typename: 'ComputePool', name: string, mode: ComputePoolMode, phase: Phase, description: string | null, clusterCount: number, kubernetesVersion: string, createdAt: string, id: string, project: { id: string, name: string }, infrastructureBundle: { id: string, name: string, versionLabel: string } | null, status: { phase: Phase, percent: number, currentStep: string | null, stepIndex: number | null, stepCount: number | null, waitingOn: { reason: WaitReason, message: string, since: string } | null, failure: { reason: FailureReason, step: string, message: string } | null }, clusters: Array<{ name: string, index: number, nodeCount: number, gpus: Array<{ gpuFamily: string, capacity: number, allocated: number, free: number }> }>, gpus: Array<{ gpuFamily: string, capacity: number, allocated: number, free: number }>, environment: { id: string, clusterSets: Array<string>, namespace: string }, machines: { totalCount: number, nodes: Array<{ id: string, hostId: string, state: MachineState, gpu: { family: string, count: number } | null }> }, appDeployments: { totalCount: number, nodes: Array<{ id: string, name: string, phase: Phase }> }, events: { pageInfo: { endCursor: string | null }, nodes: Array<{ id: string, cursor: string, seq: number, projectSeq: number, subjectKind: EventSubjectKind, subjectId: string, subjectName: string, type: DeploymentEventType, phase: Phase, step: string | null, stepIndex: number | null, stepCount: number | null, percent: number, message: string, details: unknown, time: string }> } }
    | { __typename: 'DeploymentEvent', id: string }
    | { __typename: 'Environment', id: string }
    | { __typename: 'Machine', id: string }
    | { __typename: 'ProfileBundle', id: string }
    | { __typename: 'Project', id: string }
    | { __typename: 'Tenant', id: string }
   | null };

export type DeploymentQueryVariables = Exact<{
  id: string | number;
}>;


export type DeploymentQuery = { node:
    | { __typename: 'ApiToken', id: string }
    | { __typename: 'AppDeployment', name: string, description: string | null, phase: Phase, cluster: string, retries: number, createdAt: string, deletedAt: string | null, variableValues: unknown, id: string, project: { id: string, name: string }, computePool: { id: string, name: string, mode: ComputePoolMode, phase: Phase }, bundles: Array<{ id: string, name: string, versionLabel: string }>, gpuRequests: Array<{ gpuFamily: string, count: number }>, links: Array<{ title: string, url: string }>, accessUrls: Array<{ component: string, url: string, port: number }>, status: { phase: Phase, percent: number, currentStep: string | null, stepIndex: number | null, stepCount: number | null, waitingOn: { reason: WaitReason, message: string, since: string } | null, failure: { reason: FailureReason, step: string, message: string } | null }, events: { pageInfo: { endCursor: string | null }, nodes: Array<{ id: string, cursor: string, seq: number, projectSeq: number, subjectKind: EventSubjectKind, subjectId: string, subjectName: string, type: DeploymentEventType, phase: Phase, step: string | null, stepIndex: number | null, stepCount: number | null, percent: number, message: string, details: unknown, time: string }> } }
    | { __typename: 'AuditEvent', id: string }
    | { __typename: 'ComputePool', id: string }
    | { __typename: 'DeploymentEvent', id: string }
    | { __typename: 'Environment', id: string }
    | { __typename: 'Machine', id: string }
    | { __typename: 'ProfileBundle', id: string }
    | { __typename: 'Project', id: string }
    | { __typename: 'Tenant', id: string }
   | null };

export type DeployFormQueryVariables = Exact<{
  name: string;
}>;


export type DeployFormQuery = { project: { id: string, name: string, displayName: string, gpuQuota: Array<{ gpuFamily: string, limit: number, used: number, available: number }>, profileBundles: { nodes: Array<{ id: string, name: string, versionLabel: string, bundleType: BundleType, description: string | null, variables: Array<{ name: string, type: VariableType, default: unknown, required: boolean, locked: boolean, description: string | null }>, workloadProfiles: Array<{ components: Array<{ name: string, gpu: { family: string, count: number } | null }> }> }> }, computePools: { nodes: Array<{ id: string, name: string, mode: ComputePoolMode, clusterCount: number, gpus: Array<{ gpuFamily: string, capacity: number, free: number }> }> } } | null };

export type PlanFieldsFragment = { allowed: boolean, variableValues: unknown, hubObjects: Array<unknown>, refusals: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }>, quota: Array<{ level: QuotaLevel, gpuFamily: string, requested: number, used: number, limit: number, available: number, allowed: boolean }>, gpuRequests: Array<{ gpuFamily: string, count: number }>, pool: { name: string, mode: ComputePoolMode, isNew: boolean, cluster: string | null, machines: Array<string>, computePool: { id: string, name: string } | null }, steps: Array<{ step: string, title: string }> };

export type DeployAppMutationVariables = Exact<{
  input: DeployAppInput;
}>;


export type DeployAppMutation = { deployApp: { appDeployment: { id: string, name: string, phase: Phase } | null, plan: { allowed: boolean, variableValues: unknown, hubObjects: Array<unknown>, refusals: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }>, quota: Array<{ level: QuotaLevel, gpuFamily: string, requested: number, used: number, limit: number, available: number, allowed: boolean }>, gpuRequests: Array<{ gpuFamily: string, count: number }>, pool: { name: string, mode: ComputePoolMode, isNew: boolean, cluster: string | null, machines: Array<string>, computePool: { id: string, name: string } | null }, steps: Array<{ step: string, title: string }> } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type QuotaWhatIfQueryVariables = Exact<{
  projectId: string | number;
  gpuFamily: string;
  count: number;
}>;


export type QuotaWhatIfQuery = { quotaWhatIf: { allowed: boolean, bindingLevel: QuotaLevel | null, levels: Array<{ level: QuotaLevel, gpuFamily: string, requested: number, used: number, limit: number, available: number, allowed: boolean }> } };

export type RetryMutationVariables = Exact<{
  id: string | number;
}>;


export type RetryMutation = { retryAppDeployment: { appDeployment: { id: string, phase: Phase, status: { phase: Phase, percent: number, currentStep: string | null, stepIndex: number | null, stepCount: number | null, waitingOn: { reason: WaitReason, message: string, since: string } | null, failure: { reason: FailureReason, step: string, message: string } | null } } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type DeleteMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteMutation = { deleteAppDeployment: { appDeployment: { id: string, phase: Phase, status: { phase: Phase, percent: number, currentStep: string | null, stepIndex: number | null, stepCount: number | null, waitingOn: { reason: WaitReason, message: string, since: string } | null, failure: { reason: FailureReason, step: string, message: string } | null } } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type CloneMutationVariables = Exact<{
  input: CloneAppDeploymentInput;
}>;


export type CloneMutation = { cloneAppDeployment: { appDeployment: { id: string, name: string, phase: Phase } | null, userErrors: Array<{ field: Array<string> | null, message: string, code: UserErrorCode }> } };

export type AppDeploymentEventsSubscriptionVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type AppDeploymentEventsSubscription = { appDeploymentEvents: { id: string, cursor: string, seq: number, projectSeq: number, subjectKind: EventSubjectKind, subjectId: string, subjectName: string, type: DeploymentEventType, phase: Phase, step: string | null, stepIndex: number | null, stepCount: number | null, percent: number, message: string, details: unknown, time: string } };

export type ComputePoolEventsSubscriptionVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type ComputePoolEventsSubscription = { computePoolEvents: { id: string, cursor: string, seq: number, projectSeq: number, subjectKind: EventSubjectKind, subjectId: string, subjectName: string, type: DeploymentEventType, phase: Phase, step: string | null, stepIndex: number | null, stepCount: number | null, percent: number, message: string, details: unknown, time: string } };

export type ProjectEventsSubscriptionVariables = Exact<{
  projectId: string | number;
  after?: string | null | undefined;
}>;


export type ProjectEventsSubscription = { projectEvents: { id: string, cursor: string, seq: number, projectSeq: number, subjectKind: EventSubjectKind, subjectId: string, subjectName: string, type: DeploymentEventType, phase: Phase, step: string | null, stepIndex: number | null, stepCount: number | null, percent: number, message: string, details: unknown, time: string } };

export const QuotaFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"QuotaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GpuQuota"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}}]} as unknown as DocumentNode<QuotaFieldsFragment, unknown>;
export const StatusFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatusFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProgressStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"currentStep"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"waitingOn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"since"}}]}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<StatusFieldsFragment, unknown>;
export const EventFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeploymentEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"projectSeq"}},{"kind":"Field","name":{"kind":"Name","value":"subjectKind"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"subjectName"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"time"}}]}}]} as unknown as DocumentNode<EventFieldsFragment, unknown>;
export const PlanFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PlanFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeploymentPlan"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allowed"}},{"kind":"Field","name":{"kind":"Name","value":"refusals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}},{"kind":"Field","name":{"kind":"Name","value":"quota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"requested"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"allowed"}}]}},{"kind":"Field","name":{"kind":"Name","value":"gpuRequests"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"variableValues"}},{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"isNew"}},{"kind":"Field","name":{"kind":"Name","value":"cluster"}},{"kind":"Field","name":{"kind":"Name","value":"machines"}},{"kind":"Field","name":{"kind":"Name","value":"computePool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hubObjects"}}]}}]} as unknown as DocumentNode<PlanFieldsFragment, unknown>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"isPlatformAdmin"}},{"kind":"Field","name":{"kind":"Name","value":"token"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"roleBindings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"tenant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"project"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const TenantsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Tenants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenants"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}},{"kind":"Field","name":{"kind":"Name","value":"gpuQuota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"QuotaFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"projects"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"gpuQuota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"QuotaFields"}}]}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"QuotaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GpuQuota"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}}]} as unknown as DocumentNode<TenantsQuery, TenantsQueryVariables>;
export const MachinesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Machines"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenant"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenant"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"machines"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"hostId"}},{"kind":"Field","name":{"kind":"Name","value":"architecture"}},{"kind":"Field","name":{"kind":"Name","value":"cpuCount"}},{"kind":"Field","name":{"kind":"Name","value":"memoryMiB"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"gpu"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"family"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"memoryMiB"}}]}},{"kind":"Field","name":{"kind":"Name","value":"assignedPool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<MachinesQuery, MachinesQueryVariables>;
export const ProjectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Project"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}},{"kind":"Field","name":{"kind":"Name","value":"tenant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"gpuQuota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"QuotaFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"computePools"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"clusterCount"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatusFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"gpus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"allocated"}},{"kind":"Field","name":{"kind":"Name","value":"free"}}]}},{"kind":"Field","name":{"kind":"Name","value":"events"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"projectSeq"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"appDeployments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"computePool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatusFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"accessUrls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"component"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}},{"kind":"Field","name":{"kind":"Name","value":"events"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"projectSeq"}}]}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"QuotaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GpuQuota"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatusFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProgressStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"currentStep"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"waitingOn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"since"}}]}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<ProjectQuery, ProjectQueryVariables>;
export const PoolDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Pool"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ComputePool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"clusterCount"}},{"kind":"Field","name":{"kind":"Name","value":"kubernetesVersion"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"project"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"infrastructureBundle"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"versionLabel"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatusFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"clusters"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"nodeCount"}},{"kind":"Field","name":{"kind":"Name","value":"gpus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"allocated"}},{"kind":"Field","name":{"kind":"Name","value":"free"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"gpus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"allocated"}},{"kind":"Field","name":{"kind":"Name","value":"free"}}]}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"clusterSets"}},{"kind":"Field","name":{"kind":"Name","value":"namespace"}}]}},{"kind":"Field","name":{"kind":"Name","value":"machines"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"hostId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"gpu"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"family"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"appDeployments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"events"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"EventFields"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatusFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProgressStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"currentStep"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"waitingOn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"since"}}]}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeploymentEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"projectSeq"}},{"kind":"Field","name":{"kind":"Name","value":"subjectKind"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"subjectName"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"time"}}]}}]} as unknown as DocumentNode<PoolQuery, PoolQueryVariables>;
export const DeploymentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Deployment"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppDeployment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"cluster"}},{"kind":"Field","name":{"kind":"Name","value":"retries"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"deletedAt"}},{"kind":"Field","name":{"kind":"Name","value":"variableValues"}},{"kind":"Field","name":{"kind":"Name","value":"project"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"computePool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}}]}},{"kind":"Field","name":{"kind":"Name","value":"bundles"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"versionLabel"}}]}},{"kind":"Field","name":{"kind":"Name","value":"gpuRequests"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"links"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}},{"kind":"Field","name":{"kind":"Name","value":"accessUrls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"component"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"port"}}]}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatusFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"events"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"EventFields"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatusFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProgressStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"currentStep"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"waitingOn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"since"}}]}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeploymentEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"projectSeq"}},{"kind":"Field","name":{"kind":"Name","value":"subjectKind"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"subjectName"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"time"}}]}}]} as unknown as DocumentNode<DeploymentQuery, DeploymentQueryVariables>;
export const DeployFormDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DeployForm"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"gpuQuota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"QuotaFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"profileBundles"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"versionLabel"}},{"kind":"Field","name":{"kind":"Name","value":"bundleType"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"variables"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"default"}},{"kind":"Field","name":{"kind":"Name","value":"required"}},{"kind":"Field","name":{"kind":"Name","value":"locked"}},{"kind":"Field","name":{"kind":"Name","value":"description"}}]}},{"kind":"Field","name":{"kind":"Name","value":"workloadProfiles"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"components"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"gpu"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"family"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"computePools"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}},{"kind":"Argument","name":{"kind":"Name","value":"phase"},"value":{"kind":"EnumValue","value":"RUNNING"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"clusterCount"}},{"kind":"Field","name":{"kind":"Name","value":"gpus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"capacity"}},{"kind":"Field","name":{"kind":"Name","value":"free"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"QuotaFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"GpuQuota"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}}]} as unknown as DocumentNode<DeployFormQuery, DeployFormQueryVariables>;
export const DeployAppDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeployApp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DeployAppInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deployApp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"appDeployment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}}]}},{"kind":"Field","name":{"kind":"Name","value":"plan"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PlanFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PlanFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeploymentPlan"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allowed"}},{"kind":"Field","name":{"kind":"Name","value":"refusals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}},{"kind":"Field","name":{"kind":"Name","value":"quota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"requested"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"allowed"}}]}},{"kind":"Field","name":{"kind":"Name","value":"gpuRequests"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"variableValues"}},{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"isNew"}},{"kind":"Field","name":{"kind":"Name","value":"cluster"}},{"kind":"Field","name":{"kind":"Name","value":"machines"}},{"kind":"Field","name":{"kind":"Name","value":"computePool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"steps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hubObjects"}}]}}]} as unknown as DocumentNode<DeployAppMutation, DeployAppMutationVariables>;
export const QuotaWhatIfDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"QuotaWhatIf"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"projectId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"gpuFamily"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"count"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quotaWhatIf"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"projectId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"projectId"}}},{"kind":"Argument","name":{"kind":"Name","value":"gpuFamily"},"value":{"kind":"Variable","name":{"kind":"Name","value":"gpuFamily"}}},{"kind":"Argument","name":{"kind":"Name","value":"count"},"value":{"kind":"Variable","name":{"kind":"Name","value":"count"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allowed"}},{"kind":"Field","name":{"kind":"Name","value":"bindingLevel"}},{"kind":"Field","name":{"kind":"Name","value":"levels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"gpuFamily"}},{"kind":"Field","name":{"kind":"Name","value":"requested"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"allowed"}}]}}]}}]}}]} as unknown as DocumentNode<QuotaWhatIfQuery, QuotaWhatIfQueryVariables>;
export const RetryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Retry"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retryAppDeployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"appDeployment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatusFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatusFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProgressStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"currentStep"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"waitingOn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"since"}}]}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<RetryMutation, RetryMutationVariables>;
export const DeleteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Delete"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteAppDeployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"appDeployment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatusFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatusFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProgressStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"currentStep"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"waitingOn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"since"}}]}},{"kind":"Field","name":{"kind":"Name","value":"failure"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<DeleteMutation, DeleteMutationVariables>;
export const CloneDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Clone"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CloneAppDeploymentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cloneAppDeployment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"appDeployment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<CloneMutation, CloneMutationVariables>;
export const AppDeploymentEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AppDeploymentEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"appDeploymentEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"EventFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeploymentEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"projectSeq"}},{"kind":"Field","name":{"kind":"Name","value":"subjectKind"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"subjectName"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"time"}}]}}]} as unknown as DocumentNode<AppDeploymentEventsSubscription, AppDeploymentEventsSubscriptionVariables>;
export const ComputePoolEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ComputePoolEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"computePoolEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"EventFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeploymentEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"projectSeq"}},{"kind":"Field","name":{"kind":"Name","value":"subjectKind"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"subjectName"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"time"}}]}}]} as unknown as DocumentNode<ComputePoolEventsSubscription, ComputePoolEventsSubscriptionVariables>;
export const ProjectEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ProjectEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"projectId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"projectEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"projectId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"projectId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"EventFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"EventFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeploymentEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"projectSeq"}},{"kind":"Field","name":{"kind":"Name","value":"subjectKind"}},{"kind":"Field","name":{"kind":"Name","value":"subjectId"}},{"kind":"Field","name":{"kind":"Name","value":"subjectName"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"stepIndex"}},{"kind":"Field","name":{"kind":"Name","value":"stepCount"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"details"}},{"kind":"Field","name":{"kind":"Name","value":"time"}}]}}]} as unknown as DocumentNode<ProjectEventsSubscription, ProjectEventsSubscriptionVariables>;