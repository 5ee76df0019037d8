import { sql } from 'kysely';
import { z } from 'zod';
import type { App, AppDeps } from './routing.js';

export async function systemRoutes(app: App, deps: AppDeps): Promise<void> {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['system'],
        summary: '健康检查',
        response: {
          200: z.object({
            status: z.literal('ok'),
            database: z.enum(['pglite', 'postgresql']),
            version: z.string(),
          }),
        },
      },
    },
    async () => {
      await sql`select 1`.execute(deps.db);
      return { status: 'ok' as const, database: deps.mode, version: deps.version };
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
