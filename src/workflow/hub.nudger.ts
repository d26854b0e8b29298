/**
 * Hub watches that wake waiting workflow steps early. Steps poll on their own (so a silent watch can
 * never stall a flow); these informers only shorten the wait: when a subject's hub object changes,
 * its job becomes due now.
 *
 * The engine knows nothing of pools or deployments: each watch says which objects matter and how an
 * object names its subject (a key), and a locator maps keys to subject ids (the features provide both,
 * see hub.watches.ts).
 */
import type { HubAdapter, HubInformer, KindName, KubeObject } from '../kube/index.js';
import type { Logger } from '../logger.js';

export interface HubWatch {
  kind: KindName;
  labelSelector?: string;
  /** A key naming the subject `obj` belongs to (e.g. "pool|<project>|<name>"), or null if none. */
  subjectKey(obj: KubeObject): string | null;
  /** Deletions matter too (default true). */
  onDelete?: boolean;
}

/** Subject ids for keys that `HubWatch.subjectKey` produced (unknown keys are left out). */
export interface SubjectLocator {
  (keys: string[]): Promise<string[]>;
  /** A watched object of this key was deleted: a locator that remembers keys looks it up again next time. */
  forget?(key: string): void;
}

/** Makes a subject's waiting job due now (WorkflowRunner.nudge). */
export type Nudge = (subjectId: string) => Promise<void>;

export class HubNudger {
  private readonly informers: HubInformer<KubeObject>[] = [];
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly hub: HubAdapter,
    private readonly watches: HubWatch[],
    private readonly locate: SubjectLocator,
    private readonly nudge: Nudge,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const w of this.watches) {
      const inf = this.hub.informer<KubeObject>(w.kind, w.labelSelector ? { labelSelector: w.labelSelector } : undefined);
      const on = (obj: KubeObject) => {
        const key = w.subjectKey(obj);
        if (key) this.queue(key);
      };
      inf.on('add', on);
      inf.on('update', on);
      if (w.onDelete !== false) {
        inf.on('delete', (obj) => {
          const key = w.subjectKey(obj);
          if (!key) return;
          this.locate.forget?.(key);
          this.queue(key);
        });
      }
      inf.start();
      this.informers.push(inf);
    }
  }

  stop(): void {
    for (const inf of this.informers) inf.stop();
    this.informers.length = 0;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Coalesces bursts (a status write touches several objects) into one lookup. */
  private queue(key: string): void {
    this.pending.add(key);
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), 10);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const keys = [...this.pending];
    this.pending.clear();
    try {
      for (const id of await this.locate(keys)) await this.nudge(id);
    } catch (e) {
      this.log.debug('hub nudge failed; steps still poll', { err: e as Error });
    }
  }
}
