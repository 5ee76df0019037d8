import { beijingDay, beijingHm } from '../../catalog/calendar.js';
import { SOURCES } from '../../catalog/figure.js';
import type { EvidenceRef, Finding } from '../../catalog/findings.js';
import { findOperationItem } from '../../catalog/operations.js';
import type { PolicyFigures } from '../../catalog/policy.js';
import type { ClassPhase } from './classes.contract.js';
import type { ClassKind, LessonMode } from './classes.table.js';

/**
 * Planning rules for a class's teaching plan (AQ 8011-2023, seed 004). Pure: the service gathers
 * the facts (overlapping lessons, the teacher's staff record, the policy in force) and these
 * functions judge them, so the same judgement runs when a lesson is planned, when the demo or a
 * bundle brings lessons in, and when a regulator reviews a class.
 */

/** The phase of a class on a Beijing day: its dates say whether it is still 培训中. */
export function classPhase(
  c: { startDate: string; endDate: string; status: 'open' | 'closed' },
  today: string,
): ClassPhase {
  if (c.status === 'closed') return 'sealed';
  if (today < c.startDate) return 'upcoming';
  if (today <= c.endDate) return 'running';
  return 'finished';
}

export type FindingSeverity = 'refuse' | 'warn';

export interface PlanFinding {
  rule: string;
  severity: FindingSeverity;
  message: string;
  source: string;
}

export interface PlannedLesson {
  mode: LessonMode;
  startsAt: Date;
  endsAt: Date;
}

export interface TeacherRecord {
  /** Holds a teacher or head-teacher duty at the class's institution on the lesson day. */
  onStaff: boolean;
  practiceYears: number | null;
  /** Operation items the teacher is certified to teach (the items on the staff record). */
  operationItems: readonly string[];
}

export interface LessonFacts {
  cls: {
    code: string;
    startDate: string;
    endDate: string;
    operationItemCode: string;
    syllabusTheoryHours: number;
  };
  policy: PolicyFigures;
  teacher: TeacherRecord;
  /** The teacher's other lessons overlapping this one, in any class of any institution. */
  teacherOverlaps: {
    lessonId?: string;
    classCode: string;
    sameInstitution: boolean;
    startsAt: Date;
    endsAt: Date;
  }[];
  /** Lessons of other classes in the same room at the same time (合班). */
  roomOverlaps: { lessonId?: string; classCode: string; startsAt: Date; endsAt: Date }[];
  /** Practical minutes this class already has planned on the lesson's day. */
  practicalMinutesThatDay: number;
  /** Online minutes this class already has planned. */
  onlineMinutesPlanned: number;
}

const minutes = (l: PlannedLesson) => (l.endsAt.getTime() - l.startsAt.getTime()) / 60_000;

export const lessonRules = {
  outsideClassDates: {
    rule: 'lesson_outside_class_dates',
    source: '培训计划：课程应在开班与结业日期之间',
  },
  practicalOnline: {
    rule: 'practical_online',
    source: 'AQ 8011-2023《安全生产培训机构基本条件》：实际操作培训只能线下进行',
  },
  teacherDoubleBooked: {
    rule: 'teacher_double_booked',
    source: `同一教师同一时段只能在一处授课（${SOURCES.seed004}：“实际授课人员与培训教学实施计划安排的授课教师不一致”列为问题）`,
  },
  classesMerged: {
    rule: 'classes_merged',
    source: `${SOURCES.seed004}：“多个培训班混班培训”列为问题`,
  },
  practicalDailyCap: {
    rule: 'practical_daily_cap',
    source: `政策参数“每班每天实操学时上限”（${SOURCES.seed004}：“实操培训学时每天超过8学时”列为问题）`,
  },
  teacherNotOnStaff: {
    rule: 'teacher_not_on_staff',
    source: 'AQ 8011-2023《安全生产培训机构基本条件》：授课教师为本机构专兼职教师',
  },
  teacherPracticeYears: {
    rule: 'teacher_practice_years',
    source: '政策参数“教师最少实践年限”（AQ 8011-2023《安全生产培训机构基本条件》）',
  },
  practicalTeacherCertificate: {
    rule: 'practical_teacher_certificate',
    source: `政策参数“实操教师须持所授作业类别的操作证”（${SOURCES.seed004}）`,
  },
  onlineShare: {
    rule: 'online_share',
    source: `政策参数“线上学时占大纲理论学时的上限”（AQ 8011-2023《安全生产培训机构基本条件》；${SOURCES.seed004}：山东不超过40%）`,
  },
} as const;

// ——— the rule functions (the detection engine runs the same ones over history) ———

/** A lesson as evidence: its id and how a person reads it. */
export interface LessonRef {
  id: string;
  startsAt: Date;
  endsAt: Date;
  classCode: string;
  topic?: string;
}

const lessonEvidence = (l: LessonRef): EvidenceRef => ({
  kind: 'lesson',
  id: l.id,
  label: `${l.classCode} ${beijingDay(l.startsAt)} ${beijingHm(l.startsAt)}–${beijingHm(l.endsAt)}${l.topic ? ` ${l.topic}` : ''}`,
});

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * T04 实操培训单日超过学时上限: a class's practical 学时 on one Beijing day above the policy's daily
 * cap (Shandong 8; no national figure — not judged where the policy leaves it unset). `planned`
 * words it for a lesson being planned ("将达") rather than history.
 */
export function practicalDailyCap(
  input: {
    cls: { id: string; code: string };
    day: string;
    practicalMinutes: number;
    lessons: LessonRef[];
    planned?: boolean;
  },
  policy: PolicyFigures,
): Finding | null {
  const cap = policy.practicalHoursPerDayMax;
  if (cap === null) return null;
  const hours = input.practicalMinutes / policy.offlineMinutesPerHour;
  if (hours <= cap + 1e-9) return null;
  return {
    rule: 'T04',
    code: lessonRules.practicalDailyCap.rule,
    severity: 'warning',
    blocking: true,
    subject: { kind: 'class', id: input.cls.id, name: input.cls.code },
    message: `${input.day} 实操培训${input.planned ? '将达' : ''} ${round2(hours)} 学时，超过每天 ${cap} 学时的上限`,
    evidence: input.lessons.map(lessonEvidence),
    source: lessonRules.practicalDailyCap.source,
    figure: { key: 'practicalHoursPerDayMax', expected: cap, actual: round2(hours) },
  };
}

/**
 * T05 同一教师同时段在不同班次授课: the teacher of `lesson` also teaches `others` (lessons of other
 * classes) at overlapping times. Half-open spans: a lesson ending at 10:00 and one starting at
 * 10:00 do not overlap.
 */
export function teacherDoubleBooked(input: {
  teacher: { id: string; name?: string };
  lesson: LessonRef;
  others: (LessonRef & { sameInstitution: boolean })[];
}): Finding | null {
  if (input.others.length === 0) return null;
  const who = input.teacher.name ? `教师${input.teacher.name}` : '该教师';
  const where = input.others
    .map(
      (o) =>
        `${beijingHm(o.startsAt)}–${beijingHm(o.endsAt)} ${o.sameInstitution ? `培训班 ${o.classCode}` : '其他机构的培训班'}`,
    )
    .join('、');
  return {
    rule: 'T05',
    code: lessonRules.teacherDoubleBooked.rule,
    severity: 'serious',
    blocking: true,
    subject: { kind: 'lesson', id: input.lesson.id, name: lessonEvidence(input.lesson).label },
    message: `${who} ${beijingDay(input.lesson.startsAt)} ${beijingHm(input.lesson.startsAt)}–${beijingHm(input.lesson.endsAt)} 在培训班 ${input.lesson.classCode} 授课，同时已在${where}授课，同一时段不能在两处授课`,
    evidence: [
      { kind: 'person', id: input.teacher.id, label: who },
      lessonEvidence(input.lesson),
      ...input.others.map(lessonEvidence),
    ],
    source: lessonRules.teacherDoubleBooked.source,
  };
}

/** T06 多班合班: another class has a lesson in the same room at an overlapping time. */
export function classesMerged(input: {
  room: { id: string; name?: string };
  lesson: LessonRef;
  others: LessonRef[];
}): Finding | null {
  if (input.others.length === 0) return null;
  const where = input.others
    .map((o) => `${beijingHm(o.startsAt)}–${beijingHm(o.endsAt)} 培训班 ${o.classCode}`)
    .join('、');
  return {
    rule: 'T06',
    code: lessonRules.classesMerged.rule,
    severity: 'serious',
    blocking: true,
    subject: { kind: 'lesson', id: input.lesson.id, name: lessonEvidence(input.lesson).label },
    message: `${input.room.name ? `「${input.room.name}」` : '该教室'} ${beijingDay(input.lesson.startsAt)} ${beijingHm(input.lesson.startsAt)}–${beijingHm(input.lesson.endsAt)} 培训班 ${input.lesson.classCode} 上课，同时已安排${where}上课，不同培训班不得合班`,
    evidence: [
      { kind: 'room', id: input.room.id, label: input.room.name },
      lessonEvidence(input.lesson),
      ...input.others.map(lessonEvidence),
    ],
    source: lessonRules.classesMerged.source,
  };
}

/**
 * T09 授课教师不具备资格: not a teacher of the institution that day, fewer years of practice than the
 * policy's minimum (unknown years: a notice), or a practical teacher without the item among their
 * certified items (blocking where the policy requires it, seed 004 Shandong).
 */
export function teacherQualification(
  input: {
    teacher: TeacherRecord & { id: string; name?: string };
    lesson: LessonRef & { mode: LessonMode };
    operationItemCode: string;
  },
  policy: PolicyFigures,
): Finding[] {
  const out: Finding[] = [];
  const who = input.teacher.name ? `教师${input.teacher.name}` : '授课教师';
  const base = {
    rule: 'T09' as const,
    subject: {
      kind: 'lesson' as const,
      id: input.lesson.id,
      name: lessonEvidence(input.lesson).label,
    },
    evidence: [{ kind: 'person', id: input.teacher.id, label: who }, lessonEvidence(input.lesson)],
  };
  const t = input.teacher;
  if (!t.onStaff) {
    out.push({
      ...base,
      code: lessonRules.teacherNotOnStaff.rule,
      severity: 'warning',
      blocking: true,
      message: `${who}不是本机构登记的教师`,
      source: lessonRules.teacherNotOnStaff.source,
    });
  } else if (t.practiceYears === null) {
    out.push({
      ...base,
      code: lessonRules.teacherPracticeYears.rule,
      severity: 'notice',
      blocking: false,
      message: `未登记${who}的从业年限（要求不少于 ${policy.teacherPracticeYearsMin} 年）`,
      source: lessonRules.teacherPracticeYears.source,
      figure: {
        key: 'teacherPracticeYearsMin',
        expected: policy.teacherPracticeYearsMin,
        actual: null,
      },
    });
  } else if (t.practiceYears < policy.teacherPracticeYearsMin) {
    out.push({
      ...base,
      code: lessonRules.teacherPracticeYears.rule,
      severity: 'warning',
      blocking: true,
      message: `${who}从业 ${t.practiceYears} 年，不足 ${policy.teacherPracticeYearsMin} 年`,
      source: lessonRules.teacherPracticeYears.source,
      figure: {
        key: 'teacherPracticeYearsMin',
        expected: policy.teacherPracticeYearsMin,
        actual: t.practiceYears,
      },
    });
  }
  if (input.lesson.mode === 'practical' && !t.operationItems.includes(input.operationItemCode)) {
    out.push({
      ...base,
      code: lessonRules.practicalTeacherCertificate.rule,
      severity: policy.practicalTeacherNeedsItemCertificate ? 'warning' : 'notice',
      blocking: policy.practicalTeacherNeedsItemCertificate,
      message: `实操${who}未登记持有本作业类别（${findOperationItem(input.operationItemCode)?.name ?? input.operationItemCode}）的特种作业操作证`,
      source: lessonRules.practicalTeacherCertificate.source,
      figure: {
        key: 'practicalTeacherNeedsItemCertificate',
        expected: input.operationItemCode,
        actual: t.operationItems,
      },
    });
  }
  return out;
}

const asPlan = (f: Finding): PlanFinding => ({
  rule: f.code,
  severity: f.blocking ? 'refuse' : 'warn',
  message: f.message,
  source: f.source,
});

/**
 * Every finding for one planned lesson — through the same rule functions the detection engine runs
 * over stored history. A rule whose figure is set by the policy in force refuses; where the policy
 * leaves it unset (RULES.md "Unconfirmed") the same fact is only a warning.
 */
export function lessonFindings(
  lesson: PlannedLesson & { id?: string; teacherId?: string; roomId?: string | null },
  facts: LessonFacts,
): PlanFinding[] {
  const out: PlanFinding[] = [];
  const add = (r: { rule: string; source: string }, severity: FindingSeverity, message: string) =>
    out.push({ ...r, severity, message });
  const { policy, cls, teacher } = facts;
  const day = beijingDay(lesson.startsAt);
  const lastDay = beijingDay(new Date(lesson.endsAt.getTime() - 1));
  const self: LessonRef = {
    id: lesson.id ?? 'planned',
    startsAt: lesson.startsAt,
    endsAt: lesson.endsAt,
    classCode: cls.code,
  };

  if (day < cls.startDate || lastDay > cls.endDate) {
    add(
      lessonRules.outsideClassDates,
      'refuse',
      `课程日期 ${day} 不在培训班 ${cls.code} 的培训期间（${cls.startDate} 至 ${cls.endDate}）`,
    );
  }
  for (const o of facts.teacherOverlaps) {
    const f = teacherDoubleBooked({
      teacher: { id: lesson.teacherId ?? 'teacher' },
      lesson: self,
      others: [{ id: o.lessonId ?? 'other', ...o }],
    });
    if (f) out.push(asPlan(f));
  }
  for (const o of facts.roomOverlaps) {
    const f = classesMerged({
      room: { id: lesson.roomId ?? 'room' },
      lesson: self,
      others: [{ id: o.lessonId ?? 'other', ...o }],
    });
    if (f) out.push(asPlan(f));
  }
  if (lesson.mode === 'practical') {
    const f = practicalDailyCap(
      {
        cls: { id: 'class', code: cls.code },
        day,
        practicalMinutes: facts.practicalMinutesThatDay + minutes(lesson),
        lessons: [self],
        planned: true,
      },
      policy,
    );
    if (f) out.push(asPlan(f));
  }
  for (const f of teacherQualification(
    {
      teacher: { id: lesson.teacherId ?? 'teacher', ...teacher },
      lesson: { ...self, mode: lesson.mode },
      operationItemCode: cls.operationItemCode,
    },
    policy,
  ))
    out.push(asPlan(f));
  if (lesson.mode === 'online') {
    const onlineHours =
      (facts.onlineMinutesPlanned + minutes(lesson)) / policy.onlineMinutesPerHour;
    const cap = policy.onlineTheoryShareMax * cls.syllabusTheoryHours;
    if (onlineHours > cap + 1e-9) {
      add(
        lessonRules.onlineShare,
        'warn',
        `线上课程将达 ${Math.round(onlineHours * 10) / 10} 学时，超过理论学时 ${Math.round(policy.onlineTheoryShareMax * 100)}% 的上限 ${Math.round(cap * 10) / 10} 学时；超出部分不计入学时`,
      );
    }
  }
  return out;
}

/**
 * The lesson's mode from what is taught and how. Practical training planned online is refused
 * before any other fact is gathered (AQ 8011: practical training is offline only); an offline
 * lesson needs its room, because attendance and video are counted per room.
 */
export function lessonMode(input: {
  content: 'theory' | 'practical';
  online: boolean;
  roomId?: string | null;
}): { mode: LessonMode } | { problem: PlanFinding } {
  if (input.online && input.content === 'practical') {
    return {
      problem: {
        ...lessonRules.practicalOnline,
        severity: 'refuse',
        message: '实际操作培训只能线下进行，不能安排为线上课程',
      },
    };
  }
  if (input.online) {
    if (input.roomId)
      return {
        problem: {
          rule: 'online_lesson_in_room',
          source: '线上课程不占用教室',
          severity: 'refuse',
          message: '线上课程不占用教室，请不要指定教室',
        },
      };
    return { mode: 'online' };
  }
  if (!input.roomId)
    return {
      problem: {
        rule: 'offline_lesson_without_room',
        source: 'AQ 8011-2023 4.6: 考勤与录像以教室为单位',
        severity: 'refuse',
        message: '线下课程必须指定教室（考勤与录像以教室为单位）',
      },
    };
  return { mode: input.content };
}

/**
 * 初训与复训不得混班 (seed 004): every trainee's kind of training must be the class's kind. The
 * answer names the trainee so a clerk can move them to the right class.
 */
export function kindMismatch(
  classKind: ClassKind,
  traineeKind: ClassKind | undefined,
  traineeName: string,
): string | null {
  if (!traineeKind || traineeKind === classKind) return null;
  const names: Record<ClassKind, string> = {
    initial: '初训',
    refresher: '再培训',
    review: '复审培训',
  };
  return `${traineeName} 需要的是${names[traineeKind]}，本班是${names[classKind]}班：培训班不得混编，请编入${names[traineeKind]}班`;
}
