/**
 * GraphOS reporting stays off unless configured: an APOLLO_KEY and APOLLO_GRAPH_REF left in the
 * environment are enough for a plain ApolloServer to start sending usage reports; with the
 * gateway's plugins it installs no enabled reporting plugin at all.
 */
import { ApolloServer } from '@apollo/server';
import { buildSchema } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { apolloGraph, apolloReportingPlugins } from '../../src/observability/apollo.js';

const schema = buildSchema('type Query { ok: Boolean }');
type Internal = { __internal_plugin_id__?: string; __is_disabled_plugin__?: boolean };
const enabledReporting = (server: ApolloServer) =>
  ((server as unknown as { internals: { plugins: Internal[] } }).internals.plugins)
    .filter((p) => ['UsageReporting', 'SchemaReporting', 'InlineTrace'].includes(p.__internal_plugin_id__ ?? '') && !p.__is_disabled_plugin__)
    .map((p) => p.__internal_plugin_id__);

const saved = { key: process.env.APOLLO_KEY, ref: process.env.APOLLO_GRAPH_REF };
beforeEach(() => {
  process.env.APOLLO_KEY = 'service:not-a-graph:fake-key-for-tests';
  process.env.APOLLO_GRAPH_REF = 'not-a-graph@current';
});
afterEach(() => {
  for (const [k, v] of [['APOLLO_KEY', saved.key], ['APOLLO_GRAPH_REF', saved.ref]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('Apollo usage reporting', () => {
  it('a key in the environment alone would switch reporting on in a plain ApolloServer (the control)', async () => {
    const plain = new ApolloServer({ schema });
    await (plain as unknown as { addDefaultPlugins(): Promise<void> }).addDefaultPlugins();
    expect(enabledReporting(plain)).toContain('UsageReporting');
  });

  it('is off with the gateway configuration that does not ask for it, key or not', async () => {
    const config = loadConfig({ APOLLO_KEY: process.env.APOLLO_KEY, APOLLO_GRAPH_REF: process.env.APOLLO_GRAPH_REF });
    expect(config.apollo.usageReporting).toBe(false);
    const server = new ApolloServer({ schema, apollo: apolloGraph(config), plugins: apolloReportingPlugins(config) });
    await server.start();
    try {
      expect(enabledReporting(server)).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('is turned on only explicitly, and then needs a key and a graph', () => {
    expect(() => loadConfig({ APOLLO_USAGE_REPORTING: 'true' })).toThrow(ConfigError);
    const on = loadConfig({ APOLLO_USAGE_REPORTING: 'true', APOLLO_KEY: 'service:g:k', APOLLO_GRAPH_REF: 'g@v' });
    expect(on.apollo).toEqual({ usageReporting: true, key: 'service:g:k', graphRef: 'g@v' });
    expect(apolloReportingPlugins(on)).toEqual([]);
    expect(apolloGraph(on)).toEqual({ key: 'service:g:k', graphRef: 'g@v' });
  });
});
