import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { findOperationItem } from '../../../catalog/operations.js';
import { practicalStandard } from '../../../catalog/practical.js';
import type { Detected } from '../rule.js';
import { defineRule } from '../rule.js';
import { beijingDay, ev, inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

interface SittingRow extends OrgColumns {
  registrationId: string;
  personName: string;
  sessionId: string;
  startsAt: Date;
  itemCode: string;
  result: string | null;
  practicalScore: string | null;
  scored: { id: string; subject: string; task: string }[];
}

interface SiteRow extends OrgColumns {
  facilities: { practicalTasks?: { operationItemCode: string; taskCodes: string[] }[] } | null;
}

/**
 * E05 实操考试缺少规定项目 (seed 004: 删减实操考试项目，如高处作业删减平台搭设与拆除、单人吊具清洗、
 * 创伤包扎), against the item's practical standard (catalog/practical.ts, 安监总厅培训〔2014〕139号):
 * - practical_subject_missing: a special-operation sitting with a practical score or a pass whose
 *   scored subjects do not cover every subject (K1–K4) of the standard;
 * - site_tasks_missing: an exam site whose declared practical task list for an item leaves out a
 *   task of the standard (only items whose standard text is confirmed; the generic ones are not
 *   a measure).
 */
export default defineRule({
  id: 'E05',
  record: 'exam_registration',
  policyKeys: [],
  triggers: ['exam_score', 'exam_results', 'organization'],
  reach: 'organization',
  async load(ctx) {
    const sittings = await sql<SittingRow>`
      select r.id as registration_id, p.name as person_name, s.id as session_id, s.starts_at, pl.item_code, r.result,
             r.practical_score::text as practical_score, ${orgColumns('site')},
             coalesce((select json_agg(json_build_object('id', ps.id, 'subject', ps.subject_code, 'task', ps.task_code) order by ps.subject_code, ps.id)
                       from practical_score ps where ps.registration_id = r.id and ps.points is not null), '[]') as scored
      from exam_registration r
      join exam_plan pl on pl.id = r.plan_id
      join exam_session s on s.id = r.session_id
      join organization site on site.id = s.site_id
      join person p on p.id = r.person_id
      where pl.certificate_kind = 'special_operation' and r.status <> 'withdrawn'
        and (r.practical_score is not null or r.result = 'pass'
             or exists (select 1 from practical_score ps where ps.registration_id = r.id and ps.points is not null))
        and ${inScope(ctx, 'site.region_code', 'site.id')}`.execute(ctx.db);
    const sites = await sql<SiteRow>`
      select ${orgColumns('site')}, site.facilities
      from organization site
      where site.kind = 'exam_site' and site.facilities ? 'practicalTasks'
        and ${inScope(ctx, 'site.region_code', 'site.id')}`.execute(ctx.db);
    return { sittings: sittings.rows, sites: sites.rows, today: beijingDay(ctx.now) };
  },
  judge({ sittings, sites, today }) {
    const out: Detected[] = [];
    const itemName = (code: string) => findOperationItem(code)?.name ?? code;
    for (const r of sittings) {
      const standard = practicalStandard(r.itemCode);
      if (!standard) continue;
      const scored = new Set(r.scored.map((x) => x.subject));
      const missing = standard.subjects.filter((s) => !scored.has(s.code));
      if (missing.length === 0) continue;
      const day = beijingDay(r.startsAt);
      out.push({
        rule: 'E05',
        code: 'practical_subject_missing',
        severity: 'serious',
        blocking: false,
        subject: { kind: 'exam_registration', id: r.registrationId, name: r.personName },
        message: `${r.orgName} ${day}「${itemName(r.itemCode)}」实操考试：考生${r.personName}${r.result === 'pass' ? '已判合格' : '已有实操成绩'}，但未考 ${missing.map((s) => `${s.code} ${s.name}`).join('、')}`,
        evidence: [
          ev('exam_registration', r.registrationId, r.personName),
          ev('exam_session', r.sessionId),
          ...r.scored.map((x) => ev('practical_score', x.id, `${x.subject} ${x.task}`)),
        ],
        source: `${standard.source}；${SOURCES.seed004}：删减实操考试项目`,
        figure: {
          key: 'practicalSubjects',
          expected: standard.subjects.map((s) => s.code),
          actual: [...scored].sort(),
        },
        organization: orgOf(r),
        date: day,
      });
    }
    for (const s of sites) {
      for (const list of s.facilities?.practicalTasks ?? []) {
        const standard = practicalStandard(list.operationItemCode);
        if (standard?.status !== 'confirmed') continue;
        const offered = new Set(list.taskCodes);
        const missing = standard.subjects
          .flatMap((x) => x.tasks)
          .filter((t) => !offered.has(t.code));
        if (missing.length === 0) continue;
        out.push({
          rule: 'E05',
          code: 'site_tasks_missing',
          severity: 'serious',
          blocking: false,
          subject: { kind: 'organization', id: s.orgId, name: s.orgName },
          message: `考试点「${s.orgName}」「${itemName(list.operationItemCode)}」实操考试项目缺 ${missing.map((t) => `${t.code} ${t.name}`).join('、')}`,
          evidence: [ev('organization', s.orgId, s.orgName)],
          source: `${standard.source}；${SOURCES.seed004}：删减实操考试项目`,
          figure: {
            key: 'practicalTasks',
            expected: standard.subjects.flatMap((x) => x.tasks.map((t) => t.code)),
            actual: list.taskCodes,
          },
          organization: orgOf(s),
          date: today,
        });
      }
    }
    return out;
  },
});
