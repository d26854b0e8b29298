/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
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

type NodeSummary_ApiToken_Fragment = { id: string };

type NodeSummary_AppDeployment_Fragment = { name: string, phase: Phase, id: string, status: { percent: number } };

type NodeSummary_AuditEvent_Fragment = { id: string };

type NodeSummary_ComputePool_Fragment = { name: string, phase: Phase, id: string, status: { percent: number } };

type NodeSummary_DeploymentEvent_Fragment = { id: string };

type NodeSummary_Environment_Fragment = { id: string };

type NodeSummary_Machine_Fragment = { id: string };

type NodeSummary_ProfileBundle_Fragment = { id: string };

type NodeSummary_Project_Fragment = { id: string };

type NodeSummary_Tenant_Fragment = { id: string };

export type NodeSummaryFragment =
  | NodeSummary_ApiToken_Fragment
  | NodeSummary_AppDeployment_Fragment
  | NodeSummary_AuditEvent_Fragment
  | NodeSummary_ComputePool_Fragment
  | NodeSummary_DeploymentEvent_Fragment
  | NodeSummary_Environment_Fragment
  | NodeSummary_Machine_Fragment
  | NodeSummary_ProfileBundle_Fragment
  | NodeSummary_Project_Fragment
  | NodeSummary_Tenant_Fragment
;

export type NodeByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type NodeByIdQuery = { node:
    | { id: string }
    | { name: string, phase: Phase, id: string, status: { percent: number } }
    | { id: string }
    | { name: string, phase: Phase, id: string, status: { percent: number } }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
   | null };

export type DeploymentProgressSubscriptionVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type DeploymentProgressSubscription = { appDeploymentEvents: { cursor: string, seq: number, type: DeploymentEventType, phase: Phase, step: string | null, percent: number, message: string } };

export type ProjectDeploymentsQueryVariables = Exact<{
  name: string;
  last: number;
}>;


export type ProjectDeploymentsQuery = { project: { id: string, appDeployments: { pageInfo: { hasPreviousPage: boolean, startCursor: string | null }, nodes: Array<{ id: string, name: string, phase: Phase, status: { percent: number, waitingOn: { reason: WaitReason, since: string } | null } }> } } | null };

export type ProjectProgressSubscriptionVariables = Exact<{
  projectId: string | number;
  after?: string | null | undefined;
}>;


export type ProjectProgressSubscription = { projectEvents: { cursor: string, projectSeq: number, subjectName: string, type: DeploymentEventType, phase: Phase, percent: number } };

export const NodeSummaryFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"NodeSummary"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Node"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppDeployment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ComputePool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}}]}}]}}]} as unknown as DocumentNode<NodeSummaryFragment, unknown>;
export const NodeByIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"NodeById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"NodeSummary"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"NodeSummary"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Node"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppDeployment"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ComputePool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}}]}}]}}]} as unknown as DocumentNode<NodeByIdQuery, NodeByIdQueryVariables>;
export const DeploymentProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DeploymentProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"appDeploymentEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"step"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<DeploymentProgressSubscription, DeploymentProgressSubscriptionVariables>;
export const ProjectDeploymentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ProjectDeployments"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"project"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appDeployments"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"status"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"waitingOn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"since"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ProjectDeploymentsQuery, ProjectDeploymentsQueryVariables>;
export const ProjectProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ProjectProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"projectId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"projectEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"projectId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"projectId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"projectSeq"}},{"kind":"Field","name":{"kind":"Name","value":"subjectName"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}}]}}]} as unknown as DocumentNode<ProjectProgressSubscription, ProjectProgressSubscriptionVariables>;