import { importBundle } from '../bundle/bundle.service.js';
import { issueCertificate } from '../modules/certificates/certificates.service.js';
import { makeCreditCode, makeIdNumber } from '../modules/registry/identifiers.rules.js';
import { actorOfUser } from '../platform/auth/auth.service.js';
import type { Role } from '../platform/auth/roles.js';
import type { Db } from '../platform/db/database.js';
import type { App } from '../platform/http/routing.js';
import { loadRegions } from './db.js';
import { buildUser, loginCookie } from './factories.js';

/**
 * A small city loaded the way the demo is (a bundle imported by the system), so every record has a
 * ref an attacker could name, plus one certificate issued through the service: the ground on which
 * the bundle's authorization is tried (issue 12 point 1). Refs are fixed; the credit codes and ID
 * numbers carry valid check characters.
 *
 * 泰安市 3709: the city bureau and exam authority; 泰山区 370902: its bureau, the exam site and
 * school A; 岱岳区 370911: its bureau, school B (a class of three trainees, a face terminal, a camera)
 * and the company with its electrician, who holds the real certificate. 济宁市 3708: another exam
 * authority.
 */
export const trustRefs = {
  cityRegulator: 'org:city-regulator',
  taishanRegulator: 'org:taishan-regulator',
  daiyueRegulator: 'org:daiyue-regulator',
  authority: 'org:city-exam-center',
  otherAuthority: 'org:jining-exam-center',
  site: 'org:taishan-site',
  schoolA: 'org:school-a',
  schoolB: 'org:school-b',
  company: 'org:company',
  teacherA: 'p:teacher-a',
  teacherB: 'p:teacher-b',
  trainees: ['p:trainee-1', 'p:trainee-2', 'p:trainee-3'],
  electrician: 'p:electrician',
  invigilator: 'p:invigilator',
  roomA: 'room:a',
  roomB: 'room:b',
  terminalA: 'dev:a-terminal',
  terminalB: 'dev:b-terminal',
  cameraB: 'dev:b-camera',
  classB: 'class:b',
  lessonsB: ['lesson:b-1', 'lesson:b-2', 'lesson:b-3'],
  courseB: 'course:b',
  question: 'q:city-1',
  blueprint: 'bp:city-1.2',
  plan: 'plan:city-1.2',
  session: 'session:city-1',
  registration: 'reg:electrician',
} as const;

const orgs = [
  { ref: trustRefs.cityRegulator, kind: 'regulator', regionCode: '3709', n: 1 },
  { ref: trustRefs.taishanRegulator, kind: 'regulator', regionCode: '370902', n: 2 },
  { ref: trustRefs.daiyueRegulator, kind: 'regulator', regionCode: '370911', n: 3 },
  { ref: trustRefs.authority, kind: 'exam_authority', regionCode: '3709', n: 4 },
  { ref: trustRefs.otherAuthority, kind: 'exam_authority', regionCode: '3708', n: 5 },
  { ref: trustRefs.site, kind: 'exam_site', regionCode: '370902', n: 6 },
  { ref: trustRefs.schoolA, kind: 'training_institution', regionCode: '370902', n: 7 },
  { ref: trustRefs.schoolB, kind: 'training_institution', regionCode: '370911', n: 8 },
  { ref: trustRefs.company, kind: 'enterprise', regionCode: '370911', n: 9 },
] as const;

export const creditCodeOf = (n: number, regionCode: string) =>
  makeCreditCode({
    authority: '9',
    orgType: '1',
    regionCode6: regionCode.padEnd(6, '0').slice(0, 6),
    serial9: String(770_000_000 + n),
  });
export const idNumberOf = (n: number) =>
  makeIdNumber({
    regionCode6: '370911',
    birthDate: `19${70 + (n % 25)}-03-0${1 + (n % 9)}`,
    sequence: 100 + n,
  });

const personsOf = [
  { ref: trustRefs.teacherA, name: '甲老师', n: 1 },
  { ref: trustRefs.teacherB, name: '乙老师', n: 2 },
  { ref: trustRefs.trainees[0], name: '学员一', n: 3 },
  { ref: trustRefs.trainees[1], name: '学员二', n: 4 },
  { ref: trustRefs.trainees[2], name: '学员三', n: 5 },
  { ref: trustRefs.electrician, name: '岱宏电工', n: 6 },
  { ref: trustRefs.invigilator, name: '监考员甲', n: 7 },
];
export const trustPerson = (ref: string) => {
  const p = personsOf.find((x) => x.ref === ref)!;
  return { ref: p.ref, name: p.name, idNumber: idNumberOf(p.n) };
};

const at = (day: number, hour: number) =>
  `2026-10-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;

export function trustCityBundle() {
  return {
    format: 'zhenxun.bundle',
    version: 1,
    organizations: orgs.map((o) => ({
      ref: o.ref,
      kind: o.kind,
      name: `信任测试${o.ref.slice(4)}单位`,
      creditCode: creditCodeOf(o.n, o.regionCode),
      regionCode: o.regionCode,
      ...(o.kind === 'enterprise' ? { industry: 'hazardous_chemicals' } : {}),
    })),
    persons: personsOf.map((p) => trustPerson(p.ref)),
    staff: [
      {
        ref: 'staff:teacher-a',
        personRef: trustRefs.teacherA,
        organizationRef: trustRefs.schoolA,
        duty: 'teacher',
        practiceYears: 12,
        operationItems: ['1.2'],
        startDate: '2020-01-01',
      },
      {
        ref: 'staff:teacher-b',
        personRef: trustRefs.teacherB,
        organizationRef: trustRefs.schoolB,
        duty: 'teacher',
        practiceYears: 12,
        operationItems: ['1.2'],
        startDate: '2020-01-01',
      },
      {
        ref: 'staff:invigilator',
        personRef: trustRefs.invigilator,
        organizationRef: trustRefs.site,
        duty: 'invigilator',
        startDate: '2020-01-01',
      },
    ],
    employments: [
      {
        ref: 'emp:electrician',
        personRef: trustRefs.electrician,
        organizationRef: trustRefs.company,
        post: 'special_operator',
        operationItemCode: '1.2',
        startDate: '2019-03-01',
      },
    ],
    rooms: [
      {
        ref: trustRefs.roomA,
        organizationRef: trustRefs.schoolA,
        name: '一号教室',
        kind: 'theory',
      },
      {
        ref: trustRefs.roomB,
        organizationRef: trustRefs.schoolB,
        name: '一号教室',
        kind: 'theory',
      },
    ],
    devices: [
      {
        ref: trustRefs.terminalA,
        roomRef: trustRefs.roomA,
        kind: 'face_terminal',
        serial: 'A-T-1',
        name: 'A 考勤机',
      },
      {
        ref: trustRefs.terminalB,
        roomRef: trustRefs.roomB,
        kind: 'face_terminal',
        serial: 'B-T-1',
        name: 'B 考勤机',
      },
      {
        ref: trustRefs.cameraB,
        roomRef: trustRefs.roomB,
        kind: 'camera',
        serial: 'B-C-1',
        name: 'B 摄像头',
      },
    ],
    classes: [
      {
        ref: trustRefs.classB,
        organizationRef: trustRefs.schoolB,
        code: 'B2026-01',
        name: '低压电工作业初训',
        operationItemCode: '1.2',
        kind: 'initial',
        headTeacherRef: trustRefs.teacherB,
        startDate: '2026-10-12',
        endDate: '2026-10-30',
        traineeRefs: [...trustRefs.trainees],
      },
    ],
    lessons: trustRefs.lessonsB.map((ref, i) => ({
      ref,
      classRef: trustRefs.classB,
      mode: 'theory',
      topic: `理论第${i + 1}天`,
      teacherRef: trustRefs.teacherB,
      roomRef: trustRefs.roomB,
      startsAt: at(12 + i, 8),
      endsAt: at(12 + i, 12),
    })),
    onlineCourses: [
      {
        ref: trustRefs.courseB,
        classRef: trustRefs.classB,
        title: '安全生产法',
        mediaKind: 'video',
        mediaUrl: 'https://media.example/law.mp4',
        durationSeconds: 3600,
      },
    ],
    questions: [
      {
        ref: trustRefs.question,
        authorityRef: trustRefs.authority,
        itemCode: '1.2',
        kind: 'judge',
        stem: '停电作业前须验电。',
        options: ['正确', '错误'],
        answer: [0],
        knowledgePoint: '安全措施',
        difficulty: 1,
      },
    ],
    blueprints: [
      {
        ref: trustRefs.blueprint,
        authorityRef: trustRefs.authority,
        itemCode: '1.2',
        name: '低压电工',
        durationMinutes: 60,
        passMark: 1,
        parts: [{ kind: 'judge', knowledgePoint: null, count: 1, pointsEach: 1 }],
      },
    ],
    examPlans: [
      {
        ref: trustRefs.plan,
        authorityRef: trustRefs.authority,
        certificateKind: 'special_operation',
        itemCode: '1.2',
        name: '2026年10月低压电工作业',
        blueprintRef: trustRefs.blueprint,
      },
    ],
    examSessions: [
      {
        ref: trustRefs.session,
        planRef: trustRefs.plan,
        siteRef: trustRefs.site,
        room: '一考场',
        startsAt: at(28, 9),
        endsAt: at(28, 11),
        capacity: 30,
        invigilatorRefs: [trustRefs.invigilator],
        examinerRefs: [],
      },
    ],
    examRegistrations: [
      {
        ref: trustRefs.registration,
        sessionRef: trustRefs.session,
        personRef: trustRefs.electrician,
        attempt: 1,
        eligibility: { eligible: true, checks: [] },
        status: 'registered',
      },
    ],
  };
}

export interface TrustCity {
  ids: Map<string, string>;
  certificate: { id: string; number: string; qrPayload: string; kid: string };
  users: Record<TrustAccount, { userId: string; username: string }>;
}

export const trustAccounts = {
  cityRegulator: { roles: ['regulator', 'admin'], organization: trustRefs.cityRegulator },
  taishanRegulator: { roles: ['regulator'], organization: trustRefs.taishanRegulator },
  daiyueRegulator: { roles: ['regulator'], organization: trustRefs.daiyueRegulator },
  inspector: { roles: ['inspector'], organization: trustRefs.taishanRegulator },
  authority: { roles: ['exam_authority'], organization: trustRefs.authority },
  otherAuthority: { roles: ['exam_authority'], organization: trustRefs.otherAuthority },
  site: { roles: ['exam_site'], organization: trustRefs.site },
  invigilator: { roles: ['exam_site'], organization: trustRefs.site },
  schoolA: { roles: ['training_institution'], organization: trustRefs.schoolA },
  schoolB: { roles: ['training_institution'], organization: trustRefs.schoolB },
  company: { roles: ['enterprise'], organization: trustRefs.company },
  worker: { roles: ['worker'], organization: null },
} as const satisfies Record<string, { roles: readonly Role[]; organization: string | null }>;
export type TrustAccount = keyof typeof trustAccounts;

/** Loads the city (regions of Shandong, the bundle, a user per account, one issued certificate). */
export async function seedTrustCity(db: Db): Promise<TrustCity> {
  await loadRegions(db);
  await importBundle(db, 'system:test', trustCityBundle());
  const refs = await db
    .selectFrom('externalRef')
    .select(['entityType', 'ref', 'entityId'])
    .execute();
  const ids = new Map(refs.map((r) => [r.ref, r.entityId]));
  const users = {} as TrustCity['users'];
  for (const [name, a] of Object.entries(trustAccounts) as [
    TrustAccount,
    (typeof trustAccounts)[TrustAccount],
  ][]) {
    const user = await buildUser(db, {
      roles: [...a.roles],
      organizationId: a.organization ? ids.get(a.organization)! : null,
      personId: name === 'worker' ? ids.get(trustRefs.electrician)! : null,
    });
    users[name] = user;
  }
  const authority = (await actorOfUser(db, users.authority.userId))!;
  const issued = await issueCertificate(
    db,
    authority,
    {
      kind: 'special_operation',
      personId: ids.get(trustRefs.electrician)!,
      operationItemCode: '1.2',
      issuedOn: '2026-10-30',
    },
    { now: new Date('2026-10-30T10:00:00+08:00') },
  );
  return {
    ids,
    certificate: {
      id: issued.id,
      number: issued.number,
      qrPayload: issued.qrPayload,
      kid: issued.kid,
    },
    users,
  };
}

export const cookieOf = (app: App, city: TrustCity, who: TrustAccount) =>
  loginCookie(app, city.users[who].username);
