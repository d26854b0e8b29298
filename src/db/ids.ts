import { randomFillSync } from 'node:crypto';

/**
 * UUIDv7: time-ordered, so primary keys double as keyset-pagination order (creation order) and
 * B-tree inserts stay append-mostly. Monotonic within a process: a counter fills the random bits
 * when two ids share a millisecond.
 */
let lastMs = 0;
let seq = 0;

/**
 * Random bytes drawn from a pool refilled 4 KiB at a time: every entity constructor makes an id
 * (several per admission), and a randomBytes call each was a visible share of admission's CPU.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolAt = POOL_SIZE;

function randomInto(b: Buffer, n: number): void {
  if (poolAt + n > POOL_SIZE) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(b, 0, poolAt, poolAt + n);
  poolAt += n;
}

export function uuidv7(): string {
  const b = Buffer.allocUnsafe(16);
  randomInto(b, 16);
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    seq++;
    if (seq > 0xfff) {
      lastMs = ++ms;
      seq = 0;
    }
  } else {
    lastMs = ms;
    // (bytes 6 and 7 of b are overwritten below: their randomness seeds the counter)
    seq = b.readUInt16BE(6) & 0x3ff;
  }
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | ((seq >> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isUuid = (s: string): boolean => UUID.test(s);
