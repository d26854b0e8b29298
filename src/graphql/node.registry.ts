/**
 * Resolves global IDs to objects for `node`/`nodes`. Each feature registers a loader per kind that
 * applies its own visibility rules, so an invisible object answers null exactly like a missing one.
 */
import type { Ctx } from '../context.js';
import { parseGlobalId, type NodeKind } from './relay/global-id.js';
import type { Node } from './relay/node.interface.js';

export type NodeLoader = (ctx: Ctx, id: string) => Promise<Node | null>;

export class NodeRegistry {
  private readonly loaders = new Map<NodeKind, NodeLoader>();

  register(kind: NodeKind, loader: NodeLoader): void {
    this.loaders.set(kind, loader);
  }

  async resolve(ctx: Ctx, globalId: string): Promise<Node | null> {
    const d = parseGlobalId(globalId);
    if (!d) return null;
    const load = this.loaders.get(d.kind);
    return load ? load(ctx, d.id) : null;
  }
}
