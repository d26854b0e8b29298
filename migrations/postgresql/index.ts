import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001Initial } from './Migration0001Initial.js';

export const migrations: MigrationObject[] = [{ name: 'Migration0001Initial', class: Migration0001Initial }];
