import { Arg, Args, Ctx, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { Problems } from '../errors.js';
import type { LaggingMarker } from '../events/event.stream.js';
import { connectionOf, PageArgs } from '../graphql/relay/connection.js';
import { NodeKind, parseGlobalId } from '../graphql/relay/global-id.js';
import type { AuditFilter } from './audit.access.js';
import { auditCursor, type AuditDto } from './audit.model.js';
import { AuditEventConnection, AuditEventFilter, AuditEventType } from './audit.type.js';

/** The filter as the service takes it, or every problem with it at once. */
export function decodeFilter(f: AuditEventFilter | null | undefined): AuditFilter {
  if (!f) return {};
  const p = new Problems();
  const id = (v: string | null | undefined, kind: NodeKind, field: string) => {
    if (v == null) return null;
    const d = parseGlobalId(v);
    if (!d || d.kind !== kind) p.add(`Not a valid ${kind} ID`, ['filter', field], 'INVALID_ID');
    return d?.id ?? null;
  };
  const out: AuditFilter = {
    tenantId: id(f.tenantId, NodeKind.Tenant, 'tenantId'),
    projectId: id(f.projectId, NodeKind.Project, 'projectId'),
    operation: f.operation ?? null,
    outcome: f.outcome ?? null,
    from: f.from ?? null,
    to: f.to ?? null,
  };
  if (f.actor != null) {
    if (f.actor.length < 1 || f.actor.length > 255) p.add('actor must be 1-255 characters', ['filter', 'actor']);
    const token = parseGlobalId(f.actor);
    if (token?.kind === NodeKind.ApiToken) out.actorTokenId = token.id;
    else out.actorSubject = f.actor;
  }
  if (f.operation != null && !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(f.operation)) p.add('operation must be a mutation name', ['filter', 'operation']);
  if (f.from && f.to && f.from.getTime() > f.to.getTime()) p.add('from must not be after to', ['filter', 'from']);
  p.throwIfAny();
  return out;
}

@Resolver(() => AuditEventType)
export class AuditResolver {
  @Query(() => AuditEventConnection, {
    name: 'auditEvents',
    description: 'Mutation calls, newest first: platform admins see all, tenant admins their tenants, project admins their projects',
  })
  async auditEventsPage(
    @Arg('filter', () => AuditEventFilter, { nullable: true, description: 'Narrows the records; none: every record you may read' }) filter: AuditEventFilter | null,
    @Args(() => PageArgs) args: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<AuditEventConnection> {
    const page = await ctx.services.audit.page(ctx, decodeFilter(filter), args);
    return connectionOf(AuditEventConnection, page, AuditEventType.from, auditCursor);
  }

  @Subscription(() => AuditEventType, {
    name: 'auditEvents',
    description: 'Mutation calls as they commit, under the same access rule: replays after `after` (a cursor), else live from now',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      return ctx.services.audit.stream(ctx, decodeFilter(args.filter as AuditEventFilter | null), args.after as string | null);
    },
  })
  auditEventsLive(
    @Root() e: AuditDto | LaggingMarker,
    @Arg('filter', () => AuditEventFilter, { nullable: true, description: 'Narrows the records; none: every record you may read' }) _filter: AuditEventFilter | null,
    @Arg('after', () => String, { nullable: true, description: 'A cursor (AuditEvent.cursor): replay the records after it first, then go live; none: live from now' }) _after: string | null,
  ): AuditEventType {
    return AuditEventType.from(e);
  }
}
