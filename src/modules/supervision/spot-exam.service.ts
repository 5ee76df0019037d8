import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { spotExamFigures } from '../../catalog/checklists.js';
import { exams } from '../../catalog/figures.js';
import type { FindingSeverity } from '../../catalog/findings.js';
import { recordAudit } from '../../platform/audit/audit.js';
import type { Actor } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { bankItems, questionPool } from '../exams/question-bank.service.js';
import { unitRandom } from './draw.rules.js';
import { personOf, requireJurisdiction } from './supervision.access.js';
import type { SpotExamCreate } from './supervision.contract.js';
import * as repo from './supervision.repository.js';
import { spotVerdict } from './supervision.rules.js';
import type { SpotQuestion } from './supervision.table.js';

/**
 * 逢查必考 (seed 003): during an inspection the inspector draws N people of the inspected organization
 * at random from a recorded seed — its workers (enterprise), the trainees of its open classes
 * (institution) or its staff (exam site, authority) — and each answers a short paper from the bank of
 * the exam authority over that region (应知应会) on the inspector's phone.
 */
export async function createSpotExam(
  db: Executor,
  actor: Actor,
  inspectionId: string,
  input: SpotExamCreate,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor);
  return transaction(db, async (trx) => {
    const insp = await repo
      .inspectionQuery(trx, scope)
      .where('i.id', '=', inspectionId)
      .executeTakeFirst();
    if (!insp) throw notFound('检查');
    const me = await personOf(trx, actor);
    if (!me || !insp.inspectorPersonIds.includes(me))
      throw forbidden('只有本次检查的执法人员可以组织抽考');
    if (insp.status === 'signed')
      throw new DomainError('rule_violation', '检查已签字确认，不能再组织抽考', [
        { message: 'inspection signed', code: 'inspection_locked' },
      ]);
    const population =
      input.population ??
      (insp.organizationKind === 'enterprise'
        ? 'workers'
        : insp.organizationKind === 'training_institution'
          ? 'trainees'
          : 'staff');
    const people = await populationOf(trx, insp.organizationId, population);
    if (people.length === 0)
      throw new DomainError('rule_violation', '该单位没有可抽考的人员', [
        { path: 'body.population', message: 'nobody to examine', code: 'empty_population' },
      ]);
    const authority = await trx
      .selectFrom('organization')
      .select(['id', 'name', 'regionCode'])
      .where('kind', '=', 'exam_authority')
      .where(sql<boolean>`${insp.regionCode} like region_code || '%'`)
      .orderBy(sql`length(region_code)`, 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!authority)
      throw new DomainError('rule_violation', '辖区没有考试机构题库', [
        { message: 'no exam authority over the region', code: 'no_bank' },
      ]);
    const seed = input.seed ?? randomBytes(16).toString('hex');
    const drawn = [...people]
      .map((p) => ({ ...p, u: unitRandom(seed, 'person', p.personId) }))
      .sort((a, b) => a.u - b.u || (a.personId < b.personId ? -1 : 1))
      .slice(0, input.count);
    const questionCount = input.questionCount ?? spotExamFigures.defaultQuestions.value;
    const items = await bankItems(trx, authority.id);
    const usable = items.filter((i) => i.questions >= questionCount).map((i) => i.itemCode);
    const preferred = [
      input.itemCode,
      ...drawn.map((d) => d.itemCode).filter((x): x is string => Boolean(x)),
    ].find((c) => c && usable.includes(c));
    const itemCode = preferred ?? usable[0];
    if (!itemCode || (input.itemCode && input.itemCode !== itemCode))
      throw new DomainError('rule_violation', `考试机构「${authority.name}」题库中没有足够的题目`, [
        { path: 'body.itemCode', message: 'not enough questions', code: 'no_bank' },
      ]);
    const pool = await questionPool(trx, authority.id, itemCode);
    const spot = await trx
      .insertInto('spotExam')
      .values({
        inspectionId,
        regionCode: insp.regionCode,
        seed,
        population,
        pool: JSON.stringify(people.map((p) => p.personId)),
        authorityId: authority.id,
        itemCode,
        questionCount,
        passRatio: exams.passMark.value / exams.fullMarks.value,
        createdBy: actor.displayName,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const sittings = drawn.map((p) => {
      const paper: SpotQuestion[] = [...pool]
        .map((q) => ({ q, u: unitRandom(seed, 'question', p.personId, q.id) }))
        .sort((a, b) => a.u - b.u)
        .slice(0, questionCount)
        .map(({ q }) => ({
          questionId: q.id,
          kind: q.kind,
          stem: q.stem,
          options: q.options,
          answer: q.answer,
        }));
      return { spotExamId: spot.id, personId: p.personId, paper: JSON.stringify(paper) };
    });
    await trx.insertInto('spotExamSitting').values(sittings).execute();
    await recordAudit(trx, {
      actor,
      action: 'supervision.spot_exam.draw',
      entityType: 'spot_exam',
      entityId: spot.id,
      regionCode: insp.regionCode,
      after: {
        seed,
        population,
        drawn: drawn.map((d) => d.personId),
        itemCode,
        authority: authority.id,
      },
      summary: `逢查必考：从 ${people.length} 人中抽取 ${drawn.length} 人`,
      requestId,
    });
    return getSpotExam(trx, actor, spot.id);
  });
}

async function populationOf(db: Executor, organizationId: string, population: string) {
  if (population === 'workers') {
    const { rows } = await sql<{ personId: string; name: string; itemCode: string | null }>`
      select distinct on (e.person_id) e.person_id, p.name, e.operation_item_code as item_code
        from employment e join person p on p.id = e.person_id
       where e.organization_id = ${organizationId} and e.end_date is null
       order by e.person_id, e.operation_item_code nulls last`.execute(db);
    return rows;
  }
  if (population === 'trainees') {
    const { rows } = await sql<{ personId: string; name: string; itemCode: string | null }>`
      select distinct on (t.person_id) t.person_id, p.name, c.operation_item_code as item_code
        from class_trainee t join training_class c on c.id = t.class_id join person p on p.id = t.person_id
       where c.organization_id = ${organizationId} and c.status = 'open'
       order by t.person_id, c.start_date desc`.execute(db);
    return rows;
  }
  const { rows } = await sql<{ personId: string; name: string; itemCode: string | null }>`
    select distinct on (s.person_id) s.person_id, p.name, null::text as item_code
      from staff_assignment s join person p on p.id = s.person_id
     where s.organization_id = ${organizationId} and s.end_date is null
     order by s.person_id`.execute(db);
  return rows;
}

export async function getSpotExam(db: Executor, actor: Actor, id: string) {
  const scope = requireJurisdiction(actor);
  const spot = await db
    .selectFrom('spotExam')
    .selectAll()
    .where('id', '=', id)
    .where(repo.scopePredicate(scope, 'spotExam'))
    .executeTakeFirst();
  if (!spot) throw notFound('抽考');
  const sittings = await db
    .selectFrom('spotExamSitting as s')
    .innerJoin('person as p', 'p.id', 's.personId')
    .select(['s.id', 's.personId', 'p.name', 's.paper', 's.score', 's.passed', 's.submittedAt'])
    .where('s.spotExamId', '=', id)
    .orderBy('p.name')
    .execute();
  const verdict = spotVerdict(sittings);
  return {
    ...spot,
    pool: undefined,
    poolSize: (spot.pool as string[]).length,
    verdict,
    // Papers leave the server without their answers.
    sittings: sittings.map((s) => ({
      ...s,
      score: s.score === null ? null : Number(s.score),
      paper: s.paper.map(({ answer: _a, ...q }) => q),
    })),
  };
}

export async function submitSpotSitting(
  db: Executor,
  actor: Actor,
  spotExamId: string,
  sittingId: string,
  answers: number[][],
  now: Date,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor);
  return transaction(db, async (trx) => {
    const spot = await trx
      .selectFrom('spotExam')
      .selectAll()
      .where('id', '=', spotExamId)
      .where(repo.scopePredicate(scope, 'spotExam'))
      .executeTakeFirst();
    if (!spot) throw notFound('抽考');
    const insp = (await repo.lockInspection(trx, spot.inspectionId))!;
    const me = await personOf(trx, actor);
    if (!me || !insp.inspectorPersonIds.includes(me))
      throw forbidden('只有本次检查的执法人员可以提交抽考');
    if (insp.status === 'signed')
      throw new DomainError('rule_violation', '检查已签字确认', [
        { message: 'locked', code: 'inspection_locked' },
      ]);
    const sitting = await trx
      .selectFrom('spotExamSitting')
      .selectAll()
      .where('id', '=', sittingId)
      .where('spotExamId', '=', spotExamId)
      .forUpdate()
      .executeTakeFirst();
    if (!sitting) throw notFound('答卷');
    if (sitting.submittedAt)
      throw new DomainError('rule_violation', '该人员已交卷', [
        { message: 'submitted', code: 'submitted' },
      ]);
    const correct = sitting.paper.filter((q, i) => {
      const a = [...(answers[i] ?? [])].sort();
      return a.length === q.answer.length && a.every((x, k) => x === [...q.answer].sort()[k]);
    }).length;
    const score = Math.round((correct / sitting.paper.length) * exams.fullMarks.value * 100) / 100;
    const passed = score >= Number(spot.passRatio) * exams.fullMarks.value;
    const after = await trx
      .updateTable('spotExamSitting')
      .set({ answers: JSON.stringify(answers), score, passed, submittedAt: now })
      .where('id', '=', sittingId)
      .returning(['id', 'personId', 'score', 'passed', 'submittedAt'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.spot_exam.submit',
      entityType: 'spot_exam',
      entityId: spotExamId,
      regionCode: spot.regionCode,
      after: { sittingId, personId: sitting.personId, score, passed },
      requestId,
    });
    return { ...after, score: Number(after.score) };
  });
}

/** The findings an inspection's spot exams raise when it is signed: a pass rate below the target. */
export async function spotExamFindings(db: Executor, inspectionId: string) {
  const spots = await db
    .selectFrom('spotExam')
    .select(['id', 'itemCode'])
    .where('inspectionId', '=', inspectionId)
    .execute();
  const out: {
    severity: FindingSeverity;
    message: string;
    basis: string;
    evidence: { kind: string; id: string; label: string }[];
  }[] = [];
  for (const s of spots) {
    const sittings = await db
      .selectFrom('spotExamSitting as t')
      .innerJoin('person as p', 'p.id', 't.personId')
      .select(['t.id', 't.passed', 't.score', 'p.name'])
      .where('t.spotExamId', '=', s.id)
      .execute();
    const v = spotVerdict(sittings);
    if (!v.belowTarget) continue;
    const pct = Math.round((v.rate ?? 0) * 1000) / 10;
    out.push({
      severity: v.severity,
      message: `逢查必考：抽考 ${v.sat} 人，合格 ${v.passed} 人，合格率 ${pct}%，低于 ${spotExamFigures.targetPassRate.value * 100}%`,
      basis: spotExamFigures.targetPassRate.source,
      evidence: sittings
        .filter((x) => x.passed === false)
        .map((x) => ({
          kind: 'spot_exam_sitting',
          id: x.id,
          label: `${x.name} ${Number(x.score)}分`,
        })),
    });
  }
  return out;
}
