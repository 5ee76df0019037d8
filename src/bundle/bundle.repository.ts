import { randomUUID } from 'node:crypto';
import type {
  NewEmploymentRow,
  NewOrganizationRow,
  NewPersonRow,
  NewStaffAssignmentRow,
} from '../modules/registry/registry.table.js';
import type { Executor } from '../platform/db/database.js';

const CHUNK = 1000;

async function chunked<T>(rows: T[], fn: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await fn(rows.slice(i, i + CHUNK));
}

export async function findRefs(
  db: Executor,
  entityType: string,
  refs: string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < refs.length; i += CHUNK) {
    const rows = await db
      .selectFrom('externalRef')
      .select(['ref', 'entityId'])
      .where('entityType', '=', entityType)
      .where('ref', 'in', refs.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.ref, r.entityId);
  }
  return out;
}

export async function findExistingRegions(db: Executor, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.selectFrom('region').select('code').where('code', 'in', codes).execute();
  return new Set(rows.map((r) => r.code));
}

export async function findOrganizationsByCreditCode(db: Executor, codes: string[]) {
  const out = new Map<string, { id: string; kind: string; regionCode: string }>();
  for (let i = 0; i < codes.length; i += CHUNK) {
    const rows = await db
      .selectFrom('organization')
      .select(['id', 'kind', 'creditCode', 'regionCode'])
      .where('creditCode', 'in', codes.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.creditCode, r);
  }
  return out;
}

export async function findOrganizationsByIds(db: Executor, ids: string[]) {
  const out = new Map<string, { id: string; kind: string; regionCode: string }>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('organization')
      .select(['id', 'kind', 'regionCode'])
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

export async function findPersonsByIdNumber(db: Executor, idNumbers: string[]) {
  const out = new Map<string, { id: string; name: string }>();
  for (let i = 0; i < idNumbers.length; i += CHUNK) {
    const rows = await db
      .selectFrom('person')
      .select(['id', 'name', 'idNumber'])
      .where('idNumber', 'in', idNumbers.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.idNumber, r);
  }
  return out;
}

/** Multi-row inserts with ids made here, so no reliance on the order RETURNING gives rows back. */
export async function insertOrganizations(
  trx: Executor,
  rows: (NewOrganizationRow & { id: string })[],
) {
  await chunked(rows, (c) => trx.insertInto('organization').values(c).execute());
}

export async function setOperators(trx: Executor, pairs: { id: string; operatorId: string }[]) {
  for (const p of pairs)
    await trx
      .updateTable('organization')
      .set({ operatorId: p.operatorId })
      .where('id', '=', p.id)
      .execute();
}

export async function insertPersons(trx: Executor, rows: (NewPersonRow & { id: string })[]) {
  await chunked(rows, (c) => trx.insertInto('person').values(c).execute());
}

export async function insertStaff(trx: Executor, rows: (NewStaffAssignmentRow & { id: string })[]) {
  await chunked(rows, (c) => trx.insertInto('staffAssignment').values(c).execute());
}

export async function insertEmployments(
  trx: Executor,
  rows: (NewEmploymentRow & { id: string })[],
) {
  await chunked(rows, (c) => trx.insertInto('employment').values(c).execute());
}

export async function insertRefs(
  trx: Executor,
  rows: { entityType: string; ref: string; entityId: string; regionCode: string | null }[],
) {
  await chunked(rows, (c) => trx.insertInto('externalRef').values(c).execute());
}

export const newId = (): string => randomUUID();

/** Everything under a region prefix ('' = all), for export. */
export async function readRegistry(db: Executor, regionPrefix: string) {
  const like = `${regionPrefix}%`;
  const [organizations, staff, employments, refs] = await Promise.all([
    db.selectFrom('organization').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('staffAssignment').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('employment').selectAll().where('regionCode', 'like', like).execute(),
    db.selectFrom('externalRef').select(['entityType', 'entityId', 'ref']).execute(),
  ]);
  if (regionPrefix === '') {
    const persons = await db.selectFrom('person').selectAll().execute();
    return { organizations, persons, staff, employments, refs };
  }
  // Trainees and teachers of the jurisdiction's classes, its candidates, invigilators, examiners and
  // certificate holders belong in its bundle even when employed elsewhere.
  const [trainees, lessonTeachers, classHeads, candidates, sessions, examiners, holders] =
    await Promise.all([
      db.selectFrom('classTrainee').select('personId').where('regionCode', 'like', like).execute(),
      db
        .selectFrom('lesson')
        .select('teacherId as personId')
        .where('regionCode', 'like', like)
        .execute(),
      db
        .selectFrom('trainingClass')
        .select('headTeacherId as personId')
        .where('regionCode', 'like', like)
        .execute(),
      db
        .selectFrom('examRegistration')
        .select('personId')
        .where('regionCode', 'like', like)
        .execute(),
      db
        .selectFrom('examSession')
        .select(['invigilatorIds', 'examinerIds'])
        .where('regionCode', 'like', like)
        .execute(),
      db
        .selectFrom('practicalScore as p')
        .innerJoin('examRegistration as r', 'r.id', 'p.registrationId')
        .select('p.examinerPersonId as personId')
        .where('r.regionCode', 'like', like)
        .where('p.examinerPersonId', 'is not', null)
        .execute(),
      db.selectFrom('certificate').select('personId').where('regionCode', 'like', like).execute(),
    ]);
  const sessionStaff = sessions.flatMap((s) =>
    [...s.invigilatorIds, ...s.examinerIds].map((personId) => ({ personId })),
  );
  const personIds = [
    ...new Set(
      [
        ...staff,
        ...employments,
        ...trainees,
        ...lessonTeachers,
        ...classHeads,
        ...candidates,
        ...sessionStaff,
        ...(examiners as { personId: string }[]),
        ...holders,
      ].map((r) => r.personId),
    ),
  ];
  const persons = [];
  for (let i = 0; i < personIds.length; i += CHUNK) {
    persons.push(
      ...(await db
        .selectFrom('person')
        .selectAll()
        .where('id', 'in', personIds.slice(i, i + CHUNK))
        .execute()),
    );
  }
  return { organizations, persons, staff, employments, refs };
}

/** Sections whose records belong to one organization (an institution, a site, an exam authority). */
export type OwnedSection =
  | 'rooms'
  | 'devices'
  | 'classes'
  | 'lessons'
  | 'onlineCourses'
  | 'examPlans'
  | 'examSessions'
  | 'examRegistrations'
  | 'certificates';

/**
 * The organization each already-stored record belongs to, by record id: a room, device, class, lesson
 * or online course its institution's (or exam site's); a plan, session or registration its exam
 * authority's; a certificate its issuing authority's.
 */
export async function ownersOf(
  db: Executor,
  section: OwnedSection,
  ids: string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    let rows: { id: string; owner: string }[];
    switch (section) {
      case 'rooms':
      case 'devices':
      case 'classes':
      case 'lessons':
      case 'onlineCourses': {
        const table = {
          rooms: 'room',
          devices: 'device',
          classes: 'trainingClass',
          lessons: 'lesson',
          onlineCourses: 'onlineCourse',
        } as const;
        rows = await db
          .selectFrom(table[section] as 'room')
          .select(['id', 'organizationId as owner'])
          .where('id', 'in', chunk)
          .execute();
        break;
      }
      case 'examPlans':
        rows = await db
          .selectFrom('examPlan')
          .select(['id', 'authorityId as owner'])
          .where('id', 'in', chunk)
          .execute();
        break;
      case 'examSessions':
        rows = await db
          .selectFrom('examSession as s')
          .innerJoin('examPlan as p', 'p.id', 's.planId')
          .select(['s.id', 'p.authorityId as owner'])
          .where('s.id', 'in', chunk)
          .execute();
        break;
      case 'examRegistrations':
        rows = await db
          .selectFrom('examRegistration as r')
          .innerJoin('examPlan as p', 'p.id', 'r.planId')
          .select(['r.id', 'p.authorityId as owner'])
          .where('r.id', 'in', chunk)
          .execute();
        break;
      case 'certificates':
        rows = await db
          .selectFrom('certificate')
          .select(['id', 'authorityId as owner'])
          .where('id', 'in', chunk)
          .execute();
        break;
    }
    for (const r of rows) out.set(r.id, r.owner);
  }
  return out;
}

/** Which of these persons sit an exam of the authority (a registration in one of its plans). */
export async function candidatesOfAuthority(
  db: Executor,
  authorityId: string,
  personIds: string[],
) {
  const out = new Set<string>();
  for (let i = 0; i < personIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('examRegistration as r')
      .innerJoin('examPlan as p', 'p.id', 'r.planId')
      .select('r.personId')
      .where('p.authorityId', '=', authorityId)
      .where('r.personId', 'in', personIds.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.add(r.personId);
  }
  return out;
}
