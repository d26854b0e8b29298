import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection, connectionDescription } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { JSONScalar } from '../graphql/scalars.js';
import { Phase } from '../graphql/phase.type.js';
import { eventCursor, type EventDto } from './event.dto.js';
import { EventType, SubjectKind } from './event.entity.js';
import { isLaggingMarker, SubscriptionLaggingError, type LaggingMarker } from './event.stream.js';

registerEnumType(EventType, {
  name: 'DeploymentEventType',
  description: 'What an event of the progress log records',
  valuesConfig: {
    CREATED: { description: 'The subject was admitted and created' },
    PHASE_CHANGED: { description: 'The subject moved to another phase (`phase` holds the new one)' },
    STEP_STARTED: { description: 'A step of the flow started' },
    STEP_PROGRESS: { description: 'A running step made progress (`percent` changed)' },
    STEP_WAITING: { description: 'A step waits on something outside the gateway; the message says what' },
    STEP_SUCCEEDED: { description: 'A step finished' },
    STEP_FAILED: { description: 'A step failed; the subject is FAILED' },
    RETRIED: { description: 'A failed deployment was retried and resumes from its failed step' },
    DELETE_REQUESTED: { description: 'Deletion was requested' },
  },
});
registerEnumType(SubjectKind, {
  name: 'EventSubjectKind',
  description: 'What an event is about',
  valuesConfig: {
    COMPUTE_POOL: { description: 'A compute pool' },
    APP_DEPLOYMENT: { description: 'An app deployment' },
  },
});

@ObjectType('DeploymentEvent', { implements: Node, description: 'One entry of the progress log of a compute pool or app deployment' })
export class DeploymentEventNode extends Node {
  @Field(() => String, { description: 'Pass as `after` to a subscription to resume after this event' })
  cursor!: string;

  @Field(() => SubjectKind, { description: 'Whether the subject is a compute pool or an app deployment' })
  subjectKind!: SubjectKind;

  @Field(() => ID, { description: 'Global ID of the ComputePool or AppDeployment' })
  subjectId!: string;

  @Field(() => String, { description: 'Name of the pool or deployment' })
  subjectName!: string;

  @Field(() => Int, { description: 'Gapless per subject, from 1' })
  seq!: number;

  @Field(() => Int, { description: 'Gapless per project, from 1' })
  projectSeq!: number;

  @Field(() => EventType, { description: 'What happened' })
  type!: EventType;

  @Field(() => Phase, { description: "The subject's phase after this event" })
  phase!: Phase;

  @Field(() => String, { nullable: true, description: 'Id of the step the event is about; null for events outside a step' })
  step!: string | null;

  @Field(() => Int, { nullable: true, description: '0-based; equals stepCount on the event that ends a flow' })
  stepIndex!: number | null;

  @Field(() => Int, { nullable: true, description: 'Number of steps of the flow; null outside a flow' })
  stepCount!: number | null;

  @Field(() => Int, { description: 'Overall progress of the flow after this event, in percent (0-100)' })
  percent!: number;

  @Field(() => String, { description: 'What happened, in words meant for a person' })
  message!: string;

  @Field(() => JSONScalar, { nullable: true, description: 'Structured details, depending on the type (e.g. the wait reason, the failure reason, hub object names); null when there are none' })
  details!: Record<string, unknown> | null;

  @Field(() => Date, { description: 'When it happened (committed together with the state change)' })
  time!: Date;

  /** Also the one place a subscription's lagging marker (see event.stream.ts) becomes its error. */
  static from(e: EventDto | LaggingMarker): DeploymentEventNode {
    if (isLaggingMarker(e)) throw new SubscriptionLaggingError(e.message, e.after);
    return Object.assign(new DeploymentEventNode(), {
      id: toGlobalId(NodeKind.DeploymentEvent, e.id),
      cursor: eventCursor(e),
      subjectKind: e.subjectKind,
      subjectId: toGlobalId(e.subjectKind === SubjectKind.COMPUTE_POOL ? NodeKind.ComputePool : NodeKind.AppDeployment, e.subjectId),
      subjectName: e.subjectName,
      seq: e.seq,
      projectSeq: e.projectSeq,
      type: e.type,
      phase: e.phase as Phase,
      step: e.stepId,
      stepIndex: e.stepIndex,
      stepCount: e.stepCount,
      percent: e.percent,
      message: e.message,
      details: e.details,
      time: e.time instanceof Date ? e.time : new Date(e.time),
    });
  }
}


@ObjectType({ description: connectionDescription('DeploymentEvent') })
export class DeploymentEventConnection extends Connection(DeploymentEventNode, 'DeploymentEvent') {}
