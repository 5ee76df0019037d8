import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';

/**
 * Evidence of an alert resolved to readable records (GET /api/alerts/:id): for each kind present,
 * one query over the ids of that kind, giving a title, labelled details and the screen that shows the
 * record. Times are Beijing time; ID numbers masked (PIPL).
 */

interface Resolved {
  title: string;
  details: { label: string; value: string }[];
  link: string | null;
}

const T = `'YYYY-MM-DD HH24:MI'`;
const bj = (col: string) => `to_char(${col} at time zone 'Asia/Shanghai', ${T})`;
const hm = (col: string) => `to_char(${col} at time zone 'Asia/Shanghai', 'HH24:MI')`;

/** One SQL per kind: selects id, title, details (json array of {label,value}), link. */
const resolvers: Record<string, string> = {
  organization: `select o.id::text, o.name as title, json_build_array(
      json_build_object('label','统一社会信用代码','value',o.credit_code),
      json_build_object('label','地区','value',coalesce((select name from region where code = o.region_code), o.region_code)),
      json_build_object('label','状态','value',o.status)) as details,
      '/organizations/' || o.id as link
    from organization o where o.id::text = any($1)`,
  person: `select p.id::text, p.name as title, json_build_array(
      json_build_object('label','身份证号','value',substr(p.id_number,1,4) || '**********' || substr(p.id_number,15,4))) as details,
      '/persons/' || p.id as link
    from person p where p.id::text = any($1)`,
  training_class: `select c.id::text, c.code || ' ' || c.name as title, json_build_array(
      json_build_object('label','培训机构','value',o.name),
      json_build_object('label','培训期间','value',c.start_date || ' 至 ' || c.end_date),
      json_build_object('label','大纲学时','value','理论 ' || c.syllabus_theory_hours || '，实操 ' || c.syllabus_practical_hours),
      json_build_object('label','状态','value',case c.status when 'closed' then '已结业封档' else '培训中' end)) as details,
      '/classes/' || c.id as link
    from training_class c join organization o on o.id = c.organization_id where c.id::text = any($1)`,
  lesson: `select l.id::text, c.code || ' ' || ${bj('l.starts_at')} || '–' || ${hm('l.ends_at')} || ' ' || l.topic as title, json_build_array(
      json_build_object('label','方式','value',case l.mode when 'theory' then '理论' when 'practical' then '实操' else '线上' end),
      json_build_object('label','授课教师','value',t.name),
      json_build_object('label','教室','value',coalesce(r.name,'—'))) as details,
      '/classes/' || c.id || '?lesson=' || l.id as link
    from lesson l join training_class c on c.id = l.class_id join person t on t.id = l.teacher_id left join room r on r.id = l.room_id
    where l.id::text = any($1)`,
  attendance_event: `select e.id::text, p.name || ' ' || ${bj('e.occurred_at')} || ' ' || case e.event_type when 'check_in' then '签到' when 'check_out' then '签退' else '抽查' end as title,
      json_build_array(
        json_build_object('label','考勤终端','value',d.name || '（' || d.serial || '）'),
        json_build_object('label','教室','value',r.name),
        json_build_object('label','人脸比对分','value',coalesce(e.match_score::text,'—')),
        json_build_object('label','活体检测','value',coalesce(e.liveness::text,'—')),
        json_build_object('label','终端事件号','value',e.device_event_id)) as details,
      '/persons/' || p.id as link
    from attendance_event e join person p on p.id = e.person_id join device d on d.id = e.device_id join room r on r.id = e.room_id
    where e.id::text = any($1)`,
  attendance_makeup: `select m.id::text, '补录 ' || p.name || ' ' || ${bj('m.starts_at')} || '–' || ${hm('m.ends_at')} as title,
      json_build_array(json_build_object('label','补录理由','value',m.reason)) as details,
      '/classes/' || m.class_id as link
    from attendance_makeup m join person p on p.id = m.person_id where m.id::text = any($1)`,
  recording: `select rc.id::text, '录像 ' || ${bj('rc.starts_at')} || '–' || ${hm('rc.ends_at')} as title, json_build_array(
      json_build_object('label','摄像头','value',d.name),
      json_build_object('label','教室','value',r.name),
      json_build_object('label','SHA-256','value',rc.sha256),
      json_build_object('label','存储位置','value',rc.storage_uri)) as details,
      null as link
    from recording rc join device d on d.id = rc.device_id join room r on r.id = rc.room_id where rc.id::text = any($1)`,
  room: `select r.id::text, r.name as title, json_build_array(
      json_build_object('label','所属机构','value',o.name),
      json_build_object('label','用途','value',case r.kind when 'theory' then '理论教室' when 'practical' then '实操场地' else '考场' end),
      json_build_object('label','摄像头','value',(select count(*) from device d where d.room_id = r.id and d.kind = 'camera')::text || ' 个')) as details,
      '/organizations/' || o.id as link
    from room r join organization o on o.id = r.organization_id where r.id::text = any($1)`,
  device: `select d.id::text, d.name as title, json_build_array(
      json_build_object('label','类型','value',case d.kind when 'camera' then '摄像头' else '人脸考勤终端' end),
      json_build_object('label','序列号','value',d.serial)) as details, null as link
    from device d where d.id::text = any($1)`,
  staff_assignment: `select s.id::text, p.name || ' ' || s.duty as title, json_build_array(
      json_build_object('label','机构','value',o.name),
      json_build_object('label','专职','value',case when s.full_time then '是' else '否' end),
      json_build_object('label','从业年限','value',coalesce(s.practice_years::text,'未登记')),
      json_build_object('label','持证作业类别','value',coalesce(array_to_string(s.operation_items, '、'),'')),
      json_build_object('label','任职','value',s.start_date || ' 起')) as details,
      '/persons/' || p.id as link
    from staff_assignment s join person p on p.id = s.person_id join organization o on o.id = s.organization_id
    where s.id::text = any($1)`,
  exam_session: `select s.id::text, o.name || ' ' || ${bj('s.starts_at')} || '–' || ${hm('s.ends_at')} as title, json_build_array(
      json_build_object('label','考场','value',s.room),
      json_build_object('label','考试计划','value',pl.name),
      json_build_object('label','成绩发布','value',coalesce(${bj('s.results_published_at')},'未发布'))) as details,
      '/exams/sessions/' || s.id as link
    from exam_session s join organization o on o.id = s.site_id join exam_plan pl on pl.id = s.plan_id where s.id::text = any($1)`,
  exam_registration: `select r.id::text, p.name || ' ' || pl.name as title, json_build_array(
      json_build_object('label','考试场次','value',o.name || ' ' || ${bj('s.starts_at')}),
      json_build_object('label','理论成绩','value',coalesce(r.theory_score::text,'—')),
      json_build_object('label','实操成绩','value',coalesce(r.practical_score::text,'—')),
      json_build_object('label','结果','value',coalesce(r.result,'未出成绩')),
      json_build_object('label','签到','value',coalesce(r.checkin_decision,'—') || coalesce('（' || r.override_reason || '）',''))) as details,
      '/exams/sessions/' || s.id as link
    from exam_registration r join person p on p.id = r.person_id join exam_session s on s.id = r.session_id
    join exam_plan pl on pl.id = r.plan_id join organization o on o.id = s.site_id where r.id::text = any($1)`,
  theory_attempt: `select a.id::text, '理论答卷 ' || p.name as title, json_build_array(
      json_build_object('label','开始','value',${bj('a.started_at')}),
      json_build_object('label','交卷','value',coalesce(${bj('a.submitted_at')},'—')),
      json_build_object('label','得分','value',coalesce(a.score::text,'—')),
      json_build_object('label','作答题数','value',(select count(*) from theory_answer x where x.attempt_id = a.id)::text)) as details,
      '/exams/sessions/' || r.session_id as link
    from theory_attempt a join exam_registration r on r.id = a.registration_id join person p on p.id = r.person_id where a.id::text = any($1)`,
  practical_score: `select ps.id::text, '实操评分 ' || p.name || ' ' || ps.subject_code as title, json_build_array(
      json_build_object('label','考评员','value',coalesce(e.name,'—')),
      json_build_object('label','开始','value',coalesce(${bj('ps.started_at')},'—')),
      json_build_object('label','评分','value',coalesce(${bj('ps.scored_at')},'—')),
      json_build_object('label','得分','value',coalesce(ps.points::text,'—'))) as details,
      '/exams/sessions/' || r.session_id as link
    from practical_score ps join exam_registration r on r.id = ps.registration_id join person p on p.id = r.person_id
    left join person e on e.id = ps.examiner_person_id where ps.id::text = any($1)`,
  class_document: `select d.id::text, d.title as title, json_build_array(json_build_object('label','类别','value',d.part)) as details,
      '/classes/' || d.class_id as link
    from class_document d where d.id::text = any($1)`,
  online_course: `select c.id::text, '线上课程《' || c.title || '》' as title, json_build_array(
      json_build_object('label','时长','value',round(c.duration_seconds / 60.0, 1)::text || ' 分钟')) as details,
      '/classes/' || c.class_id as link
    from online_course c where c.id::text = any($1)`,
  certificate: `select c.id::text, c.number as title, json_build_array(
      json_build_object('label','持证人','value',p.name),
      json_build_object('label','有效期至','value',c.valid_until::text)) as details,
      '/certificates/' || c.id as link
    from certificate c join person p on p.id = c.person_id where c.id::text = any($1)`,
};

export async function resolveEvidence<E extends { kind: string; id: string; label?: string }>(
  db: Executor,
  evidence: E[],
): Promise<(E & Resolved)[]> {
  const byKind = new Map<string, string[]>();
  for (const e of evidence) byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e.id]);
  const found = new Map<string, Resolved>();
  for (const [kind, ids] of byKind) {
    const q = resolvers[kind];
    if (!q) continue;
    const [before, after] = q.split('$1');
    const r = await sql<
      { id: string } & Resolved
    >`${sql.raw(before)}${ids}::text[]${sql.raw(after)}`.execute(db);
    for (const row of r.rows) found.set(`${kind}|${row.id}`, row);
  }
  return evidence.map((e) => {
    const hit = found.get(`${e.kind}|${e.id}`);
    return {
      ...e,
      title: hit?.title ?? e.label ?? `${e.kind} ${e.id}`,
      details: hit?.details ?? [],
      link: hit?.link ?? null,
    };
  });
}
