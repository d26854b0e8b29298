/**
 * Which hub objects wake which workflow subjects (workflow/hub.nudger.ts runs the informers). Objects
 * carry our ownership labels (project, pool, deployment), which map back to subjects through the
 * database; PlacementDecisions are written by the placement controller without our labels, and their
 * placement label names the Placement, i.e. the deployment.
 */
import { ComputePool } from './compute/pool.entity.js';
import type { Em, Orm } from './db/orm.js';
import { AppDeployment } from './deployments/deployment.entity.js';
import { Label, type KubeObject } from './kube/index.js';
import { Project } from './tenancy/project.entity.js';
import type { HubWatch, SubjectLocator } from './workflow/hub.nudger.js';

const OURS = `${Label.ManagedBy}=spokegraph`;

function byLabels(subject: 'pool' | 'deployment') {
  return (obj: KubeObject): string | null => {
    const labels = obj.metadata?.labels ?? {};
    const project = labels[Label.Project];
    const name = subject === 'pool' ? labels[Label.Pool] : labels[Label.Deployment];
    return project && name ? `${subject}|${project}|${name}` : null;
  };
}

export const hubWatches: HubWatch[] = [
  { kind: 'Cluster', labelSelector: OURS, subjectKey: byLabels('pool') },
  { kind: 'MachineDeployment', labelSelector: OURS, subjectKey: byLabels('pool') },
  { kind: 'ManagedCluster', labelSelector: OURS, subjectKey: byLabels('pool') },
  { kind: 'ManagedClusterAddOn', labelSelector: OURS, subjectKey: byLabels('pool') },
  { kind: 'ManifestWork', labelSelector: OURS, subjectKey: byLabels('deployment') },
  {
    kind: 'PlacementDecision',
    onDelete: false,
    subjectKey: (obj) => {
      const placement = obj.metadata?.labels?.[Label.Placement];
      return placement && obj.metadata?.namespace ? `deployment|${obj.metadata.namespace}|${placement}` : null;
    },
  },
];

/** Keys of hubWatches → the ids of the (latest) pools and deployments they name. */
export function subjectLocator(orm: Orm): SubjectLocator {
  return async (keys) => {
    const em = orm.em.fork() as Em;
    const ids: string[] = [];
    for (const key of keys) {
      const [subject, projectName, name] = key.split('|');
      const project = await em.findOne(Project, { name: projectName });
      if (!project) continue;
      const row =
        subject === 'pool'
          ? await em.findOne(ComputePool, { project: project.id, name }, { orderBy: { id: 'desc' }, fields: ['id'] })
          : await em.findOne(AppDeployment, { project: project.id, name }, { orderBy: { id: 'desc' }, fields: ['id'] });
      if (row) ids.push(row.id);
    }
    return ids;
  };
}
