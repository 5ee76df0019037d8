import { randomBytes } from 'node:crypto';
import { beijingDay } from '../../catalog/calendar.js';
import { builtinChecklists, defaultChecklistOf } from '../../catalog/checklists.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { canonicalJson } from '../../platform/audit/canonical.js';
import { type Actor, hasRole, regionInScope } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import type { FileStorage } from '../../platform/files/storage.js';
import { getRegistrationCheck } from '../registry/registry.service.js';
import { getArchiveChecklist } from '../training/archive.service.js';
import { getClassDetail, lessonCoverage, listClasses } from '../training/classes.service.js';
import { DRAW_ALGORITHM, type DrawCandidate, type DrawInput, runDraw } from './draw.rules.js';
import { spotExamFindings } from './spot-exam.service.js';
import { decodeUpload, PHOTO_TYPES, personOf, requireJurisdiction } from './supervision.access.js';
import type {
  DrawCreate,
  InspectionCreate,
  ItemAnswer,
  PlanCreate,
  SignInput,
  TemplateVersionCreate,
} from './supervision.contract.js';
import * as repo from './supervision.repository.js';
import { gradingFormula, itemAnswerProblem, periodOf } from './supervision.rules.js';
import type { ChecklistItemDef, Prefill, SubjectKind } from './supervision.table.js';

// ——— checklist templates ———

/** Version 1 of the seeds' checklists, stored once (national: region ''), so inspections can refer to them. */
export async function ensureBuiltinTemplates(db: Executor): Promise<void> {
  const rows = builtinChecklists.map((c) => ({
    code: c.code,
    version: 1,
    subjectKind: c.subjectKind,
    name: c.name,
    source: c.source,
    items: JSON.stringify(c.items),
    regionCode: '',
    createdBy: 'system:catalog',
  }));
  await db
    .insertInto('checklistTemplate')
    .values(rows)
    .onConflict((oc) => oc.columns(['code', 'version']).doNothing())
    .execute();
}

export async function listTemplates(db: Executor, actor: Actor) {
  const scope = requireJurisdiction(actor);
  await ensureBuiltinTemplates(db);
  const rows = await repo.listTemplates(db, scope.regionCode);
  const latest = new Map<string, (typeof rows)[number]>();
  const versions = new Map<
    string,
    { id: string; version: number; createdAt: Date; createdBy: string }[]
  >();
  for (const r of rows) {
    if (!latest.has(r.code)) latest.set(r.code, r);
    versions.set(r.code, [
      ...(versions.get(r.code) ?? []),
      { id: r.id, version: r.version, createdAt: r.createdAt, createdBy: r.createdBy },
    ]);
  }
  return [...latest.values()].map((t) => ({ ...t, versions: versions.get(t.code) ?? [] }));
}

export async function getTemplate(db: Executor, actor: Actor, id: string) {
  const scope = requireJurisdiction(actor);
  await ensureBuiltinTemplates(db);
  const t = await repo.findTemplate(db, id);
  if (!t || !scope.regionCode.startsWith(t.regionCode)) throw notFound('检查表');
  return t;
}

/** A regulator edits a checklist by adding a version; inspections keep the version they were made with. */
export async function addTemplateVersion(
  db: Executor,
  actor: Actor,
  code: string,
  input: TemplateVersionCreate,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor, 'regulator');
  await ensureBuiltinTemplates(db);
  return transaction(db, async (trx) => {
    const prev = await repo.latestTemplate(trx, code, scope.regionCode);
    if (!prev) throw notFound('检查表');
    const codes = new Set<string>();
    input.items.forEach((it, i) => {
      if (codes.has(it.code))
        throw new DomainError('validation_failed', `检查项编号 ${it.code} 重复`, [
          { path: `body.items.${i}.code`, message: 'duplicate' },
        ]);
      codes.add(it.code);
    });
    const maxVersion = await trx
      .selectFrom('checklistTemplate')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
    const row = await trx
      .insertInto('checklistTemplate')
      .values({
        code,
        version: Number(maxVersion.v) + 1,
        subjectKind: prev.subjectKind,
        name: input.name ?? prev.name,
        source: input.source ?? prev.source,
        items: JSON.stringify(input.items),
        regionCode: scope.regionCode,
        createdBy: actor.displayName,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.template.version',
      entityType: 'checklist_template',
      entityId: row.id,
      regionCode: scope.regionCode,
      before: { id: prev.id, version: prev.version },
      after: row,
      summary: `${code} v${row.version}`,
      requestId,
    });
    return row;
  });
}

// ——— inspectors and conflicts of interest ———

export async function listInspectors(db: Executor, actor: Actor, now: Date) {
  const scope = requireJurisdiction(actor);
  const people = await repo.listInspectors(db, scope.regionCode, beijingDay(now));
  const relatives = await repo.relativesOf(
    db,
    people.map((p) => p.personId),
  );
  return people.map((p) => ({
    ...p,
    relatives: relatives.filter((r) => r.inspectorPersonId === p.personId),
  }));
}

/** 回避: an inspector (or their regulator) declares a relative; draws then avoid where the relative works. */
export async function declareRelative(
  db: Executor,
  actor: Actor,
  inspectorPersonId: string,
  input: { relativePersonId: string; relation: string },
  now: Date,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor);
  const self = await personOf(db, actor);
  const inspectors = await repo.listInspectors(db, scope.regionCode, beijingDay(now));
  const inspector = inspectors.find((i) => i.personId === inspectorPersonId);
  if (!inspector) throw notFound('执法人员');
  if (!hasRole(actor, 'regulator') && self !== inspectorPersonId)
    throw forbidden('执法人员只能申报本人的亲属关系');
  return transaction(db, async (trx) => {
    const relative = await trx
      .selectFrom('person')
      .select(['id', 'name'])
      .where('id', '=', input.relativePersonId)
      .executeTakeFirst();
    if (!relative || relative.id === inspectorPersonId)
      throw new DomainError('validation_failed', '亲属不存在', [
        { path: 'body.relativePersonId', message: 'unknown person' },
      ]);
    const row = await trx
      .insertInto('inspectorRelative')
      .values({
        inspectorPersonId,
        relativePersonId: relative.id,
        relation: input.relation,
        regionCode: inspector.regionCode,
      })
      .onConflict((oc) =>
        oc
          .columns(['inspectorPersonId', 'relativePersonId'])
          .doUpdateSet({ relation: input.relation }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.relative.declare',
      entityType: 'inspector_relative',
      entityId: row.id,
      regionCode: inspector.regionCode,
      after: row,
      summary: `${inspector.name}：${input.relation} ${relative.name}`,
      requestId,
    });
    return row;
  });
}

// ——— plans ———

export async function createPlan(
  db: Executor,
  actor: Actor,
  input: PlanCreate,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor, 'regulator');
  if (!actor.organizationId) throw forbidden();
  return transaction(db, async (trx) => {
    const row = await trx
      .insertInto('inspectionPlan')
      .values({
        regulatorId: actor.organizationId!,
        regionCode: scope.regionCode,
        year: input.year,
        name: input.name,
        subjectKinds: input.subjectKinds,
        targetCount: input.targetCount,
        notes: input.notes ?? null,
        createdBy: actor.displayName,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.plan.create',
      entityType: 'inspection_plan',
      entityId: row.id,
      regionCode: scope.regionCode,
      after: row,
      requestId,
    });
    return row;
  });
}

export async function listPlans(db: Executor, actor: Actor, year?: number) {
  const scope = requireJurisdiction(actor);
  let q = db
    .selectFrom('inspectionPlan as p')
    .innerJoin('organization as r', 'r.id', 'p.regulatorId')
    .selectAll('p')
    .select('r.name as regulatorName')
    .select((eb) => [
      eb
        .selectFrom('inspection as i')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('i.planId', '=', 'p.id')
        .as('inspections'),
      eb
        .selectFrom('inspection as i')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('i.planId', '=', 'p.id')
        .where('i.status', '=', 'signed')
        .as('done'),
    ])
    .where(repo.scopePredicate(scope, 'p'));
  if (year) q = q.where('p.year', '=', year);
  return q.orderBy('p.year', 'desc').orderBy('p.createdAt', 'desc').execute();
}

export async function getPlan(db: Executor, actor: Actor, id: string) {
  const scope = requireJurisdiction(actor);
  const plan = await db
    .selectFrom('inspectionPlan')
    .selectAll()
    .where('id', '=', id)
    .where(repo.scopePredicate(scope, 'inspectionPlan'))
    .executeTakeFirst();
  if (!plan) throw notFound('执法计划');
  const draws = await db
    .selectFrom('inspectionDraw')
    .select(['id', 'seed', 'algorithm', 'params', 'result', 'drawnAt', 'drawnBy'])
    .where('planId', '=', id)
    .orderBy('drawnAt')
    .execute();
  const inspections = await repo
    .inspectionQuery(db, scope)
    .where('i.planId', '=', id)
    .orderBy('i.scheduledOn')
    .execute();
  return { ...plan, draws, inspections: await withInspectorNames(db, inspections) };
}

// ——— the draw (双随机) ———

async function gradeWeights(db: Executor, ids: string[]) {
  const grades = new Map(
    (await repo.latestGrades(db, ids)).map((g) => [g.organizationId, g] as const),
  );
  return (id: string) => {
    const g = grades.get(id);
    if (!g) return { weight: gradingFormula.byGrade.B.drawWeight, reason: '未评级，按B级' };
    return {
      weight: gradingFormula.byGrade[g.grade].drawWeight,
      reason: `${g.period} ${g.grade}级（${Number(g.score)}分）`,
    };
  };
}

/**
 * Draws targets and inspectors for a plan from a seed (given, or 128 random bits recorded with the
 * draw), stores every input (the pool with weights, the inspectors, the conflicts) beside the result
 * and schedules one inspection per staffed target. `rerunDraw` recomputes it from what was stored.
 */
export async function drawForPlan(
  db: Executor,
  actor: Actor,
  planId: string,
  input: DrawCreate,
  now: Date,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor, 'regulator');
  await ensureBuiltinTemplates(db);
  return transaction(db, async (trx) => {
    const plan = await trx
      .selectFrom('inspectionPlan')
      .selectAll()
      .where('id', '=', planId)
      .where(repo.scopePredicate(scope, 'inspectionPlan'))
      .forUpdate()
      .executeTakeFirst();
    if (!plan) throw notFound('执法计划');
    const region = input.regionCode ?? plan.regionCode;
    if (!region.startsWith(scope.regionCode))
      throw new DomainError('validation_failed', '抽取范围不在本辖区', [
        { path: 'body.regionCode', message: 'out of jurisdiction' },
      ]);
    const kinds = input.subjectKinds ?? plan.subjectKinds;
    const on = input.scheduledOn;
    const pool = await repo.drawPool(trx, region, kinds, periodOf(on));
    const weightOf = await gradeWeights(
      trx,
      pool.map((p) => p.id),
    );
    const candidates: DrawCandidate[] = pool.map((p) => {
      const w = weightOf(p.id);
      return {
        id: p.id,
        name: p.name,
        kind: p.kind,
        regionCode: p.regionCode,
        weight: w.weight,
        weightReason: w.reason,
      };
    });
    const inspectors = (await repo.listInspectors(trx, scope.regionCode, on)).map((i) => ({
      personId: i.personId,
      name: i.name,
    }));
    const conflictRows = await repo.conflictsOf(
      trx,
      candidates.map((c) => c.id),
      inspectors.map((i) => i.personId),
      on,
    );
    const conflicts: DrawInput['conflicts'] = {};
    for (const c of conflictRows) {
      conflicts[c.organizationId] ??= {};
      conflicts[c.organizationId][c.inspectorPersonId] = c.reason;
    }
    const seed = input.seed ?? randomBytes(16).toString('hex');
    const drawInput: DrawInput = {
      seed,
      pool: candidates,
      inspectors,
      conflicts,
      count: input.count,
      perTarget: input.inspectorsPerTarget,
    };
    const outcome = runDraw(drawInput);
    const draw = await trx
      .insertInto('inspectionDraw')
      .values({
        planId,
        regionCode: plan.regionCode,
        algorithm: DRAW_ALGORITHM,
        seed,
        params: JSON.stringify({
          regionCode: region,
          subjectKinds: kinds,
          count: input.count,
          perTarget: input.inspectorsPerTarget,
          scheduledOn: on,
        }),
        pool: JSON.stringify(candidates),
        inspectors: JSON.stringify({ inspectors, conflicts }),
        result: JSON.stringify(outcome),
        drawnBy: actor.displayName,
        drawnAt: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const byTarget = new Map(outcome.assignments.map((a) => [a.targetId, a]));
    const created: string[] = [];
    for (const t of outcome.targets) {
      const a = byTarget.get(t.id)!;
      if (a.understaffed) continue;
      const template = await repo.latestTemplate(
        trx,
        defaultChecklistOf[t.kind as SubjectKind],
        plan.regionCode,
      );
      const inspection = await insertInspection(trx, actor, {
        planId,
        drawId: draw.id,
        reportId: null,
        regulatorId: plan.regulatorId,
        organization: { id: t.id, regionCode: t.regionCode, kind: t.kind as SubjectKind },
        templateId: template!.id,
        items: template!.items,
        scheduledOn: on,
        inspectorPersonIds: a.inspectorPersonIds,
      });
      created.push(inspection.id);
    }
    await recordAudit(trx, {
      actor,
      action: 'supervision.draw',
      entityType: 'inspection_draw',
      entityId: draw.id,
      regionCode: plan.regionCode,
      after: { seed, algorithm: DRAW_ALGORITHM, outcome, inspections: created },
      summary: `${plan.name}: seed ${seed}, ${outcome.targets.length} targets`,
      requestId,
    });
    return { ...draw, inspections: created };
  });
}

export async function getDraw(db: Executor, actor: Actor, id: string) {
  const scope = requireJurisdiction(actor);
  const draw = await db
    .selectFrom('inspectionDraw')
    .selectAll()
    .where('id', '=', id)
    .where(repo.scopePredicate(scope, 'inspectionDraw'))
    .executeTakeFirst();
  if (!draw) throw notFound('抽取记录');
  return draw;
}

/** Re-runs a stored draw from its recorded seed and inputs: anyone can check it gives the same result. */
export async function rerunDraw(db: Executor, actor: Actor, id: string) {
  const draw = await getDraw(db, actor, id);
  const params = draw.params as { count: number; perTarget: number };
  const recorded = draw.inspectors as Pick<DrawInput, 'inspectors' | 'conflicts'>;
  const outcome = runDraw({
    seed: draw.seed,
    pool: draw.pool as DrawCandidate[],
    inspectors: recorded.inspectors,
    conflicts: recorded.conflicts,
    count: params.count,
    perTarget: params.perTarget,
  });
  // jsonb keeps keys in its own order: compare canonical forms.
  const same = canonicalJson(outcome) === canonicalJson(draw.result);
  return { drawId: id, algorithm: draw.algorithm, seed: draw.seed, same, outcome };
}

// ——— inspections ———

interface NewInspection {
  planId: string | null;
  drawId: string | null;
  reportId: string | null;
  regulatorId: string;
  organization: { id: string; regionCode: string; kind: SubjectKind };
  templateId: string;
  items: ChecklistItemDef[];
  scheduledOn: string;
  inspectorPersonIds: string[];
}

async function insertInspection(trx: Executor, actor: Actor, n: NewInspection) {
  const row = await trx
    .insertInto('inspection')
    .values({
      planId: n.planId,
      drawId: n.drawId,
      reportId: n.reportId,
      regulatorId: n.regulatorId,
      organizationId: n.organization.id,
      regionCode: n.organization.regionCode,
      subjectKind: n.organization.kind,
      templateId: n.templateId,
      scheduledOn: n.scheduledOn,
      inspectorPersonIds: n.inspectorPersonIds,
      createdBy: actor.displayName,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('inspectionItem')
    .values(
      n.items.map((it, i) => ({
        inspectionId: row.id,
        position: i + 1,
        code: it.code,
        text: it.text,
        basis: it.basis,
        severity: it.severity,
        prefill: it.prefill
          ? JSON.stringify({ source: it.prefill, suggestion: 'unknown', summary: '', evidence: [] })
          : null,
      })),
    )
    .execute();
  return row;
}

const subjectKindOf = (kind: string): SubjectKind | null =>
  kind === 'enterprise' ||
  kind === 'training_institution' ||
  kind === 'exam_site' ||
  kind === 'exam_authority'
    ? kind
    : null;

/** Schedules one inspection by hand (a follow-up, a report's investigation), with the same conflict check. */
export async function createInspection(
  db: Executor,
  actor: Actor,
  input: InspectionCreate,
  requestId?: string,
) {
  const scope = requireJurisdiction(actor, 'regulator');
  if (!actor.organizationId) throw forbidden();
  await ensureBuiltinTemplates(db);
  return transaction(db, async (trx) => {
    const org = await repo.findOrganizationInScope(trx, scope, input.organizationId);
    const kind = org ? subjectKindOf(org.kind) : null;
    if (!org || !kind)
      throw new DomainError('validation_failed', '检查对象不存在或不在本辖区', [
        { path: 'body.organizationId', message: 'not an inspectable organization in scope' },
      ]);
    const inspectors = await repo.listInspectors(trx, scope.regionCode, input.scheduledOn);
    input.inspectorPersonIds.forEach((p, i) => {
      if (!inspectors.some((x) => x.personId === p))
        throw new DomainError('validation_failed', '执法人员不在本辖区', [
          { path: `body.inspectorPersonIds.${i}`, message: 'not an inspector in scope' },
        ]);
    });
    const conflicts = await repo.conflictsOf(
      trx,
      [org.id],
      input.inspectorPersonIds,
      input.scheduledOn,
    );
    if (conflicts.length > 0)
      throw new DomainError(
        'rule_violation',
        `执法人员须回避：${conflicts.map((c) => c.reason).join('；')}`,
        conflicts.map((c) => ({
          path: `body.inspectorPersonIds.${input.inspectorPersonIds.indexOf(c.inspectorPersonId)}`,
          message: c.reason,
          code: 'conflict_of_interest',
        })),
      );
    const template = input.templateId
      ? await repo.findTemplate(trx, input.templateId)
      : await repo.latestTemplate(trx, defaultChecklistOf[kind], scope.regionCode);
    if (
      !template ||
      template.subjectKind !== kind ||
      !scope.regionCode.startsWith(template.regionCode)
    )
      throw new DomainError('validation_failed', '检查表不适用于该检查对象', [
        { path: 'body.templateId', message: 'template of another subject kind' },
      ]);
    const row = await insertInspection(trx, actor, {
      planId: input.planId ?? null,
      drawId: null,
      reportId: input.reportId ?? null,
      regulatorId: actor.organizationId!,
      organization: { id: org.id, regionCode: org.regionCode, kind },
      templateId: template.id,
      items: template.items,
      scheduledOn: input.scheduledOn,
      inspectorPersonIds: input.inspectorPersonIds,
    });
    await recordAudit(trx, {
      actor,
      action: 'supervision.inspection.create',
      entityType: 'inspection',
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
      summary: `${org.name} ${input.scheduledOn}`,
      requestId,
    });
    return row;
  });
}

async function withInspectorNames<T extends { inspectorPersonIds: string[] }>(
  db: Executor,
  rows: T[],
) {
  const names = await repo.personNames(db, [...new Set(rows.flatMap((r) => r.inspectorPersonIds))]);
  return rows.map((r) => ({
    ...r,
    inspectors: r.inspectorPersonIds.map((id) => ({ personId: id, name: names.get(id) ?? '' })),
  }));
}

export async function listInspections(
  db: Executor,
  actor: Actor,
  q: {
    date?: string;
    from?: string;
    to?: string;
    mine?: boolean;
    status?: string;
    organizationId?: string;
  },
) {
  const scope = requireJurisdiction(actor);
  let query = repo.inspectionQuery(db, scope);
  if (q.date) query = query.where('i.scheduledOn', '=', q.date);
  if (q.from) query = query.where('i.scheduledOn', '>=', q.from);
  if (q.to) query = query.where('i.scheduledOn', '<=', q.to);
  if (q.status) query = query.where('i.status', '=', q.status as never);
  if (q.organizationId) query = query.where('i.organizationId', '=', q.organizationId);
  if (q.mine) {
    const me = await personOf(db, actor);
    if (!me) return [];
    query = query.where((eb) => eb(eb.val(me), '=', eb.fn.any('i.inspectorPersonIds')));
  }
  const rows = await query.orderBy('i.scheduledOn', 'desc').orderBy('i.id').limit(500).execute();
  return withInspectorNames(db, rows);
}

/** The inspector's day: their inspections scheduled today (Beijing) and any still open from before. */
export async function myDay(db: Executor, actor: Actor, now: Date) {
  requireJurisdiction(actor, 'inspector');
  const today = beijingDay(now);
  const rows = await listInspections(db, actor, { mine: true, to: today });
  return {
    today,
    inspections: rows.filter((r) => r.scheduledOn === today || r.status !== 'signed'),
  };
}

export async function findInspection(db: Executor, actor: Actor, id: string) {
  const scope = requireJurisdiction(actor);
  const row = await repo.inspectionQuery(db, scope).where('i.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('检查');
  return row;
}

export async function getInspection(db: Executor, actor: Actor, id: string) {
  const row = await findInspection(db, actor, id);
  const [items, photos, findings, orders, spotExams, penalties] = await Promise.all([
    repo.itemsOf(db, id),
    repo.filesOf(db, 'inspection', [id]),
    db
      .selectFrom('supervisionFinding')
      .selectAll()
      .where('inspectionId', '=', id)
      .orderBy('itemPosition')
      .orderBy('createdAt')
      .execute(),
    db
      .selectFrom('rectificationOrder')
      .select(['id', 'number', 'state', 'deadline'])
      .where('inspectionId', '=', id)
      .execute(),
    db
      .selectFrom('spotExam')
      .select(['id', 'seed', 'itemCode', 'questionCount', 'createdAt'])
      .where('inspectionId', '=', id)
      .execute(),
    db
      .selectFrom('penalty')
      .select(['id', 'kind', 'decisionNumber', 'amountYuan', 'decidedOn'])
      .where('inspectionId', '=', id)
      .execute(),
  ]);
  const [withNames] = await withInspectorNames(db, [row]);
  const me = await personOf(db, actor);
  return {
    ...withNames,
    canEdit: row.status !== 'signed' && me !== null && row.inspectorPersonIds.includes(me),
    items,
    photos,
    findings,
    orders,
    spotExams,
    penalties,
  };
}

/** Locks the inspection for an assigned inspector's write; a signed inspection is read-only. */
async function lockForInspector(trx: Executor, actor: Actor, id: string) {
  const scope = requireJurisdiction(actor);
  const visible = await repo.inspectionQuery(trx, scope).where('i.id', '=', id).executeTakeFirst();
  if (!visible) throw notFound('检查');
  const row = (await repo.lockInspection(trx, id))!;
  const me = await personOf(trx, actor);
  if (!me || !row.inspectorPersonIds.includes(me))
    throw forbidden('只有本次检查的执法人员可以填写检查记录');
  if (row.status === 'signed')
    throw new DomainError('rule_violation', '检查记录已由被检查单位签字确认，不能再修改', [
      { message: 'inspection signed', code: 'inspection_locked' },
    ]);
  return { row, me };
}

/** Starts the inspection on site and fills each item's evidence from what the platform already knows. */
export async function startInspection(
  db: Executor,
  actor: Actor,
  id: string,
  now: Date,
  requestId?: string,
) {
  const prefills = await computePrefills(db, actor, id);
  return transaction(db, async (trx) => {
    const { row } = await lockForInspector(trx, actor, id);
    for (const [position, prefill] of prefills)
      await trx
        .updateTable('inspectionItem')
        .set({ prefill: JSON.stringify(prefill) })
        .where('inspectionId', '=', id)
        .where('position', '=', position)
        .execute();
    const after = await trx
      .updateTable('inspection')
      .set({ status: 'in_progress', startedAt: row.startedAt ?? now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.inspection.start',
      entityType: 'inspection',
      entityId: id,
      regionCode: row.regionCode,
      before: { status: row.status },
      after: { status: after.status, prefilled: [...prefills.keys()] },
      requestId,
    });
    return getInspection(trx, actor, id);
  });
}

/**
 * What the platform's own records say for the items that have a source: the AQ 8011 registration
 * check, the sealed archives' checklists, the video coverage of recent lessons. The inspector still
 * decides; the evidence is shown beside the item so it is confirmed rather than retyped.
 */
async function computePrefills(db: Executor, actor: Actor, id: string) {
  const insp = await findInspection(db, actor, id);
  const items = await repo.itemsOf(db, id);
  const sources = new Set(items.flatMap((i) => (i.prefill ? [i.prefill.source] : [])));
  const out = new Map<number, Prefill>();
  const bySource = new Map<string, Prefill>();
  if (sources.has('registration') && insp.organizationKind === 'training_institution') {
    const check = await getRegistrationCheck(db, actor, insp.organizationId);
    const failing = check.findings.filter((f) => f.severity === 'blocking');
    bySource.set('registration', {
      source: 'registration',
      suggestion: check.passed ? 'pass' : 'fail',
      summary: check.passed
        ? `信息登记核查（${check.checkedOn}）基本条件全部符合`
        : `信息登记核查（${check.checkedOn}）${failing.length} 项不符合：${failing.map((f) => f.message).join('；')}`,
      evidence: failing.map((f) => ({
        kind: 'registration_condition',
        id: f.code,
        label: f.message,
      })),
    });
  }
  if (
    (sources.has('archive') || sources.has('video')) &&
    insp.organizationKind === 'training_institution'
  ) {
    const classes = await listClasses(db, actor, {
      organizationId: insp.organizationId,
      page: 1,
      pageSize: 10,
    });
    if (sources.has('archive')) {
      const problems: Prefill['evidence'] = [];
      let checked = 0;
      for (const c of classes.items.filter((x) => x.status === 'closed')) {
        const a = await getArchiveChecklist(db, actor, c.id);
        checked++;
        for (const p of a.parts.filter((x) => !x.present))
          problems.push({ kind: 'class', id: c.id, label: `${c.code} 缺少${p.label}` });
      }
      bySource.set('archive', {
        source: 'archive',
        suggestion: checked === 0 ? 'unknown' : problems.length ? 'fail' : 'pass',
        summary:
          checked === 0
            ? '尚无封档的培训班'
            : problems.length
              ? `${checked} 个已封档培训班中档案缺项 ${problems.length} 处`
              : `${checked} 个已封档培训班档案齐全`,
        evidence: problems,
      });
    }
    if (sources.has('video')) {
      const gaps: Prefill['evidence'] = [];
      let lessons = 0;
      for (const c of classes.items.slice(0, 4)) {
        const detail = await getClassDetail(db, actor, c.id);
        for (const l of detail.lessons.filter((x) => x.mode !== 'online').slice(0, 10)) {
          if (new Date(l.endsAt) > new Date()) continue;
          const cov = await lessonCoverage(db, actor, l.id);
          lessons++;
          if (cov.gaps.length > 0)
            gaps.push({
              kind: 'lesson',
              id: l.id,
              label: `${c.code} ${beijingDay(new Date(cov.startsAt))} 录像覆盖 ${Math.round(cov.coveredMinutes)}/${cov.lessonMinutes} 分钟`,
            });
        }
      }
      bySource.set('video', {
        source: 'video',
        suggestion: lessons === 0 ? 'unknown' : gaps.length ? 'fail' : 'pass',
        summary:
          lessons === 0
            ? '暂无已结束的线下课次'
            : gaps.length
              ? `抽查 ${lessons} 个线下课次，${gaps.length} 个录像不完整`
              : `抽查 ${lessons} 个线下课次，录像全覆盖`,
        evidence: gaps,
      });
    }
  }
  for (const it of items) {
    if (!it.prefill) continue;
    const found = bySource.get(it.prefill.source);
    out.set(
      it.position,
      found ?? {
        source: it.prefill.source,
        suggestion: 'unknown',
        summary:
          it.prefill.source === 'alerts'
            ? '平台预警尚未接入本检查项，请现场核实'
            : '平台暂无该项记录，请现场核实',
        evidence: [],
      },
    );
  }
  return out;
}

export async function answerItem(
  db: Executor,
  actor: Actor,
  id: string,
  position: number,
  input: ItemAnswer,
  now: Date,
  requestId?: string,
) {
  const problem = itemAnswerProblem(input);
  if (problem)
    throw new DomainError('validation_failed', problem, [
      { path: 'body.note', message: problem, code: 'evidence_required' },
    ]);
  return transaction(db, async (trx) => {
    const { row } = await lockForInspector(trx, actor, id);
    const before = await trx
      .selectFrom('inspectionItem')
      .selectAll()
      .where('inspectionId', '=', id)
      .where('position', '=', position)
      .executeTakeFirst();
    if (!before) throw notFound('检查项');
    const photos = input.photoSha256s ?? [];
    if (photos.length) {
      const known = await repo.filesOf(trx, 'inspection', [id]);
      const have = new Set(known.map((f) => f.sha256));
      photos.forEach((p, i) => {
        if (!have.has(p))
          throw new DomainError('validation_failed', '照片未上传到本次检查', [
            { path: `body.photoSha256s.${i}`, message: 'unknown photo' },
          ]);
      });
    }
    const after = await trx
      .updateTable('inspectionItem')
      .set({
        result: input.result,
        note: input.note?.trim() || null,
        photoSha256s: photos,
        answeredBy: actor.displayName,
        answeredAt: now,
      })
      .where('inspectionId', '=', id)
      .where('position', '=', position)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (row.status === 'scheduled')
      await trx
        .updateTable('inspection')
        .set({ status: 'in_progress', startedAt: now })
        .where('id', '=', id)
        .execute();
    await recordAudit(trx, {
      actor,
      action: 'supervision.inspection.item',
      entityType: 'inspection',
      entityId: id,
      regionCode: row.regionCode,
      before: { position, result: before.result, note: before.note, photos: before.photoSha256s },
      after: { position, result: after.result, note: after.note, photos: after.photoSha256s },
      requestId,
    });
    return after;
  });
}

/** A photo taken on site: kept by the file storage under its SHA-256, the record keeps the digest. */
export async function addInspectionPhoto(
  db: Executor,
  files: FileStorage,
  actor: Actor,
  id: string,
  input: { contentBase64: string; contentType: string; name?: string },
  requestId?: string,
) {
  const bytes = decodeUpload(input.contentBase64, input.contentType, PHOTO_TYPES);
  const stored = await files.put(bytes);
  return transaction(db, async (trx) => {
    const { row } = await lockForInspector(trx, actor, id);
    const existing = (await repo.filesOf(trx, 'inspection', [id])).find(
      (f) => f.sha256 === stored.sha256,
    );
    if (existing) return existing;
    const file = await trx
      .insertInto('supervisionFile')
      .values({
        sha256: stored.sha256,
        size: stored.size,
        contentType: input.contentType,
        name: input.name ?? null,
        ownerKind: 'inspection',
        ownerId: id,
        regionCode: row.regionCode,
        uploadedBy: actor.displayName,
      })
      .returning([
        'id',
        'sha256',
        'size',
        'contentType',
        'name',
        'ownerId',
        'uploadedAt',
        'uploadedBy',
      ])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.inspection.photo',
      entityType: 'inspection',
      entityId: id,
      regionCode: row.regionCode,
      after: { sha256: stored.sha256, size: stored.size },
      requestId,
    });
    return file;
  });
}

/**
 * The inspected party signs (name + the signature drawn on the phone), and the record is locked:
 * every failed item becomes a finding with the item's severity and legal basis, a spot exam below the
 * target pass rate becomes one too, and nothing of the inspection can change afterwards.
 */
export async function signInspection(
  db: Executor,
  files: FileStorage,
  actor: Actor,
  id: string,
  input: SignInput,
  now: Date,
  requestId?: string,
) {
  const signature = decodeUpload(
    input.signaturePngBase64,
    'image/png',
    ['image/png'],
    'body.signaturePngBase64',
  );
  const stored = await files.put(signature);
  const spot = await spotExamFindings(db, id);
  return transaction(db, async (trx) => {
    const { row } = await lockForInspector(trx, actor, id);
    const items = await repo.itemsOf(trx, id);
    const missing = items.filter((i) => i.result === null);
    if (missing.length > 0)
      throw new DomainError(
        'rule_violation',
        `还有 ${missing.length} 个检查项未填写`,
        missing.map((m) => ({
          path: `items.${m.position}`,
          message: m.text,
          code: 'item_unanswered',
        })),
      );
    await trx
      .insertInto('supervisionFile')
      .values({
        sha256: stored.sha256,
        size: stored.size,
        contentType: 'image/png',
        name: `签字-${input.signerName}`,
        ownerKind: 'signature',
        ownerId: id,
        regionCode: row.regionCode,
        uploadedBy: actor.displayName,
      })
      .execute();
    const failed = items.filter((i) => i.result === 'fail');
    const findings = failed.map((i) => ({
      inspectionId: id,
      itemPosition: i.position,
      organizationId: row.organizationId,
      regionCode: row.regionCode,
      rule: null,
      code: i.code,
      severity: i.severity,
      message: i.note ? `${i.text}——${i.note}` : i.text,
      basis: i.basis,
      evidence: JSON.stringify(
        i.photoSha256s.map((sha) => ({ kind: 'photo', id: sha, label: '现场照片' })),
      ),
      createdBy: actor.displayName,
      createdAt: now,
    }));
    for (const s of spot)
      findings.push({
        inspectionId: id,
        itemPosition: null as unknown as number,
        organizationId: row.organizationId,
        regionCode: row.regionCode,
        rule: null,
        code: 'spot_exam_pass_rate',
        severity: s.severity,
        message: s.message,
        basis: s.basis,
        evidence: JSON.stringify(s.evidence),
        createdBy: actor.displayName,
        createdAt: now,
      });
    const created = findings.length
      ? await trx.insertInto('supervisionFinding').values(findings).returningAll().execute()
      : [];
    const after = await trx
      .updateTable('inspection')
      .set({
        status: 'signed',
        signedAt: now,
        signerName: input.signerName,
        signatureSha256: stored.sha256,
        summary: input.summary ?? null,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: 'supervision.inspection.sign',
      entityType: 'inspection',
      entityId: id,
      regionCode: row.regionCode,
      before: { status: row.status },
      after: { ...after, findings: created.map((f) => f.id) },
      summary: `${input.signerName} 签字确认，问题 ${created.length} 项`,
      requestId,
    });
    return { inspection: after, findings: created };
  });
}

export async function readFile(
  db: Executor,
  files: FileStorage,
  actor: Actor,
  fileId: string,
): Promise<{ bytes: Uint8Array; contentType: string; name: string | null; sha256: string }> {
  const f = await repo.findFile(db, fileId);
  if (!f) throw notFound('文件');
  await assertOwnerVisible(db, actor, f.ownerKind, f.ownerId);
  const bytes = await files.get(f.sha256);
  if (!bytes) throw notFound('文件');
  return { bytes, contentType: f.contentType, name: f.name, sha256: f.sha256 };
}

async function assertOwnerVisible(db: Executor, actor: Actor, kind: string, ownerId: string) {
  const scope = actor.scope;
  if (kind === 'inspection' || kind === 'signature') {
    if (scope.kind !== 'region') throw notFound('文件');
    await findInspection(db, actor, ownerId);
    return;
  }
  if (kind === 'order') {
    const o = await repo.orderQuery(db, scope).where('ro.id', '=', ownerId).executeTakeFirst();
    if (!o) throw notFound('文件');
    return;
  }
  if (kind === 'report') {
    const r = await db
      .selectFrom('publicReport')
      .select(['regionCode', 'assignedToUserId'])
      .where('id', '=', ownerId)
      .executeTakeFirst();
    if (!r || scope.kind !== 'region' || !regionInScope(scope, r.regionCode))
      throw notFound('文件');
    return;
  }
  throw notFound('文件');
}
