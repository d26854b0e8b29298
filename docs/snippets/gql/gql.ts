/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment NodeSummary on Node {\n    id\n    ... on AppDeployment { name phase status { percent } }\n    ... on ComputePool { name phase status { percent } }\n  }\n": typeof types.NodeSummaryFragmentDoc,
    "\n  query NodeById($id: ID!) {\n    node(id: $id) { ...NodeSummary }\n  }\n": typeof types.NodeByIdDocument,
    "\n  subscription DeploymentProgress($id: ID!, $after: String) {\n    appDeploymentEvents(id: $id, after: $after) { cursor seq type phase step percent message }\n  }\n": typeof types.DeploymentProgressDocument,
    "\n  query ProjectDeployments($name: String!, $last: Int!) {\n    project(name: $name) {\n      id\n      appDeployments(last: $last) {\n        pageInfo { hasPreviousPage startCursor }\n        nodes { id name phase status { percent waitingOn { reason since } } }\n      }\n    }\n  }\n": typeof types.ProjectDeploymentsDocument,
    "\n  subscription ProjectProgress($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { cursor projectSeq subjectName type phase percent }\n  }\n": typeof types.ProjectProgressDocument,
};
const documents: Documents = {
    "\n  fragment NodeSummary on Node {\n    id\n    ... on AppDeployment { name phase status { percent } }\n    ... on ComputePool { name phase status { percent } }\n  }\n": types.NodeSummaryFragmentDoc,
    "\n  query NodeById($id: ID!) {\n    node(id: $id) { ...NodeSummary }\n  }\n": types.NodeByIdDocument,
    "\n  subscription DeploymentProgress($id: ID!, $after: String) {\n    appDeploymentEvents(id: $id, after: $after) { cursor seq type phase step percent message }\n  }\n": types.DeploymentProgressDocument,
    "\n  query ProjectDeployments($name: String!, $last: Int!) {\n    project(name: $name) {\n      id\n      appDeployments(last: $last) {\n        pageInfo { hasPreviousPage startCursor }\n        nodes { id name phase status { percent waitingOn { reason since } } }\n      }\n    }\n  }\n": types.ProjectDeploymentsDocument,
    "\n  subscription ProjectProgress($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { cursor projectSeq subjectName type phase percent }\n  }\n": types.ProjectProgressDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NodeSummary on Node {\n    id\n    ... on AppDeployment { name phase status { percent } }\n    ... on ComputePool { name phase status { percent } }\n  }\n"): (typeof documents)["\n  fragment NodeSummary on Node {\n    id\n    ... on AppDeployment { name phase status { percent } }\n    ... on ComputePool { name phase status { percent } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodeById($id: ID!) {\n    node(id: $id) { ...NodeSummary }\n  }\n"): (typeof documents)["\n  query NodeById($id: ID!) {\n    node(id: $id) { ...NodeSummary }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DeploymentProgress($id: ID!, $after: String) {\n    appDeploymentEvents(id: $id, after: $after) { cursor seq type phase step percent message }\n  }\n"): (typeof documents)["\n  subscription DeploymentProgress($id: ID!, $after: String) {\n    appDeploymentEvents(id: $id, after: $after) { cursor seq type phase step percent message }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectDeployments($name: String!, $last: Int!) {\n    project(name: $name) {\n      id\n      appDeployments(last: $last) {\n        pageInfo { hasPreviousPage startCursor }\n        nodes { id name phase status { percent waitingOn { reason since } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProjectDeployments($name: String!, $last: Int!) {\n    project(name: $name) {\n      id\n      appDeployments(last: $last) {\n        pageInfo { hasPreviousPage startCursor }\n        nodes { id name phase status { percent waitingOn { reason since } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ProjectProgress($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { cursor projectSeq subjectName type phase percent }\n  }\n"): (typeof documents)["\n  subscription ProjectProgress($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { cursor projectSeq subjectName type phase percent }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;