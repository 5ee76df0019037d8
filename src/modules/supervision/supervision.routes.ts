import { z } from 'zod';
import { localFileStorage } from '../../platform/files/storage.js';
import { requireRoles } from '../../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
  IdParamsSchema,
} from '../../platform/http/routing.js';
import * as inspections from './inspections.service.js';
import * as publicReports from './public-reports.service.js';
import * as rectification from './rectification.service.js';
import * as reports from './reports.service.js';
import * as spot from './spot-exam.service.js';
import {
  DrawCreateSchema,
  FindingListQuerySchema,
  GradeComputeSchema,
  InspectionCreateSchema,
  InspectionListQuerySchema,
  ItemAnswerSchema,
  OrderCreateSchema,
  OrderListQuerySchema,
  OrderRespondSchema,
  OrderVerifySchema,
  PenaltyCreateSchema,
  PenaltyLiftSchema,
  PeriodQuerySchema,
  PlanCreateSchema,
  PublicationCreateSchema,
  PublicReportCreateSchema,
  RelativeCreateSchema,
  ReportAssignSchema,
  ReportInvestigateSchema,
  ReportMessageSchema,
  ReportReplySchema,
  ReportTriageSchema,
  SignSchema,
  SpotAnswersSchema,
  SpotExamCreateSchema,
  TemplateVersionCreateSchema,
  UploadSchema,
} from './supervision.contract.js';
import { reportStatuses } from './supervision.table.js';

const tags = ['supervision'];
const writeErrors = { ...errorResponses, 409: ErrorResponseSchema, 422: ErrorResponseSchema };
/** Answers are built by the services' presenters; the schema documents them loosely. */
const Any = z.any();
const jurisdiction = ['regulator', 'inspector'] as const;
const orgUsers = ['training_institution', 'exam_site', 'enterprise', 'exam_authority'] as const;
/** 12350 intake: a person files a report or two; a script filing hundreds is refused. */
export const reportFileLimit = { max: 5, timeWindow: '1 hour' };
const publicReadLimit = { max: 60, timeWindow: '1 minute' };
const ESCALATION_SWEEP_MS = 10 * 60_000;

export async function supervisionRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const files = deps.files ?? localFileStorage('./data/files');
  const now = () => deps.now?.() ?? new Date();

  if (!deps.now) {
    const timer = setInterval(() => {
      rectification
        .escalateOverdueOrders(db, new Date())
        .catch((err) => app.log.error({ err }, 'overdue escalation failed'));
    }, ESCALATION_SWEEP_MS);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  const J = { preHandler: requireRoles(...jurisdiction) };
  const R = { preHandler: requireRoles('regulator') };
  const S = <E extends object = object>(summary: string, extra?: E) => ({
    tags,
    summary,
    response: { 200: Any, ...writeErrors },
    ...(extra as E),
  });
  const WithId = IdParamsSchema;
  const sendFile = (
    reply: import('fastify').FastifyReply,
    f: { bytes: Uint8Array; contentType: string; name: string | null; sha256: string },
  ) =>
    reply
      .type(f.contentType)
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('x-content-sha256', f.sha256)
      .header(
        'content-disposition',
        `inline; filename="file"; filename*=UTF-8''${encodeURIComponent(f.name ?? f.sha256)}`,
      )
      .send(Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength) as never);

  // ——— templates, inspectors ———
  app.get(
    '/api/supervision/templates',
    { ...J, schema: S('检查表模板（最新版本及历史版本）') },
    (r) => inspections.listTemplates(db, r.actor),
  );
  app.get(
    '/api/supervision/templates/:id',
    { ...J, schema: S('检查表模板的一个版本', { params: WithId }) },
    (r) => inspections.getTemplate(db, r.actor, r.params.id),
  );
  app.post(
    '/api/supervision/templates/:code/versions',
    {
      ...R,
      schema: S('新增检查表版本（已进行的检查保留原版本）', {
        params: z.object({ code: z.string().max(60) }),
        body: TemplateVersionCreateSchema,
      }),
    },
    (r) => inspections.addTemplateVersion(db, r.actor, r.params.code, r.body, r.id),
  );
  app.get(
    '/api/supervision/inspectors',
    { ...J, schema: S('辖区执法人员及其申报的亲属（回避）') },
    (r) => inspections.listInspectors(db, r.actor, now()),
  );
  app.post(
    '/api/supervision/inspectors/:id/relatives',
    {
      ...J,
      schema: S('申报亲属关系（抽取时回避其任职或就业的单位）', {
        params: WithId,
        body: RelativeCreateSchema,
      }),
    },
    (r) => inspections.declareRelative(db, r.actor, r.params.id, r.body, now(), r.id),
  );

  // ——— plans and draws ———
  app.get(
    '/api/supervision/plans',
    {
      ...J,
      schema: S('年度执法计划', {
        querystring: z.object({ year: z.coerce.number().int().optional() }),
      }),
    },
    (r) => inspections.listPlans(db, r.actor, r.query.year),
  );
  app.post(
    '/api/supervision/plans',
    { ...R, schema: S('新建年度执法计划', { body: PlanCreateSchema }) },
    (r) => inspections.createPlan(db, r.actor, r.body, r.id),
  );
  app.get(
    '/api/supervision/plans/:id',
    { ...J, schema: S('执法计划及其抽取和检查', { params: WithId }) },
    (r) => inspections.getPlan(db, r.actor, r.params.id),
  );
  app.post(
    '/api/supervision/plans/:id/draws',
    {
      ...R,
      schema: S('双随机抽取（记录随机种子，可复现）', { params: WithId, body: DrawCreateSchema }),
    },
    (r) => inspections.drawForPlan(db, r.actor, r.params.id, r.body, now(), r.id),
  );
  app.get(
    '/api/supervision/draws/:id',
    { ...J, schema: S('一次抽取的输入与结果', { params: WithId }) },
    (r) => inspections.getDraw(db, r.actor, r.params.id),
  );
  app.post(
    '/api/supervision/draws/:id/rerun',
    { ...J, schema: S('按记录的种子重算一次抽取，核对结果是否一致', { params: WithId }) },
    (r) => inspections.rerunDraw(db, r.actor, r.params.id),
  );

  // ——— inspections ———
  app.get(
    '/api/supervision/inspections',
    { ...J, schema: S('检查列表', { querystring: InspectionListQuerySchema }) },
    (r) => inspections.listInspections(db, r.actor, { ...r.query, mine: r.query.mine === 'true' }),
  );
  app.post(
    '/api/supervision/inspections',
    { ...R, schema: S('安排一次检查', { body: InspectionCreateSchema }) },
    (r) => inspections.createInspection(db, r.actor, r.body, r.id),
  );
  app.get('/api/supervision/my-day', { ...J, schema: S('执法人员今天的检查') }, (r) =>
    inspections.myDay(db, r.actor, now()),
  );
  app.get(
    '/api/supervision/inspections/:id',
    { ...J, schema: S('检查记录', { params: WithId }) },
    (r) => inspections.getInspection(db, r.actor, r.params.id),
  );
  app.post(
    '/api/supervision/inspections/:id/start',
    { ...J, schema: S('开始现场检查（按平台记录预填检查项证据）', { params: WithId }) },
    (r) => inspections.startInspection(db, r.actor, r.params.id, now(), r.id),
  );
  app.put(
    '/api/supervision/inspections/:id/items/:position',
    {
      ...J,
      schema: S('填写一个检查项（合格/不合格/不适用）', {
        params: z.object({ id: z.uuid(), position: z.coerce.number().int().min(1) }),
        body: ItemAnswerSchema,
      }),
    },
    (r) => inspections.answerItem(db, r.actor, r.params.id, r.params.position, r.body, now(), r.id),
  );
  app.post(
    '/api/supervision/inspections/:id/photos',
    {
      ...J,
      bodyLimit: 20 * 1024 * 1024,
      schema: S('上传现场照片（按SHA-256存储）', { params: WithId, body: UploadSchema }),
    },
    (r) => inspections.addInspectionPhoto(db, files, r.actor, r.params.id, r.body, r.id),
  );
  app.post(
    '/api/supervision/inspections/:id/sign',
    { ...J, schema: S('被检查单位签字确认，检查记录锁定', { params: WithId, body: SignSchema }) },
    (r) => inspections.signInspection(db, files, r.actor, r.params.id, r.body, now(), r.id),
  );
  app.post(
    '/api/supervision/inspections/:id/spot-exams',
    {
      ...J,
      schema: S('逢查必考：随机抽取人员并生成短卷', { params: WithId, body: SpotExamCreateSchema }),
    },
    (r) => spot.createSpotExam(db, r.actor, r.params.id, r.body, r.id),
  );
  app.get(
    '/api/supervision/spot-exams/:id',
    { ...J, schema: S('抽考及答卷（不含答案）', { params: WithId }) },
    (r) => spot.getSpotExam(db, r.actor, r.params.id),
  );
  app.post(
    '/api/supervision/spot-exams/:id/sittings/:sittingId',
    {
      ...J,
      schema: S('提交一名人员的抽考答卷', {
        params: z.object({ id: z.uuid(), sittingId: z.uuid() }),
        body: SpotAnswersSchema,
      }),
    },
    (r) =>
      spot.submitSpotSitting(
        db,
        r.actor,
        r.params.id,
        r.params.sittingId,
        r.body.answers,
        now(),
        r.id,
      ),
  );
  app.get(
    '/api/supervision/files/:id',
    {
      preHandler: requireRoles(),
      schema: { tags, summary: '检查照片、整改材料、举报附件', params: WithId },
    },
    async (r, reply) =>
      sendFile(reply, await inspections.readFile(db, files, r.actor, r.params.id)),
  );

  // ——— findings, orders ———
  app.get(
    '/api/supervision/findings',
    {
      preHandler: requireRoles(...jurisdiction, ...orgUsers),
      schema: S('问题清单', { querystring: FindingListQuerySchema }),
    },
    (r) => rectification.listFindings(db, r.actor, r.query),
  );
  app.get(
    '/api/supervision/orders',
    {
      preHandler: requireRoles(...jurisdiction, ...orgUsers),
      schema: S('整改通知（按期限）', { querystring: OrderListQuerySchema }),
    },
    (r) =>
      rectification.listOrders(
        db,
        r.actor,
        { ...r.query, overdue: r.query.overdue === 'true' },
        now(),
      ),
  );
  app.post(
    '/api/supervision/orders',
    { ...J, schema: S('下达限期整改通知', { body: OrderCreateSchema }) },
    (r) => rectification.issueOrder(db, r.actor, r.body, now(), r.id),
  );
  app.get(
    '/api/supervision/orders/:id',
    {
      preHandler: requireRoles(...jurisdiction, ...orgUsers),
      schema: S('整改通知详情', { params: WithId }),
    },
    (r) => rectification.getOrder(db, r.actor, r.params.id, now()),
  );
  app.post(
    '/api/supervision/orders/:id/files',
    {
      preHandler: requireRoles(...orgUsers),
      bodyLimit: 20 * 1024 * 1024,
      schema: S('被检查单位上传整改证据', { params: WithId, body: UploadSchema }),
    },
    (r) => rectification.uploadOrderFile(db, files, r.actor, r.params.id, r.body, r.id),
  );
  app.post(
    '/api/supervision/orders/:id/respond',
    {
      preHandler: requireRoles(...orgUsers),
      schema: S('被检查单位提交整改情况', { params: WithId, body: OrderRespondSchema }),
    },
    (r) => rectification.respondToOrder(db, r.actor, r.params.id, r.body, now(), r.id),
  );
  app.post(
    '/api/supervision/orders/:id/links',
    { ...J, schema: S('生成一次性整改链接（无账号单位使用）', { params: WithId }) },
    (r) => rectification.createOrderLink(db, r.actor, r.params.id, now(), r.id),
  );
  app.post(
    '/api/supervision/orders/:id/verify',
    { ...J, schema: S('复核（须由另一名执法人员）', { params: WithId, body: OrderVerifySchema }) },
    (r) => rectification.verifyOrder(db, r.actor, r.params.id, r.body, now(), r.id),
  );
  app.post(
    '/api/supervision/orders/:id/close',
    { ...J, schema: S('闭环销号', { params: WithId }) },
    (r) => rectification.closeOrder(db, r.actor, r.params.id, now(), r.id),
  );

  // ——— penalties ———
  app.get(
    '/api/supervision/penalties',
    {
      preHandler: requireRoles(...jurisdiction, ...orgUsers),
      schema: S('行政处罚', { querystring: z.object({ organizationId: z.uuid().optional() }) }),
    },
    (r) => rectification.listPenalties(db, r.actor, r.query.organizationId),
  );
  app.post(
    '/api/supervision/penalties',
    { ...R, schema: S('作出处罚决定', { body: PenaltyCreateSchema }) },
    (r) => rectification.decidePenalty(db, r.actor, r.body, r.id),
  );
  app.post(
    '/api/supervision/penalties/:id/lift',
    { ...R, schema: S('以新的决定解除处罚', { params: WithId, body: PenaltyLiftSchema }) },
    (r) => rectification.liftPenalty(db, r.actor, r.params.id, r.body, r.id),
  );

  // ——— reports, grades, publication ———
  app.get(
    '/api/supervision/summary',
    { ...J, schema: S('对照检查工作汇总表', { querystring: PeriodQuerySchema }) },
    (r) => reports.summaryTable(db, r.actor, r.query),
  );
  app.get(
    '/api/supervision/summary.xlsx',
    {
      ...J,
      schema: { tags, summary: '对照检查工作汇总表（Excel）', querystring: PeriodQuerySchema },
    },
    async (r, reply) => {
      const { bytes, fileName } = await reports.summaryWorkbook(db, r.actor, r.query);
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header(
          'content-disposition',
          `attachment; filename="summary.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        )
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never);
    },
  );
  app.get(
    '/api/supervision/figures',
    {
      ...J,
      schema: S('执法检查统计（检查、问题、淘汰、停业、责令整改、罚款）', {
        querystring: PeriodQuerySchema,
      }),
    },
    (r) => reports.enforcementFigures(db, r.actor, r.query),
  );
  app.get(
    '/api/supervision/soft-enforcement',
    { ...J, schema: S('执法偏软偏弱：只检查不处罚、无证据销号、逾期未整改') },
    (r) => reports.softEnforcement(db, r.actor, now()),
  );
  app.get(
    '/api/supervision/grades',
    {
      ...J,
      schema: S('分级管理：评分、等级、建议检查频次', {
        querystring: z.object({ period: z.string().max(8).optional() }),
      }),
    },
    (r) => reports.listGrades(db, r.actor, r.query.period),
  );
  app.post(
    '/api/supervision/grades/compute',
    { ...R, schema: S('计算本季度评分', { body: GradeComputeSchema }) },
    (r) =>
      reports.computeGrades(
        db,
        r.actor,
        r.body.on ? new Date(`${r.body.on}T04:00:00Z`) : now(),
        r.id,
      ),
  );
  app.post(
    '/api/supervision/publications',
    { ...R, schema: S('公开曝光已办结案件（个人信息脱敏）', { body: PublicationCreateSchema }) },
    (r) => reports.publishCase(db, r.actor, r.body, now(), r.id),
  );

  // ——— public reports (officers) ———
  app.get(
    '/api/supervision/reports',
    {
      ...J,
      schema: S('举报线索', {
        querystring: z.object({ status: z.enum(reportStatuses).optional() }),
      }),
    },
    (r) => publicReports.listReports(db, r.actor, r.query.status),
  );
  app.get(
    '/api/supervision/reports/:id',
    { ...J, schema: S('举报详情（举报人身份仅承办人可见）', { params: WithId }) },
    (r) => publicReports.getReport(db, r.actor, r.params.id),
  );
  app.post(
    '/api/supervision/reports/:id/triage',
    { ...R, schema: S('分拣', { params: WithId, body: ReportTriageSchema }) },
    (r) => publicReports.triageReport(db, r.actor, r.params.id, r.body.note, now(), r.id),
  );
  app.post(
    '/api/supervision/reports/:id/assign',
    { ...R, schema: S('指定承办人', { params: WithId, body: ReportAssignSchema }) },
    (r) => publicReports.assignReport(db, r.actor, r.params.id, r.body.userId, now(), r.id),
  );
  app.post(
    '/api/supervision/reports/:id/investigate',
    {
      ...R,
      schema: S('调查：对被举报单位安排检查', { params: WithId, body: ReportInvestigateSchema }),
    },
    (r) => publicReports.investigateReport(db, r.actor, r.params.id, r.body, now(), r.id),
  );
  app.post(
    '/api/supervision/reports/:id/reply',
    { ...J, schema: S('答复举报人', { params: WithId, body: ReportReplySchema }) },
    (r) => publicReports.replyReport(db, r.actor, r.params.id, r.body.reply, now(), r.id),
  );
  app.post(
    '/api/supervision/reports/:id/messages',
    { ...J, schema: S('给举报人留言', { params: WithId, body: ReportMessageSchema }) },
    (r) => publicReports.officerMessage(db, r.actor, r.params.id, r.body.body, now(), r.id),
  );
  app.post(
    '/api/supervision/reports/:id/close',
    { ...J, schema: S('办结', { params: WithId }) },
    (r) => publicReports.closeReport(db, r.actor, r.params.id, now(), r.id),
  );

  // ——— public, no login ———
  const pub = <E extends object = object>(summary: string, extra?: E) => ({
    ...S(summary, extra),
    security: [],
  });
  app.get(
    '/api/public/reports/challenge',
    { config: { rateLimit: publicReadLimit }, schema: pub('举报防刷验证题') },
    () => publicReports.issueChallenge(now()),
  );
  app.post(
    '/api/public/reports',
    {
      config: { rateLimit: reportFileLimit },
      bodyLimit: 40 * 1024 * 1024,
      schema: pub('提交举报（12350），返回查询码', { body: PublicReportCreateSchema }),
    },
    (r) => publicReports.fileReport(db, files, r.body, now(), r.id),
  );
  const Code = z.object({ code: z.string().min(4).max(40) });
  app.get(
    '/api/public/reports/:code',
    {
      config: { rateLimit: publicReadLimit },
      schema: pub('凭查询码查看办理进度', { params: Code }),
    },
    (r) => publicReports.trackReport(db, r.params.code),
  );
  app.post(
    '/api/public/reports/:code/messages',
    {
      config: { rateLimit: publicReadLimit },
      schema: pub('举报人留言', { params: Code, body: ReportMessageSchema }),
    },
    (r) => publicReports.reporterMessage(db, r.params.code, r.body.body, now(), r.id),
  );
  const Token = z.object({ token: z.string().min(16).max(100) });
  app.get(
    '/api/public/orders/:token',
    {
      config: { rateLimit: publicReadLimit },
      schema: pub('一次性链接：查看本整改通知', { params: Token }),
    },
    (r) => rectification.orderByLink(db, r.params.token, now()),
  );
  app.post(
    '/api/public/orders/:token/files',
    {
      config: { rateLimit: publicReadLimit },
      bodyLimit: 20 * 1024 * 1024,
      schema: pub('一次性链接：上传整改证据', { params: Token, body: UploadSchema }),
    },
    (r) => rectification.uploadByLink(db, files, r.params.token, r.body, now(), r.id),
  );
  app.post(
    '/api/public/orders/:token/respond',
    {
      config: { rateLimit: publicReadLimit },
      schema: pub('一次性链接：提交整改情况（提交后链接失效）', {
        params: Token,
        body: OrderRespondSchema,
      }),
    },
    (r) => rectification.respondByLink(db, r.params.token, r.body, now(), r.id),
  );
  app.get(
    '/api/public/cases',
    { config: { rateLimit: publicReadLimit }, schema: pub('曝光台：已办结案件') },
    () => reports.publicCases(db),
  );
}
