import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { separationConflicts } from '../../registry/staffing.rules.js';
import type { Detected } from '../rule.js';
import { defineRule } from '../rule.js';
import {
  beijingDay,
  beijingHm,
  ev,
  inScope,
  type OrgColumns,
  orgColumns,
  orgOf,
} from './shared.js';

interface SiteRow extends OrgColumns {
  operatorId: string;
  operatorName: string;
}

interface StaffRow extends OrgColumns {
  sessionId: string;
  startsAt: Date;
  personId: string;
  personName: string;
  duty: 'invigilator' | 'examiner';
  /** The person's assignments in force on the session day, in any organization. */
  assignments: { id: string; kind: string; duty: string; organizationName: string }[];
}

/**
 * E04 培考不分 (安监总培训〔2013〕104号 考教分离; seed 001: 培训机构同时承担考试; seed 002):
 * - site_operated_by_institution: an active exam site run by a training institution — the same
 *   fact the organization list and the session planner refuse (registry.service / exams.service);
 * - exam_staff_trains: an invigilator or examiner of a session who holds a duty at a training
 *   institution on the session day (registry staffing.rules separationConflicts, as staffing refuses).
 */
export default defineRule({
  id: 'E04',
  record: 'organization',
  policyKeys: [],
  triggers: ['organization', 'staff', 'exam_session'],
  reach: 'organization',
  async load(ctx) {
    const sites = await sql<SiteRow>`
      select ${orgColumns('site')}, op.id as operator_id, op.name as operator_name
      from organization site join organization op on op.id = site.operator_id
      where site.kind = 'exam_site' and site.status = 'active' and op.kind = 'training_institution'
        and ${inScope(ctx, 'site.region_code', 'site.id')}`.execute(ctx.db);
    const staff = await sql<StaffRow>`
      with st as (
        select s.id as session_id, s.starts_at, s.site_id, x.person_id, x.duty
        from exam_session s
        join organization site on site.id = s.site_id
        cross join lateral (
          select unnest(s.invigilator_ids) as person_id, 'invigilator' as duty
          union all select unnest(s.examiner_ids), 'examiner'
        ) x
        where ${inScope(ctx, 'site.region_code', 'site.id')}
      )
      select st.session_id, st.starts_at, st.person_id, p.name as person_name, st.duty, ${orgColumns('site')},
             json_agg(json_build_object('id', a.id, 'kind', o.kind, 'duty', a.duty, 'organizationName', o.name) order by a.id) as assignments
      from st
      join organization site on site.id = st.site_id
      join person p on p.id = st.person_id
      join staff_assignment a on a.person_id = st.person_id
        and a.start_date <= (st.starts_at at time zone 'Asia/Shanghai')::date
        and (a.end_date is null or a.end_date >= (st.starts_at at time zone 'Asia/Shanghai')::date)
      join organization o on o.id = a.organization_id
      where exists (select 1 from staff_assignment t join organization ti on ti.id = t.organization_id
                    where t.person_id = st.person_id and ti.kind = 'training_institution'
                      and t.start_date <= (st.starts_at at time zone 'Asia/Shanghai')::date
                      and (t.end_date is null or t.end_date >= (st.starts_at at time zone 'Asia/Shanghai')::date))
      group by st.session_id, st.starts_at, st.person_id, p.name, st.duty, site.id`.execute(ctx.db);
    return { sites: sites.rows, staff: staff.rows, today: beijingDay(ctx.now) };
  },
  judge({ sites, staff, today }) {
    const out: Detected[] = [];
    for (const s of sites)
      out.push({
        rule: 'E04',
        code: 'site_operated_by_institution',
        severity: 'serious',
        blocking: false,
        subject: { kind: 'organization', id: s.orgId, name: s.orgName },
        message: `培考不分：考试点「${s.orgName}」由培训机构「${s.operatorName}」举办`,
        evidence: [
          ev('organization', s.orgId, s.orgName),
          ev('organization', s.operatorId, s.operatorName),
        ],
        source: `安监总培训〔2013〕104号：考教分离，培训机构不得举办考试点；${SOURCES.seed001}、${SOURCES.seed002}`,
        organization: orgOf(s),
        date: today,
      });
    for (const r of staff) {
      const conflicts = separationConflicts({ kind: 'exam_site', duty: r.duty }, r.assignments);
      if (conflicts.length === 0) continue;
      const day = beijingDay(r.startsAt);
      const training = r.assignments.filter((a) => a.kind === 'training_institution');
      out.push({
        rule: 'E04',
        code: 'exam_staff_trains',
        severity: 'serious',
        blocking: false,
        subject: {
          kind: 'exam_session',
          id: r.sessionId,
          name: `${r.orgName} ${day} ${beijingHm(r.startsAt)}`,
        },
        message: `培考不分：${r.orgName} ${day} 考试场次的${r.duty === 'examiner' ? '考评员' : '监考员'}${r.personName}同时在${training.map((a) => `「${a.organizationName}」`).join('、')}担任培训职务`,
        evidence: [
          ev('exam_session', r.sessionId),
          ev('person', r.personId, r.personName),
          ...training.map((a) =>
            ev('staff_assignment', a.id, `${r.personName} ${a.organizationName}`),
          ),
        ],
        source: `安监总培训〔2013〕104号：考教分离，考试人员不得承担培训工作；${SOURCES.seed002}`,
        organization: orgOf(r),
        date: day,
      });
    }
    return out;
  },
});
