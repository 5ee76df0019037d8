import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { teacherQualification } from '../../training/classes.rules.js';
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
  lessonId: string;
  mode: 'theory' | 'practical' | 'online';
  topic: string;
  startsAt: Date;
  endsAt: Date;
  classId: string;
  classCode: string;
  regionCode: string;
  startDate: string;
  operationItemCode: string;
  plannedId: string;
  plannedName: string;
  teacherId: string;
  teacherName: string;
  /** The teacher's staff record at the class's institution on the lesson day (the longest practice). */
  staffId: string | null;
  practiceYears: number | null;
  operationItems: string[] | null;
}

/**
 * T09 授课教师与计划不符或不具备资格 (seed 004: 授课教师未取得相应授课特种作业类别工种的特种作业操作证；
 * 教师授课记录与考勤不符): every lesson, judged on the teacher who actually taught it (the teaching
 * log's taught_by, else the planned teacher):
 * - teacher_not_planned: someone other than the planned teacher taught;
 * - and the qualification checks the lesson planner refuses with (classes.rules.ts
 *   teacherQualification: on the institution's staff that day, practice years ≥ teacherPracticeYearsMin,
 *   a practical teacher registered for the class's item), by the policy in force for the class.
 */
export default defineRule({
  id: 'T09',
  record: 'lesson',
  policyKeys: ['teacherPracticeYearsMin', 'practicalTeacherNeedsItemCertificate'],
  triggers: ['lesson', 'staff'],
  reach: 'organization',
  async load(ctx) {
    const r = await sql<Row>`
      select l.id as lesson_id, l.mode, l.topic, l.starts_at, l.ends_at,
             c.id as class_id, c.code as class_code, c.region_code, c.start_date::text as start_date, c.operation_item_code,
             pl.id as planned_id, pl.name as planned_name, t.id as teacher_id, t.name as teacher_name,
             st.id as staff_id, st.practice_years, st.operation_items, ${orgColumns('o')}
      from lesson l
      join training_class c on c.id = l.class_id
      join organization o on o.id = c.organization_id
      join person pl on pl.id = l.teacher_id
      join person t on t.id = coalesce(l.taught_by_id, l.teacher_id)
      left join lateral (
        select s.id, s.practice_years, s.operation_items from staff_assignment s
        where s.person_id = t.id and s.organization_id = c.organization_id and s.duty in ('teacher', 'head_teacher')
          and s.start_date <= (l.starts_at at time zone 'Asia/Shanghai')::date
          and (s.end_date is null or s.end_date >= (l.starts_at at time zone 'Asia/Shanghai')::date)
        order by s.practice_years desc nulls last, s.id limit 1
      ) st on true
      where ${inScope(ctx, 'o.region_code', 'o.id')}`.execute(ctx.db);
    return r.rows;
  },
  judge(rows, env) {
    const out: Detected[] = [];
    for (const r of rows) {
      const policy = env.policy(r.regionCode, r.startDate);
      const day = beijingDay(r.startsAt);
      const label = `${r.classCode} ${day} ${beijingHm(r.startsAt)}–${beijingHm(r.endsAt)} ${r.topic}`;
      const base = {
        rule: 'T09' as const,
        subject: { kind: 'lesson' as const, id: r.lessonId, name: label },
        organization: orgOf(r),
        date: day,
      };
      const lessonEv = ev('lesson', r.lessonId, label);
      const staffEv = r.staffId ? [ev('staff_assignment', r.staffId, r.teacherName)] : [];
      if (r.teacherId !== r.plannedId)
        out.push({
          ...base,
          code: 'teacher_not_planned',
          severity: 'warning',
          blocking: false,
          message: `${r.orgName} 培训班 ${r.classCode}：${day} ${beijingHm(r.startsAt)} 「${r.topic}」计划由${r.plannedName}授课，实际授课教师为${r.teacherName}`,
          evidence: [
            lessonEv,
            ev('person', r.plannedId, `计划教师 ${r.plannedName}`),
            ev('person', r.teacherId, `实际授课 ${r.teacherName}`),
          ],
          source: `${SOURCES.seed004}：授课教师与教学计划、考勤不符；AQ 8011-2023 授课教师为本机构登记教师`,
        });
      for (const f of teacherQualification(
        {
          teacher: {
            id: r.teacherId,
            name: r.teacherName,
            onStaff: r.staffId !== null,
            practiceYears: r.practiceYears,
            operationItems: r.operationItems ?? [],
          },
          lesson: {
            id: r.lessonId,
            startsAt: new Date(r.startsAt),
            endsAt: new Date(r.endsAt),
            classCode: r.classCode,
            topic: r.topic,
            mode: r.mode,
          },
          operationItemCode: r.operationItemCode,
        },
        policy,
      ))
        out.push({
          ...base,
          ...f,
          rule: 'T09',
          // History is judged, not refused: the planner's "blocking" becomes severity here.
          blocking: false,
          subject: base.subject,
          message: `${r.orgName} 培训班 ${r.classCode} ${day}「${r.topic}」：${f.message}`,
          evidence: [...f.evidence, ...staffEv],
        });
    }
    return out;
  },
});
