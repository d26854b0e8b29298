/**
 * Text that is stored inside JSON columns. PostgreSQL's jsonb refuses `\u0000` and unpaired UTF-16
 * surrogates, which JavaScript strings (and so GraphQL inputs) can hold; refusing them here keeps
 * such input a user error instead of a database fault.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** `strict` also refuses control characters other than tab, newline and carriage return (descriptions). */
export function jsonTextProblem(text: string, strict = false): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text';
  if (strict && CONTROL.test(text)) return 'must not contain control characters';
  return null;
}

/** A description stored in JSON: at most `max` characters of printable text. */
export function descriptionProblem(text: string | null | undefined, max: number, what: string): string | null {
  if (text == null) return null;
  if (typeof text !== 'string' || text.length > max) return `${what} must be at most ${max} characters`;
  const p = jsonTextProblem(text, true);
  return p && `${what} ${p}`;
}
