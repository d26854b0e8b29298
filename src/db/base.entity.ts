import { PrimaryKey, Property, type Opt, DateTimeType } from '@mikro-orm/core';
import { uuidv7 } from './ids.js';

/** Every table keys on a UUIDv7, so `id` order is creation order (keyset pagination relies on it). */
export abstract class BaseEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: DateTimeType })
  createdAt: Opt<Date> = new Date();

  @Property({ type: DateTimeType, onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}
