/**
 * Saves hub and spoke state to one JSON file (debounced, written to a temp file and renamed, so a
 * crash never leaves half a file) and loads it at start: an embedded gateway that restarts finds
 * the hub as it left it. Watch history is not saved: old resourceVersions get 410 after a restart,
 * as they would after an etcd compaction.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../logger.js';
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

export class StatePersister {
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(
    private readonly file: string,
    private readonly capture: () => Omit<SimState, 'format' | 'savedAt'>,
    private readonly logger: Logger,
    private readonly debounceMs = 200,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.debounceMs);
  }

  /** Write now (and wait for any write in flight). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.save();
  }

  private save(): Promise<void> {
    const body = this.serialize();
    const tmp = `${this.file}.${process.pid}.${++this.seq}.tmp`;
    this.writing = this.writing.then(async () => {
      try {
        await mkdir(dirname(this.file), { recursive: true });
        await writeFile(tmp, body);
        await rename(tmp, this.file);
      } catch (e) {
        this.logger.error('SIMULATED hub: could not save state', { file: this.file, err: e });
      }
    });
    return this.writing;
  }

  private serialize(): string {
    const state: SimState = { format: 'spokegraph-sim/v1', savedAt: new Date().toISOString(), ...this.capture() };
    return JSON.stringify(state);
  }
}
