import { describe, expect, it } from 'vitest';
import { migrationNames as pgNames } from '../../migrations/postgresql/names.js';
import { migrations as pgMigrations } from '../../migrations/postgresql/index.js';
import { migrationNames as sqliteNames } from '../../migrations/sqlite/names.js';
import { migrations as sqliteMigrations } from '../../migrations/sqlite/index.js';

// The start-up check (src/db/orm.ts migrate) trusts names.ts to decide whether to load the migrator:
// a migration missing from it would never be applied.
describe('migration names', () => {
  it('lists exactly the migrations of each dialect, in order', () => {
    expect(sqliteNames).toEqual(sqliteMigrations.map((m) => m.name));
    expect(pgNames).toEqual(pgMigrations.map((m) => m.name));
    expect(sqliteNames.length).toBeGreaterThan(0);
  });
});
