import type { ExecutionResult } from 'graphql';
import type { Loaders } from './db/loaders.js';
import type { Em } from './db/orm.js';
import type { ProjectScopes } from './events/project-scope.cache.js';
import type { Logger } from './logger.js';
import type { Services } from './services.js';
import type { Viewer } from './tenancy/viewer.js';

/**
 * What every service call gets: a forked EntityManager (its own identity map), the authenticated
 * viewer, request-scoped loaders and the app's services. Built per HTTP request and per
 * subscription event.
 */
export interface Ctx {
  em: Em;
  viewer: Viewer;
  loaders: Loaders;
  services: Services;
  log: Logger;
  /** The request's id (graphql/request-id.ts); absent where no request carries one (WebSocket operations get a fresh one). */
  requestId?: string;
  /**
   * Set on a WebSocket subscription whose per-event result is shared (graphql/shared-subscribe.ts):
   * delivers a live event to the subscriber synchronously, or returns false when it cannot now
   * (events/event.stream.ts `live`). Absent elsewhere (HTTP, SSE).
   */
  live?: (event: object) => boolean;
  /**
   * Set by the WebSocket transport for a subscription: writes a `next` message carrying this result
   * to the socket now, or returns false when the socket is busy or the operation gone.
   */
  writeNext?: (result: ExecutionResult) => boolean;
  /**
   * Set by the WebSocket transport: the project → tenant facts its event subscriptions share for
   * their access check at start (events/project-scope.cache.ts). Absent elsewhere.
   */
  projectScopes?: ProjectScopes;
}
