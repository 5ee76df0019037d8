import { createHash } from 'node:crypto';
import type {
  Bundle,
  BundleEmployment,
  BundleOrganization,
  BundleStaff,
} from '../bundle/bundle.contract.js';
import { syllabusFor } from '../catalog/figures.js';
import { findOperationItem } from '../catalog/operations.js';
import { getPolicy, policyValues } from '../catalog/policy.js';
import type { DemoTimeline } from './demo-timeline.js';

/**
 * Training records of the demo city: rooms and devices from each institution's declared facilities,
 * two classes per active institution (one finished, one running on the anchor day), their lessons,
 * terminal attendance, recordings and online learning — and the training problems seed 004 lists,
 * put in on purpose at three institutions so a regulator opening the demo sees them:
 *
 * - 岱岳 (daiyue): hours cut — trainees leave halfway through every morning; the running class signs
 *   in once a day and never out.
 * - 岱宗 (daizong): no face terminal, so every presence is a head teacher's make-up; the single
 *   camera of its practical hall leaves gaps; one teacher is scheduled in both classes at once.
 * - 肥城 (feicheng): two classes merged into one room at the same time; practical days over the cap.
 *
 * Deterministic: the city's seeded sequence, dates laid out around the anchor by demo-timeline.ts.
 */

type Rnd = {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(xs: readonly T[]): T;
  shuffle<T>(xs: readonly T[]): T[];
  chance(p: number): boolean;
};

export const demoTrainingProblems = [
  {
    ref: 'class:daiyue:A',
    rule: 'T01',
    findings: ['hours_cut'],
    description: '岱岳：学员每天上午仅在场一半课时即离开，有效学时不足大纲要求',
  },
  {
    ref: 'class:daiyue:A',
    rule: 'T11',
    findings: ['altered_after_sealing'],
    description:
      '岱岳：结业封档后，第一天的签退时间在数据库中被改到课程结束，档案校验发现记录被改动',
  },
  {
    ref: 'class:daiyue:B',
    rule: 'T07',
    findings: ['single_sign_in'],
    description: '岱岳：每天仅签到一次、从不签退，考勤不能证明在场时长',
  },
  {
    ref: 'class:daizong:A',
    rule: 'T08',
    findings: ['camera_gaps', 'makeup_only_attendance'],
    description: '岱宗：实操大厅仅1个摄像头，录像有空档；无人脸考勤设备，考勤全部为补录',
  },
  {
    ref: 'class:daizong:B',
    rule: 'T05',
    findings: ['teacher_double_booked', 'classes_merged'],
    description: '岱宗：同一理论教师同时在两个培训班授课；唯一的实操大厅两个班同时使用',
  },
  {
    ref: 'class:feicheng:B',
    rule: 'T06',
    findings: ['classes_merged'],
    description: '肥城：两个培训班在同一教室同一时段合班上课',
  },
  {
    ref: 'class:feicheng:A',
    rule: 'T04',
    findings: ['practical_daily_cap'],
    description: '肥城：实操培训每天超过8学时',
  },
] as const;

/**
 * The demo courses' videos: slide lectures as long as the course, shipped with the web app
 * (web/public/media, made by scripts/make-demo-videos.sh) and served from the app's own origin.
 */
export const demoCourseVideo = (minutes: number) => `/media/demo-course-${minutes}.webm`;

const itemName = (code: string) => findOperationItem(code)?.name ?? code;

interface CityPart {
  organizations: BundleOrganization[];
  staff: BundleStaff[];
  employments: BundleEmployment[];
}

const PRACTICAL_ROOM: Record<string, string> = {
  '1': '电工实操室',
  '2': '焊接与热切割实训车间',
  '3': '高处作业实训场',
  '4': '制冷与空调实训室',
  '5': '煤矿安全作业实训室',
  '6': '金属非金属矿山实训室',
  '8': '煤气作业实训室',
  '9': '危险化学品工艺仿真实训室',
  '10': '烟花爆竹实训室',
};

/** Beijing wall-clock time on a date, as an ISO instant with the +08:00 offset kept. */
const bj = (day: string, hhmm: string) => `${day}T${hhmm}:00+08:00`;
const plusMinutes = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace('.000Z', '+00:00');
export function generateDemoTraining(
  city: CityPart,
  rnd: Rnd,
  timeline: DemoTimeline,
  workerPersonRef: string,
): Partial<Bundle> {
  const today = timeline.anchor;
  const out = {
    rooms: [] as NonNullable<Bundle['rooms']>,
    devices: [] as NonNullable<Bundle['devices']>,
    classes: [] as NonNullable<Bundle['classes']>,
    lessons: [] as NonNullable<Bundle['lessons']>,
    attendance: [] as NonNullable<Bundle['attendance']>,
    makeups: [] as NonNullable<Bundle['makeups']>,
    recordings: [] as NonNullable<Bundle['recordings']>,
    onlineCourses: [] as NonNullable<Bundle['onlineCourses']>,
    onlineSessions: [] as NonNullable<Bundle['onlineSessions']>,
  };
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  // Records exist for what ended before the anchor day; today's lessons are planned, not yet attended.
  const cutoff = timeline.recordsUntil.getTime();
  const happened = (iso: string) => Date.parse(iso) <= cutoff;
  const used = new Set<string>();

  for (const org of city.organizations) {
    if (org.kind !== 'training_institution' || org.status === 'suspended' || !org.facilities)
      continue;
    const key = org.ref.split(':').at(-1)!;
    const f = org.facilities;
    const items = f.operationItems.filter((i) => PRACTICAL_ROOM[i.split('.')[0]]);
    if (items.length === 0) continue;

    // Rooms and devices as the institution declared them.
    const roomRef = (name: string) => `room:${key}:${name}`;
    const cameras = new Map<string, string[]>();
    const terminals = new Map<string, string>();
    const roomNames = [
      ...f.classrooms.map((c) => c.name),
      ...Object.keys(f.camerasByRoom).filter((n) => !f.classrooms.some((c) => c.name === n)),
    ];
    for (const name of roomNames) {
      const classroom = f.classrooms.find((c) => c.name === name);
      out.rooms.push({
        ref: roomRef(name),
        organizationRef: org.ref,
        name,
        kind: classroom ? 'theory' : 'practical',
        capacity: classroom?.capacity ?? null,
        areaM2: classroom?.areaM2 ?? null,
      });
      const cams: string[] = [];
      for (let i = 1; i <= (f.camerasByRoom[name] ?? 0); i++) {
        const ref = `device:${key}:${name}:cam${i}`;
        cams.push(ref);
        out.devices.push({
          ref,
          roomRef: roomRef(name),
          kind: 'camera',
          serial: `CAM-${key.toUpperCase()}-${out.devices.length + 1}`,
          name: `${name}摄像头${i}`,
        });
      }
      cameras.set(name, cams);
      if ((f.faceTerminals ?? 0) > 0) {
        const ref = `device:${key}:${name}:ft`;
        terminals.set(name, ref);
        out.devices.push({
          ref,
          roomRef: roomRef(name),
          kind: 'face_terminal',
          serial: `FT-${key.toUpperCase()}-${out.devices.length + 1}`,
          name: `${name}人脸考勤机`,
        });
      }
    }

    const current = (s: BundleStaff) => !s.endDate || s.endDate >= today;
    const mine = city.staff.filter((s) => s.organizationRef === org.ref && current(s));
    const headTeacher =
      mine.find((s) => s.duty === 'head_teacher') ?? mine.find((s) => s.duty === 'teacher');
    const theoryTeachers = mine.filter(
      (s) => s.duty === 'teacher' && (s.operationItems ?? []).length === 0,
    );
    if (!headTeacher) continue;

    for (const variant of ['A', 'B'] as const) {
      const classRef = `class:${key}:${variant}`;
      const item =
        key === 'ningyang' && variant === 'B'
          ? '9.8'
          : items[variant === 'A' ? 0 : Math.min(1, items.length - 1)];
      const kind = key === 'ningyang' && variant === 'B' ? 'review' : 'initial';
      const syllabus = syllabusFor(item, kind);
      if ('refused' in syllabus) continue;
      const practicalTeacher =
        mine.find((s) => s.duty === 'teacher' && (s.operationItems ?? []).includes(item)) ??
        mine.find((s) => s.duty === 'teacher' && (s.operationItems ?? []).length > 0);
      const theoryTeacher =
        theoryTeachers[variant === 'A' || key === 'daizong' ? 0 : theoryTeachers.length - 1] ??
        practicalTeacher;
      if (!theoryTeacher || (syllabus.practical.value > 0 && !practicalTeacher)) continue;

      // Trainees: special operators of the item (or its category) not yet in another demo class.
      const pool = city.employments.filter(
        (e) =>
          e.post === 'special_operator' &&
          (e.operationItemCode === item ||
            e.operationItemCode?.split('.')[0] === item.split('.')[0]) &&
          !e.endDate,
      );
      const trainees = rnd
        .shuffle(pool.map((e) => e.personRef).filter((p) => !used.has(p) && p !== workerPersonRef))
        .slice(0, 12);
      if (key === 'ningyang' && variant === 'B') trainees.unshift(workerPersonRef);
      for (const p of trainees) used.add(p);
      if (trainees.length === 0) continue;

      // 岱宗 and 肥城 run both classes at once (a double-booked teacher; merged classes), both finished;
      // elsewhere A has finished and B is running today.
      const together = key === 'daizong' || key === 'feicheng';
      const running = variant === 'B' && !together;
      // The policy of the class's first day; the online share decides how many days it needs.
      const firstGuess = running ? timeline.runningDays(1)[0] : timeline.finishedDays(1)[0];
      const policy = policyValues(getPolicy(org.regionCode, firstGuess));
      const onlineHours = Math.floor(policy.onlineTheoryShareMax * syllabus.theory.value);
      const offlineTheory = syllabus.theory.value - onlineHours;
      const n = Math.max(1, Math.ceil(offlineTheory / 4), Math.ceil(syllabus.practical.value / 4));
      const days = running ? timeline.runningDays(n) : timeline.finishedDays(n);
      const month = Number(days[0].slice(5, 7));
      out.classes.push({
        ref: classRef,
        organizationRef: org.ref,
        code: `${key.toUpperCase()}-${days[0].slice(0, 4)}-${days[0].slice(5, 7)}${variant}`,
        name: `${itemName(item)}${kind === 'initial' ? '初训' : '复审培训'}（${days[0].slice(0, 4)}年${month}月${variant === 'A' ? '第一' : '第二'}期）`,
        operationItemCode: item,
        kind,
        headTeacherRef: headTeacher.personRef,
        startDate: days[0],
        endDate: running ? timeline.runningEndDate(days.at(-1)!) : days.at(-1)!,
        traineeRefs: [...trainees].sort(),
      });

      const theoryRoom =
        f.classrooms[
          key === 'feicheng' ? 0 : variant === 'A' ? 0 : Math.min(1, f.classrooms.length - 1)
        ]?.name;
      const practicalRoom =
        f.camerasByRoom.实操大厅 !== undefined ? '实操大厅' : PRACTICAL_ROOM[item.split('.')[0]];
      let theoryLeft = offlineTheory;
      let practicalLeft = syllabus.practical.value;
      days.forEach((day, d) => {
        const plan: {
          mode: 'theory' | 'practical';
          from: string;
          to: string;
          teacher: string;
          room: string;
        }[] = [];
        if (theoryLeft > 0 && theoryRoom) {
          // 岱宗 B runs its mornings at the same time as A with the same theory teacher (double-booked).
          const from = key === 'daizong' && variant === 'B' ? '09:00' : '08:30';
          plan.push({
            mode: 'theory',
            from,
            to: key === 'daizong' && variant === 'B' ? '12:00' : '11:30',
            teacher: theoryTeacher.personRef,
            room: theoryRoom,
          });
          theoryLeft -= 4;
        }
        if (practicalLeft > 0 && practicalTeacher) {
          // 肥城 A crams practical training: a whole extra morning block on practical days (over the daily cap).
          if (key === 'feicheng' && variant === 'A' && theoryLeft <= 0)
            plan.push({
              mode: 'practical',
              from: '08:00',
              to: '12:00',
              teacher: practicalTeacher.personRef,
              room: practicalRoom,
            });
          plan.push({
            mode: 'practical',
            from: '14:00',
            to: key === 'feicheng' && variant === 'A' ? '18:30' : '17:00',
            teacher: practicalTeacher.personRef,
            room: practicalRoom,
          });
          practicalLeft -= 4;
        }
        plan.forEach((p, j) => {
          const lessonRef = `lesson:${key}:${variant}:${String(d + 1).padStart(2, '0')}${j}`;
          const startsAt = bj(day, p.from);
          const endsAt = bj(day, p.to);
          out.lessons.push({
            ref: lessonRef,
            classRef,
            mode: p.mode,
            topic: p.mode === 'theory' ? '安全生产法律法规与安全基础知识' : '实际操作训练',
            teacherRef: p.teacher,
            roomRef: roomRef(p.room),
            startsAt,
            endsAt,
          });
          if (!happened(endsAt)) return;

          // Video: every camera of the room records the lesson; 岱宗's single practical camera leaves gaps.
          for (const cam of cameras.get(p.room) ?? []) {
            const spans: [number, number][] =
              key === 'daizong' && p.mode === 'practical'
                ? [
                    [-5, 55],
                    [100, 185],
                  ]
                : [[-10, minutesBetween(startsAt, endsAt) + 10]];
            spans.forEach(([a, b], k) => {
              const recRef = `rec:${cam}:${day}:${p.from}:${k}`;
              // 肥城 B shares A's room and time: the recording is A's, listed once.
              if (
                out.recordings.some(
                  (r) => r.deviceRef === cam && r.startsAt === plusMinutes(startsAt, a),
                )
              )
                return;
              out.recordings.push({
                ref: recRef,
                deviceRef: cam,
                startsAt: plusMinutes(startsAt, a),
                endsAt: plusMinutes(startsAt, b),
                sha256: hash(recRef),
                storageUri: `nvr://${key}/${cam.split(':').at(-1)}/${day}/${p.from.replace(':', '')}-${k}.mp4`,
                sizeBytes: rnd.int(800, 2400) * 1_048_576,
              });
            });
          }

          // Attendance: the room's terminal, or (no terminal) the head teacher's make-ups.
          const terminal = terminals.get(p.room);
          for (const person of trainees) {
            // Now and then a trainee misses a lesson (and so falls short of the syllabus); never at 泰山, the model school.
            if (key !== 'taishan' && rnd.chance(0.03)) continue;
            if (!terminal) {
              out.makeups.push({
                ref: `makeup:${lessonRef}:${person}`,
                lessonRef,
                personRef: person,
                startsAt,
                endsAt,
                reason: '纸质签到表补录（机构未配备人脸识别考勤设备）',
              });
              continue;
            }
            const score = () => Math.round((0.8 + rnd.next() * 0.19) * 1000) / 1000;
            const live = () => Math.round((0.6 + rnd.next() * 0.39) * 1000) / 1000;
            const inAt = plusMinutes(startsAt, -rnd.int(3, 15));
            const cutHours = key === 'daiyue' && variant === 'A' && p.mode === 'theory';
            const outAt = cutHours
              ? plusMinutes(startsAt, rnd.int(80, 100))
              : plusMinutes(endsAt, rnd.int(1, 8));
            const ev = (type: 'check_in' | 'check_out', at: string) =>
              out.attendance.push({
                ref: `att:${terminal.split(':').slice(1).join(':')}:${lessonRef.split(':').slice(1).join(':')}:${person}:${type}`,
                deviceRef: terminal,
                personRef: person,
                type,
                occurredAt: at,
                matchScore: score(),
                liveness: live(),
              });
            ev('check_in', inAt);
            if (!(key === 'daiyue' && variant === 'B')) ev('check_out', outAt);
          }
        });
      });

      // Online theory: one course, evening sessions of verified 30-minute segments up to the online hours.
      if (onlineHours > 0) {
        const courseRef = `course:${key}:${variant}`;
        const courseMinutes = onlineHours * policy.onlineMinutesPerHour;
        out.onlineCourses.push({
          ref: courseRef,
          classRef,
          title: '安全生产法律法规（线上课程）',
          mediaKind: 'video',
          // Served by the app itself (web/public), so its content security policy lets it play.
          mediaUrl: demoCourseVideo(courseMinutes),
          durationSeconds: courseMinutes * 60,
        });
        for (const person of trainees) {
          let position = 0;
          for (const day of days) {
            if (position >= courseMinutes * 60) break;
            const startedAt = bj(day, '19:30');
            if (!happened(startedAt)) break;
            // Finished classes learned up to 2 hours an evening; running ones an hour so far (the rest is still to learn).
            const blocks = Math.min(
              running ? 2 : 4,
              Math.ceil((courseMinutes * 60 - position) / 1800),
            );
            const segments = [];
            const faceChecks = [];
            for (let k = 0; k < blocks; k++) {
              const from = plusMinutes(startedAt, k * 30);
              faceChecks.push({
                checkedAt: from,
                passed: true,
                decision: 'match' as const,
                score: Math.round((0.75 + rnd.next() * 0.2) * 1000) / 1000,
              });
              segments.push({
                startsAt: from,
                endsAt: plusMinutes(from, 30),
                positionFrom: position,
                positionTo: position + 1800,
                verified: true,
                reason: null,
              });
              position += 1800;
            }
            const lastSeenAt = segments.at(-1)!.endsAt;
            out.onlineSessions.push({
              ref: `session:${key}:${variant}:${person}:${day}`,
              courseRef,
              personRef: person,
              startedAt,
              lastSeenAt,
              positionSeconds: position,
              endedAt: lastSeenAt,
              endReason: 'ended',
              faceChecks,
              segments,
            });
          }
        }
      }
    }
  }
  return out;
}

function minutesBetween(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 60_000;
}
