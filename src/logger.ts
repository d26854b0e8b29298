/**
 * A small structured logger. One line per record on stderr: JSON in production, readable text on a
 * terminal. Kept dependency-free because every module (sim, kube, workflow) takes one.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  json?: boolean;
  bindings?: Record<string, unknown>;
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const json = opts.json ?? !process.stderr.isTTY;
  const bindings = opts.bindings ?? {};
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));

  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const rec = { ...bindings, ...fields };
    if (json) {
      write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...rec }, errorReplacer));
    } else {
      const extra = Object.keys(rec).length ? ' ' + JSON.stringify(rec, errorReplacer) : '';
      write(`${new Date().toISOString().slice(11, 23)} ${lvl.toUpperCase().padEnd(5)} ${msg}${extra}`);
    }
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (b) => createLogger({ ...opts, level, json, write, bindings: { ...bindings, ...b } }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
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
