import { Resolver } from 'type-graphql';
import { ProjectNode } from '../tenancy/project.type.js';

@Resolver(() => ProjectNode)
export class BundleResolver {}
