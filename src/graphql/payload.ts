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
registerEnumType(UserErrorCode, {
  name: 'UserErrorCode',
  description: 'Why a mutation refused its input',
  valuesConfig: {
    INVALID_INPUT: { description: 'A value breaks a rule of its field (range, length, format, combination); the message says which' },
    INVALID_NAME: { description: 'A name is not 3-33 lowercase letters, digits and `-`, starting with a letter and ending with a letter or digit' },
    INVALID_ID: { description: 'An ID is malformed or names an object of another type' },
    NOT_FOUND: { description: 'A referenced object does not exist or is not visible to you' },
    ALREADY_EXISTS: { description: 'An object with this name already exists where names must be unique' },
    CONFLICT: { description: 'The request conflicts with current state or a concurrent change (machines taken concurrently, a quota limit below the GPUs in use); re-read and try again' },
    IN_USE: { description: 'The object is still used by others (projects of a tenant, pools using a bundle, deployments on a pool) and cannot be removed' },
    QUOTA_EXCEEDED: { description: 'The GPUs requested would pass the project or tenant GPU quota of that family; the message names level, family, requested, used and limit' },
    BUDGET_EXCEEDED: { description: 'The GPU-hours this would reserve pass the monthly GPU-hour budget of the project or tenant' },
    INSUFFICIENT_CAPACITY: { description: 'Not enough free machines or free GPUs of the family in the pool or inventory' },
    IDEMPOTENCY_KEY_REUSED: { description: 'This idempotency key was already used by you with a different input' },
    ILLEGAL_STATE: { description: 'The object is in a phase where this operation is not allowed (e.g. retry of a deployment that has not failed)' },
  },
});

@ObjectType('UserError', { description: 'An expected failure of a mutation; nothing was changed' })
export class UserError {
  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault, e.g. ["input", "name"]' })
  field!: string[] | null;

  @Field(() => String, { description: 'What is wrong, in words meant for a person' })
  message!: string;

  @Field(() => UserErrorCode, { description: 'Machine-readable kind of failure' })
  code!: UserErrorCode;
}

/** Base of every payload. Never referenced itself, so it stays out of the emitted schema. */
@ObjectType('Payload')
export abstract class Payload {
  @Field(() => [UserError], { description: 'Empty on success; otherwise why the mutation was refused, and nothing was changed' })
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
