import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
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
  room: string;
  startsAt: Date;
  endsAt: Date;
  sittings: {
    registrationId: string;
    name: string;
    checkedInAt: string | null;
    checkinSiteId: string | null;
    checkinSiteName: string | null;
    attemptId: string | null;
    startedAt: string | null;
    submittedAt: string | null;
    attemptSiteId: string | null;
    attemptSiteName: string | null;
  }[];
}

const ms = (d: string | Date) => new Date(d).getTime();

/**
 * E01 未按计划地点或时间组织考试 (seed 001: 考试点未按照考试计划组织考试；异地考试、提前或推迟考试):
 * per exam session, its candidates' sittings as recorded against the plan (the session's site,
 * start and end):
 * - held_elsewhere: a check-in or a theory paper taken at another exam site;
 * - held_outside_time: a check-in before the check-in window opens (examCheckInOpensMinutesBefore
 *   before the start) or after the end; a paper started before the start or after the end, or
 *   handed in after the end. The bounds are inclusive: a paper started exactly at the start is fine.
 */
export default defineRule({
  id: 'E01',
  record: 'exam_session',
  policyKeys: ['examCheckInOpensMinutesBefore'],
  triggers: ['exam_session', 'exam_registration', 'exam_submit'],
  reach: 'organization',
  async load(ctx) {
    const r = await sql<Row>`
      select s.id as session_id, s.room, s.starts_at, s.ends_at, ${orgColumns('site')},
             json_agg(json_build_object('registrationId', r.id, 'name', p.name, 'checkedInAt', r.checked_in_at,
                      'checkinSiteId', r.checkin_site_id, 'checkinSiteName', cs.name, 'attemptId', a.id,
                      'startedAt', a.started_at, 'submittedAt', a.submitted_at, 'attemptSiteId', a.site_id,
                      'attemptSiteName', asite.name) order by p.name, r.id) as sittings
      from exam_session s
      join organization site on site.id = s.site_id
      join exam_registration r on r.session_id = s.id and r.status <> 'withdrawn'
      join person p on p.id = r.person_id
      left join organization cs on cs.id = r.checkin_site_id
      left join theory_attempt a on a.registration_id = r.id
      left join organization asite on asite.id = a.site_id
      where (r.checked_in_at is not null or a.id is not null) and ${inScope(ctx, 'site.region_code', 'site.id')}
      group by s.id, site.id`.execute(ctx.db);
    return r.rows;
  },
  judge(rows, env) {
    const out: Detected[] = [];
    for (const s of rows) {
      const day = beijingDay(s.startsAt);
      const p = env.policy(s.orgRegion, day);
      const plan = `${day} ${beijingHm(s.startsAt)}–${beijingHm(s.endsAt)}`;
      const base = {
        rule: 'E01' as const,
        severity: 'serious' as const,
        blocking: false,
        subject: { kind: 'exam_session' as const, id: s.sessionId, name: `${s.orgName} ${plan}` },
        organization: orgOf(s),
        date: day,
        source: `《特种作业人员安全技术培训考核管理规定》：考试点按考试机构的计划组织考试；${SOURCES.seed001}：未按计划地点、时间组织考试`,
      };
      const sessionEv = ev('exam_session', s.sessionId, `${s.orgName} ${plan}`);
      const elsewhere = s.sittings.flatMap((x) => [
        ...(x.checkinSiteId && x.checkinSiteId !== s.orgId
          ? [
              {
                x,
                what: `在${x.checkinSiteName}签到`,
                e: ev('exam_registration', x.registrationId, `${x.name} 签到`),
                site: x.checkinSiteId,
              },
            ]
          : []),
        ...(x.attemptId && x.attemptSiteId && x.attemptSiteId !== s.orgId
          ? [
              {
                x,
                what: `在${x.attemptSiteName}作答`,
                e: ev('theory_attempt', x.attemptId, `${x.name} 理论答卷`),
                site: x.attemptSiteId,
              },
            ]
          : []),
      ]);
      if (elsewhere.length > 0)
        out.push({
          ...base,
          code: 'held_elsewhere',
          message: `${s.orgName} ${plan} 考试场次：${elsewhere
            .slice(0, 5)
            .map((w) => `${w.x.name}${w.what}`)
            .join('、')}${elsewhere.length > 5 ? `等 ${elsewhere.length} 处` : ''}，不在计划的考点`,
          evidence: [
            sessionEv,
            ...elsewhere.map((w) => w.e),
            ...[...new Set(elsewhere.map((w) => w.site))].map((id) => ev('organization', id)),
          ],
        });
      const opens = ms(s.startsAt) - p.examCheckInOpensMinutesBefore * 60_000;
      const start = ms(s.startsAt);
      const end = ms(s.endsAt);
      const late = s.sittings.flatMap((x) => [
        ...(x.checkedInAt && (ms(x.checkedInAt) < opens || ms(x.checkedInAt) > end)
          ? [
              {
                x,
                what: `${beijingDay(x.checkedInAt)} ${beijingHm(x.checkedInAt)} 签到`,
                e: ev('exam_registration', x.registrationId, `${x.name} 签到`),
              },
            ]
          : []),
        ...(x.attemptId &&
        x.startedAt &&
        (ms(x.startedAt) < start ||
          ms(x.startedAt) > end ||
          (x.submittedAt !== null && ms(x.submittedAt) > end))
          ? [
              {
                x,
                what: `${beijingDay(x.startedAt)} ${beijingHm(x.startedAt)} 开始作答${x.submittedAt ? `、${beijingHm(x.submittedAt)} 交卷` : ''}`,
                e: ev('theory_attempt', x.attemptId, `${x.name} 理论答卷`),
              },
            ]
          : []),
      ]);
      if (late.length > 0)
        out.push({
          ...base,
          code: 'held_outside_time',
          message: `${s.orgName} 考试场次计划 ${plan}：${late
            .slice(0, 5)
            .map((w) => `${w.x.name} ${w.what}`)
            .join('、')}${late.length > 5 ? `等 ${late.length} 处` : ''}，不在计划时间内`,
          evidence: [sessionEv, ...late.map((w) => w.e)],
          figure: {
            key: 'examCheckInOpensMinutesBefore',
            expected: p.examCheckInOpensMinutesBefore,
            actual: null,
          },
        });
    }
    return out;
  },
});
