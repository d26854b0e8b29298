import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { publishTogether } from '../../src/events/publish.batch.js';
import { bytesHeld, writeBatched, writeBatchedThen } from '../../src/graphql/ws.batch.js';

/** A connected loopback pair: the server's socket to write to, and everything its peer receives. */
async function pair(): Promise<{ tcp: net.Socket; received: () => Promise<Buffer>; close: () => void }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const chunks: Buffer[] = [];
  client.on('data', (d: Buffer) => chunks.push(d));
  const tcp = await accepted;
  return {
    tcp,
    received: async () => {
      await new Promise((r) => setTimeout(r, 50));
      return Buffer.concat(chunks);
    },
    close: () => {
      client.destroy();
      tcp.destroy();
      server.close();
    },
  };
}

describe('a commit’s frames to one socket go out as one write (ws.batch)', () => {
  let close = () => {};
  afterEach(() => close());

  it('should write at once, one write per frame, outside a batch', async () => {
    const p = await pair();
    close = p.close;
    const writev = vi.spyOn(p.tcp as unknown as { _writev: (...a: unknown[]) => void }, '_writev');
    const write = vi.spyOn(p.tcp as unknown as { _write: (...a: unknown[]) => void }, '_write');
    writeBatched(p.tcp, Buffer.from('a'));
    expect(write).toHaveBeenCalledTimes(1);
    writeBatched(p.tcp, Buffer.from('b'));
    expect(bytesHeld(p.tcp)).toBe(0);
    expect(write).toHaveBeenCalledTimes(2);
    expect(writev).not.toHaveBeenCalled();
    expect((await p.received()).toString()).toBe('ab');
  });

  it('should hold a batch’s frames to a socket and send them in order in one writev when the batch ends', async () => {
    const p = await pair();
    close = p.close;
    const writev = vi.spyOn(p.tcp as unknown as { _writev: (...a: unknown[]) => void }, '_writev');
    const write = vi.spyOn(p.tcp as unknown as { _write: (...a: unknown[]) => void }, '_write');
    let heldInside = -1;
    let lengthInside = -1;
    publishTogether(() => {
      writeBatched(p.tcp, Buffer.from('one,'));
      // another writer (ws itself, graphql-ws's own message) lands in the same buffer, in order
      p.tcp.write('two,');
      writeBatched(p.tcp, Buffer.from('three'));
      heldInside = bytesHeld(p.tcp);
      lengthInside = p.tcp.writableLength;
      expect(write).not.toHaveBeenCalled();
      expect(writev).not.toHaveBeenCalled();
    });
    // the batch's own bytes, told apart from a socket with other unflushed data
    expect(heldInside).toBe(9);
    expect(lengthInside).toBe(13);
    expect(writev).toHaveBeenCalledTimes(1);
    expect(write).not.toHaveBeenCalled();
    expect(bytesHeld(p.tcp)).toBe(0);
    expect(p.tcp.writableCorked).toBe(0);
    expect((await p.received()).toString()).toBe('one,two,three');
  });

  it('should end a nested batch with the outermost one, and call write callbacks once sent', async () => {
    const p = await pair();
    close = p.close;
    const done: string[] = [];
    publishTogether(() => {
      publishTogether(() => writeBatched(p.tcp, Buffer.from('x'), () => done.push('x')));
      expect(p.tcp.writableCorked).toBe(1);
      writeBatched(p.tcp, Buffer.from('y'), () => done.push('y'));
    });
    expect(p.tcp.writableCorked).toBe(0);
    expect((await p.received()).toString()).toBe('xy');
    expect(done).toEqual(['x', 'y']);
  });

  it('should say a frame is done at once when the socket took it, without a write callback', async () => {
    const p = await pair();
    close = p.close;
    const write = vi.spyOn(p.tcp as unknown as { _write: (...a: unknown[]) => void }, '_write');
    let done = 0;
    writeBatchedThen(p.tcp, Buffer.from('ack'), () => done++);
    expect(done).toBe(1);
    expect(write).toHaveBeenCalledTimes(1);
    // no user callback reached Node's write state (its hidden class stays the live path's)
    expect(Object.getOwnPropertySymbols((p.tcp as unknown as { _writableState: object })._writableState).map(String)).not.toContain('Symbol(kAfterWriteTickInfoValue)');
    expect((await p.received()).toString()).toBe('ack');
  });

  it('should say a frame is done only once a slow reader has taken it, and inside a batch once the batch is sent', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    client.pause();
    const tcp = await accepted;
    close = () => {
      client.destroy();
      tcp.destroy();
      server.close();
    };
    let received = 0;
    client.on('data', (d: Buffer) => (received += d.length));
    const big = Buffer.alloc(32 * 1024 * 1024, 1);
    let done = false;
    writeBatchedThen(tcp, big, () => (done = true));
    expect(tcp.writableLength).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    client.resume();
    await vi.waitFor(() => expect(done).toBe(true), { timeout: 5_000 });
    await vi.waitFor(() => expect(received).toBe(big.length), { timeout: 5_000 });

    let inBatch = false;
    publishTogether(() => {
      writeBatchedThen(tcp, Buffer.from('x'), () => (inBatch = true));
      expect(tcp.writableCorked).toBe(1);
    });
    await vi.waitFor(() => expect(inBatch).toBe(true));
    await vi.waitFor(() => expect(received).toBe(big.length + 1));
  });
});
