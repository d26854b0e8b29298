import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { QuotaLevel } from './gpu-quota.entity.js';
import type { BudgetVerdict } from './quota.budget.js';

registerEnumType(QuotaLevel, { name: 'QuotaLevel' });

@ObjectType('GpuQuota', { description: 'Limit and reservations for one GPU family (a family with no entry has limit 0)' })
export class GpuQuotaType {
  @Field(() => String)
  gpuFamily!: string;

  @Field(() => Int)
  limit!: number;

  @Field(() => Int, { description: 'GPUs held by reservations' })
  used!: number;

  @Field(() => Int)
  available!: number;

  static of(r: { gpuFamily: string; limit: number; used: number }): GpuQuotaType {
    return Object.assign(new GpuQuotaType(), { ...r, available: Math.max(0, r.limit - r.used) });
  }
}

@InputType('GpuQuotaInput')
export class GpuQuotaInput {
  @Field(() => String)
  gpuFamily!: string;

  @Field(() => Int)
  limit!: number;
}

@ObjectType('QuotaLevelVerdict')
export class QuotaLevelVerdict {
  @Field(() => QuotaLevel)
  level!: QuotaLevel;

  @Field(() => String)
  gpuFamily!: string;

  @Field(() => Int)
  requested!: number;

  @Field(() => Int)
  used!: number;

  @Field(() => Int)
  limit!: number;

  @Field(() => Int)
  available!: number;

  @Field(() => Boolean)
  allowed!: boolean;
}

@ObjectType('GpuBudgetVerdict', {
  description: "A project's monthly GPU-hour budget against its projected use this calendar month (UTC): used so far, plus every reservation still held and the request (if any) to the end of the month",
})
export class GpuBudgetVerdict {
  @Field(() => Float)
  budgetGpuHours!: number;

  @Field(() => Float, { description: 'From the start of the month until now' })
  usedGpuHours!: number;

  @Field(() => Float, { description: 'Used, plus what is held (and requested) to the end of the month' })
  projectedGpuHours!: number;

  @Field(() => Float, { description: "The request's GPUs from now to the end of the month (0 without a request)" })
  requestedGpuHours!: number;

  @Field(() => Date)
  periodStart!: Date;

  @Field(() => Date)
  periodEnd!: Date;

  @Field(() => Boolean, { description: 'projected <= budget (a request of no GPUs is always allowed)' })
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

  @Field(() => [QuotaLevelVerdict])
  levels!: QuotaLevelVerdict[];
}
