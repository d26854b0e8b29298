/**
 * HTTP and WebSocket front: one node:http server carrying Express (GraphQL over HTTP via Apollo,
 * health, metrics, GraphiQL) and graphql-ws on the same /graphql path. The WS path bypasses Apollo,
 * so auth, limits, error masking and metrics are applied to it here explicitly.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import type { Ctx } from '../context.js';
import { Loaders } from '../db/loaders.js';
import type { Orm, Em } from '../db/orm.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import type { Viewer } from '../tenancy/viewer.js';
import { createFormatError } from './format-error.js';
import { sharedSubscribe } from './shared-subscribe.js';
import { consoleRouter } from './console.js';
import { graphiqlPage, graphiqlRouter, wantsGraphiql } from './graphiql.js';
import { assertCost, limitError, limitRules } from './limits.js';
import type { Metrics } from './metrics.js';

export interface ServerDeps {
  config: Config;
  schema: GraphQLSchema;
  orm: Orm;
  services: Services;
  metrics: Metrics;
  log: Logger;
}

export interface GatewayServer {
  httpServer: http.Server;
  listen(port: number, host: string): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

function bearer(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return m ? m[1] : null;
}

function unauthenticated(): GraphQLError {
  return new GraphQLError('A valid bearer token is required', { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
}

/** Parsed documents by query text: graphql-ws re-parses every subscribe otherwise. */
class DocumentCache {
  private readonly map = new Map<string, DocumentNode>();
  constructor(private readonly max = 1000) {}
  get(text: string): DocumentNode {
    let doc = this.map.get(text);
    if (!doc) {
      doc = parse(text, { maxTokens: 10_000 });
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
      this.map.set(text, doc);
    }
    return doc;
  }
}

export async function createGatewayServer(deps: ServerDeps): Promise<GatewayServer> {
  const { config, schema, orm, services, metrics, log } = deps;
  const formatError = createFormatError(log);
  const rules = limitRules(config.limits);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const makeCtx = (viewer: Viewer, em: Em): Ctx => ({ em, viewer, loaders: new Loaders(), services, log });
  /**
   * A subscription lives long and usually never touches its request EntityManager (streams fork
   * their own per read): create it only if something asks, so an idle subscriber costs no ORM state.
   */
  const lazyCtx = (viewer: Viewer): Ctx => {
    let em: Em | null = null;
    return {
      get em() {
        return (em ??= orm.em.fork() as Em);
      },
      viewer,
      loaders: new Loaders(),
      services,
      log,
    };
  };

  // ---- graphql-ws ----------------------------------------------------------------------------
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.limits.bodyBytes });
  const docs = new DocumentCache();
  const wsRules = config.introspection ? [...specifiedRules, ...rules] : [...specifiedRules, NoSchemaIntrospectionCustomRule, ...rules];
  type Extra = { viewer?: Viewer; subscriptions?: number };
  const wsServer = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      subscribe: sharedSubscribe,
      onConnect: async (ctx: WsContext<Record<string, unknown> | undefined, Extra>) => {
        const secret = bearer(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
        const viewer = secret ? await services.tokens.authenticate(orm.em.fork() as Em, secret) : null;
        // Returning false closes with 4403 Forbidden, which clients may retry with a fresh token;
        // throwing would close with 4500, which they never retry.
        if (!viewer) return false;
        ctx.extra.viewer = viewer;
        ctx.extra.subscriptions = 0;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const extra = ctx.extra as Extra;
        if ((extra.subscriptions ?? 0) >= config.limits.subscriptionsPerSocket) {
          return [limitError(`at most ${config.limits.subscriptionsPerSocket} subscriptions per connection`)];
        }
        let document: DocumentNode;
        try {
          document = docs.get(payload.query);
        } catch (e) {
          return [e instanceof GraphQLError ? e : new GraphQLError('Syntax error')];
        }
        const errors = validate(schema, document, wsRules);
        if (errors.length) return errors;
        try {
          assertCost(schema, document, payload.variables ?? undefined, payload.operationName, config.limits.cost);
        } catch (e) {
          return [e as GraphQLError];
        }
        extra.subscriptions = (extra.subscriptions ?? 0) + 1;
        metrics.wsOperation(getOperationAST(document, payload.operationName)?.operation ?? 'unknown', payload.operationName, []);
        return {
          schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue: lazyCtx(extra.viewer!),
        };
      },
      onComplete: (ctx) => {
        const extra = ctx.extra as Extra;
        extra.subscriptions = Math.max(0, (extra.subscriptions ?? 1) - 1);
      },
      onNext: (_ctx, _id, _payload, _args, result) => maskResult(result as ExecutionResult),
      onError: (_ctx, _id, payload, errors) => {
        const formatted = errors.map((e) => formatError(e.toJSON(), e));
        metrics.wsOperation('refused', payload.operationName, formatted.map((f) => String(f.extensions?.code ?? 'UNKNOWN')));
        return formatted as never;
      },
    },
    wss,
  );
  function maskResult(result: ExecutionResult): ExecutionResult {
    if (!result.errors?.length) return result;
    return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) as never };
  }
  wss.on('connection', (socket) => {
    metrics.websockets.inc();
    socket.once('close', () => metrics.websockets.dec());
  });

  // ---- Apollo over HTTP ----------------------------------------------------------------------
  const apollo = new ApolloServer<Ctx>({
    schema,
    formatError,
    validationRules: rules,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: !config.introspection,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // main.ts owns shutdown (runner, hub, database too); Apollo's own handler would race it
    stopOnTerminationSignals: false,
    // the same token cap as the graphql-ws path: a huge flat document is refused while parsing
    parseOptions: { maxTokens: 10_000 },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5_000 }),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsServer.dispose()) }) },
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      metrics.apolloPlugin(),
      {
        requestDidStart: async () => ({
          didResolveOperation: async (rc) => {
            assertCost(rc.schema, rc.document, rc.request.variables, rc.operationName, config.limits.cost);
          },
        }),
      },
    ],
  });
  await apollo.start();

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      // originalUrl: under app.use('/graphql') Express rewrites req.path to '/'
      const path = req.originalUrl.split('?')[0];
      const route = path === '/graphql' || path.startsWith('/graphiql') ? path.split('/').slice(0, 2).join('/') : ['/healthz', '/readyz', '/metrics'].includes(path) ? path : 'other';
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    try {
      await orm.em.fork().getConnection().execute('select 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(graphiqlRouter());
  app.use(consoleRouter());
  app.get('/graphql', (req, res, next) => (wantsGraphiql(req) ? void res.type('html').send(graphiqlPage) : next()));
  app.use(
    '/graphql',
    express.json({ limit: config.limits.bodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const secret = bearer(req.headers.authorization);
        const em = orm.em.fork() as Em;
        const viewer = secret ? await services.tokens.authenticate(em, secret) : null;
        if (!viewer) throw unauthenticated();
        return makeCtx(viewer, em);
      },
    }),
  );
  // Body-parser failures (oversized or malformed JSON) answered as GraphQL-shaped errors.
  app.use((err: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (err?.type === 'entity.too.large') {
      return void res.status(413).json({ errors: [{ message: `Request body exceeds ${config.limits.bodyBytes} bytes`, extensions: { code: ErrorCode.LIMIT_EXCEEDED } }] });
    }
    if (err?.type === 'entity.parse.failed') {
      return void res.status(400).json({ errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_REQUEST' } }] });
    }
    if (err) {
      log.error('unhandled HTTP error', { err: err as unknown as Error });
      return void res.status(err.status && err.status < 500 ? err.status : 500).json({ errors: [{ message: 'Request failed', extensions: { code: err.status && err.status < 500 ? 'BAD_REQUEST' : ErrorCode.INTERNAL } }] });
    }
    next();
  });

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
    },
  };
}
