import { sql } from 'kysely';
import { practicalDailyCap } from '../../training/classes.rules.js';
import { defineRule } from '../rule.js';
import { inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

interface Row extends OrgColumns {
  classId: string;
  classCode: string;
  className: string;
  regionCode: string;
  startDate: string;
  day: string;
  minutes: number;
  lessons: { id: string; startsAt: string; endsAt: string; topic: string }[];
}

/**
 * T04 实操培训单日超过学时上限 (seed 004: 个别培训班级实操培训学时每天超过8学时): per class and Beijing day,
 * the practical lessons of the plan, judged by the same function that refuses such a lesson when
 * it is planned (classes.rules.ts practicalDailyCap) with the policy in force for the class's region
 * on its start date.
 */
export default defineRule({
  id: 'T04',
  record: 'class',
  policyKeys: ['practicalHoursPerDayMax', 'offlineMinutesPerHour'],
  triggers: ['lesson', 'class'],
  reach: 'organization',
  async load(ctx) {
    const r = await sql<Row>`
      select c.id as class_id, c.code as class_code, c.name as class_name, c.region_code, c.start_date,
             ${orgColumns('o')},
             (l.starts_at at time zone 'Asia/Shanghai')::date::text as day,
             sum(extract(epoch from l.ends_at - l.starts_at))::float8 / 60 as minutes,
             json_agg(json_build_object('id', l.id, 'startsAt', l.starts_at, 'endsAt', l.ends_at, 'topic', l.topic) order by l.starts_at, l.id) as lessons
      from lesson l
      join training_class c on c.id = l.class_id
      join organization o on o.id = c.organization_id
      where l.mode = 'practical' and ${inScope(ctx, 'o.region_code', 'o.id')}
      group by c.id, o.id, day`.execute(ctx.db);
    return r.rows;
  },
  judge(rows, env) {
    return rows.flatMap((r) => {
      const f = practicalDailyCap(
        {
          cls: { id: r.classId, code: r.classCode },
          day: r.day,
          practicalMinutes: r.minutes,
          lessons: r.lessons.map((l) => ({
            id: l.id,
            startsAt: new Date(l.startsAt),
            endsAt: new Date(l.endsAt),
            classCode: r.classCode,
            topic: l.topic,
          })),
        },
        env.policy(r.regionCode, r.startDate),
      );
      if (!f) return [];
      return [
        {
          ...f,
          rule: 'T04' as const,
          subject: { kind: 'class' as const, id: r.classId, name: `${r.classCode} ${r.className}` },
          message: `${r.orgName} 培训班 ${r.classCode}：${f.message}`,
          evidence: [{ kind: 'training_class', id: r.classId, label: r.classCode }, ...f.evidence],
          organization: orgOf(r),
          date: r.day,
        },
      ];
    });
  },
});
