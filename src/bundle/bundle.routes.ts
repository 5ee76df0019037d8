import { z } from 'zod';
import { requireRoles, requireTokenScope } from '../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
} from '../platform/http/routing.js';
import { BundleErrorSchema, bundleJsonSchema } from './bundle.contract.js';
import { bundleImporter, exportBundle, importBundle, validateBundle } from './bundle.service.js';

const tags = ['bundle'];
const counts = z.record(z.string(), z.number());

export async function bundleRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const schema = bundleJsonSchema();

  app.get(
    '/schemas/bundle.json',
    { schema: { tags, summary: '数据交换包 JSON Schema' } },
    async (_request, reply) => reply.type('application/schema+json').send(schema),
  );

  app.post(
    '/api/bundle/validate',
    {
      preHandler: requireTokenScope('bundle:write', 'regulator', 'exam_authority'),
      schema: {
        tags,
        summary: '校验数据交换包（不写入），含每条记录对导入者的权限检查',
        body: z.unknown(),
        response: {
          200: z.object({ ok: z.boolean(), errors: z.array(BundleErrorSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const importer = await bundleImporter(db, request.actor);
      const result = await validateBundle(db, request.body, importer);
      return { ok: result.ok, errors: result.ok ? [] : result.errors };
    },
  );

  app.post(
    '/api/bundle/import',
    {
      preHandler: requireTokenScope('bundle:write', 'regulator', 'exam_authority'),
      schema: {
        tags,
        summary:
          '导入数据交换包（行政导入）：每条记录按创建该记录的业务同样的权限检查（本单位或其上级监管部门），全部通过才在一个事务内写入',
        body: z.unknown(),
        response: {
          200: z.object({ created: counts, linked: counts }),
          ...errorResponses,
          422: ErrorResponseSchema,
        },
      },
    },
    async (request) => importBundle(db, request.actor, request.body, request.id),
  );

  app.get(
    '/api/bundle/export',
    {
      preHandler: requireRoles('regulator'),
      schema: {
        tags,
        summary: '导出本辖区数据交换包',
        response: { 200: z.record(z.string(), z.unknown()), ...errorResponses },
      },
    },
    async (request) =>
      (await exportBundle(db, request.actor, deps.now?.() ?? new Date())) as unknown as Record<
        string,
        unknown
      >,
  );
}
