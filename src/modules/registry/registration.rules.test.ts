import { describe, expect, it } from 'vitest';
import { getPolicy } from '../../catalog/policy.js';
import { checkInstitutionRegistration, type InstitutionFacts } from './registration.rules.js';

const policy = getPolicy('370902', '2025-01-01');
const f = policy.figures;

/** An institution built from the policy's own figures, so it meets every condition exactly. */
function passing(): InstitutionFacts {
  const managers = Array.from({ length: f.institutionManagersMin.value }, (_, i) => ({
    personId: `m${i}`,
    name: `管理${i}`,
    education: 'bachelor',
    fullTime: true,
    laborContract: true,
  }));
  const teachers = Array.from({ length: f.institutionTeachersMin.value ?? 1 }, (_, i) => ({
    personId: `t${i}`,
    name: `教师${i}`,
    fullTime: true,
    laborContract: true,
    practiceYears: f.teacherPracticeYearsMin.value,
    certificateItems: ['1.2'],
    teachesItems: ['1.2'],
  }));
  const capacity = f.classroomCapacityMin.value;
  return {
    managers,
    teachers,
    facilities: {
      premises: { tenure: 'leased', leaseYears: f.premisesLeaseYearsMin.value },
      classrooms: [
        { name: '理论教室', capacity, areaM2: capacity * f.classroomAreaPerTraineeM2.value },
      ],
      exits: f.exitsMin.value ?? 1,
      faceTerminals: 1,
      camerasByRoom: { 理论教室: f.camerasPerRoomMin.value ?? 1 },
      archiveRoom: true,
      practicalAreas: [{ operationItemCode: '1.2', areaM2: 100, equipmentComplete: true }],
    },
    operationItems: ['1.2'],
  };
}

const codes = (facts: InstitutionFacts) =>
  checkInstitutionRegistration(facts, policy)
    .map((x) => x.code)
    .sort();

describe('checkInstitutionRegistration (AQ 8011, Shandong profile)', () => {
  it('finds nothing when every condition is met exactly', () => {
    expect(checkInstitutionRegistration(passing(), policy)).toEqual([]);
  });

  it('names each failing condition of seed 004', () => {
    const facts = passing();
    facts.managers.pop();
    facts.teachers[0].practiceYears = f.teacherPracticeYearsMin.value - 1;
    for (const t of facts.teachers) t.certificateItems = [];
    facts.managers[0].personId = facts.teachers[0].personId;
    facts.facilities.exits = f.exitsMin.value! - 1;
    facts.facilities.faceTerminals = 0;
    facts.facilities.camerasByRoom = { 理论教室: 1 };
    facts.facilities.premises = { tenure: 'leased', leaseYears: f.premisesLeaseYearsMin.value - 1 };
    facts.facilities.classrooms[0].capacity = f.classroomCapacityMin.value - 1;
    facts.facilities.archiveRoom = false;
    facts.facilities.practicalAreas = [];
    expect(codes(facts)).toEqual(
      [
        'classroom_too_small',
        'exits_too_few',
        'lease_too_short',
        'manager_teacher_overlap',
        'managers_too_few',
        'no_archive_room',
        'no_face_terminal',
        'no_practical_area',
        'one_camera_room',
        'teacher_lacks_item_certificate',
        'teacher_practice_too_short',
      ].sort(),
    );
  });

  it('names the person or item behind each personal condition', () => {
    const facts = passing();
    facts.managers[0].education = 'high_school';
    facts.teachers[0].laborContract = false;
    facts.teachers.pop();
    facts.facilities.practicalAreas[0].equipmentComplete = false;
    const found = checkInstitutionRegistration(facts, policy);
    expect(found.map((x) => x.code).sort()).toEqual(
      [
        'manager_education_too_low',
        'no_labor_contract',
        'practical_equipment_incomplete',
        'teachers_too_few',
      ].sort(),
    );
    const subjectOf = (code: string) => found.find((x) => x.code === code)?.subject?.id;
    expect(subjectOf('manager_education_too_low')).toBe(facts.managers[0].personId);
    expect(subjectOf('no_labor_contract')).toBe(facts.teachers[0].personId);
    expect(subjectOf('practical_equipment_incomplete')).toBe('1.2');
  });

  it('judges by the profile in force: the national profile does not count exits or separate managers', () => {
    const facts = passing();
    facts.facilities.exits = 1;
    facts.managers[0].personId = facts.teachers[0].personId;
    const national = getPolicy('440106', '2025-01-01');
    expect(checkInstitutionRegistration(facts, national).map((x) => x.code)).toEqual([]);
    expect(codes(facts)).toEqual(['exits_too_few', 'manager_teacher_overlap']);
  });
});
