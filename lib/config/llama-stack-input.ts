/**
 * Input shape of Llama Stack's state and access settings (`llamaStack.storage`, `llamaStack.auth`),
 * referenced from the environment schema. Defaults and value rules: config/llama-stack.ts.
 */
import { z } from 'zod';
import { accessMode, num, section, str, strings } from './schema/primitives';

export const llamaStackStorageInput = section({
  backend: z.enum(['sqlite', 'postgres']).optional(),
  size: str().optional(),
  accessMode: accessMode().optional(),
  /** A PostgreSQL the environment runs; its login comes from `secret` (keys POSTGRES_USER, POSTGRES_PASSWORD). */
  externalPostgres: section({
    host: str(),
    port: num().optional(),
    database: str().optional(),
    secret: str(),
    cidrs: strings(),
  }).optional(),
  bundledPostgresSize: str().optional(),
});

export const llamaStackAuthInput = section({
  mode: z.enum(['kubernetes', 'none']).optional(),
  noneAcknowledged: str().optional(),
  clientGroups: strings().optional(),
  clientUsers: strings().optional(),
  apiServerUrl: str().optional(),
});
