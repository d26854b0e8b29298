import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum GpuUsageGroupBy {
  GPU_FAMILY = 'GPU_FAMILY',
  PROJECT = 'PROJECT',
  COMPUTE_POOL = 'COMPUTE_POOL',
  APP_DEPLOYMENT = 'APP_DEPLOYMENT',
  DAY = 'DAY',
}
registerEnumType(GpuUsageGroupBy, {
  name: 'GpuUsageGroupBy',
  description: 'A dimension to break GPU usage down by',
  valuesConfig: {
    GPU_FAMILY: { description: 'Per GPU family' },
    PROJECT: { description: 'Per project' },
    COMPUTE_POOL: { description: 'Per compute pool (the pool a reservation is on)' },
    APP_DEPLOYMENT: { description: 'A dedicated pool counts for the deployment that made it; a pool made on its own has none (null)' },
    DAY: { description: 'UTC days; a reservation spanning midnight is split there' },
  },
});

@ObjectType('GpuUsageGroup', { description: 'Usage of one combination of the groupBy values (the others are null)' })
export class GpuUsageGroupType {
  @Field(() => String, { nullable: true, description: 'The GPU family of this group (with GPU_FAMILY)' })
  gpuFamily!: string | null;

  @Field(() => ID, { nullable: true, description: 'Global ID of the project of this group (with PROJECT)' })
  projectId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Global ID of the compute pool of this group (with COMPUTE_POOL)' })
  computePoolId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Global ID of the app deployment of this group (with APP_DEPLOYMENT)' })
  appDeploymentId!: string | null;

  @Field(() => Date, { nullable: true, description: 'Start of the UTC day' })
  day!: Date | null;

  @Field(() => Float, { description: 'GPU-seconds of this group (one GPU held for one second = 1)' })
  gpuSeconds!: number;

  @Field(() => Float, { description: 'GPU-hours of this group (gpuSeconds / 3600)' })
  gpuHours!: number;
}

@ObjectType('GpuUsage', { description: 'GPU time held by reservations in [from, to): each reservation clipped to the range, one still held counted up to asOf' })
export class GpuUsageType {
  @Field(() => ID, { description: 'The global ID asked about' })
  scope!: string;

  @Field(() => Date, { description: 'Start of the range (inclusive)' })
  from!: Date;

  @Field(() => Date, { description: 'End of the range (exclusive)' })
  to!: Date;

  @Field(() => Date, { description: 'The time reservations still held were counted up to (when before `to`)' })
  asOf!: Date;

  @Field(() => String, { nullable: true, description: 'The GPU family asked about; null: all' })
  gpuFamily!: string | null;

  @Field(() => Float, { description: 'GPU-seconds, exact to the millisecond' })
  gpuSeconds!: number;

  @Field(() => Float, { description: 'GPU-hours (gpuSeconds / 3600)' })
  gpuHours!: number;

  @Field(() => [GpuUsageGroupType], { description: 'Empty unless groupBy is given' })
  groups!: GpuUsageGroupType[];
}

@ObjectType('ProjectGpuBudget', { description: "A project's monthly GPU-hour budget and where this calendar month (UTC) stands against it" })
export class ProjectGpuBudgetType {
  @Field(() => Float, { description: 'The budget, in GPU-hours per calendar month (UTC)' })
  monthlyGpuHours!: number;

  @Field(() => Date, { description: 'Start of this calendar month (UTC)' })
  periodStart!: Date;

  @Field(() => Date, { description: 'Start of next calendar month (UTC): the end of this period' })
  periodEnd!: Date;

  @Field(() => Float, { description: 'From the start of the month until now' })
  usedGpuHours!: number;

  @Field(() => Float, { description: 'Used, plus every reservation still held to the end of the month' })
  projectedGpuHours!: number;

  @Field(() => Float, { description: 'Budget minus projected (negative once passed): what new requests may still add this month' })
  remainingGpuHours!: number;
}
