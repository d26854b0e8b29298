/**
 * A TCP proxy in front of a gateway that breaks its first WebSocket connection mid-stream, as a
 * network drop would: after forwarding `cutAfter` bytes from the gateway it closes both sides.
 * HTTP requests and later WebSocket connections pass through untouched.
 */
import net from 'node:net';

export interface CutProxy {
  url: string;
  /** WebSocket connections seen, and how many were cut */
  stats: { websockets: number; cuts: number };
  close(): Promise<void>;
}

export async function startCutProxy(upstreamUrl: string, cutAfter: number): Promise<CutProxy> {
  const upstream = new URL(upstreamUrl);
  const stats = { websockets: 0, cuts: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const target = net.connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, target]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    let cut: number | null = null;
    let forwarded = 0;
    client.once('data', (first) => {
      if (/upgrade: websocket/i.test(first.toString('latin1')) && ++stats.websockets === 1) cut = cutAfter;
      target.write(first);
      client.pipe(target);
      target.on('data', (chunk: Buffer) => {
        if (cut === null) return void client.write(chunk);
        const room = cut - forwarded;
        if (chunk.length < room) {
          forwarded += chunk.length;
          return void client.write(chunk);
        }
        client.write(chunk.subarray(0, room));
        stats.cuts++;
        client.destroy();
        target.destroy();
      });
    });
    client.once('close', () => target.destroy());
    target.once('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    stats,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
