import type { ProjectService } from '../tenancy/project.service.js';

/** Placeholder until the catalog lands (profile bundles). */
export class BundleService {
  constructor(readonly projects: ProjectService) {}

  seedDemo?: (ctx: unknown, projectId: string) => Promise<void>;
}
