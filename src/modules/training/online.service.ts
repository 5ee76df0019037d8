import { sql, type Transaction } from 'kysely';
import { beijingDay } from '../../catalog/calendar.js';
import { policyValues } from '../../catalog/policy.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, hasRole } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { verifyFace } from '../faces/faces.service.js';
import { policyInForce } from '../policy/policy.service.js';
import { assertInstitutionOf, assertOpen, findVisibleClass } from './classes.access.js';
import { floorHours } from './ledger.js';
import { heartbeatSummary, judgeHeartbeat } from './online.rules.js';

type Trx = Transaction<Database>;

async function classFigures(db: Executor, cls: { regionCode: string; startDate: string }) {
  return policyValues(await policyInForce(db, cls.regionCode, cls.startDate));
}

/** Minutes shown to the learner: floored like the hours, so the screen never shows more than was earned. */
const floorMinutes = (m: number) => Math.floor(m * 100 + 1e-9) / 100;

export async function addCourse(
  db: Executor,
  actor: Actor,
  classId: string,
  input: {
    title: string;
    mediaKind: 'video' | 'document';
    mediaUrl: string;
    durationSeconds: number;
    claimedHours?: number;
  },
  requestId?: string,
) {
  const cls = await findVisibleClass(db, actor, classId);
  assertInstitutionOf(actor, cls);
  assertOpen(cls);
  return transaction(db, async (trx) => {
    const row = await trx
      .insertInto('onlineCourse')
      .values({
        classId: cls.id,
        organizationId: cls.organizationId,
        regionCode: cls.regionCode,
        ...input,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'online.course.add',
      entityType: 'online_course',
      entityId: row.id,
      regionCode: cls.regionCode,
      after: row,
      requestId,
    });
    return row;
  });
}

export async function listCourses(db: Executor, actor: Actor, classId: string) {
  const cls = await findVisibleClass(db, actor, classId);
  return db
    .selectFrom('onlineCourse')
    .select(['id', 'classId', 'title', 'mediaKind', 'mediaUrl', 'durationSeconds'])
    .where('classId', '=', cls.id)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

function requireWorker(actor: Actor): string {
  if (!actor.personId || !hasRole(actor, 'worker')) throw forbidden('只有学员本人可以在线学习');
  return actor.personId;
}

/**
 * Verified minutes of a person, grouped by class or by course: the union of their verified segments
 * (segments of one person never overlap, the union only makes sure nothing is counted twice).
 */
async function verifiedMinutesBy(
  db: Executor,
  personId: string,
  by: 'class' | 'course',
  classIds: string[],
): Promise<Map<string, number>> {
  if (classIds.length === 0) return new Map();
  const key = by === 'class' ? sql`s.class_id` : sql`o.course_id`;
  const { rows } = await sql<{ key: string; minutes: number }>`
    select g.key, coalesce((select sum(extract(epoch from upper(x) - lower(x))) from unnest(g.m) x), 0)::float8 / 60 as minutes
    from (
      select ${key} as key, range_agg(tstzrange(s.starts_at, s.ends_at)) as m
      from online_segment s join online_session o on o.id = s.session_id
      where s.person_id = ${personId}::uuid and s.verified and s.class_id = any(${classIds}::uuid[])
      group by ${key}
    ) g`.execute(db);
  return new Map(rows.map((r) => [r.key, Number(r.minutes)]));
}

async function classVerifiedMinutes(
  db: Executor,
  classId: string,
  personId: string,
): Promise<number> {
  return (await verifiedMinutesBy(db, personId, 'class', [classId])).get(classId) ?? 0;
}

/** The last position of the person in a course (any session, ended or not): where learning resumes. */
function lastPosition(db: Executor, courseId: string, personId: string) {
  return db
    .selectFrom('onlineSession')
    .select('positionSeconds')
    .where('courseId', '=', courseId)
    .where('personId', '=', personId)
    .orderBy('lastSeenAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** A worker's online courses: those of the open classes they are on the roster of, with what they have earned. */
export async function myCourses(db: Executor, actor: Actor) {
  const personId = requireWorker(actor);
  const rows = await db
    .selectFrom('onlineCourse as c')
    .innerJoin('trainingClass as k', 'k.id', 'c.classId')
    .innerJoin('classTrainee as ct', (j) =>
      j.onRef('ct.classId', '=', 'k.id').on('ct.personId', '=', personId),
    )
    .select([
      'c.id',
      'c.classId',
      'c.title',
      'c.mediaKind',
      'c.mediaUrl',
      'c.durationSeconds',
      'k.code as classCode',
      'k.name as className',
      'k.regionCode',
      'k.startDate',
    ])
    .where('k.status', '=', 'open')
    .orderBy('k.startDate', 'desc')
    .orderBy('c.createdAt')
    .orderBy('c.id')
    .execute();
  const classIds = [...new Set(rows.map((r) => r.classId))];
  const byClass = await verifiedMinutesBy(db, personId, 'class', classIds);
  const byCourse = await verifiedMinutesBy(db, personId, 'course', classIds);
  const figuresOf = new Map<string, Awaited<ReturnType<typeof classFigures>>>();
  const out = [];
  for (const r of rows) {
    let figures = figuresOf.get(r.classId);
    if (!figures) {
      figures = await classFigures(db, r);
      figuresOf.set(r.classId, figures);
    }
    const minutes = byCourse.get(r.id) ?? 0;
    const classMinutes = byClass.get(r.classId) ?? 0;
    out.push({
      id: r.id,
      classId: r.classId,
      title: r.title,
      mediaKind: r.mediaKind,
      mediaUrl: r.mediaUrl,
      durationSeconds: r.durationSeconds,
      classCode: r.classCode,
      className: r.className,
      verifiedMinutes: floorMinutes(minutes),
      hours: floorHours(minutes / figures.onlineMinutesPerHour),
      classVerifiedMinutes: floorMinutes(classMinutes),
      classHours: floorHours(classMinutes / figures.onlineMinutesPerHour),
      onlineMinutesPerHour: figures.onlineMinutesPerHour,
      faceCheckIntervalMinutes: figures.faceCheckIntervalMinutes,
      positionSeconds: (await lastPosition(db, r.id, personId))?.positionSeconds ?? 0,
    });
  }
  return out;
}

function assertWithinClassDates(
  cls: { startDate: string; endDate: string },
  now: Date,
  path: string,
): void {
  const today = beijingDay(now);
  if (today < cls.startDate || today > cls.endDate) {
    throw new DomainError(
      'rule_violation',
      `不在培训期间（${cls.startDate} 至 ${cls.endDate}），在线学习不计学时`,
      [{ path, message: '不在培训期间', code: 'outside_class_dates' }],
    );
  }
}

/**
 * Starts learning a course. One active session per person: a new one (another tab, another device)
 * ends the older one as 'superseded'. Nothing counts until the first passing face check.
 */
export async function startSession(
  db: Executor,
  actor: Actor,
  courseId: string,
  now: Date,
  requestId?: string,
) {
  const personId = requireWorker(actor);
  const course = await db
    .selectFrom('onlineCourse')
    .selectAll()
    .where('id', '=', courseId)
    .executeTakeFirst();
  if (!course) throw notFound('课程');
  // A worker sees a class only if they are on its roster: anyone else gets the same 404 as a missing course.
  const cls = await findVisibleClass(db, actor, course.classId).catch(() => {
    throw notFound('课程');
  });
  assertOpen(cls);
  assertWithinClassDates(cls, now, 'body.courseId');
  const figures = await classFigures(db, cls);
  return transaction(db, async (trx) => {
    const older = await trx
      .updateTable('onlineSession')
      .set({ endedAt: now, endReason: 'superseded' })
      .where('personId', '=', personId)
      .where('endedAt', 'is', null)
      .returning(['id', 'regionCode'])
      .execute();
    const last = await lastPosition(trx, course.id, personId);
    const row = await trx
      .insertInto('onlineSession')
      .values({
        classId: cls.id,
        courseId: course.id,
        personId,
        organizationId: cls.organizationId,
        regionCode: cls.regionCode,
        startedAt: now,
        lastSeenAt: now,
        positionSeconds: last?.positionSeconds ?? 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'online.session.start',
      entityType: 'online_session',
      entityId: row.id,
      regionCode: cls.regionCode,
      after: {
        courseId: course.id,
        positionSeconds: row.positionSeconds,
        superseded: older.map((o) => o.id),
      },
      requestId,
      at: now,
    });
    return {
      id: row.id,
      courseId: course.id,
      positionSeconds: row.positionSeconds,
      faceCheckIntervalMinutes: figures.faceCheckIntervalMinutes,
      checkRequired: true,
    };
  });
}

/**
 * The caller's own session, still active, with its class (open). Inside a transaction the session row
 * is locked: heartbeats, checks and the end of one session are applied one at a time, so a heartbeat
 * judged on a passing check can never land after a failed check has voided the minutes.
 */
async function activeSession(db: Executor, personId: string, sessionId: string, lock: boolean) {
  let q = db
    .selectFrom('onlineSession')
    .selectAll()
    .where('id', '=', sessionId)
    .where('personId', '=', personId);
  if (lock) q = q.forUpdate();
  const session = await q.executeTakeFirst();
  // Someone else's session is simply not found.
  if (!session) throw notFound('学习会话');
  if (session.endedAt) {
    const why =
      session.endReason === 'superseded'
        ? '已在其他页面或设备开始学习，本会话已结束'
        : '本会话已结束，请重新开始学习';
    throw new DomainError('conflict', why, [
      { path: 'params.id', message: why, code: `session_${session.endReason ?? 'ended'}` },
    ]);
  }
  const cls = await db
    .selectFrom('trainingClass')
    .selectAll()
    .where('id', '=', session.classId)
    .executeTakeFirstOrThrow();
  assertOpen(cls);
  return { session, cls };
}

/**
 * A face check during learning, through the faces module (real models; the worker verifies only
 * themselves). A check that fails — someone else, a suspected replay, or no usable face — means
 * someone else may have been watching: every segment since the last passing check of this session
 * stops counting, and nothing counts again until a check passes.
 */
export async function sessionFaceCheck(
  db: Executor,
  actor: Actor,
  sessionId: string,
  image: string,
  now: Date,
  requestId?: string,
) {
  const personId = requireWorker(actor);
  const before = await activeSession(db, personId, sessionId, false);
  const figures = await classFigures(db, before.cls);
  // Outside the transaction: the models take ~150 ms and verifyFace writes its own verification row.
  const result = await verifyFace(db, actor, personId, image, 'online_learning', {
    now,
    requestId,
  });
  const passed = result.decision === 'match';
  return transaction(db, async (trx) => {
    const { session, cls } = await activeSession(trx, personId, sessionId, true);
    const lastPass = await lastPassedCheck(trx, session.id);
    await trx
      .insertInto('onlineFaceCheck')
      .values({
        sessionId: session.id,
        personId,
        checkedAt: now,
        passed,
        decision: result.decision,
        score: result.score,
        faceVerificationId: result.verificationId ?? null,
      })
      .execute();
    let voided = { segments: 0, minutes: 0 };
    if (passed) {
      await trx
        .updateTable('onlineSession')
        .set({ lastPassedCheckAt: now })
        .where('id', '=', session.id)
        .execute();
    } else {
      voided = await voidSince(trx, session.id, lastPass);
      await trx
        .updateTable('onlineSession')
        .set({ lastPassedCheckAt: null })
        .where('id', '=', session.id)
        .execute();
    }
    await recordAudit(trx, {
      actor,
      action: 'online.face_check',
      entityType: 'online_session',
      entityId: session.id,
      regionCode: cls.regionCode,
      after: {
        decision: result.decision,
        score: result.score,
        faceVerificationId: result.verificationId ?? null,
        invalidatedSegments: voided.segments,
        invalidatedMinutes: voided.minutes,
      },
      requestId,
      at: now,
    });
    return {
      decision: result.decision,
      passed,
      message: passed
        ? result.message
        : `${result.message}：上次核验通过以来的学习不计学时，请重新核验后继续`,
      score: result.score,
      nextCheckDueAt: passed
        ? new Date(now.getTime() + figures.faceCheckIntervalMinutes * 60_000).toISOString()
        : null,
      invalidatedSegments: voided.segments,
      invalidatedMinutes: floorMinutes(voided.minutes),
    };
  });
}

async function lastPassedCheck(trx: Trx, sessionId: string): Promise<Date | null> {
  const row = await trx
    .selectFrom('onlineFaceCheck')
    .select((eb) => eb.fn.max('checkedAt').as('at'))
    .where('sessionId', '=', sessionId)
    .where('passed', '=', true)
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : null;
}

/**
 * Voids the verified segments of a session since its last passing check (all of them if it never had
 * one — there are none then, since nothing is verified without a pass). Verified segments never start
 * before their check (online.rules.ts cuts them there), so "ends after the check" is exactly "since".
 */
async function voidSince(trx: Trx, sessionId: string, since: Date | null) {
  let q = trx
    .updateTable('onlineSegment')
    .set({ verified: false, reason: 'face_check_failed' })
    .where('sessionId', '=', sessionId)
    .where('verified', '=', true);
  if (since) q = q.where('endsAt', '>', since);
  const rows = await q.returning(['startsAt', 'endsAt']).execute();
  return {
    segments: rows.length,
    minutes: rows.reduce((n, r) => n + (r.endsAt.getTime() - r.startsAt.getTime()) / 60_000, 0),
  };
}

/**
 * A heartbeat from the player: the server judges (online.rules.ts) whether the time since the last
 * one counts, and writes it as segments, verified or not with the reason. Heartbeats are not audit
 * entries (two a minute per learner would serialize the province on the audit chain); the segments
 * are the evidence, sealed with the class archive. The rare lock (idle) is audited.
 */
export async function heartbeat(
  db: Executor,
  actor: Actor,
  sessionId: string,
  report: { positionSeconds: number; playing: boolean },
  now: Date,
  requestId?: string,
) {
  const personId = requireWorker(actor);
  return transaction(db, async (trx) => {
    const { session, cls } = await activeSession(trx, personId, sessionId, true);
    assertWithinClassDates(cls, now, 'params.id');
    const figures = await classFigures(trx, cls);
    const course = await trx
      .selectFrom('onlineCourse')
      .select('durationSeconds')
      .where('id', '=', session.courseId)
      .executeTakeFirstOrThrow();
    const j = judgeHeartbeat(
      {
        lastSeenAt: session.lastSeenAt,
        positionSeconds: session.positionSeconds,
        lastPassedCheckAt: session.lastPassedCheckAt,
        durationSeconds: course.durationSeconds,
      },
      now,
      report,
      figures.faceCheckIntervalMinutes,
    );
    if (j.segments.length > 0) {
      await trx
        .insertInto('onlineSegment')
        .values(
          j.segments.map((x) => ({
            sessionId: session.id,
            classId: cls.id,
            personId,
            regionCode: cls.regionCode,
            ...x,
          })),
        )
        .execute();
    }
    await trx
      .updateTable('onlineSession')
      .set({
        lastSeenAt: j.lastSeenAt,
        positionSeconds: j.positionSeconds,
        ...(j.lock ? { lastPassedCheckAt: null } : {}),
      })
      .where('id', '=', session.id)
      .execute();
    if (j.lock) {
      await recordAudit(trx, {
        actor,
        action: 'online.session.lock',
        entityType: 'online_session',
        entityId: session.id,
        regionCode: cls.regionCode,
        after: { reason: 'idle', lastSeenAt: session.lastSeenAt },
        requestId,
        at: now,
      });
    }
    const summary = heartbeatSummary(j);
    return {
      verifiedMinutes: floorMinutes(await classVerifiedMinutes(trx, cls.id, personId)),
      checkRequired: j.checkRequired,
      locked: j.lock,
      positionSeconds: j.positionSeconds,
      counted: summary.counted,
      reason: summary.reason,
      nextCheckDueAt: j.nextCheckDueAt?.toISOString() ?? null,
    };
  });
}

export async function endSession(
  db: Executor,
  actor: Actor,
  sessionId: string,
  now: Date,
  requestId?: string,
) {
  const personId = requireWorker(actor);
  await transaction(db, async (trx) => {
    const { session, cls } = await activeSession(trx, personId, sessionId, true);
    await trx
      .updateTable('onlineSession')
      .set({ endedAt: now, endReason: 'ended' })
      .where('id', '=', session.id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'online.session.end',
      entityType: 'online_session',
      entityId: session.id,
      regionCode: cls.regionCode,
      after: { positionSeconds: session.positionSeconds },
      requestId,
      at: now,
    });
  });
  return { ended: true };
}
