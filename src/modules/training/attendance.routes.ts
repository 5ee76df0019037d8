import { z } from 'zod';
import { requireRoles, requireTokenScope } from '../../platform/http/auth-plugin.js';
import {
  type App,
  type AppDeps,
  ErrorResponseSchema,
  errorResponses,
  IdParamsSchema,
} from '../../platform/http/routing.js';
import {
  DeviceAttendanceResponseSchema,
  DeviceAttendanceUploadSchema,
  DeviceCreateSchema,
  RoomCreateSchema,
  RoomSchema,
} from './attendance.contract.js';
import { addRoom, listRooms, registerDevice, uploadAttendance } from './attendance.service.js';

const tags = ['training'];

export async function attendanceRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  app.get(
    '/api/organizations/:id/rooms',
    {
      preHandler: requireRoles(),
      schema: {
        tags,
        summary: '教室（考勤与录像的场所）',
        params: IdParamsSchema,
        response: { 200: z.object({ items: z.array(RoomSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await listRooms(db, request.actor, request.params.id) }),
  );
  app.post(
    '/api/organizations/:id/rooms',
    {
      preHandler: requireRoles('training_institution', 'exam_site'),
      schema: {
        tags,
        summary: '登记教室',
        params: IdParamsSchema,
        body: RoomCreateSchema,
        response: { 201: RoomSchema, ...errorResponses, 409: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      const row = await addRoom(db, request.actor, request.params.id, request.body, request.id);
      return reply.status(201).send({
        id: row.id,
        name: row.name,
        kind: row.kind,
        capacity: row.capacity,
        areaM2: row.areaM2,
      });
    },
  );
  app.post(
    '/api/organizations/:id/devices',
    {
      preHandler: requireRoles('training_institution', 'exam_site'),
      schema: {
        tags,
        summary: '登记设备（人脸考勤终端、摄像头）并签发设备令牌（只显示一次）',
        params: IdParamsSchema,
        body: DeviceCreateSchema,
        response: {
          201: z.object({ deviceId: z.string(), token: z.string() }),
          ...errorResponses,
          409: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await registerDevice(db, request.actor, request.params.id, request.body, request.id)),
  );
  app.post(
    '/api/devices/attendance',
    {
      preHandler: requireTokenScope('devices:write'),
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: '考勤终端批量上传（按设备事件号幂等；逐条返回 accepted / duplicate / rejected）',
        body: DeviceAttendanceUploadSchema,
        response: { 200: DeviceAttendanceResponseSchema, ...errorResponses },
      },
    },
    async (request) =>
      uploadAttendance(
        db,
        request.actor,
        request.body.events,
        deps.now?.() ?? new Date(),
        request.id,
      ),
  );
}
