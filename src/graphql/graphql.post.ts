/**
 * POST /graphql with a plain JSON body, served on node:http before Express. Express's router, its
 * request/response prototypes and body-parser cost about a tenth of a small mutation's CPU (a
 * `deployApp` storm's profile); this front does the same work for the common request directly:
 * request id and access log (http.access.ts), CORS headers (cors.ts), the body read under the same
 * size limit, then Apollo's executeHTTPGraphQLRequest with the same context as the Express path.
 *
 * It takes only requests it can answer exactly as Express would: path `/graphql` (with an optional
 * query string), `Content-Type: application/json` (charset absent or utf-8), no Content-Encoding, a
 * Content-Length within the limit, no tracing. Every other request, and one whose body is not JSON
 * or was cut off, goes to Express, which answers it as before (the latter through `pendingError`,
 * so its error handler answers 400 with the same body, headers and log line).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { AccessTracker } from '../observability/http.access.js';
import { runInScope } from '../observability/request.scope.js';

export interface GraphqlPostDeps<C extends BaseContext> {
  apollo: ApolloServer<C>;
  context: (io: { req: IncomingMessage; res: ServerResponse }) => Promise<C>;
  track: AccessTracker;
  cors: (req: IncomingMessage, res: ServerResponse, vary: () => void) => boolean;
  /** body size limit, bytes (the same as Express's JSON parser) */
  limit: number;
  /** answers a request this front passed on, and one whose body failed (after `pendingError` is set) */
  express: (req: IncomingMessage, res: ServerResponse) => void;
  /** a failure this front met before answering (Apollo threw): logged and answered as Express's error handler would */
  failed: (err: unknown, res: ServerResponse) => void;
}

/** What body-parser reports for a body it cannot use; the Express error handler answers from `type` and `status`. */
export interface BodyError extends Error {
  type: 'entity.parse.failed' | 'request.aborted';
  status: 400;
}

const PENDING = Symbol('graphql.post pending error');

/** Express middleware: a request this front handed on after its body failed goes to the error handler. */
export function pendingError(req: IncomingMessage, _res: unknown, next: (err?: unknown) => void): void {
  next((req as IncomingMessage & { [PENDING]?: BodyError })[PENDING]);
}

const JSON_TYPE = /^application\/json[ \t]*(;[ \t]*charset=("?)utf-8\2[ \t]*)?$/i;
const LENGTH = /^\d{1,15}$/;

function bodyError(type: BodyError['type'], message: string): BodyError {
  return Object.assign(new Error(message), { type, status: 400 as const });
}

/** body-parser's strict JSON: an object or an array (an empty body reads as `{}`). */
function parseJson(text: string): unknown {
  // body-parser decodes UTF-8 through iconv-lite, which drops a byte order mark
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (s.length === 0) return {};
  const first = /^[ \t\n\r]*(.?)/.exec(s)?.[1];
  if (first !== '{' && first !== '[') throw bodyError('entity.parse.failed', 'strict violation');
  try {
    return JSON.parse(s) as unknown;
  } catch (e) {
    throw bodyError('entity.parse.failed', (e as Error).message);
  }
}

export function graphqlPost<C extends BaseContext>(deps: GraphqlPostDeps<C>): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, context, track, cors, limit, express, failed } = deps;

  function takes(req: IncomingMessage): boolean {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    if (!(url === '/graphql' || url.startsWith('/graphql?'))) return false;
    const h = req.headers;
    if (h['content-encoding'] !== undefined && h['content-encoding'].toLowerCase() !== 'identity') return false;
    if (h['transfer-encoding'] !== undefined) return false;
    const length = h['content-length'];
    if (length === undefined || !LENGTH.test(length) || Number(length) > limit) return false;
    return typeof h['content-type'] === 'string' && JSON_TYPE.test(h['content-type']);
  }

  async function serve(req: IncomingMessage, res: ServerResponse, body: unknown, started: bigint): Promise<void> {
    const scope = track(req, res, () => '/graphql', started);
    await runInScope(scope, async () => {
      // nothing set Vary before this point on this path (Express's res.vary would append)
      cors(req, res, () => res.setHeader('Vary', 'Origin'));
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const hash = url.indexOf('#');
      const search = q < 0 ? '' : url.slice(q, hash > q ? hash : undefined);
      try {
        const answer = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: 'POST', headers, search, body },
          context: () => context({ req, res }),
        });
        for (const [key, value] of answer.headers) res.setHeader(key, value);
        res.statusCode = answer.status || 200;
        if (answer.body.kind === 'complete') {
          // as Express's res.send of a string: the length in bytes; no ETag on POST answers (server.ts)
          if (!res.hasHeader('content-type')) res.setHeader('Content-Type', 'text/html; charset=utf-8');
          res.setHeader('Content-Length', Buffer.byteLength(answer.body.string));
          res.end(answer.body.string);
          return;
        }
        for await (const chunk of answer.body.asyncIterator) res.write(chunk);
        res.end();
      } catch (e) {
        failed(e, res);
      }
    });
  }

  return (req, res) => {
    if (!takes(req)) return express(req, res);
    const started = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    let done = false;
    const fail = (err: BodyError) => {
      if (done) return;
      done = true;
      (req as IncomingMessage & { [PENDING]?: BodyError })[PENDING] = err;
      express(req, res);
    };
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('aborted', () => fail(bodyError('request.aborted', 'request aborted')));
    req.on('error', () => fail(bodyError('request.aborted', 'request aborted')));
    req.on('end', () => {
      if (done) return;
      let body: unknown;
      try {
        body = parseJson((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'));
      } catch (e) {
        return fail(e as BodyError);
      }
      done = true;
      void serve(req, res, body, started);
    });
  };
}
