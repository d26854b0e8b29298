/** Profile Bundle fixtures and documents for integration tests (through the public GraphQL API). */
import type { TestApp } from './app.js';
import { uniq } from './seed.js';

export const BUNDLE_FIELDS = `id name version versionLabel bundleType description createdAt
  project { id name }
  clusterProfile { kubernetesVersion cni csi addons { name version } }
  workloadProfiles { name type description components { name chart { repository chart version } values gpu { family count } expose { port path } } }
  variables { name type default required locked description }`;

export const CREATE_BUNDLE = `mutation($input: CreateProfileBundleInput!) {
  createProfileBundle(input: $input) { profileBundle { ${BUNDLE_FIELDS} } userErrors { field message code } }
}`;

export const CREATE_VERSION = `mutation($input: CreateProfileBundleVersionInput!) {
  createProfileBundleVersion(input: $input) { profileBundle { ${BUNDLE_FIELDS} } userErrors { field message code } }
}`;

export const DELETE_BUNDLE = `mutation($id: ID!) { deleteProfileBundle(input: { id: $id }) { deletedId userErrors { field message code } } }`;

export const BUNDLE_BY_ID = `query($id: ID!) { node(id: $id) { ... on ProfileBundle { ${BUNDLE_FIELDS} } } }`;

/** An inference app: a MODEL profile with a GPU and an exposed port, variables used through macros. */
export function appBundleInput(projectId: string, name = uniq('app')) {
  return {
    projectId,
    name,
    type: 'APPLICATION',
    description: 'LLM inference',
    variables: [
      { name: 'model', type: 'STRING', default: 'llama-3-8b', description: 'model id' },
      { name: 'replicas', type: 'INT32', default: 1 },
      { name: 'utilization', type: 'FLOAT32', default: 0.9, locked: true },
      { name: 'apiKeyName', type: 'STRING', required: true },
    ],
    workloadProfiles: [
      {
        name: 'inference',
        type: 'MODEL',
        components: [
          {
            name: 'vllm',
            chart: { repository: 'https://charts.example.com/vllm', chart: 'vllm-stack', version: '0.1.7' },
            values: { model: '{{ .var.model }}', replicaCount: '{{ .var.replicas }}', args: ['--gpu-util={{ .var.utilization }}'], env: { KEY: '{{.var.apiKeyName}}' } },
            gpu: { family: 'NVIDIA-H100', count: 2 },
            expose: { port: 8000, path: '/v1' },
          },
        ],
      },
    ],
  };
}

/** A cluster profile bundle for compute pools. */
export function infraBundleInput(projectId: string, name = uniq('infra')) {
  return {
    projectId,
    name,
    type: 'INFRASTRUCTURE',
    clusterProfile: { kubernetesVersion: '1.31.4', cni: 'calico', csi: 'longhorn', addons: [{ name: 'metallb', version: '0.14.9' }] },
    workloadProfiles: [
      {
        name: 'gpu-operator',
        type: 'INFRASTRUCTURE',
        components: [{ name: 'gpu-operator', chart: { repository: 'oci://registry.example.com/nvidia/charts', chart: 'gpu-operator', version: 'v24.9.1' } }],
      },
    ],
  };
}

/** Creates a bundle (v1) and fails loudly on user errors. */
export async function createBundle(app: TestApp, input: Record<string, unknown>, token?: string): Promise<any> {
  const d = await app.q(CREATE_BUNDLE, { input }, token);
  if (d.createProfileBundle.userErrors.length) throw new Error(JSON.stringify(d.createProfileBundle.userErrors));
  return d.createProfileBundle.profileBundle;
}

export async function bundleCount(app: TestApp, projectName: string): Promise<number> {
  const d = await app.q(`query($n: String!) { project(name: $n) { profileBundles(first: 1) { totalCount } } }`, { n: projectName });
  return d.project.profileBundles.totalCount;
}
