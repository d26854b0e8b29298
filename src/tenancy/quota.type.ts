import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { QuotaLevel } from './gpu-quota.entity.js';

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

@ObjectType('QuotaVerdict', { description: 'What admission would answer for a GPU request now' })
export class QuotaVerdict {
  @Field(() => Boolean)
  allowed!: boolean;

  @Field(() => QuotaLevel, { nullable: true, description: 'The first level that refuses, if any' })
  bindingLevel!: QuotaLevel | null;

  @Field(() => [QuotaLevelVerdict])
  levels!: QuotaLevelVerdict[];
}
