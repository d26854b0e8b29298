/**
 * The hub adapter: the only path by which the gateway touches Kubernetes. Verbs take and return plain
 * JSON objects (timestamps as strings, the same shape watches deliver), retry transient failures
 * inside the verb with jittered backoff, and surface everything else as a classified HubError.
 *
 * All verbs go through client-node's CustomObjectsApi (raw JSON, no discovery): it is generic over
 * group/version/plural, and core kinds differ only in living under `/api/v1` instead of
 * `/apis/<group>/<version>`, which the HTTP library's route rewrites (`/apis//v1/...` → `/api/v1/...`).
 * Its requests are sent by our HttpLibrary (hub.http.ts: node:http(s), the keep-alive agent, the
 * request timeout) instead of node-fetch; authentication stays KubeConfig's.
 */
import {
  type CustomObjectsApi,
  Observable,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type ConfigurationOptions,
  type KubeConfig,
  type ObservableMiddleware,
} from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../logger.js';
import { secretValue } from './core.readers.js';
import { KeepAliveAgents } from './hub.agent.js';
import { coreGroupRoute, hubApiClient, HubHttpLibrary } from './hub.http.js';
import { FIELD_MANAGER, loadHubKubeConfig, type HubConnectionOptions } from './hub.connection.js';
import { hubError, HubErrorKind, HubError, toHubError, type HubErrorTarget, type HubVerb } from './hub.errors.js';
import { HubInformer, type InformerOptions } from './hub.informer.js';
import { applyOwned, deleteOwned, type DeleteOutcome, type RawHub } from './hub.owned.js';
import { selectorOf, type Ownership } from './labels.js';
import type { KubeObject, ObjectRef } from './object.types.js';
import { apiVersionOf, collectionPath, Resources, resourceForObject, type KindName, type ResourceType } from './resource.registry.js';
import { backoffDelay, DEFAULT_RETRY, sleep, type RetryPolicy } from './retry.js';
import { hubCalls, publish } from '../observability/channels.js';

export interface ListOptions {
  /** omit for cluster-scoped kinds, or to list a namespaced kind across all namespaces */
  namespace?: string;
  /** `k=v,k2 in (a,b)` or a map of equalities */
  labelSelector?: string | Record<string, string>;
}

export interface KubeList<T> {
  items: T[];
  /** the collection's resourceVersion: watch from here */
  resourceVersion: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** delete only this very object (409 Conflict when the name now holds another) */
  uid?: string;
}

export interface DeleteAndWaitOptions extends DeleteOptions {
  timeoutMs: number;
  /** default 500 ms */
  pollMs?: number;
}

export interface WatchOptions extends ListOptions, Partial<Omit<InformerOptions, 'logger'>> {}

export interface HubAdapter {
  /**
   * What flows write with: server-side apply of an object that carries its owners' ids, only over an
   * object that is ours (or absent); anyone else's is left untouched and a HubError of kind
   * NameConflict is thrown (hub.owned.ts). One GET before each apply.
   */
  applyOwned<T extends KubeObject>(obj: T): Promise<T>;
  /** What flows delete with: only `owner`'s object goes; another's is left alone ('foreign'). */
  deleteOwned(ref: ObjectRef, owner: Ownership): Promise<DeleteOutcome>;
  /** Server-side apply (force, field manager `spokegraph`) with no ownership check: tests and tools only. */
  apply<T extends KubeObject>(obj: T): Promise<T>;
  /** The object, or null when it does not exist. */
  get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | null>;
  list<T extends KubeObject = KubeObject>(kind: KindName, opts?: ListOptions): Promise<KubeList<T>>;
  /** Request deletion, with no ownership check (flows use deleteOwned); an absent object counts as deleted. Finalizers may keep it a while. */
  delete(ref: ObjectRef, opts?: DeleteOptions): Promise<void>;
  /** Request deletion and poll until the object is gone; a transient HubError (reason Timeout) after timeoutMs. */
  deleteAndWait(ref: ObjectRef, opts: DeleteAndWaitOptions): Promise<void>;
  /** `data[key]` of a Secret, base64-decoded; null when the Secret or key is absent. */
  getSecretValue(ref: { namespace: string; name: string }, key: string): Promise<string | null>;
  /**
   * PUT a CertificateSigningRequest's `/approval` subresource (its status conditions, as read plus
   * the decision): optimistic on the read resourceVersion, so a stale CSR fails with a Conflict.
   */
  approveCsr(csr: KubeObject): Promise<KubeObject>;
  /** A cache of one kind (optionally one namespace / selector); call start(). */
  informer<T extends KubeObject = KubeObject>(kind: KindName, opts?: WatchOptions): HubInformer<T>;
}

export interface HubAdapterOptions {
  logger?: Logger;
  retry?: RetryPolicy;
  /** per request (not watches); default 30 s */
  requestTimeoutMs?: number;
  /** server-side watch timeout, so watches are recycled even when the client timeout cannot fire; default 300 */
  watchTimeoutSeconds?: number;
  /** list page size (`limit`); default 500 */
  listPageSize?: number;
}

/** Server-managed metadata that must not be sent with an apply (resourceVersion would make it conditional). */
const SERVER_METADATA = ['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'];

/** The body of an apply: the object minus status and server-managed metadata. */
export function applyBody<T extends KubeObject>(obj: T): KubeObject {
  const body: KubeObject = { ...obj, metadata: { ...obj.metadata } };
  delete body.status;
  for (const key of SERVER_METADATA) delete body.metadata[key];
  return body;
}

const passThrough = <X>(x: X) => new Observable(Promise.resolve(x));

export class KubeHubAdapter implements HubAdapter {
  private readonly api: CustomObjectsApi;
  private readonly watcher: Watch;
  private readonly log: Logger;
  private readonly retry: RetryPolicy;
  private readonly requestTimeoutMs: number;
  private readonly watchTimeoutSeconds: number;
  private readonly listPageSize: number;
  private readonly agents = new KeepAliveAgents();

  constructor(kc: KubeConfig, opts: HubAdapterOptions = {}) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.api = hubApiClient(kc, new HubHttpLibrary({ agents: this.agents, timeoutMs: this.requestTimeoutMs, route: coreGroupRoute }));
    this.watcher = new Watch(kc);
    this.log = (opts.logger ?? silentLogger).child({ component: 'hub' });
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.watchTimeoutSeconds = opts.watchTimeoutSeconds ?? 300;
    this.listPageSize = opts.listPageSize ?? 500;
  }

  /**
   * Options of the calls that need more than the shared configuration: client-node's header middleware
   * for the apply content type (generated patch methods would otherwise send application/json-patch+json),
   * and the CSR approval subresource (the generated client has no method for subresources other than
   * status and scale). Built once: per-call option objects and middleware closures were measurable.
   */
  private readonly applyOptions = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply, {});
  private readonly approvalOptions: ConfigurationOptions<ObservableMiddleware> = {
    middleware: [
      {
        pre: (ctx) => {
          ctx.setUrl(ctx.getUrl().replace(/\/status(\?|$)/, '/approval$1'));
          return passThrough(ctx);
        },
        post: passThrough,
      },
    ],
    middlewareMergeStrategy: 'append',
  };

  private async call<T>(verb: HubVerb, target: HubErrorTarget, fn: () => Promise<T>, opts: { conditional?: boolean } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const started = process.hrtime.bigint();
      const report = (status: string) =>
        publish(hubCalls, () => ({ source: this, verb, kind: target.kind ?? 'unknown', namespace: target.namespace, status, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
      try {
        const result = await fn();
        report('ok');
        return result;
      } catch (err) {
        const e = toHubError(err, verb, target);
        report(e.status ? String(e.status) : 'error');
        // a conditional write that lost its precondition fails the same way every time: the caller reads again
        const stale = opts.conditional && e.status === 409;
        if (!e.retryable || stale || attempt + 1 >= this.retry.attempts) {
          if (e.kind !== HubErrorKind.NotFound) this.log.warn('hub call failed', { ...e.logFields(), attempts: attempt + 1 });
          throw e;
        }
        const delayMs = Math.max(backoffDelay(attempt, this.retry), Math.min(e.retryAfterMs ?? 0, this.retry.maxMs));
        this.log.debug('hub call failed; retrying', { ...e.logFields(), attempt: attempt + 1, delayMs });
        await sleep(delayMs);
      }
    }
  }

  private static target(r: ResourceType, name?: string, namespace?: string): HubErrorTarget {
    return { kind: r.kind, name, namespace: r.namespaced ? namespace : undefined };
  }

  private static namespaceOf(r: ResourceType, namespace: string | undefined, name: string): string {
    if (r.namespaced && !namespace) throw new Error(`${r.kind} ${name} needs a namespace`);
    return namespace ?? '';
  }

  /** Fill apiVersion/kind, which list items of core kinds do not carry. */
  private static withTypeMeta<T extends KubeObject>(r: ResourceType, obj: unknown): T {
    const o = obj as T;
    return o.apiVersion && o.kind ? o : ({ ...o, apiVersion: apiVersionOf(r), kind: r.kind } as T);
  }

  async apply<T extends KubeObject>(obj: T): Promise<T> {
    return this.applyAt(obj);
  }

  /** Server-side apply; with `resourceVersion` it only succeeds on that version of the object. */
  private async applyAt<T extends KubeObject>(obj: T, resourceVersion?: string): Promise<T> {
    const r = resourceForObject(obj);
    const { name } = obj.metadata;
    const namespace = KubeHubAdapter.namespaceOf(r, obj.metadata.namespace, name);
    const body = applyBody(obj);
    if (resourceVersion) body.metadata.resourceVersion = resourceVersion;
    const common = { group: r.group, version: r.version, plural: r.plural, name, body, fieldManager: FIELD_MANAGER, force: true };
    const opts = this.applyOptions;
    return this.call(
      'apply',
      KubeHubAdapter.target(r, name, namespace),
      () => (r.namespaced ? this.api.patchNamespacedCustomObject({ ...common, namespace }, opts) : this.api.patchClusterCustomObject(common, opts)),
      { conditional: Boolean(resourceVersion) },
    ) as Promise<T>;
  }

  private readonly raw: RawHub = {
    get: (ref) => this.get(ref),
    applyAt: (obj, resourceVersion) => this.applyAt(obj, resourceVersion),
    deleteUid: (ref, uid, propagationPolicy) => this.delete(ref, { uid, propagationPolicy }),
  };

  async applyOwned<T extends KubeObject>(obj: T): Promise<T> {
    return applyOwned(this.raw, obj);
  }

  async deleteOwned(ref: ObjectRef, owner: Ownership): Promise<DeleteOutcome> {
    return deleteOwned(this.raw, ref, owner);
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | null> {
    const r = Resources[ref.kind];
    const namespace = KubeHubAdapter.namespaceOf(r, ref.namespace, ref.name);
    const params = { group: r.group, version: r.version, plural: r.plural, name: ref.name };
    try {
      const obj = await this.call('get', KubeHubAdapter.target(r, ref.name, namespace), () =>
        r.namespaced ? this.api.getNamespacedCustomObject({ ...params, namespace }) : this.api.getClusterCustomObject(params),
      );
      return KubeHubAdapter.withTypeMeta<T>(r, obj);
    } catch (err) {
      if (err instanceof HubError && err.kind === HubErrorKind.NotFound) return null;
      throw err;
    }
  }

  /** Pages through the collection; an expired continue token (410) restarts the whole list. */
  async list<T extends KubeObject = KubeObject>(kind: KindName, opts: ListOptions = {}): Promise<KubeList<T>> {
    const r = Resources[kind];
    const labelSelector = typeof opts.labelSelector === 'object' ? selectorOf(opts.labelSelector) : opts.labelSelector || undefined;
    const base = { group: r.group, version: r.version, plural: r.plural, labelSelector, limit: this.listPageSize };
    const page = (cont: string | undefined): Promise<{ items?: unknown[]; metadata?: { resourceVersion?: string; continue?: string } }> => {
      const params = { ...base, _continue: cont };
      if (!r.namespaced) return this.api.listClusterCustomObject(params);
      if (opts.namespace) return this.api.listNamespacedCustomObject({ ...params, namespace: opts.namespace });
      return this.api.listCustomObjectForAllNamespaces(params);
    };
    return this.call('list', KubeHubAdapter.target(r, undefined, opts.namespace), async () => {
      const items: T[] = [];
      let cont: string | undefined;
      let resourceVersion = '';
      do {
        const result = await page(cont);
        for (const item of result.items ?? []) items.push(KubeHubAdapter.withTypeMeta<T>(r, item));
        resourceVersion = result.metadata?.resourceVersion ?? resourceVersion;
        cont = result.metadata?.continue || undefined;
      } while (cont);
      return { items, resourceVersion };
    });
  }

  async delete(ref: ObjectRef, opts: DeleteOptions = {}): Promise<void> {
    const r = Resources[ref.kind];
    const namespace = KubeHubAdapter.namespaceOf(r, ref.namespace, ref.name);
    const body = opts.uid ? { preconditions: { uid: opts.uid } } : undefined;
    const params = { group: r.group, version: r.version, plural: r.plural, name: ref.name, propagationPolicy: opts.propagationPolicy, body };
    try {
      await this.call('delete', KubeHubAdapter.target(r, ref.name, namespace), () =>
        r.namespaced
          ? this.api.deleteNamespacedCustomObject({ ...params, namespace })
          : this.api.deleteClusterCustomObject(params),
      );
    } catch (err) {
      if (err instanceof HubError && err.kind === HubErrorKind.NotFound) return;
      throw err;
    }
  }

  async deleteAndWait(ref: ObjectRef, opts: DeleteAndWaitOptions): Promise<void> {
    const deadline = Date.now() + opts.timeoutMs;
    const pollMs = opts.pollMs ?? 500;
    await this.delete(ref, opts);
    let uid: string | undefined;
    for (;;) {
      const obj = await this.get(ref);
      // gone, or gone and already re-created by someone else (another uid)
      if (!obj || (uid !== undefined && obj.metadata.uid !== uid)) return;
      uid ??= obj.metadata.uid;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const r = Resources[ref.kind];
        throw hubError(HubErrorKind.Transient, 'delete', KubeHubAdapter.target(r, ref.name, ref.namespace), {
          reason: 'Timeout',
          kubeMessage: `still present after ${opts.timeoutMs} ms; finalizers: ${(obj.metadata.finalizers ?? []).join(', ') || 'none'}`,
        });
      }
      await sleep(Math.min(pollMs, remaining));
    }
  }

  async getSecretValue(ref: { namespace: string; name: string }, key: string): Promise<string | null> {
    const secret = await this.get({ kind: 'Secret', namespace: ref.namespace, name: ref.name });
    return (secret && secretValue(secret, key)) ?? null;
  }

  async approveCsr(csr: KubeObject): Promise<KubeObject> {
    const r = Resources.CertificateSigningRequest;
    const name = csr.metadata.name;
    const opts = this.approvalOptions;
    return this.call(
      'approve',
      KubeHubAdapter.target(r, name),
      () => this.api.replaceClusterCustomObjectStatus({ group: r.group, version: r.version, plural: r.plural, name, body: csr }, opts) as Promise<KubeObject>,
      { conditional: true },
    );
  }

  informer<T extends KubeObject = KubeObject>(kind: KindName, opts: WatchOptions = {}): HubInformer<T> {
    const r = Resources[kind];
    const labelSelector = typeof opts.labelSelector === 'object' ? selectorOf(opts.labelSelector) : opts.labelSelector || undefined;
    const path = collectionPath(r, opts.namespace);
    const name = [kind, opts.namespace, labelSelector].filter(Boolean).join(' ');
    return new HubInformer<T>(
      {
        name,
        list: () => this.list<T>(kind, { namespace: opts.namespace, labelSelector }),
        watch: (resourceVersion, onEvent, onDone) =>
          this.watcher.watch(
            path,
            { resourceVersion: resourceVersion || undefined, allowWatchBookmarks: true, labelSelector, timeoutSeconds: this.watchTimeoutSeconds },
            onEvent,
            onDone,
          ),
        normalize: (obj) => KubeHubAdapter.withTypeMeta<T>(r, obj),
      },
      { logger: this.log, resyncMs: opts.resyncMs, backoff: opts.backoff },
    );
  }
}

/** The adapter for a configured hub. */
export function createHubAdapter(connection: HubConnectionOptions, opts: HubAdapterOptions = {}): KubeHubAdapter {
  return new KubeHubAdapter(loadHubKubeConfig(connection), opts);
}
