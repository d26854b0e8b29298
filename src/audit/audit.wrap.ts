/**
 * The one place mutations are audited: every field of the schema's Mutation type — today's and any
 * added later — is wrapped, so its calls are recorded by AuditService.record whatever the resolver
 * does (test/integration/audit.coverage.test.ts calls each one to prove it). Applied once to the
 * built schema, which serves HTTP and graphql-ws alike.
 */
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { Ctx } from '../context.js';

const WRAPPED = Symbol('audited');

export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  if (!mutation) return schema;
  for (const field of Object.values(mutation.getFields())) {
    const inner = field.resolve ?? defaultFieldResolver;
    if ((inner as { [WRAPPED]?: boolean })[WRAPPED]) continue;
    const name = field.name;
    const audited: typeof inner = (source, args, context, info) =>
      (context as Ctx).services.audit.record(context as Ctx, name, args as Record<string, unknown>, async () => inner(source, args, context, info));
    (audited as { [WRAPPED]?: boolean })[WRAPPED] = true;
    field.resolve = audited;
  }
  return schema;
}
