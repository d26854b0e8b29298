/**
 * @generated SignedSource<<5fb7156acd127204e5d06587b86642f0>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ConcreteRequest } from 'relay-runtime';
export type Architecture = "AMD64" | "ARM64" | "%future added value";
export type ComputePoolExposure = "INGRESS" | "LOAD_BALANCER" | "NODE_PORT" | "%future added value";
export type ComputePoolMode = "DEDICATED" | "SHARED" | "%future added value";
export type Phase = "DELETED" | "DELETING" | "DEPLOYING" | "FAILED" | "INSTALLING" | "PENDING" | "PLACING" | "PROVISIONING" | "QUEUED" | "REGISTERING" | "RUNNING" | "%future added value";
export type UserErrorCode = "ALREADY_EXISTS" | "BUDGET_EXCEEDED" | "CONFLICT" | "IDEMPOTENCY_KEY_REUSED" | "ILLEGAL_STATE" | "INSUFFICIENT_CAPACITY" | "INVALID_ID" | "INVALID_INPUT" | "INVALID_NAME" | "IN_USE" | "NOT_FOUND" | "QUOTA_EXCEEDED" | "%future added value";
export type DeployAppInput = {
  bundleIds: ReadonlyArray<string>;
  description?: string | null | undefined;
  dryRun?: boolean | null | undefined;
  idempotencyKey?: string | null | undefined;
  links?: ReadonlyArray<LinkInput> | null | undefined;
  name: string;
  newDedicatedPool?: NewDedicatedPoolInput | null | undefined;
  poolId?: string | null | undefined;
  projectId: string;
  variables?: ReadonlyArray<VariableValueInput> | null | undefined;
};
export type LinkInput = {
  title: string;
  url: string;
};
export type NewDedicatedPoolInput = {
  description?: string | null | undefined;
  exposure?: ComputePoolExposure | null | undefined;
  infrastructureBundleId: string;
  ingressHostSuffix?: string | null | undefined;
  name?: string | null | undefined;
  nodeRequirements: NodeRequirementsInput;
};
export type NodeRequirementsInput = {
  controlPlane?: ControlPlaneRequirementInput | null | undefined;
  workerPools?: ReadonlyArray<WorkerPoolRequirementInput> | null | undefined;
};
export type ControlPlaneRequirementInput = {
  architecture?: Architecture | null | undefined;
  minCpuCount?: number | null | undefined;
  minMemoryMiB?: number | null | undefined;
  nodeCount?: number | null | undefined;
  workerNodeEligible?: boolean | null | undefined;
};
export type WorkerPoolRequirementInput = {
  architecture?: Architecture | null | undefined;
  gpu?: GpuPerNodeInput | null | undefined;
  minCpuCount?: number | null | undefined;
  minMemoryMiB?: number | null | undefined;
  name: string;
  nodeCount: number;
};
export type GpuPerNodeInput = {
  countPerNode: number;
  family: string;
};
export type VariableValueInput = {
  name: string;
  value: unknown;
};
export type relayDocumentsDryRunMutation$variables = {
  input: DeployAppInput;
};
export type relayDocumentsDryRunMutation$data = {
  readonly deployApp: {
    readonly plan: {
      readonly allowed: boolean;
      readonly pool: {
        readonly cluster: string | null | undefined;
        readonly computePool: {
          readonly id: string;
          readonly name: string;
          readonly phase: Phase;
        } | null | undefined;
        readonly isNew: boolean;
        readonly mode: ComputePoolMode;
        readonly name: string;
      };
      readonly steps: ReadonlyArray<{
        readonly step: string;
        readonly title: string;
      }>;
    } | null | undefined;
    readonly userErrors: ReadonlyArray<{
      readonly code: UserErrorCode;
      readonly field: ReadonlyArray<string> | null | undefined;
      readonly message: string;
    }>;
  };
};
export type relayDocumentsDryRunMutation = {
  response: relayDocumentsDryRunMutation$data;
  variables: relayDocumentsDryRunMutation$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "input"
  }
],
v1 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "name",
  "storageKey": null
},
v2 = [
  {
    "alias": null,
    "args": [
      {
        "kind": "Variable",
        "name": "input",
        "variableName": "input"
      }
    ],
    "concreteType": "DeployAppPayload",
    "kind": "LinkedField",
    "name": "deployApp",
    "plural": false,
    "selections": [
      {
        "alias": null,
        "args": null,
        "concreteType": "DeploymentPlan",
        "kind": "LinkedField",
        "name": "plan",
        "plural": false,
        "selections": [
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "allowed",
            "storageKey": null
          },
          {
            "alias": null,
            "args": null,
            "concreteType": "PlanPool",
            "kind": "LinkedField",
            "name": "pool",
            "plural": false,
            "selections": [
              (v1/*:: as any*/),
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "mode",
                "storageKey": null
              },
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "isNew",
                "storageKey": null
              },
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "cluster",
                "storageKey": null
              },
              {
                "alias": null,
                "args": null,
                "concreteType": "ComputePool",
                "kind": "LinkedField",
                "name": "computePool",
                "plural": false,
                "selections": [
                  {
                    "alias": null,
                    "args": null,
                    "kind": "ScalarField",
                    "name": "id",
                    "storageKey": null
                  },
                  (v1/*:: as any*/),
                  {
                    "alias": null,
                    "args": null,
                    "kind": "ScalarField",
                    "name": "phase",
                    "storageKey": null
                  }
                ],
                "storageKey": null
              }
            ],
            "storageKey": null
          },
          {
            "alias": null,
            "args": null,
            "concreteType": "PlanStep",
            "kind": "LinkedField",
            "name": "steps",
            "plural": true,
            "selections": [
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "step",
                "storageKey": null
              },
              {
                "alias": null,
                "args": null,
                "kind": "ScalarField",
                "name": "title",
                "storageKey": null
              }
            ],
            "storageKey": null
          }
        ],
        "storageKey": null
      },
      {
        "alias": null,
        "args": null,
        "concreteType": "UserError",
        "kind": "LinkedField",
        "name": "userErrors",
        "plural": true,
        "selections": [
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "field",
            "storageKey": null
          },
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "message",
            "storageKey": null
          },
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "code",
            "storageKey": null
          }
        ],
        "storageKey": null
      }
    ],
    "storageKey": null
  }
];
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "relayDocumentsDryRunMutation",
    "selections": (v2/*:: as any*/),
    "type": "Mutation",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "relayDocumentsDryRunMutation",
    "selections": (v2/*:: as any*/)
  },
  "params": {
    "cacheID": "6475ab190cad01023ae06da5a43382e8",
    "id": null,
    "metadata": {},
    "name": "relayDocumentsDryRunMutation",
    "operationKind": "mutation",
    "text": "mutation relayDocumentsDryRunMutation(\n  $input: DeployAppInput!\n) {\n  deployApp(input: $input) {\n    plan {\n      allowed\n      pool {\n        name\n        mode\n        isNew\n        cluster\n        computePool {\n          id\n          name\n          phase\n        }\n      }\n      steps {\n        step\n        title\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}\n"
  }
};
})();

(node as any).hash = "7c59c3c9c513201dfa60782fd2664bcb";

export default node;
