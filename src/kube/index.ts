/**
 * The hub adapter's public surface. Flows import from here: builders to render objects, the adapter
 * to write and read them, informers to follow them, readers to interpret their status.
 *
 * The adapter and its connection (the modules that load @kubernetes/client-node) are exported here
 * as types only: the client is the largest module tree of the gateway, and a value export from this
 * barrel would make every flow's import load it at start. src/hub.setup.ts imports them when it
 * connects the hub (after the API is served); tests import them from ./hub.adapter.js and
 * ./hub.connection.js.
 */
export * from './resource.registry.js';
export * from './object.types.js';
export * from './labels.js';
export * from './naming.js';
export * from './core.builders.js';
export * from './exposure.builders.js';
export * from './capi.builders.js';
export * from './ocm.builders.js';
export * from './klusterlet.builders.js';
export * from './flux.addon.js';
export * from './klusterlet.operator.js';
export * from './flux.builders.js';
export * from './manifestwork.builder.js';
export * from './gpu.addon.js';
export * from './conditions.js';
export * from './capi.readers.js';
export * from './ocm.readers.js';
export * from './work.readers.js';
export * from './flux.readers.js';
export * from './core.readers.js';
export * from './hub.errors.js';
export * from './retry.js';
export type { HubConnectionOptions, KubeConfigSource } from './hub.connection.js';
export * from './hub.informer.js';
export * from './ownership.js';
export * from './hub.owned.js';
export type { DeleteAndWaitOptions, DeleteOptions, HubAdapter, HubAdapterOptions, KubeList, ListOptions, WatchOptions } from './hub.adapter.js';
