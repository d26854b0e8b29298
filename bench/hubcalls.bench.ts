/**
 * Client CPU per hub call, by kind: the gateway's side of the hub (src/kube's KubeHubAdapter →
 * @kubernetes/client-node → our HttpLibrary → node:http) against the simulated hub in its own
 * process (speed 0), so the hub's CPU is not counted as the client's. The kinds are the calls the
 * deploy flow makes: GET of an existing Placement, GET of an absent one (404 → null), server-side
 * apply of a Placement, and a label-selected list of Placements in one namespace.
 *
 * Each kind runs `--calls` calls with `--inflight` in flight, `--rounds` times in a row; the last
 * round is reported (the earlier ones warm the JIT and the kept-alive sockets). CPU is this process's
 * (process.cpuUsage), which does nothing else meanwhile.
 *
 *   npm run bench:hubcalls -- [--calls 2000] [--inflight 10] [--rounds 2] [--items 20] [--profile DIR]
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { buildNamespace, buildPlacement, Label, type KubeObject } from '../src/kube/index.js';
import { KubeHubAdapter } from '../src/kube/hub.adapter.js';
import { loadHubKubeConfig } from '../src/kube/hub.connection.js';
import { silentLogger } from '../src/logger.js';
import { startHubProcess } from './lib/hub.process.js';
import { summarise as summariseProfile } from './lib/profile-summary.js';
import { args, environment, fmt, heading, median, ms, percentile, summaryRows, table } from './lib/report.js';

const a = args();
const CALLS = a.int('calls', 2000);
const INFLIGHT = a.int('inflight', 10);
const ROUNDS = a.int('rounds', 2);
/** Placements the list answers (one page) */
const ITEMS = a.int('items', 20);
/** a V8 CPU profile of this (client) process over every kind's last round, summarised */
const PROFILE = a.get('profile');
const PROJECT = 'bench-hubcalls';

interface Kind {
  name: string;
  call: (i: number) => Promise<unknown>;
  /** what a call must answer, so a broken call cannot pass for a cheap one */
  check: (r: unknown) => boolean;
}

interface Round {
  cpuMs: number;
  wallMs: number;
  hubCpuMs: number;
  latencies: number[];
}

/** `CALLS` calls of `kind`, `INFLIGHT` at a time: this process's CPU and the hub's, per call. */
async function round(kind: Kind, hubCpu: () => number): Promise<Round> {
  const latencies: number[] = [];
  let next = 0;
  let bad = 0;
  const hub0 = hubCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async () => {
    while (next < CALLS) {
      const i = next++;
      const s = performance.now();
      const r = await kind.call(i);
      latencies.push(performance.now() - s);
      if (!kind.check(r)) bad++;
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, worker));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (bad) throw new Error(`${kind.name}: ${bad} of ${CALLS} calls answered something unexpected`);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, hubCpuMs: hubCpu() - hub0, latencies };
}

async function main() {
  environment('Hub calls: client CPU per call, by kind', {
    client: 'src/kube KubeHubAdapter (client-node CustomObjectsApi + our HttpLibrary over the keep-alive agent), this process',
    hub: 'the simulated hub in its own process (bench/lib/hub.process.ts), speed 0, over HTTP',
    calls: `${CALLS} per kind and round, ${INFLIGHT} in flight, ${ROUNDS} rounds (the last is reported)`,
    objects: `Placements in namespace ${PROJECT}; the list answers ${ITEMS}`,
  });
  const hub = await startHubProcess({ speed: 0 });
  try {
    const adapter = new KubeHubAdapter(loadHubKubeConfig({ kind: 'kubeconfig', file: hub.kubeconfig }), { logger: silentLogger });
    await adapter.apply(buildNamespace({ name: PROJECT, owner: { project: PROJECT } }));
    const placement = (deployment: string) => buildPlacement({ project: PROJECT, deployment, clusterSets: [`${PROJECT}-set`] });
    // the objects the GETs and the list read; the applies rewrite these too (the flows' apply is mostly over an existing object)
    for (let i = 0; i < ITEMS; i++) await adapter.apply(placement(`app-${i}`));
    const existing = placement('app-0').metadata;
    const isPlacement = (r: unknown) => (r as KubeObject | null)?.kind === 'Placement';
    const kinds: Kind[] = [
      { name: 'get', call: () => adapter.get({ kind: 'Placement', namespace: PROJECT, name: existing.name }), check: isPlacement },
      { name: 'get 404', call: (i) => adapter.get({ kind: 'Placement', namespace: PROJECT, name: `absent-${i}` }), check: (r) => r === null },
      { name: 'apply', call: (i) => adapter.apply(placement(`app-${i % ITEMS}`)), check: isPlacement },
      {
        name: 'list',
        call: () => adapter.list('Placement', { namespace: PROJECT, labelSelector: { [Label.Project]: PROJECT } }),
        check: (r) => (r as { items: unknown[] }).items.length === ITEMS,
      },
    ];

    const session = PROFILE ? new inspector.Session() : null;
    const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session!.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
    if (session) {
      session.connect();
      await post('Profiler.enable');
    }
    const last = new Map<string, Round>();
    for (const kind of kinds) {
      for (let r = 0; r < ROUNDS; r++) {
        const isLast = r === ROUNDS - 1;
        if (session && isLast) await post('Profiler.start');
        const res = await round(kind, () => hub.cpuMs());
        if (session && isLast) last.set(`${kind.name}:profile`, (await post('Profiler.stop')).profile);
        if (isLast) last.set(kind.name, res);
      }
    }

    heading('Per call (last round)');
    const rows = kinds.map((k) => {
      const r = last.get(k.name)!;
      return [k.name, ms(r.cpuMs / CALLS), ms(r.hubCpuMs / CALLS), fmt((CALLS / r.wallMs) * 1000, 0), ms(median(r.latencies)), ms(percentile(r.latencies, 99))];
    });
    console.log(table(['call', 'client CPU per call', 'hub CPU per call', 'calls/s', 'p50', 'p99'], rows));
    summaryRows(kinds.map((k) => ({ name: `client CPU per hub call: ${k.name}`, value: ms(last.get(k.name)!.cpuMs / CALLS) })));

    if (session && PROFILE) {
      const dir = path.resolve(PROFILE, `hubcalls-${Date.now()}`);
      fs.mkdirSync(dir, { recursive: true });
      for (const k of kinds) {
        const file = path.join(dir, `client-${k.name.replace(/\W+/g, '-')}.cpuprofile`);
        fs.writeFileSync(file, JSON.stringify(last.get(`${k.name}:profile`)));
        heading(`Profile of the client, ${k.name}: ${file}`);
        console.log(summariseProfile(file, 15));
      }
      session.disconnect();
    }
  } finally {
    await hub.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
