/** App-deployment fixtures and waiting helpers (through the public GraphQL API). */
import type { TestApp } from './app.js';
import { uniq } from './seed.js';
import { untilPhase } from './poll.js';

/** An APPLICATION bundle: one GPU inference server exposed on a port, its values driven by variables. */
export function appBundle(projectId: string, opts: { gpuFamily?: string; gpus?: number; name?: string; component?: string } = {}) {
  return {
    projectId,
    name: opts.name ?? uniq('app'),
    type: 'APPLICATION',
    variables: [
      { name: 'model', type: 'STRING', default: 'llama-3-8b' },
      { name: 'replicas', type: 'INT32', default: 1 },
      { name: 'temperature', type: 'FLOAT64', default: 0.7, locked: true },
      { name: 'debug', type: 'BOOL', default: false },
    ],
    workloadProfiles: [
      {
        name: 'serving',
        type: 'APPLICATION',
        components: [
          {
            name: opts.component ?? 'server',
            chart: { repository: 'https://charts.example.com/stable', chart: 'inference-server', version: '1.2.3' },
            values: { model: '{{ .var.model }}', replicaCount: '{{ .var.replicas }}', debug: '{{ .var.debug }}', banner: 'model={{ .var.model }}' },
            ...(opts.gpus === 0 ? {} : { gpu: { family: opts.gpuFamily ?? 'NVIDIA-H100', count: opts.gpus ?? 1 } }),
            expose: { port: 8080, path: '/api' },
          },
        ],
      },
    ],
  };
}

export async function createAppBundle(app: TestApp, projectId: string, opts: Parameters<typeof appBundle>[1] = {}): Promise<string> {
  const d = await app.q(
    `mutation($input: CreateProfileBundleInput!) { createProfileBundle(input: $input) { profileBundle { id } userErrors { field message code } } }`,
    { input: appBundle(projectId, opts) },
  );
  if (d.createProfileBundle.userErrors.length) throw new Error(JSON.stringify(d.createProfileBundle.userErrors));
  return d.createProfileBundle.profileBundle.id;
}

export const DEPLOYMENT_FIELDS = `id name phase cluster retries variableValues gpuRequests { gpuFamily count } accessUrls { component url port }
  status { phase percent currentStep stepIndex stepCount waitingOn { reason message since } failure { reason step message } }`;

export const DEPLOY_APP = `mutation($input: DeployAppInput!) {
  deployApp(input: $input) {
    appDeployment { ${DEPLOYMENT_FIELDS} }
    plan { allowed refusals { field message code } quota { level gpuFamily requested used limit available allowed } gpuRequests { gpuFamily count } variableValues pool { computePool { id } name mode isNew cluster machines } steps { step title } hubObjects }
    userErrors { field message code }
  }
}`;

export async function deployApp(app: TestApp, input: Record<string, unknown>, token = app.adminToken): Promise<any> {
  return (await app.q(DEPLOY_APP, { input }, token)).deployApp;
}

export async function deployment(app: TestApp, id: string, token = app.adminToken): Promise<any> {
  return (await app.q(`query($id: ID!) { node(id: $id) { ... on AppDeployment { ${DEPLOYMENT_FIELDS} } } }`, { id }, token)).node;
}

export const waitForDeploymentPhase = (app: TestApp, id: string, phases: string[], timeoutMs = 30_000): Promise<any> =>
  untilPhase('deployment', () => deployment(app, id), phases, timeoutMs);
