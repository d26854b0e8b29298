/** The audit trail through the public API (auditEvents), and its rows straight from the database. */
import type { TestApp } from './app.js';
import { subscribe, type Subscription } from './events.js';
import { sql } from './snapshot.js';

export const AUDIT_FIELDS = `id cursor time requestId actor { tokenId subject } operation tenantId projectId targetId targetKind inputDigest input outcome errorCode errors { code field }`;

export const AUDIT_EVENTS = `query($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${AUDIT_FIELDS} } }
}`;

export const AUDIT_SUBSCRIPTION = `subscription($filter: AuditEventFilter, $after: String) { auditEvents(filter: $filter, after: $after) { ${AUDIT_FIELDS} } }`;

export interface AuditEvent {
  id: string;
  cursor: string;
  time: string;
  requestId: string;
  actor: { tokenId: string | null; subject: string | null };
  operation: string;
  tenantId: string | null;
  projectId: string | null;
  targetId: string | null;
  targetKind: string | null;
  inputDigest: string;
  input: any;
  outcome: 'OK' | 'REFUSED' | 'ERROR';
  errorCode: string | null;
  errors: { code: string; field: string[] | null }[];
}

/** Every record the token may read that matches `filter`, newest first (all pages). */
export async function auditEvents(app: TestApp, filter: Record<string, unknown> = {}, token = app.adminToken): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const d: any = await app.q(AUDIT_EVENTS, { filter, first: 100, after }, token);
    out.push(...d.auditEvents.nodes);
    if (!d.auditEvents.pageInfo.hasNextPage) return out;
    after = d.auditEvents.pageInfo.endCursor;
  }
}

export interface AuditRow {
  seq: number;
  operation: string;
  outcome: string;
  error_code: string | null;
  tenant_id: string | null;
  project_id: string | null;
  subject_id: string | null;
  request_id: string;
}

/** Every audit row, oldest first, straight from the table. */
export async function auditRows(app: TestApp): Promise<AuditRow[]> {
  const rows = await sql<AuditRow>(app, 'select seq, operation, outcome, error_code, tenant_id, project_id, subject_id, request_id from audit_record order by seq');
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** auditEvents over graphql-ws; its `events` are AuditEvents. */
export const auditSubscription = (app: TestApp, variables: Record<string, unknown>, token: string | null = app.adminToken): Subscription & { events: AuditEvent[] } =>
  subscribe(app, AUDIT_SUBSCRIPTION, variables, token) as unknown as Subscription & { events: AuditEvent[] };
