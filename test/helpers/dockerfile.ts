/**
 * Just enough of the Dockerfile and .dockerignore syntax to check the image against the code without
 * a Docker engine: instructions (continuations joined, comments dropped), stages, ARG defaults
 * substituted into FROM, exec-form (JSON) arguments, and which paths the build context leaves out.
 */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string | null;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!current && (line === '' || line.startsWith('#'))) continue;
    if (current && line.startsWith('#')) continue; // comments inside a continuation
    if (line.endsWith('\\')) current += line.slice(0, -1) + ' ';
    else {
      lines.push((current + line).trim());
      current = '';
    }
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const kw = keyword.toUpperCase();
    if (kw === 'ARG' && stages.length === 0) {
      const [name, def = ''] = rest.split('=');
      args[name] = def;
    } else if (kw === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      const from = m[1].replace(/\$\{?(\w+)\}?/g, (_, n: string) => args[n] ?? '');
      stages.push({ name: m[2] ?? null, from, instructions: [] });
    } else {
      if (!stages.length) throw new Error(`${kw} before the first FROM`);
      stages.at(-1)!.instructions.push({ keyword: kw, args: rest });
    }
  }
  return { args, stages };
}

export function all(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** `["a", "b"]` → [a, b]; the exec form Docker runs without a shell. */
export function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

/** `A=1 B=2` (ENV) → { A: '1', B: '2' } (values without spaces or quotes). */
export function envPairs(args: string): Record<string, string> {
  return Object.fromEntries(args.split(/\s+/).filter(Boolean).map((kv) => kv.split('=', 2) as [string, string]));
}

/** True when the .dockerignore patterns (no `!` exceptions) leave `file` (relative, `/`-separated) out of the context. */
export function ignoredByDockerignore(patterns: string[], file: string): boolean {
  const regexes = patterns
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith('#'))
    .map((p) => {
      if (p.startsWith('!')) throw new Error('exceptions (!) are not supported by this check');
      const glob = p.replace(/^\/+|\/+$/g, '');
      const body = glob
        .split('/')
        .map((seg) => (seg === '**' ? '.*' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return new RegExp(`^${body}$`);
    });
  const parts = file.split('/');
  // a pattern that matches a directory leaves out everything under it
  return parts.some((_, i) => regexes.some((r) => r.test(parts.slice(0, i + 1).join('/'))));
}
