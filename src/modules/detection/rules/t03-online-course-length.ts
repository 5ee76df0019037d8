import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { policyLabels } from '../../../catalog/labels.js';
import { defineRule } from '../rule.js';
import { ev, inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

interface Row extends OrgColumns {
  courseId: string;
  title: string;
  durationSeconds: number;
  claimedHours: number;
  classId: string;
  classCode: string;
  regionCode: string;
  startDate: string;
}

/**
 * T03 线上课程每学时实际时长不足 (seed 004: 单课程实际培训时长不足45分钟): every online course that states
 * the 学时 it claims, against its real media length: it needs onlineMinutesPerHour minutes per claimed
 * 学时 (Shandong 45, national 30), by the policy in force for the class's region on its start date.
 * Exact: a 1-学时 course of 44 min 59 s fires in Shandong, one of 45 min does not. A course that
 * does not state its 学时 cannot be judged (no claim); the rule says so when no course in scope does.
 */
export default defineRule({
  id: 'T03',
  record: 'class',
  policyKeys: ['onlineMinutesPerHour'],
  triggers: ['online', 'class'],
  reach: 'organization',
  async evaluable(ctx) {
    const r = await sql<{ stated: number; unstated: number }>`
      select count(*) filter (where oc.claimed_hours is not null)::int as stated,
             count(*) filter (where oc.claimed_hours is null)::int as unstated
      from online_course oc join organization o on o.id = oc.organization_id
      where ${inScope(ctx, 'o.region_code', 'o.id')}`.execute(ctx.db);
    const { stated, unstated } = r.rows[0];
    return stated === 0 && unstated > 0
      ? `不可评估：${unstated} 门线上课程均未登记所称学时，无从比对实际时长`
      : null;
  },
  async load(ctx) {
    const r = await sql<Row>`
      select oc.id as course_id, oc.title, oc.duration_seconds, oc.claimed_hours::float8 as claimed_hours,
             c.id as class_id, c.code as class_code, c.region_code, c.start_date::text as start_date, ${orgColumns('o')}
      from online_course oc
      join training_class c on c.id = oc.class_id
      join organization o on o.id = c.organization_id
      where oc.claimed_hours is not null and ${inScope(ctx, 'o.region_code', 'o.id')}`.execute(
      ctx.db,
    );
    return r.rows;
  },
  judge(rows, env) {
    return rows.flatMap((r) => {
      const p = env.policy(r.regionCode, r.startDate);
      const needSeconds = r.claimedHours * p.onlineMinutesPerHour * 60;
      if (r.durationSeconds >= needSeconds - 1e-6) return [];
      const perHour = Math.floor((r.durationSeconds / 60 / r.claimedHours) * 100) / 100;
      return [
        {
          rule: 'T03' as const,
          code: 'online_course_too_short',
          severity: 'warning' as const,
          blocking: false,
          subject: { kind: 'class' as const, id: r.classId, name: r.classCode },
          message: `${r.orgName} 培训班 ${r.classCode}：线上课程《${r.title}》称 ${r.claimedHours} 学时，实际时长 ${Math.floor(r.durationSeconds / 60)} 分 ${r.durationSeconds % 60} 秒，每学时仅 ${perHour} 分钟（要求不少于 ${p.onlineMinutesPerHour} 分钟）`,
          evidence: [
            ev('training_class', r.classId, r.classCode),
            ev('online_course', r.courseId, r.title),
          ],
          source: `政策参数「${policyLabels.onlineMinutesPerHour.zh}」（${SOURCES.seed004}：单课程实际培训时长不足45分钟）`,
          figure: {
            key: 'onlineMinutesPerHour',
            expected: p.onlineMinutesPerHour,
            actual: perHour,
          },
          organization: orgOf(r),
          date: r.startDate,
        },
      ];
    });
  },
});
