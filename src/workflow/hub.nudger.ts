/**
 * Hub watches that wake waiting workflow steps early. Steps poll on their own (so a silent watch can
 * never stall a flow); these informers only shorten the wait: when a pool's or deployment's hub
 * object changes, its job becomes due now. Objects carry our ownership labels (project, pool,
 * deployment), which map back to subjects through the database.
 */
import { ComputePool } from '../compute/pool.entity.js';
import type { Em, Orm } from '../db/orm.js';
import { AppDeployment } from '../deployments/deployment.entity.js';
import { Label, type HubAdapter, type HubInformer, type KindName, type KubeObject } from '../kube/index.js';
import type { Logger } from '../logger.js';
import { Project } from '../tenancy/project.entity.js';
import type { WorkflowRunner } from './runner.js';

/** Kinds whose changes matter to a waiting step, and how their labels name the subject. */
const WATCHED: { kind: KindName; subject: 'pool' | 'deployment' }[] = [
  { kind: 'Cluster', subject: 'pool' },
  { kind: 'MachineDeployment', subject: 'pool' },
  { kind: 'ManagedCluster', subject: 'pool' },
  { kind: 'ManagedClusterAddOn', subject: 'pool' },
  { kind: 'ManifestWork', subject: 'deployment' },
];

export class HubNudger {
  private readonly informers: HubInformer<KubeObject>[] = [];
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly orm: Orm,
    private readonly hub: HubAdapter,
    private readonly runner: WorkflowRunner,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const w of WATCHED) {
      const inf = this.hub.informer<KubeObject>(w.kind, { labelSelector: `${Label.ManagedBy}=spokegraph` });
      const on = (obj: KubeObject) => this.note(w.subject, obj);
      inf.on('add', on);
      inf.on('update', on);
      inf.on('delete', on);
      inf.start();
      this.informers.push(inf);
    }
    // PlacementDecisions are written by the placement controller without our labels; their
    // placement label names the Placement, i.e. the deployment.
    const decisions = this.hub.informer<KubeObject>('PlacementDecision');
    decisions.on('add', (o) => this.noteDecision(o));
    decisions.on('update', (o) => this.noteDecision(o));
    decisions.start();
    this.informers.push(decisions);
  }

  stop(): void {
    for (const inf of this.informers) inf.stop();
    this.informers.length = 0;
    if (this.timer) clearTimeout(this.timer);
  }

  private note(subject: 'pool' | 'deployment', obj: KubeObject): void {
    const labels = obj.metadata?.labels ?? {};
    const project = labels[Label.Project];
    const name = subject === 'pool' ? labels[Label.Pool] : labels[Label.Deployment];
    if (project && name) this.queue(`${subject}|${project}|${name}`);
  }

  private noteDecision(obj: KubeObject): void {
    const placement = obj.metadata?.labels?.[Label.Placement];
    if (placement && obj.metadata?.namespace) this.queue(`deployment|${obj.metadata.namespace}|${placement}`);
  }

  /** Coalesces bursts (a status write touches several objects) into one lookup. */
  private queue(key: string): void {
    this.pending.add(key);
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), 10);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const keys = [...this.pending];
    this.pending.clear();
    try {
      const em = this.orm.em.fork() as Em;
      for (const key of keys) {
        const [subject, projectName, name] = key.split('|');
        const project = await em.findOne(Project, { name: projectName });
        if (!project) continue;
        const row =
          subject === 'pool'
            ? await em.findOne(ComputePool, { project: project.id, name }, { orderBy: { id: 'desc' }, fields: ['id'] })
            : await em.findOne(AppDeployment, { project: project.id, name }, { orderBy: { id: 'desc' }, fields: ['id'] });
        if (row) await this.runner.nudge(row.id);
      }
    } catch (e) {
      this.log.debug('hub nudge failed; steps still poll', { err: e as Error });
    }
  }
}
