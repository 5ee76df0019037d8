import { z } from 'zod';

export const CourseCreateSchema = z.object({
  title: z.string().trim().min(1).max(200),
  mediaKind: z.enum(['video', 'document']),
  mediaUrl: z.string().min(1).max(1000),
  durationSeconds: z.number().int().min(60).max(100 * 3600),
});

export const CourseSchema = z.object({ id: z.string(), classId: z.string(), title: z.string(), mediaKind: z.string(), mediaUrl: z.string(), durationSeconds: z.number() });

export const MyCourseSchema = CourseSchema.extend({
  classCode: z.string(),
  className: z.string(),
  verifiedMinutes: z.number(),
  hours: z.number(),
  onlineMinutesPerHour: z.number(),
  faceCheckIntervalMinutes: z.number(),
  positionSeconds: z.number(),
});

export const SessionSchema = z.object({ id: z.string(), courseId: z.string(), positionSeconds: z.number(), faceCheckIntervalMinutes: z.number(), checkRequired: z.boolean() });

export const FaceCheckBodySchema = z.object({ image: z.string().min(100).max(8_000_000) });
export const FaceCheckResultSchema = z.object({ decision: z.string(), passed: z.boolean(), message: z.string(), score: z.number().nullable(), nextCheckDueAt: z.string().nullable(), invalidatedSegments: z.number() });

export const HeartbeatBodySchema = z.object({ positionSeconds: z.number().min(0).max(100 * 3600), playing: z.boolean() });
export const HeartbeatResultSchema = z.object({ verifiedMinutes: z.number(), checkRequired: z.boolean(), locked: z.boolean(), positionSeconds: z.number(), counted: z.boolean(), reason: z.string().nullable() });
