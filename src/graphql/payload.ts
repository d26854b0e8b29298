/**
 * Mutation payloads: every mutation returns `<X>Payload { …, userErrors }`. Expected failures
 * (validation, quota, conflict, not found) become userErrors here — the one place DomainErrors are
 * mapped for mutations. Anything else propagates and becomes a top-level error in format-error.ts.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DomainError, DomainErrors, ErrorCode } from '../errors.js';

export enum UserErrorCode {
  INVALID_INPUT = 'INVALID_INPUT',
  INVALID_NAME = 'INVALID_NAME',
  INVALID_ID = 'INVALID_ID',
  NOT_FOUND = 'NOT_FOUND',
  ALREADY_EXISTS = 'ALREADY_EXISTS',
  CONFLICT = 'CONFLICT',
  IN_USE = 'IN_USE',
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  BUDGET_EXCEEDED = 'BUDGET_EXCEEDED',
  INSUFFICIENT_CAPACITY = 'INSUFFICIENT_CAPACITY',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  ILLEGAL_STATE = 'ILLEGAL_STATE',
}
registerEnumType(UserErrorCode, { name: 'UserErrorCode', description: 'Why a mutation refused its input' });

@ObjectType('UserError', { description: 'An expected failure of a mutation; nothing was changed' })
export class UserError {
  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault, e.g. ["input", "name"]' })
  field!: string[] | null;

  @Field(() => String)
  message!: string;

  @Field(() => UserErrorCode)
  code!: UserErrorCode;
}

/** Base of every payload. Never referenced itself, so it stays out of the emitted schema. */
@ObjectType('Payload')
export abstract class Payload {
  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

export function toUserError(e: DomainError): UserError {
  const u = new UserError();
  u.field = e.field ? (e.field[0] === 'input' ? e.field : ['input', ...e.field]) : null;
  u.message = e.message;
  u.code = (Object.values(UserErrorCode) as string[]).includes(e.code) ? (e.code as unknown as UserErrorCode) : UserErrorCode.INVALID_INPUT;
  return u;
}

/** What mutate() needs of the request context to keep later operations of the request consistent. */
export interface MutationScope {
  em: { clear(): void };
  loaders: { clear(): void };
}

/**
 * Maps DomainErrors thrown by `fn` to userErrors of a fresh payload.
 *
 * With `scope` (the request context), each mutation starts from a clean slate: cached loader values
 * are dropped (a document may run several mutations, each must read what the previous one wrote),
 * and a failed mutation's entities are detached from the request's EntityManager, so changes it
 * made in memory before being refused can never be flushed by a later mutation of the request.
 */
export async function mutate<P extends Payload>(Ctor: new () => P, fn: () => Promise<Partial<P>>, scope?: MutationScope): Promise<P> {
  const payload = new Ctor();
  scope?.loaders.clear();
  try {
    Object.assign(payload, await fn());
  } catch (e) {
    scope?.em.clear();
    scope?.loaders.clear();
    if (e instanceof DomainError) payload.userErrors = [toUserError(e)];
    else if (e instanceof DomainErrors) payload.userErrors = e.errors.map(toUserError);
    else if (e instanceof UniqueConstraintViolationException) {
      // A concurrent writer won a uniqueness race that the service's own check could not see.
      payload.userErrors = [toUserError(new DomainError(ErrorCode.ALREADY_EXISTS, 'An object with this name already exists'))];
    } else throw e;
  }
  return payload;
}
