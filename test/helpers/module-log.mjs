/**
 * `node --import ./test/helpers/module-log.mjs …`: writes the URL of every module the process
 * resolves through the ES module loader, one per line, to the file named by MODULE_LOG — for tests
 * that prove a module is NOT loaded (the OpenTelemetry SDK when tracing is off).
 */
import { register } from 'node:module';

if (process.env.MODULE_LOG) register(new URL('./module-log.hooks.mjs', import.meta.url), { data: { file: process.env.MODULE_LOG } });
