import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DatabaseMode, Db } from '../db/database.js';
import type { FileStorage } from '../files/storage.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface AppDeps {
  db: Db;
  mode: DatabaseMode;
  version: string;
  sessionDays: number;
  cookieSecure: boolean;
  /** Demo mode (config.ts DEMO_MODE): only then does `GET /api/demo/accounts` exist. */
  demo?: boolean;
  /** Directory of the built web app; served at / when it exists. */
  webDist?: string;
  /** Injected clock for tests; production uses the wall clock. */
  now?: () => Date;
  /** Content-addressed file storage (evidence photos, documents); main.ts builds it from FILES_DIR / S3_*. */
  files?: FileStorage;
}

/** Every error answer has this shape (CONTRACTS.md); routes list it for their 4xx statuses. */
export const ErrorResponseSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.record(z.string(), z.unknown())),
    }),
  })
  .meta({ id: 'Error' });

export const errorResponses = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
} as const;

export const IdParamsSchema = z.object({ id: z.uuid() });

export const PageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
