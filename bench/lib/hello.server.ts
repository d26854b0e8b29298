/**
 * The baseline for the graph benchmark: a bare Apollo Server 5 hello-world on the same HTTP stack as
 * the gateway (node:http + Express 5 + @as-integrations/express5 + express.json()), Apollo's
 * defaults otherwise. Listens on PORT (default 0) on 127.0.0.1 and prints `listening <port>`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

const apollo = new ApolloServer({
  typeDefs: 'type Query { hello: String! }',
  resolvers: { Query: { hello: () => 'world' } },
});
await apollo.start();
const app = express();
const server = http.createServer(app);
app.get('/readyz', (_req, res) => void res.json({ status: 'ready' }));
app.use('/graphql', express.json(), expressMiddleware(apollo));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
const stop = () => {
  server.close();
  void apollo.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
