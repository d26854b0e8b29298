/**
 * The gateway's entry (`npm start`, `node dist/spokegraph.mjs [serve|migrate]`); the commands are in
 * main.commands.ts, imported below once V8 is set up.
 *
 * V8 grows the young generation (two semi-spaces, up to 2 × 16 MB) while the modules of a start are
 * loaded and keeps it: nearly all a start allocates (module code, ORM and schema metadata) lives on,
 * so the larger young generation buys no speed there and only costs resident memory, about 30 MB at
 * idle. Hold it at its initial size until the gateway is up (main.commands.ts lets it grow again
 * then, for the load). This has to run before the gateway's modules load, hence the dynamic import:
 * static imports would all be evaluated before the first line of this module.
 */
import v8 from 'node:v8';

v8.setFlagsFromString('--semi-space-growth-factor=1');
const { main } = await import('./main.commands.js');
main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`spokegraph failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
