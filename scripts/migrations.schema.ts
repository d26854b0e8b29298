/**
 * The pre-built schema of a dialect (migrations/<dialect>/schema.ts): the `up` statements of every
 * migration, in name order, as the migrator would run them one after another. An empty database
 * applies them in one go at start-up (src/db/migrations.prebuilt.ts) instead of loading the migrator
 * (@mikro-orm/migrations, umzug and its CLI dependencies: about a tenth of a cold start).
 * Written by `npm run migrations:generate`; test/integration/migrations.prebuilt.test.ts checks that
 * the file is current and that both ways give the same database.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MigrationObject } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/core';
import { ormOptions, type Dialect } from '../src/db/orm.js';

type MigrationClass = new (driver: unknown, config: unknown) => { up(): Promise<void>; getQueries(): unknown[] };

/** The `up` statements of `migrations`, in order (a migration's up() only collects addSql calls). */
export async function upStatements(dialect: Dialect, migrations: MigrationObject[]): Promise<string[]> {
  // no connection needed: the driver and config only have to exist
  const db = dialect === 'sqlite' ? ({ kind: 'sqlite', file: ':memory:' } as const) : ({ kind: 'postgresql', url: 'postgresql://unused@127.0.0.1:1/unused' } as const);
  const orm = await MikroORM.init({ ...(await ormOptions({ db })), connect: false });
  const out: string[] = [];
  for (const m of migrations) {
    const migration = new (m.class as unknown as MigrationClass)(orm.em.getDriver(), orm.config);
    await migration.up();
    for (const q of migration.getQueries()) {
      if (typeof q !== 'string') throw new Error(`${m.name}: only plain SQL statements can be pre-built (found a query builder)`);
      out.push(q);
    }
  }
  return out;
}

export async function migrationsOf(dialect: Dialect): Promise<MigrationObject[]> {
  return dialect === 'sqlite' ? (await import('../migrations/sqlite/index.js')).migrations : (await import('../migrations/postgresql/index.js')).migrations;
}

export function renderSchema(statements: string[]): string {
  const q = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
  return `// Rewritten by scripts/migrations.ts (scripts/migrations.schema.ts): the up statements of every migration in index.ts, in order.
export const schemaStatements: string[] = [
${statements.map((s) => `  ${q(s)},`).join('\n')}
];
`;
}

/** Rewrites migrations/<dialect>/schema.ts from the migrations. */
export async function writeSchema(dialect: Dialect): Promise<void> {
  const file = path.resolve('migrations', dialect, 'schema.ts');
  fs.writeFileSync(file, renderSchema(await upStatements(dialect, await migrationsOf(dialect))));
}
