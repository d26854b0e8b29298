/**
 * Connection reuse for hub calls. client-node 1.x builds a new http(s).Agent for every request
 * (KubeConfig.createAgent, keep-alive off), so every hub call opened a TCP (and TLS) connection of
 * its own: at simulator speed 0 that was a large share of the gateway's hub-call CPU. The adapter
 * hands each request's fresh agent to `reuse`, which answers one keep-alive agent built with the same
 * options instead, and builds a new one only when those options change (a CA or client certificate
 * read again from its file). Proxy agents (a cluster with proxy-url) are left as they are. Idle
 * sockets are unref'd by node and closed before the server's keep-alive timeout (its hint).
 */
import http from 'node:http';
import https from 'node:https';

/** The agent options that decide which connections an agent may make (TLS material and checks). */
const IDENTITY = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'timeout'] as const;

type AgentOptions = Record<string, unknown>;

const optionsOf = (a: http.Agent): AgentOptions => (a as unknown as { options: AgentOptions }).options ?? {};

function same(x: unknown, y: unknown): boolean {
  if (Buffer.isBuffer(x) && Buffer.isBuffer(y)) return x.equals(y);
  return x === y;
}

export class KeepAliveAgents {
  private current: { agent: http.Agent; kind: typeof http.Agent; options: AgentOptions } | null = null;

  /** The agent to send a request with, given the one client-node made for it. */
  reuse(fresh: unknown): unknown {
    if (!(fresh instanceof http.Agent)) return fresh;
    const kind = fresh.constructor as typeof http.Agent;
    if (kind !== http.Agent && kind !== https.Agent) return fresh;
    const options = optionsOf(fresh);
    const c = this.current;
    if (c && c.kind === kind && IDENTITY.every((k) => same(c.options[k], options[k]))) return c.agent;
    c?.agent.destroy();
    const agent = new kind({ ...options, keepAlive: true });
    this.current = { agent, kind, options };
    return agent;
  }
}
