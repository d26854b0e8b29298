/**
 * Status readers, table-driven: each row is a status another controller could write and what the
 * flows must conclude from it (stale conditions never count).
 */
import { describe, expect, it } from 'vitest';
import {
  accessUrl,
  clusterProgress,
  decisionClusters,
  feedbackValue,
  feedbackValues,
  gpuCapacity,
  helmReleaseIdentifier,
  isAddOnAvailable,
  isConditionTrue,
  readCluster,
  readHelmRelease,
  readMachineDeployment,
  readManagedCluster,
  readManifestWork,
  readPlacement,
  releaseFromFeedback,
  secretValue,
  serviceAddress,
  serviceAddressFromFeedback,
  serviceIdentifier,
  type Condition,
  type KubeObject,
} from '../../../src/kube/index.js';

const cond = (type: string, status: Condition['status'], extra: Partial<Condition> = {}): Condition => ({ type, status, ...extra });
const obj = (status: unknown, generation = 2, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'x/v1',
  kind: 'X',
  metadata: { name: 'n', namespace: 'ns', generation },
  status,
  ...extra,
});

describe('conditions', () => {
  it.each([
    ['a current True condition', [cond('Ready', 'True', { observedGeneration: 2 })], true],
    ['a True condition without observedGeneration', [cond('Ready', 'True')], true],
    ['a stale True condition', [cond('Ready', 'True', { observedGeneration: 1 })], false],
    ['a False condition', [cond('Ready', 'False', { observedGeneration: 2 })], false],
    ['no condition', [], false],
    ['malformed conditions', [{ type: 'Ready' }, 'x', null], false],
  ])('should read %s as true=%s', (_n, conditions, expected) => {
    expect(isConditionTrue(obj({ conditions }), 'Ready')).toBe(expected);
  });

  it('should tolerate a missing or non-object status', () => {
    expect(isConditionTrue(obj(undefined), 'Ready')).toBe(false);
    expect(isConditionTrue(obj('broken'), 'Ready')).toBe(false);
    expect(isConditionTrue(null, 'Ready')).toBe(false);
  });
});

describe('Cluster API readers', () => {
  const capi = (status: Record<string, unknown>, generation = 1) => obj({ observedGeneration: generation, ...status }, generation);
  it.each([
    ['Pending', capi({ phase: 'Pending' }), { phase: 'Pending', provisioned: false, failed: false }],
    ['Provisioning with infra', capi({ phase: 'Provisioning', initialization: { infrastructureProvisioned: true } }), { phase: 'Provisioning', infrastructureProvisioned: true, controlPlaneInitialized: false }],
    [
      'Provisioned with conditions',
      capi({ phase: 'Provisioned', conditions: [cond('ControlPlaneAvailable', 'True', { observedGeneration: 1 }), cond('Available', 'True', { observedGeneration: 1 })] }),
      { provisioned: true, controlPlaneAvailable: true, available: true },
    ],
    ['stale Available', capi({ phase: 'Provisioned', conditions: [cond('Available', 'True', { observedGeneration: 1 })] }, 2), { available: false }],
    ['Failed with v1beta1 failure fields', capi({ phase: 'Failed', deprecated: { v1beta1: { failureReason: 'CreateError', failureMessage: 'no hosts' } } }), { failed: true, failureReason: 'CreateError', failureMessage: 'no hosts' }],
    ['Failed with a False condition', capi({ phase: 'Failed', conditions: [cond('InfrastructureReady', 'False', { reason: 'HostUnreachable', observedGeneration: 1 })] }), { failed: true, failureReason: 'HostUnreachable' }],
    ['Failed with nothing else', capi({ phase: 'Failed' }), { failed: true, failureReason: 'Failed' }],
    ['an unknown phase', capi({ phase: 'Exploding' }), { phase: 'Unknown' }],
    [
      'v1beta2 failure through a condition only (phase still Provisioning)',
      capi({ phase: 'Provisioning', conditions: [cond('InfrastructureReady', 'False', { reason: 'ProvisioningFailed', message: 'no capacity', observedGeneration: 1 })] }),
      { phase: 'Provisioning', failed: true, failureReason: 'ProvisioningFailed', failureMessage: 'no capacity' },
    ],
    [
      'v1beta1 layout with the failure in status.v1beta2.conditions',
      capi({ phase: 'Provisioning', v1beta2: { conditions: [cond('ControlPlaneInitialized', 'False', { reason: 'BootstrapFailure', observedGeneration: 1 })] } }),
      { failed: true, failureReason: 'BootstrapFailure' },
    ],
    ['a not-yet reason (not terminal)', capi({ phase: 'Provisioning', conditions: [cond('InfrastructureReady', 'False', { reason: 'NotProvisioned', observedGeneration: 1 })] }), { failed: false }],
    ['an InternalError (retried by CAPI, not terminal)', capi({ phase: 'Provisioning', conditions: [cond('Available', 'False', { reason: 'InternalError', observedGeneration: 1 })] }), { failed: false }],
    ['a stale failure condition (older generation)', capi({ phase: 'Provisioning', conditions: [cond('InfrastructureReady', 'False', { reason: 'ProvisioningFailed', observedGeneration: 1 })] }, 2), { failed: false }],
    ['a failure condition of an untracked type', capi({ phase: 'Provisioning', conditions: [cond('RemoteConnectionProbe', 'False', { reason: 'ProbeFailed', observedGeneration: 1 })] }), { failed: false }],
  ])('should read a %s Cluster', (_n, cluster, expected) => {
    expect(readCluster(cluster)).toMatchObject(expected);
  });

  it.each([
    [{ replicas: 3 }, { replicas: 3, readyReplicas: 1, availableReplicas: 1 }, { desired: 3, ready: 1, fraction: 1 / 3 }],
    [{ replicas: 0 }, {}, { desired: 0, ready: 0, fraction: 1 }],
    [{ replicas: 2 }, { readyReplicas: 5 }, { fraction: 1 }],
    [{}, undefined, { desired: 1, ready: 0, fraction: 0 }],
  ])('should read MachineDeployment spec %j status %j', (spec, status, expected) => {
    expect(readMachineDeployment({ ...obj(status), spec })).toMatchObject(expected);
  });

  it.each([
    ['nothing yet', { phase: 'Pending' }, { replicas: 2 }, {}, 0],
    ['infrastructure and control plane initialized', { phase: 'Provisioning', initialization: { infrastructureProvisioned: true, controlPlaneInitialized: true } }, { replicas: 2 }, {}, 0.4],
    ['half the workers', { phase: 'Provisioning', initialization: { infrastructureProvisioned: true, controlPlaneInitialized: true }, conditions: [cond('ControlPlaneAvailable', 'True')] }, { replicas: 2 }, { readyReplicas: 1 }, 0.75],
    ['everything', { phase: 'Provisioned', initialization: { infrastructureProvisioned: true, controlPlaneInitialized: true }, conditions: [cond('ControlPlaneAvailable', 'True')] }, { replicas: 2 }, { readyReplicas: 2 }, 1],
  ])('should report provisioning progress for %s', (_n, clusterStatus, mdSpec, mdStatus, expected) => {
    expect(clusterProgress(obj(clusterStatus), { ...obj(mdStatus), spec: mdSpec })).toBeCloseTo(expected, 3);
  });
});

describe('OCM readers', () => {
  const mc = (conditions: Condition[], labels: Record<string, string> = {}, capacity?: Record<string, string>) =>
    ({ ...obj({ conditions, capacity, version: { kubernetes: 'v1.31.2' } }, 1), metadata: { name: 'c1', generation: 1, labels } }) as KubeObject;

  it.each([
    ['just created', [], { accepted: false, joined: false, available: false }],
    ['accepted', [cond('HubAcceptedManagedCluster', 'True')], { accepted: true, joined: false }],
    ['joined and available', [cond('HubAcceptedManagedCluster', 'True'), cond('ManagedClusterJoined', 'True'), cond('ManagedClusterConditionAvailable', 'True')], { accepted: true, joined: true, available: true, kubernetesVersion: 'v1.31.2' }],
    ['unavailable', [cond('ManagedClusterJoined', 'True'), cond('ManagedClusterConditionAvailable', 'False')], { joined: true, available: false }],
    ['denied', [cond('HubDeniedManagedCluster', 'True')], { denied: true, accepted: false }],
  ])('should read a ManagedCluster that is %s', (_n, conditions, expected) => {
    expect(readManagedCluster(mc(conditions))).toMatchObject(expected);
  });

  it.each([
    ['one family, observed total wins', { 'gpu.spokegraph.io/NVIDIA-H100': '16' }, { 'nvidia.com/gpu': '14' }, { observedTotal: 14, byFamily: { 'NVIDIA-H100': 14 } }],
    ['one family, not joined yet', { 'gpu.spokegraph.io/NVIDIA-H100': '16' }, undefined, { byFamily: { 'NVIDIA-H100': 16 } }],
    ['two families from labels', { 'gpu.spokegraph.io/NVIDIA-H100': '8', 'gpu.spokegraph.io/NVIDIA-A100': '4', other: 'x' }, { 'nvidia.com/gpu': '12' }, { observedTotal: 12, byFamily: { 'NVIDIA-H100': 8, 'NVIDIA-A100': 4 } }],
    ['no GPUs', {}, { cpu: '64' }, { byFamily: {} }],
    ['unparsable values', { 'gpu.spokegraph.io/X': 'many' }, { 'nvidia.com/gpu': '1.5' }, { byFamily: {} }],
  ])('should compute GPU capacity: %s', (_n, labels, capacity, expected) => {
    expect(gpuCapacity(mc([], labels, capacity))).toEqual(expected);
  });

  it.each([
    [[cond('Available', 'True', { observedGeneration: 1 })], true],
    [[cond('Available', 'True', { observedGeneration: 0 })], false],
    [[cond('Available', 'False')], false],
    [[], false],
  ])('should read add-on conditions %j as available=%s', (conditions, expected) => {
    expect(isAddOnAvailable(obj({ conditions }, 1))).toBe(expected);
  });

  it('should read Placement satisfaction and count', () => {
    expect(readPlacement(obj({ numberOfSelectedClusters: 1, conditions: [cond('PlacementSatisfied', 'True', { observedGeneration: 2 })] }))).toEqual({ satisfied: true, misconfigured: false, selectedClusters: 1 });
    expect(readPlacement(obj({ conditions: [cond('PlacementSatisfied', 'True', { observedGeneration: 1 })] }))).toEqual({ satisfied: false, misconfigured: false, selectedClusters: 0 });
  });

  it.each([
    ['no decisions', [], []],
    ['one decision', [obj({ decisions: [{ clusterName: 'b', reason: '' }] })], ['b']],
    ['several objects, empty names, duplicates', [obj({ decisions: [{ clusterName: 'c' }, { clusterName: '' }] }), obj({ decisions: [{ clusterName: 'a' }, { clusterName: 'c' }] }), obj({})], ['a', 'c']],
    ['malformed', [obj({ decisions: 'x' }), obj({ decisions: [null, { clusterName: 7 }] })], []],
  ])('should list decided clusters for %s', (_n, decisions, expected) => {
    expect(decisionClusters(decisions)).toEqual(expected);
  });
});

describe('ManifestWork readers', () => {
  const hrId = helmReleaseIdentifier('vision-chat', 'llm-server');
  const svcId = serviceIdentifier('vision-chat', 'llm-server');
  const manifest = (id: typeof hrId, values: unknown[]) => ({
    resourceMeta: { ordinal: 0, group: id.group, version: 'v2', kind: 'X', resource: id.resource, name: id.name, namespace: id.namespace },
    conditions: [cond('Applied', 'True')],
    statusFeedback: { values },
  });
  const work = (manifests: unknown[], conditions: Condition[] = [], generation = 3) => obj({ conditions, resourceStatus: { manifests } }, generation);

  it.each([
    ['applied and available', [cond('Applied', 'True', { observedGeneration: 3 }), cond('Available', 'True', { observedGeneration: 3 })], { applied: true, available: true, degraded: false }],
    ['applied for an older generation', [cond('Applied', 'True', { observedGeneration: 2 })], { applied: false }],
    ['degraded', [cond('Degraded', 'True', { observedGeneration: 3 })], { degraded: true }],
  ])('should read a work that is %s', (_n, conditions, expected) => {
    expect(readManifestWork(work([], conditions))).toMatchObject(expected);
  });

  it('should return typed feedback values per resource and name', () => {
    const w = work([
      manifest(hrId, [
        { name: 'ready', fieldValue: { type: 'String', string: 'True' } },
        { name: 'observedGeneration', fieldValue: { type: 'Integer', integer: 1 } },
        { name: 'flag', fieldValue: { type: 'Boolean', boolean: true } },
        { name: 'raw', fieldValue: { type: 'JsonRaw', jsonRaw: '{"a":1}' } },
        { name: 'broken', fieldValue: { type: 'Integer', string: 'x' } },
      ]),
      manifest(svcId, [{ name: 'ingressIp', fieldValue: { type: 'String', string: '10.1.2.3' } }]),
    ]);
    expect(feedbackValue(w, hrId, 'ready')).toEqual({ type: 'String', value: 'True' });
    expect(feedbackValue(w, hrId, 'observedGeneration')).toEqual({ type: 'Integer', value: 1 });
    expect(feedbackValue(w, hrId, 'flag')).toEqual({ type: 'Boolean', value: true });
    expect(feedbackValue(w, hrId, 'raw')).toEqual({ type: 'JsonRaw', value: '{"a":1}' });
    expect(feedbackValue(w, hrId, 'broken')).toBeUndefined();
    expect(feedbackValue(w, svcId, 'ready')).toBeUndefined();
    expect(serviceAddressFromFeedback(feedbackValues(w, svcId))).toBe('10.1.2.3');
    expect(feedbackValues(w, { ...svcId, name: 'other' }).size).toBe(0);
  });

  const fv = (entries: Record<string, string | number>) =>
    new Map(Object.entries(entries).map(([k, v]) => [k, typeof v === 'number' ? { type: 'Integer' as const, value: v } : { type: 'String' as const, value: v }]));

  it.each([
    ['no feedback yet', {}, { state: 'progressing', reason: 'NoStatus' }],
    ['installing', { ready: 'Unknown', reconciling: 'True', readyReason: 'Progressing' }, { state: 'progressing', reason: 'Progressing' }],
    ['ready', { ready: 'True', readyReason: 'InstallSucceeded', readyObservedGeneration: 1, observedGeneration: 1 }, { state: 'ready', reason: 'InstallSucceeded' }],
    ['ready for an older generation', { ready: 'True', readyObservedGeneration: 1, observedGeneration: 2 }, { state: 'progressing', reason: 'GenerationNotObserved' }],
    ['failed', { ready: 'False', readyReason: 'InstallFailed', reconciling: 'False' }, { state: 'failed', reason: 'InstallFailed' }],
    ['retrying after a failure', { ready: 'False', readyReason: 'InstallFailed', reconciling: 'True' }, { state: 'progressing', reason: 'InstallFailed' }],
    ['stalled', { ready: 'False', readyReason: 'RetriesExceeded', reconciling: 'True', stalled: 'True' }, { state: 'failed', reason: 'RetriesExceeded' }],
  ])('should classify HelmRelease feedback: %s', (_n, values, expected) => {
    expect(releaseFromFeedback(fv(values))).toEqual(expected);
  });

  it.each([
    ['ready at the current generation', 2, { observedGeneration: 2, conditions: [cond('Ready', 'True', { reason: 'InstallSucceeded', observedGeneration: 2 })] }, { state: 'ready' }],
    ['status lagging the spec', 3, { observedGeneration: 2, conditions: [cond('Ready', 'True', { observedGeneration: 2 })] }, { state: 'progressing', reason: 'GenerationNotObserved' }],
    ['Ready computed for an old generation', 2, { observedGeneration: 2, conditions: [cond('Ready', 'True', { observedGeneration: 1 })] }, { state: 'progressing' }],
    ['upgrade failed', 2, { observedGeneration: 2, conditions: [cond('Ready', 'False', { reason: 'UpgradeFailed', observedGeneration: 2 })] }, { state: 'failed', reason: 'UpgradeFailed' }],
    ['never reconciled', 1, undefined, { state: 'progressing', reason: 'NoStatus' }],
  ])('should classify a HelmRelease object %s', (_n, generation, status, expected) => {
    expect(readHelmRelease(obj(status, generation))).toMatchObject(expected);
  });
});

describe('core readers', () => {
  it.each([
    [{ loadBalancer: { ingress: [{ ip: '10.0.0.7' }] } }, '10.0.0.7'],
    [{ loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } }, 'lb.example.com'],
    [{ loadBalancer: { ingress: [] } }, undefined],
    [{ loadBalancer: {} }, undefined],
    [undefined, undefined],
  ])('should read Service status %j as address %s', (status, expected) => {
    expect(serviceAddress(obj(status))).toBe(expected);
  });

  it('should decode Secret values', () => {
    const s = { ...obj(undefined), data: { value: Buffer.from('kubeconfig-yaml').toString('base64') } };
    expect(secretValue(s, 'value')).toBe('kubeconfig-yaml');
    expect(secretValue(s, 'other')).toBeUndefined();
  });

  it.each([
    ['10.0.0.7', { port: 8000, path: '/v1' }, 'http://10.0.0.7:8000/v1'],
    ['lb.example.com', { port: 80 }, 'http://lb.example.com:80/'],
    ['fd00::1', { port: 3000, path: 'ui' }, 'http://[fd00::1]:3000/ui'],
  ])('should build the access URL for %s %j', (address, expose, expected) => {
    expect(accessUrl(address, expose)).toBe(expected);
  });
});
