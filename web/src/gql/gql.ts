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
    "\n  query Viewer {\n    viewer {\n      isPlatformAdmin\n      token { id name }\n      roleBindings { role tenant { id name } project { id name } }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  fragment QuotaFields on GpuQuota { gpuFamily limit used available }\n": typeof types.QuotaFieldsFragmentDoc,
    "\n  query Tenants {\n    tenants(first: 20) {\n      totalCount\n      nodes {\n        id name displayName namespace\n        gpuQuota { ...QuotaFields }\n        projects(first: 50) { totalCount nodes { id name displayName gpuQuota { ...QuotaFields } } }\n      }\n    }\n  }\n": typeof types.TenantsDocument,
    "\n  query Machines($tenant: String!, $after: String) {\n    tenant(name: $tenant) {\n      id name displayName\n      machines(first: 100, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes {\n          id hostId architecture cpuCount memoryMiB state roles\n          gpu { family count memoryMiB }\n          assignedPool { id name }\n        }\n      }\n    }\n  }\n": typeof types.MachinesDocument,
    "\n  fragment StatusFields on ProgressStatus {\n    phase percent currentStep stepIndex stepCount\n    waitingOn { reason message since }\n    failure { reason step message }\n  }\n": typeof types.StatusFieldsFragmentDoc,
    "\n  fragment EventFields on DeploymentEvent {\n    id cursor seq projectSeq subjectKind subjectId subjectName type phase step stepIndex stepCount percent message details time\n  }\n": typeof types.EventFieldsFragmentDoc,
    "\n  query Project($name: String!) {\n    project(name: $name) {\n      id name displayName description namespace\n      tenant { id name displayName }\n      gpuQuota { ...QuotaFields }\n      computePools(first: 50) {\n        nodes {\n          id name mode phase clusterCount status { ...StatusFields } gpus { gpuFamily capacity allocated free }\n          events(last: 1) { nodes { cursor projectSeq } }\n        }\n      }\n      appDeployments(last: 50) {\n        nodes {\n          id name phase createdAt computePool { id name } status { ...StatusFields } accessUrls { component url }\n          events(last: 1) { nodes { cursor projectSeq } }\n        }\n      }\n    }\n  }\n": typeof types.ProjectDocument,
    "\n  query Pool($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on ComputePool {\n        name mode phase description clusterCount kubernetesVersion createdAt\n        project { id name }\n        infrastructureBundle { id name versionLabel }\n        status { ...StatusFields }\n        clusters { name index nodeCount gpus { gpuFamily capacity allocated free } }\n        gpus { gpuFamily capacity allocated free }\n        environment { id clusterSets namespace }\n        machines(first: 100) { totalCount nodes { id hostId state gpu { family count } } }\n        appDeployments(first: 100) { totalCount nodes { id name phase } }\n        events(last: 100) { pageInfo { endCursor } nodes { ...EventFields } }\n      }\n    }\n  }\n": typeof types.PoolDocument,
    "\n  query Deployment($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on AppDeployment {\n        name description phase cluster retries createdAt deletedAt variableValues\n        project { id name }\n        computePool { id name mode phase }\n        bundles { id name versionLabel }\n        gpuRequests { gpuFamily count }\n        links { title url }\n        accessUrls { component url port }\n        status { ...StatusFields }\n        events(last: 100) { pageInfo { endCursor } nodes { ...EventFields } }\n      }\n    }\n  }\n": typeof types.DeploymentDocument,
    "\n  query DeployForm($name: String!) {\n    project(name: $name) {\n      id name displayName\n      gpuQuota { ...QuotaFields }\n      profileBundles(last: 100) {\n        nodes {\n          id name versionLabel bundleType description\n          variables { name type default required locked description }\n          workloadProfiles { components { name gpu { family count } } }\n        }\n      }\n      computePools(first: 100, phase: RUNNING) { nodes { id name mode clusterCount gpus { gpuFamily capacity free } } }\n    }\n  }\n": typeof types.DeployFormDocument,
    "\n  fragment PlanFields on DeploymentPlan {\n    allowed\n    refusals { field message code }\n    quota { level gpuFamily requested used limit available allowed }\n    gpuRequests { gpuFamily count }\n    variableValues\n    pool { name mode isNew cluster machines computePool { id name } }\n    steps { step title }\n    hubObjects\n  }\n": typeof types.PlanFieldsFragmentDoc,
    "\n  mutation DeployApp($input: DeployAppInput!) {\n    deployApp(input: $input) {\n      appDeployment { id name phase }\n      plan { ...PlanFields }\n      userErrors { field message code }\n    }\n  }\n": typeof types.DeployAppDocument,
    "\n  query QuotaWhatIf($projectId: ID!, $gpuFamily: String!, $count: Int!) {\n    quotaWhatIf(projectId: $projectId, gpuFamily: $gpuFamily, count: $count) {\n      allowed bindingLevel\n      levels { level gpuFamily requested used limit available allowed }\n    }\n  }\n": typeof types.QuotaWhatIfDocument,
    "\n  mutation Retry($id: ID!) {\n    retryAppDeployment(input: { id: $id }) { appDeployment { id phase status { ...StatusFields } } userErrors { field message code } }\n  }\n": typeof types.RetryDocument,
    "\n  mutation Delete($id: ID!) {\n    deleteAppDeployment(input: { id: $id }) { appDeployment { id phase status { ...StatusFields } } userErrors { field message code } }\n  }\n": typeof types.DeleteDocument,
    "\n  mutation Clone($input: CloneAppDeploymentInput!) {\n    cloneAppDeployment(input: $input) { appDeployment { id name phase } userErrors { field message code } }\n  }\n": typeof types.CloneDocument,
    "\n  subscription AppDeploymentEvents($id: ID!, $after: String) {\n    appDeploymentEvents(id: $id, after: $after) { ...EventFields }\n  }\n": typeof types.AppDeploymentEventsDocument,
    "\n  subscription ComputePoolEvents($id: ID!, $after: String) {\n    computePoolEvents(id: $id, after: $after) { ...EventFields }\n  }\n": typeof types.ComputePoolEventsDocument,
    "\n  subscription ProjectEvents($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { ...EventFields }\n  }\n": typeof types.ProjectEventsDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer {\n      isPlatformAdmin\n      token { id name }\n      roleBindings { role tenant { id name } project { id name } }\n    }\n  }\n": types.ViewerDocument,
    "\n  fragment QuotaFields on GpuQuota { gpuFamily limit used available }\n": types.QuotaFieldsFragmentDoc,
    "\n  query Tenants {\n    tenants(first: 20) {\n      totalCount\n      nodes {\n        id name displayName namespace\n        gpuQuota { ...QuotaFields }\n        projects(first: 50) { totalCount nodes { id name displayName gpuQuota { ...QuotaFields } } }\n      }\n    }\n  }\n": types.TenantsDocument,
    "\n  query Machines($tenant: String!, $after: String) {\n    tenant(name: $tenant) {\n      id name displayName\n      machines(first: 100, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes {\n          id hostId architecture cpuCount memoryMiB state roles\n          gpu { family count memoryMiB }\n          assignedPool { id name }\n        }\n      }\n    }\n  }\n": types.MachinesDocument,
    "\n  fragment StatusFields on ProgressStatus {\n    phase percent currentStep stepIndex stepCount\n    waitingOn { reason message since }\n    failure { reason step message }\n  }\n": types.StatusFieldsFragmentDoc,
    "\n  fragment EventFields on DeploymentEvent {\n    id cursor seq projectSeq subjectKind subjectId subjectName type phase step stepIndex stepCount percent message details time\n  }\n": types.EventFieldsFragmentDoc,
    "\n  query Project($name: String!) {\n    project(name: $name) {\n      id name displayName description namespace\n      tenant { id name displayName }\n      gpuQuota { ...QuotaFields }\n      computePools(first: 50) {\n        nodes {\n          id name mode phase clusterCount status { ...StatusFields } gpus { gpuFamily capacity allocated free }\n          events(last: 1) { nodes { cursor projectSeq } }\n        }\n      }\n      appDeployments(last: 50) {\n        nodes {\n          id name phase createdAt computePool { id name } status { ...StatusFields } accessUrls { component url }\n          events(last: 1) { nodes { cursor projectSeq } }\n        }\n      }\n    }\n  }\n": types.ProjectDocument,
    "\n  query Pool($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on ComputePool {\n        name mode phase description clusterCount kubernetesVersion createdAt\n        project { id name }\n        infrastructureBundle { id name versionLabel }\n        status { ...StatusFields }\n        clusters { name index nodeCount gpus { gpuFamily capacity allocated free } }\n        gpus { gpuFamily capacity allocated free }\n        environment { id clusterSets namespace }\n        machines(first: 100) { totalCount nodes { id hostId state gpu { family count } } }\n        appDeployments(first: 100) { totalCount nodes { id name phase } }\n        events(last: 100) { pageInfo { endCursor } nodes { ...EventFields } }\n      }\n    }\n  }\n": types.PoolDocument,
    "\n  query Deployment($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on AppDeployment {\n        name description phase cluster retries createdAt deletedAt variableValues\n        project { id name }\n        computePool { id name mode phase }\n        bundles { id name versionLabel }\n        gpuRequests { gpuFamily count }\n        links { title url }\n        accessUrls { component url port }\n        status { ...StatusFields }\n        events(last: 100) { pageInfo { endCursor } nodes { ...EventFields } }\n      }\n    }\n  }\n": types.DeploymentDocument,
    "\n  query DeployForm($name: String!) {\n    project(name: $name) {\n      id name displayName\n      gpuQuota { ...QuotaFields }\n      profileBundles(last: 100) {\n        nodes {\n          id name versionLabel bundleType description\n          variables { name type default required locked description }\n          workloadProfiles { components { name gpu { family count } } }\n        }\n      }\n      computePools(first: 100, phase: RUNNING) { nodes { id name mode clusterCount gpus { gpuFamily capacity free } } }\n    }\n  }\n": types.DeployFormDocument,
    "\n  fragment PlanFields on DeploymentPlan {\n    allowed\n    refusals { field message code }\n    quota { level gpuFamily requested used limit available allowed }\n    gpuRequests { gpuFamily count }\n    variableValues\n    pool { name mode isNew cluster machines computePool { id name } }\n    steps { step title }\n    hubObjects\n  }\n": types.PlanFieldsFragmentDoc,
    "\n  mutation DeployApp($input: DeployAppInput!) {\n    deployApp(input: $input) {\n      appDeployment { id name phase }\n      plan { ...PlanFields }\n      userErrors { field message code }\n    }\n  }\n": types.DeployAppDocument,
    "\n  query QuotaWhatIf($projectId: ID!, $gpuFamily: String!, $count: Int!) {\n    quotaWhatIf(projectId: $projectId, gpuFamily: $gpuFamily, count: $count) {\n      allowed bindingLevel\n      levels { level gpuFamily requested used limit available allowed }\n    }\n  }\n": types.QuotaWhatIfDocument,
    "\n  mutation Retry($id: ID!) {\n    retryAppDeployment(input: { id: $id }) { appDeployment { id phase status { ...StatusFields } } userErrors { field message code } }\n  }\n": types.RetryDocument,
    "\n  mutation Delete($id: ID!) {\n    deleteAppDeployment(input: { id: $id }) { appDeployment { id phase status { ...StatusFields } } userErrors { field message code } }\n  }\n": types.DeleteDocument,
    "\n  mutation Clone($input: CloneAppDeploymentInput!) {\n    cloneAppDeployment(input: $input) { appDeployment { id name phase } userErrors { field message code } }\n  }\n": types.CloneDocument,
    "\n  subscription AppDeploymentEvents($id: ID!, $after: String) {\n    appDeploymentEvents(id: $id, after: $after) { ...EventFields }\n  }\n": types.AppDeploymentEventsDocument,
    "\n  subscription ComputePoolEvents($id: ID!, $after: String) {\n    computePoolEvents(id: $id, after: $after) { ...EventFields }\n  }\n": types.ComputePoolEventsDocument,
    "\n  subscription ProjectEvents($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { ...EventFields }\n  }\n": types.ProjectEventsDocument,
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
export function graphql(source: "\n  query Viewer {\n    viewer {\n      isPlatformAdmin\n      token { id name }\n      roleBindings { role tenant { id name } project { id name } }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      isPlatformAdmin\n      token { id name }\n      roleBindings { role tenant { id name } project { id name } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment QuotaFields on GpuQuota { gpuFamily limit used available }\n"): (typeof documents)["\n  fragment QuotaFields on GpuQuota { gpuFamily limit used available }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Tenants {\n    tenants(first: 20) {\n      totalCount\n      nodes {\n        id name displayName namespace\n        gpuQuota { ...QuotaFields }\n        projects(first: 50) { totalCount nodes { id name displayName gpuQuota { ...QuotaFields } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Tenants {\n    tenants(first: 20) {\n      totalCount\n      nodes {\n        id name displayName namespace\n        gpuQuota { ...QuotaFields }\n        projects(first: 50) { totalCount nodes { id name displayName gpuQuota { ...QuotaFields } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Machines($tenant: String!, $after: String) {\n    tenant(name: $tenant) {\n      id name displayName\n      machines(first: 100, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes {\n          id hostId architecture cpuCount memoryMiB state roles\n          gpu { family count memoryMiB }\n          assignedPool { id name }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Machines($tenant: String!, $after: String) {\n    tenant(name: $tenant) {\n      id name displayName\n      machines(first: 100, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes {\n          id hostId architecture cpuCount memoryMiB state roles\n          gpu { family count memoryMiB }\n          assignedPool { id name }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StatusFields on ProgressStatus {\n    phase percent currentStep stepIndex stepCount\n    waitingOn { reason message since }\n    failure { reason step message }\n  }\n"): (typeof documents)["\n  fragment StatusFields on ProgressStatus {\n    phase percent currentStep stepIndex stepCount\n    waitingOn { reason message since }\n    failure { reason step message }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EventFields on DeploymentEvent {\n    id cursor seq projectSeq subjectKind subjectId subjectName type phase step stepIndex stepCount percent message details time\n  }\n"): (typeof documents)["\n  fragment EventFields on DeploymentEvent {\n    id cursor seq projectSeq subjectKind subjectId subjectName type phase step stepIndex stepCount percent message details time\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Project($name: String!) {\n    project(name: $name) {\n      id name displayName description namespace\n      tenant { id name displayName }\n      gpuQuota { ...QuotaFields }\n      computePools(first: 50) {\n        nodes {\n          id name mode phase clusterCount status { ...StatusFields } gpus { gpuFamily capacity allocated free }\n          events(last: 1) { nodes { cursor projectSeq } }\n        }\n      }\n      appDeployments(last: 50) {\n        nodes {\n          id name phase createdAt computePool { id name } status { ...StatusFields } accessUrls { component url }\n          events(last: 1) { nodes { cursor projectSeq } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Project($name: String!) {\n    project(name: $name) {\n      id name displayName description namespace\n      tenant { id name displayName }\n      gpuQuota { ...QuotaFields }\n      computePools(first: 50) {\n        nodes {\n          id name mode phase clusterCount status { ...StatusFields } gpus { gpuFamily capacity allocated free }\n          events(last: 1) { nodes { cursor projectSeq } }\n        }\n      }\n      appDeployments(last: 50) {\n        nodes {\n          id name phase createdAt computePool { id name } status { ...StatusFields } accessUrls { component url }\n          events(last: 1) { nodes { cursor projectSeq } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Pool($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on ComputePool {\n        name mode phase description clusterCount kubernetesVersion createdAt\n        project { id name }\n        infrastructureBundle { id name versionLabel }\n        status { ...StatusFields }\n        clusters { name index nodeCount gpus { gpuFamily capacity allocated free } }\n        gpus { gpuFamily capacity allocated free }\n        environment { id clusterSets namespace }\n        machines(first: 100) { totalCount nodes { id hostId state gpu { family count } } }\n        appDeployments(first: 100) { totalCount nodes { id name phase } }\n        events(last: 100) { pageInfo { endCursor } nodes { ...EventFields } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Pool($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on ComputePool {\n        name mode phase description clusterCount kubernetesVersion createdAt\n        project { id name }\n        infrastructureBundle { id name versionLabel }\n        status { ...StatusFields }\n        clusters { name index nodeCount gpus { gpuFamily capacity allocated free } }\n        gpus { gpuFamily capacity allocated free }\n        environment { id clusterSets namespace }\n        machines(first: 100) { totalCount nodes { id hostId state gpu { family count } } }\n        appDeployments(first: 100) { totalCount nodes { id name phase } }\n        events(last: 100) { pageInfo { endCursor } nodes { ...EventFields } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Deployment($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on AppDeployment {\n        name description phase cluster retries createdAt deletedAt variableValues\n        project { id name }\n        computePool { id name mode phase }\n        bundles { id name versionLabel }\n        gpuRequests { gpuFamily count }\n        links { title url }\n        accessUrls { component url port }\n        status { ...StatusFields }\n        events(last: 100) { pageInfo { endCursor } nodes { ...EventFields } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Deployment($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on AppDeployment {\n        name description phase cluster retries createdAt deletedAt variableValues\n        project { id name }\n        computePool { id name mode phase }\n        bundles { id name versionLabel }\n        gpuRequests { gpuFamily count }\n        links { title url }\n        accessUrls { component url port }\n        status { ...StatusFields }\n        events(last: 100) { pageInfo { endCursor } nodes { ...EventFields } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeployForm($name: String!) {\n    project(name: $name) {\n      id name displayName\n      gpuQuota { ...QuotaFields }\n      profileBundles(last: 100) {\n        nodes {\n          id name versionLabel bundleType description\n          variables { name type default required locked description }\n          workloadProfiles { components { name gpu { family count } } }\n        }\n      }\n      computePools(first: 100, phase: RUNNING) { nodes { id name mode clusterCount gpus { gpuFamily capacity free } } }\n    }\n  }\n"): (typeof documents)["\n  query DeployForm($name: String!) {\n    project(name: $name) {\n      id name displayName\n      gpuQuota { ...QuotaFields }\n      profileBundles(last: 100) {\n        nodes {\n          id name versionLabel bundleType description\n          variables { name type default required locked description }\n          workloadProfiles { components { name gpu { family count } } }\n        }\n      }\n      computePools(first: 100, phase: RUNNING) { nodes { id name mode clusterCount gpus { gpuFamily capacity free } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PlanFields on DeploymentPlan {\n    allowed\n    refusals { field message code }\n    quota { level gpuFamily requested used limit available allowed }\n    gpuRequests { gpuFamily count }\n    variableValues\n    pool { name mode isNew cluster machines computePool { id name } }\n    steps { step title }\n    hubObjects\n  }\n"): (typeof documents)["\n  fragment PlanFields on DeploymentPlan {\n    allowed\n    refusals { field message code }\n    quota { level gpuFamily requested used limit available allowed }\n    gpuRequests { gpuFamily count }\n    variableValues\n    pool { name mode isNew cluster machines computePool { id name } }\n    steps { step title }\n    hubObjects\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeployApp($input: DeployAppInput!) {\n    deployApp(input: $input) {\n      appDeployment { id name phase }\n      plan { ...PlanFields }\n      userErrors { field message code }\n    }\n  }\n"): (typeof documents)["\n  mutation DeployApp($input: DeployAppInput!) {\n    deployApp(input: $input) {\n      appDeployment { id name phase }\n      plan { ...PlanFields }\n      userErrors { field message code }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query QuotaWhatIf($projectId: ID!, $gpuFamily: String!, $count: Int!) {\n    quotaWhatIf(projectId: $projectId, gpuFamily: $gpuFamily, count: $count) {\n      allowed bindingLevel\n      levels { level gpuFamily requested used limit available allowed }\n    }\n  }\n"): (typeof documents)["\n  query QuotaWhatIf($projectId: ID!, $gpuFamily: String!, $count: Int!) {\n    quotaWhatIf(projectId: $projectId, gpuFamily: $gpuFamily, count: $count) {\n      allowed bindingLevel\n      levels { level gpuFamily requested used limit available allowed }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Retry($id: ID!) {\n    retryAppDeployment(input: { id: $id }) { appDeployment { id phase status { ...StatusFields } } userErrors { field message code } }\n  }\n"): (typeof documents)["\n  mutation Retry($id: ID!) {\n    retryAppDeployment(input: { id: $id }) { appDeployment { id phase status { ...StatusFields } } userErrors { field message code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Delete($id: ID!) {\n    deleteAppDeployment(input: { id: $id }) { appDeployment { id phase status { ...StatusFields } } userErrors { field message code } }\n  }\n"): (typeof documents)["\n  mutation Delete($id: ID!) {\n    deleteAppDeployment(input: { id: $id }) { appDeployment { id phase status { ...StatusFields } } userErrors { field message code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Clone($input: CloneAppDeploymentInput!) {\n    cloneAppDeployment(input: $input) { appDeployment { id name phase } userErrors { field message code } }\n  }\n"): (typeof documents)["\n  mutation Clone($input: CloneAppDeploymentInput!) {\n    cloneAppDeployment(input: $input) { appDeployment { id name phase } userErrors { field message code } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AppDeploymentEvents($id: ID!, $after: String) {\n    appDeploymentEvents(id: $id, after: $after) { ...EventFields }\n  }\n"): (typeof documents)["\n  subscription AppDeploymentEvents($id: ID!, $after: String) {\n    appDeploymentEvents(id: $id, after: $after) { ...EventFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ComputePoolEvents($id: ID!, $after: String) {\n    computePoolEvents(id: $id, after: $after) { ...EventFields }\n  }\n"): (typeof documents)["\n  subscription ComputePoolEvents($id: ID!, $after: String) {\n    computePoolEvents(id: $id, after: $after) { ...EventFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ProjectEvents($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { ...EventFields }\n  }\n"): (typeof documents)["\n  subscription ProjectEvents($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { ...EventFields }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;