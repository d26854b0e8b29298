/** A graphql-ws subscription from the benchmark process (Node 20 has no global WebSocket: `ws`). */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription {
  client: Client;
  /** resolves once the server has acknowledged the connection */
  connected: Promise<void>;
  close(): Promise<void>;
}

export function subscribe<T = any>(
  wsUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  onError: (e: unknown) => void = (e) => console.error('subscription error', e),
): Subscription {
  let resolveConnected!: () => void;
  const connected = new Promise<void>((r) => (resolveConnected = r));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    on: { connected: () => resolveConnected() },
  });
  client.subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors?.length) onError(r.errors);
        if (r.data) onData(r.data as T);
      },
      error: onError,
      complete: () => undefined,
    },
  );
  return { client, connected, close: () => client.dispose() as Promise<void> };
}
