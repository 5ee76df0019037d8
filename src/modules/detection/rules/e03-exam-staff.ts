import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { findOperationItem } from '../../../catalog/operations.js';
import {
  certificateStatus,
  type EventFacts,
  inForce,
} from '../../certificates/certificates.rules.js';
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

interface Row extends OrgColumns {
  sessionId: string;
  startsAt: Date;
  certificateKind: string;
  itemCode: string;
  personId: string;
  personName: string;
  duty: 'invigilator' | 'examiner';
  /** Assignments with this duty at the session's site or the plan's exam authority on the day. */
  onDuty: { id: string; organizationName: string }[];
  /** The person's certificates of the plan's item, with their events (for examiners). */
  certificates: {
    id: string;
    number: string;
    kind: 'special_operation' | 'competency';
    issuedOn: string;
    validUntil: string;
    events: EventFacts[];
  }[];
}

/**
 * E03 考评员、监考员不具备资格 (seed 004: 考评员未取得相应类别的特种作业操作证; seed 001: 考务人员资格):
 * every invigilator and examiner assigned to a session —
 * - not_on_exam_staff: no invigilator / examiner duty at the session's exam site or the plan's exam
 *   authority on the day (trained and appointed by the exam authority — the same check the session
 *   planner refuses with);
 * - examiner_not_certified: an examiner of a special-operation exam without a certificate of the
 *   item in force on the day (certificates.rules certificateStatus, the certificate module's own).
 * Patrollers are recorded by name only (patrol events), so they cannot be judged (docs/detection.md).
 */
export default defineRule({
  id: 'E03',
  record: 'exam_session',
  policyKeys: [],
  triggers: ['exam_session', 'staff', 'certificate'],
  reach: 'organization',
  async load(ctx) {
    const r = await sql<Row>`
      with st as (
        select s.id as session_id, s.starts_at, (s.starts_at at time zone 'Asia/Shanghai')::date as day, s.site_id,
               pl.authority_id, pl.certificate_kind, pl.item_code, x.person_id, x.duty
        from exam_session s
        join exam_plan pl on pl.id = s.plan_id
        join organization site on site.id = s.site_id
        cross join lateral (
          select unnest(s.invigilator_ids) as person_id, 'invigilator' as duty
          union all select unnest(s.examiner_ids), 'examiner'
        ) x
        where ${inScope(ctx, 'site.region_code', 'site.id')}
      )
      select st.session_id, st.starts_at, st.certificate_kind, st.item_code, st.person_id, p.name as person_name, st.duty,
             ${orgColumns('site')},
             coalesce((select json_agg(json_build_object('id', a.id, 'organizationName', o.name) order by a.id)
                       from staff_assignment a join organization o on o.id = a.organization_id
                       where a.person_id = st.person_id and a.duty = st.duty and a.organization_id in (st.site_id, st.authority_id)
                         and a.start_date <= st.day and (a.end_date is null or a.end_date >= st.day)), '[]') as on_duty,
             case when st.duty = 'examiner' and st.certificate_kind = 'special_operation' then
               coalesce((select json_agg(json_build_object('id', c.id, 'number', c.number, 'kind', c.kind, 'issuedOn', c.issued_on,
                           'validUntil', c.valid_until,
                           'events', coalesce((select json_agg(json_build_object('kind', e.kind, 'occurredOn', e.occurred_on, 'extended', e.extended,
                                        'fraud', e.fraud, 'banUntil', e.ban_until, 'reason', e.reason) order by e.occurred_on, e.id)
                                      from certificate_event e where e.certificate_id = c.id), '[]')) order by c.issued_on, c.id)
                         from certificate c where c.person_id = st.person_id and c.operation_item_code = st.item_code
                           and c.kind = 'special_operation'), '[]')
             else '[]' end as certificates
      from st
      join organization site on site.id = st.site_id
      join person p on p.id = st.person_id`.execute(ctx.db);
    return r.rows;
  },
  judge(rows) {
    const out: Detected[] = [];
    for (const r of rows) {
      const day = beijingDay(r.startsAt);
      const role = r.duty === 'examiner' ? '考评员' : '监考员';
      const base = {
        rule: 'E03' as const,
        subject: {
          kind: 'exam_session' as const,
          id: r.sessionId,
          name: `${r.orgName} ${day} ${beijingHm(r.startsAt)}`,
        },
        organization: orgOf(r),
        date: day,
      };
      const who = [
        ev('exam_session', r.sessionId),
        ev('person', r.personId, `${role} ${r.personName}`),
      ];
      if (r.onDuty.length === 0)
        out.push({
          ...base,
          code: 'not_on_exam_staff',
          severity: 'warning',
          blocking: false,
          message: `${r.orgName} ${day} 考试场次的${role}${r.personName}不是本考点或考试机构在册的${role}`,
          evidence: who,
          source: `安监总培训〔2013〕104号：考务人员由考试机构培训、聘任；${SOURCES.seed001}`,
        });
      if (r.duty !== 'examiner' || r.certificateKind !== 'special_operation') continue;
      const live = r.certificates.find((c) => inForce(certificateStatus(c, c.events, day)));
      if (!live) {
        const item = findOperationItem(r.itemCode)?.name ?? r.itemCode;
        out.push({
          ...base,
          code: 'examiner_not_certified',
          severity: 'warning',
          blocking: false,
          message: `${r.orgName} ${day}「${item}」考试的考评员${r.personName}考试当日未持有该作业类别有效的特种作业操作证${r.certificates.length ? `（持有的 ${r.certificates.length} 张已失效）` : ''}`,
          evidence: [...who, ...r.certificates.map((c) => ev('certificate', c.id, c.number))],
          source: `${SOURCES.seed004}：考评员未取得相应类别的特种作业操作证`,
        });
      }
    }
    return out;
  },
});
