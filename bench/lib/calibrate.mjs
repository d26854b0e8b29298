/**
 * The machine's speed, on two fixed workloads none of our code is part of, so that figures measured
 * on different machines (or on one machine at different times: shared hosts vary by ±30 % and more)
 * can be compared. Run in its own process (`node bench/lib/calibrate.mjs`, JSON on stdout) so the
 * benchmark's heap and JIT state do not enter it.
 *
 * - js: µs of one graphql-js operation (parse, validate, execute a 20-item list of 8 fields, and
 *   JSON.stringify the result), the kind of work a gateway's CPU figures are made of.
 * - loopback: µs of one 256-byte round trip over a TCP connection on 127.0.0.1 (two writes, two
 *   reads, two wake-ups), the kernel path the fan-out and connect figures are bound by.
 *
 * Each is the best of several slices: the best is what the machine can do, the slices that lose to
 * it are other work sharing the cores.
 */
import net from 'node:net';
import { buildSchema, graphqlSync } from 'graphql';

const SLICES = 7;

function js() {
  const schema = buildSchema(`
    type Item { id: ID! name: String! size: Int! ratio: Float! ready: Boolean! tags: [String!]! owner: Owner! note: String }
    type Owner { id: ID! name: String! }
    type Query { items(first: Int!): [Item!]! }
  `);
  const items = Array.from({ length: 20 }, (_, i) => ({
    id: `item-${i}`, name: `name ${i}`, size: i * 7, ratio: i / 3, ready: i % 2 === 0, tags: ['a', 'b', `t${i}`], owner: { id: `o${i % 5}`, name: `owner ${i % 5}` }, note: null,
  }));
  const rootValue = { items: ({ first }) => items.slice(0, first) };
  const source = 'query Q($n: Int!) { items(first: $n) { id name size ratio ready tags owner { id name } note } }';
  const op = () => JSON.stringify(graphqlSync({ schema, source, rootValue, variableValues: { n: 20 } }));
  for (let i = 0; i < 200; i++) op(); // compiled before it is timed
  let best = Infinity;
  for (let s = 0; s < SLICES; s++) {
    const n = 100;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) op();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  return best;
}

async function loopback() {
  const server = net.createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const socket = net.connect(server.address().port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  const payload = Buffer.alloc(256, 120);
  const trips = (n) =>
    new Promise((resolve) => {
      let left = n;
      let got = 0;
      const t0 = process.hrtime.bigint();
      const onData = (d) => {
        got += d.length;
        if (got < payload.length) return;
        got = 0;
        if (--left === 0) {
          socket.off('data', onData);
          resolve(Number(process.hrtime.bigint() - t0) / 1000 / n);
        } else socket.write(payload);
      };
      socket.on('data', onData);
      socket.write(payload);
    });
  await trips(500);
  let best = Infinity;
  for (let s = 0; s < SLICES; s++) best = Math.min(best, await trips(1000));
  socket.destroy();
  server.close();
  return best;
}

const out = { js: js(), loopback: await loopback() };
process.stdout.write(JSON.stringify({ js: Math.round(out.js), loopback: Math.round(out.loopback * 10) / 10 }) + '\n');
