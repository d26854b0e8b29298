import { describe, expect, it } from 'vitest';
import type { PoolCluster } from '../../src/compute/pool.entity.js';
import { rankClusters, type ClusterFree } from '../../src/deployments/deployment.admission.js';

const H100 = 'NVIDIA-H100';
const A100 = 'NVIDIA-A100';
const cluster = (index: number, free: Record<string, number>): ClusterFree => ({ cluster: { id: `id-${index}`, name: `c${index}`, index, nodeCount: 2 } as PoolCluster, free });
const names = (r: ClusterFree[]) => r.map((f) => f.cluster.name);

describe('rankClusters', () => {
  it('should keep only the clusters with enough free GPUs of every requested family', () => {
    const frees = [cluster(0, { [H100]: 1 }), cluster(1, { [H100]: 2 }), cluster(2, { [A100]: 8 }), cluster(3, { [H100]: 4, [A100]: 1 })];
    expect(names(rankClusters(frees, [{ gpuFamily: H100, count: 2 }]))).toEqual(['c1', 'c3']);
    expect(names(rankClusters(frees, [{ gpuFamily: H100, count: 2 }, { gpuFamily: A100, count: 1 }]))).toEqual(['c3']);
    expect(names(rankClusters(frees, [{ gpuFamily: H100, count: 5 }]))).toEqual([]);
  });

  it('should rank the best fit first (least GPUs left over), so big holes stay for big requests', () => {
    const frees = [cluster(0, { [H100]: 8 }), cluster(1, { [H100]: 3 }), cluster(2, { [H100]: 5 })];
    expect(names(rankClusters(frees, [{ gpuFamily: H100, count: 3 }]))).toEqual(['c1', 'c2', 'c0']);
  });

  it('should break ties by cluster index', () => {
    const frees = [cluster(2, { [H100]: 4 }), cluster(0, { [H100]: 4 }), cluster(1, { [H100]: 4 })];
    expect(names(rankClusters(frees, [{ gpuFamily: H100, count: 1 }]))).toEqual(['c0', 'c1', 'c2']);
  });

  it('should put the preferred cluster first when it fits, even if another fits better', () => {
    const frees = [cluster(0, { [H100]: 8 }), cluster(1, { [H100]: 2 }), cluster(2, { [H100]: 4 })];
    expect(names(rankClusters(frees, [{ gpuFamily: H100, count: 2 }], 'c0'))).toEqual(['c0', 'c1', 'c2']);
    expect(names(rankClusters(frees, [{ gpuFamily: H100, count: 2 }], 'c2'))).toEqual(['c2', 'c1', 'c0']);
  });

  it('should leave out the preferred cluster when it has no room', () => {
    const frees = [cluster(0, { [H100]: 1 }), cluster(1, { [H100]: 2 })];
    expect(names(rankClusters(frees, [{ gpuFamily: H100, count: 2 }], 'c0'))).toEqual(['c1']);
  });

  it('should accept every cluster, in index order, for an app without GPUs', () => {
    const frees = [cluster(1, {}), cluster(0, { [H100]: 0 })];
    expect(names(rankClusters(frees, []))).toEqual(['c0', 'c1']);
  });

  it('should rank nothing for a pool without clusters', () => {
    expect(rankClusters([], [{ gpuFamily: H100, count: 1 }])).toEqual([]);
  });
});
