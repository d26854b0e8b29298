/**
 * @generated SignedSource<<c33482653e870498e4971a725066a407>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ConcreteRequest } from 'relay-runtime';
export type ComputePoolMode = "DEDICATED" | "SHARED" | "%future added value";
export type Phase = "DELETED" | "DELETING" | "DEPLOYING" | "FAILED" | "INSTALLING" | "PENDING" | "PLACING" | "PROVISIONING" | "QUEUED" | "REGISTERING" | "RUNNING" | "%future added value";
export type relayDocumentsPoolQuery$variables = {
  id: string;
};
export type relayDocumentsPoolQuery$data = {
  readonly node: {
    readonly id: string;
    readonly mode?: ComputePoolMode;
    readonly name?: string;
    readonly phase?: Phase;
  } | null | undefined;
};
export type relayDocumentsPoolQuery = {
  response: relayDocumentsPoolQuery$data;
  variables: relayDocumentsPoolQuery$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "id"
  }
],
v1 = [
  {
    "kind": "Variable",
    "name": "id",
    "variableName": "id"
  }
],
v2 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
},
v3 = {
  "kind": "InlineFragment",
  "selections": [
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "name",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "phase",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "mode",
      "storageKey": null
    }
  ],
  "type": "ComputePool",
  "abstractKey": null
};
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "relayDocumentsPoolQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "node",
        "plural": false,
        "selections": [
          (v2/*:: as any*/),
          (v3/*:: as any*/)
        ],
        "storageKey": null
      }
    ],
    "type": "Query",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "relayDocumentsPoolQuery",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "node",
        "plural": false,
        "selections": [
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "__typename",
            "storageKey": null
          },
          (v2/*:: as any*/),
          (v3/*:: as any*/)
        ],
        "storageKey": null
      }
    ]
  },
  "params": {
    "cacheID": "e5b0f59e887939032fd6ec1bff2b0f97",
    "id": null,
    "metadata": {},
    "name": "relayDocumentsPoolQuery",
    "operationKind": "query",
    "text": "query relayDocumentsPoolQuery(\n  $id: ID!\n) {\n  node(id: $id) {\n    __typename\n    id\n    ... on ComputePool {\n      name\n      phase\n      mode\n    }\n  }\n}\n"
  }
};
})();

(node as any).hash = "ebc46943f86b3237d06c78ffeb1d695a";

export default node;
