import { randomBytes, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { beijingDay } from '../../catalog/calendar.js';
import { exams, specialOperation } from '../../catalog/figures.js';
import { examinableItem } from '../../catalog/operations.js';
import { practicalStandard } from '../../catalog/practical.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { type Actor, hasRole } from '../../platform/auth/actor.js';
import { type Executor, queryPrepared, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import {
  certificateStanding,
  issueCertificate,
  itemName,
} from '../certificates/certificates.service.js';
import { verifyFaceOf } from '../faces/faces.service.js';
import { separationConflicts } from '../registry/staffing.rules.js';
import { trainingHoursOfPerson } from '../training/classes.service.js';
import { requireAuthority } from './exams.access.js';
import type { SessionCreate } from './exams.contract.js';
import * as repo from './exams.repository.js';
import {
  blueprintProblem,
  drawPaper,
  drawPracticalTasks,
  gradePaper,
  judgeEligibility,
  practicalOutcome,
  refusalMessage,
  resultsDue,
  round2,
  sittingResult,
} from './exams.rules.js';
import type { BlueprintPart, PaperQuestion } from './exams.table.js';

/**
 * Exams (PRODUCT.md §2.3): plans and sessions of the exam authority, registration with eligibility
 * frozen, check-in with face verification, the machine theory exam, practical scoring, patrol,
 * results and the certificate issued from a pass. Who may act is decided here, per step:
 * the authority plans and publishes; the site's own assigned invigilators check in and its assigned
 * examiners score, only during the session; the candidate takes the theory exam in person.
 */

const CHECKIN_OPENS_MINUTES_BEFORE = 60;
const num = (v: string | number | null) => (v === null ? null : Number(v));
const iso = (d: Date | string) => new Date(d).toISOString();

function knownItem(kind: 'special_operation' | 'competency', code: string) {
  if (!examinableItem(code, kind))
    throw new DomainError('validation_failed', `${code} 不是有效的作业类别/合格证类别`, [
      { path: 'body.itemCode', message: 'unknown item' },
    ]);
}

// ——— blueprints ———

async function availableCounts(
  db: Executor,
  authorityId: string,
  itemCode: string,
  parts: BlueprintPart[],
) {
  const rows = await db
    .selectFrom('question')
    .select(['kind', 'knowledgePoint', sql<number>`count(*)::int`.as('n')])
    .where('authorityId', '=', authorityId)
    .where('itemCode', '=', itemCode)
    .where('status', '=', 'active')
    .groupBy(['kind', 'knowledgePoint'])
    .execute();
  return parts.map((p) =>
    rows
      .filter(
        (r) =>
          r.kind === p.kind && (p.knowledgePoint === null || r.knowledgePoint === p.knowledgePoint),
      )
      .reduce((n, r) => n + r.n, 0),
  );
}

export async function createBlueprint(
  db: Executor,
  actor: Actor,
  input: { itemCode: string; name: string; parts: BlueprintPart[]; durationMinutes?: number },
  requestId?: string,
) {
  const authorityId = requireAuthority(actor);
  const problem = blueprintProblem(input.parts);
  if (problem)
    throw new DomainError('validation_failed', problem, [{ path: 'body.parts', message: problem }]);
  const available = await availableCounts(db, authorityId, input.itemCode, input.parts);
  const short = input.parts
    .map((p, i) => ({ p, i, have: available[i] }))
    .filter((x) => x.have < x.p.count);
  if (short.length) {
    throw new DomainError(
      'rule_violation',
      '题库题量不足以组卷',
      short.map((x) => ({
        path: `body.parts.${x.i}.count`,
        message: `题库中只有 ${x.have} 道${x.p.knowledgePoint ? `「${x.p.knowledgePoint}」` : ''}${kindName[x.p.kind]}，需要 ${x.p.count} 道`,
        code: 'not_enough_questions',
      })),
    );
  }
  return transaction(db, async (trx) => {
    const row = await trx
      .insertInto('paperBlueprint')
      .values({
        authorityId,
        regionCode: actor.regionCode ?? '',
        itemCode: input.itemCode,
        name: input.name,
        durationMinutes: input.durationMinutes ?? exams.theoryMinutes.value,
        passMark: exams.passMark.value,
        parts: JSON.stringify(input.parts),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'exam.blueprint.create',
      entityType: 'paper_blueprint',
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
      requestId,
    });
    return { ...row, available };
  });
}

const kindName = { single: '单选题', multiple: '多选题', judge: '判断题' } as const;

export async function listBlueprints(db: Executor, actor: Actor, itemCode?: string) {
  const authorityId = requireAuthority(actor);
  let q = db.selectFrom('paperBlueprint').selectAll().where('authorityId', '=', authorityId);
  if (itemCode) q = q.where('itemCode', '=', itemCode);
  const rows = await q.orderBy('createdAt', 'desc').execute();
  return Promise.all(
    rows.map(async (r) => ({
      ...r,
      available: await availableCounts(db, authorityId, r.itemCode, r.parts),
    })),
  );
}

// ——— plans and sessions ———

export async function createPlan(
  db: Executor,
  actor: Actor,
  input: {
    certificateKind: 'special_operation' | 'competency';
    itemCode: string;
    name: string;
    blueprintId: string;
  },
  requestId?: string,
) {
  const authorityId = requireAuthority(actor);
  knownItem(input.certificateKind, input.itemCode);
  const bp = await db
    .selectFrom('paperBlueprint')
    .selectAll()
    .where('id', '=', input.blueprintId)
    .where('authorityId', '=', authorityId)
    .executeTakeFirst();
  if (!bp)
    throw new DomainError('validation_failed', '组卷规则不存在', [
      { path: 'body.blueprintId', message: 'not found' },
    ]);
  if (bp.itemCode !== input.itemCode)
    throw new DomainError(
      'validation_failed',
      `组卷规则属于 ${bp.itemCode}，不是 ${input.itemCode}`,
      [{ path: 'body.blueprintId', message: 'other item' }],
    );
  return transaction(db, async (trx) => {
    const row = await trx
      .insertInto('examPlan')
      .values({
        authorityId,
        regionCode: actor.regionCode ?? '',
        certificateKind: input.certificateKind,
        itemCode: input.itemCode,
        name: input.name,
        blueprintId: bp.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'exam.plan.create',
      entityType: 'exam_plan',
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
      requestId,
    });
    return getPlan(trx, actor, row.id);
  });
}

async function sessionsOf(db: Executor, planIds: string[]) {
  if (planIds.length === 0) return [];
  return db
    .selectFrom('examSession as s')
    .innerJoin('organization as o', 'o.id', 's.siteId')
    .selectAll('s')
    .select([
      'o.name as siteName',
      (eb) =>
        eb
          .selectFrom('examRegistration as r')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('r.sessionId', '=', 's.id')
          .where('r.status', '!=', 'withdrawn')
          .as('registered'),
    ])
    .where('s.planId', 'in', planIds)
    .orderBy('s.startsAt')
    .execute();
}

function sessionView(s: Awaited<ReturnType<typeof sessionsOf>>[number], now: Date) {
  return {
    id: s.id,
    planId: s.planId,
    siteId: s.siteId,
    siteName: s.siteName,
    room: s.room,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    capacity: s.capacity,
    registered: s.registered ?? 0,
    invigilatorIds: s.invigilatorIds,
    examinerIds: s.examinerIds,
    resultsPublishedAt: s.resultsPublishedAt ? iso(s.resultsPublishedAt) : null,
    ...resultsDue(beijingDay(s.endsAt), s.resultsPublishedAt !== null, beijingDay(now)),
  };
}

async function actorRegion(db: Executor, actor: Actor): Promise<string | null> {
  if (actor.regionCode) return actor.regionCode;
  if (actor.personId)
    return (
      (
        await db
          .selectFrom('person')
          .select('regionCode')
          .where('id', '=', actor.personId)
          .executeTakeFirst()
      )?.regionCode ?? null
    );
  return null;
}

export async function listPlans(
  db: Executor,
  actor: Actor,
  filter: { status?: 'open' | 'closed' } = {},
  now = new Date(),
) {
  const region = await actorRegion(db, actor);
  let q = db
    .selectFrom('examPlan')
    .innerJoin('organization as a', 'a.id', 'examPlan.authorityId')
    .selectAll('examPlan')
    .select('a.name as authorityName')
    .where((eb) => repo.planVisible(eb, actor.scope, region));
  if (filter.status) q = q.where('examPlan.status', '=', filter.status);
  const plans = await q.orderBy('examPlan.createdAt', 'desc').limit(200).execute();
  const sessions = await sessionsOf(
    db,
    plans.map((p) => p.id),
  );
  return plans.map((p) => ({
    ...p,
    itemName: itemName(p.itemCode),
    sessions: sessions.filter((s) => s.planId === p.id).map((s) => sessionView(s, now)),
  }));
}

export async function getPlan(db: Executor, actor: Actor, id: string, now = new Date()) {
  const region = await actorRegion(db, actor);
  const p = await db
    .selectFrom('examPlan')
    .innerJoin('organization as a', 'a.id', 'examPlan.authorityId')
    .selectAll('examPlan')
    .select('a.name as authorityName')
    .where('examPlan.id', '=', id)
    .where((eb) => repo.planVisible(eb, actor.scope, region))
    .executeTakeFirst();
  if (!p) throw notFound('考试计划');
  const sessions = await sessionsOf(db, [p.id]);
  return {
    ...p,
    itemName: itemName(p.itemCode),
    sessions: sessions.map((s) => sessionView(s, now)),
  };
}

/**
 * A session of a plan at an exam site (RULES.md §D): the site must be an active exam site in the
 * authority's jurisdiction and not run by a training institution; invigilators and examiners must
 * hold that duty at the site or the authority, no duty at a training institution (培考分离), no other
 * session at the same time, and examiners of special operations the item's certificate in force.
 */
export async function createSession(
  db: Executor,
  actor: Actor,
  planId: string,
  input: SessionCreate,
  now: Date,
  requestId?: string,
) {
  const authorityId = requireAuthority(actor);
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(input.endsAt);
  if (endsAt <= startsAt)
    throw new DomainError('validation_failed', '结束时间须晚于开始时间', [
      { path: 'body.endsAt', message: 'before start' },
    ]);
  if (startsAt <= now)
    throw new DomainError('validation_failed', '考试场次须安排在将来', [
      { path: 'body.startsAt', message: 'in the past' },
    ]);
  return transaction(db, async (trx) => {
    const plan = await trx
      .selectFrom('examPlan')
      .selectAll()
      .where('id', '=', planId)
      .where('authorityId', '=', authorityId)
      .executeTakeFirst();
    if (!plan) throw notFound('考试计划');
    if (plan.status !== 'open') throw new DomainError('conflict', '考试计划已关闭');
    const bp = await trx
      .selectFrom('paperBlueprint')
      .select('durationMinutes')
      .where('id', '=', plan.blueprintId)
      .executeTakeFirstOrThrow();
    if (endsAt.getTime() - startsAt.getTime() < bp.durationMinutes * 60_000)
      throw new DomainError(
        'validation_failed',
        `场次时长短于理论考试时长 ${bp.durationMinutes} 分钟`,
        [{ path: 'body.endsAt', message: 'shorter than the exam' }],
      );
    const site = await trx
      .selectFrom('organization')
      .select(['id', 'kind', 'status', 'regionCode', 'name', 'operatorId'])
      .where('id', '=', input.siteId)
      .executeTakeFirst();
    const problems: { path: string; message: string; code: string }[] = [];
    if (site?.kind !== 'exam_site' || !site.regionCode.startsWith(actor.regionCode ?? '')) {
      throw new DomainError('validation_failed', '考点不存在或不在本考试机构辖区', [
        { path: 'body.siteId', message: 'not an exam site in scope' },
      ]);
    }
    if (site.status !== 'active')
      problems.push({
        path: 'body.siteId',
        message: `考点「${site.name}」${site.status === 'exited' ? '已退出' : '停业整顿中'}，不能安排考试`,
        code: 'site_inactive',
      });
    if (site.operatorId) {
      const operator = await trx
        .selectFrom('organization')
        .select(['kind', 'name'])
        .where('id', '=', site.operatorId)
        .executeTakeFirst();
      if (operator?.kind === 'training_institution')
        problems.push({
          path: 'body.siteId',
          message: `培考分离：考点「${site.name}」由培训机构「${operator.name}」举办，不能承担考试`,
          code: 'training_exam_separation',
        });
    }
    const staff = async (ids: string[], duty: 'invigilator' | 'examiner', path: string) => {
      for (const [i, personId] of ids.entries()) {
        const assignments = await trx
          .selectFrom('staffAssignment as sa')
          .innerJoin('organization as o', 'o.id', 'sa.organizationId')
          .innerJoin('person as p', 'p.id', 'sa.personId')
          .select([
            'sa.organizationId',
            'sa.duty',
            'o.kind',
            'o.name as organizationName',
            'p.name',
          ])
          .where('sa.personId', '=', personId)
          .where((eb) =>
            eb.or([eb('sa.endDate', 'is', null), eb('sa.endDate', '>=', beijingDay(startsAt))]),
          )
          .where('sa.startDate', '<=', beijingDay(startsAt))
          .execute();
        const name = assignments[0]?.name ?? personId;
        if (
          !assignments.some(
            (a) =>
              a.duty === duty && (a.organizationId === site.id || a.organizationId === authorityId),
          )
        ) {
          problems.push({
            path: `${path}.${i}`,
            message: `${name} 不是本考点或本考试机构在册的${duty === 'examiner' ? '考评员' : '监考员'}`,
            code: 'not_on_staff',
          });
          continue;
        }
        for (const f of separationConflicts({ kind: 'exam_site', duty }, assignments))
          problems.push({ path: `${path}.${i}`, message: `${name}：${f.message}`, code: f.code });
        if (duty === 'examiner' && plan.certificateKind === 'special_operation') {
          const standing = await certificateStanding(
            trx,
            personId,
            plan.itemCode,
            beijingDay(startsAt),
          );
          if (!standing.inForce)
            problems.push({
              path: `${path}.${i}`,
              message: `${name} 未持有${itemName(plan.itemCode)}的有效特种作业操作证，不能担任考评员`,
              code: 'examiner_not_certified',
            });
        }
        const busy = await trx
          .selectFrom('examSession')
          .select(['id', 'startsAt'])
          .where((eb) =>
            eb.or([
              eb(sql.val(personId), '=', eb.fn.any('invigilatorIds')),
              eb(sql.val(personId), '=', eb.fn.any('examinerIds')),
            ]),
          )
          .where('startsAt', '<', endsAt)
          .where('endsAt', '>', startsAt)
          .executeTakeFirst();
        if (busy)
          problems.push({
            path: `${path}.${i}`,
            message: `${name} 在同一时间已被安排到另一考试场次（${iso(busy.startsAt)}）`,
            code: 'staff_double_booked',
          });
      }
    };
    await staff(input.invigilatorIds, 'invigilator', 'body.invigilatorIds');
    await staff(input.examinerIds, 'examiner', 'body.examinerIds');
    if (plan.certificateKind === 'special_operation' && input.examinerIds.length === 0)
      problems.push({
        path: 'body.examinerIds',
        message: '特种作业考试须安排实操考评员',
        code: 'examiners_required',
      });
    const overlap = new Set(input.invigilatorIds.filter((x) => input.examinerIds.includes(x)));
    if (overlap.size)
      problems.push({
        path: 'body.examinerIds',
        message: '同一人不能在同一场次同时担任监考员和考评员',
        code: 'dual_role',
      });
    if (problems.length)
      throw new DomainError('rule_violation', problems.map((p) => p.message).join('；'), problems);
    const row = await trx
      .insertInto('examSession')
      .values({
        planId: plan.id,
        siteId: site.id,
        regionCode: plan.regionCode,
        room: input.room,
        startsAt,
        endsAt,
        capacity: input.capacity,
        invigilatorIds: input.invigilatorIds,
        examinerIds: input.examinerIds,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'exam.session.create',
      entityType: 'exam_session',
      entityId: row.id,
      regionCode: plan.regionCode,
      after: row,
      requestId,
      at: now,
    });
    return getPlan(trx, actor, plan.id, now);
  });
}

// ——— registration ———

async function eligibilityFor(
  db: Executor,
  plan: { certificateKind: 'special_operation' | 'competency'; itemCode: string },
  personId: string,
  examDate: string,
) {
  const person = await db
    .selectFrom('person')
    .select(['birthDate', 'gender', 'education'])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
  const training = await trainingHoursOfPerson(db, personId);
  const standing = await certificateStanding(db, personId, plan.itemCode, examDate);
  const past = await db
    .selectFrom('examRegistration as r')
    .innerJoin('examPlan as p', 'p.id', 'r.planId')
    .innerJoin('examSession as s', 's.id', 'r.sessionId')
    .select(['r.id', 's.startsAt', 'r.result', 'r.theoryScore', 'r.status'])
    .where('r.personId', '=', personId)
    .where('p.itemCode', '=', plan.itemCode)
    .where('p.certificateKind', '=', plan.certificateKind)
    .where('r.status', '!=', 'withdrawn')
    .execute();
  return judgeEligibility({
    certificateKind: plan.certificateKind,
    itemCode: plan.itemCode,
    examDate,
    person: { birthDate: person.birthDate, gender: person.gender, education: person.education },
    training: training.map((l) => ({ ...l, endDate: l.endDate })),
    ban: standing.ban,
    certificateInForce: standing.inForce,
    pastSittings: past.map((r) => ({
      registrationId: r.id,
      sessionStartsOn: beijingDay(new Date(r.startsAt)),
      result: r.result,
      theoryScore: num(r.theoryScore),
    })),
  });
}

/** Who may register this person: the worker themself, their employer, or an institution that trained them. */
async function assertMayRegister(db: Executor, actor: Actor, personId: string) {
  if (hasRole(actor, 'worker') && actor.personId === personId) return null;
  if (actor.organizationId && hasRole(actor, 'enterprise', 'training_institution')) {
    const employed = await db
      .selectFrom('employment')
      .select('id')
      .where('personId', '=', personId)
      .where('organizationId', '=', actor.organizationId)
      .where('endDate', 'is', null)
      .executeTakeFirst();
    const trained = await db
      .selectFrom('classTrainee as ct')
      .innerJoin('trainingClass as c', 'c.id', 'ct.classId')
      .select('ct.id')
      .where('ct.personId', '=', personId)
      .where('c.organizationId', '=', actor.organizationId)
      .executeTakeFirst();
    if (employed || trained) return actor.organizationId;
    throw notFound('人员');
  }
  throw forbidden('只有考生本人、所在企业或其培训机构可以报名');
}

export async function register(
  db: Executor,
  actor: Actor,
  planId: string,
  input: { personId?: string; sessionId?: string },
  now: Date,
  requestId?: string,
) {
  const personId = input.personId ?? actor.personId;
  if (!personId)
    throw new DomainError('validation_failed', '请指定考生', [
      { path: 'body.personId', message: 'required' },
    ]);
  const registeredBy = await assertMayRegister(db, actor, personId);
  const plan = await getPlan(db, actor, planId);
  if (plan.status !== 'open') throw new DomainError('conflict', '考试计划已关闭报名');
  return transaction(db, async (trx) => {
    // Lock the plan's sessions so two registrations cannot both take the last seat.
    const sessions = await trx
      .selectFrom('examSession')
      .selectAll()
      .where('planId', '=', plan.id)
      .where('startsAt', '>', now)
      .orderBy('startsAt')
      .forUpdate()
      .execute();
    const counts = new Map(
      (await sessionsOf(trx, [plan.id])).map((s) => [s.id, s.registered ?? 0]),
    );
    // 30号令 第十三条: the exam is held within 60 days of accepting the application, so a special
    // operation candidate can only be booked into a session inside that window.
    const latestStart = new Date(
      now.getTime() + specialOperation.examWithinDays.value * 86_400_000,
    );
    const inWindow = (s: { startsAt: Date }) =>
      plan.certificateKind !== 'special_operation' || s.startsAt <= latestStart;
    const candidates = (
      input.sessionId ? sessions.filter((s) => s.id === input.sessionId) : sessions
    ).filter(inWindow);
    if (input.sessionId && candidates.length === 0) {
      if (sessions.some((s) => s.id === input.sessionId))
        throw new DomainError(
          'rule_violation',
          `该场次在报名受理之日起${specialOperation.examWithinDays.value}日之后开考，不能报名；请选择${specialOperation.examWithinDays.value}日内的场次`,
          [
            {
              path: 'body.sessionId',
              message: 'beyond exam window',
              code: 'beyond_exam_window',
              latestStart: latestStart.toISOString(),
            },
          ],
        );
      throw new DomainError('validation_failed', '场次不存在、不属于该计划或已开考', [
        { path: 'body.sessionId', message: 'not open' },
      ]);
    }
    const session = candidates.find((s) => (counts.get(s.id) ?? 0) < s.capacity);
    if (!session && !input.sessionId && sessions.some((s) => !inWindow(s)))
      throw new DomainError(
        'rule_violation',
        `该计划${specialOperation.examWithinDays.value}日内没有可报名的场次（考试须在受理报名之日起${specialOperation.examWithinDays.value}日内组织）`,
        [
          {
            path: 'body.sessionId',
            message: 'beyond exam window',
            code: 'beyond_exam_window',
            latestStart: latestStart.toISOString(),
          },
        ],
      );
    if (!session)
      throw new DomainError(
        'rule_violation',
        input.sessionId ? '该场次已满' : '该计划没有可报名的场次',
        [{ path: 'body.sessionId', message: 'full', code: 'session_full' }],
      );
    const existing = await trx
      .selectFrom('examRegistration')
      .select(['id', 'status'])
      .where('planId', '=', plan.id)
      .where('personId', '=', personId)
      .executeTakeFirst();
    if (existing && existing.status !== 'withdrawn')
      throw new DomainError('duplicate', '该考生已报名此计划', [
        { path: 'body.personId', message: 'already registered', registrationId: existing.id },
      ]);
    const examDate = beijingDay(new Date(session.startsAt));
    const e = await eligibilityFor(trx, plan, personId, examDate);
    if (!e.eligible) {
      throw new DomainError(
        'rule_violation',
        `不符合报考条件：${refusalMessage(e)}`,
        e.checks
          .filter((c) => !c.passed)
          .map((c) => ({ path: 'body.personId', message: c.message, code: c.code })),
      );
    }
    const values = {
      planId: plan.id,
      sessionId: session.id,
      personId,
      regionCode: plan.regionCode,
      registeredByOrganizationId: registeredBy,
      attempt: e.attempt,
      theoryCarried: e.theoryCarried,
      status: 'registered' as const,
      eligibility: JSON.stringify({
        eligible: e.eligible,
        checks: e.checks,
        judgedAt: now.toISOString(),
        examDate,
      }),
    };
    // Registering again after withdrawing reuses the row (one per person and plan); the audit log
    // keeps the withdrawal.
    const row = existing
      ? await trx
          .updateTable('examRegistration')
          .set(values)
          .where('id', '=', existing.id)
          .returningAll()
          .executeTakeFirstOrThrow()
      : await trx
          .insertInto('examRegistration')
          .values(values)
          .returningAll()
          .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'exam.register',
      entityType: 'exam_registration',
      entityId: row.id,
      regionCode: plan.regionCode,
      after: { ...row, eligibility: undefined },
      summary: `attempt ${e.attempt}`,
      requestId,
      at: now,
    });
    return row.id;
  });
}

export async function withdraw(
  db: Executor,
  actor: Actor,
  id: string,
  now: Date,
  requestId?: string,
) {
  const r = await findRegistration(db, actor, id);
  if (
    !(
      actor.personId === r.personId ||
      (actor.organizationId && actor.organizationId === r.registeredByOrganizationId)
    )
  )
    throw forbidden('只有考生本人或代报名单位可以撤销报名');
  if (r.status !== 'registered') throw new DomainError('conflict', '已签到的考试不能撤销报名');
  await transaction(db, async (trx) => {
    await trx
      .updateTable('examRegistration')
      .set({ status: 'withdrawn' })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'exam.withdraw',
      entityType: 'exam_registration',
      entityId: id,
      regionCode: r.regionCode,
      requestId,
      at: now,
    });
  });
}

async function findRegistration(db: Executor, actor: Actor, id: string) {
  const r = await repo.findRegistrationInScope(db, actor.scope, id);
  if (!r) throw notFound('考试报名');
  return r;
}

async function warningsOf(db: Executor, registrationIds: string[]) {
  if (registrationIds.length === 0) return [];
  return db
    .selectFrom('patrolEvent')
    .selectAll()
    .where('registrationId', 'in', registrationIds)
    .where('kind', 'in', ['warning', 'cancel'])
    .orderBy('at')
    .execute();
}
const patrolView = (e: {
  id: string;
  sessionId: string;
  registrationId: string | null;
  kind: 'observation' | 'warning' | 'cancel';
  note: string;
  recordedBy: string;
  at: Date;
}) => ({ ...e, at: iso(e.at) });

/** Views of registrations, their practical scores and warnings read in one query each (not per row). */
async function registrationViews(db: Executor, actor: Actor, rows: repo.RegistrationDetailRow[]) {
  const ids = rows.map((r) => r.id);
  const scores = ids.length
    ? await db.selectFrom('practicalScore').selectAll().where('registrationId', 'in', ids).execute()
    : [];
  const warnings = (await warningsOf(db, ids)).map(patrolView);
  return rows.map((r) =>
    registrationView(
      actor,
      r,
      scores.filter((x) => x.registrationId === r.id),
      warnings.filter((w) => w.registrationId === r.id),
    ),
  );
}

function registrationView(
  actor: Actor,
  r: repo.RegistrationDetailRow,
  scores: {
    subjectCode: string;
    taskCode: string;
    points: string | null;
    vetoItem: string | null;
    examinerPersonId: string | null;
    startedAt: Date | null;
    scoredAt: Date | null;
  }[],
  warnings: ReturnType<typeof patrolView>[],
) {
  const isCandidate = actor.scope.kind === 'person';
  const published = r.resultsPublishedAt !== null;
  const standard = r.certificateKind === 'special_operation' ? practicalStandard(r.itemCode) : null;
  const practical = (standard?.subjects ?? []).flatMap((s) => {
    const x = scores.find((y) => y.subjectCode === s.code);
    if (!x) return [];
    const task = s.tasks.find((t) => t.code === x.taskCode);
    return [
      {
        subjectCode: s.code,
        subjectName: s.name,
        weight: s.weight,
        taskCode: x.taskCode,
        taskName: task?.name ?? x.taskCode,
        vetoItems: [...s.vetoItems],
        points: num(x.points),
        vetoItem: x.vetoItem,
        examinerPersonId: x.examinerPersonId,
        state: x.scoredAt
          ? ('scored' as const)
          : x.startedAt
            ? ('scoring' as const)
            : ('waiting' as const),
      },
    ];
  });
  const hide = isCandidate && !published;
  const eligibility = r.eligibility as {
    eligible: boolean;
    checks: { code: string; passed: boolean; message: string; evidence: Record<string, unknown> }[];
  };
  return {
    id: r.id,
    planId: r.planId,
    planName: r.planName,
    certificateKind: r.certificateKind,
    itemCode: r.itemCode,
    itemName: itemName(r.itemCode),
    sessionId: r.sessionId,
    siteName: r.siteName,
    room: r.room,
    startsAt: iso(r.startsAt),
    endsAt: iso(r.endsAt),
    personId: r.personId,
    name: r.name,
    attempt: r.attempt,
    theoryCarried: r.theoryCarried,
    status: r.status,
    eligibility: { eligible: eligibility.eligible, checks: eligibility.checks },
    checkedInAt: r.checkedInAt ? iso(r.checkedInAt) : null,
    checkinDecision: r.checkinDecision,
    overrideReason: r.overrideReason,
    // The candidate sees their own theory score at once (the exam is graded on submission); the
    // practical and the result only when published.
    theoryScore: num(r.theoryScore),
    theoryState: r.theoryCarried
      ? ('carried' as const)
      : r.attemptSubmittedAt
        ? ('submitted' as const)
        : r.attemptId
          ? ('running' as const)
          : ('not_started' as const),
    practicalScore: hide ? null : num(r.practicalScore),
    practicalVeto: hide ? null : r.practicalVeto,
    practical: hide ? practical.map((p) => ({ ...p, points: null, vetoItem: null })) : practical,
    result: hide ? null : r.result,
    cancelledReason: r.cancelledReason,
    published,
    certificateId: r.certificateId,
    warnings,
  };
}

export async function getRegistration(db: Executor, actor: Actor, id: string, now: Date) {
  await finalizeExpiredAttempts(db, now);
  return (await registrationViews(db, actor, [await findRegistration(db, actor, id)]))[0];
}

export async function listRegistrations(
  db: Executor,
  actor: Actor,
  filter: { planId?: string; sessionId?: string; personId?: string },
  now: Date,
) {
  await finalizeExpiredAttempts(db, now);
  let q = repo.registrationQuery(db).where((eb) => repo.registrationVisible(eb, actor.scope));
  if (filter.planId) q = q.where('examRegistration.planId', '=', filter.planId);
  if (filter.sessionId) q = q.where('examRegistration.sessionId', '=', filter.sessionId);
  if (filter.personId) q = q.where('examRegistration.personId', '=', filter.personId);
  const rows = await q.orderBy('s.startsAt', 'desc').orderBy('pr.name').limit(500).execute();
  return registrationViews(db, actor, rows);
}

// ——— check-in ———

/** The session's own assigned staff, during its time window: anything outside the plan is refused. */
function assertOnDuty(
  actor: Actor,
  r: {
    siteId: string;
    siteName: string;
    siteStatus: string;
    startsAt: Date;
    endsAt: Date;
    invigilatorIds: string[];
    examinerIds: string[];
    resultsPublishedAt: Date | string | null;
  },
  duty: 'invigilator' | 'examiner',
  now: Date,
) {
  if (!hasRole(actor, 'exam_site') || actor.organizationId !== r.siteId)
    throw forbidden('只有本考点人员可以在考场操作');
  const list = duty === 'invigilator' ? r.invigilatorIds : r.examinerIds;
  if (!actor.personId || !list.includes(actor.personId))
    throw forbidden(`您不是本场次安排的${duty === 'invigilator' ? '监考员' : '考评员'}`);
  // Once the results are out the session is closed: nobody checks in or is scored any more.
  if (r.resultsPublishedAt)
    throw new DomainError(
      'rule_violation',
      `本场次成绩已于 ${iso(new Date(r.resultsPublishedAt))} 发布，考场已关闭，不能再签到或评分`,
      [{ path: 'params.id', message: 'results already published', code: 'results_published' }],
    );
  // A site suspended (停业整顿) or exited after the session was planned hosts it no longer.
  if (r.siteStatus !== 'active')
    throw new DomainError('rule_violation', `考点「${r.siteName}」已停业整顿或退出，不能组织考试`, [
      { path: 'params.id', message: `site ${r.siteStatus}`, code: 'site_inactive' },
    ]);
  const opens =
    new Date(r.startsAt).getTime() -
    (duty === 'invigilator' ? CHECKIN_OPENS_MINUTES_BEFORE * 60_000 : 0);
  if (now.getTime() < opens || now.getTime() > new Date(r.endsAt).getTime()) {
    throw new DomainError(
      'rule_violation',
      `不在考试计划的时间内（${iso(r.startsAt)} – ${iso(r.endsAt)}）`,
      [{ path: 'params.id', message: 'outside the session window', code: 'outside_plan_time' }],
    );
  }
}

export async function checkIn(
  db: Executor,
  actor: Actor,
  id: string,
  imageBase64: string,
  now: Date,
  requestId?: string,
) {
  const r = await findRegistration(db, actor, id);
  assertOnDuty(actor, r, 'invigilator', now);
  if (r.status === 'withdrawn') throw new DomainError('conflict', '该报名已撤销');
  if (r.status === 'checked_in') throw new DomainError('conflict', '考生已签到');
  const face = await verifyFaceOf(
    db,
    actor,
    { id: r.personId, regionCode: r.regionCode },
    imageBase64,
    'exam_check_in',
    { now, requestId },
  );
  const passed = face.decision === 'match';
  await transaction(db, async (trx) => {
    await repo.lockRegistration(trx, id);
    await trx
      .updateTable('examRegistration')
      .set({
        checkinDecision: face.decision,
        checkinScore: face.score,
        checkinVerificationId: face.verificationId ?? null,
        ...(passed ? { status: 'checked_in', checkedInAt: now } : {}),
      })
      .where('id', '=', id)
      .execute();
    if (passed) await drawPractical(trx, r);
    await recordAudit(trx, {
      actor,
      action: passed ? 'exam.checkin' : 'exam.checkin.refused',
      entityType: 'exam_registration',
      entityId: id,
      regionCode: r.regionCode,
      after: { decision: face.decision, score: face.score },
      requestId,
      at: now,
    });
  });
  return {
    checkedIn: passed,
    decision: face.decision,
    score: face.score,
    message: passed
      ? '人脸核验通过，签到成功'
      : `${face.message}：禁止入场；如确属本人，监考员可填写理由人工放行`,
    overridable: !passed && face.decision !== 'refused',
  };
}

/** The practical tasks are drawn when the candidate is in the room, so nobody knows them beforehand. */
async function drawPractical(
  trx: Executor,
  r: { id: string; certificateKind: string; itemCode: string },
) {
  if (r.certificateKind !== 'special_operation') return;
  const standard = practicalStandard(r.itemCode);
  if (!standard) return;
  const tasks = drawPracticalTasks(standard, randomInt);
  await trx
    .insertInto('practicalScore')
    .values(
      tasks.map((t) => ({
        registrationId: r.id,
        subjectCode: t.subjectCode,
        taskCode: t.taskCode,
      })),
    )
    .onConflict((oc) => oc.columns(['registrationId', 'subjectCode']).doNothing())
    .execute();
}

export async function overrideCheckIn(
  db: Executor,
  actor: Actor,
  id: string,
  reason: string,
  now: Date,
  requestId?: string,
) {
  const r = await findRegistration(db, actor, id);
  assertOnDuty(actor, r, 'invigilator', now);
  if (r.status !== 'registered')
    throw new DomainError('conflict', r.status === 'checked_in' ? '考生已签到' : '该报名已撤销');
  if (!r.checkinDecision || r.checkinDecision === 'match')
    throw new DomainError('rule_violation', '须先进行人脸核验；只有核验未通过时才可人工放行', [
      { path: 'params.id', message: 'no failed face check', code: 'face_check_first' },
    ]);
  if (r.checkinDecision === 'refused')
    throw new DomainError('rule_violation', '采集画面不合格，请重新拍照核验', [
      { path: 'params.id', message: 'capture refused', code: 'face_check_first' },
    ]);
  await transaction(db, async (trx) => {
    await repo.lockRegistration(trx, id);
    await trx
      .updateTable('examRegistration')
      .set({
        status: 'checked_in',
        checkedInAt: now,
        overrideReason: reason,
        overrideBy: actor.displayName,
      })
      .where('id', '=', id)
      .execute();
    await drawPractical(trx, r);
    await recordAudit(trx, {
      actor,
      action: 'exam.checkin.override',
      entityType: 'exam_registration',
      entityId: id,
      regionCode: r.regionCode,
      after: { reason, decision: r.checkinDecision, score: r.checkinScore },
      summary: reason,
      requestId,
      at: now,
    });
  });
}

// ——— theory exam ———

function attemptView(
  a: {
    id: string;
    registrationId: string;
    clientToken: string;
    startedAt: Date;
    deadlineAt: Date;
    submittedAt: Date | null;
    score: string | null;
    paper: PaperQuestion[];
  },
  answers: { position: number; choice: number[] }[],
  warnings: ReturnType<typeof patrolView>[],
  now: Date,
) {
  return {
    id: a.id,
    registrationId: a.registrationId,
    clientToken: a.clientToken,
    startedAt: iso(a.startedAt),
    deadlineAt: iso(a.deadlineAt),
    remainingSeconds: a.submittedAt
      ? 0
      : Math.max(0, Math.floor((new Date(a.deadlineAt).getTime() - now.getTime()) / 1000)),
    submitted: a.submittedAt !== null,
    score: num(a.score),
    // Never the answer key: the browser gets stems, options in this candidate's order, and points.
    questions: a.paper.map((q, position) => ({
      position,
      kind: q.kind,
      stem: q.stem,
      options: q.options,
      points: q.points,
    })),
    answers,
    warnings,
  };
}

/**
 * Starts the candidate's theory exam, or resumes it: a reload or a dropped network comes back to the
 * same paper with every saved answer. Opening it in a new tab or device takes over (the old one is
 * refused from then on), so there is one active exam per candidate.
 */
export async function startTheory(
  db: Executor,
  actor: Actor,
  registrationId: string,
  now: Date,
  requestId?: string,
) {
  const r = await findRegistration(db, actor, registrationId);
  if (!hasRole(actor, 'worker') || actor.personId !== r.personId)
    throw forbidden('只有考生本人可以参加考试');
  if (r.theoryCarried)
    throw new DomainError('conflict', '上次理论考试成绩在有效期内，本次只考实操');
  if (r.status !== 'checked_in')
    throw new DomainError('rule_violation', '尚未在考场签到', [
      { path: 'params.id', message: 'not checked in', code: 'not_checked_in' },
    ]);
  if (r.cancelledReason)
    throw new DomainError('rule_violation', `本场考试成绩已被取消：${r.cancelledReason}`, [
      { path: 'params.id', message: 'cancelled', code: 'score_cancelled' },
    ]);
  if (now < new Date(r.startsAt) || now > new Date(r.endsAt))
    throw new DomainError(
      'rule_violation',
      `不在考试计划的时间内（${iso(r.startsAt)} – ${iso(r.endsAt)}）`,
      [{ path: 'params.id', message: 'outside the session window', code: 'outside_plan_time' }],
    );
  await finalizeExpiredAttempts(db, now);
  const attempt = await transaction(db, async (trx) => {
    await repo.lockRegistration(trx, r.id);
    const clientToken = randomBytes(18).toString('base64url');
    const existing = await trx
      .selectFrom('theoryAttempt')
      .selectAll()
      .where('registrationId', '=', r.id)
      .executeTakeFirst();
    if (existing) {
      if (existing.submittedAt) return existing;
      const row = await trx
        .updateTable('theoryAttempt')
        .set({ clientToken })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor,
        action: 'exam.theory.resume',
        entityType: 'theory_attempt',
        entityId: existing.id,
        regionCode: r.regionCode,
        requestId,
        at: now,
      });
      return row;
    }
    const bp = await trx
      .selectFrom('paperBlueprint')
      .selectAll()
      .where('id', '=', r.blueprintId)
      .executeTakeFirstOrThrow();
    const pool = await trx
      .selectFrom('question')
      .select(['id', 'kind', 'stem', 'options', 'answer', 'knowledgePoint'])
      .where('authorityId', '=', r.authorityId)
      .where('itemCode', '=', r.itemCode)
      .where('status', '=', 'active')
      .execute();
    let paper: PaperQuestion[];
    try {
      paper = drawPaper(bp.parts, pool, randomInt);
    } catch {
      throw new DomainError('conflict', '题库题量不足，无法组卷；请联系考试机构');
    }
    const deadlineAt = new Date(
      Math.min(now.getTime() + bp.durationMinutes * 60_000, new Date(r.endsAt).getTime()),
    );
    const row = await trx
      .insertInto('theoryAttempt')
      .values({
        registrationId: r.id,
        paper: JSON.stringify(paper),
        clientToken,
        startedAt: now,
        deadlineAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'exam.theory.start',
      entityType: 'theory_attempt',
      entityId: row.id,
      regionCode: r.regionCode,
      after: { registrationId: r.id, deadlineAt, questions: paper.map((q) => q.questionId) },
      requestId,
      at: now,
    });
    return row;
  });
  const answers = await db
    .selectFrom('theoryAnswer')
    .select(['position', 'choice'])
    .where('attemptId', '=', attempt.id)
    .orderBy('position')
    .execute();
  return attemptView(attempt, answers, (await warningsOf(db, [r.id])).map(patrolView), now);
}

async function ownAttempt(db: Executor, actor: Actor, attemptId: string) {
  const a = await db
    .selectFrom('theoryAttempt as a')
    .innerJoin('examRegistration as r', 'r.id', 'a.registrationId')
    .selectAll('a')
    .select(['r.personId', 'r.regionCode', 'r.cancelledReason'])
    .where('a.id', '=', attemptId)
    .executeTakeFirst();
  if (!a || !actor.personId || a.personId !== actor.personId) throw notFound('考试');
  return a;
}

function assertHolder(a: { clientToken: string }, clientToken: string) {
  if (a.clientToken !== clientToken)
    throw new DomainError('conflict', '考试已在其他页面或设备上打开，本页面不能再作答', [
      { path: 'body.clientToken', message: 'superseded', code: 'session_superseded' },
    ]);
}

/**
 * What a save needs to know of a paper, which never changes once drawn: whose it is and, per
 * position, how many options and whether several may be ticked. Kept per process so a save never
 * reads the paper itself (tens of KB of JSON) — thousands of candidates save every few seconds.
 */
const paperShapes = new Map<
  string,
  { personId: string; shape: { options: number; multiple: boolean }[] }
>();
const PAPER_SHAPES_MAX = 20_000;

async function paperShape(db: Executor, attemptId: string) {
  const cached = paperShapes.get(attemptId);
  if (cached) return cached;
  const row = await db
    .selectFrom('theoryAttempt as a')
    .innerJoin('examRegistration as r', 'r.id', 'a.registrationId')
    .select(['r.personId', 'a.paper'])
    .where('a.id', '=', attemptId)
    .executeTakeFirst();
  if (!row) return null;
  const entry = {
    personId: row.personId,
    shape: row.paper.map((q) => ({ options: q.options.length, multiple: q.kind === 'multiple' })),
  };
  if (paperShapes.size >= PAPER_SHAPES_MAX) paperShapes.delete(paperShapes.keys().next().value!);
  paperShapes.set(attemptId, entry);
  return entry;
}

/**
 * Autosave of one answer: one statement that saves only if the caller's tab still holds the exam,
 * it is not submitted or cancelled and the time is not up. When it saves nothing, the slow path
 * finds out why (and submits the paper if the time is up).
 */
export async function saveAnswer(
  db: Executor,
  actor: Actor,
  attemptId: string,
  position: number,
  body: { clientToken: string; choice: number[] },
  now: Date,
) {
  const paper = await paperShape(db, attemptId);
  if (!paper || !actor.personId || paper.personId !== actor.personId) throw notFound('考试');
  const q = paper.shape[position];
  if (!q)
    throw new DomainError('validation_failed', '题号不存在', [
      { path: 'params.position', message: 'out of range' },
    ]);
  const choice = [...new Set(body.choice)].sort((x, y) => x - y);
  if (choice.some((c) => c >= q.options))
    throw new DomainError('validation_failed', '选项不存在', [
      { path: 'body.choice', message: 'out of range' },
    ]);
  if (!q.multiple && choice.length > 1)
    throw new DomainError('validation_failed', '单选题和判断题只能选一项', [
      { path: 'body.choice', message: 'one choice only' },
    ]);
  // Answers are exam records, not audit entries: one row per question, overwritten by each save.
  const saved = await queryPrepared(
    db,
    'exam_save_answer',
    sql<{ deadlineAt: Date }>`
    with open as (
      select a.id, a.deadline_at from theory_attempt a join exam_registration r on r.id = a.registration_id
      where a.id = ${attemptId} and r.person_id = ${actor.personId} and a.client_token = ${body.clientToken}
        and a.submitted_at is null and r.cancelled_reason is null and a.deadline_at >= ${now}
    ), saved as (
      insert into theory_answer (attempt_id, position, choice, saved_at)
      select id, ${position}, ${choice}::smallint[], ${now} from open
      on conflict (attempt_id, position) do update set choice = excluded.choice, saved_at = excluded.saved_at
    )
    select deadline_at from open`.compile(db),
  );
  const deadline = saved[0]?.deadlineAt;
  if (deadline)
    return {
      position,
      savedAt: iso(now),
      remainingSeconds: Math.max(
        0,
        Math.floor((new Date(deadline).getTime() - now.getTime()) / 1000),
      ),
    };

  const a = await ownAttempt(db, actor, attemptId);
  assertHolder(a, body.clientToken);
  if (a.cancelledReason)
    throw new DomainError('rule_violation', `本场考试成绩已被取消：${a.cancelledReason}`, [
      { path: 'params.id', message: 'cancelled', code: 'score_cancelled' },
    ]);
  if (a.submittedAt)
    throw new DomainError('conflict', '试卷已交卷', [
      { path: 'params.id', message: 'submitted', code: 'submitted' },
    ]);
  await finalizeAttempt(db, a.id, now, true);
  throw new DomainError('conflict', '考试时间已到，试卷已自动交卷', [
    { path: 'params.id', message: 'time is up', code: 'time_up' },
  ]);
}

export async function getAttempt(db: Executor, actor: Actor, attemptId: string, now: Date) {
  const a0 = await ownAttempt(db, actor, attemptId);
  if (!a0.submittedAt && now > new Date(a0.deadlineAt)) await finalizeAttempt(db, a0.id, now, true);
  const a = await ownAttempt(db, actor, attemptId);
  const answers = await db
    .selectFrom('theoryAnswer')
    .select(['position', 'choice'])
    .where('attemptId', '=', a.id)
    .orderBy('position')
    .execute();
  return attemptView(a, answers, (await warningsOf(db, [a.registrationId])).map(patrolView), now);
}

export async function submitAttempt(
  db: Executor,
  actor: Actor,
  attemptId: string,
  clientToken: string,
  now: Date,
) {
  const a = await ownAttempt(db, actor, attemptId);
  assertHolder(a, clientToken);
  const late = now > new Date(a.deadlineAt);
  const done = await finalizeAttempt(db, a.id, late ? new Date(a.deadlineAt) : now, late);
  return {
    score: done.score,
    passed: done.score >= exams.passMark.value,
    passMark: exams.passMark.value,
    autoSubmitted: done.autoSubmitted,
  };
}

/** Grades and closes an attempt once (idempotent: a second call returns the first grading). */
async function finalizeAttempt(db: Executor, attemptId: string, at: Date, auto: boolean) {
  return transaction(db, async (trx) => {
    const a = await trx
      .selectFrom('theoryAttempt')
      .selectAll()
      .where('id', '=', attemptId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (a.submittedAt) return { score: Number(a.score), autoSubmitted: a.autoSubmitted };
    const rows = await trx
      .selectFrom('theoryAnswer')
      .select(['position', 'choice'])
      .where('attemptId', '=', a.id)
      .execute();
    const score = gradePaper(a.paper, new Map(rows.map((x) => [x.position, x.choice])));
    const submittedAt = auto
      ? new Date(Math.min(at.getTime(), new Date(a.deadlineAt).getTime()))
      : at;
    await trx
      .updateTable('theoryAttempt')
      .set({ submittedAt, autoSubmitted: auto, score })
      .where('id', '=', a.id)
      .execute();
    const reg = await trx
      .updateTable('examRegistration')
      .set({ theoryScore: score })
      .where('id', '=', a.registrationId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await settleResult(trx, reg.id);
    await recordAudit(trx, {
      actor: 'system:exam',
      action: auto ? 'exam.theory.autosubmit' : 'exam.theory.submit',
      entityType: 'theory_attempt',
      entityId: a.id,
      regionCode: reg.regionCode,
      after: { score, answered: rows.length, questions: a.paper.length },
      at: submittedAt,
    });
    return { score, autoSubmitted: auto };
  });
}

/** Closes every attempt whose time is up (called on reads and by the server's timer). */
export async function finalizeExpiredAttempts(db: Executor, now: Date): Promise<number> {
  const due = await db
    .selectFrom('theoryAttempt')
    .select('id')
    .where('submittedAt', 'is', null)
    .where('deadlineAt', '<', now)
    .limit(500)
    .execute();
  for (const a of due) await finalizeAttempt(db, a.id, now, true);
  return due.length;
}

/** Recomputes a registration's result from its scores (null while something is still to be scored). */
async function settleResult(trx: Executor, registrationId: string) {
  const r = await trx
    .selectFrom('examRegistration as r')
    .innerJoin('examPlan as p', 'p.id', 'r.planId')
    .selectAll('r')
    .select('p.certificateKind')
    .select('p.itemCode')
    .where('r.id', '=', registrationId)
    .executeTakeFirstOrThrow();
  const standard = r.certificateKind === 'special_operation' ? practicalStandard(r.itemCode) : null;
  let practical: ReturnType<typeof practicalOutcome> = null;
  if (standard) {
    const scores = await trx
      .selectFrom('practicalScore')
      .selectAll()
      .where('registrationId', '=', r.id)
      .execute();
    practical = practicalOutcome(
      scores.map((s) => ({
        subjectCode: s.subjectCode,
        points: num(s.points),
        vetoItem: s.vetoItem,
      })),
      standard,
    );
  }
  const result = sittingResult({
    theoryScore: num(r.theoryScore),
    theoryCarried: r.theoryCarried,
    needsPractical: standard !== null,
    practical,
    cancelled: r.cancelledReason !== null,
    checkedIn: r.status === 'checked_in',
  });
  await trx
    .updateTable('examRegistration')
    .set({
      result: result === 'absent' ? null : result,
      practicalScore: practical?.score ?? null,
      practicalVeto: practical?.veto ?? null,
    })
    .where('id', '=', r.id)
    .execute();
}

// ——— practical ———

function theoryPassed(r: { theoryCarried: boolean; theoryScore: string | null }) {
  return (
    r.theoryCarried || (r.theoryScore !== null && Number(r.theoryScore) >= exams.passMark.value)
  );
}

/** One subject's score row, with its candidate locked: starts and scores of a candidate serialize. */
async function lockedSubject(trx: Executor, registrationId: string, subjectCode: string) {
  await repo.lockRegistration(trx, registrationId);
  const row = await trx
    .selectFrom('practicalScore')
    .selectAll()
    .where('registrationId', '=', registrationId)
    .where('subjectCode', '=', subjectCode)
    .executeTakeFirst();
  if (!row) throw notFound('实操科目');
  return row;
}

/** The examiner takes one subject of one candidate; refused while they are scoring someone else. */
export async function startPracticalSubject(
  db: Executor,
  actor: Actor,
  registrationId: string,
  subjectCode: string,
  now: Date,
  requestId?: string,
) {
  const r = await findRegistration(db, actor, registrationId);
  assertOnDuty(actor, r, 'examiner', now);
  if (r.status !== 'checked_in')
    throw new DomainError('rule_violation', '考生尚未签到', [
      { path: 'params.id', message: 'not checked in', code: 'not_checked_in' },
    ]);
  if (r.cancelledReason)
    throw new DomainError('rule_violation', `本场考试成绩已被取消：${r.cancelledReason}`, [
      { path: 'params.id', message: 'cancelled', code: 'score_cancelled' },
    ]);
  if (!theoryPassed(r))
    throw new DomainError('rule_violation', '理论考试合格后方可参加实操考试', [
      { path: 'params.id', message: 'theory not passed', code: 'theory_not_passed' },
    ]);
  return transaction(db, async (trx) => {
    const row = await lockedSubject(trx, r.id, subjectCode);
    if (row.scoredAt) throw new DomainError('conflict', `${subjectCode} 已评分`);
    if (row.startedAt && row.examinerPersonId !== actor.personId)
      throw new DomainError('conflict', `${subjectCode} 正由另一位考评员评分`, [
        { path: 'params.subject', message: 'taken', code: 'subject_taken' },
      ]);
    const busy = await trx
      .selectFrom('practicalScore as ps')
      .innerJoin('examRegistration as r', 'r.id', 'ps.registrationId')
      .innerJoin('person as p', 'p.id', 'r.personId')
      .select(['ps.id', 'ps.subjectCode', 'p.name', 'ps.registrationId'])
      .where('ps.examinerPersonId', '=', actor.personId!)
      .where('ps.startedAt', 'is not', null)
      .where('ps.scoredAt', 'is', null)
      .executeTakeFirst();
    if (busy && busy.id !== row.id) {
      throw new DomainError(
        'conflict',
        `您正在为 ${busy.name} 评 ${busy.subjectCode}，评完后才能评下一位考生`,
        [
          {
            path: 'params.id',
            message: 'examiner busy',
            code: 'examiner_busy',
            registrationId: busy.registrationId,
          },
        ],
      );
    }
    await trx
      .updateTable('practicalScore')
      .set({ examinerPersonId: actor.personId, startedAt: now })
      .where('id', '=', row.id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'exam.practical.start',
      entityType: 'practical_score',
      entityId: row.id,
      regionCode: r.regionCode,
      after: { subjectCode, taskCode: row.taskCode },
      requestId,
      at: now,
    });
    return getRegistration(trx, actor, r.id, now);
  });
}

export async function scorePracticalSubject(
  db: Executor,
  actor: Actor,
  registrationId: string,
  subjectCode: string,
  body: { points: number; vetoItem: string | null; note?: string },
  now: Date,
  requestId?: string,
) {
  const r = await findRegistration(db, actor, registrationId);
  assertOnDuty(actor, r, 'examiner', now);
  const standard = practicalStandard(r.itemCode);
  const subject = standard?.subjects.find((s) => s.code === subjectCode);
  if (!subject) throw notFound('实操科目');
  if (body.points > subject.weight)
    throw new DomainError(
      'validation_failed',
      `${subject.code} ${subject.name} 满分 ${subject.weight} 分`,
      [{ path: 'body.points', message: `max ${subject.weight}` }],
    );
  return transaction(db, async (trx) => {
    const row = await lockedSubject(trx, r.id, subjectCode);
    if (row.scoredAt) throw new DomainError('conflict', `${subjectCode} 已评分，成绩不能修改`);
    if (!row.startedAt || row.examinerPersonId !== actor.personId)
      throw new DomainError('conflict', '请先开始本科目评分（一名考评员同一时间只评一名考生）', [
        { path: 'params.subject', message: 'not started by you', code: 'not_scoring' },
      ]);
    await trx
      .updateTable('practicalScore')
      .set({
        points: round2(body.points),
        vetoItem: body.vetoItem,
        note: body.note ?? null,
        scoredAt: now,
      })
      .where('id', '=', row.id)
      .execute();
    await settleResult(trx, r.id);
    await recordAudit(trx, {
      actor,
      action: 'exam.practical.score',
      entityType: 'practical_score',
      entityId: row.id,
      regionCode: r.regionCode,
      after: { subjectCode, points: body.points, vetoItem: body.vetoItem },
      requestId,
      at: now,
    });
    return getRegistration(trx, actor, r.id, now);
  });
}

/** The examiner's candidates in a session, with the tasks drawn for them. */
export async function sessionBoard(db: Executor, actor: Actor, sessionId: string, now: Date) {
  const session = await db
    .selectFrom('examSession')
    .selectAll()
    .where('id', '=', sessionId)
    .executeTakeFirst();
  const mayLook =
    session &&
    ((hasRole(actor, 'exam_site') && actor.organizationId === session.siteId) ||
      (actor.scope.kind === 'region' && session.regionCode.startsWith(actor.scope.regionCode)));
  if (!session || !mayLook) throw notFound('考试场次');
  return listRegistrations(db, actor, { sessionId }, now);
}

// ——— patrol ———

function assertPatroller(actor: Actor) {
  if (!hasRole(actor, 'exam_authority', 'regulator') || actor.scope.kind !== 'region')
    throw forbidden('只有考试机构或监管部门的巡考人员可以巡考');
  return actor.scope.regionCode;
}

/** Sessions running now (or within the hour) in the patroller's jurisdiction, with every candidate's progress. */
export async function runningSessions(db: Executor, actor: Actor, now: Date) {
  const region = assertPatroller(actor);
  await finalizeExpiredAttempts(db, now);
  const sessions = await db
    .selectFrom('examSession as s')
    .innerJoin('organization as o', 'o.id', 's.siteId')
    .innerJoin('examPlan as p', 'p.id', 's.planId')
    .selectAll('s')
    .select([
      'o.name as siteName',
      'p.name as planName',
      'p.certificateKind',
      'p.itemCode',
      (eb) =>
        eb
          .selectFrom('examRegistration as r')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('r.sessionId', '=', 's.id')
          .where('r.status', '!=', 'withdrawn')
          .as('registered'),
    ])
    .where('s.regionCode', 'like', `${region}%`)
    .where('s.startsAt', '<=', new Date(now.getTime() + 60 * 60_000))
    .where('s.endsAt', '>=', now)
    .orderBy('s.startsAt')
    .execute();
  return Promise.all(
    sessions.map(async (s) => {
      const candidates = await db
        .selectFrom('examRegistration as r')
        .innerJoin('person as p', 'p.id', 'r.personId')
        .leftJoin('theoryAttempt as a', 'a.registrationId', 'r.id')
        .select([
          'r.id',
          'p.name',
          'r.status',
          'r.result',
          'r.cancelledReason',
          'r.theoryCarried',
          'a.id as attemptId',
          'a.submittedAt',
          sql<number>`coalesce(jsonb_array_length(a.paper), 0)`.as('questions'),
          (eb) =>
            eb
              .selectFrom('theoryAnswer as x')
              .select(sql<number>`count(*)::int`.as('n'))
              .whereRef('x.attemptId', '=', 'a.id')
              .as('answered'),
        ])
        .where('r.sessionId', '=', s.id)
        .where('r.status', '!=', 'withdrawn')
        .orderBy('p.name')
        .execute();
      const events = await db
        .selectFrom('patrolEvent')
        .selectAll()
        .where('sessionId', '=', s.id)
        .orderBy('at', 'desc')
        .limit(50)
        .execute();
      return {
        ...sessionView(s, now),
        planName: s.planName,
        itemName: itemName(s.itemCode),
        candidates: candidates.map((c) => ({
          registrationId: c.id,
          name: c.name,
          status: c.status,
          theoryState: c.theoryCarried
            ? 'carried'
            : c.submittedAt
              ? 'submitted'
              : c.attemptId
                ? 'running'
                : 'not_started',
          answered: c.answered ?? 0,
          questions: Number(c.questions),
          result: c.result,
          cancelledReason: c.cancelledReason,
        })),
        events: events.map(patrolView),
      };
    }),
  );
}

/**
 * A patrol entry: an observation, a warning to a candidate (shown in their exam), or the cancellation
 * of a candidate's score for this session (RULES.md §D misconduct), which ends their exam at once.
 */
export async function recordPatrol(
  db: Executor,
  actor: Actor,
  sessionId: string,
  input: { kind: 'observation' | 'warning' | 'cancel'; note: string; registrationId?: string },
  now: Date,
  requestId?: string,
) {
  const region = assertPatroller(actor);
  const s = await db
    .selectFrom('examSession')
    .selectAll()
    .where('id', '=', sessionId)
    .where('regionCode', 'like', `${region}%`)
    .executeTakeFirst();
  if (!s) throw notFound('考试场次');
  if (input.kind !== 'observation' && !input.registrationId)
    throw new DomainError('validation_failed', '警告和取消成绩须指定考生', [
      { path: 'body.registrationId', message: 'required' },
    ]);
  return transaction(db, async (trx) => {
    if (input.registrationId) {
      const r = await trx
        .selectFrom('examRegistration')
        .select(['id', 'sessionId', 'status'])
        .where('id', '=', input.registrationId)
        .forUpdate()
        .executeTakeFirst();
      if (!r || r.sessionId !== s.id)
        throw new DomainError('validation_failed', '考生不在该场次', [
          { path: 'body.registrationId', message: 'not in session' },
        ]);
      if (input.kind === 'cancel') {
        if (s.resultsPublishedAt) throw new DomainError('conflict', '成绩已发布，不能再取消');
        await trx
          .updateTable('examRegistration')
          .set({ cancelledReason: input.note, result: 'cancelled' })
          .where('id', '=', r.id)
          .execute();
        // The running exam ends now; the score it gets no longer counts.
        await trx
          .updateTable('theoryAttempt')
          .set({ submittedAt: now })
          .where('registrationId', '=', r.id)
          .where('submittedAt', 'is', null)
          .execute();
      }
    }
    const row = await trx
      .insertInto('patrolEvent')
      .values({
        sessionId: s.id,
        registrationId: input.registrationId ?? null,
        regionCode: s.regionCode,
        kind: input.kind,
        note: input.note,
        recordedBy: actor.displayName,
        at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: `exam.patrol.${input.kind}`,
      entityType: 'patrol_event',
      entityId: row.id,
      regionCode: s.regionCode,
      after: row,
      summary: input.note,
      requestId,
      at: now,
    });
    return patrolView(row);
  });
}

// ——— results and certificates ———

/**
 * Publishes a session's results (RULES.md §A: within 10 working days). Every candidate must have an
 * outcome: those who never checked in are absent; a running exam must be finished first.
 */
export async function publishResults(
  db: Executor,
  actor: Actor,
  sessionId: string,
  now: Date,
  requestId?: string,
) {
  const authorityId = requireAuthority(actor);
  await finalizeExpiredAttempts(db, now);
  return transaction(db, async (trx) => {
    const s = await trx
      .selectFrom('examSession as s')
      .innerJoin('examPlan as p', 'p.id', 's.planId')
      .selectAll('s')
      .where('s.id', '=', sessionId)
      .where('p.authorityId', '=', authorityId)
      .forUpdate()
      .executeTakeFirst();
    if (!s) throw notFound('考试场次');
    if (s.resultsPublishedAt) throw new DomainError('conflict', '成绩已发布');
    if (now < new Date(s.endsAt))
      throw new DomainError('rule_violation', '考试结束后才能发布成绩', [
        { path: 'params.id', message: 'session not over', code: 'session_running' },
      ]);
    const regs = await trx
      .selectFrom('examRegistration as r')
      .innerJoin('person as p', 'p.id', 'r.personId')
      .select(['r.id', 'r.status', 'r.result', 'p.name'])
      .where('r.sessionId', '=', s.id)
      .where('r.status', '!=', 'withdrawn')
      .execute();
    for (const r of regs.filter((x) => x.status === 'registered'))
      await trx
        .updateTable('examRegistration')
        .set({ result: 'absent' })
        .where('id', '=', r.id)
        .execute();
    const pending = regs.filter((x) => x.status === 'checked_in' && x.result === null);
    if (pending.length) {
      throw new DomainError(
        'rule_violation',
        `尚有 ${pending.length} 名考生成绩未评定`,
        pending.map((p) => ({
          path: 'params.id',
          message: `${p.name} 的考试尚未评完`,
          code: 'unscored',
          registrationId: p.id,
        })),
      );
    }
    await trx
      .updateTable('examSession')
      .set({ resultsPublishedAt: now })
      .where('id', '=', s.id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: 'exam.results.publish',
      entityType: 'exam_session',
      entityId: s.id,
      regionCode: s.regionCode,
      after: { candidates: regs.length },
      requestId,
      at: now,
    });
    return { published: regs.length };
  });
}

/** The certificate of a passed, published result (within the 12 months the score is valid). */
export async function certifyResult(
  db: Executor,
  actor: Actor,
  registrationId: string,
  now: Date,
  requestId?: string,
) {
  const authorityId = requireAuthority(actor);
  const r = await findRegistration(db, actor, registrationId);
  if (r.authorityId !== authorityId) throw forbidden('只能为本考试机构的考试发证');
  if (r.result !== 'pass' || !r.resultsPublishedAt)
    throw new DomainError('rule_violation', '只有已发布且合格的考试成绩可以发证', [
      { path: 'params.id', message: 'no published pass', code: 'not_passed' },
    ]);
  const until = new Date(r.resultsPublishedAt);
  until.setUTCMonth(until.getUTCMonth() + exams.scoreValidMonths.value);
  if (now > until)
    throw new DomainError(
      'rule_violation',
      `考试成绩有效期（${exams.scoreValidMonths.value} 个月）已过`,
      [{ path: 'params.id', message: 'score expired', code: 'score_expired' }],
    );
  if (r.certificateId)
    throw new DomainError('duplicate', '该考试成绩已发证', [
      { path: 'params.id', message: 'issued', certificateId: r.certificateId },
    ]);
  return issueCertificate(
    db,
    actor,
    {
      kind: r.certificateKind,
      personId: r.personId,
      operationItemCode: r.itemCode,
      issuedOn: beijingDay(now),
      resultRef: r.id,
    },
    { now, requestId },
  );
}
