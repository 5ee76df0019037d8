import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { policyLabels } from '../../../catalog/labels.js';
import type { Detected } from '../rule.js';
import { defineRule } from '../rule.js';
import { beijingHm, ev, inScope, type OrgColumns, orgColumns, orgOf } from './shared.js';

interface DayRow extends OrgColumns {
  classId: string;
  classCode: string;
  regionCode: string;
  startDate: string;
  day: string;
  /** Per trainee on the roster who has any presence record that day. */
  trainees: {
    personId: string;
    name: string;
    events: {
      id: string;
      type: 'check_in' | 'check_out' | 'random_check';
      at: string;
      score: number | null;
      liveness: number | null;
      platform: string | null;
    }[];
    makeups: { id: string }[];
  }[];
}

const names = (xs: { name: string }[]) =>
  xs.length <= 5
    ? xs.map((x) => x.name).join('、')
    : `${xs
        .slice(0, 5)
        .map((x) => x.name)
        .join('、')}等${xs.length}人`;

/**
 * T07 考勤只签到不签退或代签 (seed 004: 个别班级考勤制度落实不严格，每天仅签到一次，有的无本人签字甚至由他人代签),
 * per class and Beijing day of its offline lessons, from the terminal events of the lessons' rooms
 * that day (the same pairing the hours ledger uses) and the head teacher's make-ups:
 * - single_sign_in: trainees with fewer sign-ins that day than the policy's minimum
 *   (attendanceSignInsPerDayMin, seed 004: 2), or who signed in and never out;
 * - face_mismatch: events whose face match score is below faceMatchThreshold or whose frame the
 *   platform judged a different person (可能由他人代签);
 * - makeup_only_attendance: a day on which the class's presence rests on make-ups alone, no
 *   terminal event at all (no face terminal in use).
 */
export default defineRule({
  id: 'T07',
  record: 'class',
  policyKeys: ['attendanceSignInsPerDayMin', 'faceMatchThreshold', 'faceLivenessMin'],
  triggers: ['attendance', 'makeup', 'lesson', 'roster'],
  reach: 'organization',
  async load(ctx) {
    const r = await sql<DayRow>`
      with days as (
        select distinct l.class_id, l.room_id, (l.starts_at at time zone 'Asia/Shanghai')::date as day
        from lesson l join training_class c on c.id = l.class_id join organization o on o.id = c.organization_id
        where l.mode <> 'online' and ${inScope(ctx, 'o.region_code', 'o.id')}
      ),
      evs as (
        select distinct d.class_id, d.day, e.person_id, e.id, e.event_type, e.occurred_at, e.match_score, e.liveness,
               fv.decision as platform
        from days d
        join attendance_event e on e.room_id = d.room_id
          and e.occurred_at >= (d.day::timestamp at time zone 'Asia/Shanghai')
          and e.occurred_at < ((d.day + 1)::timestamp at time zone 'Asia/Shanghai')
        join class_trainee ct on ct.class_id = d.class_id and ct.person_id = e.person_id
        left join face_verification fv on fv.id = e.face_verification_id
      ),
      mks as (
        select mk.class_id, (l.starts_at at time zone 'Asia/Shanghai')::date as day, mk.person_id, mk.id
        from attendance_makeup mk join lesson l on l.id = mk.lesson_id
        where mk.class_id in (select class_id from days)
      ),
      per_person as (
        select coalesce(e.class_id, m.class_id) as class_id, coalesce(e.day, m.day) as day,
               coalesce(e.person_id, m.person_id) as person_id, e.events, m.makeups
        from (select class_id, day, person_id,
                     json_agg(json_build_object('id', id, 'type', event_type, 'at', occurred_at, 'score', match_score,
                              'liveness', liveness, 'platform', platform) order by occurred_at, id) as events
              from evs group by class_id, day, person_id) e
        full join (select class_id, day, person_id, json_agg(json_build_object('id', id) order by id) as makeups
                   from mks group by class_id, day, person_id) m
          on m.class_id = e.class_id and m.day = e.day and m.person_id = e.person_id
      )
      select c.id as class_id, c.code as class_code, c.region_code, c.start_date, ${orgColumns('o')},
             pp.day::text as day,
             json_agg(json_build_object('personId', p.id, 'name', p.name, 'events', coalesce(pp.events, '[]'::json),
                      'makeups', coalesce(pp.makeups, '[]'::json)) order by p.name, p.id) as trainees
      from per_person pp
      join training_class c on c.id = pp.class_id
      join organization o on o.id = c.organization_id
      join person p on p.id = pp.person_id
      group by c.id, o.id, pp.day`.execute(ctx.db);
    return r.rows;
  },
  judge(rows, env) {
    const out: Detected[] = [];
    for (const r of rows) {
      const policy = env.policy(r.regionCode, r.startDate);
      const base = {
        rule: 'T07' as const,
        subject: { kind: 'class' as const, id: r.classId, name: r.classCode },
        organization: orgOf(r),
        date: r.day,
      };
      const cls = ev('training_class', r.classId, r.classCode);
      const withEvents = r.trainees.filter((t) => t.events.length > 0);
      const once = withEvents.filter(
        (t) =>
          t.events.length < policy.attendanceSignInsPerDayMin ||
          !t.events.some((e) => e.type === 'check_out'),
      );
      if (once.length > 0)
        out.push({
          ...base,
          code: 'single_sign_in',
          severity: 'serious',
          blocking: false,
          message: `${r.orgName} 培训班 ${r.classCode} ${r.day}：${names(once)}当天仅签到 ${Math.min(...once.map((t) => t.events.length))} 次、未签退，考勤不能证明在场时长（要求每天至少 ${policy.attendanceSignInsPerDayMin} 次）`,
          evidence: [
            cls,
            ...once.flatMap((t) =>
              t.events.map((e) =>
                ev(
                  'attendance_event',
                  e.id,
                  `${t.name} ${beijingHm(e.at)} ${e.type === 'check_in' ? '签到' : e.type === 'check_out' ? '签退' : '抽查'}`,
                ),
              ),
            ),
          ],
          source: `${SOURCES.seed004}：每天仅签到一次；政策参数「${policyLabels.attendanceSignInsPerDayMin.zh}」`,
          figure: {
            key: 'attendanceSignInsPerDayMin',
            expected: policy.attendanceSignInsPerDayMin,
            actual: once.length,
          },
        });
      const mismatched = withEvents.flatMap((t) =>
        t.events
          .filter(
            (e) =>
              e.platform === 'mismatch' ||
              (e.score !== null && e.score < policy.faceMatchThreshold) ||
              (e.liveness !== null && e.liveness < policy.faceLivenessMin),
          )
          .map((e) => ({ t, e })),
      );
      if (mismatched.length > 0)
        out.push({
          ...base,
          code: 'face_mismatch',
          severity: 'serious',
          blocking: false,
          message: `${r.orgName} 培训班 ${r.classCode} ${r.day}：${names([...new Map(mismatched.map((m) => [m.t.personId, m.t])).values()])}的考勤人脸比对不一致或活体检测未通过，可能由他人代签`,
          evidence: [
            cls,
            ...mismatched.map(({ t, e }) =>
              ev(
                'attendance_event',
                e.id,
                `${t.name} ${beijingHm(e.at)} 比对分 ${e.score ?? '—'}${e.platform === 'mismatch' ? '（平台复核不一致）' : ''}`,
              ),
            ),
          ],
          source: `${SOURCES.seed004}：无本人签字甚至由他人代签；政策参数「${policyLabels.faceMatchThreshold.zh}」`,
          figure: {
            key: 'faceMatchThreshold',
            expected: policy.faceMatchThreshold,
            actual: Math.min(...mismatched.map((m) => m.e.score ?? 1)),
          },
        });
      const makeupOnly = r.trainees.filter((t) => t.makeups.length > 0);
      if (withEvents.length === 0 && makeupOnly.length > 0)
        out.push({
          ...base,
          code: 'makeup_only_attendance',
          severity: 'warning',
          blocking: false,
          message: `${r.orgName} 培训班 ${r.classCode} ${r.day}：当天没有任何考勤终端记录，${makeupOnly.length} 名学员的在场全部为班主任补录`,
          evidence: [
            cls,
            ...makeupOnly.flatMap((t) =>
              t.makeups.map((m) => ev('attendance_makeup', m.id, t.name)),
            ),
          ],
          source: 'AQ 8011-2023 4.6.1 考勤：人脸识别考勤设备，可追溯、防作弊',
        });
    }
    return out;
  },
});
