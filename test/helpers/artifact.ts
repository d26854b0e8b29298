/**
 * The production artifact as an image gets it, assembled in a temp directory outside the repository
 * (so Node's module resolution cannot climb into the repo's node_modules): `npm run build` output in
 * dist/, package.json, package-lock.json, and node_modules holding exactly what `npm ci --omit=dev`
 * installs (the lock's entries not marked dev), hard-linked from the repo's node_modules instead of
 * installed, which would mean the network and minutes of compiling better-sqlite3.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Artifact {
  /** the application directory (WORKDIR of the image) */
  dir: string;
  /** dist/spokegraph.mjs inside it */
  entry: string;
  /** top-level packages in its node_modules */
  packages: string[];
  remove(): void;
}

interface LockEntry {
  dev?: boolean;
  link?: boolean;
}

function linkTree(from: string, to: string, skip: Set<string>): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (skip.has(src)) continue;
    if (e.isDirectory()) linkTree(src, dst, skip);
    else if (e.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst); // another file system
      }
    }
  }
}

export function buildArtifact(): Artifact {
  const dir = mkdtempSync(path.join(tmpdir(), 'sg-artifact-'));
  try {
    const built = spawnSync('npm', ['run', 'build', '--', '--outdir', path.join(dir, 'dist')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    if (built.status !== 0) throw new Error(`npm run build failed (${built.status}):\n${built.stdout}\n${built.stderr}`);
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(ROOT, f), path.join(dir, f));

    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    const entries = Object.entries(lock.packages).filter(([k]) => k.startsWith('node_modules/'));
    // dev-only packages nested inside production ones are left out too
    const skip = new Set(entries.filter(([, v]) => v.dev).map(([k]) => path.join(ROOT, k)));
    const packages: string[] = [];
    for (const [key, entry] of entries) {
      if (entry.dev || key.lastIndexOf('node_modules/') !== 0) continue;
      const src = path.join(ROOT, key);
      if (!existsSync(src)) continue; // an optional package for another platform
      linkTree(src, path.join(dir, key), skip);
      packages.push(key.slice('node_modules/'.length));
    }
    return { dir, entry: path.join(dir, 'dist', 'spokegraph.mjs'), packages, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export interface ArtifactProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `node --enable-source-maps dist/spokegraph.mjs ...args` in the artifact's directory, with only `env` (plus PATH). */
export function runArtifact(artifact: Artifact, args: string[], env: Record<string, string>): ArtifactProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', artifact.entry, ...args], {
    cwd: artifact.dir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => (out += b.toString()));
  child.stderr!.on('data', (b) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}
