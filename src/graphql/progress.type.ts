import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FailureReason, WaitReason } from '../workflow/flow.js';
import { Phase } from './phase.type.js';
import type { TrackedEntity } from '../workflow/tracked.entity.js';

registerEnumType(WaitReason, { name: 'WaitReason', description: 'Why a pool or deployment is not done yet' });
registerEnumType(FailureReason, { name: 'FailureReason', description: 'Why a step of a pool or deployment failed' });

@ObjectType('WaitingOn')
export class WaitingOn {
  @Field(() => WaitReason)
  reason!: WaitReason;

  @Field(() => String)
  message!: string;

  @Field(() => Date)
  since!: Date;
}

@ObjectType('Failure')
export class Failure {
  @Field(() => FailureReason, { description: 'Machine-readable cause' })
  reason!: FailureReason;

  @Field(() => String, { description: 'The step that failed; retry resumes here' })
  step!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType('ProgressStatus', { description: 'Where a pool or deployment is, and why it waits' })
export class ProgressStatus {
  @Field(() => Phase, { description: "The subject's phase" })
  phase!: Phase;

  @Field(() => Int, { description: '0-100' })
  percent!: number;

  @Field(() => String, { nullable: true, description: 'Id of the step running now' })
  currentStep!: string | null;

  @Field(() => Int, { nullable: true, description: '0-based index of the current step' })
  stepIndex!: number | null;

  @Field(() => Int, { nullable: true })
  stepCount!: number | null;

  @Field(() => WaitingOn, { nullable: true })
  waitingOn!: WaitingOn | null;

  @Field(() => Failure, { nullable: true })
  failure!: Failure | null;

  static of(s: TrackedEntity): ProgressStatus {
    const st = new ProgressStatus();
    st.phase = s.phase as Phase;
    st.percent = s.percent;
    st.currentStep = s.currentStep;
    st.stepIndex = s.stepIndex;
    st.stepCount = s.stepCount;
    st.waitingOn =
      s.waitReason && s.waitingSince
        ? Object.assign(new WaitingOn(), { reason: s.waitReason as WaitReason, message: s.waitMessage ?? '', since: s.waitingSince })
        : null;
    st.failure = s.failureReason ? Object.assign(new Failure(), { reason: s.failureReason as FailureReason, step: s.failureStep ?? '', message: s.failureMessage ?? '' }) : null;
    return st;
  }
}
