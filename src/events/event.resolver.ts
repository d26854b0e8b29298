import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { NotFoundError } from '../errors.js';
import { fromGlobalId, NodeKind } from '../graphql/relay/global-id.js';
import { canReadProject } from '../tenancy/access.policy.js';
import type { EventDto } from './event.dto.js';
import { DeploymentEventNode } from './event.type.js';

/**
 * Whether the viewer may see the project (the rule of `projects.byId`). Over WebSocket the project's
 * tenant comes from the transport's shared ProjectScopes instead of an ORM entity per subscribe.
 */
async function canSubscribeToProject(ctx: Context, projectId: string): Promise<boolean> {
  if (!ctx.projectScopes) return (await ctx.services.projects.byId(ctx, projectId)) !== null;
  const tenantId = await ctx.projectScopes.tenantOf(() => ctx.em, projectId);
  return tenantId !== null && canReadProject(ctx.viewer, { id: projectId, tenantId });
}

@Resolver(() => DeploymentEventNode)
export class ProjectEventsResolver {
  @Subscription(() => DeploymentEventNode, {
    description: 'Every event of every pool and deployment in a project, in projectSeq order: replays after `after`, then live, without gaps or duplicates. A subscriber that falls too far behind gets an error carrying the cursor to resume from. Who may call: anyone who can see the project (checked when it starts)',
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const projectId = fromGlobalId(args.projectId, NodeKind.Project, ['projectId']);
      if (!(await canSubscribeToProject(ctx, projectId))) throw new NotFoundError('Project', ['projectId']);
      return ctx.services.events.projectStream(ctx, projectId, args.after);
    },
  })
  projectEvents(
    @Root() event: EventDto,
    @Arg('projectId', () => ID, { description: 'Global ID of the project' }) _projectId: string,
    @Arg('after', () => String, { nullable: true, description: 'A cursor (DeploymentEvent.cursor): replay the events after it, then go live; none: from the first event of the project' }) _after: string | null,
    @Ctx() _ctx: Context,
  ): DeploymentEventNode {
    return DeploymentEventNode.from(event);
  }
}

/**
 * The `subscribe` of a per-subject event subscription (`computePoolEvents`, `appDeploymentEvents`):
 * access is checked once, when the subscription starts; an invisible subject is NOT_FOUND.
 */
export function subjectEvents(kind: NodeKind, what: string, load: (ctx: Context, id: string) => Promise<{ id: string } | null>) {
  return async ({ args, context }: { args: { id: string; after?: string | null }; context: unknown }) => {
    const ctx = context as Context;
    const subject = await load(ctx, fromGlobalId(args.id, kind, ['id']));
    if (!subject) throw new NotFoundError(what, ['id']);
    return ctx.services.events.subjectStream(ctx, subject.id, args.after);
  };
}
