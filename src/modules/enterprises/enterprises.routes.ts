import { z } from 'zod';
import { requireRoles } from '../../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
  IdParamsSchema,
} from '../../platform/http/routing.js';
import {
  CertificateCheckViewSchema,
  DashboardSchema,
  DeclareCertificateSchema,
  EnterpriseListQuerySchema,
  LedgerImportResultSchema,
  LedgerImportSchema,
  LedgerPageSchema,
  LedgerQuerySchema,
  ObligationsAnswerSchema,
  TrainingPlanCreateSchema,
  TrainingSessionCreateSchema,
} from './enterprises.contract.js';
import * as service from './enterprises.service.js';

const tags = ['enterprises'];
const writeErrors = { ...errorResponses, 409: ErrorResponseSchema, 422: ErrorResponseSchema };
const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Who reads enterprise ledgers: the enterprise itself and the jurisdiction over it. */
const readers = ['enterprise', 'regulator', 'inspector'] as const;
const writers = ['enterprise', 'regulator'] as const;
const EmploymentParams = z.object({ id: z.uuid(), employmentId: z.uuid() });

export async function enterprisesRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();
  const R = { preHandler: requireRoles(...readers) };
  const W = { preHandler: requireRoles(...writers) };
  const sendXlsx = (reply: import('fastify').FastifyReply, name: string, bytes: Uint8Array) =>
    reply
      .type(xlsxType)
      .header(
        'content-disposition',
        `attachment; filename="ledger.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      )
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never);

  app.get(
    '/api/enterprises',
    {
      ...R,
      schema: {
        tags,
        summary: '辖区（或本单位）生产经营单位及其逾期、即将到期的义务',
        querystring: EnterpriseListQuerySchema,
      },
    },
    (r) => service.listEnterprisesWithObligations(db, r.actor, r.query, now()),
  );
  app.get(
    '/api/enterprises/ledger/template.xlsx',
    { ...W, schema: { tags, summary: '从业人员台账导入模板' } },
    (_r, reply) => sendXlsx(reply, '从业人员台账导入模板.xlsx', service.ledgerTemplate()),
  );
  app.get(
    '/api/enterprises/:id/ledger',
    {
      ...R,
      schema: {
        tags,
        summary: '一企一册：从业人员、岗位、证书、培训与义务',
        params: IdParamsSchema,
        querystring: LedgerQuerySchema,
        response: { 200: LedgerPageSchema, ...errorResponses },
      },
    },
    (r) => service.enterpriseLedger(db, r.actor, r.params.id, r.query, now()),
  );
  app.get(
    '/api/enterprises/:id/ledger.xlsx',
    { ...R, schema: { tags, summary: '导出从业人员台账', params: IdParamsSchema } },
    async (r, reply) => {
      const f = await service.exportLedger(db, r.actor, r.params.id, now());
      return sendXlsx(reply, f.fileName, f.bytes);
    },
  );
  app.post(
    '/api/enterprises/:id/ledger/import',
    {
      ...W,
      schema: {
        tags,
        summary: '从 Excel 导入台账（逐行校验，有错全部不导入）',
        params: IdParamsSchema,
        body: LedgerImportSchema,
        response: { 200: LedgerImportResultSchema, ...writeErrors },
      },
    },
    (r) => service.importLedger(db, r.actor, r.params.id, r.body.file, now(), r.id),
  );
  app.post(
    '/api/enterprises/:id/employments/:employmentId/certificate',
    {
      ...W,
      schema: {
        tags,
        summary: '申报证书编号并到证书库核验',
        params: EmploymentParams,
        body: DeclareCertificateSchema,
        response: { 200: CertificateCheckViewSchema, ...writeErrors },
      },
    },
    (r) =>
      service.declareCertificate(
        db,
        r.actor,
        r.params.id,
        r.params.employmentId,
        r.body.number,
        now(),
        r.id,
      ),
  );
  app.get(
    '/api/enterprises/:id/obligations',
    {
      ...R,
      schema: {
        tags,
        summary: '按规定计算的培训与持证义务（状态、到期日、依据的记录）',
        params: IdParamsSchema,
        response: { 200: ObligationsAnswerSchema, ...errorResponses },
      },
    },
    (r) => service.enterpriseObligations(db, r.actor, r.params.id, now()),
  );
  app.get(
    '/api/enterprises/:id/dashboard',
    {
      ...R,
      schema: {
        tags,
        summary: '持证上岗率、参训率、考核合格率与本月到期事项',
        params: IdParamsSchema,
        response: { 200: DashboardSchema, ...errorResponses },
      },
    },
    (r) => service.enterpriseDashboard(db, r.actor, r.params.id, now()),
  );
  app.get(
    '/api/enterprises/:id/training',
    { ...R, schema: { tags, summary: '年度培训计划与内部培训记录', params: IdParamsSchema } },
    (r) => service.enterpriseTraining(db, r.actor, r.params.id),
  );
  app.post(
    '/api/enterprises/:id/training/plans',
    {
      ...W,
      schema: {
        tags,
        summary: '制定年度安全培训计划',
        params: IdParamsSchema,
        body: TrainingPlanCreateSchema,
        response: { 200: z.any(), ...writeErrors },
      },
    },
    (r) => service.createTrainingPlan(db, r.actor, r.params.id, r.body, now(), r.id),
  );
  app.post(
    '/api/enterprises/:id/training/sessions',
    {
      ...W,
      schema: {
        tags,
        summary: '登记一次内部培训（时间、内容、参加人员、学时、考核结果）',
        params: IdParamsSchema,
        body: TrainingSessionCreateSchema,
        response: { 200: z.any(), ...writeErrors },
      },
    },
    (r) => service.createTrainingSession(db, r.actor, r.params.id, r.body, now(), r.id),
  );
}
