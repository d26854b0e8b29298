/**
 * SQLite reads outside a transaction on their own read-only connection.
 *
 * Through MikroORM, every statement goes through knex's pool, which for SQLite holds ONE connection:
 * a read waits in the pool's queue behind every other statement and behind every open transaction
 * (a request's, the workflow runner's), and each wait is a round of promises and pool bookkeeping.
 * Under a closed loop that queue, not the work, made the tail: requests of the opening burst were
 * answered only after the load stopped (bench:graph, "which requests are slow"). In WAL mode readers
 * do not block the writer nor wait for it, so a read that is not part of a transaction runs here, at
 * once, on a second, read-only connection, and sees everything committed when it starts.
 *
 * What stays on the pool: statements inside a transaction (they must see its own writes), writes,
 * and anything that is not a plain read (`stmt.reader && stmt.readonly`, better-sqlite3's own
 * verdict on the prepared statement). Statements are logged through MikroORM like the others
 * (executeQuery), so query counts and the SQL log are unchanged. An in-memory database has no second
 * connection (it would be another, empty database): everything stays on the pool there.
 */
import Database from 'better-sqlite3';
import { AbstractSqlDriver, BetterSqliteConnection, BetterSqlitePlatform, type Configuration } from '@mikro-orm/better-sqlite';

type Statement = Parameters<BetterSqliteConnection['execute']>[0];
type Method = 'all' | 'get' | 'run';
type Result = Awaited<ReturnType<BetterSqliteConnection['execute']>>;

export class ReadSplitSqliteConnection extends BetterSqliteConnection {
  private reader: Database.Database | null = null;
  /** closed by close() until connect(): statements then fail on the pool as they did */
  private readerClosed = false;

  /** The read-only connection (opened on first use); null for an in-memory database or once closed. */
  readerDb(): Database.Database | null {
    if (this.reader || this.readerClosed) return this.reader;
    const file = this.config.get('dbName');
    if (!file || file === ':memory:') return null;
    this.reader = new Database(file, { readonly: true, fileMustExist: true });
    // a checkpoint can hold a reader for a moment; wait for it as the pool's connection would
    this.reader.pragma('busy_timeout = 5000');
    return this.reader;
  }

  override async execute<T extends Result = Result>(query: Statement, params: unknown[] = [], method: Method = 'all', ctx?: unknown, loggerContext?: unknown): Promise<T> {
    if (method === 'run' || ctx) return super.execute<T>(query, params as never, method, ctx as never, loggerContext as never);
    let sql = query as string | { toSQL(): { sql: string; bindings?: unknown[] }; client?: { transacting?: boolean } };
    if (typeof sql === 'object') {
      // a query builder bound to a transaction runs in it
      if (sql.client?.transacting) return super.execute<T>(query, params as never, method, ctx as never, loggerContext as never);
      const q = sql.toSQL();
      sql = q.sql;
      params = q.bindings ?? [];
    }
    const reader = this.readerDb();
    if (!reader) return super.execute<T>(sql, params as never, method, ctx as never, loggerContext as never);
    const raw = sql;
    sql = this.config.get('onQuery')(sql, params);
    // the same text knex would run: MikroORM inlines the parameters (and converts them) itself
    const formatted = this.platform.formatQuery(sql, params);
    let stmt: Database.Statement;
    try {
      stmt = reader.prepare(formatted);
    } catch {
      // a statement SQLite refuses fails on the pool, with MikroORM's error conversion and log
      return super.execute<T>(raw, params as never, method, ctx as never, loggerContext as never);
    }
    if (!stmt.reader || !stmt.readonly) return super.execute<T>(raw, params as never, method, ctx as never, loggerContext as never);
    // what the SQL log shows, as AbstractSqlConnection.getSql (private) makes it
    const logger = this.config.getLogger();
    const logged = !logger.isEnabled('query', loggerContext as never) ? sql : logger.isEnabled('query-params', loggerContext as never) ? formatted : this.getKnex().client.positionBindings(sql);
    return this.executeQuery(logged, async () => this.transformRawResult<T>(stmt.all(), method), { query: sql, params, ...(loggerContext as object) });
  }

  override async connect(): Promise<void> {
    this.readerClosed = false;
    await super.connect();
  }

  override async close(force?: boolean): Promise<void> {
    this.readerClosed = true;
    this.reader?.close();
    this.reader = null;
    await super.close(force);
  }
}

/** MikroORM's better-sqlite driver with the connection above. */
export class ReadSplitSqliteDriver extends AbstractSqlDriver<ReadSplitSqliteConnection> {
  constructor(config: Configuration) {
    super(config, new BetterSqlitePlatform(), ReadSplitSqliteConnection, ['knex', 'better-sqlite3']);
  }
}
