/**
 * graphql-ws helpers for tests: a real `createClient` over `ws` (Node 20 has no global WebSocket),
 * and a raw socket speaking graphql-transport-ws for asserting close codes and oversized frames.
 */
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export interface WsClosed {
  code: number;
  reason: string;
}

export interface WsTestClient {
  client: Client;
  /** Runs one operation to completion; resolves with its single result (errors included). */
  request<T = any>(query: string, variables?: Record<string, unknown>): Promise<ExecutionResult<T>>;
  /** Resolves when the socket closes, with its code. */
  closed: Promise<WsClosed>;
  dispose(): Promise<void>;
}

/** A graphql-ws client that never retries, so a refusal surfaces as a close code. */
/** `params`: more connectionParams beside the authorization (a traceparent, say). */
export function wsClient(url: string, authorization?: string | null, params?: Record<string, unknown>): WsTestClient {
  let onClosed!: (c: WsClosed) => void;
  const closed = new Promise<WsClosed>((r) => (onClosed = r));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: authorization === undefined ? params : { ...params, ...(authorization === null ? {} : { authorization }) },
    on: {
      closed: (e) => {
        const ev = e as { code?: number; reason?: unknown };
        onClosed({ code: ev.code ?? -1, reason: String(ev.reason ?? '') });
      },
    },
  });
  return {
    client,
    closed,
    request: <T>(query: string, variables?: Record<string, unknown>) =>
      new Promise<ExecutionResult<T>>((resolve, reject) => {
        let result: ExecutionResult<T> | undefined;
        client.subscribe<T>(
          { query, variables },
          {
            next: (r) => void (result = r as ExecutionResult<T>),
            // graphql-ws reports operation errors as a GraphQLError list, socket failures as a CloseEvent
            error: (e) => (Array.isArray(e) ? resolve({ errors: e } as ExecutionResult<T>) : reject(e)),
            complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
          },
        );
      }),
    dispose: async () => {
      await client.dispose();
    },
  };
}

/** A raw graphql-transport-ws socket; `init` sends connection_init with the given payload. */
export async function rawWs(url: string): Promise<{ socket: WebSocket; closed: Promise<WsClosed>; messages: unknown[]; send(msg: unknown): void }> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const messages: unknown[] = [];
  const closed = new Promise<WsClosed>((r) => socket.once('close', (code, reason) => r({ code, reason: reason.toString() })));
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed, messages, send: (msg) => socket.send(typeof msg === 'string' ? msg : JSON.stringify(msg)) };
}

/** Resolves when `pred` holds, polling; fails after `ms`. */
export async function until(pred: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export type RawWs = Awaited<ReturnType<typeof rawWs>>;

/** A raw socket past connection_ack with `secret`; fails if the server closes it instead. */
export async function ackedWs(url: string, secret: string): Promise<RawWs> {
  const s = await rawWs(url);
  s.send({ type: 'connection_init', payload: { authorization: `Bearer ${secret}` } });
  await Promise.race([
    until(() => s.messages.some((m: any) => m.type === 'connection_ack')),
    s.closed.then((c) => {
      throw new Error(`closed ${c.code} ${c.reason} instead of connection_ack`);
    }),
  ]);
  return s;
}

/** The messages `s` got for operation `id`. */
export function messagesFor(s: RawWs, id: string): any[] {
  return s.messages.filter((m: any) => m.id === id);
}

/** Sends a subscribe for operation `id` and resolves with its first answer (next, error or complete). */
export async function firstAnswer(s: RawWs, id: string, query: string, variables?: Record<string, unknown>, ms = 5_000): Promise<any> {
  s.send({ id, type: 'subscribe', payload: { query, variables } });
  await until(() => messagesFor(s, id).length > 0, ms);
  return messagesFor(s, id)[0];
}
