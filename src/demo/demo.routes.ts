import { z } from 'zod';
import type { App, AppDeps } from '../platform/http/routing.js';
import { listExistingDemoAccounts } from './demo.seed.js';

export async function demoRoutes(app: App, deps: AppDeps): Promise<void> {
  app.get(
    '/api/demo/accounts',
    {
      schema: {
        tags: ['demo'],
        summary: '演示账号（仅当演示数据存在时返回）',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                username: z.string(),
                password: z.string(),
                role: z.string(),
                displayName: z.string(),
                description: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      items: (await listExistingDemoAccounts(deps.db)).map((a) => ({
        username: a.username,
        password: a.password,
        role: a.role,
        displayName: a.displayName,
        description: a.description,
      })),
    }),
  );
}
