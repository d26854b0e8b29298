/**
 * Which tenant a project belongs to, for the access check that starts a WebSocket event
 * subscription. Thousands of subscribers of one project each loaded the project as an ORM entity
 * (`projects.byId`) to learn one fact that never changes while the project exists: its tenant.
 * Visibility is still decided per subscribe by the viewer's own bindings (canReadProject, the same
 * rule as `projects.byId`); only the project → tenant fact is kept here.
 *
 * The fact ends when the project (or its tenant) is deleted: the access change every replica's
 * socket registry acts on drops it here too, and a bus that may have lost messages drops all. A read
 * that overlapped such a change is used once but not kept, as the registry does with token reads.
 * So a subscribe after a deletion sees it at the same moment the registry closes the sockets bound to
 * that project; before the message arrives it may still start (as a subscribe whose read came just
 * before the delete's commit always could), on a project with no events left to send.
 */
import type { Em } from '../db/orm.js';
import { all } from '../db/sql.js';
import { isAccessChange } from '../tenancy/access.change.js';
import { topics, type EventBus } from './event.bus.js';

/** Far more projects than one gateway's subscribers watch at once; beyond it the oldest fact goes. */
const MAX_PROJECTS = 10_000;

export class ProjectScopes {
  /** project id → tenant id, for projects that existed when read */
  private readonly tenants = new Map<string, string>();
  /** one database read per project at a time, shared by the subscribes waiting for it (while no access change came) */
  private readonly reading = new Map<string, { version: number; tenant: Promise<string | null> }>();
  /** Bumped by every access change: a read that overlapped one is not kept. */
  private version = 0;
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus) {
    this.unsubscribe = bus.subscribe(
      topics.access,
      (m) => {
        if (!isAccessChange(m)) return;
        this.version++;
        if (m.kind === 'project') this.tenants.delete(m.projectId);
        else if (m.kind === 'tenant') for (const [p, t] of this.tenants) if (t === m.tenantId) this.tenants.delete(p);
      },
      () => {
        this.version++;
        this.tenants.clear();
      },
    );
  }

  /** The project's tenant id, or null when no such project exists (`em`: asked for only when it must read). */
  async tenantOf(em: () => Em, projectId: string): Promise<string | null> {
    const known = this.tenants.get(projectId);
    if (known !== undefined) return known;
    const pending = this.reading.get(projectId);
    if (pending && pending.version === this.version) return pending.tenant;
    const seen = this.version;
    const tenant = all<{ tenant_id: string }>(em(), 'select "tenant_id" from "project" where "id" = ?', [projectId])
      .then(([row]) => {
        const tenantId = row ? String(row.tenant_id) : null;
        if (tenantId !== null && this.version === seen) {
          if (this.tenants.size >= MAX_PROJECTS) this.tenants.delete(this.tenants.keys().next().value!);
          this.tenants.set(projectId, tenantId);
        }
        return tenantId;
      })
      .finally(() => {
        if (this.reading.get(projectId)?.tenant === tenant) this.reading.delete(projectId);
      });
    this.reading.set(projectId, { version: seen, tenant });
    return tenant;
  }

  close(): void {
    this.unsubscribe();
    this.tenants.clear();
  }
}
