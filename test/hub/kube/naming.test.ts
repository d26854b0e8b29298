import { describe, expect, it } from 'vitest';
import {
  appHubName,
  appNamespaceName,
  clusterSetName,
  dnsName,
  exposedServiceName,
  helmReleaseName,
  isDnsLabel,
  kubeconfigSecretName,
  legacyAppHubName,
  machineDeploymentName,
  manifestWorkName,
  shortHash,
  spokeClusterName,
} from '../../../src/kube/index.js';

const long33 = 'a'.repeat(33);

describe('naming', () => {
  it.each([
    [['vision', 'chat'], 'vision-chat'],
    [['a1', 'b-2'], 'a1-b-2'],
    [['Chat UI'], `chat-ui-${shortHash('Chat UI')}`],
    [['my_model.v2'], `my-model-v2-${shortHash('my_model.v2')}`],
    [['3d-model'], `x3d-model-${shortHash('3d-model')}`],
    [['---'], `x-${shortHash('---')}`],
    [[long33, long33], `${'a'.repeat(33)}-${'a'.repeat(20)}-${shortHash(`${long33}-${long33}`)}`],
  ])('should turn %j into %s', (parts, expected) => {
    const name = dnsName(parts);
    expect(name).toBe(expected);
    expect(isDnsLabel(name)).toBe(true);
  });

  it.each([
    ['a', true],
    ['a-b-1', true],
    ['1a', false],
    ['a-', false],
    ['A', false],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
  ])('should judge %s a DNS-1035 label: %s', (name, ok) => {
    expect(isDnsLabel(name)).toBe(ok);
  });

  it('should keep names of the longest domain names within 63 characters, distinct and stable', () => {
    const a = manifestWorkName(long33, `${'b'.repeat(32)}1`);
    const b = manifestWorkName(long33, `${'b'.repeat(32)}2`);
    expect(a).toHaveLength(63);
    expect(a).not.toBe(b);
    expect(a).toBe(manifestWorkName(long33, `${'b'.repeat(32)}1`));
    expect(isDnsLabel(machineDeploymentName(spokeClusterName(long33, long33)))).toBe(true);
  });

  it('should follow the conventions for derived names: owners joined by "--"', () => {
    expect(spokeClusterName('vision', 'h100')).toBe('vision--h100');
    expect(spokeClusterName('vision', 'shared', 2)).toBe('vision--shared--2');
    expect(clusterSetName('vision', 'shared')).toBe('vision--shared');
    expect(machineDeploymentName('vision--h100')).toBe('vision--h100-workers');
    expect(kubeconfigSecretName('vision--h100')).toBe('vision--h100-kubeconfig');
    expect(appNamespaceName('vision', 'chat')).toBe('vision--chat');
    expect(manifestWorkName('vision', 'chat')).toBe('vision--chat');
    expect(appHubName('vision', 'chat')).toBe('vision--chat');
    expect(exposedServiceName('llm')).toBe('llm-lb');
  });

  it('should shorten a name past 63 characters to its head, "---" and the hash of its owners', () => {
    const name = spokeClusterName(long33, `${'b'.repeat(32)}1`, 12);
    expect(name).toBe(`${'a'.repeat(33)}--${'b'.repeat(17)}---${shortHash(JSON.stringify([long33, `${'b'.repeat(32)}1`, '12']))}`);
    expect(name).toHaveLength(63);
    expect(isDnsLabel(name)).toBe(true);
  });

  it('should keep the names deployments of the previous release have on the hub', () => {
    expect(legacyAppHubName('vision', 'chat')).toBe('vision-chat');
    expect(legacyAppHubName(long33, long33)).toBe(dnsName([long33, long33]));
  });

  it('should bound Helm release names to 53 characters', () => {
    expect(helmReleaseName('c'.repeat(60))).toHaveLength(53);
    expect(helmReleaseName('short')).toBe('short');
  });
});

describe('owned names across tenants', () => {
  it('should keep project/pool pairs apart even when their joined text is equal', () => {
    expect(spokeClusterName('a-b', 'c')).not.toBe(spokeClusterName('a', 'b-c'));
    expect(clusterSetName('team-x', 'gpu')).not.toBe(clusterSetName('team', 'x-gpu'));
    expect(spokeClusterName('vision', 'h100')).toBe('vision--h100');
    for (const n of [spokeClusterName('a-b', 'c'), clusterSetName('team-x', 'gpu'), spokeClusterName('a-b', 'c-d', 3)]) expect(isDnsLabel(n)).toBe(true);
  });
});
