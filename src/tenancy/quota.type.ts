import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { QuotaLevel } from './gpu-quota.entity.js';
import type { BudgetVerdict } from './quota.budget.js';

registerEnumType(QuotaLevel, {
  name: 'QuotaLevel',
  description: 'Which GPU quota a verdict is about',
  valuesConfig: {
    PROJECT: { description: "The project's own GPU quota" },
    TENANT: { description: "The tenant's GPU quota: the cap over all its projects together" },
  },
});

@ObjectType('GpuQuota', { simpleResolvers: true, description: 'Limit and reservations for one GPU family (a family with no entry has limit 0)' })
export class GpuQuotaType {
  @Field(() => String, { description: 'GPU family, e.g. NVIDIA-H100' })
  gpuFamily!: string;

  @Field(() => Int, { description: 'Most GPUs of this family that may be reserved at once (a count of GPUs)' })
  limit!: number;

  @Field(() => Int, { description: 'GPUs held by reservations' })
  used!: number;

  @Field(() => Int, { description: 'GPUs of this family that can still be reserved: limit minus used, never below 0' })
  available!: number;

  static of(r: { gpuFamily: string; limit: number; used: number }): GpuQuotaType {
    const q = new GpuQuotaType();
    q.gpuFamily = r.gpuFamily;
    q.limit = r.limit;
    q.used = r.used;
    q.available = Math.max(0, r.limit - r.used);
    return q;
  }
}

@InputType('GpuQuotaInput', { description: 'A GPU quota entry: the most GPUs of one family that may be reserved at once' })
export class GpuQuotaInput {
  @Field(() => String, { description: 'GPU family: 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (e.g. NVIDIA-H100); each family at most once per list' })
  gpuFamily!: string;

  @Field(() => Int, { description: 'Number of GPUs, 0-1000000. A project limit may not exceed its tenant limit, nor fall below the GPUs already in use' })
  limit!: number;
}

@ObjectType('QuotaLevelVerdict', { description: 'How one quota level (project or tenant) judges a GPU request' })
export class QuotaLevelVerdict {
  @Field(() => QuotaLevel, { description: 'Which quota this verdict is about' })
  level!: QuotaLevel;

  @Field(() => String, { description: 'GPU family of the request' })
  gpuFamily!: string;

  @Field(() => Int, { description: 'GPUs the request asks for' })
  requested!: number;

  @Field(() => Int, { description: 'GPUs of this family already held by reservations at this level' })
  used!: number;

  @Field(() => Int, { description: 'The quota of this family at this level (0 when the family has no entry)' })
  limit!: number;

  @Field(() => Int, { description: 'GPUs still free at this level: limit minus used, never below 0' })
  available!: number;

  @Field(() => Boolean, { description: 'Whether used plus requested stays within the limit' })
  allowed!: boolean;
}

@ObjectType('GpuBudgetVerdict', {
  description: "A project's monthly GPU-hour budget against its projected use this calendar month (UTC): used so far, plus every reservation still held and the request (if any) to the end of the month",
})
export class GpuBudgetVerdict {
  @Field(() => Float, { description: 'The monthly budget, in GPU-hours' })
  budgetGpuHours!: number;

  @Field(() => Float, { description: 'From the start of the month until now' })
  usedGpuHours!: number;

  @Field(() => Float, { description: 'Used, plus what is held (and requested) to the end of the month' })
  projectedGpuHours!: number;

  @Field(() => Float, { description: "The request's GPUs from now to the end of the month (0 without a request)" })
  requestedGpuHours!: number;

  @Field(() => Date, { description: 'Start of the budget period: the first instant of this calendar month (UTC)' })
  periodStart!: Date;

  @Field(() => Date, { description: 'End of the budget period: the first instant of next calendar month (UTC)' })
  periodEnd!: Date;

  @Field(() => Boolean, { description: 'Whether projected stays within the budget (a request of no GPUs is always allowed)' })
  allowed!: boolean;

  static of(v: BudgetVerdict): GpuBudgetVerdict {
    return Object.assign(new GpuBudgetVerdict(), v);
  }
}

@ObjectType('QuotaVerdict', { description: 'What admission would answer for a GPU request now' })
export class QuotaVerdict {
  @Field(() => Boolean, { description: 'Every quota level and the budget allow it' })
  allowed!: boolean;

  @Field(() => GpuBudgetVerdict, { nullable: true, description: "The project's monthly GPU-hour budget with this request (null: no budget)" })
  budget!: GpuBudgetVerdict | null;

  @Field(() => QuotaLevel, { nullable: true, description: 'The first level that refuses, if any' })
  bindingLevel!: QuotaLevel | null;

  @Field(() => [QuotaLevelVerdict], { description: 'One verdict per quota level (project, then tenant)' })
  levels!: QuotaLevelVerdict[];
}
