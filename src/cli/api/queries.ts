/**
 * Every GraphQL document the CLI sends, in one place (written against the committed schema.graphql).
 * The shapes they return are in types.ts.
 */

const USER_ERRORS = 'userErrors { field message code }';
const STATUS = 'status { phase percent currentStep stepIndex stepCount waitingOn { reason message since } failure { reason step message } }';
const PROJECT = 'id name displayName namespace tenant { name } gpuQuota { gpuFamily limit used available }';
const POOL = `id name mode phase clusterCount createdAt gpus { gpuFamily capacity allocated free } ${STATUS}`;
const BUNDLE = 'id name version versionLabel bundleType variables { name type locked }';
export const DEPLOYMENT = `id name phase cluster retries variableValues createdAt project { name } computePool { id name }
  gpuRequests { gpuFamily count } accessUrls { component url port } ${STATUS}`;
const PLAN = `allowed refusals { field message code } quota { level gpuFamily requested used limit available allowed }
  gpuRequests { gpuFamily count } pool { computePool { id name } name mode isNew cluster machines } steps { step title } variableValues hubObjects`;
export const EVENT = 'cursor seq type phase step stepIndex stepCount percent message time subjectName';

export const VIEWER = 'query { viewer { isPlatformAdmin token { name prefix } } }';

export const TENANTS = 'query($after: String) { tenants(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { name } } }';

export const TENANT_PROJECTS = `query($tenant: String!, $after: String) {
  tenant(name: $tenant) { projects(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${PROJECT} } } }
}`;

export const PROJECT_BY_NAME = `query($name: String!) { project(name: $name) { ${PROJECT} } }`;

export const QUOTA_WHAT_IF = `query($projectId: ID!, $gpuFamily: String!, $count: Int!) {
  quotaWhatIf(projectId: $projectId, gpuFamily: $gpuFamily, count: $count) { allowed bindingLevel levels { level gpuFamily requested used limit available allowed } }
}`;

export const POOLS = `query($name: String!, $phase: ComputePoolPhase, $after: String) {
  project(name: $name) { computePools(first: 100, after: $after, phase: $phase) { pageInfo { hasNextPage endCursor } nodes { ${POOL} } } }
}`;

export const BUNDLES = `query($name: String!, $bundle: String, $after: String) {
  project(name: $name) { profileBundles(first: 100, after: $after, name: $bundle) { pageInfo { hasNextPage endCursor } nodes { ${BUNDLE} } } }
}`;

export const DEPLOYMENTS = `query($name: String!, $phase: AppDeploymentPhase, $after: String) {
  project(name: $name) { appDeployments(first: 100, after: $after, phase: $phase) { pageInfo { hasNextPage endCursor } nodes { ${DEPLOYMENT} } } }
}`;

export const NODE = `query($id: ID!) {
  node(id: $id) {
    __typename
    ... on AppDeployment { ${DEPLOYMENT} }
    ... on ComputePool { poolId: id poolName: name }
    ... on ProfileBundle { bundleId: id bundleName: name bundleVariables: variables { name type locked } }
  }
}`;

/** The phase now and how many events exist (seq is gapless from 1: the count is the last seq). */
export const FOLLOW_START = `query($id: ID!) {
  node(id: $id) { ... on AppDeployment { name phase events(first: 1) { totalCount } } }
}`;

export const EVENTS_PAGE = `query($id: ID!, $after: String) {
  node(id: $id) { ... on AppDeployment { events(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${EVENT} } } } }
}`;

export const DEPLOYMENT_EVENTS = `subscription($id: ID!, $after: String) { appDeploymentEvents(id: $id, after: $after) { ${EVENT} } }`;

export const DEPLOY = `mutation($input: DeployAppInput!) { deployApp(input: $input) { appDeployment { ${DEPLOYMENT} } plan { ${PLAN} } ${USER_ERRORS} } }`;

export const CLONE = `mutation($input: CloneAppDeploymentInput!) { cloneAppDeployment(input: $input) { appDeployment { ${DEPLOYMENT} } plan { ${PLAN} } ${USER_ERRORS} } }`;

export const DELETE = `mutation($id: ID!) { deleteAppDeployment(input: { id: $id }) { appDeployment { ${DEPLOYMENT} } ${USER_ERRORS} } }`;

export const RETRY = `mutation($id: ID!) { retryAppDeployment(input: { id: $id }) { appDeployment { ${DEPLOYMENT} } ${USER_ERRORS} } }`;
