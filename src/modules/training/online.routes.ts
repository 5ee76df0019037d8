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
  CourseCreateSchema,
  CourseSchema,
  FaceCheckBodySchema,
  FaceCheckResultSchema,
  HeartbeatBodySchema,
  HeartbeatResultSchema,
  MyCourseSchema,
  SessionEndResultSchema,
  SessionSchema,
} from './online.contract.js';
import {
  addCourse,
  endSession,
  heartbeat,
  listCourses,
  myCourses,
  sessionFaceCheck,
  startSession,
} from './online.service.js';

const tags = ['training'];
const withRule = { ...errorResponses, 409: ErrorResponseSchema, 422: ErrorResponseSchema };

export async function onlineRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const now = () => deps.now?.() ?? new Date();
  const course = (c: {
    id: string;
    classId: string;
    title: string;
    mediaKind: 'video' | 'document';
    mediaUrl: string;
    durationSeconds: number;
  }) => ({
    id: c.id,
    classId: c.classId,
    title: c.title,
    mediaKind: c.mediaKind,
    mediaUrl: c.mediaUrl,
    durationSeconds: c.durationSeconds,
  });

  app.get(
    '/api/classes/:id/courses',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '线上课程',
        params: IdParamsSchema,
        response: { 200: z.object({ items: z.array(CourseSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: (await listCourses(db, request.actor, request.params.id)).map(course),
    }),
  );
  app.post(
    '/api/classes/:id/courses',
    {
      preHandler: requireRoles('training_institution'),
      schema: {
        tags,
        summary: '添加线上课程（视频或文档）',
        params: IdParamsSchema,
        body: CourseCreateSchema,
        response: { 201: CourseSchema, ...withRule },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          course(await addCourse(db, request.actor, request.params.id, request.body, request.id)),
        ),
  );
  app.get(
    '/api/me/courses',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '我的线上课程与已核验学时',
        response: { 200: z.object({ items: z.array(MyCourseSchema) }), ...errorResponses },
      },
    },
    async (request) => ({
      items: await myCourses(db, request.actor),
    }),
  );
  app.post(
    '/api/online/sessions',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '开始在线学习（每人同时只有一个学习会话）',
        body: z.object({ courseId: z.uuid() }),
        response: { 201: SessionSchema, ...withRule },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await startSession(db, request.actor, request.body.courseId, now(), request.id)),
  );
  app.post(
    '/api/online/sessions/:id/face-checks',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '学习中人脸核验（未通过则上次核验以来的学习不计学时）',
        params: IdParamsSchema,
        body: FaceCheckBodySchema,
        response: { 200: FaceCheckResultSchema, ...withRule },
      },
    },
    async (request) =>
      sessionFaceCheck(db, request.actor, request.params.id, request.body.image, now(), request.id),
  );
  app.post(
    '/api/online/sessions/:id/heartbeat',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '学习心跳（服务端判定本段时间是否计入：人脸核验、防拖动、离开锁定）',
        params: IdParamsSchema,
        body: HeartbeatBodySchema,
        response: { 200: HeartbeatResultSchema, ...withRule },
      },
    },
    async (request) =>
      heartbeat(db, request.actor, request.params.id, request.body, now(), request.id),
  );
  app.post(
    '/api/online/sessions/:id/end',
    {
      preHandler: requireRoles('worker'),
      schema: {
        tags,
        summary: '结束学习',
        params: IdParamsSchema,
        response: { 200: SessionEndResultSchema, ...withRule },
      },
    },
    async (request) => endSession(db, request.actor, request.params.id, now(), request.id),
  );
}
