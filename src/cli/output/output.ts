/**
 * Printing results: `--output table` (aligned columns for people, the default) or `--output json`
 * (the GraphQL objects as they came, for scripts; streams are one JSON object per line).
 */
export type OutputFormat = 'table' | 'json';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

export interface Writer {
  write(text: string): void;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Columns padded to their widest cell, two spaces apart, headers in capitals (kubectl style). */
export function renderTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(c.value(r)).replace(/\s*\n\s*/g, ' ')));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (parts: string[]) => parts.map((p, i) => (i === parts.length - 1 ? p : p.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/** `key: value` lines, for one object. */
export function renderFields(fields: [string, unknown][]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${(k + ':').padEnd(width)} ${cell(v)}`.trimEnd()).join('\n') + '\n';
}

export class Output {
  constructor(
    readonly format: OutputFormat,
    private readonly out: Writer,
    private readonly err: Writer,
  ) {}

  get json(): boolean {
    return this.format === 'json';
  }

  /** A list: a table, or the JSON array. */
  list<T>(rows: T[], columns: Column<T>[], empty = 'nothing found'): void {
    if (this.json) return this.out.write(JSON.stringify(rows, null, 2) + '\n');
    this.out.write(rows.length ? renderTable(rows, columns) : `(${empty})\n`);
  }

  /** One object: fields for people, or the JSON object. */
  object(data: unknown, fields: [string, unknown][]): void {
    if (this.json) return this.out.write(JSON.stringify(data, null, 2) + '\n');
    this.out.write(renderFields(fields));
  }

  /** A line of text for people (nothing in JSON mode). */
  text(line: string): void {
    if (!this.json) this.out.write(line + '\n');
  }

  /** One JSON object per line (streams in JSON mode). */
  jsonLine(data: unknown): void {
    this.out.write(JSON.stringify(data) + '\n');
  }

  raw(text: string): void {
    this.out.write(text);
  }

  /** Messages about what is happening go to stderr, so stdout stays the result. */
  note(line: string): void {
    this.err.write(line + '\n');
  }
}
