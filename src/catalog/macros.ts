/**
 * `{{ .var.NAME }}` macros in Helm values (reference domain §5 "Variables"). Pure: the bundle rules
 * scan values for macros when a version is created, and deployment flows render them with the
 * values from `resolveVariables` (variables.ts).
 */
import { DomainError, ErrorCode } from '../errors.js';
import type { VariableValue } from './bundle.model.js';
import type { ResolvedVariables } from './variables.js';

const MACRO = String.raw`\{\{\s*\.var\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}`;
const WHOLE_MACRO = new RegExp(`^${MACRO}$`);
const MACROS = () => new RegExp(MACRO, 'g');
/** Text that starts like a macro; left over after removing well-formed macros, it is a typo. */
const MACRO_OPENER = /\{\{-?\s*\.var\b/;

export interface MacroUse {
  name: string;
  /** path of the string inside the values, e.g. ['image', 'tag'] or ['args', '0'] */
  path: string[];
}

export interface MacroScan {
  uses: MacroUse[];
  /** strings holding something macro-like that is not `{{ .var.NAME }}` */
  malformed: string[][];
  /** keys holding a macro: only values are substituted */
  inKeys: string[][];
}

/** Every macro in `values`, in document order. */
export function scanMacros(values: unknown): MacroScan {
  const scan: MacroScan = { uses: [], malformed: [], inKeys: [] };
  const walk = (v: unknown, path: string[]): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(MACROS())) scan.uses.push({ name: m[1], path });
      if (MACRO_OPENER.test(v.replace(MACROS(), ''))) scan.malformed.push(path);
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, String(i)]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (MACRO_OPENER.test(k)) scan.inKeys.push([...path, k]);
        walk(item, [...path, k]);
      }
    }
  };
  walk(values, []);
  return scan;
}

/** How a value reads inside a longer string. */
function asText(v: VariableValue | null): string {
  return v === null ? '' : String(v);
}

function lookup(resolved: ResolvedVariables, name: string, path: string[]): VariableValue | null {
  if (!Object.hasOwn(resolved, name)) {
    throw new DomainError(ErrorCode.INVALID_INPUT, `macro {{ .var.${name} }} names an undeclared variable`, ['values', ...path]);
  }
  return resolved[name];
}

/** Assigns without ever reaching a prototype setter (a Helm values key may be "__proto__"). */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/**
 * Substitutes macros in a copy of `values`. A string that is exactly one macro becomes the variable's
 * typed value (number, boolean, string; null when the variable has no value); macros inside longer
 * strings are replaced by their text ('' for no value). Object keys come out sorted, so equal inputs
 * render byte-identical JSON whatever order the database returned them in. A macro naming a variable
 * absent from `resolved` throws a DomainError at ['values', …path].
 */
export function renderValues(values: Readonly<Record<string, unknown>>, resolved: ResolvedVariables): Record<string, unknown> {
  const render = (v: unknown, path: string[]): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE_MACRO.exec(v);
      if (whole) return lookup(resolved, whole[1], path);
      return v.replace(MACROS(), (_m, name: string) => asText(lookup(resolved, name, path)));
    }
    if (Array.isArray(v)) return v.map((item, i) => render(item, [...path, String(i)]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) setOwn(out, k, render((v as Record<string, unknown>)[k], [...path, k]));
      return out;
    }
    return v;
  };
  return render(values, []) as Record<string, unknown>;
}
