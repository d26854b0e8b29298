/**
 * Runs the SIMULATED hub as its own process, so gateway crash tests can kill and restart the gateway
 * while the hub lives on:
 *
 *   tsx src/sim/standalone.ts --port 0 --kubeconfig <file> [--state <file>] [--speed n] [--host h]
 *
 * SIM_* environment variables (see parseSimEnv) set faults; flags win over the environment. Prints
 * one JSON line on stdout once listening: {"url": ..., "kubeconfig": ..., "simulated": true}.
 * Logs go to stderr. SIGTERM/SIGINT stop it cleanly (state saved when --state is given).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../logger.js';
import { parseSimEnv, startSimulatedHub, type SimOptions } from './index.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      kubeconfig: { type: 'string' },
      state: { type: 'string' },
      speed: { type: 'string' },
    },
    strict: true,
  });
  const env = parseSimEnv(process.env);
  const problems = [...env.errors];
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`--port must be a port number, got "${values.port}"`);
  const speed = values.speed === undefined ? env.options.speed : Number(values.speed);
  if (speed !== undefined && !(Number.isFinite(speed) && speed >= 0)) problems.push(`--speed must be a number >= 0, got "${values.speed}"`);
  if (!values.kubeconfig) problems.push('--kubeconfig <file> is required: the kubeconfig for this hub is written there');
  if (problems.length) {
    process.stderr.write(`SIMULATED hub: invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(2);
  }

  const logger = createLogger({ bindings: { process: 'spokegraph-sim-standalone' } });
  const opts: SimOptions = { ...env.options, host: values.host, port, speed, stateFile: values.state ?? env.options.stateFile, logger };
  const hub = await startSimulatedHub(opts);
  const kubeconfig = resolve(values.kubeconfig!);
  const tmp = `${kubeconfig}.${process.pid}.tmp`;
  writeFileSync(tmp, hub.kubeconfigYaml(), { mode: 0o600 });
  renameSync(tmp, kubeconfig);
  logger.info('SIMULATED hub: kubeconfig written — this is not a real cluster', { kubeconfig });
  process.stdout.write(JSON.stringify({ url: hub.url, kubeconfig, simulated: true }) + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`SIMULATED hub: ${signal} received, stopping`);
    hub.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error('SIMULATED hub: error while stopping', { err: e });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`SIMULATED hub failed to start: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
