/** How a deployment and a plan read on a terminal (JSON output prints the GraphQL objects instead). */
import type { Deployment, Plan } from '../api/types.js';
import { formatUserError } from '../api/graphql.client.js';
import { renderTable, type Output } from './output.js';

const gpus = (list: { gpuFamily: string; count: number }[]) => list.map((g) => `${g.count} ${g.gpuFamily}`).join(', ') || 'none';

export function printDeployment(out: Output, d: Deployment): void {
  const s = d.status;
  const step = s.stepIndex !== null && s.stepCount ? `${Math.min(s.stepIndex + 1, s.stepCount)}/${s.stepCount}${s.currentStep ? ` (${s.currentStep})` : ''}` : '';
  out.object(d, [
    ['name', d.name],
    ['id', d.id],
    ['project', d.project.name],
    ['phase', `${d.phase} ${s.percent}%`],
    ['step', step],
    ['waiting on', s.waitingOn ? `${s.waitingOn.reason}: ${s.waitingOn.message} (since ${s.waitingOn.since})` : ''],
    ['failure', s.failure ? `${s.failure.reason} at step ${s.failure.step}: ${s.failure.message}` : ''],
    ['pool', d.computePool.name],
    ['cluster', d.cluster],
    ['gpus', gpus(d.gpuRequests)],
    ['retries', d.retries],
    ['created', d.createdAt],
    ...d.accessUrls.map((u): [string, unknown] => [`url ${u.component}`, u.url]),
  ]);
}

export function printPlan(out: Output, plan: Plan): void {
  if (out.json) return out.raw(JSON.stringify(plan, null, 2) + '\n');
  const p = plan.pool;
  const lines = [
    `plan:     ${plan.allowed ? 'would be admitted' : 'would be REFUSED'} (dry run: nothing was written)`,
    `pool:     ${p.name} (${p.mode}${p.isNew ? ', new dedicated pool' : ''})${p.cluster ? `, cluster ${p.cluster}` : ''}`,
    ...(p.machines.length ? [`machines: ${p.machines.join(', ')}`] : []),
    `gpus:     ${gpus(plan.gpuRequests)}`,
    `steps:    ${plan.steps.map((s, i) => `${i + 1}. ${s.step}`).join('  ')}`,
    `objects:  ${plan.hubObjects.map((o) => `${o.kind} ${o.metadata?.name ?? ''}`.trim()).join(', ')}`,
    ...plan.refusals.map((r) => `refused:  ${formatUserError(r)}`),
    '',
  ];
  out.raw(lines.join('\n') + '\n');
  if (plan.quota.length) {
    out.raw(
      renderTable(plan.quota, [
        { header: 'quota level', value: (l) => l.level },
        { header: 'gpu family', value: (l) => l.gpuFamily },
        { header: 'requested', value: (l) => l.requested },
        { header: 'used', value: (l) => l.used },
        { header: 'limit', value: (l) => l.limit },
        { header: 'verdict', value: (l) => (l.allowed ? 'allowed' : 'REFUSED') },
      ]),
    );
  }
}
