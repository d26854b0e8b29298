/** The W3C traceparent codec and the SQL description that names SQL spans (never their values). */
import { describe, expect, it } from 'vitest';
import { describeSql } from '../../src/observability/tracing.spans.js';
import { formatTraceparent, parseTraceparent } from '../../src/observability/tracing.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('traceparent', () => {
  it('reads a valid header as a remote span context and writes it back the same', () => {
    const sc = parseTraceparent(`00-${TRACE}-${SPAN}-01`);
    expect(sc).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(formatTraceparent(sc!)).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.traceFlags).toBe(0);
  });

  it('ignores what is not a version-00 traceparent with non-zero ids', () => {
    for (const bad of [
      undefined,
      42,
      '',
      `01-${TRACE}-${SPAN}-01`,
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE.slice(1)}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-1`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE.replace('4', 'g')}-${SPAN}-01`,
    ]) {
      expect(parseTraceparent(bad), String(bad)).toBeNull();
    }
  });
});

describe('describeSql', () => {
  it('names the statement kind and its first table, for both dialects quoting', () => {
    expect(describeSql('select "w0".* from "workflow_job" as "w0" where "w0"."id" = ?')).toEqual({ operation: 'select', table: 'workflow_job' });
    expect(describeSql('insert into `app_deployment` (`id`, `name`) values (?, ?)')).toEqual({ operation: 'insert', table: 'app_deployment' });
    expect(describeSql('update "gpu_quota" set "used" = "used" + ? where "id" = ?')).toEqual({ operation: 'update', table: 'gpu_quota' });
    expect(describeSql('delete from "event" where "seq" < 10')).toEqual({ operation: 'delete', table: 'event' });
    expect(describeSql('begin')).toEqual({ operation: 'begin', table: undefined });
  });

  it('keeps no literal of the statement', () => {
    const d = describeSql(`select * from "api_token" where "secret_hash" = 'deadbeef'`);
    expect(JSON.stringify(d)).not.toContain('deadbeef');
  });
});
