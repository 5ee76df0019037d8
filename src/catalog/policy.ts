import { z } from 'zod';
import { type Figure, type FigureStatus, fig, figureStatuses, SOURCES } from './figure.js';

/**
 * Every parameter a rule reads from the policy in force. `null` means "not enforced" (RULES.md
 * "Unconfirmed": no default enforcement until a regulator sets it).
 */
export interface PolicyFigures {
  /** Minutes in one offline 学时 (AQ 8011 4.4.4). */
  offlineMinutesPerHour: number;
  /** Minutes of verified online learning in one 学时 (national 30; Shandong: an online course needs ≥ 45 per 学时). */
  onlineMinutesPerHour: number;
  /** Share of the syllabus theory hours that may be online (national 0.70 = offline ≥ 30%; Shandong 0.40). */
  onlineTheoryShareMax: number;
  /** Practical 学时 per class per day (Shandong 8; national not set). */
  practicalHoursPerDayMax: number | null;
  institutionManagersMin: number;
  /** Managers must be full-time (Shandong: ≥ 5 专职). */
  institutionManagersFullTime: boolean;
  managerEducationMin: string;
  institutionTeachersMin: number | null;
  teacherPracticeYearsMin: number;
  practicalTeacherNeedsItemCertificate: boolean;
  managersAndTeachersSeparate: boolean;
  laborContractRequired: boolean;
  classroomCapacityMin: number;
  classroomAreaPerTraineeM2: number;
  premisesLeaseYearsMin: number;
  exitsMin: number | null;
  faceAttendanceRequired: boolean;
  camerasPerRoomMin: number | null;
  archiveRoomRequired: boolean;
  attendanceSignInsPerDayMin: number;
  faceCheckIntervalMinutes: number;
  uncoveredTimeCounts: boolean;
  videoRetentionYears: number;
  /** Cosine similarity of faceres descriptors at or above which two faces are one person (docs/faces.md). */
  faceMatchThreshold: number;
  /** Antispoof score below which a capture is held for review as a possible photo or screen. */
  faceAntispoofMin: number;
  /** Liveness score below which a capture is held for review. */
  faceLivenessMin: number;
  /**
   * An institution that fails the registration check (AQ 8011 basic conditions) may not open a new
   * class unless a regulator's decision exempts it (Shandong from 2024-11-01; no national rule).
   */
  newClassRequiresRegistration: boolean;
  /** Minutes before a session's start from which its candidates may be checked in (exam check-in; E01). */
  examCheckInOpensMinutesBefore: number;
  /** Fewest seconds per answered question a candidate needs to read and answer (E08 impossible timing). */
  examSecondsPerAnswerMin: number;
  /** Answers a paper needs before its timing is judged (E08). */
  examTimingAnswersMin: number;
  /** False-alarm rate per session of the identical-wrong-answers test (E08, family-wise over its pairs). */
  examCopyingAlpha: number;
  /** Wrong answers to the same questions two candidates need in common before they are compared (E08). */
  examCopyingCommonWrongMin: number;
  /** One-sided binomial significance for an institution's pass rate at a site above the region's (E08). */
  examPassRateAlpha: number;
  /** Fewest sittings of one institution's candidates at one site before its pass rate is judged (E08). */
  examPassRateMinSample: number;
}

export type PolicyKey = keyof PolicyFigures;
export type PolicyFigureMap = { [K in PolicyKey]: Figure<PolicyFigures[K]> };

export interface PolicyProfile {
  id: string;
  /** '' = national; otherwise a prefix region code ('37' Shandong) the profile applies under. */
  regionCode: string;
  version: string;
  effectiveFrom: string;
  effectiveTo?: string;
  source: string;
  figures: Partial<PolicyFigureMap>;
}

const national30: PolicyFigureMap = {
  offlineMinutesPerHour: fig(45, SOURCES.aq8011, 'confirmed', { unit: '分钟' }),
  onlineMinutesPerHour: fig(30, SOURCES.aq8011, 'confirmed', { unit: '分钟' }),
  onlineTheoryShareMax: fig(
    0.7,
    `${SOURCES.aq8011}：线下理论学时不得低于大纲理论学时的30%`,
    'confirmed',
  ),
  practicalHoursPerDayMax: fig(
    null,
    '国家层面未规定每天实操学时上限，由省级应急管理部门设定',
    'unconfirmed',
    { unit: '学时/天' },
  ),
  institutionManagersMin: fig(3, SOURCES.aq8011, 'confirmed', { unit: '人' }),
  institutionManagersFullTime: fig(false, SOURCES.aq8011, 'confirmed'),
  managerEducationMin: fig('associate', `${SOURCES.aq8011}：管理人员大专及以上学历`, 'confirmed'),
  institutionTeachersMin: fig(
    null,
    'AQ 8011-2023 对专兼职教师人数的要求尚未核对，暂不强制，由监管部门设定',
    'unconfirmed',
    { unit: '人' },
  ),
  teacherPracticeYearsMin: fig(5, SOURCES.aq8011, 'confirmed', { unit: '年' }),
  practicalTeacherNeedsItemCertificate: fig(
    false,
    '国家层面条文尚未核对，暂不强制；山东省专项检查将其列为问题',
    'unconfirmed',
  ),
  managersAndTeachersSeparate: fig(
    false,
    '国家层面条文尚未核对，暂不强制；山东省专项检查将其列为问题',
    'unconfirmed',
  ),
  laborContractRequired: fig(true, SOURCES.aq8011, 'confirmed'),
  classroomCapacityMin: fig(60, SOURCES.aq8011, 'confirmed', { unit: '人' }),
  classroomAreaPerTraineeM2: fig(1.5, SOURCES.aq8011, 'confirmed', { unit: '㎡/人' }),
  premisesLeaseYearsMin: fig(3, SOURCES.aq8011, 'confirmed', { unit: '年' }),
  exitsMin: fig(null, '国家层面未规定进出口数量，按 GB 55036、GB 55037 个案判断', 'unconfirmed', {
    unit: '个',
  }),
  faceAttendanceRequired: fig(true, `${SOURCES.aq8011} 4.6.1 考勤`, 'secondary'),
  camerasPerRoomMin: fig(1, `${SOURCES.aq8011} 4.6.2 监控：线下培训全过程联网录像`, 'secondary', {
    unit: '个/室',
  }),
  archiveRoomRequired: fig(true, `${SOURCES.aq8011} 4.7 培训档案`, 'secondary'),
  attendanceSignInsPerDayMin: fig(2, `${SOURCES.seed004}：“每天仅签到一次”列为问题`, 'seed', {
    unit: '次/天',
  }),
  faceCheckIntervalMinutes: fig(15, '平台默认值（无法规依据），由监管部门设定', 'unconfirmed', {
    unit: '分钟',
  }),
  uncoveredTimeCounts: fig(
    false,
    `${SOURCES.seed004}：“培训班人数与视频录像完全不符”列为问题，无录像覆盖的学时不予认定`,
    'seed',
  ),
  videoRetentionYears: fig(
    3,
    `${SOURCES.exam104}（考试录像保存不少于3年），培训录像暂参照执行`,
    'secondary',
    { unit: '年' },
  ),
  faceMatchThreshold: fig(0.7, '平台实测默认值：误识率0.26%，跨照片拒识率25%', 'unconfirmed', {
    note: '为防止替考选定的平台默认值，监管部门可调整',
  }),
  faceAntispoofMin: fig(0.3, '平台实测默认值：真人照片得分不低于0.31', 'unconfirmed'),
  faceLivenessMin: fig(0.3, '平台实测默认值', 'unconfirmed'),
  newClassRequiresRegistration: fig(
    false,
    '国家层面未见“未经信息登记不得开班”的规定，由省级应急管理部门设定',
    'unconfirmed',
  ),
  examCheckInOpensMinutesBefore: fig(
    60,
    '平台默认值：考前1小时开始签到，无法规依据，由监管部门设定',
    'unconfirmed',
    { unit: '分钟' },
  ),
  examSecondsPerAnswerMin: fig(2, '平台默认值：2秒内无法读题并作答', 'unconfirmed', { unit: '秒' }),
  examTimingAnswersMin: fig(20, '平台默认值（包过班检测）', 'unconfirmed', {
    unit: '题',
  }),
  examCopyingAlpha: fig(
    0.001,
    '平台默认值（包过班检测）：独立作答的考生千场考试中误报不超过1次',
    'unconfirmed',
  ),
  examCopyingCommonWrongMin: fig(
    5,
    '平台默认值（包过班检测）：相同错误题数更少时不足以认定雷同',
    'unconfirmed',
    { unit: '题' },
  ),
  examPassRateAlpha: fig(
    0.001,
    '平台默认值（包过班检测）：与本地区合格率作单侧精确二项检验',
    'unconfirmed',
  ),
  examPassRateMinSample: fig(
    20,
    '平台默认值（包过班检测）：考生人数更少时合格率没有意义',
    'unconfirmed',
    { unit: '人次' },
  ),
};

/** The 30号令 figures continue from 2026-06-01, marked until checked against 19号令 (RULES.md "Design consequences" 3). */
const national19Pending = Object.fromEntries(
  Object.entries(national30).map(([k, f]) => [
    k,
    {
      ...f,
      status: (f.status === 'unconfirmed' ? 'unconfirmed' : 'pending_19') as FigureStatus,
      note: '沿用原30号令数值，待与应急管理部令第19号核对',
    },
  ]),
) as PolicyFigureMap;

const shandong2024: Partial<PolicyFigureMap> = {
  onlineMinutesPerHour: fig(
    45,
    `${SOURCES.seed004}：“单课程实际培训时长不足45分钟”列为问题`,
    'seed',
    { unit: '分钟' },
  ),
  onlineTheoryShareMax: fig(
    0.4,
    `${SOURCES.seed004}：“线上培训学时超出规定的理论总学时的40%”列为问题`,
    'seed',
  ),
  practicalHoursPerDayMax: fig(
    8,
    `${SOURCES.seed004}：“实操培训学时每天超过8学时”列为问题`,
    'seed',
    { unit: '学时/天' },
  ),
  institutionManagersMin: fig(5, `${SOURCES.seed004}：专职管理人员不足5人`, 'seed', { unit: '人' }),
  institutionManagersFullTime: fig(true, SOURCES.seed004, 'seed'),
  institutionTeachersMin: fig(3, `${SOURCES.seed004}：专兼职教师不足3人`, 'seed', { unit: '人' }),
  practicalTeacherNeedsItemCertificate: fig(
    true,
    `${SOURCES.seed004}：未取得相应授课特种作业类别工种的特种作业操作证`,
    'seed',
  ),
  managersAndTeachersSeparate: fig(true, `${SOURCES.seed004}：专职管理人员与专职教师混用`, 'seed'),
  exitsMin: fig(2, `${SOURCES.seed004}：仅有1个进出口`, 'seed', { unit: '个' }),
  camerasPerRoomMin: fig(2, `${SOURCES.seed004}：仅设置一处摄像头，无法实现全覆盖`, 'seed', {
    unit: '个/室',
  }),
  newClassRequiresRegistration: fig(
    true,
    `${SOURCES.seed004} 二（三）：11月1日起，未经省厅信息登记的不得新开展培训业务`,
    'seed',
  ),
};

export const builtinPolicyProfiles: readonly PolicyProfile[] = [
  {
    id: 'national-30',
    regionCode: '',
    version: '原安监总局令第30号、AQ 8011-2023',
    effectiveFrom: '2010-07-01',
    effectiveTo: '2026-05-31',
    source: `${SOURCES.order30}；${SOURCES.aq8011}`,
    figures: national30,
  },
  {
    id: 'national-19-pending',
    regionCode: '',
    version: '应急管理部令第19号（数值待核对）',
    effectiveFrom: '2026-06-01',
    source: '应急管理部令第19号（2026年6月1日施行）：核对前沿用原30号令数值',
    figures: national19Pending,
  },
  {
    id: 'shandong-2024',
    regionCode: '37',
    version: '山东省应急管理厅专项检查通知（2024年10月）',
    effectiveFrom: '2024-10-12',
    source: SOURCES.seed004,
    figures: shandong2024,
  },
];

export type ResolvedFigure<T> = Figure<T> & { fromProfile: string };
export interface ResolvedPolicy {
  figures: { [K in PolicyKey]: ResolvedFigure<PolicyFigures[K]> };
  applied: { id: string; regionCode: string; version: string }[];
}

function inForce(p: PolicyProfile, date: string): boolean {
  return p.effectiveFrom <= date && (!p.effectiveTo || date <= p.effectiveTo);
}

/**
 * The policy in force for a region on a date: national first, then each more specific jurisdiction
 * over it; within one jurisdiction a later effective date supersedes. Pure: callers pass every
 * profile (built-in and stored).
 */
export function resolvePolicy(
  profiles: readonly PolicyProfile[],
  regionCode: string,
  date: string,
): ResolvedPolicy {
  const applicable = profiles
    .filter((p) => regionCode.startsWith(p.regionCode) && inForce(p, date))
    .sort(
      (a, b) =>
        a.regionCode.length - b.regionCode.length ||
        a.effectiveFrom.localeCompare(b.effectiveFrom) ||
        a.id.localeCompare(b.id),
    );
  const figures: Partial<Record<PolicyKey, ResolvedFigure<unknown>>> = {};
  for (const p of applicable) {
    for (const [key, f] of Object.entries(p.figures) as [PolicyKey, Figure<unknown>][]) {
      if (f) figures[key] = { ...f, fromProfile: p.id };
    }
  }
  const missing = (Object.keys(national30) as PolicyKey[]).filter((k) => !figures[k]);
  if (missing.length > 0)
    throw new Error(`no national policy in force on ${date} for ${missing.join(', ')}`);
  return {
    figures: figures as ResolvedPolicy['figures'],
    applied: applicable.map((p) => ({ id: p.id, regionCode: p.regionCode, version: p.version })),
  };
}

export function getPolicy(
  regionCode: string,
  date: string,
  extraProfiles: readonly PolicyProfile[] = [],
): ResolvedPolicy {
  return resolvePolicy([...builtinPolicyProfiles, ...extraProfiles], regionCode, date);
}

/** Plain values of a resolved policy, for rules that only need the numbers. */
export function policyValues(policy: ResolvedPolicy): PolicyFigures {
  return Object.fromEntries(
    Object.entries(policy.figures).map(([k, f]) => [k, f.value]),
  ) as unknown as PolicyFigures;
}

const figureOf = <T extends z.ZodTypeAny>(value: T) =>
  z.object({
    value,
    unit: z.string().max(20).optional(),
    source: z.string().min(2).max(500),
    status: z.enum(figureStatuses),
    note: z.string().max(500).optional(),
  });

const count = z.number().int().min(0).max(1000);
const share = z.number().min(0).max(1);
const minutes = z.number().int().min(1).max(600);

/** What a regulator may post as a new profile version: only known keys, each value checked. */
export const PolicyProfileSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,60}$/),
  regionCode: z.string().regex(/^\d{0,9}$/),
  version: z.string().min(1).max(100),
  effectiveFrom: z.iso.date(),
  effectiveTo: z.iso.date().optional(),
  source: z.string().min(2).max(500),
  figures: z
    .object({
      offlineMinutesPerHour: figureOf(minutes),
      onlineMinutesPerHour: figureOf(minutes),
      onlineTheoryShareMax: figureOf(share),
      practicalHoursPerDayMax: figureOf(count.nullable()),
      institutionManagersMin: figureOf(count),
      institutionManagersFullTime: figureOf(z.boolean()),
      managerEducationMin: figureOf(
        z.enum([
          'junior_high',
          'high_school',
          'secondary_vocational',
          'associate',
          'bachelor',
          'master',
          'doctor',
        ]),
      ),
      institutionTeachersMin: figureOf(count.nullable()),
      teacherPracticeYearsMin: figureOf(count),
      practicalTeacherNeedsItemCertificate: figureOf(z.boolean()),
      managersAndTeachersSeparate: figureOf(z.boolean()),
      laborContractRequired: figureOf(z.boolean()),
      classroomCapacityMin: figureOf(count),
      classroomAreaPerTraineeM2: figureOf(z.number().min(0).max(20)),
      premisesLeaseYearsMin: figureOf(count),
      exitsMin: figureOf(count.nullable()),
      faceAttendanceRequired: figureOf(z.boolean()),
      camerasPerRoomMin: figureOf(count.nullable()),
      archiveRoomRequired: figureOf(z.boolean()),
      attendanceSignInsPerDayMin: figureOf(count),
      faceCheckIntervalMinutes: figureOf(minutes),
      uncoveredTimeCounts: figureOf(z.boolean()),
      videoRetentionYears: figureOf(count),
      faceMatchThreshold: figureOf(share),
      faceAntispoofMin: figureOf(share),
      faceLivenessMin: figureOf(share),
      newClassRequiresRegistration: figureOf(z.boolean()),
      examCheckInOpensMinutesBefore: figureOf(minutes),
      examSecondsPerAnswerMin: figureOf(z.number().min(0).max(600)),
      examTimingAnswersMin: figureOf(count),
      examCopyingAlpha: figureOf(share),
      examCopyingCommonWrongMin: figureOf(count),
      examPassRateAlpha: figureOf(share),
      examPassRateMinSample: figureOf(count),
    })
    .partial()
    .strict(),
});
