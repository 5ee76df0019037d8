import { sql } from 'kysely';
import { policyValues } from '../../catalog/policy.js';
import { type Actor, hasRole } from '../../platform/auth/actor.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { verifyFace } from '../faces/faces.service.js';
import { policyInForce } from '../policy/policy.service.js';
import { assertInstitutionOf, assertOpen, findVisibleClass } from './classes.access.js';
import { chinaDay } from './classes.rules.js';
import { floorHours } from './ledger.js';
import { faceCheckDue, judgeHeartbeat } from './online.rules.js';

async function classFigures(db: Executor, cls: { regionCode: string; startDate: string }) {
  return policyValues(await policyInForce(db, cls.regionCode, cls.startDate));
}

export async function addCourse(db: Executor, actor: Actor, classId: string, input: { title: string; mediaKind: 'video' | 'document'; mediaUrl: string; durationSeconds: number }, requestId?: string) {
  const cls = await findVisibleClass(db, actor, classId);
  assertInstitutionOf(actor, cls);
  assertOpen(cls);
  return transaction(db, async (trx) => {
    const row = await trx.insertInto('onlineCourse').values({ classId: cls.id, organizationId: cls.organizationId, regionCode: cls.regionCode, ...input }).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'online.course.add', entityType: 'online_course', entityId: row.id, regionCode: cls.regionCode, after: row, requestId });
    return row;
  });
}

export async function listCourses(db: Executor, actor: Actor, classId: string) {
  const cls = await findVisibleClass(db, actor, classId);
  return db.selectFrom('onlineCourse').select(['id', 'classId', 'title', 'mediaKind', 'mediaUrl', 'durationSeconds']).where('classId', '=', cls.id).orderBy('createdAt').execute();
}

function requireWorker(actor: Actor): string {
  if (!actor.personId || !hasRole(actor, 'worker')) throw forbidden('只有学员本人可以在线学习');
  return actor.personId;
}

async function verifiedMinutesOf(db: Executor, classId: string, personId: string): Promise<number> {
  const row = await sql<{ minutes: number }>`
    select coalesce((select sum(extract(epoch from upper(x) - lower(x))) from unnest(range_agg(tstzrange(starts_at, ends_at))) x), 0)::float8 / 60 as minutes
    from online_segment where class_id = ${classId}::uuid and person_id = ${personId}::uuid and verified`.execute(db);
  return row.rows[0]?.minutes ?? 0;
}

/** A worker's online courses: those of the open classes they are on the roster of. */
export async function myCourses(db: Executor, actor: Actor) {
  const personId = requireWorker(actor);
  const rows = await db
    .selectFrom('onlineCourse as c')
    .innerJoin('trainingClass as k', 'k.id', 'c.classId')
    .innerJoin('classTrainee as ct', (j) => j.onRef('ct.classId', '=', 'k.id').on('ct.personId', '=', personId))
    .select(['c.id', 'c.classId', 'c.title', 'c.mediaKind', 'c.mediaUrl', 'c.durationSeconds', 'k.code as classCode', 'k.name as className', 'k.regionCode', 'k.startDate'])
    .where('k.status', '=', 'open')
    .orderBy('k.startDate', 'desc')
    .execute();
  const out = [];
  for (const r of rows) {
    const figures = await classFigures(db, r);
    const minutes = await verifiedMinutesOf(db, r.classId, personId);
    const last = await db.selectFrom('onlineSession').select('positionSeconds').where('courseId', '=', r.id).where('personId', '=', personId).orderBy('lastSeenAt', 'desc').executeTakeFirst();
    out.push({
      id: r.id,
      classId: r.classId,
      title: r.title,
      mediaKind: r.mediaKind,
      mediaUrl: r.mediaUrl,
      durationSeconds: r.durationSeconds,
      classCode: r.classCode,
      className: r.className,
      verifiedMinutes: Math.round(minutes * 100) / 100,
      hours: floorHours(minutes / figures.onlineMinutesPerHour),
      onlineMinutesPerHour: figures.onlineMinutesPerHour,
      faceCheckIntervalMinutes: figures.faceCheckIntervalMinutes,
      positionSeconds: last?.positionSeconds ?? 0,
    });
  }
  return out;
}

/** Starts learning a course; one active session per person (a new one supersedes the old). */
export async function startSession(db: Executor, actor: Actor, courseId: string, now: Date, requestId?: string) {
  const personId = requireWorker(actor);
  const course = await db.selectFrom('onlineCourse').selectAll().where('id', '=', courseId).executeTakeFirst();
  if (!course) throw notFound('课程');
  const cls = await findVisibleClass(db, actor, course.classId).catch(() => {
    throw notFound('课程');
  });
  assertOpen(cls);
  const today = chinaDay(now);
  if (today < cls.startDate || today > cls.endDate) throw new DomainError('rule_violation', `不在培训期间（${cls.startDate} 至 ${cls.endDate}）`, [{ path: 'body.courseId', message: '不在培训期间', code: 'outside_class_dates' }]);
  const figures = await classFigures(db, cls);
  return transaction(db, async (trx) => {
    await trx.updateTable('onlineSession').set({ endedAt: now, endReason: 'superseded' }).where('personId', '=', personId).where('endedAt', 'is', null).execute();
    const last = await trx.selectFrom('onlineSession').select('positionSeconds').where('courseId', '=', course.id).where('personId', '=', personId).orderBy('lastSeenAt', 'desc').executeTakeFirst();
    const row = await trx
      .insertInto('onlineSession')
      .values({ classId: cls.id, courseId: course.id, personId, organizationId: cls.organizationId, regionCode: cls.regionCode, startedAt: now, lastSeenAt: now, positionSeconds: last?.positionSeconds ?? 0 })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actor, action: 'online.session.start', entityType: 'online_session', entityId: row.id, regionCode: cls.regionCode, after: { courseId: course.id }, requestId, at: now });
    return { id: row.id, courseId: course.id, positionSeconds: row.positionSeconds, faceCheckIntervalMinutes: figures.faceCheckIntervalMinutes, checkRequired: true };
  });
}

async function ownActiveSession(db: Executor, actor: Actor, sessionId: string) {
  const personId = requireWorker(actor);
  const session = await db.selectFrom('onlineSession').selectAll().where('id', '=', sessionId).where('personId', '=', personId).executeTakeFirst();
  if (!session) throw notFound('学习会话');
  if (session.endedAt) {
    const why = session.endReason === 'superseded' ? '已在其他设备开始学习，本会话已结束' : '本会话已结束';
    throw new DomainError('conflict', why, [{ path: 'params.id', message: why, code: `session_${session.endReason ?? 'ended'}` }]);
  }
  const cls = await db.selectFrom('trainingClass').selectAll().where('id', '=', session.classId).executeTakeFirstOrThrow();
  return { session, cls, personId };
}

/**
 * A face check during learning, through the faces module. A failed check means someone else may have
 * been watching: every segment since the last passing check stops counting.
 */
export async function sessionFaceCheck(db: Executor, actor: Actor, sessionId: string, image: string, now: Date, requestId?: string) {
  const { session, cls, personId } = await ownActiveSession(db, actor, sessionId);
  const figures = await classFigures(db, cls);
  const result = await verifyFace(db, actor, personId, image, 'online_learning', { now, requestId });
  const passed = result.decision === 'match';
  return transaction(db, async (trx) => {
    await trx.insertInto('onlineFaceCheck').values({ sessionId: session.id, personId, checkedAt: now, passed, decision: result.decision, score: result.score, faceVerificationId: result.verificationId ?? null }).execute();
    let invalidated = 0;
    if (passed) {
      await trx.updateTable('onlineSession').set({ lastPassedCheckAt: now }).where('id', '=', session.id).execute();
    } else {
      const since = session.lastPassedCheckAt ?? session.startedAt;
      const res = await trx.updateTable('onlineSegment').set({ verified: false, reason: 'face_check_failed' }).where('sessionId', '=', session.id).where('verified', '=', true).where('endsAt', '>', since).executeTakeFirst();
      invalidated = Number(res.numUpdatedRows);
      await trx.updateTable('onlineSession').set({ lastPassedCheckAt: null }).where('id', '=', session.id).execute();
    }
    await recordAudit(trx, { actor, action: 'online.face_check', entityType: 'online_session', entityId: session.id, regionCode: cls.regionCode, after: { decision: result.decision, score: result.score, invalidated }, requestId, at: now });
    return {
      decision: result.decision,
      passed,
      message: result.message,
      score: result.score,
      nextCheckDueAt: passed ? new Date(now.getTime() + figures.faceCheckIntervalMinutes * 60_000).toISOString() : null,
      invalidatedSegments: invalidated,
    };
  });
}

/**
 * A heartbeat from the player: the server decides (online.rules.ts) whether the elapsed time counts.
 * Heartbeats are not audit entries (two a minute per learner would serialize the whole province on
 * the audit chain); the segments they write are the evidence, sealed with the class archive.
 */
export async function heartbeat(db: Executor, actor: Actor, sessionId: string, report: { positionSeconds: number; playing: boolean }, now: Date) {
  const { session, cls, personId } = await ownActiveSession(db, actor, sessionId);
  const figures = await classFigures(db, cls);
  const course = await db.selectFrom('onlineCourse').select('durationSeconds').where('id', '=', session.courseId).executeTakeFirstOrThrow();
  const j = judgeHeartbeat({ lastSeenAt: session.lastSeenAt, positionSeconds: session.positionSeconds, lastPassedCheckAt: session.lastPassedCheckAt, durationSeconds: course.durationSeconds }, now, report, figures.faceCheckIntervalMinutes);
  await transaction(db, async (trx) => {
    if (j.segment) {
      await trx
        .insertInto('onlineSegment')
        .values({ sessionId: session.id, classId: cls.id, personId, regionCode: cls.regionCode, ...j.segment })
        .execute();
    }
    await trx
      .updateTable('onlineSession')
      .set({ lastSeenAt: now, positionSeconds: j.positionSeconds, ...(j.lock ? { lastPassedCheckAt: null } : {}) })
      .where('id', '=', session.id)
      .execute();
  });
  return {
    verifiedMinutes: Math.round((await verifiedMinutesOf(db, cls.id, personId)) * 100) / 100,
    checkRequired: j.checkRequired || faceCheckDue(j.lock ? null : session.lastPassedCheckAt, now, figures.faceCheckIntervalMinutes),
    locked: j.lock,
    positionSeconds: j.positionSeconds,
    counted: j.segment?.verified ?? false,
    reason: j.segment?.reason ?? null,
  };
}

export async function endSession(db: Executor, actor: Actor, sessionId: string, now: Date, requestId?: string) {
  const { session, cls } = await ownActiveSession(db, actor, sessionId);
  await transaction(db, async (trx) => {
    await trx.updateTable('onlineSession').set({ endedAt: now, endReason: 'ended' }).where('id', '=', session.id).execute();
    await recordAudit(trx, { actor, action: 'online.session.end', entityType: 'online_session', entityId: session.id, regionCode: cls.regionCode, requestId, at: now });
  });
  return { ended: true };
}
