/**
 * Error classification, table-driven from what client-node 1.4.0 actually throws: ApiException with a
 * raw-text body, node-fetch FetchError/system errors, AbortError, Watch's statusCode errors.
 */
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { backoffDelay, HubError, kindForStatus, parseStatus, toHubError, type HubVerb } from '../../../src/kube/index.js';

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });

const api = (code: number, body: string | undefined, headers: Record<string, string> = {}) => new ApiException(code, 'Unsuccessful HTTP Request', body, headers);
const sysErr = (code: string, message = `request failed, reason: ${code}`) => Object.assign(new Error(message), { code, errno: code, type: 'system', name: 'FetchError' });
const target = { kind: 'ManifestWork', name: 'vision-chat', namespace: 'c1' };

describe('hub error classification', () => {
  it.each<[string, unknown, HubVerb, string, number | undefined, string | undefined]>([
    ['500 Internal', api(500, status(500, 'InternalError', 'etcd leader changed')), 'apply', 'transient', 500, 'InternalError'],
    ['503 with a non-JSON body', api(503, 'upstream connect error'), 'get', 'transient', 503, undefined],
    ['429', api(429, status(429, 'TooManyRequests', 'slow down'), { 'retry-after': '2' }), 'list', 'transient', 429, 'TooManyRequests'],
    ['504 timeout', api(504, status(504, 'Timeout', 'timed out')), 'delete', 'transient', 504, 'Timeout'],
    ['409 on apply', api(409, status(409, 'Conflict', 'the object has been modified')), 'apply', 'transient', 409, 'Conflict'],
    ['409 elsewhere', api(409, status(409, 'AlreadyExists', 'exists')), 'delete', 'conflict', 409, 'AlreadyExists'],
    ['404 on get', api(404, status(404, 'NotFound', 'manifestworks "x" not found')), 'get', 'notFound', 404, 'NotFound'],
    ['404 on apply (missing namespace)', api(404, status(404, 'NotFound', 'namespaces "c1" not found')), 'apply', 'permanent', 404, 'NotFound'],
    ['400', api(400, status(400, 'BadRequest', 'fieldManager is required')), 'apply', 'permanent', 400, 'BadRequest'],
    ['401 with an empty body', api(401, undefined), 'get', 'permanent', 401, undefined],
    ['403', api(403, status(403, 'Forbidden', 'cannot create managedclusters/accept')), 'apply', 'permanent', 403, 'Forbidden'],
    ['415', api(415, status(415, 'UnsupportedMediaType', 'json-patch')), 'apply', 'permanent', 415, 'UnsupportedMediaType'],
    ['422', api(422, status(422, 'Invalid', 'spec.clusterSet: Invalid value')), 'apply', 'permanent', 422, 'Invalid'],
    ['410 on list', api(410, status(410, 'Expired', 'continue token expired')), 'list', 'transient', 410, 'Expired'],
    ['ECONNREFUSED', sysErr('ECONNREFUSED'), 'get', 'unreachable', undefined, 'Unreachable'],
    ['ENOTFOUND', sysErr('ENOTFOUND'), 'get', 'unreachable', undefined, 'Unreachable'],
    ['ECONNRESET', sysErr('ECONNRESET'), 'apply', 'transient', undefined, 'ConnectionReset'],
    ['socket hang up', Object.assign(new Error('request to http://x failed, reason: socket hang up'), { type: 'system' }), 'apply', 'transient', undefined, 'ConnectionReset'],
    ['a cause with a code', Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } }), 'get', 'transient', undefined, 'ConnectionReset'],
    ['our request timeout', Object.assign(new Error('The operation was aborted.'), { name: 'AbortError', type: 'aborted' }), 'get', 'transient', undefined, 'Timeout'],
    ['ETIMEDOUT', sysErr('ETIMEDOUT'), 'list', 'transient', undefined, 'Timeout'],
    ['watch non-200', Object.assign(new Error('Gone'), { statusCode: 410 }), 'watch', 'transient', 410, undefined],
    ['a bug', new TypeError('cannot read properties of undefined'), 'apply', 'permanent', undefined, 'ClientError'],
    ['a thrown string', 'boom', 'get', 'permanent', undefined, 'ClientError'],
  ])('should classify %s', (_n, err, verb, kind, httpStatus, reason) => {
    const e = toHubError(err, verb, target);
    expect(e).toBeInstanceOf(HubError);
    expect(e.kind).toBe(kind);
    expect(e.status).toBe(httpStatus);
    expect(e.reason).toBe(reason);
    expect(e.retryable).toBe(kind === 'transient' || kind === 'unreachable');
  });

  it('should keep API text for logs and out of the public message', () => {
    const e = toHubError(api(422, status(422, 'Invalid', 'secret token abc123 in spec.x')), 'apply', target);
    expect(e.kubeMessage).toBe('secret token abc123 in spec.x');
    expect(e.publicMessage).toBe('The hub refused to apply ManifestWork c1/vision-chat (HTTP 422 Invalid)');
    expect(e.message).toBe(e.publicMessage);
    expect(e.logFields()).toMatchObject({ kubeMessage: 'secret token abc123 in spec.x', status: 422 });
  });

  it.each<[string, unknown, HubVerb, string]>([
    ['transient', api(500, 'raw <html>oops</html>'), 'apply', 'The hub failed temporarily (apply ManifestWork c1/vision-chat, HTTP 500)'],
    ['unreachable', sysErr('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6443'), 'apply', 'Cannot reach the hub (apply ManifestWork c1/vision-chat)'],
    ['notFound', api(404, status(404, 'NotFound', 'x')), 'get', 'ManifestWork c1/vision-chat not found on the hub'],
    ['the reason is not a plain token', api(400, status(400, 'Bad Request: <script>', 'x')), 'get', 'The hub refused to get ManifestWork c1/vision-chat (HTTP 400)'],
  ])('should build a safe public message when %s', (_n, err, verb, expected) => {
    expect(toHubError(err, verb, target).publicMessage).toBe(expected);
  });

  it('should honour Retry-After', () => {
    expect(toHubError(api(429, '', { 'retry-after': '3' }), 'get').retryAfterMs).toBe(3000);
  });

  it.each([
    [status(409, 'Conflict', 'm'), { code: 409, reason: 'Conflict', message: 'm' }],
    [{ code: 404, reason: 'NotFound' }, { code: 404, reason: 'NotFound' }],
    ['not json', undefined],
    ['"a string"', undefined],
    [undefined, undefined],
  ])('should parse %j as a Status', (body, expected) => {
    expect(parseStatus(body)).toEqual(expected);
  });

  it.each([
    [404, 'get', 'notFound'],
    [404, 'delete', 'notFound'],
    [404, 'apply', 'permanent'],
    [409, 'apply', 'transient'],
    [409, 'get', 'conflict'],
    [408, 'get', 'transient'],
    [418, 'get', 'permanent'],
  ] as const)('should map HTTP %i on %s to %s', (code, verb, kind) => {
    expect(kindForStatus(code, verb)).toBe(kind);
  });
});

describe('backoff', () => {
  it.each([
    [0, 0, 50],
    [0, 1, 100],
    [3, 0, 400],
    [3, 1, 800],
    [10, 1, 1600],
  ])('should wait within the jitter band for attempt %i (random %d)', (attempt, random, expected) => {
    expect(backoffDelay(attempt, { baseMs: 100, maxMs: 1600 }, () => random)).toBe(expected);
  });
});
