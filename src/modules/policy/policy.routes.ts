import { z } from 'zod';
import { beijingDay } from '../../catalog/calendar.js';
import { listCatalogFigures } from '../../catalog/figures.js';
import { policyLabels } from '../../catalog/labels.js';
import {
  competencyCategories,
  listOperationItems,
  operationCategories,
} from '../../catalog/operations.js';
import { type PolicyKey, PolicyProfileSchema } from '../../catalog/policy.js';
import { requireRoles } from '../../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
} from '../../platform/http/routing.js';
import { addPolicyProfile, listPolicyProfiles, policyInForce } from './policy.service.js';
import { addSyllabusVersion, listSyllabusVersions, syllabusInForce } from './syllabus.service.js';

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
    async (request) => ({
      items: listOperationItems({
        includeRetired: request.query.includeRetired === 'true',
      }) as unknown as Record<string, unknown>[],
    }),
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
            figures: z.array(
              z.object({
                group: z.string(),
                key: z.string(),
                label: z.object({ zh: z.string(), en: z.string() }).optional(),
                figure: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      operationCategories: operationCategories as unknown as Record<string, unknown>[],
      competencyCategories: competencyCategories as unknown as Record<string, unknown>[],
      figures: listCatalogFigures() as unknown as {
        group: string;
        key: string;
        label?: { zh: string; en: string };
        figure: Record<string, unknown>;
      }[],
    }),
  );

  app.get(
    '/api/policies/in-force',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '某地某日施行的政策参数（每项注明来源、状态与所属版本）',
        querystring: z.object({
          regionCode: z
            .string()
            .regex(/^\d{0,9}$/)
            .default(''),
          date: z.iso.date().optional(),
        }),
        response: {
          200: z.object({
            regionCode: z.string(),
            date: z.string(),
            applied: z.array(z.record(z.string(), z.unknown())),
            figures: z.record(z.string(), z.unknown()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const date = request.query.date ?? beijingDay(deps.now?.() ?? new Date());
      const policy = await policyInForce(db, request.query.regionCode, date);
      return {
        regionCode: request.query.regionCode,
        date,
        applied: policy.applied as unknown as Record<string, unknown>[],
        // Each figure with what a regulator calls it (zh/en): screens show the label, never the key.
        figures: Object.fromEntries(
          Object.entries(policy.figures).map(([key, f]) => [
            key,
            { ...f, label: policyLabels[key as PolicyKey] },
          ]),
        ),
      };
    },
  );

  app.get(
    '/api/policy-profiles',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '政策版本列表',
        response: {
          200: z.object({ items: z.array(z.record(z.string(), z.unknown())) }),
          ...errorResponses,
        },
      },
    },
    async () => ({ items: (await listPolicyProfiles(db)) as unknown as Record<string, unknown>[] }),
  );

  app.post(
    '/api/policy-profiles',
    {
      preHandler: requireRoles('admin'),
      schema: {
        tags,
        summary: '发布新的政策版本（监管部门管理员）',
        body: PolicyProfileSchema,
        response: {
          201: z.object({ id: z.string() }),
          ...errorResponses,
          409: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addPolicyProfile(db, request.actor, request.body, request.id)),
  );

  const kind = z.enum(['initial', 'refresher', 'review']);
  const SyllabusVersionSchema = z.object({
    id: z.string(),
    regionCode: z.string(),
    operationItemCode: z.string(),
    kind,
    theoryHours: z.number(),
    practicalHours: z.number(),
    effectiveFrom: z.string(),
    source: z.string(),
  });
  app.get(
    '/api/syllabi',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '培训大纲学时：辖区版本，及某地某日适用的学时（未设版本时为目录默认值）',
        querystring: z.object({
          operationItemCode: z.string().max(50).optional(),
          kind: kind.optional(),
          regionCode: z
            .string()
            .regex(/^\d{2,9}$/)
            .optional(),
          date: z.iso.date().optional(),
        }),
        response: {
          200: z.object({
            items: z.array(SyllabusVersionSchema),
            inForce: z
              .object({
                theoryHours: z.number(),
                practicalHours: z.number(),
                source: z.string(),
                from: z.string(),
              })
              .nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const items = (
        await listSyllabusVersions(db, { operationItemCode: q.operationItemCode })
      ).map((v) => ({ ...v, createdAt: undefined, createdBy: undefined }));
      const found =
        q.operationItemCode && q.kind && q.regionCode && q.date
          ? await syllabusInForce(db, q.regionCode, q.operationItemCode, q.kind, q.date)
          : null;
      return { items, inForce: found && !('refused' in found) ? found : null };
    },
  );
  app.post(
    '/api/syllabi',
    {
      preHandler: requireRoles('admin'),
      schema: {
        tags,
        summary: '发布本辖区培训大纲学时（监管部门管理员；按生效日期新增版本，不修改已生效版本）',
        body: z.object({
          regionCode: z.string().regex(/^\d{2,9}$/),
          operationItemCode: z.string().min(1).max(50),
          kind,
          theoryHours: z.number().min(0).max(1000),
          practicalHours: z.number().min(0).max(1000),
          effectiveFrom: z.iso.date(),
          source: z.string().min(2).max(500),
        }),
        response: {
          201: z.object({ id: z.string() }),
          ...errorResponses,
          409: ErrorResponseSchema,
          422: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ id: (await addSyllabusVersion(db, request.actor, request.body, request.id)).id }),
  );
}
