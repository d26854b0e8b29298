/**
 * Rows staged like `em.create` stages entities, written by `insert` as one multi-row INSERT per table
 * with bound parameters — for admission's group commit (deployment.batch.ts, PostgreSQL) and the
 * single admission onto an existing pool (deployment.service.ts admit, both dialects).
 *
 * Why: em.create builds a managed entity (entity factory, reference wrappers, identity map, the
 * change-tracking snapshot) and the flush then computes a change set for each, about a tenth of the
 * gateway's CPU per admission for rows that are written once and never changed in that request. Here
 * a row is a plain object: the data given, else the entity's own defaults (read from the class's
 * initialisers once, so `em.create` and this write the same values), with the entity's prototype so
 * that what reads it (the response, the audit record's subject kind) sees the entity's shape. Its
 * relations are `{ id }` references. It is not managed: nothing may persist or change it.
 *
 * Columns and their conversions come from the entity's metadata (JSON columns through their type),
 * so a column added to an entity is written here too, or refused when it has neither a value nor a
 * default.
 */
import { ReferenceKind, type EntityClass, type EntityProperty, type RequiredEntityData } from '@mikro-orm/core';
import { uuidv7 } from './ids.js';
import type { Em } from './orm.js';
import { isPostgres, runBound } from './sql.js';

interface Column {
  prop: string;
  name: string;
  relation: boolean;
  nullable: boolean;
  primary: boolean;
  convert: ((v: unknown) => unknown) | null;
}

interface Plan {
  table: string;
  columns: Column[];
  /** the values an instance gets from its initialisers (Dates: "now" at each create; the primary key: a new id) */
  defaults: Map<string, unknown>;
  head: string;
  rowSql: string;
}

const plans = new WeakMap<object, Plan>();

/** Parameters bound per statement at most (PostgreSQL's limit is 65,535). */
const MAX_PARAMS = 32_000;

function planOf(em: Em, entity: EntityClass<object>): Plan {
  let plan = plans.get(entity);
  if (plan) return plan;
  const meta = em.getMetadata().get(entity.name);
  const platform = em.getPlatform();
  const persisted = (p: EntityProperty) =>
    p.persist !== false && !p.formula && !p.embedded && (p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE || (p.kind === ReferenceKind.ONE_TO_ONE && p.owner));
  const columns = meta.props.filter(persisted).map((p): Column => {
    if (p.fieldNames.length !== 1) throw new Error(`plain inserts: ${meta.className}.${p.name} spans ${p.fieldNames.length} columns`);
    const type = p.customType;
    return {
      prop: p.name,
      name: p.fieldNames[0],
      relation: p.kind !== ReferenceKind.SCALAR,
      nullable: !!p.nullable,
      primary: !!p.primary,
      convert: type ? (v) => type.convertToDatabaseValue(v, platform, { mode: 'query' }) : null,
    };
  });
  // one instance, once: the initialisers' values are the defaults (em.create starts from them too)
  const template = new (entity as unknown as new () => Record<string, unknown>)();
  const defaults = new Map<string, unknown>();
  for (const c of columns) {
    if (c.primary && !c.relation) continue;
    const v = template[c.prop];
    if (v !== undefined) defaults.set(c.prop, v);
  }
  const head = `insert into "${meta.tableName}" (${columns.map((c) => `"${c.name}"`).join(', ')}) values `;
  plan = { table: meta.tableName, columns, defaults, head, rowSql: `(${columns.map(() => '?').join(', ')})` };
  plans.set(entity, plan);
  return plan;
}

/** A default's value for one new row: its own copy of an object, "now" for a Date. */
function fresh(v: unknown, now: Date): unknown {
  if (v instanceof Date) return now;
  if (Array.isArray(v)) return [...v];
  if (v && typeof v === 'object') return { ...v };
  return v;
}

/**
 * What stages rows: an EntityManager (managed entities, written by its flush) or PlainInserts. The
 * functions that stage an admission's rows take either, so both ways write the same rows.
 */
export interface Stager {
  create<T extends object>(entity: EntityClass<T>, data: RequiredEntityData<T>): T;
}

const idOf = (v: unknown): unknown => (v && typeof v === 'object' ? (v as { id: unknown }).id : v);

export class PlainInserts implements Stager {
  /** rows per entity, in the order each entity was first staged (parents before children, as staged) */
  private readonly rows = new Map<EntityClass<object>, Record<string, unknown>[]>();

  constructor(private readonly em: Em) {}

  /** Stages a row of `entity` (em.create's contract for the data given) and returns it, unmanaged. */
  create<T extends object>(entity: EntityClass<T>, data: RequiredEntityData<T>): T {
    const plan = planOf(this.em, entity as EntityClass<object>);
    const now = new Date();
    const given = data as Record<string, unknown>;
    const row: Record<string, unknown> = {};
    for (const c of plan.columns) {
      let v = given[c.prop];
      if (v === undefined) v = plan.defaults.has(c.prop) ? fresh(plan.defaults.get(c.prop), now) : c.primary ? uuidv7() : c.nullable ? null : undefined;
      row[c.prop] = c.relation && v != null ? { id: idOf(v) } : v;
    }
    let list = this.rows.get(entity as EntityClass<object>);
    if (!list) this.rows.set(entity as EntityClass<object>, (list = []));
    list.push(row);
    // the entity's shape for readers (getters, `constructor`), without its change-tracking setters
    return Object.setPrototypeOf(row, entity.prototype) as T;
  }

  /**
   * Writes every staged row in ONE statement: an INSERT per table, in the order staged, each but the
   * last as a data-modifying WITH (PostgreSQL runs them all; the foreign keys are checked at the end
   * of the statement, so children may sit beside their parents). One round trip for the group
   * commit's six or seven tables instead of one each, while the batch holds its locked rows. With SQL
   * tracing on (observability/tracing.spans.ts listens to knex's query events), one statement per
   * table, so each table's insert is a span of its own. SQLite (no data-modifying WITH): one
   * statement per table, in the order staged (parents first).
   *
   * A failed insert throws what the unit of work's flush would have thrown (MikroORM's exception
   * types: a unique index's refusal is a UniqueConstraintViolationException), so callers tell a taken
   * name or idempotency key as before.
   */
  async insert(): Promise<void> {
    const perTable = !isPostgres(this.em) || (this.em.getKnex() as unknown as { listenerCount(event: string): number }).listenerCount('query-response') > 0;
    let parts: string[] = [];
    let params: unknown[] = [];
    const flush = async () => {
      if (!parts.length) return;
      const last = parts.pop()!;
      const sql = parts.length ? `with ${parts.map((q, i) => `"sg_insert_${i}" as (${q})`).join(', ')} ${last}` : last;
      const bound = params;
      parts = [];
      params = [];
      try {
        await runBound(this.em, sql, bound);
      } catch (e) {
        // plain statements bypass MikroORM's exception conversion; the code (retries) is kept
        throw this.em.getDriver().convertException(e as Error);
      }
    };
    for (const [entity, rows] of this.rows) {
      const plan = planOf(this.em, entity);
      const values: unknown[] = [];
      for (const row of rows) {
        for (const c of plan.columns) {
          let v = row[c.prop];
          if (c.relation) v = idOf(v);
          if (v === undefined || v === null) {
            if (!c.nullable) throw new Error(`plain inserts: ${plan.table}.${c.name} has no value`);
            v = null;
          } else if (c.convert) v = c.convert(v);
          values.push(v);
        }
      }
      // a statement binds at most 65,535 parameters: past half of that, the tables so far go first
      if (perTable || params.length + values.length > MAX_PARAMS) await flush();
      parts.push(plan.head + rows.map(() => plan.rowSql).join(', '));
      for (const v of values) params.push(v);
    }
    this.rows.clear();
    await flush();
  }
}
