import { findOperationItem } from '../../catalog/operations.js';
import type { PolicyKey, ResolvedPolicy } from '../../catalog/policy.js';
import type { Facilities } from './registry.contract.js';

/** Order of education levels, lowest first; 'unknown' ranks below all (an undeclared degree is not a degree). */
const educationRank = [
  'unknown',
  'primary',
  'junior_high',
  'high_school',
  'secondary_vocational',
  'associate',
  'bachelor',
  'master',
  'doctor',
];

export interface InstitutionFacts {
  managers: {
    personId: string;
    name: string;
    education: string;
    fullTime: boolean;
    laborContract: boolean;
  }[];
  teachers: {
    personId: string;
    name: string;
    fullTime: boolean;
    laborContract: boolean;
    practiceYears: number;
    certificateItems: string[];
    teachesItems: string[];
  }[];
  facilities: {
    premises: { tenure: 'owned' | 'leased'; leaseYears?: number };
    classrooms: { name: string; capacity: number; areaM2: number }[];
    exits: number;
    faceTerminals: number;
    camerasByRoom: Record<string, number>;
    archiveRoom: boolean;
    practicalAreas: { operationItemCode: string; areaM2?: number; equipmentComplete: boolean }[];
  };
  /** Operation items the institution trains. */
  operationItems: string[];
}

/** One current staff duty at the institution, as the registry holds it. */
export interface StaffFact {
  personId: string;
  name: string;
  education: string | null;
  duty: string;
  fullTime: boolean;
  laborContract: boolean;
  practiceYears: number | null;
  operationItems: string[];
}

/**
 * The facts the check reads, from the institution's current staff and declared facilities. Missing
 * declarations count as absent (no exits, no terminals), never as met.
 */
export function institutionFacts(staff: StaffFact[], facilities: Facilities): InstitutionFacts {
  return {
    managers: staff
      .filter((s) => s.duty === 'manager')
      .map((s) => ({
        personId: s.personId,
        name: s.name,
        education: s.education ?? 'unknown',
        fullTime: s.fullTime,
        laborContract: s.laborContract,
      })),
    teachers: staff
      .filter((s) => s.duty === 'teacher')
      .map((s) => ({
        personId: s.personId,
        name: s.name,
        fullTime: s.fullTime,
        laborContract: s.laborContract,
        practiceYears: s.practiceYears ?? 0,
        // Certificates arrive with the certificates module; until then a teacher's declared items stand for them.
        certificateItems: s.operationItems,
        teachesItems: s.operationItems,
      })),
    facilities: {
      premises: facilities.premises ?? { tenure: 'leased', leaseYears: 0 },
      classrooms: facilities.classrooms,
      exits: facilities.exits ?? 0,
      faceTerminals: facilities.faceTerminals ?? 0,
      camerasByRoom: facilities.camerasByRoom,
      archiveRoom: facilities.archiveRoom ?? false,
      practicalAreas: facilities.practicalAreas,
    },
    operationItems: facilities.operationItems,
  };
}

export interface Finding {
  code: string;
  severity: 'blocking' | 'warning';
  message: string;
  figureKey?: PolicyKey;
  expected?: unknown;
  actual?: unknown;
  subject?: { kind: 'person' | 'room' | 'item' | 'organization'; id?: string; name?: string };
}

/**
 * AQ 8011-2023 basic conditions of a training institution (RULES.md §C), judged with the policy in
 * force for its region: every failing condition is one finding naming the person, room or item and
 * the figure. A passing institution gives [].
 */
export function checkInstitutionRegistration(
  facts: InstitutionFacts,
  policy: ResolvedPolicy,
): Finding[] {
  const f = policy.figures;
  const out: Finding[] = [];
  const add = (finding: Finding) => out.push(finding);

  const managers = f.institutionManagersFullTime.value
    ? facts.managers.filter((m) => m.fullTime)
    : facts.managers;
  if (managers.length < f.institutionManagersMin.value) {
    add({
      code: 'managers_too_few',
      severity: 'blocking',
      message: `${f.institutionManagersFullTime.value ? '专职' : ''}管理人员${managers.length}人，少于${f.institutionManagersMin.value}人`,
      figureKey: 'institutionManagersMin',
      expected: f.institutionManagersMin.value,
      actual: managers.length,
    });
  }
  const minEdu = educationRank.indexOf(f.managerEducationMin.value);
  for (const m of facts.managers) {
    if (educationRank.indexOf(m.education) < minEdu) {
      add({
        code: 'manager_education_too_low',
        severity: 'blocking',
        message: `管理人员${m.name}学历低于大专`,
        figureKey: 'managerEducationMin',
        expected: f.managerEducationMin.value,
        actual: m.education,
        subject: { kind: 'person', id: m.personId, name: m.name },
      });
    }
  }
  if (f.laborContractRequired.value) {
    for (const p of [
      ...facts.managers.filter((m) => m.fullTime),
      ...facts.teachers.filter((t) => t.fullTime),
    ]) {
      if (!p.laborContract) {
        add({
          code: 'no_labor_contract',
          severity: 'warning',
          message: `专职人员${p.name}未签订劳动合同`,
          figureKey: 'laborContractRequired',
          expected: true,
          actual: false,
          subject: { kind: 'person', id: p.personId, name: p.name },
        });
      }
    }
  }
  if (
    f.institutionTeachersMin.value !== null &&
    facts.teachers.length < f.institutionTeachersMin.value
  ) {
    add({
      code: 'teachers_too_few',
      severity: 'blocking',
      message: `专兼职教师${facts.teachers.length}人，少于${f.institutionTeachersMin.value}人`,
      figureKey: 'institutionTeachersMin',
      expected: f.institutionTeachersMin.value,
      actual: facts.teachers.length,
    });
  }
  if (f.managersAndTeachersSeparate.value) {
    const fullTimeTeachers = new Set(
      facts.teachers.filter((t) => t.fullTime).map((t) => t.personId),
    );
    for (const m of facts.managers.filter((x) => x.fullTime && fullTimeTeachers.has(x.personId))) {
      add({
        code: 'manager_teacher_overlap',
        severity: 'blocking',
        message: `${m.name}同时为专职管理人员和专职教师（混用）`,
        figureKey: 'managersAndTeachersSeparate',
        subject: { kind: 'person', id: m.personId, name: m.name },
      });
    }
  }
  for (const t of facts.teachers) {
    if (t.practiceYears < f.teacherPracticeYearsMin.value) {
      add({
        code: 'teacher_practice_too_short',
        severity: 'blocking',
        message: `教师${t.name}实践经验${t.practiceYears}年，不足${f.teacherPracticeYearsMin.value}年`,
        figureKey: 'teacherPracticeYearsMin',
        expected: f.teacherPracticeYearsMin.value,
        actual: t.practiceYears,
        subject: { kind: 'person', id: t.personId, name: t.name },
      });
    }
  }
  if (f.practicalTeacherNeedsItemCertificate.value) {
    for (const item of facts.operationItems) {
      const teachers = facts.teachers.filter((t) => t.teachesItems.includes(item));
      const certified = teachers.filter((t) => t.certificateItems.includes(item));
      const name = findOperationItem(item)?.name ?? item;
      if (certified.length === 0) {
        add({
          code: 'teacher_lacks_item_certificate',
          severity: 'blocking',
          message: `没有持「${name}」特种作业操作证的实操教师`,
          figureKey: 'practicalTeacherNeedsItemCertificate',
          subject: { kind: 'item', id: item, name },
        });
      }
    }
  }

  const { premises, classrooms, exits, faceTerminals, camerasByRoom, archiveRoom, practicalAreas } =
    facts.facilities;
  if (premises.tenure === 'leased' && (premises.leaseYears ?? 0) < f.premisesLeaseYearsMin.value) {
    add({
      code: 'lease_too_short',
      severity: 'blocking',
      message: `场所租期${premises.leaseYears ?? 0}年，不足${f.premisesLeaseYearsMin.value}年`,
      figureKey: 'premisesLeaseYearsMin',
      expected: f.premisesLeaseYearsMin.value,
      actual: premises.leaseYears ?? 0,
    });
  }
  const minArea = f.classroomCapacityMin.value * f.classroomAreaPerTraineeM2.value;
  const bigEnough = classrooms.filter(
    (c) => c.capacity >= f.classroomCapacityMin.value && c.areaM2 >= minArea,
  );
  if (bigEnough.length === 0) {
    const best = [...classrooms].sort((a, b) => b.capacity - a.capacity)[0];
    add({
      code: 'classroom_too_small',
      severity: 'blocking',
      message: best
        ? `最大理论教室「${best.name}」${best.capacity}座/${best.areaM2}㎡，需同时容纳${f.classroomCapacityMin.value}人且不小于${minArea}㎡`
        : '没有理论教室',
      figureKey: 'classroomCapacityMin',
      expected: { capacity: f.classroomCapacityMin.value, areaM2: minArea },
      actual: best ? { capacity: best.capacity, areaM2: best.areaM2 } : null,
      subject: best ? { kind: 'room', name: best.name } : undefined,
    });
  }
  if (f.exitsMin.value !== null && exits < f.exitsMin.value) {
    add({
      code: 'exits_too_few',
      severity: 'blocking',
      message: `培训场所仅有${exits}个进出口，少于${f.exitsMin.value}个`,
      figureKey: 'exitsMin',
      expected: f.exitsMin.value,
      actual: exits,
    });
  }
  if (f.faceAttendanceRequired.value && faceTerminals < 1) {
    add({
      code: 'no_face_terminal',
      severity: 'blocking',
      message: '未配备人脸识别签到考勤设备',
      figureKey: 'faceAttendanceRequired',
      expected: true,
      actual: faceTerminals,
    });
  }
  if (f.camerasPerRoomMin.value !== null) {
    const rooms = [
      ...classrooms.map((c) => c.name),
      ...Object.keys(camerasByRoom).filter((r) => !classrooms.some((c) => c.name === r)),
    ];
    for (const room of rooms) {
      const n = camerasByRoom[room] ?? 0;
      if (n < f.camerasPerRoomMin.value) {
        add({
          code: n === 1 ? 'one_camera_room' : 'room_without_camera',
          severity: 'blocking',
          message: `「${room}」摄像头${n}个，少于${f.camerasPerRoomMin.value}个，无法全覆盖录像`,
          figureKey: 'camerasPerRoomMin',
          expected: f.camerasPerRoomMin.value,
          actual: n,
          subject: { kind: 'room', name: room },
        });
      }
    }
  }
  if (f.archiveRoomRequired.value && !archiveRoom) {
    add({
      code: 'no_archive_room',
      severity: 'warning',
      message: '未独立设置档案室',
      figureKey: 'archiveRoomRequired',
      expected: true,
      actual: false,
    });
  }
  for (const item of facts.operationItems) {
    const name = findOperationItem(item)?.name ?? item;
    const area = practicalAreas.find((a) => a.operationItemCode === item);
    if (!area)
      add({
        code: 'no_practical_area',
        severity: 'blocking',
        message: `「${name}」没有实操训练场地`,
        subject: { kind: 'item', id: item, name },
      });
    else if (!area.equipmentComplete)
      add({
        code: 'practical_equipment_incomplete',
        severity: 'blocking',
        message: `「${name}」实操设备未按大纲配齐`,
        subject: { kind: 'item', id: item, name },
      });
  }
  return out;
}
