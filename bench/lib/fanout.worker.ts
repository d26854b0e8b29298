/**
 * A subscriber process for the fan-out benchmark: holds many graphql-ws sockets (graphql-transport-ws
 * spoken directly over `ws`, one subscription per socket) and records, for every event delivered,
 * the delay between the `details.t` stamped before the commit in the gateway and its arrival here,
 * with the event's number `details.i` (the benchmark breaks the delay down per event). The receive
 * time is taken first thing in the message handler, on the clock the gateway stamps with
 * (report.ts `wallNow`); the payload is not JSON-parsed (the stamp is read with a regex) to keep
 * the client's own cost small.
 *
 * `warm` runs this process's client code (connect, handshake, receive) against a local stand-in
 * server before anything is measured: a fresh subscriber process compiles its receive path while it
 * receives, and on a 2-core machine that JIT work took CPU from the gateway during the first measured
 * events (receivers' CPU per delivery about twice the later runs'). The gateway is not touched by it.
 */
import WebSocket, { WebSocketServer } from 'ws';
import { serveIpc } from './proc.js';
import { wallNow } from './report.js';

const sockets: WebSocket[] = [];
let delays: number[] = [];
/** the event number of each delay */
let events: number[] = [];
let received = 0;
let errors: string[] = [];
/** sockets the server closed after the subscription started (e.g. keep-alive timeouts under load) */
let closedEarly = 0;
let closing = false;
/** CPU used since the last reset (what receiving costs the benchmark itself) */
let cpuFrom = process.cpuUsage();
const STAMP = /\\?"t\\?":([0-9.]+),\\?"i\\?":(\d+)/;

function open(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    let acked = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no connection_ack within 60 s'));
    }, 60_000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('message', (data: Buffer) => {
      const at = wallNow();
      if (acked) {
        const s = data.toString('utf8');
        if (s.startsWith('{"id":"1","type":"next"') || s.includes('"type":"next"')) {
          const m = STAMP.exec(s);
          received++;
          if (m) {
            delays.push(at - Number(m[1]));
            events.push(Number(m[2]));
          }
          else if (errors.length < 5) errors.push(s.slice(0, 300));
        } else if (s.includes('"type":"ping"')) ws.send('{"type":"pong"}');
        else if (errors.length < 5) errors.push(s.slice(0, 300));
        return;
      }
      const msg = JSON.parse(data.toString('utf8')) as { type: string };
      if (msg.type === 'connection_ack') {
        acked = true;
        clearTimeout(timer);
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
        resolve(ws);
      }
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      if (!acked) reject(e);
      else if (errors.length < 5) errors.push(`socket error: ${e.message}`);
    });
    ws.on('close', (code, reason) => {
      if (!acked) {
        clearTimeout(timer);
        reject(new Error(`closed before ack: ${code}`));
      } else if (!closing) {
        closedEarly++;
        if (errors.length < 5) errors.push(`socket closed by the server: ${code} ${reason.toString()}`);
      }
    });
  });
}

/**
 * A stand-in graphql-transport-ws server in this process: acks, then sends `messages` `next` frames
 * shaped like the gateway's (a stamp in details) to each subscribed socket.
 */
async function warm({ sockets: n, messages }: { sockets: number; messages: number }): Promise<{ received: number; ms: number }> {
  const t0 = performance.now();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => server.once('listening', () => r()));
  server.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const type = (JSON.parse(data.toString('utf8')) as { type: string }).type;
      if (type === 'connection_init') ws.send('{"type":"connection_ack"}');
      else if (type === 'subscribe') {
        for (let i = 0; i < messages; i++) {
          ws.send(`{"id":"1","type":"next","payload":{"data":{"projectEvents":{"id":"w","seq":${i},"type":"WARM","details":{"t":${wallNow()},"i":${i}}}}}}`);
        }
      }
    });
  });
  const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  const opened: WebSocket[] = [];
  for (let k = 0; k < n; k++) opened.push(await open(url, 'warm', 'subscription { warm }', {}));
  const until = performance.now() + 30_000;
  while (received < n * messages && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  const got = received;
  // every close seen before `closing` is cleared (a later one would count as a server's close)
  closing = true;
  await Promise.all(opened.map((ws) => new Promise<void>((r) => (ws.readyState === WebSocket.CLOSED ? r() : (ws.once('close', () => r()), ws.terminate())))));
  await new Promise<void>((r) => server.close(() => r()));
  closing = false;
  return { received: got, ms: performance.now() - t0 };
}

serveIpc({
  warm,
  connect: async ({ url, token, query, variables, count, parallel }: { url: string; token: string; query: string; variables: Record<string, unknown>; count: number; parallel: number }) => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let failed = 0;
    let next = 0;
    const firstErrors: string[] = [];
    const lane = async () => {
      while (next < count) {
        next++;
        try {
          sockets.push(await open(url, token, query, variables));
        } catch (e) {
          failed++;
          if (firstErrors.length < 3) firstErrors.push((e as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
    const used = process.cpuUsage(cpu0);
    return { connected: sockets.length, failed, ms: performance.now() - t0, errors: firstErrors, cpuMs: (used.user + used.system) / 1000 };
  },
  reset: () => {
    delays = [];
    events = [];
    received = 0;
    errors = [];
    closedEarly = 0;
    cpuFrom = process.cpuUsage();
    return true;
  },
  count: () => received,
  stats: () => {
    const used = process.cpuUsage(cpuFrom);
    return { received, delays, events, errors, closedEarly, rss: process.memoryUsage().rss, cpuMs: (used.user + used.system) / 1000 };
  },
  close: async () => {
    closing = true;
    await Promise.all(
      sockets.splice(0).map(
        (ws) =>
          new Promise<void>((r) => {
            ws.once('close', () => r());
            ws.close(1000);
            setTimeout(() => {
              ws.terminate();
              r();
            }, 5_000);
          }),
      ),
    );
    closing = false;
    return true;
  },
  stop: () => {
    setTimeout(() => process.exit(0), 10);
    return true;
  },
});

process.send?.({ type: 'ready' });
