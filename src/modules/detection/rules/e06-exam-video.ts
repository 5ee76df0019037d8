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
  roomId: string | null;
  startsAt: Date;
  endsAt: Date;
  gaps: { from: string; to: string }[];
  recordings: string[];
}

const addYears = (day: string, years: number) =>
  `${Number(day.slice(0, 4)) + years}${day.slice(4)}`;

/**
 * E06 考试录像不完整或保存不足三年 (安监总培训〔2013〕104号: 考试全过程录像，保存不少于3年; seed 001、004):
 * every exam session that has ended and is still inside the retention period (videoRetentionYears,
 * counted from the exam day), against the recordings of the cameras in its exam room (the site's
 * room of that name): any part of the session's span not covered — because it was never recorded or
 * because the video was deleted before the period ended — is a gap. A session whose room has no
 * camera registered is all gap. Not evaluable where no exam site in scope has registered an exam
 * room camera (the platform cannot see exam video there at all).
 */
export default defineRule({
  id: 'E06',
  record: 'exam_session',
  policyKeys: ['videoRetentionYears'],
  triggers: ['exam_session', 'recording'],
  reach: 'organization',
  async evaluable(ctx) {
    const r = await sql<{ n: number }>`
      select count(*)::int as n from device d join room rm on rm.id = d.room_id join organization site on site.id = rm.organization_id
      where d.kind = 'camera' and site.kind = 'exam_site' and ${inScope(ctx, 'site.region_code', 'site.id')}`.execute(
      ctx.db,
    );
    return r.rows[0].n === 0
      ? '不可评估：辖区内考点均未登记考场摄像头，平台无从核对考试录像'
      : null;
  },
  async load(ctx) {
    const r = await sql<Row>`
      with ses as (
        select s.id, s.room, s.starts_at, s.ends_at, s.site_id, tstzrange(s.starts_at, s.ends_at) as span,
               (select rm.id from room rm where rm.organization_id = s.site_id and rm.name = s.room order by rm.id limit 1) as room_id
        from exam_session s join organization site on site.id = s.site_id
        where s.ends_at <= ${ctx.now} and ${inScope(ctx, 'site.region_code', 'site.id')}
      ),
      cov as (
        select ses.id,
               coalesce(range_agg(tstzrange(rc.starts_at, rc.ends_at) * ses.span) filter (where rc.id is not null), '{}'::tstzmultirange) as m,
               coalesce(array_agg(rc.id::text order by rc.starts_at, rc.ends_at, rc.sha256, rc.id) filter (where rc.id is not null), '{}') as recordings
        from ses
        left join device d on d.room_id = ses.room_id and d.kind = 'camera'
        left join recording rc on rc.device_id = d.id and rc.starts_at < ses.ends_at and rc.ends_at > ses.starts_at
        group by ses.id
      )
      select ses.id as session_id, ses.room, ses.room_id, ses.starts_at, ses.ends_at, ${orgColumns('site')}, cov.recordings,
             coalesce((select json_agg(json_build_object('from', lower(x), 'to', upper(x)) order by lower(x))
                       from unnest(tstzmultirange(ses.span) - cov.m) x), '[]') as gaps
      from ses join cov on cov.id = ses.id join organization site on site.id = ses.site_id
      where not isempty(ses.span) and (tstzmultirange(ses.span) - cov.m) <> '{}'::tstzmultirange`.execute(
      ctx.db,
    );
    return { rows: r.rows, today: beijingDay(ctx.now) };
  },
  judge({ rows, today }, env) {
    const out: Detected[] = [];
    for (const s of rows) {
      const day = beijingDay(s.startsAt);
      const years = env.policy(s.orgRegion, day).videoRetentionYears;
      if (addYears(day, years) < today) continue;
      const holes = s.gaps.map((g) => `${beijingHm(g.from)}–${beijingHm(g.to)}`).join('、');
      const whole =
        s.gaps.length === 1 &&
        +new Date(s.gaps[0].from) === +new Date(s.startsAt) &&
        +new Date(s.gaps[0].to) === +new Date(s.endsAt);
      out.push({
        rule: 'E06',
        code: s.roomId === null ? 'exam_room_without_camera' : 'exam_video_gap',
        severity: 'warning',
        blocking: false,
        subject: {
          kind: 'exam_session',
          id: s.sessionId,
          name: `${s.orgName} ${day} ${beijingHm(s.startsAt)}–${beijingHm(s.endsAt)}`,
        },
        message:
          s.roomId === null
            ? `${s.orgName} ${day} 考试场次（${s.room}）：考场未登记摄像头，考试过程没有录像`
            : `${s.orgName} ${day} 考试场次（${s.room}）：${whole ? '没有任何录像' : `${holes} 没有录像`}（考试录像须全程并保存 ${years} 年）`,
        evidence: [
          ev('exam_session', s.sessionId),
          ...(s.roomId ? [ev('room', s.roomId, s.room)] : []),
          ...s.recordings.map((id) => ev('recording', id)),
        ],
        source: `安监总培训〔2013〕104号：考试全过程录像，保存不少于3年；${SOURCES.seed001}、${SOURCES.seed004}`,
        figure: { key: 'videoRetentionYears', expected: years, actual: null },
        organization: orgOf(s),
        date: day,
      });
    }
    return out;
  },
});
