import { randomBytes } from 'node:crypto';
import { idsForRefs } from '../bundle/bundle.service.js';
import { addWorkingDays, beijingWallTime } from '../catalog/calendar.js';
import { exams } from '../catalog/figures.js';
import { findOperationItem } from '../catalog/operations.js';
import { practicalStandard } from '../catalog/practical.js';
import { issueCertificate } from '../modules/certificates/certificates.service.js';
import * as examService from '../modules/exams/exams.service.js';
import type { PaperQuestion } from '../modules/exams/exams.table.js';
import { encodeJpeg, type RgbImage } from '../modules/faces/face-engine.js';
import { enrollFace } from '../modules/faces/faces.service.js';
import { sampleFace } from '../modules/faces/faces.test-images.js';
import { adjust } from '../modules/faces/image-ops.js';
import type { Actor } from '../platform/auth/actor.js';
import { actorOfUser, createUser } from '../platform/auth/auth.service.js';
import { type Executor, transaction } from '../platform/db/database.js';
import { DomainError } from '../platform/errors.js';
import type { DemoTimeline } from './demo-timeline.js';

/** The day the demo examiners' certificates were issued, on the reference calendar (moved to the anchor). */
const EXAMINER_CERTIFIED_ON = '2024-03-15';

type DemoUser = { userId: string; organizationId: string | null; displayName: string };

/**
 * The exam authority's demo account certifies every examiner of the city for the items they examine
 * (RULES.md §D: examiners hold the item's certificate), so a demo session can be planned with them
 * and the examiners show up in the public check.
 */
export async function certifyDemoExaminers(
  db: Executor,
  authority: DemoUser | undefined,
  timeline: DemoTimeline,
): Promise<number> {
  const issuedOn = timeline.shift(EXAMINER_CERTIFIED_ON);
  if (!authority?.organizationId) return 0;
  const actor = await actorOfUser(db, authority.userId);
  if (!actor?.regionCode) return 0;
  const examiners = await db
    .selectFrom('staffAssignment')
    .select(['personId', 'operationItems'])
    .where('duty', '=', 'examiner')
    .where('endDate', 'is', null)
    .where('regionCode', 'like', `${actor.regionCode}%`)
    .orderBy('personId')
    .execute();
  const done = new Set<string>();
  for (const e of examiners) {
    for (const item of e.operationItems) {
      const key = `${e.personId}/${item}`;
      if (done.has(key) || findOperationItem(item)?.status !== 'active') continue;
      done.add(key);
      await issueCertificate(
        db,
        actor,
        { kind: 'special_operation', personId: e.personId, operationItemCode: item, issuedOn },
        { now: beijingWallTime(issuedOn, '10:00') },
      );
    }
  }
  return done.size;
}

/** The demo blueprint: judge 20 × 2 + single 20 × 2 + multiple 5 × 4 = the catalog's full marks. */
export const demoBlueprintParts = [
  { kind: 'judge', knowledgePoint: null, count: 20, pointsEach: 2 },
  { kind: 'single', knowledgePoint: null, count: 20, pointsEach: 2 },
  { kind: 'multiple', knowledgePoint: null, count: 5, pointsEach: 4 },
] as const;

const bj = beijingWallTime;
const plusMinutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);

/**
 * The demo's past exam session (last month), run through the real services on the dates it happened:
 * the model school's finished 高压电工 class (泰山) sits the exam at 泰山考点 with the demo site's
 * invigilator and examiner. The school registers its trainees (eligibility judged on the recorded
 * ledger), the authority enrols their faces and the invigilator checks them at the desk, each takes
 * their own random paper, the examiner scores the practical subjects one candidate at a time, the
 * authority publishes the results and certifies the passes. One trainee does not come (absent), one fails the theory (may
 * retake once). Candidates get their own accounts (random passwords, not listed) because a theory
 * exam is taken by the candidate in person.
 */
export const DEMO_SESSION = {
  classRef: 'class:taishan:A',
  itemCode: '1.1',
  room: '第一考场',
  absentees: 1,
} as const;
/** Next week's session of the same item: the absent candidate and the one who failed sit it (补考). */
export const DEMO_NEXT_SESSION = { room: '第二考场', capacity: 40 } as const;
/**
 * Wrong answers per candidate, in the order of the class list (the first questions of a paper are
 * the 2-point judge questions): 0–9 wrong pass, the sixth candidate's 14 wrong (72 points) fail.
 */
const WRONG_ANSWERS = [1, 3, 0, 2, 5, 14, 2, 1, 4, 0, 3, 2];

export async function runDemoExamSession(
  db: Executor,
  users: Map<string, DemoUser>,
  timeline: DemoTimeline,
): Promise<{ registered: number; certified: number; nextWeek: number }> {
  const day = timeline.pastExam.day;
  const authority = await actorOfUser(db, users.get('exam')!.userId);
  const school = await actorOfUser(db, users.get('school2')!.userId);
  const invigilator = await actorOfUser(db, users.get('invigilator')!.userId);
  const examiner = await actorOfUser(db, users.get('examiner')!.userId);
  if (
    !authority ||
    !school ||
    !invigilator?.personId ||
    !examiner?.personId ||
    !invigilator.organizationId
  )
    throw new Error('demo exam accounts missing');

  const classId = (await idsForRefs(db, 'classes', [DEMO_SESSION.classRef])).get(
    DEMO_SESSION.classRef,
  );
  if (!classId) throw new Error(`demo class ${DEMO_SESSION.classRef} missing`);
  const cls = await db
    .selectFrom('trainingClass')
    .select(['id', 'endDate'])
    .where('id', '=', classId)
    .executeTakeFirstOrThrow();
  const trainees = await db
    .selectFrom('classTrainee as t')
    .innerJoin('person as p', 'p.id', 't.personId')
    .select(['p.id', 'p.name', 'p.idNumber'])
    .where('t.classId', '=', cls.id)
    .orderBy('p.idNumber')
    .execute();

  const blueprint = await examService.createBlueprint(db, authority, {
    itemCode: DEMO_SESSION.itemCode,
    name: '高压电工作业理论考试（判断20·单选20·多选5）',
    parts: demoBlueprintParts.map((p) => ({ ...p })),
  });
  const itemName = findOperationItem(DEMO_SESSION.itemCode)?.name ?? DEMO_SESSION.itemCode;
  const plan = await examService.createPlan(db, authority, {
    certificateKind: 'special_operation',
    itemCode: DEMO_SESSION.itemCode,
    name: `${monthName(day)}${itemName}考试`,
    blueprintId: blueprint.id,
  });
  const startsAt = bj(day, '08:30');
  const endsAt = bj(day, '12:00');
  const planned = await examService.createSession(
    db,
    authority,
    plan.id,
    {
      siteId: invigilator.organizationId,
      room: DEMO_SESSION.room,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      capacity: 40,
      invigilatorIds: [invigilator.personId],
      examinerIds: [examiner.personId],
    },
    bj(addWorkingDays(cls.endDate, 1), '09:00'),
  );
  const sessionId = planned.sessions[0].id;

  // The school registers its trainees after the class ends; the authority takes their photos (报名审核).
  const registrations: { id: string; face: RgbImage; actor: Actor }[] = [];
  let tile = 0;
  for (const [i, person] of trainees.entries()) {
    const at = plusMinutes(bj(addWorkingDays(cls.endDate, 2), '09:00'), i * 3);
    const id = await examService.register(
      db,
      school,
      plan.id,
      { personId: person.id, sessionId },
      at,
    );
    let face: RgbImage;
    for (;;) {
      face = sampleFace(1 + Math.floor(tile / 18), tile % 18);
      tile++;
      try {
        await enrollFace(
          db,
          authority,
          person.id,
          Buffer.from(encodeJpeg(face, 90)).toString('base64'),
        );
        break;
      } catch (e) {
        // A sample tile the detector cannot use (no face, two faces): take the next one.
        if (!(e instanceof DomainError) || tile >= 5 * 18) throw e;
      }
    }
    const userId = await transaction(db, (trx) =>
      createUser(trx, 'system:demo', {
        username: person.idNumber,
        password: randomBytes(18).toString('base64url'),
        displayName: person.name,
        roles: ['worker'],
        personId: person.id,
      }),
    );
    const actor = await actorOfUser(db, userId);
    if (!actor) throw new Error(`demo candidate ${person.idNumber} has no account`);
    registrations.push({ id, face, actor });
  }

  // Exam day: check-in at the desk (the last trainee does not come), the theory exam, the practical.
  const present = registrations.slice(0, registrations.length - DEMO_SESSION.absentees);
  for (const [i, r] of present.entries()) {
    const frame = adjust(r.face, 1.08, 6);
    const at = plusMinutes(startsAt, i);
    const result = await examService.checkIn(
      db,
      invigilator,
      r.id,
      Buffer.from(encodeJpeg(frame, 85)).toString('base64'),
      at,
    );
    if (!result.checkedIn)
      await examService.overrideCheckIn(
        db,
        invigilator,
        r.id,
        '现场核对身份证原件与本人一致（光线原因比对分数偏低）',
        plusMinutes(at, 1),
      );
  }
  for (const [i, r] of present.entries()) {
    const opened = plusMinutes(startsAt, 15 + (i % 3));
    const attempt = await examService.startTheory(db, r.actor, r.id, opened);
    const { paper } = await db
      .selectFrom('theoryAttempt')
      .select('paper')
      .where('id', '=', attempt.id)
      .executeTakeFirstOrThrow();
    const wrong = WRONG_ANSWERS[i % WRONG_ANSWERS.length];
    for (const [position, q] of (paper as PaperQuestion[]).entries()) {
      const choice = position < wrong ? wrongChoice(q) : q.answer;
      await examService.saveAnswer(
        db,
        r.actor,
        attempt.id,
        position,
        { clientToken: attempt.clientToken, choice },
        plusMinutes(opened, 1 + position * 1.5),
      );
    }
    await examService.submitAttempt(
      db,
      r.actor,
      attempt.id,
      attempt.clientToken,
      plusMinutes(opened, 75 + i),
    );
  }
  const standard = practicalStandard(DEMO_SESSION.itemCode);
  let clock = plusMinutes(startsAt, 110);
  const theoryPassed = new Set(
    (
      await db
        .selectFrom('examRegistration')
        .select('id')
        .where('sessionId', '=', sessionId)
        .where('theoryScore', '>=', String(exams.passMark.value))
        .execute()
    ).map((r) => r.id),
  );
  for (const [i, r] of present.entries()) {
    // Only a theory pass goes on to the practical (the service refuses the rest).
    if (!theoryPassed.has(r.id)) continue;
    for (const [k, subject] of (standard?.subjects ?? []).entries()) {
      await examService.startPracticalSubject(db, examiner, r.id, subject.code, clock);
      clock = plusMinutes(clock, 0.5);
      // Most candidates lose a point or two here and there; nobody trips a veto item.
      const points = subject.weight - ((i + k) % 3 === 0 ? 2 : (i + k) % 4 === 0 ? 1 : 0);
      await examService.scorePracticalSubject(
        db,
        examiner,
        r.id,
        subject.code,
        { points, vetoItem: null },
        clock,
      );
      clock = plusMinutes(clock, 0.2);
    }
  }

  // Results two working days later; certificates the day after.
  await examService.publishResults(
    db,
    authority,
    sessionId,
    bj(timeline.pastExam.resultsDay, '10:00'),
  );
  const passed = await db
    .selectFrom('examRegistration')
    .select('id')
    .where('sessionId', '=', sessionId)
    .where('result', '=', 'pass')
    .orderBy('checkedInAt')
    .execute();
  for (const [i, r] of passed.entries()) {
    await examService.certifyResult(
      db,
      authority,
      r.id,
      plusMinutes(bj(timeline.pastExam.certifiedDay, '09:00'), i),
    );
  }
  const certified = passed.length;

  // Next week: a new session of the same item; yesterday the school registered the two who did not
  // pass (the absent one and the theory fail, each with one more sitting allowed).
  const next = timeline.nextExam;
  const registeredAt = bj(next.registeredDay, '15:00');
  const nextPlan = await examService.createPlan(db, authority, {
    certificateKind: 'special_operation',
    itemCode: DEMO_SESSION.itemCode,
    name: `${monthName(next.day)}${itemName}考试（补考）`,
    blueprintId: blueprint.id,
  });
  const nextSession = await examService.createSession(
    db,
    authority,
    nextPlan.id,
    {
      siteId: invigilator.organizationId,
      room: DEMO_NEXT_SESSION.room,
      startsAt: bj(next.day, '08:30').toISOString(),
      endsAt: bj(next.day, '12:00').toISOString(),
      capacity: DEMO_NEXT_SESSION.capacity,
      invigilatorIds: [invigilator.personId],
      examinerIds: [examiner.personId],
    },
    registeredAt,
  );
  const notPassed = await db
    .selectFrom('examRegistration')
    .select('personId')
    .where('sessionId', '=', sessionId)
    .where('result', 'in', ['fail', 'absent'])
    .orderBy('personId')
    .execute();
  for (const [i, r] of notPassed.entries())
    await examService.register(
      db,
      school,
      nextPlan.id,
      { personId: r.personId, sessionId: nextSession.sessions[0].id },
      plusMinutes(bj(next.registeredDay, '16:00'), i * 5),
    );
  return { registered: registrations.length, certified, nextWeek: notPassed.length };
}

/** "2026年11月" */
const monthName = (day: string) => `${day.slice(0, 4)}年${Number(day.slice(5, 7))}月`;

function wrongChoice(q: PaperQuestion): number[] {
  const wrongOption = q.options.findIndex((_, k) => !q.answer.includes(k));
  return q.kind === 'multiple' ? [q.answer[0]] : [wrongOption];
}
