/**
 * `npm run schema:emit` writes schema.graphql from the code; `npm run schema:check` fails when the
 * committed file differs, so the contract clients rely on only changes on purpose.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import { buildGatewaySchema, printGatewaySchema } from '../src/graphql/schema.js';

const file = 'schema.graphql';
const sdl = printGatewaySchema(await buildGatewaySchema());
if (process.argv.includes('--write')) {
  fs.writeFileSync(file, sdl);
  console.log(`wrote ${file} (${sdl.split('\n').length} lines)`);
} else {
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (committed !== sdl) {
    console.error(`${file} is out of date: run \`npm run schema:emit\` and commit the result.`);
    const a = committed.split('\n');
    const b = sdl.split('\n');
    for (let i = 0, shown = 0; i < Math.max(a.length, b.length) && shown < 20; i++) {
      if (a[i] !== b[i]) {
        console.error(`  line ${i + 1}:\n    committed: ${a[i] ?? '<none>'}\n    built:     ${b[i] ?? '<none>'}`);
        shown++;
      }
    }
    process.exit(1);
  }
  console.log(`${file} is up to date`);
}
