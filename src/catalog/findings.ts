/**
 * The one finding type of the platform (issue 16 point 4) and the catalog of 走过场 detection rules
 * (PRODUCT.md §2.7). Every rule in every module — a lesson refused at planning, an institution failing
 * AQ 8011, an alert the detection engine raises over history — reports a `Finding`; the rule ids below
 * are stable and appear in the API, exports and the UI (by their names, never the bare id on a screen).
 * Pure data: rules, services, the detection engine and the web all import it.
 */

/** 严重 / 一般 / 提示: how a regulator should rank it. Independent of whether it blocks a transition. */
export const findingSeverities = ['serious', 'warning', 'notice'] as const;
export type FindingSeverity = (typeof findingSeverities)[number];

export const findingSeverityNames: Record<FindingSeverity, { zh: string; en: string }> = {
  serious: { zh: '严重', en: 'Serious' },
  warning: { zh: '一般', en: 'Warning' },
  notice: { zh: '提示', en: 'Notice' },
};

/** What a finding is about: the record a regulator opens first. */
export const findingSubjectKinds = [
  'organization',
  'person',
  'class',
  'lesson',
  'exam_session',
  'exam_registration',
  'certificate',
  'employment',
  'inspection',
  'room',
  'operation_item',
] as const;
export type FindingSubjectKind = (typeof findingSubjectKinds)[number];

export interface FindingSubject {
  kind: FindingSubjectKind;
  /** Database id, when the subject is a stored record. */
  id?: string;
  /** Bundle ref, when the record came from (or goes to) an exchange bundle. */
  ref?: string | null;
  /** How a person reads it: 岱宗安全培训学校, 第2期 高压电工作业, 张某. */
  name?: string;
}

/** One record that proves the finding (an attendance event, a lesson, a recording gap, an answer sheet…). */
export interface EvidenceRef {
  /** Table-like kind in snake_case: 'attendance_event', 'lesson', 'recording', 'theory_attempt'… */
  kind: string;
  id: string;
  ref?: string | null;
  /** A short human description: "3月2日 08:30–11:45 理论 第3课时". */
  label?: string;
}

export interface Finding {
  /** Detection rule of the catalog below (T01…G01), or null for a rule outside it (e.g. eligibility). */
  rule: DetectionRuleId | null;
  /** Stable snake_case code of the precise check: 'teacher_double_booked', 'managers_too_few'. */
  code: string;
  severity: FindingSeverity;
  /** True when the transition that evaluated it must be refused (422); history is judged, not refused. */
  blocking: boolean;
  subject: FindingSubject;
  /** zh-CN, in words a regulator uses; names the people, dates and figures. */
  message: string;
  evidence: EvidenceRef[];
  /** Legal basis in words (《…》第X条, AQ 8011-2023 4.x, seed documents by their title). */
  source: string;
  /** The policy figure judged, when there is one: what was required and what was found. */
  figure?: { key: string; expected: unknown; actual: unknown };
}

export const detectionRuleIds = [
  'T01',
  'T02',
  'T03',
  'T04',
  'T05',
  'T06',
  'T07',
  'T08',
  'T09',
  'T10',
  'T11',
  'E01',
  'E02',
  'E03',
  'E04',
  'E05',
  'E06',
  'E07',
  'E08',
  'E09',
  'C01',
  'C02',
  'C03',
  'C04',
  'C05',
  'C06',
  'G01',
] as const;
export type DetectionRuleId = (typeof detectionRuleIds)[number];

export interface DetectionRuleDefinition {
  id: DetectionRuleId;
  /** Whose problem it is: the organization kind it is raised against. */
  subject: 'training_institution' | 'exam_site' | 'exam_authority' | 'enterprise' | 'regulator';
  severity: FindingSeverity;
  name: { zh: string; en: string };
  /** The seed documents that describe it (../shared/seeds, by number). */
  seeds: readonly string[];
}

const rule = (
  id: DetectionRuleId,
  subject: DetectionRuleDefinition['subject'],
  severity: FindingSeverity,
  zh: string,
  en: string,
  seeds: readonly string[],
): DetectionRuleDefinition => ({ id, subject, severity, name: { zh, en }, seeds });

/** PRODUCT.md §2.7, in the words a regulator uses. */
export const detectionRules: Record<DetectionRuleId, DetectionRuleDefinition> = {
  T01: rule(
    'T01',
    'training_institution',
    'serious',
    '学时不足即参加考试（学时缩水、学时造假）',
    'Sat the exam with fewer effective hours than the syllabus',
    ['000', '001', '004'],
  ),
  T02: rule(
    'T02',
    'training_institution',
    'warning',
    '线上学时超过理论学时上限',
    'Online hours above the cap of theory hours',
    ['004'],
  ),
  T03: rule(
    'T03',
    'training_institution',
    'warning',
    '线上课程每学时实际时长不足',
    'Online course shorter than its claimed hours',
    ['004'],
  ),
  T04: rule(
    'T04',
    'training_institution',
    'warning',
    '实操培训单日超过学时上限',
    'Practical training above the daily cap',
    ['004'],
  ),
  T05: rule(
    'T05',
    'training_institution',
    'serious',
    '同一教师同时段在不同班次授课',
    'One teacher in overlapping lessons of different classes',
    ['004'],
  ),
  T06: rule(
    'T06',
    'training_institution',
    'serious',
    '初训复训混班或多班合班',
    'Initial and refresher trainees mixed, or classes merged',
    ['004'],
  ),
  T07: rule(
    'T07',
    'training_institution',
    'serious',
    '考勤只签到不签退或代签',
    'One sign-in a day, or sign-in by someone else',
    ['004'],
  ),
  T08: rule(
    'T08',
    'training_institution',
    'warning',
    '培训过程录像不完整或单一摄像头',
    'Lesson not fully recorded, or a room with one camera',
    ['004'],
  ),
  T09: rule(
    'T09',
    'training_institution',
    'warning',
    '授课教师与计划不符或不具备资格',
    'Teacher not the planned one, or not qualified',
    ['004'],
  ),
  T10: rule(
    'T10',
    'training_institution',
    'serious',
    '培训机构基本条件不达标',
    'Basic conditions (AQ 8011) not met',
    ['001', '004'],
  ),
  T11: rule(
    'T11',
    'training_institution',
    'serious',
    '一期一档不完整或封档后被改动',
    'Class archive incomplete or altered after sealing',
    ['001', '004'],
  ),
  E01: rule(
    'E01',
    'exam_site',
    'serious',
    '未按计划地点或时间组织考试',
    'Exam held outside the planned place or time',
    ['001'],
  ),
  E02: rule(
    'E02',
    'exam_site',
    'serious',
    '一名考评员同时评判多名考生',
    'One examiner scoring several candidates at once',
    ['004'],
  ),
  E03: rule(
    'E03',
    'exam_site',
    'warning',
    '考评员、监考员或巡考员不具备资格',
    'Examiner, invigilator or patroller without qualification',
    ['001', '004'],
  ),
  E04: rule('E04', 'exam_site', 'serious', '培考不分', 'Training/exam separation broken', [
    '001',
    '002',
  ]),
  E05: rule(
    'E05',
    'exam_site',
    'serious',
    '实操考试缺少规定项目',
    'Practical exam missing required items',
    ['004'],
  ),
  E06: rule(
    'E06',
    'exam_site',
    'warning',
    '考试录像不完整或保存不足三年',
    'Exam video incomplete or kept under 3 years',
    ['001', '004'],
  ),
  E07: rule(
    'E07',
    'exam_site',
    'notice',
    '考试设备未按时检验',
    'Exam equipment not inspected in time',
    ['004'],
  ),
  E08: rule(
    'E08',
    'exam_site',
    'serious',
    '考试成绩异常（雷同答卷、答题时间异常、通过率畸高）',
    'Suspicious results (identical answers, impossible timing, pass rate far above the region)',
    ['001'],
  ),
  E09: rule(
    'E09',
    'exam_site',
    'serious',
    '考生身份核验不一致（替考）',
    'Candidate identity mismatch at check-in',
    ['003'],
  ),
  C01: rule(
    'C01',
    'enterprise',
    'serious',
    '特种作业人员无证或持假证上岗',
    'Special operator without a valid certificate, or with one not in the registry',
    ['000', '001'],
  ),
  C02: rule(
    'C02',
    'enterprise',
    'serious',
    '主要负责人、安全管理人员任职六个月内未取得合格证',
    'Principal or safety manager without competency certificate after 6 months',
    ['001'],
  ),
  C03: rule(
    'C03',
    'enterprise',
    'warning',
    '年度再培训缺失或操作证逾期未复审',
    'Annual re-training missing or certificate review overdue',
    ['001'],
  ),
  C04: rule(
    'C04',
    'enterprise',
    'warning',
    '新上岗、转岗或离岗复工人员未经岗前培训',
    'Pre-job training missing for a new hire, job change or return',
    ['003'],
  ),
  C05: rule(
    'C05',
    'enterprise',
    'notice',
    '内训师配备比例不足',
    'In-house trainer ratio below the requirement',
    ['003'],
  ),
  C06: rule(
    'C06',
    'enterprise',
    'warning',
    '无年度培训计划或培训记录不全',
    'No annual training plan, or records without hours or assessment',
    ['001', '003'],
  ),
  G01: rule(
    'G01',
    'regulator',
    'warning',
    '整改未闭环、逾期或只检查不处罚',
    'Findings closed without evidence, overdue, or no penalty',
    ['002'],
  ),
};
