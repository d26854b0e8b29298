/** Pure checks on deployApp input fields (unit-tested). */
import { jsonSize, leafNameProblem, MAX_DESCRIPTION, textProblem } from '../common/rules.js';
import { DomainError, ErrorCode } from '../errors.js';
import type { Link } from './deployment.model.js';
import { MAX_BUNDLES } from './deployment.plan.js';

export const MAX_LINKS = 10;
export const MAX_VARIABLE_VALUES = 100;
/** The caller's variable values as one JSON document. */
export const MAX_VARIABLES_BYTES = 64 * 1024;

const bad = (message: string, field: string[], code: ErrorCode = ErrorCode.INVALID_INPUT) => new DomainError(code, message, field);

export function basicProblems(input: { name: string; description?: string | null; links?: Link[] | null; bundleIds: string[]; variables?: Record<string, unknown> | null }): DomainError[] {
  const out: DomainError[] = [];
  const np = leafNameProblem(input.name, 'deployment name');
  if (np) out.push(bad(np, ['name'], ErrorCode.INVALID_NAME));
  const dp = textProblem(input.description, MAX_DESCRIPTION, 'description');
  if (dp) out.push(bad(dp, ['description']));
  const links = input.links ?? [];
  if (links.length > MAX_LINKS) out.push(bad(`at most ${MAX_LINKS} links`, ['links']));
  links.forEach((l, i) => {
    const tp = textProblem(l.title, 100, 'link title');
    if (tp || !l.title?.trim()) out.push(bad(tp ?? 'link title must not be empty', ['links', String(i), 'title']));
    let ok = false;
    try {
      const u = new URL(l.url);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && l.url.length <= 2048;
    } catch {
      ok = false;
    }
    if (!ok) out.push(bad('link url must be an http(s) URL of at most 2048 characters', ['links', String(i), 'url']));
  });
  if (input.bundleIds.length === 0) out.push(bad('give at least one profile bundle', ['bundleIds']));
  if (input.bundleIds.length > MAX_BUNDLES) out.push(bad(`at most ${MAX_BUNDLES} bundles`, ['bundleIds']));
  if (new Set(input.bundleIds).size !== input.bundleIds.length) out.push(bad('a bundle is listed twice', ['bundleIds']));
  const vars = input.variables ?? {};
  if (Object.keys(vars).length > MAX_VARIABLE_VALUES) out.push(bad(`at most ${MAX_VARIABLE_VALUES} variable values`, ['variables']));
  if (jsonSize(vars) > MAX_VARIABLES_BYTES) out.push(bad(`variable values must be at most ${MAX_VARIABLES_BYTES} bytes of JSON`, ['variables']));
  return out;
}
