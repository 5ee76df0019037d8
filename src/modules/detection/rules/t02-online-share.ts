import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { policyLabels } from '../../../catalog/labels.js';
import type { Detected } from '../rule.js';
import { defineRule } from '../rule.js';
import { ev, inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

interface Row extends OrgColumns {
  classId: string;
  classCode: string;
  regionCode: string;
  startDate: string;
  syllabusTheoryHours: number;
  /** The class's online courses that state the 学时 they claim. */
  courses: { id: string; title: string; claimedHours: number }[];
  /** Its online lessons as planned. */
  lessons: { id: string; topic: string; minutes: number }[];
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * T02 线上学时超过理论学时上限 (seed 004: 线上培训学时超出规定的理论总学时的40%): per class, the online
 * 学时 it offers against onlineTheoryShareMax × the syllabus theory hours of the policy in force for
 * its region on its start date (national 70%, Shandong 40%):
 * - online_courses_over_cap: the 学时 its online courses claim, summed;
 * - online_lessons_over_cap: its planned online lessons, at onlineMinutesPerHour per 学时 — the same
 *   arithmetic as the planning warning (classes.rules.ts lessonRules.onlineShare).
 * Over the cap means strictly above it: 1.6 学时 of 4 at 40% is exactly the cap and passes.
 */
export default defineRule({
  id: 'T02',
  record: 'class',
  policyKeys: ['onlineTheoryShareMax', 'onlineMinutesPerHour'],
  triggers: ['online', 'lesson', 'class'],
  reach: 'organization',
  async load(ctx) {
    const r = await sql<Row>`
      select c.id as class_id, c.code as class_code, c.region_code, c.start_date::text as start_date,
             c.syllabus_theory_hours::float8 as syllabus_theory_hours, ${orgColumns('o')},
             coalesce((select json_agg(json_build_object('id', oc.id, 'title', oc.title, 'claimedHours', oc.claimed_hours::float8) order by oc.title, oc.id)
                       from online_course oc where oc.class_id = c.id and oc.claimed_hours is not null), '[]') as courses,
             coalesce((select json_agg(json_build_object('id', l.id, 'topic', l.topic,
                         'minutes', extract(epoch from l.ends_at - l.starts_at)::float8 / 60) order by l.starts_at, l.id)
                       from lesson l where l.class_id = c.id and l.mode = 'online'), '[]') as lessons
      from training_class c
      join organization o on o.id = c.organization_id
      where ${inScope(ctx, 'o.region_code', 'o.id')}
        and (exists (select 1 from online_course oc where oc.class_id = c.id and oc.claimed_hours is not null)
             or exists (select 1 from lesson l where l.class_id = c.id and l.mode = 'online'))`.execute(
      ctx.db,
    );
    return r.rows;
  },
  judge(rows, env) {
    const out: Detected[] = [];
    for (const r of rows) {
      const p = env.policy(r.regionCode, r.startDate);
      const cap = p.onlineTheoryShareMax * r.syllabusTheoryHours;
      const base = {
        rule: 'T02' as const,
        severity: 'warning' as const,
        blocking: false,
        subject: { kind: 'class' as const, id: r.classId, name: r.classCode },
        source: `政策参数「${policyLabels.onlineTheoryShareMax.zh}」（AQ 8011-2023 线上不超过理论学时70%；${SOURCES.seed004} 40%：线上培训学时超出规定的理论总学时的40%）`,
        organization: orgOf(r),
        date: r.startDate,
      };
      const share = `${Math.round(p.onlineTheoryShareMax * 100)}%`;
      const claimed = r.courses.reduce((n, c) => n + c.claimedHours, 0);
      if (claimed > cap + 1e-9)
        out.push({
          ...base,
          code: 'online_courses_over_cap',
          message: `${r.orgName} 培训班 ${r.classCode}：线上课程共称 ${r2(claimed)} 学时，超过理论学时 ${r.syllabusTheoryHours} 的 ${share}（${r2(cap)} 学时）`,
          evidence: [
            ev('training_class', r.classId, r.classCode),
            ...r.courses.map((c) => ev('online_course', c.id, `${c.title} ${c.claimedHours} 学时`)),
          ],
          figure: { key: 'onlineTheoryShareMax', expected: r2(cap), actual: r2(claimed) },
        });
      const planned = r.lessons.reduce((n, l) => n + l.minutes, 0) / p.onlineMinutesPerHour;
      if (planned > cap + 1e-9)
        out.push({
          ...base,
          code: 'online_lessons_over_cap',
          message: `${r.orgName} 培训班 ${r.classCode}：计划线上课程 ${r2(planned)} 学时（每学时 ${p.onlineMinutesPerHour} 分钟），超过理论学时 ${r.syllabusTheoryHours} 的 ${share}（${r2(cap)} 学时）`,
          evidence: [
            ev('training_class', r.classId, r.classCode),
            ...r.lessons.map((l) => ev('lesson', l.id, l.topic)),
          ],
          figure: { key: 'onlineTheoryShareMax', expected: r2(cap), actual: r2(planned) },
        });
    }
    return out;
  },
});
