import type { PolicyKey } from './policy.js';

/**
 * What a regulator calls each figure, in Chinese and in English: screens and the API show these,
 * never the code name (issue 11 point 3). Every policy parameter and catalog figure has one; the
 * ui-text test fails on a figure without.
 */
export interface Label {
  zh: string;
  en: string;
}

export const policyLabels: Record<PolicyKey, Label> = {
  offlineMinutesPerHour: { zh: '线下培训每学时分钟数', en: 'Minutes per classroom hour' },
  onlineMinutesPerHour: { zh: '线上学习每学时有效分钟数', en: 'Verified online minutes per hour' },
  onlineTheoryShareMax: {
    zh: '线上学时占大纲理论学时的上限',
    en: 'Online share of syllabus theory hours, at most',
  },
  practicalHoursPerDayMax: {
    zh: '每班每天实操学时上限',
    en: 'Practical hours per class per day, at most',
  },
  institutionManagersMin: {
    zh: '培训机构管理人员最少人数',
    en: 'Managers of an institution, at least',
  },
  institutionManagersFullTime: { zh: '管理人员须为专职', en: 'Managers must be full-time' },
  managerEducationMin: { zh: '管理人员最低学历', en: 'Lowest education of a manager' },
  institutionTeachersMin: { zh: '专兼职教师最少人数', en: 'Teachers of an institution, at least' },
  teacherPracticeYearsMin: { zh: '教师最少实践年限', en: "Teacher's years of practice, at least" },
  practicalTeacherNeedsItemCertificate: {
    zh: '实操教师须持所授作业类别的操作证',
    en: 'Practical teachers hold the certificate of the item they teach',
  },
  managersAndTeachersSeparate: {
    zh: '专职管理人员与专职教师不得混用',
    en: 'Full-time managers are not full-time teachers',
  },
  laborContractRequired: {
    zh: '专职人员须签订劳动合同',
    en: 'Full-time staff have a labour contract',
  },
  classroomCapacityMin: {
    zh: '理论教室最少座位数',
    en: 'Seats of the largest classroom, at least',
  },
  classroomAreaPerTraineeM2: { zh: '理论教室每名学员使用面积', en: 'Classroom area per trainee' },
  premisesLeaseYearsMin: { zh: '租赁场所最短租期', en: 'Lease of the premises, at least' },
  exitsMin: { zh: '培训场所最少进出口数', en: 'Exits of the premises, at least' },
  faceAttendanceRequired: {
    zh: '须配备人脸识别考勤设备',
    en: 'Face-recognition attendance required',
  },
  camerasPerRoomMin: { zh: '每间教室最少摄像头数', en: 'Cameras per room, at least' },
  archiveRoomRequired: { zh: '须独立设置档案室', en: 'A separate archive room required' },
  attendanceSignInsPerDayMin: {
    zh: '每天最少考勤次数',
    en: 'Attendance records per day, at least',
  },
  faceCheckIntervalMinutes: {
    zh: '线上学习人脸抽查间隔',
    en: 'Face check interval while learning online',
  },
  uncoveredTimeCounts: {
    zh: '无录像覆盖的时段计入学时',
    en: 'Time without video counts as training',
  },
  videoRetentionYears: { zh: '培训录像保存年限', en: 'Years training video is kept' },
  faceMatchThreshold: { zh: '人脸比对一致阈值', en: 'Face match threshold' },
  faceAntispoofMin: { zh: '防翻拍（防照片、屏幕）最低分', en: 'Anti-spoofing score, at least' },
  faceLivenessMin: { zh: '活体检测最低分', en: 'Liveness score, at least' },
  examCheckInOpensMinutesBefore: {
    zh: '考前开始签到的分钟数',
    en: 'Check-in opens, minutes before',
  },
  examSecondsPerAnswerMin: { zh: '每题最短作答秒数', en: 'Seconds per answer, at least' },
  examTimingAnswersMin: { zh: '判断作答过快所需最少题数', en: 'Answers needed to judge speed' },
  examCopyingAlpha: { zh: '雷同答卷判定显著性水平', en: 'Significance level for copied papers' },
  examCopyingCommonWrongMin: {
    zh: '雷同答卷最少相同错误题数',
    en: 'Common wrong answers for copied papers, at least',
  },
  examPassRateAlpha: { zh: '合格率异常判定显著性水平', en: 'Significance level for pass rates' },
  examPassRateMinSample: {
    zh: '合格率异常判定最少考生数',
    en: 'Candidates needed to judge a pass rate',
  },
  newClassRequiresRegistration: {
    zh: '未通过信息登记核查不得新开培训班',
    en: 'No new class without passing the registration check',
  },
};

/** Catalog figures (figures.ts), by `group.key` as listCatalogFigures names them. */
export const catalogLabels: Record<string, Label> = {
  'enterprise.managerInitialGeneral': {
    zh: '主要负责人、安全管理人员初次培训学时（一般行业）',
    en: 'Principals and safety managers, initial training (general)',
  },
  'enterprise.managerInitialHighRisk': {
    zh: '主要负责人、安全管理人员初次培训学时（高危行业）',
    en: 'Principals and safety managers, initial training (high-risk)',
  },
  'enterprise.managerAnnualGeneral': {
    zh: '主要负责人、安全管理人员每年再培训学时（一般行业）',
    en: 'Principals and safety managers, annual re-training (general)',
  },
  'enterprise.managerAnnualHighRisk': {
    zh: '主要负责人、安全管理人员每年再培训学时（高危行业）',
    en: 'Principals and safety managers, annual re-training (high-risk)',
  },
  'enterprise.managerCertifyWithinMonths': {
    zh: '高危行业主要负责人、安全管理人员取得合格证期限',
    en: 'High-risk principals and safety managers certified within',
  },
  'enterprise.newHireGeneral': {
    zh: '新上岗从业人员岗前培训学时',
    en: 'New hires, pre-job training',
  },
  'enterprise.newHireConstruction': {
    zh: '建筑企业新上岗从业人员岗前培训学时',
    en: 'New hires in construction, pre-job training',
  },
  'enterprise.newHireHighRisk': {
    zh: '高危行业新上岗从业人员岗前培训学时',
    en: 'New hires in high-risk industries, pre-job training',
  },
  'enterprise.employeeAnnualGeneral': {
    zh: '从业人员每年再培训学时（一般行业）',
    en: 'Employees, annual re-training (general)',
  },
  'enterprise.employeeAnnualHighRisk': {
    zh: '从业人员每年再培训学时（高危行业）',
    en: 'Employees, annual re-training (high-risk)',
  },
  'enterprise.returnAfterAbsenceYears': {
    zh: '离岗后重新上岗须再培训的离岗年限',
    en: 'Away from the post before re-training on return',
  },
  'enterprise.inHouseTrainerPermilleGeneral': {
    zh: '内训师配备比例（一般行业）',
    en: 'In-house trainers per employees (general)',
  },
  'enterprise.inHouseTrainerPermilleHighRisk': {
    zh: '内训师配备比例（高危行业）',
    en: 'In-house trainers per employees (high-risk)',
  },
  'enterprise.inHouseTrainerMinHighRisk': {
    zh: '高危行业内训师最少人数',
    en: 'In-house trainers in high-risk industries, at least',
  },
  'enterprise.apprenticeshipMonths': { zh: '师傅带徒弟最短期限', en: 'Apprenticeship, at least' },
  'special_operation.minAge': {
    zh: '特种作业人员最低年龄',
    en: 'Minimum age of a special operator',
  },
  'special_operation.examWithinDays': {
    zh: '受理申请后组织考试期限',
    en: 'Exam held within, after application',
  },
  'special_operation.retakes': { zh: '考试不合格补考次数', en: 'Retakes after a failed exam' },
  'special_operation.resultsWithinWorkingDays': {
    zh: '考试结束后公布成绩期限',
    en: 'Results published within',
  },
  'special_operation.certificateValidityYears': {
    zh: '特种作业操作证有效期',
    en: 'Validity of a special operation certificate',
  },
  'special_operation.reviewEveryYears': { zh: '复审周期', en: 'Review every' },
  'special_operation.reviewWindowDays': {
    zh: '期满前申请复审的期限',
    en: 'Review applied for within, before due',
  },
  'special_operation.extendedReviewAfterYears': {
    zh: '延长复审周期所需连续从事年限',
    en: 'Years of work before the review period is extended',
  },
  'special_operation.extendedReviewEveryYears': {
    zh: '延长后的复审周期',
    en: 'Extended review period',
  },
  'special_operation.reviewTrainingHours': { zh: '复审培训学时', en: 'Review training hours' },
  'special_operation.banAfterRevocationYears': {
    zh: '操作证被撤销后不得再申请的年限',
    en: 'No new application after revocation for',
  },
  'special_operation.awayFromPostMonths': {
    zh: '离开岗位后须重新参加实操考试的期限',
    en: 'Away from the post before a new practical exam',
  },
  'exams.theoryMinutes': { zh: '理论考试时长', en: 'Theory exam duration' },
  'exams.fullMarks': { zh: '考试满分', en: 'Full marks' },
  'exams.passMark': { zh: '理论考试合格分数', en: 'Theory pass mark' },
  'exams.practicalPassMark': { zh: '实际操作考试合格分数', en: 'Practical pass mark' },
  'exams.scoreValidMonths': { zh: '考试成绩有效期', en: 'Exam result valid for' },
  'exams.videoRetentionYears': { zh: '考试录像保存年限', en: 'Years exam video is kept' },
  'exams.competencyCertificateYears': {
    zh: '安全生产知识和管理能力考核合格证有效期',
    en: 'Validity of a competency certificate',
  },
  'exams.competencyExtendDaysBefore': {
    zh: '合格证期满前申请延期的期限',
    en: 'Competency certificate extension applied for within, before due',
  },
  'exams.issueWithinWorkingDays': { zh: '考试合格后发证期限', en: 'Certificate issued within' },
  'enterprise_obligations.dueSoonDays': {
    zh: '培训到期提前提醒天数',
    en: 'Days of notice before training is due',
  },
  'enterprise_obligations.preJobJudgedWithinMonths': {
    zh: '岗前培训判定所看的入职月数',
    en: 'Months after hiring judged for pre-job training',
  },
  'enterprise_obligations.annualPlanDueMonthDay': {
    zh: '年度安全培训计划报送日期',
    en: 'Annual training plan due',
  },
  'enterprise_obligations.trainerRatioGeneralScales': {
    zh: '按内训师比例考核的企业规模',
    en: 'Company sizes held to the trainer ratio',
  },
  'enterprise_obligations.threeLevelIndustries': {
    zh: '须三级安全教育的行业',
    en: 'Industries with three-level safety education',
  },
  'certificates.certificateNumberRule': {
    zh: '特种作业操作证编号规则',
    en: 'Certificate number rule',
  },
};
