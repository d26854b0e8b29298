"""Every GraphQL document the client sends, in one place (written against the committed schema.graphql).

Selections match the dataclasses in models.py; when the schema changes, this file and models.py are
the places to follow it.
"""

USER_ERRORS = "userErrors { field message code }"

STATUS = "status { phase percent currentStep stepIndex stepCount waitingOn { reason message since } failure { reason step message } }"

PROJECT = "id name displayName description namespace createdAt tenant { id name } gpuQuota { gpuFamily limit used available }"

POOL = f"id name mode phase clusterCount kubernetesVersion createdAt gpus {{ gpuFamily capacity allocated free }} {STATUS}"

BUNDLE = "id name version versionLabel bundleType description variables { name type default required locked description }"

DEPLOYMENT = (
    "id name phase cluster retries variableValues createdAt updatedAt deletedAt project { id name } computePool { id name } "
    f"gpuRequests {{ gpuFamily count }} accessUrls {{ component url port }} {STATUS}"
)

PLAN = (
    f"allowed refusals {{ field message code }} quota {{ level gpuFamily requested used limit available allowed }} "
    "gpuRequests { gpuFamily count } pool { computePool { id name } name mode isNew cluster machines } steps { step title } variableValues hubObjects"
)

EVENT = "id cursor seq projectSeq subjectKind subjectId subjectName type phase step stepIndex stepCount percent message details time"

VIEWER = "query { viewer { isPlatformAdmin token { id name prefix } } }"

TENANTS = """query($after: String) { tenants(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { name } } }"""

TENANT_PROJECTS = f"""query($tenant: String!, $after: String) {{
  tenant(name: $tenant) {{ projects(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {PROJECT} }} }} }}
}}"""

PROJECT_BY_NAME = f"query($name: String!) {{ project(name: $name) {{ {PROJECT} }} }}"

QUOTA_WHAT_IF = """query($projectId: ID!, $gpuFamily: String!, $count: Int!) {
  quotaWhatIf(projectId: $projectId, gpuFamily: $gpuFamily, count: $count) {
    allowed bindingLevel levels { level gpuFamily requested used limit available allowed }
  }
}"""

POOLS = f"""query($name: String!, $phase: ComputePoolPhase, $after: String) {{
  project(name: $name) {{ computePools(first: 100, after: $after, phase: $phase) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {POOL} }} }} }}
}}"""

BUNDLES = f"""query($name: String!, $bundle: String, $type: BundleType, $after: String) {{
  project(name: $name) {{ profileBundles(first: 100, after: $after, name: $bundle, type: $type) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {BUNDLE} }} }} }}
}}"""

DEPLOYMENTS = f"""query($name: String!, $phase: AppDeploymentPhase, $after: String) {{
  project(name: $name) {{ appDeployments(first: 100, after: $after, phase: $phase) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {DEPLOYMENT} }} }} }}
}}"""

NODE_DEPLOYMENT = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on AppDeployment {{ {DEPLOYMENT} }} }} }}"

NODE_POOL = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on ComputePool {{ {POOL} }} }} }}"

# The phase now and how many events exist (seq is gapless from 1, so the count is the last seq).
WATCH_START = """query($id: ID!) {
  node(id: $id) {
    __typename
    ... on AppDeployment { name deploymentPhase: phase events(first: 1) { totalCount } }
    ... on ComputePool { name poolPhase: phase events(first: 1) { totalCount } }
  }
}"""

DEPLOYMENT_EVENTS_PAGE = f"""query($id: ID!, $after: String) {{
  node(id: $id) {{ ... on AppDeployment {{ events(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {EVENT} }} }} }} }}
}}"""

DEPLOY = f"""mutation($input: DeployAppInput!) {{
  deployApp(input: $input) {{ appDeployment {{ {DEPLOYMENT} }} plan {{ {PLAN} }} {USER_ERRORS} }}
}}"""

CLONE = f"""mutation($input: CloneAppDeploymentInput!) {{
  cloneAppDeployment(input: $input) {{ appDeployment {{ {DEPLOYMENT} }} plan {{ {PLAN} }} {USER_ERRORS} }}
}}"""

DELETE = f"""mutation($id: ID!) {{
  deleteAppDeployment(input: {{ id: $id }}) {{ appDeployment {{ {DEPLOYMENT} }} {USER_ERRORS} }}
}}"""

RETRY = f"""mutation($id: ID!) {{
  retryAppDeployment(input: {{ id: $id }}) {{ appDeployment {{ {DEPLOYMENT} }} {USER_ERRORS} }}
}}"""

CREATE_POOL = f"""mutation($input: CreateComputePoolInput!) {{
  createComputePool(input: $input) {{ computePool {{ {POOL} }} {USER_ERRORS} }}
}}"""

DELETE_POOL = f"""mutation($id: ID!) {{
  deleteComputePool(input: {{ id: $id }}) {{ computePool {{ {POOL} }} {USER_ERRORS} }}
}}"""

SUBSCRIPTIONS = {
    "AppDeployment": f"subscription($id: ID!, $after: String) {{ appDeploymentEvents(id: $id, after: $after) {{ {EVENT} }} }}",
    "ComputePool": f"subscription($id: ID!, $after: String) {{ computePoolEvents(id: $id, after: $after) {{ {EVENT} }} }}",
}
SUBSCRIPTION_FIELDS = {"AppDeployment": "appDeploymentEvents", "ComputePool": "computePoolEvents"}

PROJECT_EVENTS = f"subscription($projectId: ID!, $after: String) {{ projectEvents(projectId: $projectId, after: $after) {{ {EVENT} }} }}"
