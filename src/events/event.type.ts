import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/relay/connection.js';
import { NodeKind, toGlobalId } from '../graphql/relay/global-id.js';
import { Node } from '../graphql/relay/node.interface.js';
import { JSONScalar } from '../graphql/scalars.js';
import { Phase } from '../graphql/phase.type.js';
import { eventCursor, type EventDto } from './event.dto.js';
import { EventType, SubjectKind } from './event.entity.js';
import { isLaggingMarker, SubscriptionLaggingError, type LaggingMarker } from './event.stream.js';

registerEnumType(EventType, { name: 'DeploymentEventType' });
registerEnumType(SubjectKind, { name: 'EventSubjectKind' });

@ObjectType('DeploymentEvent', { implements: Node, description: 'One entry of the progress log of a compute pool or app deployment' })
export class DeploymentEventNode extends Node {
  @Field(() => String, { description: 'Pass as `after` to a subscription to resume after this event' })
  cursor!: string;

  @Field(() => SubjectKind)
  subjectKind!: SubjectKind;

  @Field(() => ID, { description: 'Global ID of the ComputePool or AppDeployment' })
  subjectId!: string;

  @Field(() => String)
  subjectName!: string;

  @Field(() => Int, { description: 'Gapless per subject, from 1' })
  seq!: number;

  @Field(() => Int, { description: 'Gapless per project, from 1' })
  projectSeq!: number;

  @Field(() => EventType)
  type!: EventType;

  @Field(() => Phase, { description: "The subject's phase after this event" })
  phase!: Phase;

  @Field(() => String, { nullable: true })
  step!: string | null;

  @Field(() => Int, { nullable: true, description: '0-based; equals stepCount on the event that ends a flow' })
  stepIndex!: number | null;

  @Field(() => Int, { nullable: true })
  stepCount!: number | null;

  @Field(() => Int)
  percent!: number;

  @Field(() => String)
  message!: string;

  @Field(() => JSONScalar, { nullable: true })
  details!: Record<string, unknown> | null;

  @Field(() => Date)
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


@ObjectType()
export class DeploymentEventConnection extends Connection(DeploymentEventNode, 'DeploymentEvent') {}
