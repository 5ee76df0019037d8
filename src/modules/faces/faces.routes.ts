import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { requireRoles } from '../../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
  IdParamsSchema,
} from '../../platform/http/routing.js';
import { humanModelsDir } from './face-engine.js';
import {
  FaceEnrollmentSchema,
  FaceImageSchema,
  FaceVerificationLogSchema,
  FaceVerificationResultSchema,
} from './faces.contract.js';
import {
  deleteFaceData,
  enrollFace,
  findSameFaceElsewhere,
  listVerifications,
  verifyFace,
} from './faces.service.js';

const tags = ['faces'];
const writeErrors = { ...errorResponses, 422: ErrorResponseSchema };

export async function facesRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  // The browser runs the same library for capture-side hints (one face in frame); models come from
  // the package, never from a CDN.
  await app.register(fastifyStatic, {
    root: humanModelsDir,
    prefix: '/models/human/',
    decorateReply: false,
    maxAge: '7d',
  });
  app.post(
    '/api/persons/:id/face',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '采集人脸（只保存特征值，不保存照片）',
        params: IdParamsSchema,
        body: FaceImageSchema,
        response: { 201: FaceEnrollmentSchema, ...writeErrors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await enrollFace(db, request.actor, request.params.id, request.body.image, request.id),
        ),
  );
  app.post(
    '/api/persons/:id/face/verify',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '人脸核验（平台比对并记录）',
        params: IdParamsSchema,
        body: FaceImageSchema,
        response: { 200: FaceVerificationResultSchema, ...writeErrors },
      },
    },
    async (request) =>
      verifyFace(db, request.actor, request.params.id, request.body.image, request.body.context, {
        now: deps.now?.(),
        requestId: request.id,
      }),
  );
  app.delete(
    '/api/persons/:id/face',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '删除人员的全部人脸数据',
        params: IdParamsSchema,
        response: { 200: z.object({ deleted: z.number() }), ...writeErrors },
      },
    },
    async (request) => deleteFaceData(db, request.actor, request.params.id, request.id),
  );
  app.get(
    '/api/persons/:id/face/verifications',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '人脸核验记录',
        params: IdParamsSchema,
        response: { 200: FaceVerificationLogSchema, ...errorResponses },
      },
    },
    async (request) =>
      (await listVerifications(db, request.actor, request.params.id)) as z.infer<
        typeof FaceVerificationLogSchema
      >,
  );
  app.get(
    '/api/persons/:id/face/same-face',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '辖区内与该人员人脸相同的其他人员（一脸多人）',
        params: IdParamsSchema,
        response: {
          200: z.object({ items: z.array(z.object({ personId: z.string(), score: z.number() })) }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      items: await findSameFaceElsewhere(db, request.actor, request.params.id, deps.now?.()),
    }),
  );
}
