/**
 * An empty database gets the whole schema in one transaction: the `up` statements of every migration
 * (migrations/<dialect>/schema.ts, generated from them) and the migrator's own table with one row per
 * migration, as the migrator leaves them — so a later migration applies on top as usual. This spares
 * an empty start the migrator (@mikro-orm/migrations loads umzug and its CLI dependencies: about a
 * tenth of the CPU of a cold start). test/integration/migrations.prebuilt.test.ts proves the two give
 * the same database on SQLite and PostgreSQL.
 */
import type { AbstractSqlConnection, SchemaHelper } from '@mikro-orm/knex';
import { migrationNames as postgresqlNames } from '../../migrations/postgresql/names.js';
import { schemaStatements as postgresqlSchema } from '../../migrations/postgresql/schema.js';
import { migrationNames as sqliteNames } from '../../migrations/sqlite/names.js';
import { schemaStatements as sqliteSchema } from '../../migrations/sqlite/schema.js';
import type { Dialect, Orm } from './orm.js';

/** True when the database has no table at all (nothing migrated, nothing else either). */
export async function isEmptyDatabase(orm: Orm, dialect: Dialect): Promise<boolean> {
  const conn = orm.em.fork().getConnection();
  const rows = (
    dialect === 'sqlite'
      ? await conn.execute(`select count(*) as n from sqlite_master where type = 'table' and name not like 'sqlite_%'`)
      : await conn.execute(`select count(*) as n from information_schema.tables where table_schema = current_schema()`)
  ) as { n: number | string }[];
  return Number(rows[0].n) === 0;
}

/**
 * Applies every migration to an empty database at once; returns their names (as migrate() does).
 * The migrations table is created as @mikro-orm/migrations' MigrationStorage.ensureTable creates it
 * (same knex schema builder), and its rows are inserted in migration order, ids 1…n.
 */
export async function applyPrebuiltSchema(orm: Orm, dialect: Dialect): Promise<string[]> {
  const names = dialect === 'sqlite' ? sqliteNames : postgresqlNames;
  const statements = dialect === 'sqlite' ? sqliteSchema : postgresqlSchema;
  const options = orm.config.get('migrations');
  const table = options.tableName ?? 'mikro_orm_migrations';
  const schema = orm.config.get('schema', orm.config.getPlatform().getDefaultSchemaName());
  const conn = orm.em.getConnection() as AbstractSqlConnection;
  const knex = conn.getKnex();
  const helper = orm.config.getPlatform().getSchemaHelper() as SchemaHelper;
  const charset = orm.config.get('charset') ?? 'utf8';
  await conn.transactional(async (tx) => {
    const create = knex.schema
      .createTable(table, (t) => {
        t.increments();
        t.string('name');
        t.dateTime('executed_at').defaultTo(knex.fn.now());
      })
      .withSchema(schema as string);
    for (const { sql, bindings } of create.toSQL()) await conn.execute(sql, bindings as unknown[], 'run', tx);
    // what the migrator's runner wraps each migration in (PostgreSQL: `set names`), once
    const around = (sql: string) => sql.split('\n').filter((s) => s.trim().length > 0);
    for (const sql of around(helper.getSchemaBeginning(charset, options.disableForeignKeys))) await conn.execute(sql, [], 'all', tx);
    for (const sql of statements) await conn.execute(sql, [], 'all', tx);
    for (const sql of around(helper.getSchemaEnd(options.disableForeignKeys))) await conn.execute(sql, [], 'all', tx);
    // as MigrationStorage.logMigration records one (executed_at: the column's default)
    for (const name of names) await orm.em.getDriver().nativeInsert(table, { name }, { schema: schema as string, ctx: tx });
  });
  return [...names];
}
