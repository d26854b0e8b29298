/** Which database an EntityManager talks to, kept per platform instance (asked on every plain statement). */
import type { Em } from './orm.js';

const postgresPlatforms = new WeakMap<object, boolean>();

/** Whether `em` talks to PostgreSQL (row locks are real there; SQLite serialises writers instead). */
export function isPostgres(em: Em): boolean {
  const platform = em.getPlatform();
  let yes = postgresPlatforms.get(platform);
  if (yes === undefined) postgresPlatforms.set(platform, (yes = platform.constructor.name.toLowerCase().includes('postgre')));
  return yes;
}
