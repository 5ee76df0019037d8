import { z } from 'zod';

/** What a face check decides (faces.rules.ts FaceDecision); the API stores nothing else. */
export const faceDecisions = ['match', 'mismatch', 'review', 'refused'] as const;

/** A frame from a camera: a JPEG as base64 (canvas.toBlob('image/jpeg') in the browser). */
export const FaceImageSchema = z.object({
  image: z.string().min(100).max(12_000_000),
  context: z
    .enum(['enrollment', 'attendance', 'online_learning', 'exam_check_in', 'manual'])
    .default('manual'),
});

export const FaceVerificationResultSchema = z
  .object({
    decision: z.enum(faceDecisions),
    score: z.number().nullable(),
    real: z.number().nullable(),
    live: z.number().nullable(),
    reasons: z.array(z.string()),
    message: z.string(),
    threshold: z.number(),
    /** The verification's entry in the person's log (absent when the frame was refused before any check). */
    verificationId: z.string().optional(),
  })
  .meta({ id: 'FaceVerificationResult' });

export const FaceEnrollmentSchema = z.object({
  templateId: z.string(),
  templates: z.number(),
  real: z.number(),
  live: z.number(),
});

export const FaceVerificationLogSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      at: z.date(),
      source: z.enum(['platform', 'device']),
      context: z.string(),
      score: z.number().nullable(),
      realScore: z.number().nullable(),
      liveScore: z.number().nullable(),
      decision: z.string(),
      reasons: z.array(z.string()),
    }),
  ),
  templates: z.number(),
});
