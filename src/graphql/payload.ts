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

function toUserError(e: DomainError): UserError {
  const u = new UserError();
  u.field = e.field ? (e.field[0] === 'input' ? e.field : ['input', ...e.field]) : null;
  u.message = e.message;
  u.code = (Object.values(UserErrorCode) as string[]).includes(e.code) ? (e.code as unknown as UserErrorCode) : UserErrorCode.INVALID_INPUT;
  return u;
}

/** Maps DomainErrors thrown by `fn` to userErrors of a fresh payload. */
export async function mutate<P extends Payload>(Ctor: new () => P, fn: () => Promise<Partial<P>>): Promise<P> {
  const payload = new Ctor();
  try {
    Object.assign(payload, await fn());
  } catch (e) {
    if (e instanceof DomainError) payload.userErrors = [toUserError(e)];
    else if (e instanceof DomainErrors) payload.userErrors = e.errors.map(toUserError);
    else if (e instanceof UniqueConstraintViolationException) {
      // A concurrent writer won a uniqueness race that the service's own check could not see.
      payload.userErrors = [toUserError(new DomainError(ErrorCode.ALREADY_EXISTS, 'An object with this name already exists'))];
    } else throw e;
  }
  return payload;
}
