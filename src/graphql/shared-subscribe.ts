/**
 * Fan-out without per-subscriber execution. graphql-js executes a subscription's selection once per
 * event per subscriber; with thousands of subscribers on one project that dominates the cost of an
 * event. Event subscriptions resolve only plain data from the event itself, so subscribers whose
 * documents ask the same question of the same event get the same answer: it is computed once and
 * shared (per event object and document). Subscribers still get their own stream: replay, cursors,
 * access checks and buffering are per subscription.
 */
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  subscribe,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';

/** Root fields whose results depend only on the event (no context, no field arguments below the root). */
const SHAREABLE_ROOTS = new Set(['computePoolEvents', 'appDeploymentEvents', 'projectEvents']);

const shapes = new WeakMap<DocumentNode, string | null>();

/** A key for documents whose per-event result is the same for every subscriber, else null. */
export function shareKey(document: DocumentNode, operationName: string | null | undefined): string | null {
  const cacheKey = shapes.get(document);
  if (cacheKey !== undefined) return cacheKey === null ? null : `${operationName ?? ''}|${cacheKey}`;
  let key: string | null = null;
  const op = getOperationAST(document, operationName);
  const root = op?.operation === 'subscription' && op.selectionSet.selections.length === 1 ? op.selectionSet.selections[0] : null;
  if (root && root.kind === Kind.FIELD && SHAREABLE_ROOTS.has(root.name.value) && root.selectionSet) {
    // variables may pick the stream (root arguments) but must not shape the selection
    let usesVariables = false;
    const check = (node: object) =>
      visit(node as never, {
        Variable() {
          usesVariables = true;
        },
      });
    check(root.selectionSet);
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) check(d);
    if (!usesVariables && !root.directives?.length) key = JSON.stringify(document.loc?.source.body ?? null);
  }
  shapes.set(document, key);
  return key === null ? null : `${operationName ?? ''}|${key}`;
}

const results = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

function sharedExecute(key: string, payload: unknown, args: ExecutionArgs): Promise<ExecutionResult> {
  if (payload === null || typeof payload !== 'object') return Promise.resolve(execute({ ...args, rootValue: payload }));
  let perEvent = results.get(payload);
  if (!perEvent) results.set(payload, (perEvent = new Map()));
  let r = perEvent.get(key);
  if (!r) {
    r = Promise.resolve(execute({ ...args, rootValue: payload }));
    perEvent.set(key, r);
  }
  return r;
}

/** graphql-ws `subscribe` option: shares per-event execution where shareKey allows, else graphql's subscribe. */
export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  const key = shareKey(args.document, args.operationName);
  if (!key) return (await subscribe(args)) as AsyncGenerator<ExecutionResult> | ExecutionResult;
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in (source as object))) return source as ExecutionResult;
  const it = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const mapped: AsyncGenerator<ExecutionResult> = {
    async next() {
      const r = await it.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: await sharedExecute(key, r.value, args) };
    },
    async return() {
      await it.return?.();
      return { done: true, value: undefined };
    },
    async throw(e?: unknown) {
      await it.return?.();
      throw e;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}
