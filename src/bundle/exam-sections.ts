import { randomBytes } from 'node:crypto';
import { competencyCategories, findOperationItem } from '../catalog/operations.js';
import { practicalStandard } from '../catalog/practical.js';
import type { StoredEligibility } from '../modules/exams/exams.contract.js';
import { questionProblem } from '../modules/exams/exams.rules.js';
import type { PaperQuestion } from '../modules/exams/exams.table.js';
import type { FaceDecision } from '../modules/faces/faces.rules.js';
import type { Executor } from '../platform/db/database.js';
import type { Bundle, BundleError, BundleSection } from './bundle.contract.js';
import * as repo from './bundle.repository.js';

/**
 * The exam sections of the bundle (questions → blueprints → exam plans → sessions → registrations,
 * which carry check-in, scores and the result → theory attempts with their answers, practical scores,
 * patrol events). Like training, exam records from another system are history: the planning rules
 * (training-run sites, double-booked examiners, eligibility) do not refuse them, and the eligibility
 * evidence frozen on a registration is carried verbatim, never re-judged. What is refused is what
 * cannot be a record: a dangling ref, an impossible span, an answer outside its question's options,
 * a second registration of a person for a plan, a second attempt of a registration.
 */

export type Err = (
  section: BundleSection,
  index: number,
  ref: string,
  field: string,
  code: string,
  message: string,
) => void;
export type Take = (
  section: BundleSection,
  ref: string,
  regionCode: string | null,
  opts?: { id?: string; keepRef?: boolean },
) => { id: string; isNew: boolean };
export type IdOf = (section: BundleSection, ref: string) => Promise<string>;

/** What the registry validation knows, for the exam and certificate sections. */
export interface SectionContext {
  /** organization ref → kind and region, for records in the file and those already in the database. */
  orgInfo: Map<string, { kind: string; regionCode: string }>;
  /** organization ref → id, for organizations already in the database (by ref or credit code). */
  orgIds: Map<string, string>;
  personKnown: (ref: string) => boolean;
  /** person ref → id, for persons already in the database (by ref or ID number). */
  personIds: Map<string, string>;
  /** ref → existing id per section; a section may add records it links by a natural key. */
  existing: Record<BundleSection, Map<string, string>>;
}

const span = (a: string, b: string) => Date.parse(b) > Date.parse(a);
const refsOf = (rows: { ref: string }[] | undefined) => new Set((rows ?? []).map((r) => r.ref));

export async function refsInDb(
  db: Executor,
  section: BundleSection,
  wanted: Iterable<string>,
  inFile: Set<string>,
): Promise<Map<string, string>> {
  return repo.findRefs(
    db,
    section,
    [...new Set(wanted)].filter((r) => !inFile.has(r)),
  );
}

/** Whether an item code exists for a certificate kind (retired items too: records are history). */
export function itemKnown(kind: 'special_operation' | 'competency', code: string): boolean {
  return kind === 'special_operation'
    ? !!findOperationItem(code)
    : competencyCategories.some((c) => c.code === code);
}

/** Organization refs the exam sections use (the registry validation resolves them). */
export function examOrganizationRefs(b: Bundle): string[] {
  return [
    ...[...(b.questions ?? []), ...(b.blueprints ?? []), ...(b.examPlans ?? [])].map(
      (r) => r.authorityRef,
    ),
    ...(b.examSessions ?? []).map((s) => s.siteRef),
    ...(b.examRegistrations ?? []).flatMap((r) =>
      r.registeredByOrganizationRef ? [r.registeredByOrganizationRef] : [],
    ),
    ...(b.examRegistrations ?? []).flatMap((r) => (r.checkinSiteRef ? [r.checkinSiteRef] : [])),
    ...(b.theoryAttempts ?? []).flatMap((a) => (a.siteRef ? [a.siteRef] : [])),
  ];
}

/** Person refs the exam sections use. */
export function examPersonRefs(b: Bundle): string[] {
  return [
    ...(b.examSessions ?? []).flatMap((s) => [...s.invigilatorRefs, ...s.examinerRefs]),
    ...(b.examRegistrations ?? []).map((r) => r.personRef),
    ...(b.practicalScores ?? []).flatMap((p) => (p.examinerRef ? [p.examinerRef] : [])),
  ];
}

async function planItems(
  db: Executor,
  planIds: string[],
): Promise<Map<string, { certificateKind: string; itemCode: string }>> {
  if (planIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('examPlan')
    .select(['id', 'certificateKind', 'itemCode'])
    .where('id', 'in', [...new Set(planIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Validates the exam sections; never writes. */
export async function validateExamSections(
  db: Executor,
  b: Bundle,
  ctx: SectionContext,
  push: (e: BundleError) => void,
): Promise<void> {
  const err: Err = (section, index, ref, field, code, message) =>
    push({ section, index, ref, field, code, message });
  const { orgInfo, existing } = ctx;
  const questions = b.questions ?? [];
  const blueprints = b.blueprints ?? [];
  const plans = b.examPlans ?? [];
  const sessions = b.examSessions ?? [];
  const registrations = b.examRegistrations ?? [];
  const attempts = b.theoryAttempts ?? [];
  const practical = b.practicalScores ?? [];
  const patrol = b.patrolEvents ?? [];
  const questionRefs = refsOf(questions);
  const blueprintRefs = refsOf(blueprints);
  const planRefs = refsOf(plans);
  const sessionRefs = refsOf(sessions);
  const registrationRefs = refsOf(registrations);

  const dbQuestions = await refsInDb(
    db,
    'questions',
    attempts.flatMap((a) => a.paper.map((q) => q.questionRef)),
    questionRefs,
  );
  const dbBlueprints = await refsInDb(
    db,
    'blueprints',
    plans.map((p) => p.blueprintRef),
    blueprintRefs,
  );
  const dbPlans = await refsInDb(
    db,
    'examPlans',
    sessions.map((s) => s.planRef),
    planRefs,
  );
  const dbSessions = await refsInDb(
    db,
    'examSessions',
    registrations.map((r) => r.sessionRef).concat(patrol.map((p) => p.sessionRef)),
    sessionRefs,
  );
  const dbRegistrations = await refsInDb(
    db,
    'examRegistrations',
    [...attempts, ...practical]
      .map((r) => r.registrationRef)
      .concat(patrol.flatMap((p) => (p.registrationRef ? [p.registrationRef] : []))),
    registrationRefs,
  );
  const dbSessionPlan = new Map(
    dbSessions.size
      ? (
          await db
            .selectFrom('examSession')
            .select(['id', 'planId'])
            .where('id', 'in', [...dbSessions.values()])
            .execute()
        ).map((s) => [s.id, s.planId])
      : [],
  );
  const dbRegistrationRows = new Map(
    dbRegistrations.size
      ? (
          await db
            .selectFrom('examRegistration')
            .select(['id', 'sessionId'])
            .where('id', 'in', [...dbRegistrations.values()])
            .execute()
        ).map((r) => [r.id, r])
      : [],
  );

  const exists = (
    section: BundleSection,
    i: number,
    ref: string,
    field: string,
    target: string,
    inFile: Set<string>,
    inDb: Map<string, string>,
  ) => {
    if (inFile.has(target) || inDb.has(target)) return true;
    err(section, i, ref, field, 'dangling_ref', `${field}「${target}」不存在`);
    return false;
  };
  const person = (
    section: BundleSection,
    i: number,
    ref: string,
    field: string,
    personRef: string,
  ) => {
    if (!ctx.personKnown(personRef))
      err(section, i, ref, field, 'dangling_ref', `${field}「${personRef}」不存在`);
  };
  const org = (
    section: BundleSection,
    i: number,
    ref: string,
    field: string,
    orgRef: string,
    kind: string,
    message: string,
  ) => {
    const o = orgInfo.get(orgRef);
    if (!o) err(section, i, ref, field, 'dangling_ref', `${field}「${orgRef}」不存在`);
    else if (o.kind !== kind)
      err(
        section,
        i,
        ref,
        field,
        kind === 'exam_site' ? 'not_exam_site' : 'not_exam_authority',
        message,
      );
  };

  // Questions: one stem per authority and item; a stem already in the authority's bank is linked.
  const stems = new Map<string, string>();
  for (const [i, q] of questions.entries()) {
    org(
      'questions',
      i,
      q.ref,
      'authorityRef',
      q.authorityRef,
      'exam_authority',
      '题库只属于考试机构',
    );
    const problem = questionProblem(q);
    if (problem) err('questions', i, q.ref, problem.path, 'bad_question', problem.message);
    const key = `${q.authorityRef}\u0000${q.itemCode}\u0000${q.stem}`;
    if (stems.has(key))
      err('questions', i, q.ref, 'stem', 'duplicate_stem', `题干与「${stems.get(key)}」重复`);
    stems.set(key, q.ref);
    const authorityId = ctx.orgIds.get(q.authorityRef);
    if (authorityId && !existing.questions.has(q.ref)) {
      const same = await db
        .selectFrom('question')
        .select('id')
        .where('authorityId', '=', authorityId)
        .where('itemCode', '=', q.itemCode)
        .where('stem', '=', q.stem)
        .executeTakeFirst();
      if (same) existing.questions.set(q.ref, same.id);
    }
  }
  for (const [i, p] of blueprints.entries()) {
    org(
      'blueprints',
      i,
      p.ref,
      'authorityRef',
      p.authorityRef,
      'exam_authority',
      '组卷规则只属于考试机构',
    );
    const total = p.parts.reduce((n, x) => n + x.count * x.pointsEach, 0);
    if (p.passMark > total)
      err(
        'blueprints',
        i,
        p.ref,
        'passMark',
        'pass_mark_over_total',
        `及格线 ${p.passMark} 高于总分 ${total}`,
      );
  }
  const blueprintByRef = new Map(blueprints.map((p) => [p.ref, p]));
  for (const [i, p] of plans.entries()) {
    org(
      'examPlans',
      i,
      p.ref,
      'authorityRef',
      p.authorityRef,
      'exam_authority',
      '考试计划只属于考试机构',
    );
    if (!itemKnown(p.certificateKind, p.itemCode))
      err(
        'examPlans',
        i,
        p.ref,
        'itemCode',
        'unknown_item',
        `${p.itemCode} 不是该类证书的作业类别`,
      );
    if (
      exists('examPlans', i, p.ref, 'blueprintRef', p.blueprintRef, blueprintRefs, dbBlueprints)
    ) {
      const bp = blueprintByRef.get(p.blueprintRef);
      if (bp && (bp.authorityRef !== p.authorityRef || bp.itemCode !== p.itemCode))
        err(
          'examPlans',
          i,
          p.ref,
          'blueprintRef',
          'blueprint_mismatch',
          '组卷规则须属于同一考试机构和作业类别',
        );
    }
  }
  for (const [i, s] of sessions.entries()) {
    exists('examSessions', i, s.ref, 'planRef', s.planRef, planRefs, dbPlans);
    org('examSessions', i, s.ref, 'siteRef', s.siteRef, 'exam_site', '考试场次只设在考点');
    if (!span(s.startsAt, s.endsAt))
      err('examSessions', i, s.ref, 'endsAt', 'end_before_start', '结束时间须晚于开始时间');
    for (const [j, r] of s.invigilatorRefs.entries())
      person('examSessions', i, s.ref, `invigilatorRefs.${j}`, r);
    for (const [j, r] of s.examinerRefs.entries())
      person('examSessions', i, s.ref, `examinerRefs.${j}`, r);
  }

  // Registrations: one per person and plan, in the file and against the database.
  const sessionByRef = new Map(sessions.map((s) => [s.ref, s]));
  const planOfSession = (sessionRef: string): { key: string; id?: string } | null => {
    const s = sessionByRef.get(sessionRef);
    if (s)
      return {
        key: `ref:${s.planRef}`,
        // A plan in the file has rows in the database only when its ref was imported before.
        id: dbPlans.get(s.planRef) ?? existing.examPlans.get(s.planRef),
      };
    const planId = dbSessionPlan.get(dbSessions.get(sessionRef) ?? '');
    return planId ? { key: `id:${planId}`, id: planId } : null;
  };
  const sittings = new Map<string, string>();
  for (const [i, r] of registrations.entries()) {
    const sessionOk = exists(
      'examRegistrations',
      i,
      r.ref,
      'sessionRef',
      r.sessionRef,
      sessionRefs,
      dbSessions,
    );
    person('examRegistrations', i, r.ref, 'personRef', r.personRef);
    if (r.registeredByOrganizationRef && !orgInfo.has(r.registeredByOrganizationRef)) {
      err(
        'examRegistrations',
        i,
        r.ref,
        'registeredByOrganizationRef',
        'dangling_ref',
        `registeredByOrganizationRef「${r.registeredByOrganizationRef}」不存在`,
      );
    }
    if (r.checkinSiteRef && orgInfo.get(r.checkinSiteRef)?.kind !== 'exam_site')
      err(
        'examRegistrations',
        i,
        r.ref,
        'checkinSiteRef',
        orgInfo.has(r.checkinSiteRef) ? 'not_exam_site' : 'dangling_ref',
        `checkinSiteRef「${r.checkinSiteRef}」不是考点`,
      );
    if (r.status === 'checked_in' && !r.checkedInAt)
      err(
        'examRegistrations',
        i,
        r.ref,
        'checkedInAt',
        'checkin_time_required',
        '已签到的报名须有签到时间',
      );
    const plan = sessionOk ? planOfSession(r.sessionRef) : null;
    if (!plan) continue;
    const key = `${plan.key}\u0000${r.personRef}`;
    if (sittings.has(key))
      err(
        'examRegistrations',
        i,
        r.ref,
        'personRef',
        'duplicate_registration',
        `同一人员在同一考试计划中已有报名「${sittings.get(key)}」`,
      );
    sittings.set(key, r.ref);
    const personId = ctx.personIds.get(r.personRef);
    if (plan.id && personId && !existing.examRegistrations.has(r.ref)) {
      const inDb = await db
        .selectFrom('examRegistration')
        .select('id')
        .where('planId', '=', plan.id)
        .where('personId', '=', personId)
        .executeTakeFirst();
      if (inDb)
        err(
          'examRegistrations',
          i,
          r.ref,
          'personRef',
          'duplicate_registration',
          '该人员在此考试计划中已有报名',
        );
    }
  }

  const registrationByRef = new Map(registrations.map((r) => [r.ref, r]));
  // Theory attempts: one per registration; the paper's questions exist, answers fit the options.
  const attemptOf = new Map<string, string>();
  for (const [i, a] of attempts.entries()) {
    if (
      exists(
        'theoryAttempts',
        i,
        a.ref,
        'registrationRef',
        a.registrationRef,
        registrationRefs,
        dbRegistrations,
      )
    ) {
      if (attemptOf.has(a.registrationRef))
        err(
          'theoryAttempts',
          i,
          a.ref,
          'registrationRef',
          'duplicate_attempt',
          `该报名已有理论考试记录「${attemptOf.get(a.registrationRef)}」`,
        );
      attemptOf.set(a.registrationRef, a.ref);
      if (a.siteRef && orgInfo.get(a.siteRef)?.kind !== 'exam_site')
        err(
          'theoryAttempts',
          i,
          a.ref,
          'siteRef',
          orgInfo.has(a.siteRef) ? 'not_exam_site' : 'dangling_ref',
          `siteRef「${a.siteRef}」不是考点`,
        );
      const registrationId =
        dbRegistrations.get(a.registrationRef) ?? existing.examRegistrations.get(a.registrationRef);
      if (registrationId && !existing.theoryAttempts.has(a.ref)) {
        const inDb = await db
          .selectFrom('theoryAttempt')
          .select('id')
          .where('registrationId', '=', registrationId)
          .executeTakeFirst();
        if (inDb)
          err(
            'theoryAttempts',
            i,
            a.ref,
            'registrationRef',
            'duplicate_attempt',
            '该报名已有理论考试记录',
          );
      }
    }
    if (!span(a.startedAt, a.deadlineAt))
      err(
        'theoryAttempts',
        i,
        a.ref,
        'deadlineAt',
        'end_before_start',
        '交卷截止时间须晚于开考时间',
      );
    if (a.submittedAt && Date.parse(a.submittedAt) < Date.parse(a.startedAt))
      err('theoryAttempts', i, a.ref, 'submittedAt', 'end_before_start', '交卷时间早于开考时间');
    for (const [j, q] of a.paper.entries()) {
      exists(
        'theoryAttempts',
        i,
        a.ref,
        `paper.${j}.questionRef`,
        q.questionRef,
        questionRefs,
        dbQuestions,
      );
      if (q.answer.some((x) => x >= q.options.length))
        err(
          'theoryAttempts',
          i,
          a.ref,
          `paper.${j}.answer`,
          'answer_out_of_range',
          '答案不在选项范围内',
        );
    }
    const positions = new Set<number>();
    for (const [k, x] of (a.answers ?? []).entries()) {
      const q = a.paper[x.position];
      if (!q)
        err(
          'theoryAttempts',
          i,
          a.ref,
          `answers.${k}.position`,
          'no_such_question',
          `试卷没有第 ${x.position + 1} 题`,
        );
      else if (x.choice.some((c) => c >= q.options.length))
        err(
          'theoryAttempts',
          i,
          a.ref,
          `answers.${k}.choice`,
          'answer_out_of_range',
          '作答不在选项范围内',
        );
      if (positions.has(x.position))
        err(
          'theoryAttempts',
          i,
          a.ref,
          `answers.${k}.position`,
          'duplicate_answer',
          `第 ${x.position + 1} 题作答重复`,
        );
      positions.add(x.position);
    }
  }

  // Practical scores: one per registration and subject; an examiner scores one candidate at a time.
  const planByRef = new Map(plans.map((p) => [p.ref, p]));
  const dbRegistrationPlan = new Map(
    dbRegistrationRows.size
      ? (
          await db
            .selectFrom('examRegistration')
            .select(['id', 'planId'])
            .where('id', 'in', [...dbRegistrationRows.keys()])
            .execute()
        ).map((r) => [r.id, r.planId])
      : [],
  );
  const dbPlanItems = await planItems(db, [
    ...dbPlans.values(),
    ...dbSessionPlan.values(),
    ...dbRegistrationPlan.values(),
  ]);
  /** The certificate kind and item a registration is examined in, from the file or the database. */
  const itemOfRegistration = (registrationRef: string) => {
    const r = registrationByRef.get(registrationRef);
    if (!r)
      return dbPlanItems.get(
        dbRegistrationPlan.get(dbRegistrations.get(registrationRef) ?? '') ?? '',
      );
    const s = sessionByRef.get(r.sessionRef);
    if (s) return planByRef.get(s.planRef) ?? dbPlanItems.get(dbPlans.get(s.planRef) ?? '');
    return dbPlanItems.get(dbSessionPlan.get(dbSessions.get(r.sessionRef) ?? '') ?? '');
  };
  const subjects = new Map<string, string>();
  const busy = new Map<string, string>();
  for (const [i, p] of practical.entries()) {
    // Scored against the item's practical standard, like the examiner's screen (exams.service).
    const item = itemOfRegistration(p.registrationRef);
    if (item) {
      const standard =
        item.certificateKind === 'special_operation' ? practicalStandard(item.itemCode) : null;
      const subject = standard?.subjects.find((x) => x.code === p.subjectCode);
      if (!subject)
        err(
          'practicalScores',
          i,
          p.ref,
          'subjectCode',
          'unknown_subject',
          `${p.subjectCode} 不是该作业类别实操考试的科目`,
        );
      else if (!subject.tasks.some((t) => t.code === p.taskCode))
        err(
          'practicalScores',
          i,
          p.ref,
          'taskCode',
          'unknown_task',
          `${p.taskCode} 不是科目 ${p.subjectCode} 的考题`,
        );
    }
    if (
      exists(
        'practicalScores',
        i,
        p.ref,
        'registrationRef',
        p.registrationRef,
        registrationRefs,
        dbRegistrations,
      )
    ) {
      const key = `${p.registrationRef}\u0000${p.subjectCode}`;
      if (subjects.has(key))
        err(
          'practicalScores',
          i,
          p.ref,
          'subjectCode',
          'duplicate_subject',
          `该报名的科目 ${p.subjectCode} 已有评分「${subjects.get(key)}」`,
        );
      subjects.set(key, p.ref);
      const registrationId =
        dbRegistrations.get(p.registrationRef) ?? existing.examRegistrations.get(p.registrationRef);
      if (registrationId && !existing.practicalScores.has(p.ref)) {
        const inDb = await db
          .selectFrom('practicalScore')
          .select('id')
          .where('registrationId', '=', registrationId)
          .where('subjectCode', '=', p.subjectCode)
          .executeTakeFirst();
        if (inDb)
          err(
            'practicalScores',
            i,
            p.ref,
            'subjectCode',
            'duplicate_subject',
            `该报名的科目 ${p.subjectCode} 已有评分`,
          );
      }
    }
    if (p.examinerRef) person('practicalScores', i, p.ref, 'examinerRef', p.examinerRef);
    if (p.startedAt && p.scoredAt && Date.parse(p.scoredAt) < Date.parse(p.startedAt))
      err('practicalScores', i, p.ref, 'scoredAt', 'end_before_start', '评分时间早于开始时间');
    if (p.examinerRef && p.startedAt && !p.scoredAt) {
      if (busy.has(p.examinerRef))
        err(
          'practicalScores',
          i,
          p.ref,
          'examinerRef',
          'examiner_busy',
          `考评员同时在评「${busy.get(p.examinerRef)}」`,
        );
      busy.set(p.examinerRef, p.ref);
      const examinerId = ctx.personIds.get(p.examinerRef);
      if (examinerId && !existing.practicalScores.has(p.ref)) {
        const open = await db
          .selectFrom('practicalScore')
          .select('id')
          .where('examinerPersonId', '=', examinerId)
          .where('startedAt', 'is not', null)
          .where('scoredAt', 'is', null)
          .executeTakeFirst();
        if (open)
          err(
            'practicalScores',
            i,
            p.ref,
            'examinerRef',
            'examiner_busy',
            '考评员在库中已有未完成的评分',
          );
      }
    }
  }

  for (const [i, p] of patrol.entries()) {
    const sessionOk = exists(
      'patrolEvents',
      i,
      p.ref,
      'sessionRef',
      p.sessionRef,
      sessionRefs,
      dbSessions,
    );
    if (!p.registrationRef) continue;
    if (
      !exists(
        'patrolEvents',
        i,
        p.ref,
        'registrationRef',
        p.registrationRef,
        registrationRefs,
        dbRegistrations,
      ) ||
      !sessionOk
    )
      continue;
    const inFile = registrationByRef.get(p.registrationRef);
    const sameSession = inFile
      ? inFile.sessionRef === p.sessionRef
      : dbRegistrationRows.get(dbRegistrations.get(p.registrationRef) ?? '')?.sessionId ===
        dbSessions.get(p.sessionRef);
    if (!sameSession)
      err(
        'patrolEvents',
        i,
        p.ref,
        'registrationRef',
        'registration_not_in_session',
        '该报名不在此考试场次',
      );
  }
}

/** Writes the exam sections inside the import transaction, after the registry and training sections. */
export async function importExamSections(
  trx: Executor,
  b: Bundle,
  take: Take,
  idOf: IdOf,
): Promise<void> {
  const orgRegion = new Map<string, string>();
  const regionOfOrg = async (orgId: string) => {
    let r = orgRegion.get(orgId);
    if (!r) {
      r = (
        await trx
          .selectFrom('organization')
          .select('regionCode')
          .where('id', '=', orgId)
          .executeTakeFirstOrThrow()
      ).regionCode;
      orgRegion.set(orgId, r);
    }
    return r;
  };
  const persons = async (refs: string[]) => {
    const out: string[] = [];
    for (const r of refs) out.push(await idOf('persons', r));
    return out;
  };

  for (const q of b.questions ?? []) {
    const authorityId = await idOf('organizations', q.authorityRef);
    const regionCode = await regionOfOrg(authorityId);
    const { id, isNew } = take('questions', q.ref, regionCode);
    if (!isNew) continue;
    await trx
      .insertInto('question')
      .values({
        id,
        authorityId,
        regionCode,
        itemCode: q.itemCode,
        kind: q.kind,
        stem: q.stem,
        options: q.options,
        answer: q.answer,
        knowledgePoint: q.knowledgePoint,
        difficulty: q.difficulty,
        status: q.status ?? 'active',
      })
      .execute();
  }
  for (const p of b.blueprints ?? []) {
    const authorityId = await idOf('organizations', p.authorityRef);
    const regionCode = await regionOfOrg(authorityId);
    const { id, isNew } = take('blueprints', p.ref, regionCode);
    if (!isNew) continue;
    await trx
      .insertInto('paperBlueprint')
      .values({
        id,
        authorityId,
        regionCode,
        itemCode: p.itemCode,
        name: p.name,
        durationMinutes: p.durationMinutes,
        passMark: p.passMark,
        parts: JSON.stringify(p.parts),
      })
      .execute();
  }
  for (const p of b.examPlans ?? []) {
    const authorityId = await idOf('organizations', p.authorityRef);
    const regionCode = await regionOfOrg(authorityId);
    const { id, isNew } = take('examPlans', p.ref, regionCode);
    if (!isNew) continue;
    await trx
      .insertInto('examPlan')
      .values({
        id,
        authorityId,
        regionCode,
        certificateKind: p.certificateKind,
        itemCode: p.itemCode,
        name: p.name,
        blueprintId: await idOf('blueprints', p.blueprintRef),
        status: p.status ?? 'open',
      })
      .execute();
  }
  for (const s of b.examSessions ?? []) {
    const planId = await idOf('examPlans', s.planRef);
    const plan = await trx
      .selectFrom('examPlan')
      .select('regionCode')
      .where('id', '=', planId)
      .executeTakeFirstOrThrow();
    const { id, isNew } = take('examSessions', s.ref, plan.regionCode);
    if (!isNew) continue;
    await trx
      .insertInto('examSession')
      .values({
        id,
        planId,
        siteId: await idOf('organizations', s.siteRef),
        regionCode: plan.regionCode,
        room: s.room,
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        capacity: s.capacity,
        invigilatorIds: await persons(s.invigilatorRefs),
        examinerIds: await persons(s.examinerRefs),
        resultsPublishedAt: s.resultsPublishedAt ? new Date(s.resultsPublishedAt) : null,
      })
      .execute();
  }
  for (const r of b.examRegistrations ?? []) {
    const sessionId = await idOf('examSessions', r.sessionRef);
    const session = await trx
      .selectFrom('examSession')
      .select(['planId', 'regionCode'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    const { id, isNew } = take('examRegistrations', r.ref, session.regionCode);
    if (!isNew) continue;
    await trx
      .insertInto('examRegistration')
      .values({
        id,
        planId: session.planId,
        sessionId,
        personId: await idOf('persons', r.personRef),
        regionCode: session.regionCode,
        registeredByOrganizationId: r.registeredByOrganizationRef
          ? await idOf('organizations', r.registeredByOrganizationRef)
          : null,
        attempt: r.attempt,
        theoryCarried: r.theoryCarried ?? false,
        eligibility: JSON.stringify(r.eligibility),
        status: r.status,
        checkedInAt: r.checkedInAt ? new Date(r.checkedInAt) : null,
        checkinDecision: r.checkinDecision ?? null,
        checkinSiteId: r.checkinSiteRef ? await idOf('organizations', r.checkinSiteRef) : null,
        checkinScore: r.checkinScore ?? null,
        // The face verification behind a check-in stays in the system that ran it.
        checkinVerificationId: null,
        overrideReason: r.overrideReason ?? null,
        overrideBy: r.overrideBy ?? null,
        theoryScore: r.theoryScore ?? null,
        practicalScore: r.practicalScore ?? null,
        practicalVeto: r.practicalVeto ?? null,
        cancelledReason: r.cancelledReason ?? null,
        result: r.result ?? null,
      })
      .execute();
  }
  const registrationRegion = async (registrationId: string) =>
    (
      await trx
        .selectFrom('examRegistration')
        .select('regionCode')
        .where('id', '=', registrationId)
        .executeTakeFirstOrThrow()
    ).regionCode;
  for (const a of b.theoryAttempts ?? []) {
    const registrationId = await idOf('examRegistrations', a.registrationRef);
    const { id, isNew } = take('theoryAttempts', a.ref, await registrationRegion(registrationId));
    if (!isNew) continue;
    const paper: PaperQuestion[] = [];
    for (const q of a.paper) {
      paper.push({
        questionId: await idOf('questions', q.questionRef),
        kind: q.kind,
        stem: q.stem,
        options: q.options,
        answer: q.answer,
        points: q.points,
        knowledgePoint: q.knowledgePoint,
      });
    }
    await trx
      .insertInto('theoryAttempt')
      .values({
        id,
        registrationId,
        paper: JSON.stringify(paper),
        // The browser tab holding the exam is not history: a fresh token, so no old tab can write.
        clientToken: randomBytes(18).toString('base64url'),
        startedAt: new Date(a.startedAt),
        deadlineAt: new Date(a.deadlineAt),
        submittedAt: a.submittedAt ? new Date(a.submittedAt) : null,
        autoSubmitted: a.autoSubmitted ?? false,
        score: a.score ?? null,
        siteId: a.siteRef ? await idOf('organizations', a.siteRef) : null,
      })
      .execute();
    const answers = (a.answers ?? []).map((x) => ({
      attemptId: id,
      position: x.position,
      choice: x.choice,
      savedAt: new Date(x.savedAt),
    }));
    if (answers.length) await trx.insertInto('theoryAnswer').values(answers).execute();
  }
  for (const p of b.practicalScores ?? []) {
    const registrationId = await idOf('examRegistrations', p.registrationRef);
    const { id, isNew } = take('practicalScores', p.ref, await registrationRegion(registrationId));
    if (!isNew) continue;
    await trx
      .insertInto('practicalScore')
      .values({
        id,
        registrationId,
        subjectCode: p.subjectCode,
        taskCode: p.taskCode,
        examinerPersonId: p.examinerRef ? await idOf('persons', p.examinerRef) : null,
        startedAt: p.startedAt ? new Date(p.startedAt) : null,
        scoredAt: p.scoredAt ? new Date(p.scoredAt) : null,
        points: p.points ?? null,
        vetoItem: p.vetoItem ?? null,
        note: p.note ?? null,
      })
      .execute();
  }
  for (const p of b.patrolEvents ?? []) {
    const sessionId = await idOf('examSessions', p.sessionRef);
    const session = await trx
      .selectFrom('examSession')
      .select('regionCode')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    const { id, isNew } = take('patrolEvents', p.ref, session.regionCode);
    if (!isNew) continue;
    await trx
      .insertInto('patrolEvent')
      .values({
        id,
        sessionId,
        registrationId: p.registrationRef
          ? await idOf('examRegistrations', p.registrationRef)
          : null,
        regionCode: session.regionCode,
        kind: p.kind,
        note: p.note,
        recordedBy: p.recordedBy,
        at: new Date(p.at),
      })
      .execute();
  }
}

export const iso = (d: Date | string) => new Date(d).toISOString().replace('Z', '+00:00');
const num = (x: string | number | null) => (x === null ? null : Number(x));
export const byRef = <T extends { ref: string }>(rows: T[]) =>
  rows.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
export function group<T, K>(rows: T[], key: (r: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** The exam sections of an export under a region prefix, in ref order. */
export async function exportExamSections(
  db: Executor,
  prefix: string,
  ref: (section: BundleSection, id: string) => string,
): Promise<Partial<Bundle>> {
  const like = `${prefix}%`;
  const [
    questions,
    blueprints,
    plans,
    sessions,
    registrations,
    attempts,
    answers,
    practical,
    patrol,
  ] = await Promise.all([
    db.selectFrom('question').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('paperBlueprint').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('examPlan').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('examSession').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('examRegistration').selectAll().where('regionCode', 'like', like).execute(),
    db
      .selectFrom('theoryAttempt as a')
      .innerJoin('examRegistration as r', 'r.id', 'a.registrationId')
      .selectAll('a')
      .where('r.regionCode', 'like', like)
      .execute(),
    db
      .selectFrom('theoryAnswer as x')
      .innerJoin('theoryAttempt as a', 'a.id', 'x.attemptId')
      .innerJoin('examRegistration as r', 'r.id', 'a.registrationId')
      .select(['x.attemptId', 'x.position', 'x.choice', 'x.savedAt'])
      .where('r.regionCode', 'like', like)
      .execute(),
    db
      .selectFrom('practicalScore as p')
      .innerJoin('examRegistration as r', 'r.id', 'p.registrationId')
      .selectAll('p')
      .where('r.regionCode', 'like', like)
      .execute(),
    db.selectFrom('patrolEvent').selectAll().where('regionCode', 'like', like).execute(),
  ]);
  const answersOf = group(answers, (a) => a.attemptId);
  return {
    questions: byRef(
      questions.map((q) => ({
        ref: ref('questions', q.id),
        authorityRef: ref('organizations', q.authorityId),
        itemCode: q.itemCode,
        kind: q.kind,
        stem: q.stem,
        options: q.options,
        answer: q.answer.map(Number),
        knowledgePoint: q.knowledgePoint,
        difficulty: q.difficulty,
        status: q.status,
      })),
    ),
    blueprints: byRef(
      blueprints.map((p) => ({
        ref: ref('blueprints', p.id),
        authorityRef: ref('organizations', p.authorityId),
        itemCode: p.itemCode,
        name: p.name,
        durationMinutes: p.durationMinutes,
        passMark: p.passMark,
        parts: p.parts.map((x) => ({
          kind: x.kind,
          knowledgePoint: x.knowledgePoint,
          count: x.count,
          pointsEach: x.pointsEach,
        })),
      })),
    ),
    examPlans: byRef(
      plans.map((p) => ({
        ref: ref('examPlans', p.id),
        authorityRef: ref('organizations', p.authorityId),
        certificateKind: p.certificateKind,
        itemCode: p.itemCode,
        name: p.name,
        blueprintRef: ref('blueprints', p.blueprintId),
        status: p.status,
      })),
    ),
    examSessions: byRef(
      sessions.map((s) => ({
        ref: ref('examSessions', s.id),
        planRef: ref('examPlans', s.planId),
        siteRef: ref('organizations', s.siteId),
        room: s.room,
        startsAt: iso(s.startsAt),
        endsAt: iso(s.endsAt),
        capacity: s.capacity,
        invigilatorRefs: s.invigilatorIds.map((id) => ref('persons', id)),
        examinerRefs: s.examinerIds.map((id) => ref('persons', id)),
        resultsPublishedAt: s.resultsPublishedAt ? iso(s.resultsPublishedAt) : null,
      })),
    ),
    examRegistrations: byRef(
      registrations.map((r) => ({
        ref: ref('examRegistrations', r.id),
        sessionRef: ref('examSessions', r.sessionId),
        personRef: ref('persons', r.personId),
        registeredByOrganizationRef: r.registeredByOrganizationId
          ? ref('organizations', r.registeredByOrganizationId)
          : null,
        attempt: r.attempt,
        theoryCarried: r.theoryCarried,
        eligibility: r.eligibility as StoredEligibility,
        status: r.status,
        checkedInAt: r.checkedInAt ? iso(r.checkedInAt) : null,
        ...(r.checkinSiteId ? { checkinSiteRef: ref('organizations', r.checkinSiteId) } : {}),
        checkinDecision: r.checkinDecision as FaceDecision | null,
        checkinScore: r.checkinScore,
        overrideReason: r.overrideReason,
        overrideBy: r.overrideBy,
        theoryScore: num(r.theoryScore),
        practicalScore: num(r.practicalScore),
        practicalVeto: r.practicalVeto,
        cancelledReason: r.cancelledReason,
        result: r.result,
      })),
    ),
    theoryAttempts: byRef(
      attempts.map((a) => ({
        ref: ref('theoryAttempts', a.id),
        registrationRef: ref('examRegistrations', a.registrationId),
        paper: a.paper.map((q) => ({
          questionRef: ref('questions', q.questionId),
          kind: q.kind,
          stem: q.stem,
          options: q.options,
          answer: q.answer,
          points: q.points,
          knowledgePoint: q.knowledgePoint,
        })),
        startedAt: iso(a.startedAt),
        deadlineAt: iso(a.deadlineAt),
        submittedAt: a.submittedAt ? iso(a.submittedAt) : null,
        autoSubmitted: a.autoSubmitted,
        score: num(a.score),
        ...(a.siteId ? { siteRef: ref('organizations', a.siteId) } : {}),
        answers: (answersOf.get(a.id) ?? [])
          .map((x) => ({
            position: x.position,
            choice: x.choice.map(Number),
            savedAt: iso(x.savedAt),
          }))
          .sort((x, y) => x.position - y.position),
      })),
    ),
    practicalScores: byRef(
      practical.map((p) => ({
        ref: ref('practicalScores', p.id),
        registrationRef: ref('examRegistrations', p.registrationId),
        subjectCode: p.subjectCode,
        taskCode: p.taskCode,
        examinerRef: p.examinerPersonId ? ref('persons', p.examinerPersonId) : null,
        startedAt: p.startedAt ? iso(p.startedAt) : null,
        scoredAt: p.scoredAt ? iso(p.scoredAt) : null,
        points: num(p.points),
        vetoItem: p.vetoItem,
        note: p.note,
      })),
    ),
    patrolEvents: byRef(
      patrol.map((p) => ({
        ref: ref('patrolEvents', p.id),
        sessionRef: ref('examSessions', p.sessionId),
        registrationRef: p.registrationId ? ref('examRegistrations', p.registrationId) : null,
        kind: p.kind,
        note: p.note,
        recordedBy: p.recordedBy,
        at: iso(p.at),
      })),
    ),
  };
}
