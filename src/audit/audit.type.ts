import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { isLaggingMarker, SubscriptionLaggingError, type LaggingMarker } from '../events/event.stream.js';
import { Connection, connectionDescription } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { JSONScalar } from '../graphql/scalars.js';
import { AuditOutcome, auditCursor, type AuditDto } from './audit.model.js';

registerEnumType(AuditOutcome, {
  name: 'AuditOutcome',
  description: 'How an audited mutation call ended',
  valuesConfig: {
    OK: { description: 'Done (a dry run: answered)' },
    REFUSED: { description: 'Refused: user errors, an authorization refusal or invalid input; nothing changed' },
    ERROR: { description: 'An internal fault; nothing changed' },
  },
});

@ObjectType('AuditActor', { description: 'Who called' })
export class AuditActorType {
  @Field(() => ID, { nullable: true, description: 'The API token that called (an ApiToken ID)' })
  tokenId!: string | null;

  @Field(() => String, { nullable: true, description: 'The signed-in subject (e.g. an OIDC `sub`), when the caller has one' })
  subject!: string | null;
}

@ObjectType('AuditError', { description: 'One user error of a refusal (its message is not recorded: it may echo input)' })
export class AuditErrorType {
  @Field(() => String, { description: 'The user error code (see UserErrorCode) or the top-level error code' })
  code!: string;

  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault, when the error named one' })
  field!: string[] | null;
}

@ObjectType('AuditEvent', { implements: Node, description: 'One mutation call: who, what, on what, with which input (redacted), and how it ended' })
export class AuditEventType extends Node {
  @Field(() => String, { description: 'Resume a subscription, or page on, after this record' })
  cursor!: string;

  @Field(() => Date, { description: 'When the call was recorded' })
  time!: Date;

  @Field(() => String, { description: 'The x-request-id of the call (given or generated)' })
  requestId!: string;

  @Field(() => AuditActorType, { description: 'Who called' })
  actor!: AuditActorType;

  @Field(() => String, { description: 'The mutation, e.g. deployApp' })
  operation!: string;

  @Field(() => ID, { nullable: true, description: 'The tenant of what the mutation named' })
  tenantId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The project of what the mutation named' })
  projectId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The object acted on, or created' })
  targetId!: string | null;

  @Field(() => String, { nullable: true, description: 'Its type, e.g. AppDeployment' })
  targetKind!: string | null;

  @Field(() => String, { description: 'SHA-256 (hex) of the canonical input, secret values redacted' })
  inputDigest!: string;

  @Field(() => JSONScalar, { description: 'The input, secret values redacted, long values shortened' })
  input!: unknown;

  @Field(() => AuditOutcome, { description: 'How the call ended' })
  outcome!: AuditOutcome;

  @Field(() => String, { nullable: true, description: 'The first error code of a refusal or fault' })
  errorCode!: string | null;

  @Field(() => [AuditErrorType], { description: 'The user errors of a refusal (empty when it succeeded)' })
  errors!: AuditErrorType[];

  static from(e: AuditDto | LaggingMarker): AuditEventType {
    if (isLaggingMarker(e)) throw new SubscriptionLaggingError(e.message, e.after);
    const gid = (kind: NodeKind, id: string | null) => (id ? toGlobalId(kind, id) : null);
    const subjectKind = e.subjectKind && (Object.values(NodeKind) as string[]).includes(e.subjectKind) ? (e.subjectKind as NodeKind) : null;
    return Object.assign(new AuditEventType(), {
      id: toGlobalId(NodeKind.AuditEvent, e.id),
      cursor: auditCursor(e),
      time: new Date(e.time),
      requestId: e.requestId,
      actor: Object.assign(new AuditActorType(), { tokenId: gid(NodeKind.ApiToken, e.actor.tokenId), subject: e.actor.subject }),
      operation: e.operation,
      tenantId: gid(NodeKind.Tenant, e.tenantId),
      projectId: gid(NodeKind.Project, e.projectId),
      targetId: subjectKind ? gid(subjectKind, e.subjectId) : null,
      targetKind: e.subjectKind,
      inputDigest: e.inputDigest,
      input: e.inputSummary,
      outcome: e.outcome,
      errorCode: e.errorCode,
      errors: (e.errors ?? []).map((x) => Object.assign(new AuditErrorType(), x)),
    });
  }
}

@ObjectType({ description: connectionDescription('AuditEvent') })
export class AuditEventConnection extends Connection(AuditEventType, 'AuditEvent') {}

@InputType('AuditEventFilter', { description: 'Every field narrows; records outside what you may read are never shown' })
export class AuditEventFilter {
  @Field(() => ID, { nullable: true, description: 'Only records about this tenant (global ID)' })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only records about this project (global ID)' })
  projectId?: string | null;

  @Field(() => String, { nullable: true, description: 'An ApiToken ID, or a subject' })
  actor?: string | null;

  @Field(() => String, { nullable: true, description: 'A mutation name, e.g. deployApp' })
  operation?: string | null;

  @Field(() => AuditOutcome, { nullable: true, description: 'Only calls that ended this way' })
  outcome?: AuditOutcome | null;

  @Field(() => Date, { nullable: true, description: 'From this time on (inclusive)' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Before this time (exclusive)' })
  to?: Date | null;
}
