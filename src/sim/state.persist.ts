/**
 * Saves hub and spoke state to one JSON file (at most about once a second while things change,
 * and on stop; written to a temp file and renamed, so a crash never leaves half a file) and loads
 * it at start: an embedded gateway that restarts finds the hub as it left it. Watch history is not
 * saved: old resourceVersions get 410 after a restart, as they would after an etcd compaction.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../logger.js';
import type { KubeObject } from './kube.types.js';
import type { StoreSnapshot } from './object.store.js';

export interface SimState {
  format: 'spokegraph-sim/v1';
  savedAt: string;
  hub: StoreSnapshot;
  spokes: Record<string, StoreSnapshot>;
}

export function loadState(file: string): SimState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const state = JSON.parse(text) as SimState;
  if (state.format !== 'spokegraph-sim/v1' || !state.hub) throw new Error(`${file} is not a spokegraph simulated hub state file`);
  return state;
}

/**
 * JSON texts of stored objects from one save to the next. Stored objects are frozen, so an object's
 * text never changes: a save re-serialises only the objects written since the previous save, and
 * keeps the texts of exactly the objects it wrote (nothing else is retained).
 */
export class ObjectJsonCache {
  private previous = new Map<KubeObject, string>();
  private current = new Map<KubeObject, string>();

  text(o: KubeObject): string {
    let text = this.current.get(o) ?? this.previous.get(o);
    if (text === undefined) text = JSON.stringify(o);
    if (Object.isFrozen(o)) this.current.set(o, text);
    return text;
  }

  /** Ends one save: only the texts it used are kept, for the next one. */
  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

function snapshotJson(snap: StoreSnapshot, cache: ObjectJsonCache): string {
  return `{"rv":${JSON.stringify(snap.rv)},"objects":[${snap.objects.map((o) => cache.text(o)).join(',')}]}`;
}

/** The state file's text: the same JSON as JSON.stringify(state). */
export function stateJson(state: SimState, cache = new ObjectJsonCache()): string {
  const spokes = Object.entries(state.spokes).map(([name, snap]) => `${JSON.stringify(name)}:${snapshotJson(snap, cache)}`);
  const text = `{"format":${JSON.stringify(state.format)},"savedAt":${JSON.stringify(state.savedAt)},"hub":${snapshotJson(state.hub, cache)},"spokes":{${spokes.join(',')}}}`;
  cache.rotate();
  return text;
}

/**
 * Saves the state at most once per `intervalMs` while it changes. One save at a time, and the state
 * is serialised only when its write can start: a slow disk or a busy event loop delays saves (they
 * coalesce) instead of queueing full copies of the state in memory.
 */
export class StatePersister {
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private seq = 0;
  /** Changed since the last save. Starts true: the first flush writes the file even with no change. */
  private dirty = true;
  /** A change came in while a save was being written: save again once it is done. */
  private changedDuringWrite = false;
  private readonly texts = new ObjectJsonCache();

  /** `intervalMs`: a change is saved this long after it (later changes ride along), so at most one save per interval. */
  constructor(
    private readonly file: string,
    private readonly capture: () => Omit<SimState, 'format' | 'savedAt'>,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
  ) {}

  /** Something changed: save it within about intervalMs. */
  schedule(): void {
    this.dirty = true;
    if (this.inFlight) this.changedDuringWrite = true;
    else this.arm();
  }

  /** Write now if anything changed since the last save (after any write in flight). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight) await this.inFlight;
    await this.save();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.intervalMs);
  }

  private save(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (!this.dirty) return Promise.resolve();
    this.dirty = false;
    this.changedDuringWrite = false;
    const body = this.serialize();
    const tmp = `${this.file}.${process.pid}.${++this.seq}.tmp`;
    const write = (async () => {
      try {
        await mkdir(dirname(this.file), { recursive: true });
        await writeFile(tmp, body);
        await rename(tmp, this.file);
      } catch (e) {
        // Saved again with the next change (or on stop); no retry loop of its own.
        this.dirty = true;
        this.logger.error('SIMULATED hub: could not save state', { file: this.file, err: e });
      } finally {
        this.inFlight = undefined;
        if (this.changedDuringWrite) {
          this.changedDuringWrite = false;
          this.arm();
        }
      }
    })();
    this.inFlight = write;
    return write;
  }

  private serialize(): string {
    return stateJson({ format: 'spokegraph-sim/v1', savedAt: new Date().toISOString(), ...this.capture() }, this.texts);
  }
}
