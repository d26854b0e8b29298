/** Builds the web console into dist/web when web/ changed (a no-op otherwise), as `npm start` does. */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/start.mjs', '--web'], { stdio: 'inherit' });
}
