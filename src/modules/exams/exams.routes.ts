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
import {
  AnswerBodySchema,
  AnswerResultSchema,
  AttemptSchema,
  BlueprintCreateSchema,
  BlueprintSchema,
  CheckInBodySchema,
  CheckInResultSchema,
  OverrideBodySchema,
  PatrolBodySchema,
  PatrolEventSchema,
  PlanCreateSchema,
  PlanSchema,
  PracticalScoreBodySchema,
  QuestionCreateSchema,
  QuestionImportResultSchema,
  QuestionImportSchema,
  QuestionSchema,
  questionKinds,
  RegistrationCreateSchema,
  RegistrationSchema,
  RunningSessionSchema,
  SessionCreateSchema,
  SubmitBodySchema,
  SubmitResultSchema,
} from './exams.contract.js';
import {
  certifyResult,
  checkIn,
  createBlueprint,
  createPlan,
  createSession,
  finalizeExpiredAttempts,
  getAttempt,
  getPlan,
  getRegistration,
  listBlueprints,
  listPlans,
  listRegistrations,
  overrideCheckIn,
  publishResults,
  recordPatrol,
  register,
  runningSessions,
  saveAnswer,
  scorePracticalSubject,
  sessionBoard,
  startPracticalSubject,
  startTheory,
  submitAttempt,
  withdraw,
} from './exams.service.js';
import {
  createQuestion,
  exportQuestions,
  importQuestions,
  listQuestions,
  questionTemplate,
} from './question-bank.service.js';

const tags = ['exams'];
const withRule = { ...errorResponses, 409: ErrorResponseSchema, 422: ErrorResponseSchema };
const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SubjectParams = z.object({ id: z.uuid(), subject: z.enum(['K1', 'K2', 'K3', 'K4']) });
const AnswerParams = z.object({ id: z.uuid(), position: z.coerce.number().int().min(0).max(999) });

/** Seconds between sweeps that submit the exams whose time ran out while nobody was asking. */
const AUTOSUBMIT_SWEEP_MS = 15_000;

export async function examsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();

  if (!deps.now) {
    const timer = setInterval(() => {
      finalizeExpiredAttempts(db, new Date()).catch((err) =>
        app.log.error({ err }, 'auto-submit sweep failed'),
      );
    }, AUTOSUBMIT_SWEEP_MS);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  const sendXlsx = (reply: import('fastify').FastifyReply, name: string, bytes: Uint8Array) =>
    reply
      .type(xlsxType)
      .header(
        'content-disposition',
        `attachment; filename="questions.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      )
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never);

  // ——— question bank ———
  app.get(
    '/api/exams/questions',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '题库',
        querystring: PageQuerySchema.extend({
          itemCode: z.string().max(20).optional(),
          kind: z.enum(questionKinds).optional(),
          knowledgePoint: z.string().max(100).optional(),
          q: z.string().max(100).optional(),
        }),
      },
    },
    async (request) => {
      const { page, pageSize, ...f } = request.query;
      return listQuestions(db, request.actor, f, { page, pageSize });
    },
  );
  app.post(
    '/api/exams/questions',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '新增或更新一道题（同一作业类别下按题干识别）',
        body: QuestionCreateSchema,
        response: { 201: QuestionSchema, ...withRule },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return createQuestion(db, request.actor, request.body, request.id);
    },
  );
  app.post(
    '/api/exams/questions/import',
    {
      bodyLimit: 30 * 1024 * 1024,
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: 'Excel 导入题库（先校验全部行，有错误则一题不导入并按行列出）',
        body: QuestionImportSchema,
        response: { 200: QuestionImportResultSchema, ...withRule },
      },
    },
    async (request) => importQuestions(db, request.actor, request.body.file, request.id),
  );
  app.get(
    '/api/exams/questions/template.xlsx',
    { preHandler: requireRoles('exam_authority'), schema: { tags, summary: '题库导入模板' } },
    async (_request, reply) => sendXlsx(reply, '题库导入模板.xlsx', questionTemplate()),
  );
  app.get(
    '/api/exams/questions/export.xlsx',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '导出题库',
        querystring: z.object({ itemCode: z.string().max(20).optional() }),
      },
    },
    async (request, reply) =>
      sendXlsx(
        reply,
        `题库${request.query.itemCode ? `-${request.query.itemCode}` : ''}.xlsx`,
        await exportQuestions(db, request.actor, request.query.itemCode),
      ),
  );

  // ——— blueprints, plans, sessions ———
  app.get(
    '/api/exams/blueprints',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '组卷规则',
        querystring: z.object({ itemCode: z.string().max(20).optional() }),
        response: { 200: z.object({ items: z.array(BlueprintSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await listBlueprints(db, request.actor, request.query.itemCode),
    }),
  );
  app.post(
    '/api/exams/blueprints',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '新建组卷规则（各部分合计 100 分，题库须有足够题目）',
        body: BlueprintCreateSchema,
        response: { 201: BlueprintSchema, ...withRule },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return createBlueprint(db, request.actor, request.body, request.id);
    },
  );
  app.get(
    '/api/exams/plans',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '考试计划（考试机构：辖区内；考点：在本考点的；企业/培训机构/考生：可报名的）',
        querystring: z.object({ status: z.enum(['open', 'closed']).optional() }),
        response: { 200: z.object({ items: z.array(PlanSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await listPlans(db, request.actor, request.query, now()),
    }),
  );
  app.post(
    '/api/exams/plans',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '新建考试计划',
        body: PlanCreateSchema,
        response: { 201: PlanSchema, ...withRule },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return createPlan(db, request.actor, request.body, request.id);
    },
  );
  app.get(
    '/api/exams/plans/:id',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '考试计划详情',
        params: IdParamsSchema,
        response: { 200: PlanSchema, ...errorResponses },
      },
    },
    async (request) => getPlan(db, request.actor, request.params.id, now()),
  );
  app.post(
    '/api/exams/plans/:id/sessions',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '安排考试场次（考点、考场、时间、容量、监考员、考评员；培考分离）',
        params: IdParamsSchema,
        body: SessionCreateSchema,
        response: { 201: PlanSchema, ...withRule },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return createSession(db, request.actor, request.params.id, request.body, now(), request.id);
    },
  );

  // ——— registrations ———
  app.post(
    '/api/exams/plans/:id/registrations',
    {
      preHandler: requireRoles('worker', 'enterprise', 'training_institution'),
      schema: {
        tags,
        summary: '报名（资格审核结果随报名冻结；不符合时逐项说明）',
        params: IdParamsSchema,
        body: RegistrationCreateSchema,
        response: { 201: RegistrationSchema, ...withRule },
      },
    },
    async (request, reply) => {
      const id = await register(
        db,
        request.actor,
        request.params.id,
        request.body,
        now(),
        request.id,
      );
      reply.code(201);
      return getRegistration(db, request.actor, id, now());
    },
  );
  app.get(
    '/api/exams/registrations',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '考试报名与成绩（按权限范围）',
        querystring: z.object({
          planId: z.uuid().optional(),
          sessionId: z.uuid().optional(),
          personId: z.uuid().optional(),
        }),
        response: { 200: z.object({ items: z.array(RegistrationSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await listRegistrations(db, request.actor, request.query, now()),
    }),
  );
  app.get(
    '/api/exams/registrations/:id',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '报名详情',
        params: IdParamsSchema,
        response: { 200: RegistrationSchema, ...errorResponses },
      },
    },
    async (request) => getRegistration(db, request.actor, request.params.id, now()),
  );
  app.post(
    '/api/exams/registrations/:id/withdraw',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '撤销报名（签到前）',
        params: IdParamsSchema,
        response: { 200: RegistrationSchema, ...withRule },
      },
    },
    async (request) => {
      await withdraw(db, request.actor, request.params.id, now(), request.id);
      return getRegistration(db, request.actor, request.params.id, now());
    },
  );

  // ——— check-in ———
  app.post(
    '/api/exams/registrations/:id/check-in',
    {
      bodyLimit: 16 * 1024 * 1024,
      preHandler: requireRoles('exam_site'),
      schema: {
        tags,
        summary: '考场签到：人脸核验（本场次监考员，在计划时间内）',
        params: IdParamsSchema,
        body: CheckInBodySchema,
        response: { 200: CheckInResultSchema, ...withRule },
      },
    },
    async (request) =>
      checkIn(db, request.actor, request.params.id, request.body.image, now(), request.id),
  );
  app.post(
    '/api/exams/registrations/:id/check-in/override',
    {
      preHandler: requireRoles('exam_site'),
      schema: {
        tags,
        summary: '人脸核验未通过时监考员人工放行（须填写理由，记入审计）',
        params: IdParamsSchema,
        body: OverrideBodySchema,
        response: { 200: RegistrationSchema, ...withRule },
      },
    },
    async (request) => {
      await overrideCheckIn(
        db,
        request.actor,
        request.params.id,
        request.body.reason,
        now(),
        request.id,
      );
      return getRegistration(db, request.actor, request.params.id, now());
    },
  );

  // ——— theory exam ———
  app.post(
    '/api/exams/registrations/:id/theory',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '开始或继续理论考试（换设备打开则接管，原页面不能再作答）',
        params: IdParamsSchema,
        response: { 200: AttemptSchema, ...withRule },
      },
    },
    async (request) => startTheory(db, request.actor, request.params.id, now(), request.id),
  );
  app.get(
    '/api/exams/attempts/:id',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '试卷与已保存的答案（到时自动交卷）',
        params: IdParamsSchema,
        response: { 200: AttemptSchema, ...withRule },
      },
    },
    async (request) => getAttempt(db, request.actor, request.params.id, now()),
  );
  app.put(
    '/api/exams/attempts/:id/answers/:position',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '保存一题答案（自动保存）',
        params: AnswerParams,
        body: AnswerBodySchema,
        response: { 200: AnswerResultSchema, ...withRule },
      },
    },
    async (request) =>
      saveAnswer(
        db,
        request.actor,
        request.params.id,
        request.params.position,
        request.body,
        now(),
      ),
  );
  app.post(
    '/api/exams/attempts/:id/submit',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '交卷（立即评分）',
        params: IdParamsSchema,
        body: SubmitBodySchema,
        response: { 200: SubmitResultSchema, ...withRule },
      },
    },
    async (request) =>
      submitAttempt(db, request.actor, request.params.id, request.body.clientToken, now()),
  );

  // ——— practical ———
  app.get(
    '/api/exams/sessions/:id/candidates',
    {
      preHandler: requireRoles('exam_site', 'exam_authority', 'regulator'),
      schema: {
        tags,
        summary: '场次考生（签到台、实操评分）',
        params: IdParamsSchema,
        response: { 200: z.object({ items: z.array(RegistrationSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await sessionBoard(db, request.actor, request.params.id, now()),
    }),
  );
  app.post(
    '/api/exams/registrations/:id/practical/:subject/start',
    {
      preHandler: requireRoles('exam_site'),
      schema: {
        tags,
        summary: '考评员开始评一个科目（同一时间只评一名考生）',
        params: SubjectParams,
        response: { 200: RegistrationSchema, ...withRule },
      },
    },
    async (request) =>
      startPracticalSubject(
        db,
        request.actor,
        request.params.id,
        request.params.subject,
        now(),
        request.id,
      ),
  );
  app.post(
    '/api/exams/registrations/:id/practical/:subject/score',
    {
      preHandler: requireRoles('exam_site'),
      schema: {
        tags,
        summary: '录入科目成绩（否决项不合格则实操不合格）',
        params: SubjectParams,
        body: PracticalScoreBodySchema,
        response: { 200: RegistrationSchema, ...withRule },
      },
    },
    async (request) =>
      scorePracticalSubject(
        db,
        request.actor,
        request.params.id,
        request.params.subject,
        request.body,
        now(),
        request.id,
      ),
  );

  // ——— patrol, results ———
  app.get(
    '/api/exams/patrol',
    {
      preHandler: requireRoles('exam_authority', 'regulator'),
      schema: {
        tags,
        summary: '巡考：辖区内正在进行的场次',
        response: { 200: z.object({ items: z.array(RunningSessionSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await runningSessions(db, request.actor, now()),
    }),
  );
  app.post(
    '/api/exams/sessions/:id/patrol',
    {
      preHandler: requireRoles('exam_authority', 'regulator'),
      schema: {
        tags,
        summary: '巡考记录：观察、警告、取消考生本场成绩',
        params: IdParamsSchema,
        body: PatrolBodySchema,
        response: { 201: PatrolEventSchema, ...withRule },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return recordPatrol(db, request.actor, request.params.id, request.body, now(), request.id);
    },
  );
  app.post(
    '/api/exams/sessions/:id/publish',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '发布场次成绩',
        params: IdParamsSchema,
        response: { 200: z.object({ published: z.number() }), ...withRule },
      },
    },
    async (request) => publishResults(db, request.actor, request.params.id, now(), request.id),
  );
  app.post(
    '/api/exams/registrations/:id/certificate',
    {
      preHandler: requireRoles('exam_authority'),
      schema: {
        tags,
        summary: '依合格成绩发证',
        params: IdParamsSchema,
        response: {
          201: z.object({ id: z.string(), number: z.string(), validUntil: z.string() }),
          ...withRule,
        },
      },
    },
    async (request, reply) => {
      const c = await certifyResult(db, request.actor, request.params.id, now(), request.id);
      reply.code(201);
      return { id: c.id, number: c.number, validUntil: c.validUntil };
    },
  );
}
