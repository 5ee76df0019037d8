import { z } from 'zod';
import type { App, AppDeps } from '../http/routing.js';
import { listCheckpoints } from './checkpoint.js';

const CheckpointSchema = z
  .object({
    seq: z.string().describe('the audit log entry the checkpoint attests (bigint as text)'),
    headHash: z.string().describe('that entry’s chain hash (SHA-256, hex)'),
    at: z.string().describe('when it was signed (ISO 8601 UTC)'),
    keyId: z.string().describe('first 16 hex digits of SHA-256 of the raw public key'),
    signature: z
      .string()
      .describe(
        'Ed25519 over "zhenxun-audit-checkpoint/1\\nseq=…\\nhead=…\\nat=…" (UTF-8), base64',
      ),
  })
  .meta({ id: 'AuditCheckpoint' });

/** The public face of the audit log: its signed checkpoints, for anyone to copy (a witness). */
export async function auditRoutes(app: App, deps: AppDeps): Promise<void> {
  app.get(
    '/api/public/audit/checkpoints',
    {
      config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['public'],
        summary: '审计日志签名检查点（公开，任何人可复制留存，用于证明日志未被篡改）',
        description:
          'Oldest first, so a full page never changes. Keep copies and run `npx zhenxun audit verify --checkpoints FILE` (docs/security.md).',
        security: [],
        querystring: z.object({
          page: z.coerce.number().int().min(1).default(1),
          pageSize: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            format: z.literal('zhenxun-audit-checkpoints/1'),
            keys: z.array(
              z.object({ keyId: z.string(), publicKey: z.string(), firstUsedAt: z.string() }),
            ),
            latest: CheckpointSchema.nullable(),
            items: z.array(CheckpointSchema),
            total: z.number(),
            page: z.number(),
            pageSize: z.number(),
          }),
        },
      },
    },
    async (request, reply) => {
      const { page, pageSize } = request.query;
      const found = await listCheckpoints(deps.db, page, pageSize);
      // A full page that is not the last one is history: it never changes.
      const settled = found.items.length === pageSize && page * pageSize < found.total;
      reply.header(
        'cache-control',
        settled ? 'public, max-age=86400, immutable' : 'public, max-age=30',
      );
      return { format: 'zhenxun-audit-checkpoints/1' as const, ...found, page, pageSize };
    },
  );
}
