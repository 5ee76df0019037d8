import type { ExternalRefTable } from '../../bundle/bundle.table.js';
import type { DemoCityTable } from '../../demo/demo.table.js';
import type {
  AuthorityKeyTable,
  CertificateEventTable,
  CertificateTable,
  VerificationQueryTable,
} from '../../modules/certificates/certificates.table.js';
import type {
  AlertTable,
  DetectionJobTable,
  DetectionRuleRunTable,
} from '../../modules/detection/detection.table.js';
import type {
  CertificateCheckTable,
  EmploymentDetailTable,
  EnterpriseTrainingPlanTable,
  EnterpriseTrainingRecordTable,
  EnterpriseTrainingSessionTable,
} from '../../modules/enterprises/enterprises.table.js';
import type {
  ExamPlanTable,
  ExamRegistrationTable,
  ExamSessionTable,
  PaperBlueprintTable,
  PatrolEventTable,
  PracticalScoreTable,
  QuestionTable,
  TheoryAnswerTable,
  TheoryAttemptTable,
} from '../../modules/exams/exams.table.js';
import type { FaceTemplateTable, FaceVerificationTable } from '../../modules/faces/faces.table.js';
import type {
  PolicyProfileTable,
  SyllabusVersionTable,
} from '../../modules/policy/policy.table.js';
import type {
  EmploymentTable,
  OrganizationTable,
  PersonTable,
  RegionTable,
  RegistrationExemptionTable,
  StaffAssignmentTable,
} from '../../modules/registry/registry.table.js';
import type {
  CasePublicationTable,
  ChecklistTemplateTable,
  InspectionDrawTable,
  InspectionItemTable,
  InspectionPlanTable,
  InspectionTable,
  InspectorRelativeTable,
  OrderLinkTable,
  OrderResponseTable,
  OrganizationGradeTable,
  PenaltyTable,
  PublicReportTable,
  RectificationOrderTable,
  ReportMessageTable,
  SpotExamSittingTable,
  SpotExamTable,
  SupervisionFileTable,
  SupervisionFindingTable,
} from '../../modules/supervision/supervision.table.js';
import type {
  AttendanceMakeupTable,
  ClassDocumentTable,
  ClassSealTable,
  ClassTraineeTable,
  LessonTable,
  OnlineCourseTable,
  OnlineFaceCheckTable,
  OnlineSegmentTable,
  OnlineSessionTable,
  RecordingTable,
  TrainingClassTable,
} from '../../modules/training/classes.table.js';
import type {
  AttendanceEventTable,
  DeviceTable,
  RoomTable,
} from '../../modules/training/training.table.js';
import type {
  AuditCheckpointKeyTable,
  AuditCheckpointTable,
  AuditLogTable,
} from '../audit/audit.table.js';
import type { ApiTokenTable, AppUserTable, UserSessionTable } from '../auth/auth.table.js';

/** The whole database as Kysely sees it (camelCase here, snake_case in SQL via CamelCasePlugin). */
export interface Database {
  region: RegionTable;
  organization: OrganizationTable;
  person: PersonTable;
  staffAssignment: StaffAssignmentTable;
  employment: EmploymentTable;
  registrationExemption: RegistrationExemptionTable;
  appUser: AppUserTable;
  userSession: UserSessionTable;
  apiToken: ApiTokenTable;
  policyProfile: PolicyProfileTable;
  syllabusVersion: SyllabusVersionTable;
  auditLog: AuditLogTable;
  auditCheckpoint: AuditCheckpointTable;
  auditCheckpointKey: AuditCheckpointKeyTable;
  externalRef: ExternalRefTable;
  faceTemplate: FaceTemplateTable;
  faceVerification: FaceVerificationTable;
  room: RoomTable;
  device: DeviceTable;
  attendanceEvent: AttendanceEventTable;
  trainingClass: TrainingClassTable;
  classTrainee: ClassTraineeTable;
  lesson: LessonTable;
  attendanceMakeup: AttendanceMakeupTable;
  recording: RecordingTable;
  onlineCourse: OnlineCourseTable;
  onlineSession: OnlineSessionTable;
  onlineFaceCheck: OnlineFaceCheckTable;
  onlineSegment: OnlineSegmentTable;
  classDocument: ClassDocumentTable;
  demoCity: DemoCityTable;
  classSeal: ClassSealTable;
  authorityKey: AuthorityKeyTable;
  certificate: CertificateTable;
  certificateEvent: CertificateEventTable;
  verificationQuery: VerificationQueryTable;
  question: QuestionTable;
  paperBlueprint: PaperBlueprintTable;
  examPlan: ExamPlanTable;
  examSession: ExamSessionTable;
  examRegistration: ExamRegistrationTable;
  theoryAttempt: TheoryAttemptTable;
  theoryAnswer: TheoryAnswerTable;
  practicalScore: PracticalScoreTable;
  patrolEvent: PatrolEventTable;
  alert: AlertTable;
  detectionJob: DetectionJobTable;
  detectionRuleRun: DetectionRuleRunTable;
  checklistTemplate: ChecklistTemplateTable;
  inspectorRelative: InspectorRelativeTable;
  inspectionPlan: InspectionPlanTable;
  inspectionDraw: InspectionDrawTable;
  inspection: InspectionTable;
  inspectionItem: InspectionItemTable;
  supervisionFile: SupervisionFileTable;
  spotExam: SpotExamTable;
  spotExamSitting: SpotExamSittingTable;
  rectificationOrder: RectificationOrderTable;
  supervisionFinding: SupervisionFindingTable;
  orderResponse: OrderResponseTable;
  orderLink: OrderLinkTable;
  penalty: PenaltyTable;
  publicReport: PublicReportTable;
  reportMessage: ReportMessageTable;
  organizationGrade: OrganizationGradeTable;
  casePublication: CasePublicationTable;
  employmentDetail: EmploymentDetailTable;
  certificateCheck: CertificateCheckTable;
  enterpriseTrainingPlan: EnterpriseTrainingPlanTable;
  enterpriseTrainingSession: EnterpriseTrainingSessionTable;
  enterpriseTrainingRecord: EnterpriseTrainingRecordTable;
}
