/**
 * urql 6 (@urql/core; the React bindings take the same client) against spokegraph, with
 * subscriptions over graphql-ws. (docs/clients.md; test/integration/clients.test.ts runs it.)
 */
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { graphql } from './gql/index.js';

export function createUrqlClient(opts: { url: string; token: string; webSocketImpl?: unknown }) {
  const ws = createWsClient({
    url: opts.url.replace(/^http/, 'ws'),
    connectionParams: { authorization: `Bearer ${opts.token}` },
    webSocketImpl: opts.webSocketImpl,
  });
  const client = new Client({
    url: opts.url,
    // urql's defaults: short queries go as GET (Authorization makes them pass the CSRF guard)
    fetchOptions: () => ({ headers: { authorization: `Bearer ${opts.token}` } }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, dispose: () => ws.dispose() };
}

export const ProjectDeployments = graphql(`
  query ProjectDeployments($name: String!, $last: Int!) {
    project(name: $name) {
      id
      appDeployments(last: $last) {
        pageInfo { hasPreviousPage startCursor }
        nodes { id name phase status { percent waitingOn { reason since } } }
      }
    }
  }
`);

export const ProjectProgress = graphql(`
  subscription ProjectProgress($projectId: ID!, $after: String) {
    projectEvents(projectId: $projectId, after: $after) { cursor projectSeq subjectName type phase percent }
  }
`);
