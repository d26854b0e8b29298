/**
 * Bundles one of our TypeScript entry points with esbuild into one ES module (dependencies stay
 * external, loaded from node_modules). Shared by `npm run build` / `npm start` (the gateway,
 * scripts/build.mjs) and the `spokegraph` bin (the CLI), so neither needs a separate build step.
 * The bundle is written to a temporary file and renamed into place: processes starting at the same
 * moment never import a half-written file (source maps are inline unless the caller asks for linked
 * ones: a .map beside each module, renamed with it — chunks have content-hashed names).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir) {
  if (!statSync(dir).isDirectory()) return statSync(dir).mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when `outfile` is missing or one of the sources (directories or files, relative to the root) changed after it. */
export function isStaleBundle(outfile, sources) {
  if (!existsSync(outfile)) return true;
  const built = statSync(outfile).mtimeMs;
  return sources.some((d) => existsSync(path.join(root, d)) && newestSource(path.join(root, d)) > built);
}

/** Bundles `entry` (relative to the root) into `outfile`; returns esbuild's result (with its metafile). */
/**
 * One ES module entry (`outfile`) plus chunks beside it (`chunks/`): code reached only through a
 * dynamic import() — the migrator and the migrations, say — goes into a chunk with its own imports
 * of external packages, so a start that does not need it loads neither. (Without splitting, esbuild
 * hoists every external import of the bundle to the top of the one file.) Built into a temporary
 * directory, then moved in place: chunks first (content-hashed names), the entry last.
 */
/** The package a bare import specifier names (`@scope/name/sub` → `@scope/name`); null for a relative or absolute path. */
export function packageOfSpecifier(spec) {
  if (spec.startsWith('.') || spec.startsWith('/')) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Every package stays external (loaded from node_modules at run time) except those in `inline`,
 * which esbuild bundles so that it can drop what we do not import; their own dependencies stay
 * external like ours. With `requireCjs`, an external package whose ES module namespace is exactly
 * its CommonJS exports (see cjsExports) is loaded with require() instead of import.
 */
function externalPackages(inline, requireCjs) {
  return {
    name: 'external-packages',
    setup(b) {
      // MikroORM's core reads its version with require('../../package.json') (a path of its own
      // repository) before require('../package.json'). esbuild leaves the first, which it cannot
      // resolve, to run time, where it would find the application's package.json above dist/ and fail
      // MikroORM's check that every @mikro-orm/* package has core's version: it is core's own file.
      b.onResolve({ filter: /^\.\.\/\.\.\/package\.json$/ }, (args) =>
        /[\\/]node_modules[\\/]@mikro-orm[\\/]core[\\/]utils[\\/]Utils\.js$/.test(args.importer) ? { path: path.join(path.dirname(args.importer), '..', 'package.json') } : undefined,
      );
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        // the require() inside a stub below: external, resolved by Node from the bundle's directory
        if (args.namespace === 'cjs-require') return { path: args.path, external: true };
        const name = packageOfSpecifier(args.path);
        if (!name || inline.includes(name)) return undefined;
        if (requireCjs && !isBuiltin(args.path) && args.kind !== 'require-call' && (await cjsExports(args.path))) return { path: args.path, namespace: 'cjs-require' };
        return { path: args.path, external: true };
      });
      // an ES module with the package's export names, each bound once to the require()d value, as
      // Node binds them when it imports a CommonJS module (a CommonJS stub would give a dynamic
      // import() in a chunk only a default export)
      b.onLoad({ filter: /.*/, namespace: 'cjs-require' }, async (args) => {
        const names = await cjsExports(args.path);
        const bind = names.map((n, i) => `const e${i} = m[${JSON.stringify(n)}];`).join('\n');
        const list = names.map((n, i) => `e${i} as ${JSON.stringify(n)}`).join(', ');
        return { contents: `const m = require(${JSON.stringify(args.path)});\nexport default m;\n${bind}\nexport { ${list} };\n`, loader: 'js' };
      });
    },
  };
}

/**
 * Why require() (`requireCjs`): Node 20 imports a CommonJS package into an ES module by first
 * scanning its source, and that of every file it re-exports, with cjs-module-lexer to learn the
 * export names, then compiling it; @mikro-orm's `index.mjs` wrappers re-export the whole CommonJS
 * tree. require() skips the scan, and on a cold start the scan was about a tenth of the CPU until
 * ready. It is only done where nothing can differ: the package's import() namespace must hold the
 * very objects of its require() exports (default = module.exports, every named export identical), so
 * both load the same module instance (no dual-package hazard) and every import binds to the same value.
 * A package with a real ES module build (type-graphql, @apollo/server, graphql-ws) fails this and
 * stays an import.
 */
const cjsExportsCache = new Map();
/** The named exports of `spec` when its import() namespace is its require() exports, else null. */
function cjsExports(spec) {
  if (!cjsExportsCache.has(spec)) cjsExportsCache.set(spec, sameExports(spec));
  return cjsExportsCache.get(spec);
}
async function sameExports(spec) {
  try {
    // resolved from the root, as the bundle in dist/ resolves them
    const cjs = createRequire(path.join(root, 'package.json'))(spec);
    const ns = await import(spec);
    if (ns.default !== cjs) return null;
    // (newer Nodes also name the whole exports object 'module.exports')
    const names = Object.keys(ns).filter((k) => k !== 'default' && k !== 'module.exports');
    return names.every((k) => ns[k] === cjs[k]) ? names : null;
  } catch {
    return null;
  }
}

export async function bundle(entry, outfile, options = {}) {
  const { build } = await import('esbuild');
  const inline = options.inline ?? [];
  const outdir = path.dirname(outfile);
  const tmp = path.join(outdir, `.build-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const name = path.basename(outfile).replace(/\.mjs$/, '');
  const result = await build({
    entryPoints: [{ in: path.join(root, entry), out: name }],
    outdir: tmp,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    ...(inline.length || options.requireCjs ? { plugins: [externalPackages(inline, options.requireCjs)] } : { packages: 'external' }),
    // the require() of the stubs (externalPackages): one per output file, under a name nothing else uses
    ...(options.requireCjs ? { banner: { js: "import { createRequire as __spokegraphCreateRequire } from 'node:module';\nconst require = __spokegraphCreateRequire(import.meta.url);" } } : {}),
    sourcemap: options.sourcemap ?? 'inline',
    metafile: true,
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  if (existsSync(path.join(tmp, 'chunks'))) {
    mkdirSync(path.join(outdir, 'chunks'), { recursive: true });
    for (const f of readdirSync(path.join(tmp, 'chunks'))) renameSync(path.join(tmp, 'chunks', f), path.join(outdir, 'chunks', f));
  }
  // a linked map is moved before its module: a process starting meanwhile finds a map at least as new
  if (existsSync(path.join(tmp, `${name}.mjs.map`))) renameSync(path.join(tmp, `${name}.mjs.map`), `${outfile}.map`);
  renameSync(path.join(tmp, `${name}.mjs`), outfile);
  rmSync(tmp, { recursive: true, force: true });
  return result;
}

export async function ensureBundle(o) {
  const out = path.join(root, o.outfile);
  if (isStaleBundle(out, o.sources)) await bundle(o.entry, out);
  return out;
}
