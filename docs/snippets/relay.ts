/**
 * Relay (relay-runtime 21) against spokegraph: a Network for HTTP and graphql-ws, and the compiled
 * artifacts of relayDocuments.ts. Relay normalizes every object that has an `id` into one record
 * per id, which is why the schema gives `id` only to Node types (globally unique) — a dry-run plan
 * no longer overwrites the compute pool it names. (docs/clients.md; test/integration/clients.test.ts.)
 */
import { createClient } from 'graphql-ws';
import { commitMutation, Environment, fetchQuery, Network, Observable, RecordSource, Store, type GraphQLResponse, type RequestParameters, type Variables } from 'relay-runtime';
import dryRunMutation from './__generated__/relayDocumentsDryRunMutation.graphql.js';
import poolQuery from './__generated__/relayDocumentsPoolQuery.graphql.js';

export function createRelayEnvironment(opts: { url: string; token: string; webSocketImpl?: unknown }) {
  const ws = createClient({
    url: opts.url.replace(/^http/, 'ws'),
    connectionParams: { authorization: `Bearer ${opts.token}` },
    webSocketImpl: opts.webSocketImpl,
  });
  const fetchFn = async (params: RequestParameters, variables: Variables): Promise<GraphQLResponse> => {
    const r = await fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
      body: JSON.stringify({ query: params.text, operationName: params.name, variables }),
    });
    return (await r.json()) as GraphQLResponse;
  };
  const subscribeFn = (params: RequestParameters, variables: Variables) =>
    Observable.create<GraphQLResponse>((sink) => ws.subscribe({ query: params.text ?? '', operationName: params.name, variables }, sink as never));
  const environment = new Environment({ network: Network.create(fetchFn, subscribeFn), store: new Store(new RecordSource()) });
  return { environment, dispose: () => ws.dispose() };
}

export function loadPool(environment: Environment, id: string) {
  return fetchQuery(environment, poolQuery, { id }).toPromise();
}

/** A dry run (the gateway writes nothing); its answer is normalized into the same store. */
export function planDeployment(environment: Environment, input: Record<string, unknown>) {
  return new Promise<unknown>((resolve, reject) => {
    commitMutation(environment, { mutation: dryRunMutation, variables: { input: { ...input, dryRun: true } }, onCompleted: resolve, onError: reject });
  });
}
