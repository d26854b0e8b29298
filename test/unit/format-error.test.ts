/** The one mapping from thrown errors to client-visible errors: typed codes, no internals. */
import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { AuthError, ConflictError, DomainError, DomainErrors, ErrorCode, forbidden, NotFoundError, unauthenticated, ValidationError } from '../../src/errors.js';
import { createFormatError } from '../../src/graphql/format-error.js';
import { limitError } from '../../src/graphql/limits.js';
import { mutate, Payload } from '../../src/graphql/payload.js';
import type { Logger } from '../../src/logger.js';

const log = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn(), child: () => log } as unknown as Logger;
const format = createFormatError(log);

/** What Apollo/graphql-js hand formatError for an error thrown by a resolver at `path`. */
function fromResolver(original: Error, path = ['field']): [GraphQLFormattedError, unknown] {
  const e = new GraphQLError(original.message, { path, originalError: original });
  return [{ ...e.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR' } }, e];
}

function driverError(message: string): DriverException {
  const cause = Object.assign(new Error(message), { code: 'SQLITE_ERROR' });
  return new DriverException(cause);
}

describe('createFormatError', () => {
  it.each([
    [new NotFoundError('Project', ['projectId']), { code: 'NOT_FOUND', field: ['projectId'] }, 'Project not found'],
    [new ValidationError('bad family', ['gpuFamily']), { code: 'INVALID_INPUT', field: ['gpuFamily'] }, 'bad family'],
    [new ConflictError('taken', null, ErrorCode.ALREADY_EXISTS), { code: 'ALREADY_EXISTS', field: undefined }, 'taken'],
    [forbidden('delete tenants', 'only platform admins can'), { code: 'FORBIDDEN' }, 'You cannot delete tenants: only platform admins can'],
    [unauthenticated(), { code: 'UNAUTHENTICATED' }, 'A valid bearer token is required'],
    [new DomainErrors([new ValidationError('a', ['x'], ErrorCode.INVALID_NAME), new ValidationError('b')]), { code: 'INVALID_NAME' }, 'a; b'],
  ] as [Error, Record<string, unknown>, string][])('%s keeps its message and gets its code', (err, extensions, message) => {
    const out = format(...fromResolver(err));
    expect(out.message).toBe(message);
    expect(out.extensions).toEqual(extensions);
    expect(out.path).toEqual(['field']);
  });

  it('carries domain details (e.g. which quota level refused) in extensions', () => {
    const e = new DomainError(ErrorCode.QUOTA_EXCEEDED, 'exceeded', ['input'], { level: 'TENANT', limit: 8 });
    expect(format(...fromResolver(e)).extensions).toEqual({ code: 'QUOTA_EXCEEDED', field: ['input'], level: 'TENANT', limit: 8 });
  });

  it.each([
    ['a driver error', () => driverError('insert into `machine` (`id`) values (?) - no such table: machine')],
    ['a plain Error', () => new Error('select * from secrets where x = 1')],
    ['a TypeError', () => new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a Kubernetes error', () => Object.assign(new Error('HTTP-Code: 500 Body: {"kind":"Status","message":"etcdserver: request timed out"}'), { statusCode: 500 })],
  ])('masks %s as a bare INTERNAL_SERVER_ERROR and logs it', (_what, make) => {
    vi.mocked(log.error).mockClear();
    const out = format(...fromResolver(make()));
    expect(out).toEqual({ message: 'Internal server error', path: ['field'], locations: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(log.error).toHaveBeenCalledTimes(1);
  });

  it('masks a driver error even when it arrives with a pass-through code', () => {
    const d = driverError('duplicate key value violates unique constraint "x"');
    const out = format({ message: d.message, extensions: { code: 'BAD_USER_INPUT' } }, d);
    expect(out.message).toBe('Internal server error');
  });

  it('answers a unique-constraint race as CONFLICT without SQL', () => {
    const cause = Object.assign(new Error('UNIQUE constraint failed: tenant.name'), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
    const out = format(...fromResolver(new UniqueConstraintViolationException(cause)));
    expect(out).toMatchObject({ message: 'Conflict', extensions: { code: 'CONFLICT' } });
    expect(JSON.stringify(out)).not.toMatch(/UNIQUE|tenant\.name/);
  });

  it('keeps LIMIT_EXCEEDED when Apollo re-labels a validation-rule error GRAPHQL_VALIDATION_FAILED', () => {
    const rule = limitError('Query depth 12 exceeds the limit of 10');
    const wrapped = new GraphQLError(rule.message, { originalError: rule, extensions: { ...rule.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } });
    const out = format({ message: wrapped.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, wrapped);
    expect(out).toMatchObject({ message: 'Query depth 12 exceeds the limit of 10', extensions: { code: 'LIMIT_EXCEEDED' } });
    expect(format(rule.toJSON(), rule).extensions).toEqual({ code: 'LIMIT_EXCEEDED' });
  });

  it.each([
    ['Syntax Error: Expected Name, found <EOF>.', 'GRAPHQL_PARSE_FAILED'],
    ['Cannot query field "nope" on type "Query".', 'GRAPHQL_VALIDATION_FAILED'],
    ['Variable "$x" is never used.', 'GRAPHQL_VALIDATION_FAILED'],
    ['Variable "$n" got invalid value "ten"; Int cannot represent non-integer value: "ten"', 'BAD_USER_INPUT'],
    ['Variable "$n" of required type "Int!" was not provided.', 'BAD_USER_INPUT'],
  ])('types an untyped graphql-js request error (as graphql-ws passes them): %s', (message, code) => {
    const e = new GraphQLError(message);
    expect(format(e.toJSON(), e)).toMatchObject({ message, extensions: { code } });
  });

  it('still masks untyped GraphQL errors raised during execution (they have a path)', () => {
    const e = new GraphQLError('Cannot return null for non-nullable field Query.x.', { path: ['x'] });
    expect(format(e.toJSON(), e).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('passes Apollo and graphql-js codes through, without their extra extensions', () => {
    const e = new GraphQLError('bad', { extensions: { code: 'BAD_USER_INPUT', stacktrace: ['x'], exception: { sql: 'select' } } });
    expect(format({ message: 'bad', extensions: { code: 'BAD_USER_INPUT', stacktrace: ['x'] } }, e)).toEqual({ message: 'bad', path: undefined, locations: undefined, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('an AuthError stays a top-level typed error', () => {
    expect(format(...fromResolver(new AuthError('FORBIDDEN', 'no')))).toMatchObject({ message: 'no', extensions: { code: 'FORBIDDEN' } });
  });
});

describe('mutate (payload userErrors)', () => {
  class P extends Payload {
    thing: string | null = null;
  }
  const scope = () => ({ em: { clear: vi.fn() }, loaders: { clear: vi.fn() } });

  it('returns the result, having dropped cached loader values first', async () => {
    const s = scope();
    const out = await mutate(P, async () => ({ thing: 'made' }), s);
    expect(out).toMatchObject({ thing: 'made', userErrors: [] });
    expect(s.loaders.clear).toHaveBeenCalled();
    expect(s.em.clear).not.toHaveBeenCalled();
  });

  it.each([
    [new ValidationError('bad', ['name'], ErrorCode.INVALID_NAME), [{ field: ['input', 'name'], message: 'bad', code: 'INVALID_NAME' }]],
    [new ValidationError('bad', ['input', 'name']), [{ field: ['input', 'name'], message: 'bad', code: 'INVALID_INPUT' }]],
    [new NotFoundError('Tenant'), [{ field: null, message: 'Tenant not found', code: 'NOT_FOUND' }]],
    [new DomainError('WEIRD' as ErrorCode, 'odd', ['x']), [{ field: ['input', 'x'], message: 'odd', code: 'INVALID_INPUT' }]],
    [
      new DomainErrors([new ValidationError('a', ['x']), new ConflictError('b', ['y'], ErrorCode.IN_USE)]),
      [
        { field: ['input', 'x'], message: 'a', code: 'INVALID_INPUT' },
        { field: ['input', 'y'], message: 'b', code: 'IN_USE' },
      ],
    ],
    [
      new UniqueConstraintViolationException(Object.assign(new Error('UNIQUE constraint failed: project.name'), { code: 'SQLITE_CONSTRAINT' })),
      [{ field: null, message: 'An object with this name already exists', code: 'ALREADY_EXISTS' }],
    ],
  ])('maps %s to userErrors and detaches what the refused mutation touched', async (err, userErrors) => {
    const s = scope();
    const out = await mutate(
      P,
      async () => {
        throw err;
      },
      s,
    );
    expect(out.thing).toBeNull();
    expect(out.userErrors.map((u) => ({ ...u }))).toEqual(userErrors);
    expect(s.em.clear).toHaveBeenCalled();
  });

  it('rethrows anything else (a top-level error), after detaching', async () => {
    const s = scope();
    await expect(
      mutate(
        P,
        async () => {
          throw forbidden('x', 'y');
        },
        s,
      ),
    ).rejects.toBeInstanceOf(AuthError);
    expect(s.em.clear).toHaveBeenCalled();
    await expect(
      mutate(P, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
