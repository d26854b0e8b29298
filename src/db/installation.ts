/**
 * The name replicas of one installation share in Redis (channel and key prefix): derived from the
 * database they share, without credentials, so two installations on one Redis never hear each other
 * (Redis pub/sub ignores the database index of the URL) and replicas need no extra setting to agree.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';

export function installationNamespace(config: Pick<Config, 'db'>): string {
  let identity: string;
  if (config.db.kind === 'postgresql') {
    const u = new URL(config.db.url);
    identity = `postgresql://${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } else {
    identity = `sqlite:${config.db.file}`;
  }
  return `spokegraph:${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}
