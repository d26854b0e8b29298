/**
 * The pre-built schema (src/db/migrations.prebuilt.ts) against the migrator (the suite runs this file
 * once per database): migrations/<dialect>/schema.ts is current, an empty database set up from it
 * equals one the migrator migrated one migration at a time — tables, columns, indexes, constraints,
 * triggers, functions, sequences, every row, and the migrator's own table — and a later migration
 * still applies on top of it.
 */
import { Migration } from '@mikro-orm/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationNames as postgresqlNames } from '../../migrations/postgresql/names.js';
import { schemaStatements as postgresqlSchema } from '../../migrations/postgresql/schema.js';
import { migrationNames as sqliteNames } from '../../migrations/sqlite/names.js';
import { schemaStatements as sqliteSchema } from '../../migrations/sqlite/schema.js';
import { migrationsOf, upStatements } from '../../scripts/migrations.schema.js';
import { dialectOf, initOrm, migrate, type Orm } from '../../src/db/orm.js';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/db.js';

const dialect = testDialect();
const names = dialect === 'sqlite' ? sqliteNames : postgresqlNames;
const MIGRATIONS_TABLE = 'mikro_orm_migrations';

type Row = Record<string, unknown>;
const q = async (orm: Orm, sql: string): Promise<Row[]> => (await orm.em.fork().getConnection().execute(sql)) as Row[];

/** Everything about the database's structure a migration can change, in a comparable form. */
async function structure(orm: Orm): Promise<Record<string, Row[]>> {
  if (dialect === 'sqlite') {
    return {
      // the stored DDL, verbatim (SQLite rewrites it on every alter, so equal text = equal schema)
      master: await q(orm, `select type, name, tbl_name, sql from sqlite_master order by type, name`),
      sequence: await q(orm, `select name, seq from sqlite_sequence order by name`),
    };
  }
  const schema = `table_schema = current_schema()`;
  return {
    columns: await q(
      orm,
      `select table_name, column_name, ordinal_position, column_default, is_nullable, data_type, udt_name, character_maximum_length, numeric_precision, numeric_scale, datetime_precision, is_identity
       from information_schema.columns where ${schema} order by table_name, ordinal_position`,
    ),
    indexes: await q(orm, `select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() order by tablename, indexname`),
    constraints: await q(
      orm,
      `select c.conrelid::regclass::text as tbl, c.conname, c.contype, pg_get_constraintdef(c.oid) as def
       from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = current_schema() order by 1, 2`,
    ),
    triggers: await q(orm, `select tgrelid::regclass::text as tbl, tgname, pg_get_triggerdef(oid) as def from pg_trigger where not tgisinternal order by 1, 2`),
    functions: await q(
      orm,
      `select p.proname, pg_get_functiondef(p.oid) as def from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = current_schema() order by 1, 2`,
    ),
    sequences: await q(orm, `select sequencename, data_type, start_value, increment_by, last_value from pg_sequences where schemaname = current_schema() order by 1`),
    views: await q(orm, `select table_name, view_definition from information_schema.views where ${schema} order by 1`),
    types: await q(
      orm,
      `select t.typname, t.typtype, array_to_string(array(select e.enumlabel from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder), ',') as labels
       from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = current_schema() and t.typtype in ('e', 'd') order by 1`,
    ),
  };
}

/** Every row of every table (the migrator's table without its timestamps, which differ by when). */
async function contents(orm: Orm): Promise<Record<string, Row[]>> {
  const tables = (
    dialect === 'sqlite'
      ? await q(orm, `select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`)
      : await q(orm, `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`)
  ).map((r) => String(r.name));
  const out: Record<string, Row[]> = {};
  for (const t of tables) {
    out[t] = t === MIGRATIONS_TABLE ? await q(orm, `select id, name from "${t}" order by id`) : (await q(orm, `select * from "${t}"`)).map((r) => JSON.stringify(r)).sort() as unknown as Row[];
  }
  return out;
}

let dbs: TestDatabase[] = [];
let migrated: Orm;
let prebuilt: Orm;

beforeAll(async () => {
  dbs = [await createTestDatabase(), await createTestDatabase()];
  // the migrator registered up front (tools, tests): migrate() runs it, one migration at a time
  migrated = await initOrm({ db: dbs[0].db });
  // as the gateway starts: the migrator loaded only when needed, so an empty database is pre-built
  prebuilt = await initOrm({ db: dbs[1].db, migrator: 'lazy' });
});
afterAll(async () => {
  await migrated?.close(true);
  await prebuilt?.close(true);
  for (const d of dbs) await d.drop();
});

describe(`pre-built schema on ${dialect}`, () => {
  it('migrations/<dialect>/schema.ts holds the up statements of every migration (npm run migrations:generate -- --schema)', async () => {
    for (const d of ['sqlite', 'postgresql'] as const) {
      expect(await upStatements(d, await migrationsOf(d))).toEqual(d === 'sqlite' ? sqliteSchema : postgresqlSchema);
    }
  });

  it('an empty database gets every migration without the migrator', async () => {
    expect(dialectOf(prebuilt)).toBe(dialect);
    expect(await migrate(migrated)).toEqual(names);
    expect(await migrate(prebuilt)).toEqual(names);
    expect(prebuilt.config.getExtension('@mikro-orm/migrator')).toBeUndefined();
  });

  it('gives the same schema, rows and migrations table as running the migrations one by one', async () => {
    expect(await structure(prebuilt)).toEqual(await structure(migrated));
    expect(await contents(prebuilt)).toEqual(await contents(migrated));
    expect((await q(prebuilt, `select name from ${MIGRATIONS_TABLE} order by id`)).map((r) => r.name)).toEqual(names);
  });

  it('is up to date for the migrator, and a later migration applies on top', async () => {
    expect(await migrate(prebuilt)).toEqual([]);
    class MigrationLater extends Migration {
      override async up(): Promise<void> {
        this.addSql('create table later_table (id integer primary key, note text null)');
      }
    }
    prebuilt.config.set('migrations', {
      ...prebuilt.config.get('migrations'),
      migrationsList: [...(await migrationsOf(dialect)), { name: 'Migration99991231000000Later', class: MigrationLater }],
      snapshot: false,
      transactional: true,
      allOrNothing: true,
    });
    (await import('@mikro-orm/migrations')).Migrator.register(prebuilt);
    expect(await prebuilt.getMigrator().getPendingMigrations()).toEqual([expect.objectContaining({ name: 'Migration99991231000000Later' })]);
    expect((await prebuilt.getMigrator().up()).map((m) => m.name)).toEqual(['Migration99991231000000Later']);
    expect((await prebuilt.getMigrator().getExecutedMigrations()).map((m) => m.name)).toEqual([...names, 'Migration99991231000000Later']);
    expect(await q(prebuilt, `select count(*) as n from later_table`)).toEqual([{ n: dialect === 'sqlite' ? 0 : '0' }]);
  });
});
