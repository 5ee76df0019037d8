import { z } from 'zod';
import { listCatalogFigures } from '../../catalog/figures.js';
import { competencyCategories, listOperationItems, operationCategories } from '../../catalog/operations.js';
import { PolicyProfileSchema } from '../../catalog/policy.js';
import { requireRoles } from '../../platform/http/auth-plugin.js';
import { type App, type AppDeps, ErrorResponseSchema, errorResponses } from '../../platform/http/routing.js';
import { addPolicyProfile, listPolicyProfiles, policyInForce } from './policy.service.js';

const tags = ['catalog'];

export async function policyRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get(
    '/api/catalog/operation-items',
    {
      schema: {
        tags,
        summary: '特种作业目录（含已并入/退出的项目）',
        querystring: z.object({ includeRetired: z.enum(['true', 'false']).default('false') }),
        response: { 200: z.object({ items: z.array(z.record(z.string(), z.unknown())) }) },
      },
    },
    async (request) => ({ items: listOperationItems({ includeRetired: request.query.includeRetired === 'true' }) as unknown as Record<string, unknown>[] }),
  );

  app.get(
    '/api/catalog/figures',
    {
      schema: {
        tags,
        summary: '法规数值目录（学时、考试、证书），每项注明来源与依据状态',
        response: {
          200: z.object({
            operationCategories: z.array(z.record(z.string(), z.unknown())),
            competencyCategories: z.array(z.record(z.string(), z.unknown())),
            figures: z.array(z.object({ group: z.string(), key: z.string(), figure: z.record(z.string(), z.unknown()) })),
          }),
        },
      },
    },
    async () => ({
      operationCategories: operationCategories as unknown as Record<string, unknown>[],
      competencyCategories: competencyCategories as unknown as Record<string, unknown>[],
      figures: listCatalogFigures() as unknown as { group: string; key: string; figure: Record<string, unknown> }[],
    }),
  );

  app.get(
    '/api/policies/in-force',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '某地某日施行的政策参数（每项注明来源、状态与所属版本）',
        querystring: z.object({ regionCode: z.string().regex(/^\d{0,9}$/).default(''), date: z.iso.date().optional() }),
        response: { 200: z.object({ regionCode: z.string(), date: z.string(), applied: z.array(z.record(z.string(), z.unknown())), figures: z.record(z.string(), z.unknown()) }), ...errorResponses },
      },
    },
    async (request) => {
      const date = request.query.date ?? (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
      const policy = await policyInForce(db, request.query.regionCode, date);
      return { regionCode: request.query.regionCode, date, applied: policy.applied as unknown as Record<string, unknown>[], figures: policy.figures as unknown as Record<string, unknown> };
    },
  );

  app.get(
    '/api/policy-profiles',
    { preHandler: requireRoles(), schema: { tags, summary: '政策版本列表', response: { 200: z.object({ items: z.array(z.record(z.string(), z.unknown())) }), ...errorResponses } } },
    async () => ({ items: (await listPolicyProfiles(db)) as unknown as Record<string, unknown>[] }),
  );

  app.post(
    '/api/policy-profiles',
    {
      preHandler: requireRoles('admin'),
      schema: { tags, summary: '发布新的政策版本（监管部门管理员）', body: PolicyProfileSchema, response: { 201: z.object({ id: z.string() }), ...errorResponses, 409: ErrorResponseSchema } },
    },
    async (request, reply) => reply.status(201).send(await addPolicyProfile(db, request.actor, request.body, request.id)),
  );
}
