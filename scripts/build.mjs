/**
 * `npm run build`: the production artifact. esbuild bundles the gateway's own sources (src/, the
 * migrations) into one ES module, dist/spokegraph.mjs, with a source map, and Vite builds the web
 * console (web/) into dist/web; dependencies other than INLINE stay external and are loaded from
 * node_modules (CommonJS ones with require(): scripts/bundle.mjs), so the artifact runs on
 * `npm ci --omit=dev` with plain Node: `node --enable-source-maps dist/spokegraph.mjs [serve|migrate]`.
 *
 * The build refuses a bundle that imports a package outside `dependencies` (a devDependency or an
 * undeclared transitive one): that would start on a developer's machine and crash in the image.
 *
 *   node scripts/build.mjs [--outdir <dir>]     (default: dist/)
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, isStaleBundle, root } from './bundle.mjs';

export { root };
export const ENTRY = 'spokegraph.mjs';
/**
 * Node options every start of the bundle passes (the image's ENTRYPOINT, `npm start`, bench:graph).
 * A page of the API allocates some MB of short-lived objects (graphql-js results, rows, promises)
 * and, on PostgreSQL, 32 requests in flight interleave, so each scavenge of V8's default 2 × 16 MB
 * young generation copies the live state of all of them: GC was about a third of the gateway's busy
 * time there. 64 MB semi-spaces make scavenges rarer; V8 only grows the young generation under
 * load (main.ts holds it small while starting), so idle RSS stays. This cannot be set from inside
 * the process: V8 sizes the heap before the first line runs (v8.setFlagsFromString is too late).
 */
export const NODE_FLAGS = ['--max-semi-space-size=64'];
// package-lock.json: the inlined packages (INLINE) are part of the bundle, so upgrading one rebuilds it
export const SOURCES = ['src', 'migrations', 'crds', 'deploy/addons', 'deploy/klusterlet', 'package-lock.json'];
/**
 * Dependencies bundled into the artifact rather than loaded from node_modules, so that esbuild drops
 * what the gateway does not import. client-node's entry loads every generated API and model of
 * Kubernetes (about 12 MB of source that V8 keeps in the heap for as long as the process runs, and
 * parses on every start); the gateway uses KubeConfig, Watch and CustomObjectsApi, about 1 MB of it.
 * type-graphql, graphql-scalars and @apollo/server (with its Express integration, which must share
 * its instance) are ES modules of many small files (about 210 loaded by every start, each resolved,
 * read and compiled on its own; graphql-scalars' entry loads all of its 80 scalars): bundled, they are
 * part of one file and only what the gateway uses. Nothing else imports them, so no second instance.
 * MikroORM's SQL packages, knex and lodash: knex requires lodash one function per file, and the three
 * were about 420 of the 1,180 CommonJS files a start loaded (each resolved, read and compiled on its
 * own). They go together because knex is reached only through @mikro-orm/knex, and @mikro-orm/knex
 * through the driver packages and the migrator: bundling one alone would load a second copy of it
 * from node_modules for the others. knex's other dialects are bundled too but require their drivers
 * only when chosen. @mikro-orm/core joins them (135 files, and fs-extra's 28, which it requires at
 * load), as does prom-client (32): nothing outside the bundle requires them, so there is still one
 * instance of each. Left external: globby (fast-glob needs its own nested glob-parent, which a bundled
 * copy would not find: see the check in build()); graphql (graphql-query-complexity and @apollo/utils.*
 * require it from node_modules, and a second copy breaks its instanceof checks); @opentelemetry/api
 * (the tracing SDK, loaded from node_modules when tracing is on, requires it).
 * @graphql-tools/* (94 ES module files) are reached only through @apollo/server, semver (47 files)
 * only through type-graphql's check of the graphql version: both bundled with them.
 * (Order matters: an inlined package must be a dependency, or a dependency of one listed before it.)
 */
/**
 * Nested dependencies of bundled packages that may come from the top of node_modules (see the check in
 * build()): knex's debug 4.3.4, where the hoisted one is 4.4.3 (the same API; knex's only use is its
 * debug log, and every bundle since knex was inlined has loaded the hoisted one).
 */
const NESTED_OK = new Set(['knex → debug']);
export const INLINE = [
  '@kubernetes/client-node',
  'type-graphql',
  'graphql-scalars',
  '@apollo/server',
  '@as-integrations/express5',
  '@mikro-orm/knex',
  '@mikro-orm/better-sqlite',
  '@mikro-orm/postgresql',
  '@mikro-orm/migrations',
  'knex',
  'lodash',
  '@graphql-tools/schema',
  '@graphql-tools/merge',
  '@graphql-tools/utils',
  'semver',
  '@mikro-orm/core',
  'fs-extra',
  'esprima',
  'dotenv',
  'prom-client',
];
/**
 * Files the simulated hub reads at run time, copied beside the bundle (it finds crds/ by walking up
 * from its own module, and the Flux add-on file next to it): an image on the default, simulated hub
 * needs them as much as one started from a checkout.
 */
const RUNTIME_FILES = ['crds', 'deploy/addons', 'deploy/klusterlet'];

/** The package an import specifier names (`@scope/name/sub` → `@scope/name`), or null for a builtin. */
function packageOf(spec) {
  if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** True when outdir has no bundle, or src/ or migrations/ changed after it was written. */
export function isStale(outdir = path.join(root, 'dist')) {
  return isStaleBundle(path.join(outdir, ENTRY), SOURCES);
}

export async function build(outdir = path.join(root, 'dist')) {
  const outfile = path.join(outdir, ENTRY);
  mkdirSync(outdir, { recursive: true });
  // Linked source maps (a .map file beside each module, read by `node --enable-source-maps` only):
  // inline maps made the modules three times larger, and V8 keeps every module's source text in memory.
  const result = await bundle('src/main.ts', outfile, { sourcemap: 'linked', inline: INLINE, requireCjs: true });
  for (const f of RUNTIME_FILES) {
    rmSync(path.join(outdir, f), { recursive: true, force: true });
    cpSync(path.join(root, f), path.join(outdir, f), { recursive: true });
  }
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const allowed = new Set(Object.keys(pkg.dependencies ?? {}));
  const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8'));
  for (const name of INLINE) {
    if (!allowed.has(name)) throw new Error(`${name} is bundled into the artifact but is not a production dependency`);
    // an inlined package's own imports stay external: they resolve from the top of node_modules, so
    // each must be installed there (hoisted), not only under the package's own node_modules
    for (const dep of Object.keys(lock.packages[`node_modules/${name}`]?.dependencies ?? {})) {
      const hoisted = lock.packages[`node_modules/${dep}`];
      if (hoisted && !hoisted.dev) allowed.add(dep);
    }
  }
  // A package installed nested under an inlined one is the copy that one was installed with; from the
  // bundle, its require() finds the hoisted one instead (another version, or a devDependency an image
  // does not have): refused.
  const misplaced = new Set();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    const owner = INLINE.find((name) => file.startsWith(`node_modules/${name}/`));
    for (const imp of owner ? input.imports : []) {
      const dep = imp.external ? packageOf(imp.path) : null;
      if (dep && lock.packages[`node_modules/${owner}/node_modules/${dep}`] && !NESTED_OK.has(`${owner} → ${dep}`)) misplaced.add(`${owner} → ${dep} (${file})`);
    }
  }
  if (misplaced.size) {
    throw new Error(`bundled packages load dependencies installed nested under them, which the bundle would take from the top of node_modules instead (bundle those too):\n  ${[...misplaced].join('\n  ')}`);
  }
  const imported = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) {
      const name = imp.external ? packageOf(imp.path) : null;
      // an inlined package's require() of a package that is not installed at all (knex's and MikroORM's
      // other database drivers) runs only when that driver is configured, and fails then exactly as it
      // would from node_modules: not a dependency the image lacks
      if (name && imp.kind === 'require-call' && !lock.packages[`node_modules/${name}`]) continue;
      if (name) imported.add(name);
    }
  }
  const outside = [...imported].filter((n) => !allowed.has(n)).sort();
  if (outside.length) {
    throw new Error(
      `the bundle imports packages that are not production dependencies: ${outside.join(', ')}\n` +
        `  move them to "dependencies" in package.json (npm install --save-exact <name>@<version>) or stop importing them from src/`,
    );
  }
  return { outfile, imports: [...imported].sort() };
}

/** True when outdir has no web console, or web/ changed after it was built. */
export function isWebStale(outdir = path.join(root, 'dist')) {
  return isStaleBundle(path.join(outdir, 'web', 'index.html'), ['web']);
}

/** The web console (web/, Vite) into <outdir>/web: static files the gateway serves at `/`. */
export async function buildWeb(outdir = path.join(root, 'dist')) {
  const { build: vite } = await import('vite');
  await vite({ configFile: path.join(root, 'web', 'vite.config.ts'), build: { outDir: path.join(outdir, 'web'), emptyOutDir: true } });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--outdir');
  if (i > 0 && !process.argv[i + 1]) {
    process.stderr.write('usage: node scripts/build.mjs [--outdir <dir>]\n');
    process.exit(2);
  }
  const outdir = i > 0 ? path.resolve(process.argv[i + 1]) : path.join(root, 'dist');
  try {
    const { outfile, imports } = await build(outdir);
    await buildWeb(outdir);
    process.stdout.write(`built ${path.relative(process.cwd(), outfile) || outfile} (imports ${imports.length} production packages)\n`);
  } catch (e) {
    process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
