/**
 * `npm run schema:emit` writes schema.graphql and its Markdown reference schema.md from the code;
 * `npm run schema:check` fails when either committed file differs, so the contract clients rely on
 * (and its documentation) only changes on purpose.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import { buildGatewaySchema, printGatewaySchema } from '../src/graphql/schema.js';
import { schemaMarkdown } from './schema-doc.js';

const schema = await buildGatewaySchema();
const outputs: [file: string, text: string][] = [
  ['schema.graphql', printGatewaySchema(schema)],
  ['schema.md', schemaMarkdown(schema)],
];

if (process.argv.includes('--write')) {
  for (const [file, text] of outputs) {
    fs.writeFileSync(file, text);
    console.log(`wrote ${file} (${text.split('\n').length} lines)`);
  }
} else {
  let stale = false;
  for (const [file, text] of outputs) {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (committed === text) {
      console.log(`${file} is up to date`);
      continue;
    }
    stale = true;
    console.error(`${file} is out of date: run \`npm run schema:emit\` and commit the result.`);
    const a = committed.split('\n');
    const b = text.split('\n');
    for (let i = 0, shown = 0; i < Math.max(a.length, b.length) && shown < 20; i++) {
      if (a[i] !== b[i]) {
        console.error(`  line ${i + 1}:\n    committed: ${a[i] ?? '<none>'}\n    built:     ${b[i] ?? '<none>'}`);
        shown++;
      }
    }
  }
  if (stale) process.exit(1);
}
