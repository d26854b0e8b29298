/**
 * The gateway's logger: pino underneath, one JSON object per line on stderr (or readable text on a
 * terminal when LOG_FORMAT is not json). Modules take the small `Logger` interface below rather
 * than pino itself, so the sim, the hub adapter and the workflow keep one calling convention.
 *
 * Every line written while a request is served carries its `requestId` (observability/
 * request.scope.ts), and every line written inside a span (tracing on) its `traceId` and `spanId`. Strings are stripped of ANSI escapes: libraries colour some of their messages,
 * and escape codes inside JSON break log pipelines and terminals alike.
 */
import { context, trace } from '@opentelemetry/api';
import pino from 'pino';
import { currentScope } from './observability/request.scope.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
  /** the lowest level written (callers skip building costly debug output above it) */
  readonly level?: LogLevel;
}

export interface LoggerOptions {
  level?: LogLevel;
  json?: boolean;
  bindings?: Record<string, unknown>;
  /** receives each line without its newline (tests capture them); default: stderr */
  write?: (line: string) => void;
}

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(s: string): string {
  return s.includes('\u001b') ? s.replace(ANSI, '') : s;
}

function clean(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return stripAnsi(value);
  if (value instanceof Error) return { type: value.name, message: stripAnsi(value.message), stack: value.stack && stripAnsi(value.stack), code: (value as { code?: unknown }).code };
  if (depth < 3 && value && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = clean(v, depth + 1);
    return out;
  }
  return value;
}

function toText(line: string): string {
  const { time, level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
  const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
  return `${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${extra}`;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const json = opts.json ?? !process.stderr.isTTY;
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const destination: pino.DestinationStream = { write: (line: string) => write(json ? line.trimEnd() : toText(line)) };
  const base = pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      // errors are shaped by clean() below, before pino's own serializer would see a plain object
      serializers: { err: (e: unknown) => e },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => clean(obj) as Record<string, unknown>,
      },
      mixin: () => {
        const scope = currentScope();
        // inside a span (tracing on): the line can be found from the trace, and the trace from the line
        const span = trace.getSpan(context.active())?.spanContext();
        const ids = scope ? { requestId: scope.requestId } : {};
        return span ? { ...ids, traceId: span.traceId, spanId: span.spanId } : ids;
      },
    },
    destination,
  );
  return wrap(base, opts.bindings ?? {});
}

/**
 * Bindings are merged here rather than with pino's child(), which appends them as text: a child of
 * a child binding the same key (component) would write that key twice in one JSON object.
 */
function wrap(p: pino.Logger, bindings: Record<string, unknown>): Logger {
  const bound = Object.keys(bindings).length > 0;
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => {
    if (!p.isLevelEnabled(level)) return;
    if (fields || bound) p[level](bound ? { ...bindings, ...fields } : fields!, stripAnsi(msg));
    else p[level](stripAnsi(msg));
  };
  return {
    level: p.level as LogLevel,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => wrap(p, { ...bindings, ...more }),
  };
}

/** A logger that drops everything; the default in tests. */
export const silentLogger: Logger = createLogger({ level: 'silent' });

export type ThrottledLevel = Exclude<LogLevel, 'silent'>;

export interface ThrottledLog {
  /** Logs one line for `kind` unless one was logged within the interval; then only counts it. */
  log(kind: string, level: ThrottledLevel, msg: string, fields?: Record<string, unknown>): void;
  /** Drops pending windows (their suppressed counts are reported first). */
  close(): void;
}

/**
 * At most one line per kind per interval, for failures any client can trigger at will (protocol
 * violations, oversized frames, a database outage hit by every connect): the log must say it
 * happened without letting a client flood it. Repeats inside the interval are counted and reported
 * once when it ends, as `suppressed`.
 */
export function throttledLog(log: Logger, intervalMs = 60_000): ThrottledLog {
  const windows = new Map<string, { level: ThrottledLevel; msg: string; suppressed: number; timer: NodeJS.Timeout }>();
  const flush = (kind: string) => {
    const w = windows.get(kind);
    if (!w) return;
    windows.delete(kind);
    clearTimeout(w.timer);
    if (w.suppressed > 0) log[w.level](`${w.msg} (repeated)`, { kind, suppressed: w.suppressed, intervalMs });
  };
  return {
    log(kind, level, msg, fields) {
      const w = windows.get(kind);
      if (w) {
        w.suppressed++;
        return;
      }
      log[level](msg, { kind, ...fields });
      const timer = setTimeout(() => flush(kind), intervalMs);
      timer.unref();
      windows.set(kind, { level, msg, suppressed: 0, timer });
    },
    close() {
      for (const kind of [...windows.keys()]) flush(kind);
    },
  };
}
