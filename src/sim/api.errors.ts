/**
 * Kubernetes `Status` failures. Handlers and the store throw ApiError; the server turns it into the
 * JSON body client-node parses (ApiException.body is that raw text).
 */
/** A Status cause. `type` is what the wire calls `reason` (metav1.StatusCause.Type is `json:"reason"`). */
export interface StatusCause {
  type?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: StatusDetails = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Record<string, unknown> {
    const d: Record<string, unknown> = { ...this.details };
    if (this.details.causes) d.causes = this.details.causes.map((c) => ({ ...(c.type ? { reason: c.type } : {}), message: c.message, ...(c.field !== undefined ? { field: c.field } : {}) }));
    const details = Object.keys(d).length ? { details: d } : {};
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...details,
      code: this.code,
    };
  }
}

/** How Kubernetes names a resource in messages: "<plural>.<group>" or "<plural>" for core. */
export interface ResourceRef {
  group: string;
  plural: string;
}

function qualified(r: ResourceRef): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export const errors = {
  notFound: (r: ResourceRef, name: string) =>
    new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, { name, group: r.group, kind: r.plural }),
  alreadyExists: (r: ResourceRef, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, { name, group: r.group, kind: r.plural }),
  conflict: (r: ResourceRef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, {
      name,
      group: r.group,
      kind: r.plural,
    }),
  /**
   * Server-side apply conflicts, worded as kube-apiserver words them: one conflict inline, several
   * grouped by manager (sorted); details carry only the causes (FieldManagerConflict per path).
   */
  applyConflict: (conflicts: Array<{ manager: string; path: string }>) => {
    let message: string;
    if (conflicts.length === 1) message = `Apply failed with 1 conflict: conflict with ${conflicts[0].manager}: ${conflicts[0].path}`;
    else {
      const byManager = new Map<string, string[]>();
      for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
      const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${p}`)]);
      message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
    }
    return new ApiError(409, 'Conflict', message, { causes: conflicts.map((c) => ({ type: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.path })) });
  },
  /** 422 Invalid: `<Kind>.<group> "<name>" is invalid: <error>` or `[<error>, <error>]` for several. */
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) => {
    const all = causes.map((c) => ({ type: c.type ?? 'FieldValueInvalid', message: c.message, field: c.field }));
    const text = all.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const body = text.length === 1 ? text[0] : `[${text.join(', ')}]`;
    return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} ${JSON.stringify(name)} is invalid: ${body}`, { name, group, kind, causes: all });
  },
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  forbidden: (message: string, details?: StatusDetails) => new ApiError(403, 'Forbidden', message, details),
  expired: (message: string) => new ApiError(410, 'Expired', message),
  unsupportedMediaType: (accepted: string[]) =>
    new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`),
  notAcceptable: (accepted: string[]) =>
    new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`),
  methodNotAllowed: (method: string) => new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: ${method}`),
  internal: (message: string) => new ApiError(500, 'InternalError', message),
};
