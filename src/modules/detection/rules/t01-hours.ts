import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { findOperationItem } from '../../../catalog/operations.js';
import { ledgerOfClasses } from '../../training/classes.service.js';
import { defineRule } from '../rule.js';
import { beijingDay, ev, inScope } from './shared.js';

interface RegRow {
  registrationId: string;
  personId: string;
  personName: string;
  itemCode: string;
  sessionId: string;
  startsAt: Date;
  siteId: string;
  siteName: string;
  siteKind: string;
  siteRegion: string;
  byOrgId: string | null;
  byOrgKind: string | null;
  byOrgName: string | null;
  byOrgRegion: string | null;
  classes: {
    id: string;
    code: string;
    name: string;
    endDate: string;
    orgId: string;
    orgKind: string;
    orgName: string;
    orgRegion: string;
  }[];
}

type Ledger = Awaited<ReturnType<typeof ledgerOfClasses>>[number];

const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * T01 学时不足即参加考试 (seed 000: 培训学时"缩水"; seed 001: 压缩培训学时; seed 004: 培训学时不满足大纲要求，仍然按照符合课时要求报名考试，培训学时造假):
 * every exam registration that was not withdrawn, against the hours ledger as the records prove it
 * now (training/ledger.ts through classes.service ledgerOfClasses — the same numbers the class page
 * and exam eligibility read): when none of the candidate's classes of the exam's item that ended by
 * the exam day meets the syllabus, the alert is raised against the institution of the latest such
 * class (hours_short) — or, with no class at all, against whoever registered the candidate, else the
 * exam site that let them sit (no_training_record). The eligibility frozen at registration is not
 * trusted: it is what the source system claimed.
 */
export default defineRule({
  id: 'T01',
  record: 'exam_registration',
  policyKeys: [
    'offlineMinutesPerHour',
    'onlineMinutesPerHour',
    'onlineTheoryShareMax',
    'uncoveredTimeCounts',
  ],
  triggers: [
    'attendance',
    'makeup',
    'recording',
    'online',
    'lesson',
    'roster',
    'exam_registration',
  ],
  reach: 'region',
  async load(ctx) {
    const regs = await sql<RegRow>`
      with regs as (
        select r.id as registration_id, r.person_id, p.name as person_name, pl.item_code, s.id as session_id, s.starts_at,
               site.id as site_id, site.name as site_name, site.kind as site_kind, site.region_code as site_region,
               bo.id as by_org_id, bo.kind as by_org_kind, bo.name as by_org_name, bo.region_code as by_org_region
        from exam_registration r
        join exam_plan pl on pl.id = r.plan_id
        join exam_session s on s.id = r.session_id
        join organization site on site.id = s.site_id
        join person p on p.id = r.person_id
        left join organization bo on bo.id = r.registered_by_organization_id
        where r.status <> 'withdrawn' and coalesce(r.result, '') <> 'absent'
      )
      select regs.*,
             coalesce((select json_agg(json_build_object('id', c.id, 'code', c.code, 'name', c.name, 'endDate', c.end_date,
                        'orgId', o.id, 'orgKind', o.kind, 'orgName', o.name, 'orgRegion', o.region_code) order by c.end_date desc, c.id)
                       from class_trainee ct join training_class c on c.id = ct.class_id join organization o on o.id = c.organization_id
                       where ct.person_id = regs.person_id and c.operation_item_code = regs.item_code
                         and c.end_date <= (regs.starts_at at time zone 'Asia/Shanghai')::date), '[]') as classes
      from regs
      where (
        exists (select 1 from class_trainee ct join training_class c on c.id = ct.class_id join organization o on o.id = c.organization_id
                where ct.person_id = regs.person_id and c.operation_item_code = regs.item_code and ${inScope(ctx, 'o.region_code', 'o.id')})
        or (coalesce(regs.by_org_region, regs.site_region) like ${`${ctx.regionPrefix}%`}
            and (${ctx.organizationIds}::uuid[] is null or coalesce(regs.by_org_id, regs.site_id) = any(${ctx.organizationIds}::uuid[])))
      )`.execute(ctx.db);
    const classIds = [...new Set(regs.rows.flatMap((r) => r.classes.map((c) => c.id)))];
    const ledger = await ledgerOfClasses(ctx.db, classIds);
    return { regs: regs.rows, ledger };
  },
  judge({ regs, ledger }) {
    const line = new Map<string, Ledger>(ledger.map((l) => [`${l.classId}|${l.personId}`, l]));
    return regs.flatMap((r) => {
      const day = beijingDay(r.startsAt);
      const item = findOperationItem(r.itemCode)?.name ?? r.itemCode;
      const lines = r.classes.map((c) => ({ c, l: line.get(`${c.id}|${r.personId}`) }));
      if (lines.some(({ l }) => l?.theoryMet && l.practicalMet)) return [];
      const regEv = ev('exam_registration', r.registrationId, `${r.personName} ${day} ${item}考试`);
      const sessionEv = ev('exam_session', r.sessionId, `${r.siteName} ${day}`);
      const personEv = ev('person', r.personId, r.personName);
      const latest = lines[0];
      if (!latest) {
        const org =
          r.byOrgId && r.byOrgKind && r.byOrgName && r.byOrgRegion
            ? { id: r.byOrgId, kind: r.byOrgKind, name: r.byOrgName, regionCode: r.byOrgRegion }
            : { id: r.siteId, kind: r.siteKind, name: r.siteName, regionCode: r.siteRegion };
        return [
          {
            rule: 'T01' as const,
            code: 'no_training_record',
            severity: 'serious' as const,
            blocking: false,
            subject: {
              kind: 'exam_registration' as const,
              id: r.registrationId,
              name: r.personName,
            },
            message: `${org.name}：学员${r.personName} 没有考试日前结业的「${item}」培训记录，即于 ${day} 在${r.siteName}参加考试`,
            evidence: [regEv, personEv, sessionEv],
            source: `《特种作业人员安全技术培训考核管理规定》：参加考试前须经专门的安全技术培训并达到大纲学时；${SOURCES.seed004}`,
            organization: org,
            date: day,
          },
        ];
      }
      const l = latest.l;
      const theory = l ? r2(l.theoryHours + l.onlineHoursCounted) : 0;
      const practical = l ? r2(l.practicalHours) : 0;
      const needT = l?.syllabusTheoryHours ?? 0;
      const needP = l?.syllabusPracticalHours ?? 0;
      return [
        {
          rule: 'T01' as const,
          code: 'hours_short',
          severity: 'serious' as const,
          blocking: false,
          subject: { kind: 'exam_registration' as const, id: r.registrationId, name: r.personName },
          message: `${latest.c.orgName} 培训班 ${latest.c.code}：学员${r.personName} 实际有效学时 ${r2(theory + practical)}/${r2(needT + needP)}（理论 ${theory}/${needT}，实操 ${practical}/${needP}）即于 ${day} 参加「${item}」考试`,
          evidence: [
            regEv,
            personEv,
            ...lines.map(({ c }) => ev('training_class', c.id, c.code)),
            sessionEv,
          ],
          source: `《特种作业人员安全技术培训考核管理规定》；AQ 8011-2023；${SOURCES.seed004}：培训学时不满足大纲要求，仍然按照符合课时要求报名考试`,
          figure: {
            key: 'syllabusHours',
            expected: { theory: needT, practical: needP },
            actual: { theory, practical },
          },
          organization: {
            id: latest.c.orgId,
            kind: latest.c.orgKind,
            name: latest.c.orgName,
            regionCode: latest.c.orgRegion,
          },
          date: day,
        },
      ];
    });
  },
});
