import { sql } from 'kysely';
import { beijingDay } from '../../catalog/calendar.js';
import { syllabusFor } from '../../catalog/figures.js';
import { type PolicyFigures, policyValues } from '../../catalog/policy.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, hasRole } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { policyInForce } from '../policy/policy.service.js';
import { syllabusInForce } from '../policy/syllabus.service.js';
import { maskIdNumber } from '../registry/identifiers.rules.js';
import {
  assertMayOpenClass,
  findOrCreatePerson,
  getPersonFile,
} from '../registry/registry.service.js';
import { assertInstitutionOf, assertOpen, findVisibleClass } from './classes.access.js';
import type { ClassCreate, ClassPhase, LessonCreate, rosterStatuses } from './classes.contract.js';
import { classVisible } from './classes.repository.js';
import {
  classPhase,
  kindMismatch,
  type LessonFacts,
  lessonFindings,
  lessonMode,
  type PlanFinding,
} from './classes.rules.js';
import type { ClassKind, LessonMode } from './classes.table.js';
import { computeLedger, ledgerEvidence, ledgerParamsFor } from './ledger.js';

type ClassRow = Awaited<ReturnType<typeof findVisibleClass>>;
type RosterStatus = (typeof rosterStatuses)[number];

async function classPolicy(db: Executor, cls: { regionCode: string; startDate: string }) {
  const resolved = await policyInForce(db, cls.regionCode, cls.startDate);
  return { resolved, figures: policyValues(resolved) };
}

function refuse(
  message: string,
  findings: { rule: string; message: string }[],
  path = 'body',
): DomainError {
  return new DomainError(
    'rule_violation',
    message,
    findings.map((f) => ({ path, message: f.message, code: f.rule })),
  );
}

// ——— classes ———

export async function listClasses(
  db: Executor,
  actor: Actor,
  q: {
    q?: string;
    status?: 'open' | 'closed';
    phase?: ClassPhase;
    organizationId?: string;
    page: number;
    pageSize: number;
  },
  now: Date = new Date(),
) {
  const today = beijingDay(now);
  let base = db
    .selectFrom('trainingClass')
    .innerJoin('organization as o', 'o.id', 'trainingClass.organizationId')
    .where((eb) => classVisible(eb, actor.scope));
  if (q.status) base = base.where('trainingClass.status', '=', q.status);
  if (q.phase === 'sealed') base = base.where('trainingClass.status', '=', 'closed');
  else if (q.phase) {
    base = base.where('trainingClass.status', '=', 'open');
    if (q.phase === 'upcoming') base = base.where('trainingClass.startDate', '>', today);
    if (q.phase === 'running')
      base = base
        .where('trainingClass.startDate', '<=', today)
        .where('trainingClass.endDate', '>=', today);
    if (q.phase === 'finished') base = base.where('trainingClass.endDate', '<', today);
  }
  if (q.organizationId) base = base.where('trainingClass.organizationId', '=', q.organizationId);
  if (q.q) {
    const like = `%${q.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or([
        eb('trainingClass.code', 'like', like),
        eb('trainingClass.name', 'like', like),
        eb('o.name', 'like', like),
      ]),
    );
  }
  const [items, total] = await Promise.all([
    base
      .select([
        'trainingClass.id',
        'trainingClass.code',
        'trainingClass.name',
        'trainingClass.organizationId',
        'o.name as organizationName',
        'trainingClass.regionCode',
        'trainingClass.operationItemCode',
        'trainingClass.kind',
        'trainingClass.startDate',
        'trainingClass.endDate',
        'trainingClass.status',
        (eb) =>
          eb
            .selectFrom('classTrainee')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('classTrainee.classId', '=', 'trainingClass.id')
            .as('traineeCount'),
        (eb) =>
          eb
            .selectFrom('lesson')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('lesson.classId', '=', 'trainingClass.id')
            .as('lessonCount'),
        (eb) =>
          eb
            .selectFrom('lesson')
            .select(sql<number>`coalesce(sum(jsonb_array_length(lesson.warnings)), 0)`.as('n'))
            .whereRef('lesson.classId', '=', 'trainingClass.id')
            .as('warningCount'),
      ])
      .orderBy('trainingClass.startDate', 'desc')
      .orderBy('trainingClass.code')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const visible = items.length
    ? await db
        .selectFrom('trainingClass')
        .selectAll()
        .where(
          'id',
          'in',
          items.map((i) => i.id),
        )
        .execute()
    : [];
  const findings = await reviewPlans(db, visible);
  const count = (id: string, severity: 'refuse' | 'warn') =>
    (findings.get(id) ?? []).filter((f) => f.severity === severity).length;
  return {
    items: items.map((i) => ({
      ...i,
      phase: classPhase(i, today),
      findingCounts: { refuse: count(i.id, 'refuse'), warn: count(i.id, 'warn') },
      traineeCount: Number(i.traineeCount ?? 0),
      lessonCount: Number(i.lessonCount ?? 0),
      warningCount: Number(i.warningCount ?? 0),
    })),
    total: Number(total.n),
  };
}

async function teacherOfInstitution(
  db: Executor,
  organizationId: string,
  personId: string,
  day: string,
) {
  return db
    .selectFrom('staffAssignment')
    .select(['practiceYears', 'operationItems', 'duty'])
    .where('organizationId', '=', organizationId)
    .where('personId', '=', personId)
    .where('duty', 'in', ['teacher', 'head_teacher'])
    .where('startDate', '<=', day)
    .where((eb) => eb.or([eb('endDate', 'is', null), eb('endDate', '>=', day)]))
    .orderBy('practiceYears', 'desc')
    .executeTakeFirst();
}

export async function createClass(
  db: Executor,
  actor: Actor,
  input: ClassCreate,
  requestId?: string,
  now = new Date(),
) {
  if (!hasRole(actor, 'training_institution') || !actor.organizationId)
    throw forbidden('只有培训机构可以开班');
  const organizationId = actor.organizationId;
  if (input.endDate < input.startDate)
    throw new DomainError('validation_failed', '结业日期早于开班日期', [
      { path: 'body.endDate', message: '结业日期早于开班日期' },
    ]);
  const catalogSyllabus = syllabusFor(input.operationItemCode, input.kind);
  if ('refused' in catalogSyllabus)
    throw refuse(
      catalogSyllabus.refused,
      [{ rule: 'syllabus', message: catalogSyllabus.refused }],
      'body.kind',
    );
  const mixed = (input.trainees ?? []).flatMap((t, i) => {
    const problem = kindMismatch(input.kind, t.trainingKind, t.name);
    return problem
      ? [{ path: `body.trainees.${i}.trainingKind`, message: problem, code: 'class_kinds_mixed' }]
      : [];
  });
  if (mixed.length > 0)
    throw new DomainError(
      'rule_violation',
      '培训班不得混编：初训、复审培训、再培训须分别开班',
      mixed,
    );

  return transaction(db, async (trx) => {
    const org = await trx
      .selectFrom('organization')
      .select(['id', 'regionCode', 'status'])
      .where('id', '=', organizationId)
      .executeTakeFirstOrThrow();
    if (org.status !== 'active')
      throw refuse('机构当前状态不能开班', [
        {
          rule: 'organization_status',
          message: org.status === 'exited' ? '机构已淘汰退出' : '机构停业整顿中',
        },
      ]);
    await assertMayOpenClass(trx, organizationId, now);
    const syllabus = await syllabusInForce(
      trx,
      org.regionCode,
      input.operationItemCode,
      input.kind,
      input.startDate,
    );
    if ('refused' in syllabus)
      throw refuse(
        syllabus.refused,
        [{ rule: 'syllabus', message: syllabus.refused }],
        'body.kind',
      );
    const head = await teacherOfInstitution(
      trx,
      organizationId,
      input.headTeacherId,
      input.startDate,
    );
    if (!head)
      throw refuse(
        '班主任须是本机构登记的教师',
        [{ rule: 'head_teacher_not_on_staff', message: '班主任须是本机构登记的教师或班主任' }],
        'body.headTeacherId',
      );
    const duplicate = await trx
      .selectFrom('trainingClass')
      .select('id')
      .where('organizationId', '=', organizationId)
      .where('code', '=', input.code)
      .executeTakeFirst();
    if (duplicate)
      throw new DomainError('duplicate', `期号 ${input.code} 已存在`, [
        { path: 'body.code', message: '期号已存在' },
      ]);
    const row = await trx
      .insertInto('trainingClass')
      .values({
        organizationId,
        regionCode: org.regionCode,
        code: input.code,
        name: input.name,
        operationItemCode: input.operationItemCode,
        kind: input.kind,
        headTeacherId: input.headTeacherId,
        startDate: input.startDate,
        endDate: input.endDate,
        syllabusTheoryHours: syllabus.theoryHours,
        syllabusPracticalHours: syllabus.practicalHours,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'class.create',
      entityType: 'training_class',
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
      requestId,
    });
    for (const [i, t] of (input.trainees ?? []).entries())
      await enrolOne(trx, actor, row, t, `body.trainees.${i}`, requestId);
    return row;
  });
}

async function enrolOne(
  trx: Executor,
  actor: Actor,
  cls: ClassRow,
  t: { idNumber: string; name: string; trainingKind?: ClassKind },
  path: string,
  requestId?: string,
) {
  const problem = kindMismatch(cls.kind, t.trainingKind, t.name);
  if (problem)
    throw new DomainError('rule_violation', '培训班不得混编', [
      { path: `${path}.trainingKind`, message: problem, code: 'class_kinds_mixed' },
    ]);
  const person = await findOrCreatePerson(
    trx,
    actor,
    { idNumber: t.idNumber, name: t.name },
    path,
    requestId,
  );
  const existing = await trx
    .selectFrom('classTrainee')
    .select('id')
    .where('classId', '=', cls.id)
    .where('personId', '=', person.id)
    .executeTakeFirst();
  if (existing)
    throw new DomainError('duplicate', `${t.name} 已在本班`, [
      { path: `${path}.idNumber`, message: '已在本班' },
    ]);
  const row = await trx
    .insertInto('classTrainee')
    .values({
      classId: cls.id,
      personId: person.id,
      organizationId: cls.organizationId,
      regionCode: cls.regionCode,
      trainingKind: t.trainingKind ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(trx, {
    actor,
    action: 'class.enrol',
    entityType: 'class_trainee',
    entityId: row.id,
    regionCode: cls.regionCode,
    after: { classId: cls.id, personId: person.id },
    requestId,
  });
  return row;
}

export async function enrolTrainees(
  db: Executor,
  actor: Actor,
  classId: string,
  trainees: { idNumber: string; name: string; trainingKind?: ClassKind }[],
  requestId?: string,
) {
  const cls = await findVisibleClass(db, actor, classId);
  assertInstitutionOf(actor, cls);
  assertOpen(cls);
  return transaction(db, async (trx) => {
    const out = [];
    for (const [i, t] of trainees.entries())
      out.push(await enrolOne(trx, actor, cls, t, `body.trainees.${i}`, requestId));
    return { enrolled: out.length };
  });
}

export async function getClassDetail(
  db: Executor,
  actor: Actor,
  classId: string,
  now: Date = new Date(),
) {
  const cls = await findVisibleClass(db, actor, classId);
  const { resolved, figures } = await classPolicy(db, cls);
  const [org, head, roster, lessons] = await Promise.all([
    db
      .selectFrom('organization')
      .select('name')
      .where('id', '=', cls.organizationId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('person')
      .select('name')
      .where('id', '=', cls.headTeacherId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('classTrainee as ct')
      .innerJoin('person as p', 'p.id', 'ct.personId')
      .select(['p.id as personId', 'p.name', 'p.idNumber'])
      .where('ct.classId', '=', cls.id)
      .orderBy('p.name')
      .execute(),
    lessonsOfClass(db, cls.id),
  ]);
  const findings = (await reviewPlans(db, [cls])).get(cls.id) ?? [];
  return {
    id: cls.id,
    code: cls.code,
    name: cls.name,
    organizationId: cls.organizationId,
    organizationName: org.name,
    regionCode: cls.regionCode,
    operationItemCode: cls.operationItemCode,
    kind: cls.kind,
    startDate: cls.startDate,
    endDate: cls.endDate,
    status: cls.status,
    phase: classPhase(cls, beijingDay(now)),
    traineeCount: roster.length,
    lessonCount: lessons.length,
    warningCount: lessons.reduce((n, l) => n + l.warnings.length, 0),
    findingCounts: {
      refuse: findings.filter((f) => f.severity === 'refuse').length,
      warn: findings.filter((f) => f.severity === 'warn').length,
    },
    headTeacherId: cls.headTeacherId,
    headTeacherName: head.name,
    syllabus: { theoryHours: cls.syllabusTheoryHours, practicalHours: cls.syllabusPracticalHours },
    policy: {
      applied: resolved.applied.map((a) => a.id),
      offlineMinutesPerHour: figures.offlineMinutesPerHour,
      onlineMinutesPerHour: figures.onlineMinutesPerHour,
      onlineTheoryShareMax: figures.onlineTheoryShareMax,
      practicalHoursPerDayMax: figures.practicalHoursPerDayMax,
      uncoveredTimeCounts: figures.uncoveredTimeCounts,
    },
    roster: roster.map((r) => ({
      personId: r.personId,
      name: r.name,
      idNumberMasked: maskIdNumber(r.idNumber),
    })),
    lessons: lessons.map((l) => ({
      ...l,
      startsAt: l.startsAt.toISOString(),
      endsAt: l.endsAt.toISOString(),
    })),
    findings,
  };
}

function lessonsOfClass(db: Executor, classId: string) {
  return db
    .selectFrom('lesson as l')
    .innerJoin('person as t', 't.id', 'l.teacherId')
    .leftJoin('room as r', 'r.id', 'l.roomId')
    .select([
      'l.id',
      'l.mode',
      'l.topic',
      'l.teacherId',
      't.name as teacherName',
      'l.roomId',
      'r.name as roomName',
      'l.startsAt',
      'l.endsAt',
      'l.warnings',
    ])
    .where('l.classId', '=', classId)
    .orderBy('l.startsAt')
    .execute();
}

// ——— lessons ———

async function gatherFacts(
  db: Executor,
  cls: ClassRow,
  policy: PolicyFigures,
  lesson: {
    id?: string;
    mode: LessonMode;
    teacherId: string;
    roomId: string | null;
    startsAt: Date;
    endsAt: Date;
  },
): Promise<LessonFacts> {
  const day = beijingDay(lesson.startsAt);
  const span = sql`tstzrange(${lesson.startsAt}::timestamptz, ${lesson.endsAt}::timestamptz)`;
  const notSelf = lesson.id ?? '00000000-0000-0000-0000-000000000000';
  const [teacher, teacherOverlaps, roomOverlaps, sameClass] = await Promise.all([
    teacherOfInstitution(db, cls.organizationId, lesson.teacherId, day),
    db
      .selectFrom('lesson as l')
      .innerJoin('trainingClass as c', 'c.id', 'l.classId')
      .select([
        'l.id as lessonId',
        'c.code as classCode',
        'c.organizationId',
        'l.startsAt',
        'l.endsAt',
      ])
      .where('l.teacherId', '=', lesson.teacherId)
      .where('l.id', '!=', notSelf)
      .where(sql<boolean>`tstzrange(l.starts_at, l.ends_at) && ${span}`)
      .execute(),
    lesson.roomId
      ? db
          .selectFrom('lesson as l')
          .innerJoin('trainingClass as c', 'c.id', 'l.classId')
          .select(['l.id as lessonId', 'c.code as classCode', 'l.startsAt', 'l.endsAt'])
          .where('l.roomId', '=', lesson.roomId)
          .where('l.classId', '!=', cls.id)
          .where(sql<boolean>`tstzrange(l.starts_at, l.ends_at) && ${span}`)
          .execute()
      : Promise.resolve([]),
    db
      .selectFrom('lesson')
      .select(['id', 'mode', 'startsAt', 'endsAt'])
      .where('classId', '=', cls.id)
      .where('id', '!=', notSelf)
      .execute(),
  ]);
  const minutes = (l: { startsAt: Date; endsAt: Date }) =>
    (l.endsAt.getTime() - l.startsAt.getTime()) / 60_000;
  return {
    cls: {
      code: cls.code,
      startDate: cls.startDate,
      endDate: cls.endDate,
      operationItemCode: cls.operationItemCode,
      syllabusTheoryHours: cls.syllabusTheoryHours,
    },
    policy,
    teacher: {
      onStaff: teacher !== undefined,
      practiceYears: teacher?.practiceYears ?? null,
      operationItems: teacher?.operationItems ?? [],
    },
    teacherOverlaps: teacherOverlaps.map((o) => ({
      lessonId: o.lessonId,
      classCode: o.classCode,
      sameInstitution: o.organizationId === cls.organizationId,
      startsAt: o.startsAt,
      endsAt: o.endsAt,
    })),
    roomOverlaps,
    practicalMinutesThatDay: sameClass
      .filter((l) => l.mode === 'practical' && beijingDay(l.startsAt) === day)
      .reduce((n, l) => n + minutes(l), 0),
    onlineMinutesPlanned: sameClass
      .filter((l) => l.mode === 'online')
      .reduce((n, l) => n + minutes(l), 0),
  };
}

/**
 * Plans one lesson. Refusing findings answer 422 with every rule that failed; warnings are kept
 * with the lesson and shown on the plan.
 */
export async function planLesson(
  db: Executor,
  actor: Actor,
  classId: string,
  input: LessonCreate,
  requestId?: string,
) {
  const cls = await findVisibleClass(db, actor, classId);
  assertInstitutionOf(actor, cls);
  assertOpen(cls);
  const m = lessonMode({ content: input.content, online: input.online, roomId: input.roomId });
  if ('problem' in m) throw refuse(m.problem.message, [m.problem], 'body.online');
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(input.endsAt);
  if (endsAt <= startsAt)
    throw new DomainError('validation_failed', '下课时间须晚于上课时间', [
      { path: 'body.endsAt', message: '下课时间须晚于上课时间' },
    ]);
  const roomId = input.roomId ?? null;
  if (roomId) {
    const room = await db
      .selectFrom('room')
      .select('id')
      .where('id', '=', roomId)
      .where('organizationId', '=', cls.organizationId)
      .executeTakeFirst();
    if (!room) throw notFound('教室');
  }
  const teacher = await db
    .selectFrom('person')
    .select('id')
    .where('id', '=', input.teacherId)
    .executeTakeFirst();
  if (!teacher) throw notFound('教师');
  const { figures } = await classPolicy(db, cls);

  return transaction(db, async (trx) => {
    // Serialize planning per institution so two clerks cannot double-book a teacher or room between check and insert.
    await sql`select pg_advisory_xact_lock(hashtext(${`lesson-plan:${cls.organizationId}`}))`.execute(
      trx,
    );
    const lesson = { mode: m.mode, teacherId: input.teacherId, roomId, startsAt, endsAt };
    const findings = lessonFindings(
      { ...lesson, teacherId: input.teacherId },
      await gatherFacts(trx, cls, figures, lesson),
    );
    const refusals = findings.filter((f) => f.severity === 'refuse');
    if (refusals.length > 0)
      throw refuse(`课程不能安排：${refusals.map((f) => f.message).join('；')}`, refusals);
    const warnings = findings
      .filter((f) => f.severity === 'warn')
      .map((f) => ({ rule: f.rule, message: f.message }));
    const row = await trx
      .insertInto('lesson')
      .values({
        classId: cls.id,
        organizationId: cls.organizationId,
        regionCode: cls.regionCode,
        mode: m.mode,
        topic: input.topic,
        teacherId: input.teacherId,
        roomId,
        startsAt,
        endsAt,
        warnings: JSON.stringify(warnings),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'lesson.plan',
      entityType: 'lesson',
      entityId: row.id,
      regionCode: cls.regionCode,
      after: row,
      requestId,
    });
    return {
      id: row.id,
      mode: row.mode,
      startsAt: row.startsAt.toISOString(),
      endsAt: row.endsAt.toISOString(),
      warnings,
    };
  });
}

/**
 * The planning rules run over whole stored plans (lessons imported, or planned before a policy
 * changed), for several classes at once: the class list counts what the class page lists, from the
 * same facts — the lessons, the teachers' and rooms' overlapping lessons and the teachers' staff
 * records read in one query each, then judged lesson by lesson by the pure rules.
 */
async function reviewPlans(
  db: Executor,
  classes: ClassRow[],
): Promise<Map<string, (PlanFinding & { lessonId: string })[]>> {
  const out = new Map<string, (PlanFinding & { lessonId: string })[]>(
    classes.map((c) => [c.id, []]),
  );
  if (classes.length === 0) return out;
  const lessons = await db
    .selectFrom('lesson')
    .select(['id', 'classId', 'mode', 'teacherId', 'roomId', 'startsAt', 'endsAt'])
    .where(
      'classId',
      'in',
      classes.map((c) => c.id),
    )
    .orderBy('startsAt')
    .execute();
  if (lessons.length === 0) return out;
  const lessonIds = lessons.map((l) => l.id);
  type Overlap = {
    lessonId: string;
    classCode: string;
    organizationId: string;
    startsAt: Date;
    endsAt: Date;
  };
  const [teacherOverlaps, roomOverlaps, staff] = await Promise.all([
    sql<Overlap>`
      select l.id as "lessonId", c.code as "classCode", c.organization_id as "organizationId",
             o.starts_at as "startsAt", o.ends_at as "endsAt"
      from lesson l
      join lesson o on o.teacher_id = l.teacher_id and o.id <> l.id
        and tstzrange(o.starts_at, o.ends_at) && tstzrange(l.starts_at, l.ends_at)
      join training_class c on c.id = o.class_id
      where l.id = any(${lessonIds}::uuid[])`.execute(db),
    sql<Overlap>`
      select l.id as "lessonId", c.code as "classCode", c.organization_id as "organizationId",
             o.starts_at as "startsAt", o.ends_at as "endsAt"
      from lesson l
      join lesson o on o.room_id = l.room_id and o.class_id <> l.class_id
        and tstzrange(o.starts_at, o.ends_at) && tstzrange(l.starts_at, l.ends_at)
      join training_class c on c.id = o.class_id
      where l.id = any(${lessonIds}::uuid[]) and l.room_id is not null`.execute(db),
    db
      .selectFrom('staffAssignment')
      .select([
        'organizationId',
        'personId',
        'practiceYears',
        'operationItems',
        'startDate',
        'endDate',
      ])
      .where('duty', 'in', ['teacher', 'head_teacher'])
      .where('personId', 'in', [...new Set(lessons.map((l) => l.teacherId))])
      .where('organizationId', 'in', [...new Set(classes.map((c) => c.organizationId))])
      .execute(),
  ]);
  const byLesson = (rows: Overlap[]) => {
    const m = new Map<string, Overlap[]>();
    for (const r of rows) m.set(r.lessonId, [...(m.get(r.lessonId) ?? []), r]);
    return m;
  };
  const teacherOf = byLesson(teacherOverlaps.rows);
  const roomOf = byLesson(roomOverlaps.rows);
  const policies = new Map<string, PolicyFigures>();
  const minutes = (l: { startsAt: Date; endsAt: Date }) =>
    (l.endsAt.getTime() - l.startsAt.getTime()) / 60_000;
  for (const cls of classes) {
    const key = `${cls.regionCode}|${cls.startDate}`;
    if (!policies.has(key)) policies.set(key, (await classPolicy(db, cls)).figures);
    const policy = policies.get(key)!;
    const mine = lessons.filter((l) => l.classId === cls.id);
    const found = out.get(cls.id)!;
    for (const l of mine) {
      const day = beijingDay(l.startsAt);
      const teacher = staff
        .filter(
          (s) =>
            s.organizationId === cls.organizationId &&
            s.personId === l.teacherId &&
            s.startDate <= day &&
            (s.endDate === null || s.endDate >= day),
        )
        .sort((a, b) => (b.practiceYears ?? -1) - (a.practiceYears ?? -1))[0];
      const others = mine.filter((x) => x.id !== l.id);
      const facts: LessonFacts = {
        cls: {
          code: cls.code,
          startDate: cls.startDate,
          endDate: cls.endDate,
          operationItemCode: cls.operationItemCode,
          syllabusTheoryHours: cls.syllabusTheoryHours,
        },
        policy,
        teacher: {
          onStaff: teacher !== undefined,
          practiceYears: teacher?.practiceYears ?? null,
          operationItems: teacher?.operationItems ?? [],
        },
        teacherOverlaps: (teacherOf.get(l.id) ?? []).map((o) => ({
          classCode: o.classCode,
          sameInstitution: o.organizationId === cls.organizationId,
          startsAt: new Date(o.startsAt),
          endsAt: new Date(o.endsAt),
        })),
        roomOverlaps: (roomOf.get(l.id) ?? []).map((o) => ({
          classCode: o.classCode,
          startsAt: new Date(o.startsAt),
          endsAt: new Date(o.endsAt),
        })),
        practicalMinutesThatDay: others
          .filter((x) => x.mode === 'practical' && beijingDay(x.startsAt) === day)
          .reduce((n, x) => n + minutes(x), 0),
        onlineMinutesPlanned: others
          .filter((x) => x.mode === 'online')
          .reduce((n, x) => n + minutes(x), 0),
      };
      for (const f of lessonFindings(l, facts)) found.push({ ...f, lessonId: l.id });
    }
  }
  return out;
}

// ——— live roster, make-ups, coverage ———

async function findVisibleLesson(db: Executor, actor: Actor, lessonId: string) {
  const lesson = await db
    .selectFrom('lesson')
    .selectAll()
    .where('id', '=', lessonId)
    .executeTakeFirst();
  if (!lesson) throw notFound('课程');
  const cls = await findVisibleClass(db, actor, lesson.classId).catch(() => {
    throw notFound('课程');
  });
  return { lesson, cls };
}

/** How far around a lesson the roster looks for events (arriving early, checking out after class). Not a regulation figure. */
const ROSTER_MARGIN_MS = 30 * 60_000;

/**
 * Who is in, who left, who is missing, whose face did not match — for one lesson, from the
 * terminal events of its room. A worker sees only their own line.
 */
export async function lessonRoster(
  db: Executor,
  actor: Actor,
  lessonId: string,
  now: Date = new Date(),
) {
  const { lesson, cls } = await findVisibleLesson(db, actor, lessonId);
  const { figures } = await classPolicy(db, cls);
  let rosterQuery = db
    .selectFrom('classTrainee as ct')
    .innerJoin('person as p', 'p.id', 'ct.personId')
    .select(['p.id', 'p.name'])
    .where('ct.classId', '=', cls.id);
  if (actor.scope.kind === 'person')
    rosterQuery = rosterQuery.where('p.id', '=', actor.scope.personId);
  const roster = await rosterQuery.orderBy('p.name').execute();
  const personIds = roster.map((r) => r.id);
  const events =
    lesson.roomId && personIds.length > 0
      ? await db
          .selectFrom('attendanceEvent')
          .select(['personId', 'eventType', 'occurredAt', 'matchScore', 'liveness'])
          .where('roomId', '=', lesson.roomId)
          .where('personId', 'in', personIds)
          .where('occurredAt', '>=', new Date(lesson.startsAt.getTime() - ROSTER_MARGIN_MS))
          .where('occurredAt', '<=', new Date(lesson.endsAt.getTime() + ROSTER_MARGIN_MS))
          .orderBy('occurredAt')
          .execute()
      : [];
  const makeups = await db
    .selectFrom('attendanceMakeup')
    .select(['personId', 'reason'])
    .where('lessonId', '=', lesson.id)
    .execute();
  const makeupOf = new Map(makeups.map((m) => [m.personId, m.reason]));
  const faceOk = (e: { matchScore: number | null; liveness: number | null }) =>
    (e.matchScore ?? (figures.faceAttendanceRequired ? -1 : 1)) >= figures.faceMatchThreshold &&
    (e.liveness ?? 1) >= figures.faceLivenessMin;
  const items = roster.map((r) => {
    const mine = events.filter((e) => e.personId === r.id);
    const last = mine.at(-1);
    const firstIn = mine.find((e) => e.eventType === 'check_in' && faceOk(e));
    const lastOut = [...mine].reverse().find((e) => e.eventType === 'check_out' && faceOk(e));
    let status: RosterStatus;
    if (makeupOf.has(r.id)) status = 'makeup';
    else if (last && !faceOk(last)) status = 'face_failed';
    else if (!firstIn) status = now < lesson.startsAt ? 'not_started' : 'absent';
    else if (last?.eventType === 'check_out') status = 'left';
    else status = 'present';
    return {
      personId: r.id,
      name: r.name,
      status,
      firstIn: firstIn ? firstIn.occurredAt.toISOString() : null,
      lastOut: lastOut ? lastOut.occurredAt.toISOString() : null,
      lastMatchScore: last?.matchScore ?? null,
      events: mine.length,
      makeupReason: makeupOf.get(r.id) ?? null,
    };
  });
  const count = (s: string) => items.filter((i) => i.status === s).length;
  return {
    lesson: {
      id: lesson.id,
      classId: cls.id,
      classCode: cls.code,
      topic: lesson.topic,
      mode: lesson.mode,
      startsAt: lesson.startsAt.toISOString(),
      endsAt: lesson.endsAt.toISOString(),
    },
    summary: {
      total: items.length,
      present: count('present'),
      left: count('left'),
      absent: count('absent'),
      faceFailed: count('face_failed'),
      makeup: count('makeup'),
      notStarted: count('not_started'),
    },
    items,
  };
}

/**
 * A head teacher's make-up entry (补录) for a trainee the terminal missed: needs a reason, is
 * flagged as a make-up everywhere it shows, and still needs video for its time to count.
 */
export async function addMakeup(
  db: Executor,
  actor: Actor,
  lessonId: string,
  input: { personId: string; startsAt?: string; endsAt?: string; reason: string },
  now: Date,
  requestId?: string,
) {
  const { lesson, cls } = await findVisibleLesson(db, actor, lessonId);
  assertInstitutionOf(actor, cls);
  assertOpen(cls);
  if (lesson.mode === 'online')
    throw refuse('线上课程的学时来自人脸核验的学习记录，不能补录', [
      { rule: 'makeup_online', message: '线上课程不能补录考勤' },
    ]);
  if (lesson.startsAt > now)
    throw refuse('课程尚未开始，不能补录', [{ rule: 'makeup_future', message: '课程尚未开始' }]);
  const trainee = await db
    .selectFrom('classTrainee')
    .select('id')
    .where('classId', '=', cls.id)
    .where('personId', '=', input.personId)
    .executeTakeFirst();
  if (!trainee)
    throw refuse(
      '此人不在本班花名册中',
      [{ rule: 'makeup_not_on_roster', message: '此人不在本班花名册中' }],
      'body.personId',
    );
  const startsAt = input.startsAt ? new Date(input.startsAt) : lesson.startsAt;
  const endsAt = input.endsAt ? new Date(input.endsAt) : lesson.endsAt;
  if (startsAt < lesson.startsAt || endsAt > lesson.endsAt || endsAt <= startsAt) {
    throw new DomainError('validation_failed', '补录时段须在课程时间之内', [
      { path: 'body.startsAt', message: '补录时段须在课程时间之内' },
    ]);
  }
  return transaction(db, async (trx) => {
    const existing = await trx
      .selectFrom('attendanceMakeup')
      .select('id')
      .where('lessonId', '=', lesson.id)
      .where('personId', '=', input.personId)
      .executeTakeFirst();
    if (existing)
      throw new DomainError('duplicate', '该学员本节课已有补录', [
        { path: 'body.personId', message: '已有补录' },
      ]);
    const row = await trx
      .insertInto('attendanceMakeup')
      .values({
        lessonId: lesson.id,
        classId: cls.id,
        personId: input.personId,
        organizationId: cls.organizationId,
        regionCode: cls.regionCode,
        startsAt,
        endsAt,
        reason: input.reason,
        enteredBy: actor.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'attendance.makeup',
      entityType: 'attendance_makeup',
      entityId: row.id,
      regionCode: cls.regionCode,
      after: row,
      summary: input.reason,
      requestId,
      at: now,
    });
    return { id: row.id };
  });
}

/** Video coverage of one lesson: the union of its room's recordings over the lesson span, and the gaps. */
export async function lessonCoverage(db: Executor, actor: Actor, lessonId: string) {
  const { lesson } = await findVisibleLesson(db, actor, lessonId);
  const recordings = lesson.roomId
    ? await db
        .selectFrom('recording as r')
        .innerJoin('device as d', 'd.id', 'r.deviceId')
        .select([
          'r.id',
          'd.name as deviceName',
          'r.startsAt',
          'r.endsAt',
          'r.sha256',
          'r.storageUri',
        ])
        .where('r.roomId', '=', lesson.roomId)
        .where('r.startsAt', '<', lesson.endsAt)
        .where('r.endsAt', '>', lesson.startsAt)
        .orderBy('r.startsAt')
        .execute()
    : [];
  const ranges = await sql<{
    covered: { from: string; to: string }[];
    gaps: { from: string; to: string }[];
  }>`
    with span as (select tstzrange(${lesson.startsAt}::timestamptz, ${lesson.endsAt}::timestamptz) as s),
    cov as (
      select coalesce(range_agg(tstzrange(r.starts_at, r.ends_at) * span.s), '{}'::tstzmultirange) as m
      from span left join recording r on r.room_id = ${lesson.roomId}::uuid and tstzrange(r.starts_at, r.ends_at) && span.s
    )
    select
      coalesce((select json_agg(json_build_object('from', lower(x), 'to', upper(x)) order by lower(x)) from unnest(cov.m) x), '[]') as covered,
      coalesce((select json_agg(json_build_object('from', lower(x), 'to', upper(x)) order by lower(x)) from unnest(tstzmultirange(span.s) - cov.m) x), '[]') as gaps
    from cov, span`.execute(db);
  const iso = (i: { from: string; to: string }) => ({
    from: new Date(i.from).toISOString(),
    to: new Date(i.to).toISOString(),
  });
  const covered = ranges.rows[0].covered.map(iso);
  const minutes = (list: { from: string; to: string }[]) =>
    list.reduce((n, i) => n + (Date.parse(i.to) - Date.parse(i.from)) / 60_000, 0);
  return {
    lessonId: lesson.id,
    startsAt: lesson.startsAt.toISOString(),
    endsAt: lesson.endsAt.toISOString(),
    lessonMinutes: (lesson.endsAt.getTime() - lesson.startsAt.getTime()) / 60_000,
    coveredMinutes: Math.round(minutes(covered) * 100) / 100,
    covered,
    gaps: ranges.rows[0].gaps.map(iso),
    recordings: recordings.map((r) => ({
      ...r,
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
    })),
  };
}

// ——— hours ledger ———

/**
 * The ledger of one class. The institution and jurisdiction see every trainee; a worker sees only
 * their own line; an enterprise only its employees'.
 */
export async function classLedger(db: Executor, actor: Actor, classId: string) {
  const cls = await findVisibleClass(db, actor, classId);
  const [params] = await ledgerParamsFor(db, [cls]);
  const onlySelf = actor.scope.kind === 'person' ? actor.scope.personId : null;
  let rows = await computeLedger(db, [params], onlySelf);
  if (actor.scope.kind === 'organization' && actor.scope.organizationId !== cls.organizationId) {
    const employed = await db
      .selectFrom('employment')
      .select('personId')
      .where('organizationId', '=', actor.scope.organizationId)
      .execute();
    const mine = new Set(employed.map((e) => e.personId));
    rows = rows.filter((r) => mine.has(r.personId));
  }
  const names = await personNames(
    db,
    rows.map((r) => r.personId),
  );
  return { items: rows.map((r) => ledgerLine(cls, r, names.get(r.personId) ?? '')) };
}

function ledgerLine(
  cls: ClassRow,
  r: Awaited<ReturnType<typeof computeLedger>>[number],
  name: string,
) {
  return {
    classId: cls.id,
    classCode: cls.code,
    personId: r.personId,
    name,
    theoryHours: r.theoryHours,
    practicalHours: r.practicalHours,
    onlineHours: r.onlineHours,
    onlineHoursCounted: r.onlineHoursCounted,
    syllabusTheoryHours: cls.syllabusTheoryHours,
    syllabusPracticalHours: cls.syllabusPracticalHours,
    theoryMet: r.theoryHours + r.onlineHoursCounted + 1e-9 >= cls.syllabusTheoryHours,
    practicalMet: r.practicalHours + 1e-9 >= cls.syllabusPracticalHours,
    makeups: r.makeups,
  };
}

async function personNames(db: Executor, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await db
    .selectFrom('person')
    .select(['id', 'name'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function traineeEvidence(
  db: Executor,
  actor: Actor,
  classId: string,
  personId: string,
) {
  const cls = await findVisibleClass(db, actor, classId);
  if (actor.scope.kind === 'person' && actor.scope.personId !== personId) throw notFound('学员');
  const onRoster = await db
    .selectFrom('classTrainee')
    .select('id')
    .where('classId', '=', cls.id)
    .where('personId', '=', personId)
    .executeTakeFirst();
  if (!onRoster) throw notFound('学员');
  const [params] = await ledgerParamsFor(db, [cls]);
  return ledgerEvidence(db, params, personId);
}

/**
 * Every class a person trained in, with the hours proven in each: the one interface exam
 * eligibility reads (a later issue), and the worker's "my hours".
 */
export async function trainingHoursOfPerson(
  db: Executor,
  personId: string,
  now: Date = new Date(),
) {
  const classes = await db
    .selectFrom('trainingClass')
    .innerJoin('classTrainee as ct', 'ct.classId', 'trainingClass.id')
    .selectAll('trainingClass')
    .where('ct.personId', '=', personId)
    .orderBy('trainingClass.startDate', 'desc')
    .execute();
  const params = await ledgerParamsFor(db, classes);
  const rows = await computeLedger(db, params, personId);
  const byClass = new Map(classes.map((c) => [c.id, c]));
  const names = await personNames(db, [personId]);
  return rows.map((r) => {
    const cls = byClass.get(r.classId)!;
    return {
      ...ledgerLine(cls, r, names.get(personId) ?? ''),
      operationItemCode: cls.operationItemCode,
      kind: cls.kind,
      status: cls.status,
      phase: classPhase(cls, beijingDay(now)),
      startDate: cls.startDate,
      endDate: cls.endDate,
    };
  });
}

/**
 * 一人一档's training: every class of a person the caller may see (the person's file in scope, each
 * class by the one class predicate), with the hours the ledger proves.
 */
export async function hoursOfPerson(
  db: Executor,
  actor: Actor,
  personId: string,
  now: Date = new Date(),
) {
  await getPersonFile(db, actor, personId);
  const lines = await trainingHoursOfPerson(db, personId, now);
  if (lines.length === 0) return { items: [] };
  const visible = new Set(
    (
      await db
        .selectFrom('trainingClass')
        .select('id')
        .where(
          'id',
          'in',
          lines.map((l) => l.classId),
        )
        .where((eb) => classVisible(eb, actor.scope))
        .execute()
    ).map((r) => r.id),
  );
  return { items: lines.filter((l) => visible.has(l.classId)) };
}

export async function myHours(db: Executor, actor: Actor, now: Date = new Date()) {
  if (!actor.personId || !hasRole(actor, 'worker'))
    throw forbidden('只有学员本人可以查看自己的学时');
  return { items: await trainingHoursOfPerson(db, actor.personId, now) };
}

/**
 * The hours ledger of whole classes at once (every trainee of each), for readers over a
 * jurisdiction — the detection engine's T01 reads the same ledger the class page and eligibility do.
 */
export async function ledgerOfClasses(db: Executor, classIds: readonly string[]) {
  if (classIds.length === 0) return [];
  const classes = await db
    .selectFrom('trainingClass')
    .selectAll()
    .where('id', 'in', [...classIds])
    .execute();
  const params = await ledgerParamsFor(db, classes);
  const rows = await computeLedger(db, params);
  const byClass = new Map(classes.map((c) => [c.id, c]));
  return rows.map((r) => {
    const cls = byClass.get(r.classId)!;
    return {
      ...r,
      syllabusTheoryHours: cls.syllabusTheoryHours,
      syllabusPracticalHours: cls.syllabusPracticalHours,
      theoryMet: r.theoryHours + r.onlineHoursCounted + 1e-9 >= cls.syllabusTheoryHours,
      practicalMet: r.practicalHours + 1e-9 >= cls.syllabusPracticalHours,
    };
  });
}
