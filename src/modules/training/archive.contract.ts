import { z } from 'zod';
import { archiveDocumentParts } from './classes.table.js';

export { archiveDocumentParts };

/**
 * The parts of a class archive (一期一档, RULES.md §C and seed 004): the plan, the roster and the
 * evidence the platform holds itself, then the six documents the institution files.
 */
export const archiveParts = [
  'plan',
  'roster',
  'attendance',
  'video',
  ...archiveDocumentParts,
] as const;
export type ArchivePartName = (typeof archiveParts)[number];

export const ArchiveDocumentCreateSchema = z.object({
  part: z.enum(archiveDocumentParts),
  title: z.string().trim().min(1).max(200),
  content: z.string().trim().min(1).max(200_000),
});
export type ArchiveDocumentCreate = z.infer<typeof ArchiveDocumentCreateSchema>;

export const ArchiveDocumentSchema = z.object({
  id: z.string(),
  part: z.enum(archiveDocumentParts),
  title: z.string(),
  createdAt: z.string(),
});

export const ArchivePartSchema = z.object({
  part: z.enum(archiveParts),
  label: z.string(),
  present: z.boolean(),
  count: z.number(),
  /** What is missing, one sentence per gap (a lesson without video, a missing document). */
  missing: z.array(z.string()),
});

export const ArchiveSealSchema = z.object({
  root: z.string(),
  sealedAt: z.string(),
  leaves: z.number(),
});
export const ArchiveCloseResultSchema = ArchiveSealSchema.extend({ classId: z.string() });

export const ArchiveChecklistSchema = z.object({
  classId: z.string(),
  code: z.string(),
  name: z.string(),
  status: z.enum(['open', 'closed']),
  complete: z.boolean(),
  parts: z.array(ArchivePartSchema),
  seal: ArchiveSealSchema.nullable(),
});

export const ArchiveRecordRefSchema = z.object({
  kind: z.string(),
  id: z.string(),
  label: z.string().nullable(),
  /** Whose record it is (trainee, person checked in) and the lesson it belongs to, by name. */
  person: z.string().nullable(),
  lesson: z.string().nullable(),
  /** For a changed record whose sealed copy is intact: each field from what to what. */
  changes: z.array(z.object({ field: z.string(), before: z.string(), after: z.string() })),
  /** The whole of it in one sentence for people (学员张三 · 课程… · 考勤记录 签退…：封档后被修改，…). */
  description: z.string(),
});

export const ArchiveVerifySchema = z.object({
  classId: z.string(),
  code: z.string(),
  ok: z.boolean(),
  sealedAt: z.string().nullable(),
  /** The root stored in class_seal, the root its leaves give, and the root the audit log entry names. */
  root: z.string().nullable(),
  manifestRoot: z.string().nullable(),
  auditRoot: z.string().nullable(),
  auditSeq: z.string().nullable(),
  /** The signed audit checkpoint whose history includes the seal's entry (null: not checkpointed yet). */
  anchoredBy: z.object({ seq: z.string(), at: z.string() }).nullable(),
  /** The root of the records as they are now (equals the sealed root when nothing changed). */
  currentRoot: z.string(),
  leaves: z.number(),
  records: z.number(),
  changed: z.array(ArchiveRecordRefSchema),
  added: z.array(ArchiveRecordRefSchema),
  removed: z.array(ArchiveRecordRefSchema),
  problems: z.array(z.object({ code: z.string(), message: z.string() })),
});
export type ArchiveVerifyResult = z.infer<typeof ArchiveVerifySchema>;
