import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Ctx as Context } from '../context.js';
import { ValidationError } from '../errors.js';
import { MAX_PAGE } from './relay/connection.js';
import { Node } from './relay/node.interface.js';

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global ID; null if absent or not visible to you' })
  node(@Arg('id', () => ID, { description: 'A global ID, as returned in any `id` field' }) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    return ctx.services.nodes.resolve(ctx, id);
  }

  @Query(() => [Node], { nullable: 'items', description: `Several objects by global ID (at most ${MAX_PAGE}), in order` })
  nodes(@Arg('ids', () => [ID], { description: 'Global IDs, at most 100; the answer has one entry per ID, null where absent or not visible' }) ids: string[], @Ctx() ctx: Context): Promise<(Node | null)[]> {
    if (ids.length > MAX_PAGE) throw new ValidationError(`at most ${MAX_PAGE} ids`, ['ids']);
    return Promise.all(ids.map((id) => ctx.services.nodes.resolve(ctx, id)));
  }
}
