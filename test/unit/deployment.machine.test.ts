import { describe, expect, it } from 'vitest';
import type { PoolService } from '../../src/compute/pool.service.js';
import type { EventLog } from '../../src/events/event.log.js';
import { deployFlow, undeployFlow } from '../../src/deployments/deployment.flow.js';
import { DEPLOY_STEPS } from '../../src/deployments/deployment.flow.names.js';
import type { AppDeployment } from '../../src/deployments/deployment.entity.js';
import { deploymentMachine } from '../../src/deployments/deployment.machine.js';
import { DeploymentPhase as P } from '../../src/deployments/deployment.model.js';
import type { StepDefinition } from '../../src/workflow/flow.js';
import { IllegalTransitionError } from '../../src/workflow/phase.machine.js';

const ALL = Object.values(P);
const deps = { pools: {} as PoolService, events: {} as EventLog, pollMs: 10, rolloutDeadlineMs: 0 };

describe('deploymentMachine', () => {
  it.each([
    [P.QUEUED, P.PROVISIONING],
    [P.QUEUED, P.PLACING],
    [P.PROVISIONING, P.PLACING],
    [P.PLACING, P.DEPLOYING],
    [P.DEPLOYING, P.RUNNING],
    [P.FAILED, P.PROVISIONING],
    [P.FAILED, P.PLACING],
    [P.FAILED, P.DEPLOYING],
    [P.FAILED, P.QUEUED],
    [P.DELETING, P.DELETED],
    // an upgrade (a new revision) rolls out in DEPLOYING and comes back to RUNNING, also when it fails
    [P.RUNNING, P.DEPLOYING],
  ])('should allow %s -> %s', (from, to) => {
    expect(deploymentMachine.can(from, to)).toBe(true);
    expect(() => deploymentMachine.assert(from, to)).not.toThrow();
  });

  it.each([
    [P.QUEUED, P.RUNNING],
    [P.QUEUED, P.DEPLOYING],
    [P.PROVISIONING, P.RUNNING],
    [P.PLACING, P.PROVISIONING],
    [P.DEPLOYING, P.PLACING],
    [P.RUNNING, P.PLACING],
    [P.RUNNING, P.QUEUED],
    [P.FAILED, P.RUNNING],
    [P.DELETING, P.RUNNING],
    [P.DELETING, P.QUEUED],
    [P.RUNNING, P.DELETED],
    [P.FAILED, P.DELETED],
  ])('should refuse %s -> %s', (from, to) => {
    expect(deploymentMachine.can(from, to)).toBe(false);
    expect(() => deploymentMachine.assert(from, to)).toThrow(IllegalTransitionError);
  });

  it('should let nothing leave DELETED', () => {
    for (const to of ALL.filter((p) => p !== P.DELETED)) expect(deploymentMachine.can(P.DELETED, to)).toBe(false);
  });

  it('should let every live phase be deleted and every working phase fail', () => {
    for (const from of ALL.filter((p) => p !== P.DELETED && p !== P.DELETING)) expect(deploymentMachine.can(from, P.DELETING)).toBe(true);
    for (const from of [P.QUEUED, P.PROVISIONING, P.PLACING, P.DEPLOYING, P.RUNNING, P.DELETING]) expect(deploymentMachine.can(from, P.FAILED)).toBe(true);
  });

  it('should treat staying in a phase as no transition', () => {
    for (const p of ALL) expect(deploymentMachine.can(p, p)).toBe(true);
  });
});

describe('the deployment flows against the transition table', () => {
  const subject = (kind: 'EXISTING_POOL' | 'NEW_DEDICATED_POOL') => ({ spec: { target: { kind } } }) as unknown as AppDeployment;
  const phaseOf = (s: StepDefinition<AppDeployment>, d: AppDeployment) => (typeof s.phase === 'function' ? s.phase(d) : s.phase) as P;

  it.each([
    ['an existing pool', 'EXISTING_POOL', [P.QUEUED, P.PLACING, P.DEPLOYING, P.DEPLOYING]],
    ['a new dedicated pool', 'NEW_DEDICATED_POOL', [P.PROVISIONING, P.PLACING, P.DEPLOYING, P.DEPLOYING]],
  ] as const)('should walk the deploy steps through legal phases from QUEUED to RUNNING on %s', (_what, kind, phases) => {
    const flow = deployFlow(deps);
    const d = subject(kind);
    expect(flow.steps.map((s) => s.id)).toEqual([...DEPLOY_STEPS]);
    expect(flow.steps.map((s) => phaseOf(s, d))).toEqual(phases);
    let phase: P = P.QUEUED;
    for (const s of flow.steps) {
      expect(deploymentMachine.can(phase, phaseOf(s, d)), `${phase} -> ${phaseOf(s, d)}`).toBe(true);
      phase = phaseOf(s, d);
    }
    expect(deploymentMachine.can(phase, flow.donePhase as P)).toBe(true);
    expect(flow.donePhase).toBe(P.RUNNING);
  });

  it.each(['EXISTING_POOL', 'NEW_DEDICATED_POOL'] as const)('should let a retry resume at any deploy step, and a failure happen at any of them (%s)', (kind) => {
    const d = subject(kind);
    for (const s of deployFlow(deps).steps) {
      expect(deploymentMachine.can(P.FAILED, phaseOf(s, d)), `FAILED -> ${phaseOf(s, d)} (${s.id})`).toBe(true);
      expect(deploymentMachine.can(phaseOf(s, d), P.FAILED)).toBe(true);
    }
  });

  it('should tear down in DELETING and end DELETED', () => {
    const flow = undeployFlow(deps);
    expect(flow.steps.map((s) => s.id)).toEqual(['remove-work', 'remove-placement', 'release-pool']);
    for (const s of flow.steps) expect(s.phase).toBe(P.DELETING);
    expect(flow.donePhase).toBe(P.DELETED);
    expect(deploymentMachine.can(P.DELETING, flow.donePhase as P)).toBe(true);
  });
});

describe('upgradeFlow', () => {
  it('should re-apply and roll out in DEPLOYING, end RUNNING whether it succeeds or fails, and tag its events with the revision', async () => {
    const { upgradeFlow } = await import('../../src/deployments/deployment.update.flow.js');
    const flow = upgradeFlow(deps);
    expect(flow.steps.map((s) => [s.id, s.phase])).toEqual([
      ['apply-work', P.DEPLOYING],
      ['rollout', P.DEPLOYING],
    ]);
    expect([flow.donePhase, flow.failedPhase]).toEqual([P.RUNNING, P.RUNNING]);
    for (const s of flow.steps) expect(deploymentMachine.can(P.RUNNING, s.phase as P) && deploymentMachine.can(s.phase as P, P.RUNNING)).toBe(true);
    expect(flow.eventDetails?.({ revision: 7 } as AppDeployment)).toEqual({ revision: 7 });
  });
});
