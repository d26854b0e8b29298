/**
 * What a graphql-ws subscription carries for its whole life: its context (kept small, since
 * thousands of them live at once) and the writer of the synchronous live path (Ctx.writeNext).
 */
import type { WebSocket } from 'ws';
import type { Ctx } from '../context.js';
import { Loaders } from '../db/loaders.js';
import type { Em, Orm } from '../db/orm.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import type { Viewer } from '../tenancy/viewer.js';
import type { Conn } from './socket.registry.js';
import { nextFramer } from './ws.encoding.js';

/** A shared-result subscription's context drops its EntityManager and loaders once the stream is set up. */
interface Releasable {
  release(): void;
}

/**
 * A subscription lives long and usually never touches its request EntityManager (streams fork
 * their own per read): create it only if something asks, so an idle subscriber costs no ORM state.
 */
export function subscriptionContext(orm: Orm, services: Services, log: Logger) {
  return (viewer: Viewer, writeNext?: Ctx['writeNext']): Ctx => {
    let em: Em | null = null;
    let loaders: Loaders | null = null;
    let released = false;
    const ctx: Ctx & Releasable = {
      get em() {
        // released: each use (a stream's replay read) forks afresh and keeps nothing
        if (released) return orm.em.fork() as Em;
        return (em ??= orm.em.fork() as Em);
      },
      get loaders() {
        return (loaders ??= new Loaders());
      },
      viewer,
      services,
      log,
      writeNext,
      release: () => {
        released = true;
        em = null;
        loaders = null;
      },
    };
    return ctx;
  };
}

/**
 * Once a subscription is set up: if its per-event results are shared (they never read the context),
 * what its `subscribe` loaded (the project, its access check) would otherwise stay in that
 * EntityManager and those loaders for the stream's whole life, thousands of times over.
 */
export function releaseIfShared(contextValue: unknown): void {
  const c = contextValue as (Partial<Releasable> & Pick<Ctx, 'live'>) | undefined;
  if (c?.live) c.release?.();
}

/**
 * The synchronous live path's writer for one subscription (Ctx.writeNext). It refuses while its
 * previous frame is still unflushed, as graphql-ws awaits each send before taking the next event:
 * a subscriber that does not read then backs up into its stream's buffer and is cut off as lagging.
 */
export function directWriter(socket: WebSocket, conn: Conn, active: () => boolean, id: string): NonNullable<Ctx['writeNext']> {
  const frame = nextFramer(id);
  let unflushed = false;
  const flushed = () => (unflushed = false);
  return (result) => {
    if (unflushed || conn.closing || socket.readyState !== socket.OPEN || !active()) return false;
    unflushed = true;
    socket.send(frame(result), { binary: false }, flushed);
    return true;
  };
}
