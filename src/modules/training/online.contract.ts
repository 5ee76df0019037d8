import { z } from 'zod';

/**
 * Online learning. The browser plays a course and reports; the server decides what counts: only time
 * spent playing, without skipping ahead, inside the window of a passing face check of the learner.
 */

export const mediaKinds = ['video', 'document'] as const;
/** Why a session ended (online.service): a newer session replaced it, or the learner ended it. */
export const sessionEndReasons = ['superseded', 'ended'] as const;
/** Why a segment did not count: online.rules' SegmentReason, or a failed face check voiding it afterwards. */
export const segmentReasons = [
  'face_check_due',
  'fast_forward',
  'idle',
  'paused',
  'face_check_failed',
] as const;

export const CourseCreateSchema = z.object({
  title: z.string().trim().min(1).max(200),
  mediaKind: z.enum(mediaKinds),
  mediaUrl: z.string().trim().min(1).max(1000),
  durationSeconds: z
    .number()
    .int()
    .min(60)
    .max(100 * 3600),
  /** The 学时 the course claims; detection (T03) checks the media is long enough for them. */
  claimedHours: z.number().positive().max(1000).optional(),
});

export const CourseSchema = z.object({
  id: z.string(),
  classId: z.string(),
  title: z.string(),
  mediaKind: z.enum(mediaKinds),
  mediaUrl: z.string(),
  durationSeconds: z.number(),
});

export const MyCourseSchema = CourseSchema.extend({
  classCode: z.string(),
  className: z.string(),
  /** Verified minutes of this course, and the 学时 they are worth (floor, 2 decimals). */
  verifiedMinutes: z.number(),
  hours: z.number(),
  /** Verified minutes of the whole class (all its courses), and their 学时: what the hours ledger counts. */
  classVerifiedMinutes: z.number(),
  classHours: z.number(),
  onlineMinutesPerHour: z.number(),
  faceCheckIntervalMinutes: z.number(),
  /** Where the learner left this course; a new session resumes here. */
  positionSeconds: z.number(),
});

export const SessionSchema = z.object({
  id: z.string(),
  courseId: z.string(),
  positionSeconds: z.number(),
  faceCheckIntervalMinutes: z.number(),
  /** Always true for a new session: nothing counts before the first passing check. */
  checkRequired: z.boolean(),
});

export const FaceCheckBodySchema = z.object({ image: z.string().min(100).max(12_000_000) });
export const FaceCheckResultSchema = z.object({
  decision: z.enum(['match', 'mismatch', 'review', 'refused']),
  passed: z.boolean(),
  message: z.string(),
  score: z.number().nullable(),
  /** When a new check is needed (passed), null when minutes do not count until a check passes. */
  nextCheckDueAt: z.string().nullable(),
  /** Segments since the last passing check that stopped counting because this check failed. */
  invalidatedSegments: z.number(),
  invalidatedMinutes: z.number(),
});

export const HeartbeatBodySchema = z.object({
  positionSeconds: z
    .number()
    .min(0)
    .max(100 * 3600),
  playing: z.boolean(),
});
export const HeartbeatResultSchema = z.object({
  /** Verified minutes of the class so far (all its courses). */
  verifiedMinutes: z.number(),
  checkRequired: z.boolean(),
  /** Away too long: the session needs a passing check before minutes count again. */
  locked: z.boolean(),
  /** The position the server keeps (the old one after a fast-forward): the player goes there. */
  positionSeconds: z.number(),
  /** Whether any of the time since the last heartbeat counted. */
  counted: z.boolean(),
  reason: z.enum(['face_check_due', 'fast_forward', 'idle', 'paused']).nullable(),
  nextCheckDueAt: z.string().nullable(),
});

export const SessionEndResultSchema = z.object({ ended: z.boolean() });
