/**
 * A TCP port that was free a moment ago, for a server a test cannot start on port 0 (a proxy or a
 * child whose address the test must know before it starts). Prefer port 0 where the server reports
 * its own address.
 */
import net from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
