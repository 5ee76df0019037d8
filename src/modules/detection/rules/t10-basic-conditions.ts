import { sql } from 'kysely';
import { beijingDay } from '../../../catalog/calendar.js';
import { SOURCES } from '../../../catalog/figure.js';
import {
  checkInstitutionRegistration,
  institutionFacts,
  type StaffFact,
} from '../../registry/registration.rules.js';
import { FacilitiesSchema } from '../../registry/registry.contract.js';
import { defineRule } from '../rule.js';
import { ev, inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

interface Row extends OrgColumns {
  facilities: unknown;
  staff: (StaffFact & { staffId: string })[];
}

/**
 * T10 培训机构基本条件不达标 (AQ 8011-2023; seed 001: 不具备安全生产培训工作基本条件; seed 004: 专职管理人员不足5人…):
 * the registration check (registry/registration.rules.ts checkInstitutionRegistration — the same
 * function the institution's page and 信息登记 run) over every active training institution, with its
 * current staff and declared facilities, by the policy in force for its region today.
 */
export default defineRule({
  id: 'T10',
  record: 'organization',
  policyKeys: [
    'institutionManagersMin',
    'institutionManagersFullTime',
    'managerEducationMin',
    'institutionTeachersMin',
    'teacherPracticeYearsMin',
    'practicalTeacherNeedsItemCertificate',
    'managersAndTeachersSeparate',
    'laborContractRequired',
    'classroomCapacityMin',
    'premisesLeaseYearsMin',
    'exitsMin',
    'faceAttendanceRequired',
    'camerasPerRoomMin',
    'archiveRoomRequired',
  ],
  triggers: ['staff', 'organization'],
  reach: 'organization',
  async load(ctx) {
    const today = beijingDay(ctx.now);
    const r = await sql<Row>`
      select ${orgColumns('o')}, o.facilities,
             coalesce((select json_agg(json_build_object('staffId', s.id, 'personId', p.id, 'name', p.name, 'education', p.education,
                        'duty', s.duty, 'fullTime', s.full_time, 'laborContract', s.labor_contract, 'practiceYears', s.practice_years,
                        'operationItems', s.operation_items) order by s.duty, p.name, s.id)
                       from staff_assignment s join person p on p.id = s.person_id
                       where s.organization_id = o.id and s.start_date <= ${today}::date
                         and (s.end_date is null or s.end_date >= ${today}::date)), '[]') as staff
      from organization o
      where o.kind = 'training_institution' and o.status = 'active' and ${inScope(ctx, 'o.region_code', 'o.id')}`.execute(
      ctx.db,
    );
    return { today, rows: r.rows };
  },
  judge({ today, rows }, env) {
    return rows.flatMap((o) => {
      const facilities = FacilitiesSchema.parse(o.facilities ?? {});
      const findings = checkInstitutionRegistration(
        institutionFacts(o.staff, facilities),
        env.resolved(o.orgRegion, today),
      );
      return findings.map((f) => {
        const staffOf = (personId?: string) =>
          o.staff
            .filter((s) => s.personId === personId)
            .map((s) => ev('staff_assignment', s.staffId, s.name));
        return {
          rule: 'T10' as const,
          code: f.code,
          severity: f.severity === 'blocking' ? ('serious' as const) : ('warning' as const),
          blocking: f.severity === 'blocking',
          subject: { kind: 'organization' as const, id: o.orgId, name: o.orgName },
          message: `${o.orgName}：${f.message}`,
          evidence: [
            ev('organization', o.orgId, o.orgName),
            ...(f.subject?.kind === 'person'
              ? [ev('person', f.subject.id!, f.subject.name), ...staffOf(f.subject.id)]
              : []),
          ],
          source: `AQ 8011-2023《安全生产培训机构基本条件》；${SOURCES.seed004}`,
          ...(f.figureKey
            ? { figure: { key: f.figureKey, expected: f.expected, actual: f.actual } }
            : {}),
          organization: orgOf(o),
          date: today,
        };
      });
    });
  },
});
