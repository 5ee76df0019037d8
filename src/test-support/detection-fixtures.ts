import { createHash } from 'node:crypto';
import type { Bundle } from '../bundle/bundle.contract.js';
import { makeCreditCode, makeIdNumber } from '../modules/registry/identifiers.rules.js';

/**
 * Bundles for the detection tests (issue 13 point 9): a clean training institution whose one class
 * passes every rule, and small changes that plant one problem each (`fire`) or stop just short of it
 * (`twin`). Every fixture has its own refs, region, ID numbers and credit codes, so many can be
 * imported into one database and judged one region at a time — or each written to a file and
 * imported into an empty database with `npx zhenxun import`, as a reviewer would.
 *
 * The class is 低压电工作业 (1.2) initial, held to a 4 + 4 学时 syllabus the bundle publishes for its
 * region (so one day of lessons meets it): theory 08:30–11:30 and practical 14:00–17:00 on
 * `day` (180 min = 4 学时 each at 45 min per 学时), in rooms with a face terminal and two cameras each
 * (Shandong: ≥ 2 cameras per room), recorded from 08:00 to 12:00 and 13:30 to 17:30.
 */

export interface Fixture {
  bundle: Bundle &
    Required<
      Pick<
        Bundle,
        | 'organizations'
        | 'persons'
        | 'staff'
        | 'rooms'
        | 'devices'
        | 'classes'
        | 'lessons'
        | 'attendance'
        | 'recordings'
        | 'syllabi'
      >
    >;
  /** Prefix of every ref of this fixture. */
  p: string;
  region: string;
  day: string;
  at: (day: string, hm: string) => string;
  trainees: string[];
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
export const at = (day: string, hm: string) => `${day}T${hm}:00+08:00`;

/** A region's 6-digit base for identifiers (a town code is cut to its county). */
const region6 = (region: string) => region.padEnd(6, '0').slice(0, 6);

let fixtureSerial = 0;

export function cleanInstitution(opts: {
  p: string;
  region: string;
  day?: string;
  trainees?: number;
  n?: number;
}): Fixture {
  const n = opts.n ?? ++fixtureSerial;
  const { p, region } = opts;
  const day = opts.day ?? '2026-10-12';
  const r6 = region6(region);
  let seq = 0;
  const person = (name: string) => {
    seq++;
    return {
      ref: `${p}:person:${seq}`,
      idNumber: makeIdNumber({
        regionCode6: r6,
        birthDate: `${1960 + (n % 35)}-${String(1 + (seq % 12)).padStart(2, '0')}-${String(1 + (Math.floor(seq / 12) % 28)).padStart(2, '0')}`,
        sequence: (n * 37 + seq) % 1000,
      }),
      name,
      education: 'bachelor' as const,
    };
  };
  const inst = `${p}:org`;
  const managers = ['管甲', '管乙', '管丙', '管丁', '管戊'].map((x) => person(`${x}${n}`));
  const teachers = ['师甲', '师乙', '师丙'].map((x) => person(`${x}${n}`));
  const trainees = Array.from({ length: opts.trainees ?? 3 }, (_, i) =>
    person(`学员${i + 1}号${n}`),
  );
  const bundle: Fixture['bundle'] = {
    format: 'zhenxun.bundle',
    version: 1,
    source: { system: 'detection fixtures', note: p },
    organizations: [
      {
        ref: inst,
        kind: 'training_institution',
        name: `测试安全培训学校${p}`,
        creditCode: makeCreditCode({
          authority: '5',
          orgType: '2',
          regionCode6: r6,
          serial9: String(100000 + n * 7).padStart(9, '0'),
        }),
        regionCode: region,
        facilities: {
          premises: { tenure: 'owned' },
          classrooms: [{ name: '理论教室', capacity: 60, areaM2: 100 }],
          exits: 2,
          faceTerminals: 2,
          camerasByRoom: { 理论教室: 2, 实操室: 2 },
          archiveRoom: true,
          practicalAreas: [{ operationItemCode: '1.2', areaM2: 120, equipmentComplete: true }],
          operationItems: ['1.2'],
        },
      },
    ],
    persons: [...managers, ...teachers, ...trainees],
    staff: [
      ...managers.map((m, i) => ({
        ref: `${p}:staff:m${i}`,
        personRef: m.ref,
        organizationRef: inst,
        duty: 'manager' as const,
        fullTime: true,
        laborContract: true,
        startDate: '2020-01-01',
      })),
      ...teachers.map((t, i) => ({
        ref: `${p}:staff:t${i}`,
        personRef: t.ref,
        organizationRef: inst,
        duty: 'teacher' as const,
        fullTime: true,
        laborContract: true,
        practiceYears: 8,
        operationItems: ['1.2'],
        startDate: '2020-01-01',
      })),
    ],
    syllabi: [
      {
        ref: `${p}:syllabus`,
        regionCode: region,
        operationItemCode: '1.2',
        kind: 'initial',
        theoryHours: 4,
        practicalHours: 4,
        effectiveFrom: '2020-01-01',
        source: '测试用大纲（一天课程）',
      },
    ],
    rooms: [
      {
        ref: `${p}:room:theory`,
        organizationRef: inst,
        name: '理论教室',
        kind: 'theory',
        capacity: 60,
        areaM2: 100,
      },
      {
        ref: `${p}:room:practical`,
        organizationRef: inst,
        name: '实操室',
        kind: 'practical',
        capacity: 30,
        areaM2: 120,
      },
    ],
    devices: ['theory', 'practical'].flatMap((room) => [
      {
        ref: `${p}:dev:${room}:face`,
        roomRef: `${p}:room:${room}`,
        kind: 'face_terminal' as const,
        serial: `${p}-${room}-F`,
        name: `${room}人脸终端`,
      },
      {
        ref: `${p}:dev:${room}:cam1`,
        roomRef: `${p}:room:${room}`,
        kind: 'camera' as const,
        serial: `${p}-${room}-C1`,
        name: `${room}摄像头1`,
      },
      {
        ref: `${p}:dev:${room}:cam2`,
        roomRef: `${p}:room:${room}`,
        kind: 'camera' as const,
        serial: `${p}-${room}-C2`,
        name: `${room}摄像头2`,
      },
    ]),
    classes: [
      {
        ref: `${p}:class`,
        organizationRef: inst,
        code: `${p.toUpperCase()}-1`,
        name: '低压电工作业初训第1期',
        operationItemCode: '1.2',
        kind: 'initial',
        headTeacherRef: teachers[0].ref,
        startDate: day,
        endDate: day,
        traineeRefs: trainees.map((t) => t.ref),
      },
    ],
    lessons: [
      {
        ref: `${p}:lesson:theory`,
        classRef: `${p}:class`,
        mode: 'theory',
        topic: '安全基础知识',
        teacherRef: teachers[0].ref,
        roomRef: `${p}:room:theory`,
        startsAt: at(day, '08:30'),
        endsAt: at(day, '11:30'),
      },
      {
        ref: `${p}:lesson:practical`,
        classRef: `${p}:class`,
        mode: 'practical',
        topic: '实际操作训练',
        teacherRef: teachers[1].ref,
        roomRef: `${p}:room:practical`,
        startsAt: at(day, '14:00'),
        endsAt: at(day, '17:00'),
      },
    ],
    attendance: trainees.flatMap((t, i) =>
      (
        [
          ['theory', 'check_in', '08:25'],
          ['theory', 'check_out', '11:35'],
          ['practical', 'check_in', '13:55'],
          ['practical', 'check_out', '17:05'],
        ] as const
      ).map(([room, type, hm], k) => ({
        ref: `${p}:ev:${i}:${k}`,
        deviceRef: `${p}:dev:${room}:face`,
        personRef: t.ref,
        type,
        occurredAt: at(day, hm),
        matchScore: 0.93,
        liveness: 0.97,
      })),
    ),
    recordings: ['theory', 'practical'].flatMap((room) =>
      [1, 2].map((cam) => {
        const [from, to] = room === 'theory' ? ['08:00', '12:00'] : ['13:30', '17:30'];
        return {
          ref: `${p}:rec:${room}:${cam}`,
          deviceRef: `${p}:dev:${room}:cam${cam}`,
          startsAt: at(day, from),
          endsAt: at(day, to),
          sha256: sha(`${p}${room}${cam}`),
          storageUri: `s3://test/${p}/${room}/${cam}.mp4`,
        };
      }),
    ),
  };
  return { bundle, p, region, day, at, trainees: trainees.map((t) => t.ref) };
}

/** Sets one trainee's check-out of a lesson (theory: k = 1, practical: k = 3) to another time. */
export function moveEvent(f: Fixture, trainee: number, k: number, hm: string): void {
  const e = f.bundle.attendance.find((x) => x.ref === `${f.p}:ev:${trainee}:${k}`);
  if (!e) throw new Error('no such event');
  e.occurredAt = at(f.day, hm);
}

/**
 * Exam records on top of an institution fixture: an exam authority and an exam site in the same
 * region, a one-question plan for 1.2, a session the day after the class, and a registration of every
 * trainee (eligibility carried as the source system judged it: eligible).
 */
export function withExam(f: Fixture, opts: { sessionDay?: string } = {}): Fixture {
  const { p } = f;
  const r6 = region6(f.region);
  const n = Number.parseInt(sha(p).slice(0, 6), 16) % 100000;
  const day = opts.sessionDay ?? nextDay(f.day);
  f.bundle.organizations.push(
    {
      ref: `${p}:authority`,
      kind: 'exam_authority',
      name: `测试考务中心${p}`,
      creditCode: makeCreditCode({
        authority: '1',
        orgType: '2',
        regionCode6: r6,
        serial9: String(200000 + n).padStart(9, '0'),
      }),
      regionCode: f.region,
    },
    {
      ref: `${p}:site`,
      kind: 'exam_site',
      name: `测试考点${p}`,
      creditCode: makeCreditCode({
        authority: '5',
        orgType: '2',
        regionCode6: r6,
        serial9: String(300000 + n).padStart(9, '0'),
      }),
      regionCode: f.region,
    },
  );
  f.bundle.questions = [
    {
      ref: `${p}:q1`,
      authorityRef: `${p}:authority`,
      itemCode: '1.2',
      kind: 'judge',
      stem: `测试题${p}：作业前应检查绝缘工具`,
      options: ['正确', '错误'],
      answer: [0],
      knowledgePoint: '安全基础',
      difficulty: 1,
    },
  ];
  f.bundle.blueprints = [
    {
      ref: `${p}:bp`,
      authorityRef: `${p}:authority`,
      itemCode: '1.2',
      name: '低压电工理论',
      durationMinutes: 120,
      passMark: 80,
      parts: [{ kind: 'judge', knowledgePoint: null, count: 1, pointsEach: 100 }],
    },
  ];
  f.bundle.examPlans = [
    {
      ref: `${p}:plan`,
      authorityRef: `${p}:authority`,
      certificateKind: 'special_operation',
      itemCode: '1.2',
      name: '低压电工作业考试',
      blueprintRef: `${p}:bp`,
    },
  ];
  f.bundle.examSessions = [
    {
      ref: `${p}:session`,
      planRef: `${p}:plan`,
      siteRef: `${p}:site`,
      room: '第一考场',
      startsAt: at(day, '09:00'),
      endsAt: at(day, '11:00'),
      capacity: 50,
      invigilatorRefs: [],
      examinerRefs: [],
    },
  ];
  f.bundle.examRegistrations = f.trainees.map((t, i) => ({
    ref: `${p}:reg:${i}`,
    sessionRef: `${p}:session`,
    personRef: t,
    registeredByOrganizationRef: `${p}:org`,
    attempt: 1,
    eligibility: { eligible: true, checks: [] },
    status: 'registered' as const,
  }));
  return f;
}

export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** A second class of the same institution (no trainees), for collisions between classes. */
export function addClass(f: Fixture, suffix = '2'): string {
  const ref = `${f.p}:class${suffix}`;
  f.bundle.classes.push({
    ...f.bundle.classes[0],
    ref,
    code: `${f.p.toUpperCase()}-${suffix}`,
    name: `低压电工作业初训第${suffix}期`,
    traineeRefs: [],
  });
  return ref;
}

/** A lesson with both cameras of its room recording its whole span (so only what a test plants is wrong). */
export function addLesson(
  f: Fixture,
  l: {
    ref: string;
    classRef?: string;
    mode: 'theory' | 'practical';
    teacher: number;
    room: 'theory' | 'practical';
    from: string;
    to: string;
    day?: string;
  },
): void {
  const day = l.day ?? f.day;
  f.bundle.lessons.push({
    ref: `${f.p}:${l.ref}`,
    classRef: l.classRef ?? `${f.p}:class`,
    mode: l.mode,
    topic: l.mode === 'theory' ? '理论补充' : '实操补充',
    teacherRef: f.bundle.staff.find((s) => s.ref === `${f.p}:staff:t${l.teacher}`)!.personRef,
    roomRef: `${f.p}:room:${l.room}`,
    startsAt: at(day, l.from),
    endsAt: at(day, l.to),
  });
  for (const cam of [1, 2])
    f.bundle.recordings.push({
      ref: `${f.p}:rec:${l.ref}:${cam}`,
      deviceRef: `${f.p}:dev:${l.room}:cam${cam}`,
      startsAt: at(day, l.from),
      endsAt: at(day, l.to),
      sha256: sha(`${f.p}${l.ref}${cam}`),
      storageUri: `s3://test/${f.p}/${l.ref}/${cam}.mp4`,
    });
}
