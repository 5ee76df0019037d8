import { z } from 'zod';
import { requireRoles } from '../../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
  IdParamsSchema,
  PageQuerySchema,
} from '../../platform/http/routing.js';
import { maskIdNumber } from './identifiers.rules.js';
import {
  EmploymentCreateSchema,
  EmploymentViewSchema,
  EndDateSchema,
  OrganizationCreateSchema,
  OrganizationDetailSchema,
  OrganizationListQuerySchema,
  OrganizationStatusChangeSchema,
  OrganizationSummarySchema,
  OrganizationUpdateSchema,
  PersonCreateSchema,
  PersonDetailSchema,
  PersonListQuerySchema,
  PersonSummarySchema,
  pageOf,
  RegionSchema,
  RegionWithPathSchema,
  RegistrationCheckSchema,
  RegistrationExemptionCreateSchema,
  RegistrationExemptionRevokeSchema,
  RegistrationExemptionSchema,
  StaffCreateSchema,
  StaffViewSchema,
} from './registry.contract.js';
import * as registry from './registry.service.js';

const tags = ['registry'];
/** Roles that work with organizations; a worker sees only their own file. */
const organizationRoles = [
  'regulator',
  'inspector',
  'exam_authority',
  'exam_site',
  'training_institution',
  'enterprise',
] as const;
const writeErrors = { ...errorResponses, 409: ErrorResponseSchema, 422: ErrorResponseSchema };

function presentPersonSummary(p: {
  id: string;
  name: string;
  idNumber: string;
  gender: string;
  birthDate: string;
  education: string | null;
}) {
  return {
    id: p.id,
    name: p.name,
    idNumberMasked: maskIdNumber(p.idNumber),
    gender: p.gender as 'male' | 'female',
    birthDate: p.birthDate,
    education: p.education,
  };
}

export async function registryRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();

  app.get(
    '/api/regions',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '行政区划下级列表（无 parentCode 时为可见的顶层）',
        querystring: z.object({
          parentCode: z
            .string()
            .regex(/^\d{2,9}$/)
            .optional(),
        }),
        response: { 200: z.object({ items: z.array(RegionSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await registry.listRegions(db, request.actor, request.query.parentCode),
    }),
  );

  app.get(
    '/api/regions/:code',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '行政区划及其上级路径',
        params: z.object({ code: z.string().regex(/^\d{2,9}$/) }),
        response: { 200: RegionWithPathSchema, ...errorResponses },
      },
    },
    async (request) => registry.getRegion(db, request.params.code),
  );

  app.get(
    '/api/registry/stats',
    {
      preHandler: requireRoles(...organizationRoles),
      schema: {
        tags,
        summary: '辖区/本单位登记概况',
        response: {
          200: z.object({
            byKind: z.array(z.object({ kind: z.string(), count: z.number() })),
            byStatus: z.array(z.object({ status: z.string(), count: z.number() })),
            byRegion: z.array(
              z.object({ regionCode: z.string(), regionName: z.string(), count: z.number() }),
            ),
            persons: z.number(),
            highRiskEnterprises: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => registry.registryStats(db, request.actor),
  );

  app.get(
    '/api/organizations',
    {
      preHandler: requireRoles(...organizationRoles),
      schema: {
        tags,
        summary: '机构列表（按辖区/本单位过滤）',
        querystring: OrganizationListQuerySchema,
        response: { 200: pageOf(OrganizationSummarySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { page, pageSize, highRisk, ...filter } = request.query;
      const result = await registry.listOrganizations(
        db,
        request.actor,
        { ...filter, highRisk: highRisk === undefined ? undefined : highRisk === 'true' },
        { page, pageSize },
        now(),
      );
      return {
        ...result,
        items: result.items.map((o) => ({
          ...presentOrganizationSummary(o),
          registrationPassed: o.registrationPassed,
          problems: o.problems,
        })),
        page,
        pageSize,
      };
    },
  );

  app.post(
    '/api/organizations',
    {
      preHandler: requireRoles('regulator'),
      schema: {
        tags,
        summary: '登记机构（监管部门，限本辖区）',
        body: OrganizationCreateSchema,
        response: { 201: OrganizationSummarySchema, ...writeErrors },
      },
    },
    async (request, reply) => {
      const row = await registry.createOrganization(db, request.actor, request.body, request.id);
      return reply.status(201).send(presentOrganizationSummary({ ...row, regionName: null }));
    },
  );

  app.get(
    '/api/organizations/:id',
    {
      preHandler: requireRoles(...organizationRoles),
      schema: {
        tags,
        summary: '机构详情（含人员与信息登记核查）',
        params: IdParamsSchema,
        response: { 200: OrganizationDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const detail = await registry.getOrganizationDetail(
        db,
        request.actor,
        request.params.id,
        now(),
      );
      return { ...detail, ...presentOrganizationSummary(detail) };
    },
  );

  app.patch(
    '/api/organizations/:id',
    {
      preHandler: requireRoles(...organizationRoles),
      schema: {
        tags,
        summary: '修改机构信息',
        params: IdParamsSchema,
        body: OrganizationUpdateSchema,
        response: { 200: OrganizationSummarySchema, ...writeErrors },
      },
    },
    async (request) =>
      presentOrganizationSummary({
        ...(await registry.updateOrganization(
          db,
          request.actor,
          request.params.id,
          request.body,
          request.id,
        )),
        regionName: null,
      }),
  );

  app.post(
    '/api/organizations/:id/status',
    {
      preHandler: requireRoles('regulator'),
      schema: {
        tags,
        summary: '变更机构状态（停业整顿/退出/恢复），须附决定',
        params: IdParamsSchema,
        body: OrganizationStatusChangeSchema,
        response: { 200: OrganizationSummarySchema, ...writeErrors },
      },
    },
    async (request) =>
      presentOrganizationSummary({
        ...(await registry.setOrganizationStatus(
          db,
          request.actor,
          request.params.id,
          request.body,
          request.id,
        )),
        regionName: null,
      }),
  );

  app.post(
    '/api/organizations/:id/registration-exemptions',
    {
      preHandler: requireRoles('regulator'),
      schema: {
        tags,
        summary: '准予未通过信息登记核查的培训机构开班（监管部门决定，须附文号、理由与有效期）',
        params: IdParamsSchema,
        body: RegistrationExemptionCreateSchema,
        response: { 201: RegistrationExemptionSchema, ...writeErrors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await registry.grantRegistrationExemption(
            db,
            request.actor,
            request.params.id,
            request.body,
            request.id,
            now(),
          ),
        ),
  );

  app.post(
    '/api/organizations/:id/registration-exemptions/:exemptionId/revoke',
    {
      preHandler: requireRoles('regulator'),
      schema: {
        tags,
        summary: '撤销准予开班的决定',
        params: z.object({ id: z.uuid(), exemptionId: z.uuid() }),
        body: RegistrationExemptionRevokeSchema,
        response: { 200: RegistrationExemptionSchema, ...writeErrors },
      },
    },
    async (request) =>
      registry.revokeRegistrationExemption(
        db,
        request.actor,
        request.params.id,
        request.params.exemptionId,
        request.body.reason,
        request.id,
        now(),
      ),
  );

  app.get(
    '/api/organizations/:id/registration-check',
    {
      preHandler: requireRoles(...organizationRoles),
      schema: {
        tags,
        summary: '培训机构基本条件核查（AQ 8011）',
        params: IdParamsSchema,
        response: { 200: RegistrationCheckSchema, ...errorResponses, 422: ErrorResponseSchema },
      },
    },
    async (request) => registry.getRegistrationCheck(db, request.actor, request.params.id, now()),
  );

  app.get(
    '/api/organizations/:id/staff',
    {
      preHandler: requireRoles(...organizationRoles),
      schema: {
        tags,
        summary: '机构人员及职务',
        params: IdParamsSchema,
        response: { 200: z.object({ items: z.array(StaffViewSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: (await registry.listStaff(db, request.actor, request.params.id)) as z.infer<
        typeof StaffViewSchema
      >[],
    }),
  );

  app.post(
    '/api/organizations/:id/staff',
    {
      preHandler: requireRoles(...organizationRoles),
      schema: {
        tags,
        summary: '登记任职（按身份证号关联或新建人员档案）',
        params: IdParamsSchema,
        body: StaffCreateSchema,
        response: { 201: z.object({ id: z.string(), personId: z.string() }), ...writeErrors },
      },
    },
    async (request, reply) => {
      const row = await registry.addStaff(
        db,
        request.actor,
        request.params.id,
        request.body,
        request.id,
      );
      return reply.status(201).send({ id: row.id, personId: row.personId });
    },
  );

  for (const kind of ['staff', 'employment'] as const)
    app.post(
      kind === 'staff' ? '/api/staff/:id/confirm' : '/api/employments/:id/confirm',
      {
        preHandler: requireRoles('worker'),
        schema: {
          tags,
          summary:
            kind === 'staff'
              ? '本人确认机构登记的任职（确认前机构只见脱敏档案）'
              : '本人确认单位登记的聘用（确认前单位只见脱敏档案）',
          params: IdParamsSchema,
          response: {
            200: z.object({ id: z.string(), confirmed: z.boolean() }),
            ...writeErrors,
          },
        },
      },
      async (request) =>
        registry.confirmPersonLink(db, request.actor, { kind, id: request.params.id }, request.id),
    );

  app.post(
    '/api/staff/:id/end',
    {
      preHandler: requireRoles(...organizationRoles),
      schema: {
        tags,
        summary: '结束任职',
        params: IdParamsSchema,
        body: EndDateSchema,
        response: { 204: z.null(), ...writeErrors },
      },
    },
    async (request, reply) => {
      await registry.endStaff(
        db,
        request.actor,
        request.params.id,
        request.body.endDate,
        request.id,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/organizations/:id/employments',
    {
      preHandler: requireRoles(...organizationRoles),
      schema: {
        tags,
        summary: '单位从业人员台账',
        params: IdParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: pageOf(EmploymentViewSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { page, pageSize } = request.query;
      const result = await registry.listEmployments(db, request.actor, request.params.id, {
        page,
        pageSize,
      });
      return {
        ...result,
        items: result.items as z.infer<typeof EmploymentViewSchema>[],
        page,
        pageSize,
      };
    },
  );

  app.post(
    '/api/organizations/:id/employments',
    {
      preHandler: requireRoles('regulator', 'enterprise'),
      schema: {
        tags,
        summary: '登记岗位聘用',
        params: IdParamsSchema,
        body: EmploymentCreateSchema,
        response: { 201: z.object({ id: z.string(), personId: z.string() }), ...writeErrors },
      },
    },
    async (request, reply) => {
      const row = await registry.addEmployment(
        db,
        request.actor,
        request.params.id,
        request.body,
        request.id,
      );
      return reply.status(201).send({ id: row.id, personId: row.personId });
    },
  );

  app.post(
    '/api/employments/:id/end',
    {
      preHandler: requireRoles('regulator', 'enterprise'),
      schema: {
        tags,
        summary: '离岗',
        params: IdParamsSchema,
        body: EndDateSchema,
        response: { 204: z.null(), ...writeErrors },
      },
    },
    async (request, reply) => {
      await registry.endEmployment(
        db,
        request.actor,
        request.params.id,
        request.body.endDate,
        request.id,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/persons',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '人员列表（身份证号脱敏）',
        querystring: PersonListQuerySchema,
        response: { 200: pageOf(PersonSummarySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { page, pageSize, ...filter } = request.query;
      const result = await registry.listPersons(db, request.actor, filter, { page, pageSize });
      return { items: result.items.map(presentPersonSummary), total: result.total, page, pageSize };
    },
  );

  app.post(
    '/api/persons',
    {
      preHandler: requireRoles('regulator'),
      schema: {
        tags,
        summary: '建立人员档案（监管部门）',
        body: PersonCreateSchema,
        response: { 201: z.object({ id: z.string() }), ...writeErrors },
      },
    },
    async (request, reply) =>
      reply.status(201).send({
        id: (await registry.createPerson(db, request.actor, request.body, request.id)).id,
      }),
  );

  app.get(
    '/api/persons/:id',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '一人一档',
        params: IdParamsSchema,
        response: { 200: PersonDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const file = await registry.getPersonFile(db, request.actor, request.params.id);
      return {
        ...presentPersonSummary(file),
        idNumber: file.idNumber,
        phone: file.phone,
        regionCode: file.regionCode,
        employments: file.employments as z.infer<typeof EmploymentViewSchema>[],
        duties: file.duties as z.infer<typeof StaffViewSchema>[],
      };
    },
  );
}

function presentOrganizationSummary(o: {
  id: string;
  kind: string;
  name: string;
  creditCode: string;
  regionCode: string;
  regionName: string | null;
  industry: string | null;
  highRisk: boolean;
  status: string;
  statusDecision: string | null;
  statusChangedAt: Date | null;
}): z.infer<typeof OrganizationSummarySchema> {
  return {
    id: o.id,
    kind: o.kind as z.infer<typeof OrganizationSummarySchema>['kind'],
    name: o.name,
    creditCode: o.creditCode,
    regionCode: o.regionCode,
    regionName: o.regionName,
    industry: o.industry,
    highRisk: o.highRisk,
    status: o.status as z.infer<typeof OrganizationSummarySchema>['status'],
    statusDecision: o.statusDecision,
    statusChangedAt: o.statusChangedAt,
  };
}
