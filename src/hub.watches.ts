/**
 * Which hub objects wake which workflow subjects (workflow/hub.nudger.ts runs the informers). Objects
 * carry our ownership labels (project, pool, deployment), which map back to subjects through the
 * database; PlacementDecisions are written by the placement controller without our labels, and their
 * placement label names the Placement, i.e. the deployment.
 */
import type { Em, Orm } from './db/orm.js';
import { readRows } from './db/read-rows.js';
import { Label, type KubeObject } from './kube/index.js';
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

/** How long a located subject id is used without a look at the database (see subjectLocator). */
const REMEMBER_MS = 10_000;
const REMEMBER_MAX = 10_000;

/**
 * Keys of hubWatches → the ids of the (latest) pools and deployments they name: one plain statement
 * per key (its parameters bound: `readRows`), remembered for a few seconds — a deployment's hub
 * objects change several times while it rolls out, each a watch event naming the same subject.
 * Forgotten when a watched object of the key is deleted (its subject is going, and a new one of the
 * name gets a new id) and after REMEMBER_MS at the latest: a stale id only costs an early wake-up of
 * a subject whose job is not waiting (a no-op); the new subject's steps still poll.
 */
export function subjectLocator(orm: Orm): SubjectLocator {
  const latest = (table: string) => `select s.id from ${table} s join project p on p.id = s.project_id where p.name = ? and s.name = ? order by s.id desc limit 1`;
  const sql = { pool: latest('compute_pool'), deployment: latest('app_deployment') };
  const known = new Map<string, { id: string; until: number }>();
  const locate: SubjectLocator = async (keys) => {
    const em = orm.em.fork() as Em;
    const ids: string[] = [];
    const now = Date.now();
    for (const key of keys) {
      const hit = known.get(key);
      if (hit && hit.until > now) {
        ids.push(hit.id);
        continue;
      }
      const [subject, projectName, name] = key.split('|');
      const [row] = await readRows<{ id: string }>(em, subject === 'pool' ? sql.pool : sql.deployment, [projectName, name]);
      if (!row) continue;
      ids.push(row.id);
      if (known.size >= REMEMBER_MAX) known.clear();
      known.set(key, { id: row.id, until: now + REMEMBER_MS });
    }
    return ids;
  };
  locate.forget = (key) => known.delete(key);
  return locate;
}
