import { z } from 'zod';

/** A frame is a face capture, not a photo album: ~375 KB of JPEG at most. */
export const MAX_FRAME_BASE64 = 500_000;
/** Frames are verified by the face model while the terminal waits (~0.2 s each): a batch carries a few. */
export const MAX_FRAMES_PER_BATCH = 20;

export const attendanceEventTypes = ['check_in', 'check_out', 'random_check'] as const;

/** One event as a face terminal sends it (CONTRACTS.md "Devices"). */
export const DeviceAttendanceEventSchema = z.object({
  /** The terminal's own id for the event: a retried upload with the same id is a duplicate, not a new event. */
  eventId: z.string().min(1).max(100),
  type: z.enum(attendanceEventTypes),
  /** 居民身份证号码 of the person the terminal recognised. */
  idNumber: z.string().min(15).max(18),
  occurredAt: z.iso.datetime({ offset: true }),
  matchScore: z.number().min(0).max(1).optional(),
  liveness: z.number().min(0).max(1).optional(),
  photoRef: z.string().max(500).optional(),
  /**
   * The frame the terminal matched, as a base64 JPEG (optional): the platform then runs its own
   * verification against the person's enrolled face and keeps it beside the terminal's score.
   */
  frame: z.string().min(8).max(MAX_FRAME_BASE64).optional(),
});
export type DeviceAttendanceEvent = z.infer<typeof DeviceAttendanceEventSchema>;

/** Events are validated one by one, so one bad event never rejects the others. */
export const DeviceAttendanceUploadSchema = z.object({
  events: z.array(z.unknown()).min(1).max(1000),
});

export const DeviceEventResultSchema = z.object({
  index: z.number(),
  eventId: z.string().nullable(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  reason: z.string().optional(),
  message: z.string().optional(),
  /** The platform's own verification of the event's frame, when the terminal sent one. */
  platformFace: z
    .object({
      decision: z.enum(['match', 'mismatch', 'review', 'refused', 'not_enrolled']),
      score: z.number().nullable(),
      reasons: z.array(z.string()),
    })
    .optional(),
});

export const DeviceAttendanceResponseSchema = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  results: z.array(DeviceEventResultSchema),
});

export const RoomCreateSchema = z.object({
  name: z.string().min(1).max(100),
  kind: z.enum(['theory', 'practical', 'exam']),
  capacity: z.number().int().min(0).max(10000).nullable().optional(),
  areaM2: z.number().min(0).max(100000).nullable().optional(),
});

export const RoomSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  capacity: z.number().nullable(),
  areaM2: z.number().nullable(),
});

export const DeviceCreateSchema = z.object({
  roomId: z.uuid(),
  kind: z.enum(['face_terminal', 'camera']),
  serial: z.string().min(1).max(100),
  name: z.string().min(1).max(100),
});
