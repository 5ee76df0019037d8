import { sql } from 'kysely';
import { beijingDay } from '../../../catalog/calendar.js';
import { type DetectionRuleId, detectionRules } from '../../../catalog/findings.js';
import type { Obligation, ObligationCode } from '../../enterprises/enterprises.contract.js';
import { computeObligations, type EnterpriseFacts } from '../../enterprises/obligations.rules.js';
import { type Detected, type DetectionRule, defineRule, type RuleContext } from '../rule.js';
import { ev, inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

/**
 * The enterprise rules C01–C06 judge the same obligations the enterprise's own board shows
 * (enterprises/obligations.rules.ts computeObligations): one set-based read of every enterprise in
 * scope with its ledger, its people's certificates, the latest check of each declared number and its
 * internal training, shared by the six rules of one run; each rule raises the overdue obligations of
 * its codes. Only enterprises that keep their ledger on the platform (an imported ledger, a plan or
 * training records) are judged: for the others the platform holds no training records at all, and
 * their absence proves nothing — the choice is in the final report of issue 14.
 */
interface Row extends OrgColumns {
  industry: string | null;
  highRisk: boolean;
  scale: string | null;
  employeeCount: number | null;
  employments: EnterpriseFacts['employments'];
  certificates: EnterpriseFacts['certificates'];
  checks: EnterpriseFacts['checks'];
  training: EnterpriseFacts['training'];
  plans: EnterpriseFacts['plans'];
  /** Training sessions of the last 12 months whose records lack an assessment result (C06). */
  unassessed: { id: string; title: string; date: string; missing: number }[];
}
export interface EnterpriseRun {
  today: string;
  rows: Row[];
}

const runs = new WeakMap<RuleContext, Promise<EnterpriseRun>>();

export function loadEnterprises(ctx: RuleContext): Promise<EnterpriseRun> {
  let run = runs.get(ctx);
  if (!run) {
    run = read(ctx);
    runs.set(ctx, run);
  }
  return run;
}

async function read(ctx: RuleContext): Promise<EnterpriseRun> {
  const today = beijingDay(ctx.now);
  const r = await sql<Row>`
    select ${orgColumns('o')}, o.industry, o.high_risk as "highRisk", o.scale, o.employee_count as "employeeCount",
      coalesce((select json_agg(json_build_object('id', e.id, 'personId', e.person_id, 'personName', p.name, 'post', e.post,
                 'operationItemCode', e.operation_item_code, 'startDate', e.start_date, 'endDate', e.end_date) order by e.start_date, e.id)
                from employment e join person p on p.id = e.person_id where e.organization_id = o.id), '[]') as employments,
      coalesce((select json_agg(json_build_object('id', c.id, 'number', c.number, 'personId', c.person_id, 'kind', c.kind,
                 'operationItemCode', c.operation_item_code, 'issuedOn', c.issued_on, 'validUntil', c.valid_until,
                 'events', coalesce((select json_agg(json_build_object('kind', x.kind, 'occurredOn', x.occurred_on, 'extended', x.extended,
                                     'fraud', x.fraud, 'banUntil', x.ban_until, 'reason', x.reason) order by x.occurred_on, x.created_at)
                                    from certificate_event x where x.certificate_id = c.id), '[]')) order by c.issued_on, c.id)
                from certificate c where c.person_id in (select e.person_id from employment e where e.organization_id = o.id)), '[]') as certificates,
      coalesce((select json_agg(json_build_object('id', k.id, 'employmentId', k.employment_id, 'declaredNumber', k.declared_number,
                 'checkedOn', k.checked_on, 'outcome', k.outcome, 'flag', k.flag))
                from (select distinct on (employment_id) * from certificate_check where organization_id = o.id
                      order by employment_id, created_at desc) k), '[]') as checks,
      coalesce((select json_agg(json_build_object('id', tr.id, 'personId', tr.person_id, 'kind', s.kind,
                 'date', to_char(s.starts_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), 'hours', tr.hours::float8, 'assessment', tr.assessment))
                from enterprise_training_record tr join enterprise_training_session s on s.id = tr.session_id
                where tr.organization_id = o.id), '[]') as training,
      coalesce((select json_agg(json_build_object('id', pl.id, 'year', pl.year)) from enterprise_training_plan pl
                where pl.organization_id = o.id), '[]') as plans,
      coalesce((select json_agg(json_build_object('id', s.id, 'title', s.title,
                 'date', to_char(s.starts_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), 'missing', m.n) order by s.starts_at, s.id)
                from enterprise_training_session s
                join lateral (select count(*)::int as n from enterprise_training_record tr
                              where tr.session_id = s.id and tr.assessment is null) m on m.n > 0
                where s.organization_id = o.id and s.starts_at >= ${today}::date - interval '12 months'), '[]') as unassessed
    from organization o
    where o.kind = 'enterprise' and o.status = 'active' and ${inScope(ctx, 'o.region_code', 'o.id')}
      and (exists (select 1 from employment_detail d where d.organization_id = o.id)
           or exists (select 1 from enterprise_training_plan pl where pl.organization_id = o.id)
           or exists (select 1 from enterprise_training_record tr where tr.organization_id = o.id))
    order by o.id`.execute(ctx.db);
  return { today, rows: r.rows };
}

export function factsOf(o: Row): EnterpriseFacts {
  return {
    organization: {
      id: o.orgId,
      name: o.orgName,
      industry: o.industry,
      highRisk: o.highRisk,
      scale: o.scale,
      employeeCount: o.employeeCount,
    },
    employments: o.employments,
    certificates: o.certificates,
    checks: o.checks,
    training: o.training,
    plans: o.plans,
  };
}

function finding(id: DetectionRuleId, o: Row, ob: Obligation, today: string): Detected {
  const person = ob.employmentId !== null;
  return {
    rule: id,
    code: ob.code,
    severity: detectionRules[id].severity,
    blocking: false,
    subject: person
      ? { kind: 'employment', id: ob.employmentId!, name: `${o.orgName} ${ob.personName}` }
      : { kind: 'organization', id: o.orgId, name: o.orgName },
    message: `${o.orgName}：${ob.personName ? `${ob.personName} ` : ''}${ob.detail}`,
    evidence: [
      ev('organization', o.orgId, o.orgName),
      ...ob.evidence.filter((e) => e.kind !== 'organization').map((e) => ev(e.kind, e.id, e.label)),
    ],
    source: ob.rule,
    ...(ob.required !== null
      ? { figure: { key: ob.code, expected: ob.required, actual: ob.actual } }
      : {}),
    organization: orgOf(o),
    date: ob.dueDate ?? today,
  };
}

/** A rule raising the overdue obligations of `codes` (and, for C06, `extra`). */
export function obligationRule(
  id: DetectionRuleId,
  codes: readonly ObligationCode[],
  extra?: (o: Row, today: string) => Detected[],
): DetectionRule<EnterpriseRun> {
  return defineRule({
    id,
    record: 'employment',
    policyKeys: [],
    triggers: ['enterprise', 'certificate', 'organization'],
    reach: 'organization',
    async evaluable(ctx) {
      const { rows } = await loadEnterprises(ctx);
      return rows.length > 0 ? null : '辖区内没有在平台上建立台账或培训记录的企业';
    },
    load: loadEnterprises,
    judge({ today, rows }) {
      return rows.flatMap((o) => [
        ...computeObligations(factsOf(o), today)
          .filter((ob) => ob.state === 'overdue' && codes.includes(ob.code))
          .map((ob) => finding(id, o, ob, today)),
        ...(extra ? extra(o, today) : []),
      ]);
    },
  });
}
