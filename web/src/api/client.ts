/**
 * One Apollo Client per signed-in token: HTTP for queries and mutations, graphql-ws for
 * subscriptions, both carrying the bearer token, on the same origin as the console.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import possibleTypes from '../gql/possible-types';

export interface Api {
  apollo: ApolloClient;
  ws: Client;
  close(): void;
}

export function createApi(token: string, origin = window.location.origin): Api {
  const ws = createClient({
    url: `${origin.replace(/^http/, 'ws')}/graphql`,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    // reconnect for as long as the page is open (the gateway restarts, the laptop sleeps);
    // live views resume from their last cursor (event-stream.ts)
    retryAttempts: Infinity,
    shouldRetry: () => true,
  });
  const http = new HttpLink({ uri: `${origin}/graphql`, headers: { authorization: `Bearer ${token}` } });
  const link = ApolloLink.split(
    ({ query }) => {
      const def = getMainDefinition(query);
      return def.kind === 'OperationDefinition' && def.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    http,
  );
  const apollo = new ApolloClient({
    link,
    // possibleTypes (generated): without it, fragments on the Node interface match nothing
    cache: new InMemoryCache({ possibleTypes: possibleTypes.possibleTypes }),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
  return {
    apollo,
    ws,
    close() {
      apollo.stop();
      void ws.dispose();
    },
  };
}

/** Checks a token by asking who it is; null when the gateway does not accept it. */
export async function whoAmI(token: string, origin = window.location.origin): Promise<{ name: string; isPlatformAdmin: boolean } | null> {
  const r = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { isPlatformAdmin name } }' }),
  });
  // `name`: the token's name, or an identity provider's user (an OIDC JWT has no token)
  const body = (await r.json().catch(() => null)) as { data?: { viewer?: { isPlatformAdmin: boolean; name: string } } } | null;
  const v = body?.data?.viewer;
  return v ? { name: v.name, isPlatformAdmin: v.isPlatformAdmin } : null;
}
