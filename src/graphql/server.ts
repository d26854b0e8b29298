/**
 * HTTP and WebSocket front: one node:http server carrying Express (GraphQL over HTTP via Apollo,
 * health, metrics, GraphiQL) and graphql-ws on the same /graphql path (ws.server.ts, which applies
 * auth, limits, error masking and metrics itself: that path bypasses Apollo).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Config } from '../config.js';
import type { Ctx } from '../context.js';
import { Loaders } from '../db/loaders.js';
import type { Orm, Em } from '../db/orm.js';
import { ErrorCode } from '../errors.js';
import type { EventBus } from '../events/event.bus.js';
import { throttledLog, type Logger } from '../logger.js';
import type { Services } from '../services.js';
import { bearer } from '../tenancy/token.service.js';
import type { Viewer } from '../tenancy/viewer.js';
import { bearerChallenge, corsHeaders, corsMiddleware, PREFLIGHT_HEADERS } from './cors.js';
import { graphqlPost, pendingError } from './graphql.post.js';
import { createFormatError } from './format-error.js';
import { consoleRouter } from './console.js';
import { requestIdOf } from './request-id.js';
import { apolloGraph, apolloLogger, apolloReportingPlugins } from '../observability/apollo.js';
import { accessTracker, httpAccess } from '../observability/http.access.js';
import { apolloTracingPlugin, graphqlTracing, httpTracing, WsTracing } from '../observability/tracing.http.js';
import type { Tracing } from '../observability/tracing.js';
import { currentScope, refused } from '../observability/request.scope.js';
import { graphiqlPage, graphiqlRouter, wantsGraphiql } from './graphiql.js';
import type { ConnectionCounters } from './connection.counters.js';
import { assertCost, limitRules } from './limits.js';
import { CostRateLimiter, costReport, rateLimited, rateLimitHeaders, type Take } from './rate.limit.js';
import type { Metrics } from './metrics.js';
import { createSseServer, SSE_PATH } from './sse.server.js';
import { createWsServer, WS_PATH } from './ws.server.js';

export interface ServerDeps {
  config: Config;
  schema: GraphQLSchema;
  orm: Orm;
  services: Services;
  metrics: Metrics;
  log: Logger;
  /** carries access changes (revocations) to the socket registry, from this replica and others */
  bus: EventBus;
  /** where graphql-ws connection caps are counted; this process alone by default */
  counters?: ConnectionCounters;
  /** spans for requests and operations, when tracing is on */
  tracing?: Tracing | null;
  /** more /readyz fields beside the database's (app.ts: the hub while it connects in the background) */
  readiness?: () => Record<string, string>;
}

export interface GatewayServer {
  httpServer: http.Server;
  listen(port: number, host: string): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

function subscriptionOverHttp(): GraphQLError {
  return new GraphQLError(`Subscriptions are served over WebSocket: connect to ${WS_PATH} with the graphql-transport-ws protocol`, {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}

/** The answer to a request that failed outside GraphQL (a 4xx status is the client's fault). */
function requestFailed(status: number | undefined) {
  const client = status !== undefined && status > 0 && status < 500;
  return { errors: [{ message: 'Request failed', extensions: { code: client ? 'BAD_REQUEST' : ErrorCode.INTERNAL } }] };
}

function unauthenticated(): GraphQLError {
  return new GraphQLError('A valid bearer token is required', { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
}

export async function createGatewayServer(deps: ServerDeps): Promise<GatewayServer> {
  const { config, schema, orm, services, metrics, log, bus } = deps;
  const tracer = deps.tracing?.tracer ?? null;
  const formatError = createFormatError(log, { suggestions: config.introspection });
  const rules = limitRules(config.limits);
  // JWTs of the identity providers in OIDC_ISSUERS; every other bearer value is an API token
  // jose is loaded only when identity providers are configured
  const oidc = config.oidcIssuers.length ? new (await import('../tenancy/oidc.verifier.js')).OidcVerifier(config.oidcIssuers, log) : null;
  const limiter = new CostRateLimiter(config.limits.pointsPerMinute);
  const app = express();
  app.disable('x-powered-by');
  // POST /graphql with a JSON body is served before Express (graphql.post.ts); set once Apollo runs
  let front: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null = null;
  const httpServer = http.createServer((req, res) => (front ? front(req, res) : void app(req, res)));

  const makeCtx = (viewer: Viewer, em: Em, requestId: string): Ctx => ({ em, viewer, loaders: new Loaders(), services, log, requestId });

  // ---- graphql-ws (ws.server.ts) ---------------------------------------------------------
  const throttled = throttledLog(log);
  const ws = createWsServer({ httpServer, config, schema, orm, services, metrics, log, throttled, bus, formatError, counters: deps.counters, oidc, traces: tracer ? new WsTracing(tracer) : null });
  // GraphQL over SSE: the same registry, so the same caps, auth and revocation (sse.server.ts)
  const sse = createSseServer({ config, schema, orm, services, log, throttled, formatError, registry: ws.registry, traced: tracer !== null });

  // ---- Apollo over HTTP ----------------------------------------------------------------------
  const apollo = new ApolloServer<Ctx>({
    schema,
    formatError,
    validationRules: rules,
    introspection: config.introspection,
    logger: apolloLogger(log),
    apollo: apolloGraph(config),
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: !config.introspection,
    allowBatchedHttpRequests: false,
    // a request carrying Authorization was preflighted by any browser (cors.ts)
    csrfPrevention: { requestHeaders: PREFLIGHT_HEADERS },
    // main.ts owns shutdown (runner, hub, database too); Apollo's own handler would race it
    stopOnTerminationSignals: false,
    // the same token cap as the graphql-ws path: a huge flat document is refused while parsing
    parseOptions: { maxTokens: 10_000 },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5_000 }),
      {
        serverWillStart: async () => ({
          drainServer: async () => {
            sse.dispose();
            await ws.dispose();
          },
        }),
      },
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...apolloReportingPlugins(config),
      metrics.apolloPlugin(),
      ...(tracer ? [apolloTracingPlugin()] : []),
      {
        requestDidStart: async () => {
          let cost: number | null = null;
          let bucket: Take | null = null;
          return {
            didResolveOperation: async (rc) => {
              // graphql-js cannot run a subscription as a single result; it would fail as an internal error
              if (rc.operation?.operation === 'subscription') throw subscriptionOverHttp();
              cost = assertCost(rc.schema, rc.document, rc.request.variables, rc.operationName, config.limits.cost);
              if (!limiter.enabled) return;
              bucket = limiter.take(rc.contextValue.viewer.tokenId, cost);
              for (const [name, value] of rateLimitHeaders(bucket)) rc.response.http.headers.set(name, value);
              if (!bucket.allowed) throw rateLimited(cost, bucket);
            },
            willSendResponse: async (rc) => {
              if (cost === null || rc.response.body.kind !== 'single') return;
              const result = rc.response.body.singleResult;
              result.extensions = { ...result.extensions, cost: costReport(cost, config.limits.cost, bucket) };
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const context = async ({ req, res }: { req: http.IncomingMessage; res: http.ServerResponse }): Promise<Ctx> => {
    const scope = currentScope();
    const secret = bearer(req.headers.authorization);
    const em = orm.em.fork() as Em;
    const viewer = !secret ? null : oidc?.handles(secret) ? await oidc.authenticate(em, secret) : await services.tokens.authenticate(em, secret);
    if (!viewer) {
      res.setHeader('WWW-Authenticate', bearerChallenge(Boolean(req.headers.authorization)));
      throw refused(unauthenticated());
    }
    if (scope) scope.tokenId = viewer.tokenId;
    return makeCtx(viewer, em, scope?.requestId ?? requestIdOf(req.headers));
  };

  const track = accessTracker(log, metrics);
  app.use(httpAccess(track));
  if (tracer) app.use(httpTracing(tracer));
  app.use(corsMiddleware(config.corsOrigins));
  // a POST /graphql whose body graphql.post.ts could not use: answered by the error handler below
  app.use(pendingError);
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  // Redis down does not make a replica unready: subscriptions keep working from the database (with
  // seconds of latency), and taking every replica out of the load balancer at once would serve nobody.
  app.get('/readyz', async (_req, res) => {
    const b = bus.status();
    const redis = b.transport === 'redis' ? { redis: b.connected ? 'connected' : 'unreachable' } : {};
    try {
      await orm.em.fork().getConnection().execute('select 1');
      res.json({ status: 'ready', ...redis, ...deps.readiness?.() });
    } catch {
      res.status(503).json({ status: 'database unreachable', ...redis });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(graphiqlRouter());
  app.use(consoleRouter());
  app.get('/graphql', (req, res, next) => (wantsGraphiql(req) ? void res.type('html').send(graphiqlPage) : next()));
  app.all(SSE_PATH, express.json({ limit: config.limits.bodyBytes }), (req, res, next) => void sse.handle(req, res).catch(next));
  const graphqlHandlers = [
      express.json({ limit: config.limits.bodyBytes }),
      ...(tracer ? [graphqlTracing()] : []),
      expressMiddleware(apollo, { context }),
  ];
  // POST answers carry no ETag: Express hashes every answer it sends for one (sha1 over a nested
  // page's ~70 KB answer, 0.1–0.4 ms, a few % of the page's CPU), and a POST answer is never fresh
  // (Express answers 304 only to GET and HEAD; caches do not store POST answers). GET keeps it.
  const posts = express();
  posts.disable('x-powered-by');
  posts.set('etag', false);
  posts.post('/', ...graphqlHandlers);
  app.use('/graphql', posts, ...graphqlHandlers);
  // Body-parser failures (oversized or malformed JSON) answered as GraphQL-shaped errors.
  app.use((err: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (err?.type === 'entity.too.large' || err?.type === 'entity.parse.failed') refused(err.type === 'entity.too.large' ? ErrorCode.LIMIT_EXCEEDED : 'BAD_REQUEST');
    if (err?.type === 'entity.too.large') {
      return void res.status(413).json({ errors: [{ message: `Request body exceeds ${config.limits.bodyBytes} bytes`, extensions: { code: ErrorCode.LIMIT_EXCEEDED } }] });
    }
    if (err?.type === 'entity.parse.failed') {
      return void res.status(400).json({ errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }] });
    }
    if (err) {
      log.error('unhandled HTTP error', { err: err as unknown as Error });
      return void res.status(err.status && err.status < 500 ? err.status : 500).json(requestFailed(err.status));
    }
    next();
  });
  // tracing wraps the Express path (spans per request and operation): with it on, everything goes there
  if (!tracer) {
    front = graphqlPost({
      apollo,
      context,
      track,
      cors: corsHeaders(config.corsOrigins),
      limit: config.limits.bodyBytes,
      express: (req, res) => void app(req, res),
      failed: (err, res) => {
        log.error('unhandled HTTP error', { err: err as Error });
        // a streamed answer already under way cannot turn into an error answer
        if (res.headersSent) return void res.destroy();
        const body = JSON.stringify(requestFailed(undefined));
        res.statusCode = 500;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Content-Length', Buffer.byteLength(body));
        res.end(body);
      },
    });
  }

  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const addr = httpServer.address() as AddressInfo;
          const shownHost = host.includes(':') ? `[${host}]` : host;
          resolve({ port: addr.port, url: `http://${shownHost}:${addr.port}/graphql` });
        });
      }),
    stop: async () => {
      await apollo.stop();
      throttled.close();
    },
  };
}
