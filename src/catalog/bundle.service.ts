/**
 * Profile Bundles (design §1): each version is its own immutable row; `name` groups the versions of
 * a bundle within a project. Versions are numbered max + 1 and the unique (project, name, version)
 * index settles races: a writer that loses retries with the next number, so concurrent versions never
 * share a number and leave no gap.
 */
import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Ctx } from '../context.js';
import { countChildren, loadChildRows, type SqlFilter } from '../db/child-pages.js';
import { BUNDLE_COLUMNS, BUNDLE_CONTENT_SQL, bundleViewOf, type BundleContentRow, type BundleView } from './bundle.read.js';
import { andThen, byKey } from '../db/loaders.js';
import type { Em } from '../db/orm.js';
import { all, knexOf } from '../db/sql.js';
import { readRows } from '../db/read-rows.js';
import { inTransaction } from '../db/transaction.js';
import { ConflictError, ErrorCode, NotFoundError, Problems } from '../errors.js';
import { emptyPage, pageKey, toPage, type Page, type PageRequest } from '../graphql/relay/connection.js';
import { assertProject, canReadProject, type ProjectScope } from '../tenancy/access.policy.js';
import type { Project } from '../tenancy/project.entity.js';
import type { ProjectService } from '../tenancy/project.service.js';
import { contentFrom, contentOf, type BundleContentInput } from './bundle.content.js';
import { demoBundles } from './bundle.demo.js';
import type { BundleContent, BundleType } from './bundle.model.js';
import { bundleContentProblems, bundleNameProblem } from './bundle.rules.js';
import { ProfileBundle } from './profile-bundle.entity.js';
import { normalizeVariables } from './variables.js';

export interface CreateBundleInput extends BundleContentInput {
  projectId: string;
  name: string;
  type: BundleType;
}

export interface CreateVersionInput extends BundleContentInput {
  /** any version of the bundle; the new version's omitted fields are copied from it */
  bundleId: string;
}

export interface BundleFilter {
  name?: string | null;
  type?: BundleType | null;
}

/**
 * Another feature's objects that use a bundle version (compute pools, app deployments): a phrase such
 * as "is used by compute pool gpu-a", or null. Runs inside the deleting transaction.
 */
export type BundleReferences = (em: Em, bundleId: string) => Promise<string | null>;

/** Plenty for dozens of simultaneous writers on one bundle; each round has exactly one winner. */
const VERSION_ATTEMPTS = 50;

const scopeOf = (p: Project): ProjectScope => ({ id: p.id, tenantId: p.tenant.id, name: p.name });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BundleService {
  private readonly references: BundleReferences[] = [];

  constructor(private readonly projects: ProjectService) {}

  /** Lets compute pools and app deployments veto deleting a bundle version they use. */
  registerReferences(check: BundleReferences): void {
    this.references.push(check);
  }

  /** A version visible to the viewer, or null (absent and invisible look the same). */
  async byId(ctx: Ctx, id: string): Promise<ProfileBundle | null> {
    const loader = ctx.loaders.get<string, ProfileBundle | null>('bundleById', async (ids) =>
      byKey(ids, await ctx.em.find(ProfileBundle, { id: { $in: [...ids] } }), (b) => b.id),
    );
    const b = await loader.load(id);
    return b && (await this.projects.byId(ctx, b.project.id)) ? b : null;
  }

  async require(ctx: Ctx, id: string, field: string[]): Promise<ProfileBundle> {
    const b = await this.byId(ctx, id);
    if (!b) throw new NotFoundError('Profile bundle', field);
    return b;
  }

  /**
   * Versions of a project's bundles in creation (id) order; batched across projects per page shape; a
   * plain value once this request has loaded the same page of the project (a prefetched page).
   */
  pageForProject(ctx: Ctx, project: ProjectScope, page: PageRequest, filter: BundleFilter, columns: string[] = BUNDLE_COLUMNS): Page<BundleView> | Promise<Page<BundleView>> {
    if (!canReadProject(ctx.viewer, project)) return emptyPage();
    const where = bundleFilter(filter);
    // `columns` (bundle.read.ts bundleColumnsFor): only those a query asks; pages asking other columns are other statements
    const key = `${pageKey(page)}|${filter.name ?? ''}|${filter.type ?? ''}|${columns.join(',')}`;
    // the content of the versions a query asks it of: one statement for all of them
    const contents = ctx.loaders.get<string, BundleContentRow | null>('bundleContentById', async (ids) =>
      byKey(ids, await readRows<BundleContentRow & { id: string }>(ctx.em, `${BUNDLE_CONTENT_SQL} (${ids.map(() => '?').join(', ')})`, [...ids]), (r) => r.id),
    );
    const content = (id: string) => contents.load(id);
    // read models: a page of versions is only read
    const rows = ctx.loaders.value<string, BundleView[]>(`bundlesByProject:${key}`, project.id, async (ids) => {
      const q = { parentColumn: 'project_id', parentIds: [...ids], limit: page.first + 1, afterId: page.afterId, beforeId: page.beforeId, backward: page.backward, filter: where };
      const m = await loadChildRows(ctx.em, 'profile_bundle', columns, q, (row) => bundleViewOf(ctx.em, row, content));
      return ids.map((id) => m.get(id) ?? []);
    });
    const counter = ctx.loaders.get<string, number>(`bundleCountByProject:${filter.name ?? ''}|${filter.type ?? ''}`, async (ids) => {
      const c = await countChildren(ctx.em, ProfileBundle, 'project_id', [...ids], where);
      return ids.map((id) => c.get(id) ?? 0);
    });
    return andThen(rows, (r) => toPage(r, page, () => counter.load(project.id)));
  }

  /** Checks content and returns its stored form, or throws every problem at once. */
  private validated(content: BundleContent, problems = new Problems()): BundleContent {
    bundleContentProblems(content).forEach((e) => problems.push(e));
    problems.throwIfAny();
    return { ...content, variables: normalizeVariables(content.variables) };
  }

  /** Version 1 of a new bundle. */
  async create(ctx: Ctx, input: CreateBundleInput): Promise<ProfileBundle> {
    const project = await this.projects.require(ctx, input.projectId, ['projectId']);
    assertProject(ctx.viewer, scopeOf(project), 'manageBundles', ['projectId']);
    const p = new Problems();
    const np = bundleNameProblem(input.name);
    if (np) p.add(np, ['name'], ErrorCode.INVALID_NAME);
    const content = this.validated(contentFrom(input.type, input, null), p);
    const taken = () =>
      new ConflictError(`profile bundle ${input.name} already exists in project ${project.name}; create a new version of it instead`, ['name'], ErrorCode.ALREADY_EXISTS);
    try {
      return await inTransaction(ctx.em, async (em) => {
        if (await em.count(ProfileBundle, { project: project.id, name: input.name })) throw taken();
        const b = em.create(ProfileBundle, { project: project.id, name: input.name, version: 1, ...content });
        await em.flush();
        return b;
      });
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException) throw taken();
      throw e;
    }
  }

  /** The next version of the bundle `input.bundleId` belongs to. The type of a bundle never changes. */
  async createVersion(ctx: Ctx, input: CreateVersionInput): Promise<ProfileBundle> {
    const base = await this.require(ctx, input.bundleId, ['profileBundleId']);
    const project = await this.projects.require(ctx, base.project.id, ['profileBundleId']);
    assertProject(ctx.viewer, scopeOf(project), 'manageBundles', ['profileBundleId']);
    const content = this.validated(contentFrom(base.type, input, contentOf(base)));
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(ctx.em, async (em) => {
          const [row] = await all<{ latest: number | string | null }>(
            em,
            knexOf(em)('profile_bundle').max({ latest: 'version' }).where({ project_id: project.id, name: base.name }),
          );
          if (row?.latest == null) throw new NotFoundError('Profile bundle', ['profileBundleId']);
          const b = em.create(ProfileBundle, { project: project.id, name: base.name, version: Number(row.latest) + 1, ...content });
          await em.flush();
          return b;
        });
      } catch (e) {
        if (!(e instanceof UniqueConstraintViolationException)) throw e;
        if (attempt >= VERSION_ATTEMPTS) throw new ConflictError(`too many concurrent changes to profile bundle ${base.name}; try again`, ['profileBundleId']);
        await sleep(2 + Math.random() * 10 * Math.min(attempt, 5));
      }
    }
  }

  /** Deletes one version; refused with IN_USE while anything references it. */
  async delete(ctx: Ctx, id: string): Promise<string> {
    const b = await this.require(ctx, id, ['id']);
    const project = await this.projects.require(ctx, b.project.id, ['id']);
    assertProject(ctx.viewer, scopeOf(project), 'manageBundles', ['id']);
    const label = `${b.name} v${b.version}`;
    try {
      await inTransaction(ctx.em, async (em) => {
        for (const check of this.references) {
          const why = await check(em, b.id);
          if (why) throw new ConflictError(`profile bundle ${label} ${why}`, ['id'], ErrorCode.IN_USE);
        }
        if ((await em.nativeDelete(ProfileBundle, { id: b.id })) === 0) throw new NotFoundError('Profile bundle', ['id']);
      });
    } catch (e) {
      // A reference inserted after the checks ran: its foreign key refuses the delete.
      if (e instanceof ForeignKeyConstraintViolationException) throw new ConflictError(`profile bundle ${label} is in use`, ['id'], ErrorCode.IN_USE);
      throw e;
    }
    return b.id;
  }

  /** First-start demo content (demo.seed.ts): made through create(), so it obeys every rule. */
  async seedDemo(ctx: Ctx, projectId: string): Promise<void> {
    for (const input of demoBundles(projectId)) await this.create(ctx, input);
  }
}

/** The name and type filters of a bundle page, as plain SQL (child-pages.ts). */
function bundleFilter(filter: BundleFilter): SqlFilter | undefined {
  const conds: string[] = [];
  const params: unknown[] = [];
  if (filter.name != null) {
    conds.push('"name" = ?');
    params.push(filter.name);
  }
  if (filter.type != null) {
    conds.push('"type" = ?');
    params.push(filter.type);
  }
  return conds.length ? { sql: conds.join(' and '), params } : undefined;
}
