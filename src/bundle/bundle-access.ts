import { certifiesFor } from '../modules/certificates/certificates.service.js';
import { keepsExamRecordsOf } from '../modules/exams/exams.access.js';
import { canPublishSyllabus } from '../modules/policy/syllabus.service.js';
import {
  canManageOrganization,
  canRegisterOrganization,
  isRegistrar,
} from '../modules/registry/registry.access.js';
import { visiblePersonIds } from '../modules/registry/registry.service.js';
import { keepsClassesOf, keepsSiteOf } from '../modules/training/classes.access.js';
import { type Actor, authorityOf, regionInScope, regulatorOver } from '../platform/auth/actor.js';
import type { Executor } from '../platform/db/database.js';
import type { Bundle, BundleError, BundleSection } from './bundle.contract.js';
import * as repo from './bundle.repository.js';

/**
 * The bundle import is an administrative door, not a side door (issue 12 point 1): every record of
 * every section is authorized against the importer's role and scope with the permission check of the
 * service that creates that record (the same function, imported from the module), widened only by the
 * administrative authority above it — a regulator whose jurisdiction covers the record's owner:
 *
 * | records | who may bring them in |
 * |---|---|
 * | organizations | a regulator of their region (registry: canRegisterOrganization) |
 * | persons | a registrar (regulator); others only persons already visible to them (no new files, no existence oracle) |
 * | staff, employments | whoever manages the organization (registry: canManageOrganization) |
 * | syllabi | an admin regulator of the region (policy: canPublishSyllabus) |
 * | rooms, devices, attendance, recordings | the institution or exam site itself (training: keepsSiteOf) or a regulator over it |
 * | classes, lessons, make-ups, online courses and sessions | the institution itself (training: keepsClassesOf) or a regulator over it |
 * | questions … patrol events | the exam authority itself (exams: keepsExamRecordsOf) or a regulator over it |
 * | authority keys, certificates, certificate events | the exam authority itself (certificates: certifiesFor) or a regulator over it |
 *
 * Records linked rather than written (an existing ref, credit code, ID number, QR id) are checked the
 * same way: naming someone else's record in a file is never a way to act on it. The operator's CLI
 * (`npx zhenxun import`, a 'system:…' caller) is not checked.
 */

export interface OrgInfo {
  /** Set when the organization is already in the database (its kind and region are then the database's). */
  id?: string;
  kind: string;
  regionCode: string;
}

export interface AccessContext {
  orgInfo: Map<string, OrgInfo>;
  /** person ref → id, for persons already in the database (referred to by ref, or linked by ID number). */
  personIds: Map<string, string>;
  /** ref → existing id per section. */
  existing: Record<BundleSection, Map<string, string>>;
}

type Push = (e: BundleError) => void;

const orgLabel: Record<string, string> = {
  regulator: '监管部门',
  exam_authority: '考试机构',
  exam_site: '考点',
  training_institution: '培训机构',
  enterprise: '生产经营单位',
};

/** Refs of a section that are not in the file: records already imported. */
async function dbRefs(
  db: Executor,
  section: BundleSection,
  refs: Iterable<string>,
  inFile: Set<string>,
) {
  return repo.findRefs(
    db,
    section,
    [...new Set(refs)].filter((r) => !inFile.has(r)),
  );
}

export async function authorizeBundle(
  db: Executor,
  b: Bundle,
  actor: Actor,
  ctx: AccessContext,
  push: Push,
): Promise<void> {
  const refused = (
    section: BundleSection,
    index: number,
    ref: string,
    field: string,
    message: string,
  ) => push({ section, index, ref, field, code: 'forbidden', message });

  // ——— owners: which organization each record belongs to ———
  const orgById = new Map<string, OrgInfo>();
  for (const o of ctx.orgInfo.values()) if (o.id) orgById.set(o.id, o);
  const ownerIdsWanted = new Set<string>();

  const refSet = <T extends { ref: string }>(rows: T[] | undefined) =>
    new Set((rows ?? []).map((r) => r.ref));
  const fileRooms = new Map((b.rooms ?? []).map((r) => [r.ref, r]));
  const fileDevices = new Map((b.devices ?? []).map((d) => [d.ref, d]));
  const fileClasses = new Map((b.classes ?? []).map((c) => [c.ref, c]));
  const fileLessons = new Map((b.lessons ?? []).map((l) => [l.ref, l]));
  const fileCourses = new Map((b.onlineCourses ?? []).map((c) => [c.ref, c]));
  const filePlans = new Map((b.examPlans ?? []).map((p) => [p.ref, p]));
  const fileSessions = new Map((b.examSessions ?? []).map((s) => [s.ref, s]));
  const fileRegistrations = new Map((b.examRegistrations ?? []).map((r) => [r.ref, r]));
  const fileCertificates = new Map((b.certificates ?? []).map((c) => [c.ref, c]));

  /** ref → owning organization id, for records of a section already stored (by ref). */
  const storedOwner = new Map<string, Map<string, string>>();
  const loadStored = async (section: repo.OwnedSection, refs: string[], inFile: Set<string>) => {
    const found = await dbRefs(db, section, refs, inFile);
    // A record of the file linked to a stored one (by a natural key) is owned as stored.
    for (const [ref, id] of ctx.existing[section]) if (!found.has(ref)) found.set(ref, id);
    const owners = await repo.ownersOf(db, section, [...new Set(found.values())]);
    const byRef = new Map<string, string>();
    for (const [ref, id] of found) {
      const owner = owners.get(id);
      if (owner) {
        byRef.set(ref, owner);
        ownerIdsWanted.add(owner);
      }
    }
    storedOwner.set(section, byRef);
  };
  const lessonsRooms = (b.lessons ?? []).flatMap((l) => (l.roomRef ? [l.roomRef] : []));
  await loadStored(
    'rooms',
    [...(b.devices ?? []).map((d) => d.roomRef), ...lessonsRooms],
    refSet(b.rooms),
  );
  await loadStored(
    'devices',
    [...(b.attendance ?? []), ...(b.recordings ?? [])].map((r) => r.deviceRef),
    refSet(b.devices),
  );
  await loadStored(
    'classes',
    [...(b.lessons ?? []), ...(b.onlineCourses ?? [])].map((r) => r.classRef),
    refSet(b.classes),
  );
  await loadStored(
    'lessons',
    (b.makeups ?? []).map((m) => m.lessonRef),
    refSet(b.lessons),
  );
  await loadStored(
    'onlineCourses',
    (b.onlineSessions ?? []).map((s) => s.courseRef),
    refSet(b.onlineCourses),
  );
  await loadStored(
    'examPlans',
    (b.examSessions ?? []).map((s) => s.planRef),
    refSet(b.examPlans),
  );
  await loadStored(
    'examSessions',
    [...(b.examRegistrations ?? []), ...(b.patrolEvents ?? [])].map((r) => r.sessionRef),
    refSet(b.examSessions),
  );
  await loadStored(
    'examRegistrations',
    [...(b.theoryAttempts ?? []), ...(b.practicalScores ?? [])].map((r) => r.registrationRef),
    refSet(b.examRegistrations),
  );
  await loadStored(
    'certificates',
    (b.certificateEvents ?? []).map((e) => e.certificateRef),
    refSet(b.certificates),
  );
  const missing = [...ownerIdsWanted].filter((id) => !orgById.has(id));
  for (const [id, o] of await repo.findOrganizationsByIds(db, missing)) orgById.set(id, o);

  const byOrgRef = (ref: string | undefined): OrgInfo | undefined =>
    ref === undefined ? undefined : ctx.orgInfo.get(ref);
  const stored = (section: repo.OwnedSection, ref: string): OrgInfo | undefined => {
    const id = storedOwner.get(section)?.get(ref);
    return id ? orgById.get(id) : undefined;
  };
  // Each resolver: the file's record when it is in the file (and not linked to a stored one), else
  // the stored record's owner. Undefined for a dangling ref (validation reports it).
  const roomOrg = (ref: string): OrgInfo | undefined =>
    stored('rooms', ref) ?? byOrgRef(fileRooms.get(ref)?.organizationRef);
  const deviceOrg = (ref: string): OrgInfo | undefined => {
    const s = stored('devices', ref);
    if (s) return s;
    const d = fileDevices.get(ref);
    return d ? roomOrg(d.roomRef) : undefined;
  };
  const classOrg = (ref: string): OrgInfo | undefined =>
    stored('classes', ref) ?? byOrgRef(fileClasses.get(ref)?.organizationRef);
  const lessonOrg = (ref: string): OrgInfo | undefined => {
    const s = stored('lessons', ref);
    if (s) return s;
    const l = fileLessons.get(ref);
    return l ? classOrg(l.classRef) : undefined;
  };
  const courseOrg = (ref: string): OrgInfo | undefined => {
    const s = stored('onlineCourses', ref);
    if (s) return s;
    const c = fileCourses.get(ref);
    return c ? classOrg(c.classRef) : undefined;
  };
  const planAuthority = (ref: string): OrgInfo | undefined =>
    stored('examPlans', ref) ?? byOrgRef(filePlans.get(ref)?.authorityRef);
  const sessionAuthority = (ref: string): OrgInfo | undefined => {
    const s = stored('examSessions', ref);
    if (s) return s;
    const f = fileSessions.get(ref);
    return f ? planAuthority(f.planRef) : undefined;
  };
  const registrationAuthority = (ref: string): OrgInfo | undefined => {
    const s = stored('examRegistrations', ref);
    if (s) return s;
    const f = fileRegistrations.get(ref);
    return f ? sessionAuthority(f.sessionRef) : undefined;
  };
  const certificateAuthority = (ref: string): OrgInfo | undefined =>
    stored('certificates', ref) ?? byOrgRef(fileCertificates.get(ref)?.authorityRef);

  // ——— the checks: the module's own function, or the regulator above ———
  const above = (o: OrgInfo) => regulatorOver(actor, o.regionCode);
  const site = (o: OrgInfo) => (o.id !== undefined && keepsSiteOf(actor, o.id)) || above(o);
  const classes = (o: OrgInfo) => (o.id !== undefined && keepsClassesOf(actor, o.id)) || above(o);
  const exams = (o: OrgInfo) => (o.id !== undefined && keepsExamRecordsOf(actor, o.id)) || above(o);
  const certs = (o: OrgInfo) => (o.id !== undefined && certifiesFor(actor, o.id)) || above(o);
  const notYours = (o: OrgInfo) =>
    `无权导入属于${orgLabel[o.kind] ?? '其他单位'}（${o.regionCode}）的记录：只有该单位本身或其上级监管部门可以`;

  const check = (
    section: BundleSection,
    index: number,
    ref: string,
    field: string,
    owner: OrgInfo | undefined,
    allowed: (o: OrgInfo) => boolean,
  ) => {
    if (owner && !allowed(owner)) refused(section, index, ref, field, notYours(owner));
  };

  (b.organizations ?? []).forEach((o, i) => {
    const info = ctx.orgInfo.get(o.ref) ?? { kind: o.kind, regionCode: o.regionCode };
    if (!canRegisterOrganization(actor, info.regionCode))
      refused(
        'organizations',
        i,
        o.ref,
        'regionCode',
        `行政区划 ${info.regionCode} 不在导入者辖区内：只有该辖区的监管部门可以登记机构`,
      );
  });
  for (const section of ['staff', 'employments'] as const)
    (b[section] ?? []).forEach((r, i) => {
      check(section, i, r.ref, 'organizationRef', byOrgRef(r.organizationRef), (o) =>
        canManageOrganization(actor, o),
      );
    });
  (b.syllabi ?? []).forEach((x, i) => {
    if (!canPublishSyllabus(actor, x.regionCode))
      refused(
        'syllabi',
        i,
        x.ref,
        'regionCode',
        '只有该辖区具有管理员角色的监管部门可以发布培训大纲学时',
      );
  });
  (b.rooms ?? []).forEach((r, i) => {
    check('rooms', i, r.ref, 'organizationRef', byOrgRef(r.organizationRef), site);
  });
  (b.devices ?? []).forEach((d, i) => {
    check('devices', i, d.ref, 'roomRef', roomOrg(d.roomRef), site);
  });
  (b.classes ?? []).forEach((c, i) => {
    check('classes', i, c.ref, 'organizationRef', byOrgRef(c.organizationRef), classes);
  });
  (b.lessons ?? []).forEach((l, i) => {
    check('lessons', i, l.ref, 'classRef', classOrg(l.classRef), classes);
    if (l.roomRef) check('lessons', i, l.ref, 'roomRef', roomOrg(l.roomRef), site);
  });
  for (const section of ['attendance', 'recordings'] as const)
    (b[section] ?? []).forEach((r, i) => {
      check(section, i, r.ref, 'deviceRef', deviceOrg(r.deviceRef), site);
    });
  (b.makeups ?? []).forEach((m, i) => {
    check('makeups', i, m.ref, 'lessonRef', lessonOrg(m.lessonRef), classes);
  });
  (b.onlineCourses ?? []).forEach((c, i) => {
    check('onlineCourses', i, c.ref, 'classRef', classOrg(c.classRef), classes);
  });
  (b.onlineSessions ?? []).forEach((s, i) => {
    check('onlineSessions', i, s.ref, 'courseRef', courseOrg(s.courseRef), classes);
  });
  for (const section of ['questions', 'blueprints', 'examPlans'] as const)
    (b[section] ?? []).forEach((r, i) => {
      check(section, i, r.ref, 'authorityRef', byOrgRef(r.authorityRef), exams);
    });
  (b.examSessions ?? []).forEach((s, i) => {
    check('examSessions', i, s.ref, 'planRef', planAuthority(s.planRef), exams);
    // A session is held at a site in the importer's jurisdiction (as createSession requires).
    const where = byOrgRef(s.siteRef);
    if (where && !regionInScope(actor.scope, where.regionCode))
      refused('examSessions', i, s.ref, 'siteRef', `考点（${where.regionCode}）不在导入者辖区内`);
  });
  (b.examRegistrations ?? []).forEach((r, i) => {
    check('examRegistrations', i, r.ref, 'sessionRef', sessionAuthority(r.sessionRef), exams);
  });
  for (const section of ['theoryAttempts', 'practicalScores'] as const)
    (b[section] ?? []).forEach((r, i) => {
      check(section, i, r.ref, 'registrationRef', registrationAuthority(r.registrationRef), exams);
    });
  (b.patrolEvents ?? []).forEach((p, i) => {
    check('patrolEvents', i, p.ref, 'sessionRef', sessionAuthority(p.sessionRef), exams);
  });
  (b.authorityKeys ?? []).forEach((k, i) => {
    check('authorityKeys', i, k.kid, 'organizationRef', byOrgRef(k.organizationRef), certs);
  });
  (b.certificates ?? []).forEach((c, i) => {
    check('certificates', i, c.ref, 'authorityRef', byOrgRef(c.authorityRef), certs);
  });
  (b.certificateEvents ?? []).forEach((e, i) => {
    check(
      'certificateEvents',
      i,
      e.ref,
      'certificateRef',
      certificateAuthority(e.certificateRef),
      certs,
    );
  });

  await authorizePersons(db, b, actor, ctx, refused);
}

/**
 * Persons: a registrar (regulator) opens files and links anyone by ID number and name. Anyone else
 * brings in no new file and names no person they could not see through the API already — in the
 * persons section (linked by ID number) or by ref in any other. The answer is the same for an ID
 * number that is not registered and one that is registered out of sight: no existence oracle.
 */
async function authorizePersons(
  db: Executor,
  b: Bundle,
  actor: Actor,
  ctx: AccessContext,
  refused: (
    section: BundleSection,
    index: number,
    ref: string,
    field: string,
    message: string,
  ) => void,
) {
  if (isRegistrar(actor)) return;
  const uses: {
    section: BundleSection;
    index: number;
    ref: string;
    field: string;
    person: string;
  }[] = [];
  const use = (
    section: BundleSection,
    index: number,
    ref: string,
    field: string,
    person: string | null | undefined,
  ) => {
    if (person) uses.push({ section, index, ref, field, person });
  };
  (b.persons ?? []).forEach((p, i) => {
    use('persons', i, p.ref, 'idNumber', p.ref);
  });
  for (const section of ['staff', 'employments'] as const)
    (b[section] ?? []).forEach((r, i) => {
      use(section, i, r.ref, 'personRef', r.personRef);
    });
  (b.classes ?? []).forEach((c, i) => {
    use('classes', i, c.ref, 'headTeacherRef', c.headTeacherRef);
    (c.traineeRefs ?? []).forEach((t, j) => {
      use('classes', i, c.ref, `traineeRefs.${j}`, t);
    });
    (c.trainees ?? []).forEach((t, j) => {
      use('classes', i, c.ref, `trainees.${j}.personRef`, t.personRef);
    });
  });
  (b.lessons ?? []).forEach((l, i) => {
    use('lessons', i, l.ref, 'teacherRef', l.teacherRef);
  });
  for (const section of ['attendance', 'makeups', 'onlineSessions'] as const)
    (b[section] ?? []).forEach((r, i) => {
      use(section, i, r.ref, 'personRef', r.personRef);
    });
  (b.examSessions ?? []).forEach((s, i) => {
    s.invigilatorRefs.forEach((r, j) => {
      use('examSessions', i, s.ref, `invigilatorRefs.${j}`, r);
    });
    s.examinerRefs.forEach((r, j) => {
      use('examSessions', i, s.ref, `examinerRefs.${j}`, r);
    });
  });
  (b.examRegistrations ?? []).forEach((r, i) => {
    use('examRegistrations', i, r.ref, 'personRef', r.personRef);
  });
  (b.practicalScores ?? []).forEach((p, i) => {
    use('practicalScores', i, p.ref, 'examinerRef', p.examinerRef);
  });
  (b.certificates ?? []).forEach((c, i) => {
    use('certificates', i, c.ref, 'personRef', c.personRef);
  });

  const newInFile = new Set(
    (b.persons ?? []).filter((p) => !ctx.personIds.has(p.ref)).map((p) => p.ref),
  );
  const ids = [...new Set(uses.flatMap((u) => ctx.personIds.get(u.person) ?? []))];
  const reachable = await visiblePersonIds(db, actor, ids);
  const authority = authorityOf(actor);
  if (authority)
    for (const id of await repo.candidatesOfAuthority(db, authority, ids)) reachable.add(id);
  const reported = new Set<string>();
  for (const u of uses) {
    const id = ctx.personIds.get(u.person);
    // A person new in the file is reported once, at its own record; unknown refs are validation's.
    if (id === undefined) {
      if (u.section === 'persons' && newInFile.has(u.person))
        refused(u.section, u.index, u.ref, u.field, personMessage);
      continue;
    }
    if (reachable.has(id)) continue;
    const key = `${u.section}\u0000${u.index}\u0000${u.field}`;
    if (reported.has(key)) continue;
    reported.add(key);
    refused(u.section, u.index, u.ref, u.field, personMessage);
  }
}

const personMessage =
  '只能引用本单位可见的已建档人员；建立新档案或关联其他人员须由监管部门（登记机关）导入';
