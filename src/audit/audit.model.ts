/** The audit trail's plain data: what is published on the bus and streamed (no ORM entity). */

export enum AuditOutcome {
  /** the mutation did what it was asked (for a dry run: it answered) */
  OK = 'OK',
  /** refused: user errors, an authorization refusal, invalid input; nothing changed */
  REFUSED = 'REFUSED',
  /** an internal fault; nothing changed */
  ERROR = 'ERROR',
}

export interface AuditTarget {
  tenantId: string | null;
  projectId: string | null;
  subjectKind: string | null;
  subjectId: string | null;
}

export interface AuditActor {
  tokenId: string | null;
  subject: string | null;
}

export interface AuditDto extends AuditTarget {
  id: string;
  seq: number;
  time: Date;
  requestId: string;
  actor: AuditActor;
  operation: string;
  inputDigest: string;
  inputSummary: unknown;
  outcome: AuditOutcome;
  errorCode: string | null;
  errors: { code: string; field: string[] | null }[] | null;
}

/** Opaque cursor of an audit record (its seq). */
export function auditCursor(e: Pick<AuditDto, 'seq'>): string {
  return Buffer.from(`au1:${e.seq}`, 'utf8').toString('base64url');
}

export function parseAuditCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(cursor)) return null;
  const m = /^au1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}
