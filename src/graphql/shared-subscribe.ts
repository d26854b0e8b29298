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
  type GraphQLSchema,
} from 'graphql';
import type { EventDto } from '../events/event.dto.js';
import type { LaggingMarker } from '../events/event.stream.js';
import { DeploymentEventNode } from '../events/event.type.js';

/**
 * Root fields whose results depend only on the event (no context, no field arguments below the
 * root), with what their resolvers make of an event.
 */
const EVENT_ROOTS = new Map<string, (event: EventDto | LaggingMarker) => unknown>([
  ['computePoolEvents', DeploymentEventNode.from],
  ['appDeploymentEvents', DeploymentEventNode.from],
  ['projectEvents', DeploymentEventNode.from],
]);

/**
 * type-graphql resolves a field that declares an @Arg through its argument validator, an async
 * function even with validation off, so these roots' per-event `resolve` always returned a promise
 * and no event could be written from the bus callback. Their resolvers only map the event (the
 * arguments picked the stream when it started, and were checked then), so the per-event `resolve`
 * maps it directly, synchronously. Call once on the built schema.
 */
export function syncEventRoots(schema: GraphQLSchema): GraphQLSchema {
  const fields = schema.getSubscriptionType()?.getFields() ?? {};
  for (const [name, map] of EVENT_ROOTS) {
    const field = fields[name];
    if (field) field.resolve = (event: EventDto | LaggingMarker) => map(event);
  }
  return schema;
}

const shapes = new WeakMap<DocumentNode, string | null>();

/** A key for documents whose per-event result is the same for every subscriber, else null. */
export function shareKey(document: DocumentNode, operationName: string | null | undefined): string | null {
  const cacheKey = shapes.get(document);
  if (cacheKey !== undefined) return cacheKey === null ? null : `${operationName ?? ''}|${cacheKey}`;
  let key: string | null = null;
  const op = getOperationAST(document, operationName);
  const root = op?.operation === 'subscription' && op.selectionSet.selections.length === 1 ? op.selectionSet.selections[0] : null;
  if (root && root.kind === Kind.FIELD && EVENT_ROOTS.has(root.name.value) && root.selectionSet) {
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

type Shared = ExecutionResult | Promise<ExecutionResult>;
const results = new WeakMap<object, Map<string, Shared>>();

/** The result for this event and document, executed by the first subscriber that asks. */
function sharedExecute(key: string, payload: object, args: ExecutionArgs): Shared {
  let perEvent = results.get(payload);
  if (!perEvent) results.set(payload, (perEvent = new Map()));
  let r = perEvent.get(key);
  if (!r) {
    r = execute({ ...args, rootValue: payload });
    perEvent.set(key, r);
  }
  return r;
}

interface LiveCtx {
  live?: (event: object) => boolean;
  writeNext?: (result: ExecutionResult) => boolean;
}

/** graphql-ws `subscribe` option: shares per-event execution where shareKey allows, else graphql's subscribe. */
export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  const key = shareKey(args.document, args.operationName);
  if (!key) return (await subscribe(args)) as AsyncGenerator<ExecutionResult> | ExecutionResult;
  // A live event whose result is ready at once and error-free (errors go through the transport's
  // masking on the async path) is written straight from the bus callback.
  const ctx = args.contextValue as LiveCtx | null | undefined;
  const write = ctx?.writeNext;
  if (ctx && write) {
    ctx.live = (event) => {
      const r = sharedExecute(key, event, args);
      return !(r instanceof Promise) && !r.errors?.length && write(r);
    };
  }
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in (source as object))) return source as ExecutionResult;
  const it = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const run = (payload: unknown): Shared => (payload !== null && typeof payload === 'object' ? sharedExecute(key, payload, args) : execute({ ...args, rootValue: payload }));
  const mapped: AsyncGenerator<ExecutionResult> = {
    async next() {
      const r = await it.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: await run(r.value) };
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
