/**
 * Every relative link in the repository's Markdown resolves to a file or directory inside the
 * repository (a link that climbs out of it works on one machine only), and every `#anchor` names a
 * heading (GitHub's slugs) or an explicit anchor of the target page. Paths named in code spans that
 * read like a document (`docs/x.md`) or climb out (`../x`) must exist in the repository too.
 * External links are not fetched.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/artifact.js';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'data', 'coverage']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : markdownFiles(p);
    return e.name.endsWith('.md') ? [p] : [];
  });
}

/** The text outside fenced code blocks and inline code spans, line by line (line numbers kept). */
function prose(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      if (fence === null) fence = m[1][0];
      else if (m[1][0] === fence) fence = null;
      return '';
    }
    return fence === null ? line.replace(/(`+)[^`]*?\1/g, '') : '';
  });
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingSlugs(text: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const f = /^\s*(```+|~~~+)/.exec(line);
    if (f) {
      if (fence === null) fence = f[1][0];
      else if (f[1][0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) slugs.add(a[1]);
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const visible = h[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, '') // inline HTML
      .replace(/[*`~]/g, '');
    const base = visible
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

function links(file: string): Link[] {
  const out: Link[] = [];
  prose(readFileSync(file, 'utf8')).forEach((line, i) => {
    // inline links and images: [text](target "title"), <target> allowed
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) out.push({ file, line: i + 1, target: m[1].replace(/^<|>$/g, '') });
    // reference definitions: [id]: target
    const ref = /^\s{0,3}\[[^\]]+\]:\s*(\S+)/.exec(line);
    if (ref) out.push({ file, line: i + 1, target: ref[1].replace(/^<|>$/g, '') });
    // HTML links
    for (const m of line.matchAll(/<a\s[^>]*href="([^"]+)"/g)) out.push({ file, line: i + 1, target: m[1] });
  });
  return out;
}

/** `path/to/doc.md` or `../anything` in code spans outside fenced blocks. */
function codePaths(file: string): Link[] {
  const out: Link[] = [];
  let fence: string | null = null;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const f = /^\s*(```+|~~~+)/.exec(line);
      if (f) {
        if (fence === null) fence = f[1][0];
        else if (f[1][0] === fence) fence = null;
        return;
      }
      if (fence !== null) return;
      for (const m of line.matchAll(/`([^`\s]+)`/g)) {
        if (/^\.\.\//.test(m[1]) || /^[\w./-]+\.md$/.test(m[1])) out.push({ file, line: i + 1, target: m[1] });
      }
    });
  return out;
}

/** A path in a code span may be relative to its file or to the repository root. */
function codePathProblem(link: Link): string | null {
  const fromFile = problem(link);
  if (fromFile === null) return null;
  return problem({ ...link, file: path.join(ROOT, 'README.md') }) === null ? null : fromFile;
}

/** What is wrong with one link, or null. */
function problem(link: Link): string | null {
  const { target } = link;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto:, …
  const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
  const filePath = decodeURIComponent(rawPath);
  const resolved = filePath === '' ? link.file : path.resolve(path.dirname(link.file), filePath);
  const rel = path.relative(ROOT, resolved);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return `points outside the repository (${resolved})`;
  if (!existsSync(resolved)) return `no such file or directory: ${rel}`;
  if (anchor !== undefined) {
    if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) return `#${anchor} on a file that is not Markdown`;
    if (!headingSlugs(readFileSync(resolved, 'utf8')).has(decodeURIComponent(anchor))) return `no heading or anchor #${anchor} in ${rel}`;
  }
  return null;
}

const files = markdownFiles(ROOT);

describe('Markdown links', () => {
  it('finds the repository documentation', () => {
    const rel = files.map((f) => path.relative(ROOT, f));
    expect(rel).toEqual(expect.arrayContaining(['README.md', 'deploy/README.md', 'docs/architecture.md', 'examples/README.md']));
  });

  it.each(files.map((f) => [path.relative(ROOT, f), f]))('%s: every relative link and anchor resolves', (_rel, file) => {
    const broken = [...links(file).map((l) => ({ l, why: problem(l) })), ...codePaths(file).map((l) => ({ l, why: codePathProblem(l) }))]
      .filter((x) => x.why !== null)
      .map(({ l, why }) => `${path.relative(ROOT, l.file)}:${l.line} (${l.target}): ${why}`);
    expect(broken).toEqual([]);
  });

  it('ends deploy/README.md with the operator checklist, whose every `deploy/...` path exists', () => {
    const text = readFileSync(path.join(ROOT, 'deploy/README.md'), 'utf8');
    const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings.at(-1)).toBe('5. Operator checklist for a real hub');
    const checklist = text.slice(text.lastIndexOf('## 5. Operator checklist'));
    expect(checklist).toMatch(/\*\*Install on the hub\*\*[\s\S]*\*\*Configure\*\*[\s\S]*\*\*Smoke test\*\*/);
    const paths = [...checklist.matchAll(/\b(deploy\/[\w./-]+\.(?:yaml|md))\b/g)].map((m) => m[1]);
    expect(paths).toEqual(expect.arrayContaining(['deploy/addons/flux-addon.yaml', 'deploy/rbac.yaml']));
    for (const p of paths) expect(existsSync(path.join(ROOT, p)), p).toBe(true);
  });

  it.each([
    ['## From `npm start` to a running deployment', 'from-npm-start-to-a-running-deployment'],
    ['## Tests, CI and benchmarks', 'tests-ci-and-benchmarks'],
    ['### The artifact: `npm run build`', 'the-artifact-npm-run-build'],
    ['## 0. Where this stands today', '0-where-this-stands-today'],
    ['## Names\n## Names', 'names-1'],
    ['## Kubernetes: `deploy/`', 'kubernetes-deploy'],
  ])('slugs %j like GitHub (%s)', (heading, slug) => {
    expect(headingSlugs(heading)).toContain(slug);
  });

  it('reports what is broken', () => {
    const at = (target: string) => problem({ file: path.join(ROOT, 'README.md'), line: 1, target });
    expect(at('../shared/design.md')).toMatch(/outside the repository/);
    expect(at('docs/missing.md')).toMatch(/no such file/);
    expect(at('#no-such-section')).toMatch(/no heading or anchor #no-such-section in README.md/);
    expect(at('docs/architecture.md#the-picture')).toBeNull();
    expect(at('https://example.com/x.md#y')).toBeNull();
  });

  it('checks document paths in code spans too, the way the README once named the design', () => {
    const readme = path.join(ROOT, 'README.md');
    const deployReadme = path.join(ROOT, 'deploy', 'README.md');
    expect(codePathProblem({ file: readme, line: 1, target: '../shared/design.md' })).toMatch(/outside the repository/);
    expect(codePathProblem({ file: deployReadme, line: 1, target: 'docs/hub-conventions.md' })).toBeNull(); // from the root
    expect(codePathProblem({ file: deployReadme, line: 1, target: '../docs/hub-conventions.md' })).toBeNull(); // from the file
    expect(codePathProblem({ file: deployReadme, line: 1, target: 'docs/adapter-report.md' })).toMatch(/no such file/);
  });
});
