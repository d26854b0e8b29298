/**
 * What a graphql-ws subscription carries for its whole life: its context (kept small, since
 * thousands of them live at once) and the writer of the synchronous live path (Ctx.writeNext).
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Ctx } from '../context.js';
import { Loaders } from '../db/loaders.js';
import type { Em, Orm } from '../db/orm.js';
import type { ProjectScopes } from '../events/project-scope.cache.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import type { Viewer } from '../tenancy/viewer.js';
import type { Conn } from './socket.registry.js';
import { bytesHeld, writeBatched } from './ws.batch.js';
import { wireFramer } from './ws.encoding.js';

/** A shared-result subscription's context drops its EntityManager and loaders once the stream is set up. */
interface Releasable {
  release(): void;
}

/**
 * A subscription lives long and usually never touches its request EntityManager (streams fork
 * their own per read): create it only if something asks, so an idle subscriber costs no ORM state.
 */
export function subscriptionContext(orm: Orm, services: Services, log: Logger, projectScopes: ProjectScopes) {
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
      projectScopes,
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
 * The synchronous live path's writer for one subscription (Ctx.writeNext). It refuses while anything
 * written to the socket is still unflushed, as graphql-ws awaits each send before taking the next
 * event: a subscriber that does not read then backs up into its stream's buffer and is cut off as
 * lagging.
 *
 * The frame (wireFramer: header and message in one Buffer, shared by subscriptions with the same id)
 * goes to the TCP socket under `ws` in one write, with no callback: ws would cork, `writev` its own
 * header beside the body and queue a callback per frame, at thousands of sockets per event. Writing
 * beneath ws keeps the order of frames because ws's sender writes every frame synchronously to the
 * same socket while it is idle (no permessage-deflate is negotiated and nothing sends Blobs, the only
 * reasons it queues), and `bufferedAmount` — what the socket has not flushed plus anything ws queued
 * — must be zero before this writes, apart from the frames a commit's publish holds back to send
 * its events to one socket as one write (ws.batch.ts).
 */
export function directWriter(socket: WebSocket, tcp: Socket, conn: Conn, active: () => boolean, id: string): NonNullable<Ctx['writeNext']> {
  const frame = wireFramer(id);
  return (result) => {
    if (conn.closing || socket.readyState !== socket.OPEN || !tcp.writable || socket.bufferedAmount !== bytesHeld(tcp) || !active()) return false;
    writeBatched(tcp, frame(result));
    return true;
  };
}
