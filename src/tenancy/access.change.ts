/**
 * Access changes that connections authenticated earlier must act on: a revoked token, or a deleted
 * project or tenant (whose role bindings the database cascades away). Published on the `access`
 * topic of the EventBus after the change commits, so every replica's socket registry closes the
 * sockets it affects. Kept to ids only: small, and carried unchanged by any bus between processes.
 */
import { topics, type EventBus } from '../events/event.bus.js';

export type AccessChange =
  /** the token was revoked */
  | { kind: 'token'; tokenId: string }
  /** the project is gone, and every role binding on it */
  | { kind: 'project'; projectId: string }
  /** the tenant is gone, and every role binding on it */
  | { kind: 'tenant'; tenantId: string };

/** A message from the bus, which may come from another process: checked before it is trusted. */
export function isAccessChange(m: unknown): m is AccessChange {
  if (typeof m !== 'object' || m === null) return false;
  const c = m as Record<string, unknown>;
  const id = (k: string) => typeof c[k] === 'string' && (c[k] as string).length > 0 && (c[k] as string).length <= 64;
  return (c.kind === 'token' && id('tokenId')) || (c.kind === 'project' && id('projectId')) || (c.kind === 'tenant' && id('tenantId'));
}

/** How tenancy services announce a committed change (the bus in the app; nothing in tools that run alone). */
export interface AccessNotifier {
  changed(change: AccessChange): void;
}

export function busAccessNotifier(bus: EventBus): AccessNotifier {
  return { changed: (change) => bus.publish(topics.access, change) };
}

export const noAccessNotifier: AccessNotifier = { changed: () => undefined };
