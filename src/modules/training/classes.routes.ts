import { z } from 'zod';
import { requireRoles, requireTokenScope } from '../../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
  IdParamsSchema,
} from '../../platform/http/routing.js';
import { DeviceAttendanceResponseSchema } from './attendance.contract.js';
import {
  ClassCreateSchema,
  ClassDetailSchema,
  ClassListQuerySchema,
  ClassSummarySchema,
  CoverageSchema,
  classPhases,
  LedgerEvidenceSchema,
  LedgerRowSchema,
  LessonCreateSchema,
  MakeupCreateSchema,
  RecordingUploadSchema,
  RosterEntrySchema,
  TraineeInputSchema,
} from './classes.contract.js';
import {
  addMakeup,
  classLedger,
  createClass,
  enrolTrainees,
  getClassDetail,
  hoursOfPerson,
  lessonCoverage,
  lessonRoster,
  listClasses,
  myHours,
  planLesson,
  traineeEvidence,
} from './classes.service.js';
import { registerRecordings, uploadRecordings } from './recordings.service.js';

const tags = ['training'];

/** A person's classes with the hours the ledger proves in each (我的学时, 一人一档). */
const HoursOfPersonSchema = z.object({
  items: z.array(
    LedgerRowSchema.extend({
      operationItemCode: z.string(),
      kind: z.string(),
      status: z.string(),
      phase: z.enum(classPhases),
      startDate: z.string(),
      endDate: z.string(),
    }),
  ),
});
const withRule = { ...errorResponses, 409: ErrorResponseSchema, 422: ErrorResponseSchema };

export async function classesRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();

  app.get(
    '/api/classes',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '培训班（按权限范围）',
        querystring: ClassListQuerySchema,
        response: {
          200: z.object({ items: z.array(ClassSummarySchema), total: z.number() }),
          ...errorResponses,
        },
      },
    },
    async (request) => listClasses(db, request.actor, request.query, now()),
  );
  app.post(
    '/api/classes',
    {
      preHandler: requireRoles('training_institution'),
      schema: {
        tags,
        summary: '开班（一期一个作业类别、一种培训类型；初训与复训不得混编）',
        body: ClassCreateSchema,
        response: { 201: z.object({ id: z.string(), code: z.string() }), ...withRule },
      },
    },
    async (request, reply) => {
      const row = await createClass(db, request.actor, request.body, request.id, now());
      return reply.status(201).send({ id: row.id, code: row.code });
    },
  );
  app.get(
    '/api/classes/:id',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '培训班详情：大纲、适用政策、花名册、教学计划与计划检查结果',
        params: IdParamsSchema,
        response: { 200: ClassDetailSchema, ...errorResponses },
      },
    },
    async (request) => getClassDetail(db, request.actor, request.params.id, now()),
  );
  app.post(
    '/api/classes/:id/trainees',
    {
      preHandler: requireRoles('training_institution'),
      schema: {
        tags,
        summary: '学员编班（身份证号+姓名；培训类型须与本班一致）',
        params: IdParamsSchema,
        body: z.object({ trainees: z.array(TraineeInputSchema).min(1).max(500) }),
        response: { 200: z.object({ enrolled: z.number() }), ...withRule },
      },
    },
    async (request) =>
      enrolTrainees(db, request.actor, request.params.id, request.body.trainees, request.id),
  );
  app.post(
    '/api/classes/:id/lessons',
    {
      preHandler: requireRoles('training_institution'),
      schema: {
        tags,
        summary:
          '排课：教师冲突、合班、实操每日上限、实操不得线上、教师资质与从业年限按适用政策检查',
        params: IdParamsSchema,
        body: LessonCreateSchema,
        response: {
          201: z.object({
            id: z.string(),
            mode: z.string(),
            startsAt: z.string(),
            endsAt: z.string(),
            warnings: z.array(z.object({ rule: z.string(), message: z.string() })),
          }),
          ...withRule,
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await planLesson(db, request.actor, request.params.id, request.body, request.id)),
  );
  app.get(
    '/api/classes/:id/ledger',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '学时台账：每名学员由考勤、课时、录像覆盖与线上核验分钟计算的有效学时',
        params: IdParamsSchema,
        response: { 200: z.object({ items: z.array(LedgerRowSchema) }), ...errorResponses },
      },
    },
    async (request) => classLedger(db, request.actor, request.params.id),
  );
  app.get(
    '/api/classes/:id/ledger/:personId',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '学时证据：逐节课的在场、录像覆盖与计入时段',
        params: z.object({ id: z.uuid(), personId: z.uuid() }),
        response: { 200: LedgerEvidenceSchema, ...errorResponses },
      },
    },
    async (request) =>
      traineeEvidence(db, request.actor, request.params.id, request.params.personId),
  );
  app.get(
    '/api/lessons/:id/roster',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '课堂实时花名册：到课、离开、缺勤、人脸比对未通过、补录',
        params: IdParamsSchema,
        response: {
          200: z.object({
            lesson: z.object({
              id: z.string(),
              classId: z.string(),
              classCode: z.string(),
              topic: z.string(),
              mode: z.string(),
              startsAt: z.string(),
              endsAt: z.string(),
            }),
            summary: z.object({
              total: z.number(),
              present: z.number(),
              left: z.number(),
              absent: z.number(),
              faceFailed: z.number(),
              makeup: z.number(),
              notStarted: z.number(),
            }),
            items: z.array(RosterEntrySchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => lessonRoster(db, request.actor, request.params.id, now()),
  );
  app.post(
    '/api/lessons/:id/makeups',
    {
      preHandler: requireRoles('training_institution'),
      schema: {
        tags,
        summary: '补录考勤（须写明原因，标记为补录）',
        params: IdParamsSchema,
        body: MakeupCreateSchema,
        response: { 201: z.object({ id: z.string() }), ...withRule },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await addMakeup(db, request.actor, request.params.id, request.body, now(), request.id),
        ),
  );
  app.get(
    '/api/lessons/:id/coverage',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '录像覆盖：课程时段内本教室录像的并集与空档',
        params: IdParamsSchema,
        response: { 200: CoverageSchema, ...errorResponses },
      },
    },
    async (request) => lessonCoverage(db, request.actor, request.params.id),
  );
  app.get(
    '/api/persons/:id/hours',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '一人一档：此人参加的培训班及学时台账认定的学时（按权限范围）',
        params: IdParamsSchema,
        response: { 200: HoursOfPersonSchema, ...errorResponses },
      },
    },
    async (request) => hoursOfPerson(db, request.actor, request.params.id, now()),
  );
  app.get(
    '/api/me/hours',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '我的学时',
        response: {
          200: HoursOfPersonSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => myHours(db, request.actor, now()),
  );
  app.post(
    '/api/organizations/:id/devices/:deviceId/recordings',
    {
      preHandler: requireRoles('training_institution', 'exam_site'),
      schema: {
        tags,
        summary: '机构上传本机构摄像头的录像信息（录像机导出；与设备接口同样逐条校验、幂等）',
        params: z.object({ id: z.uuid(), deviceId: z.uuid() }),
        body: RecordingUploadSchema,
        response: { 200: DeviceAttendanceResponseSchema, ...withRule },
      },
    },
    async (request) =>
      registerRecordings(
        db,
        request.actor,
        request.params.id,
        request.params.deviceId,
        request.body.recordings,
        now(),
        request.id,
      ),
  );
  app.post(
    '/api/devices/recordings',
    {
      preHandler: requireTokenScope('devices:write'),
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: '摄像头上传录像信息（教室、起止时间、SHA-256、存储位置；按录像号幂等）',
        body: RecordingUploadSchema,
        response: { 200: DeviceAttendanceResponseSchema, ...errorResponses },
      },
    },
    async (request) =>
      uploadRecordings(db, request.actor, request.body.recordings, now(), request.id),
  );
}
