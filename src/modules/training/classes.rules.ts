import type { PolicyFigures } from '../../catalog/policy.js';
import type { ClassKind, LessonMode } from './classes.table.js';

/**
 * Planning rules for a class's teaching plan (AQ 8011-2023, seed 004). Pure: the service gathers
 * the facts (overlapping lessons, the teacher's staff record, the policy in force) and these
 * functions judge them, so the same judgement runs when a lesson is planned, when the demo or a
 * bundle brings lessons in, and when a regulator reviews a class.
 */

/** Days are Beijing days: a lesson at 23:30 UTC belongs to the next calendar day in China. */
const CHINA_UTC_OFFSET_MS = 8 * 3600_000;

export function chinaDay(at: Date): string {
  return new Date(at.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 10);
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
  teacherOverlaps: { classCode: string; sameInstitution: boolean; startsAt: Date; endsAt: Date }[];
  /** Lessons of other classes in the same room at the same time (合班). */
  roomOverlaps: { classCode: string; startsAt: Date; endsAt: Date }[];
  /** Practical minutes this class already has planned on the lesson's day. */
  practicalMinutesThatDay: number;
  /** Online minutes this class already has planned. */
  onlineMinutesPlanned: number;
}

const minutes = (l: PlannedLesson) => (l.endsAt.getTime() - l.startsAt.getTime()) / 60_000;
const hhmm = (d: Date) => new Date(d.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(11, 16);

export const lessonRules = {
  outsideClassDates: {
    rule: 'lesson_outside_class_dates',
    source: '培训计划：课程应在开班与结业日期之间',
  },
  practicalOnline: { rule: 'practical_online', source: 'AQ 8011-2023: 实际操作培训只能线下进行' },
  teacherDoubleBooked: {
    rule: 'teacher_double_booked',
    source: '同一教师同一时段只能在一处授课 (seed 004: 教师授课记录与考勤不符)',
  },
  classesMerged: { rule: 'classes_merged', source: 'seed 004: 培训班不得合班' },
  practicalDailyCap: {
    rule: 'practical_daily_cap',
    source: 'policy practicalHoursPerDayMax (seed 004: 实操培训学时每天超过8学时)',
  },
  teacherNotOnStaff: {
    rule: 'teacher_not_on_staff',
    source: 'AQ 8011-2023: 授课教师为本机构专兼职教师',
  },
  teacherPracticeYears: {
    rule: 'teacher_practice_years',
    source: 'policy teacherPracticeYearsMin (AQ 8011-2023)',
  },
  practicalTeacherCertificate: {
    rule: 'practical_teacher_certificate',
    source: 'policy practicalTeacherNeedsItemCertificate (seed 004)',
  },
  onlineShare: {
    rule: 'online_share',
    source: 'policy onlineTheoryShareMax (AQ 8011-2023; seed 004 山东 40%)',
  },
} as const;

/**
 * Every finding for one planned lesson. A rule whose figure is set by the policy in force refuses;
 * where the policy leaves it unset (RULES.md "Unconfirmed") the same fact is only a warning.
 */
export function lessonFindings(lesson: PlannedLesson, facts: LessonFacts): PlanFinding[] {
  const out: PlanFinding[] = [];
  const add = (r: { rule: string; source: string }, severity: FindingSeverity, message: string) =>
    out.push({ ...r, severity, message });
  const { policy, cls, teacher } = facts;
  const day = chinaDay(lesson.startsAt);
  const lastDay = chinaDay(new Date(lesson.endsAt.getTime() - 1));

  if (day < cls.startDate || lastDay > cls.endDate) {
    add(
      lessonRules.outsideClassDates,
      'refuse',
      `课程日期 ${day} 不在培训班 ${cls.code} 的培训期间（${cls.startDate} 至 ${cls.endDate}）`,
    );
  }
  for (const o of facts.teacherOverlaps) {
    const where = o.sameInstitution ? `培训班 ${o.classCode}` : '其他机构的培训班';
    add(
      lessonRules.teacherDoubleBooked,
      'refuse',
      `该教师 ${hhmm(o.startsAt)}–${hhmm(o.endsAt)} 已在${where}授课，同一时段不能在两处授课`,
    );
  }
  for (const o of facts.roomOverlaps) {
    add(
      lessonRules.classesMerged,
      'refuse',
      `该教室 ${hhmm(o.startsAt)}–${hhmm(o.endsAt)} 已安排培训班 ${o.classCode} 上课，不同培训班不得合班`,
    );
  }
  if (lesson.mode === 'practical' && policy.practicalHoursPerDayMax !== null) {
    const hours = (facts.practicalMinutesThatDay + minutes(lesson)) / policy.offlineMinutesPerHour;
    if (hours > policy.practicalHoursPerDayMax + 1e-9) {
      add(
        lessonRules.practicalDailyCap,
        'refuse',
        `${day} 实操培训将达 ${Math.round(hours * 10) / 10} 学时，超过每天 ${policy.practicalHoursPerDayMax} 学时的上限`,
      );
    }
  }
  if (!teacher.onStaff) {
    add(lessonRules.teacherNotOnStaff, 'refuse', '授课教师不是本机构登记的教师');
  } else if (teacher.practiceYears === null) {
    add(
      lessonRules.teacherPracticeYears,
      'warn',
      `未登记该教师的从业年限（要求不少于 ${policy.teacherPracticeYearsMin} 年）`,
    );
  } else if (teacher.practiceYears < policy.teacherPracticeYearsMin) {
    add(
      lessonRules.teacherPracticeYears,
      'refuse',
      `该教师从业 ${teacher.practiceYears} 年，不足 ${policy.teacherPracticeYearsMin} 年`,
    );
  }
  if (lesson.mode === 'practical' && !teacher.operationItems.includes(cls.operationItemCode)) {
    add(
      lessonRules.practicalTeacherCertificate,
      policy.practicalTeacherNeedsItemCertificate ? 'refuse' : 'warn',
      `实操教师未登记持有本作业类别（${cls.operationItemCode}）的特种作业操作证`,
    );
  }
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
