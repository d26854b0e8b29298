/**
 * Apollo Server's own side channels. Its logger goes through ours (one JSON line, not console
 * text). GraphOS reporting sends operation shapes and timings to Apollo's cloud whenever APOLLO_KEY
 * happens to be in the environment; here it needs an explicit APOLLO_USAGE_REPORTING=true.
 */
import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export function apolloLogger(log: Logger): NonNullable<ApolloServerOptions<BaseContext>['logger']> {
  const l = log.child({ component: 'apollo' });
  return {
    debug: (m) => l.debug(String(m)),
    info: (m) => l.info(String(m)),
    warn: (m) => l.warn(String(m)),
    error: (m) => l.error(String(m)),
  };
}

/** The plugins that keep GraphOS reporting off, unless the configuration turns it on. */
export function apolloReportingPlugins(config: Pick<Config, 'apollo'>): ApolloServerPlugin<BaseContext>[] {
  if (config.apollo.usageReporting) return [];
  return [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled(), ApolloServerPluginInlineTraceDisabled()];
}

/** What ApolloServer's `apollo` option gets: the key and graph only when reporting is on. */
export function apolloGraph(config: Pick<Config, 'apollo'>): ApolloServerOptions<BaseContext>['apollo'] {
  return config.apollo.usageReporting ? { key: config.apollo.key, graphRef: config.apollo.graphRef } : undefined;
}
