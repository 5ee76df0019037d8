import { sql } from 'kysely';
import { SOURCES } from '../../../catalog/figure.js';
import { policyLabels } from '../../../catalog/labels.js';
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

interface GapRow extends OrgColumns {
  lessonId: string;
  classId: string;
  classCode: string;
  topic: string;
  roomId: string;
  roomName: string;
  startsAt: Date;
  endsAt: Date;
  lessonMinutes: number;
  coveredMinutes: number;
  gaps: { from: string; to: string }[];
  recordings: string[];
}

interface CameraRow extends OrgColumns {
  roomId: string;
  roomName: string;
  regionCode: string;
  cameras: { id: string; name: string }[];
  lessons: number;
  firstDay: string;
}

/**
 * T08 培训过程录像不完整或单一摄像头 (seed 004: 线下理论和实操场地仅设置一处摄像头，无法实现全覆盖；未按强制标准要求对线下培训进行全过程录像):
 * - video_gap: an offline lesson that has ended whose span the room's recordings do not cover
 *   entirely (the same coverage the hours ledger counts: ∪ recordings of the room ∩ the lesson span);
 * - one_camera_room: a room used for offline lessons with fewer cameras registered than the
 *   policy's camerasPerRoomMin (Shandong 2).
 */
export default defineRule({
  id: 'T08',
  record: 'lesson',
  policyKeys: ['camerasPerRoomMin'],
  triggers: ['recording', 'lesson'],
  reach: 'organization',
  async load(ctx) {
    const gaps = await sql<GapRow>`
      with les as (
        select l.id, l.class_id, l.topic, l.room_id, l.starts_at, l.ends_at, tstzrange(l.starts_at, l.ends_at) as span, c.organization_id
        from lesson l join training_class c on c.id = l.class_id join organization o on o.id = c.organization_id
        where l.mode <> 'online' and l.ends_at <= ${ctx.now} and ${inScope(ctx, 'o.region_code', 'o.id')}
      ),
      cov as (
        select l.id, coalesce(range_agg(tstzrange(r.starts_at, r.ends_at) * l.span) filter (where r.id is not null), '{}'::tstzmultirange) as m,
               coalesce(array_agg(r.id::text order by r.starts_at, r.ends_at, r.sha256, r.id) filter (where r.id is not null), '{}') as recordings
        from les l left join recording r on r.room_id = l.room_id and tstzrange(r.starts_at, r.ends_at) && l.span
        group by l.id
      )
      select l.id as lesson_id, l.class_id, c.code as class_code, l.topic, l.room_id, rm.name as room_name, l.starts_at, l.ends_at,
             extract(epoch from l.ends_at - l.starts_at)::float8 / 60 as lesson_minutes,
             coalesce((select sum(extract(epoch from upper(x) - lower(x))) from unnest(cov.m) x), 0)::float8 / 60 as covered_minutes,
             coalesce((select json_agg(json_build_object('from', lower(x), 'to', upper(x)) order by lower(x)) from unnest(tstzmultirange(l.span) - cov.m) x), '[]') as gaps,
             cov.recordings,
             ${orgColumns('o')}
      from les l join cov on cov.id = l.id
      join training_class c on c.id = l.class_id
      join organization o on o.id = c.organization_id
      join room rm on rm.id = l.room_id
      where not (cov.m @> l.span)`.execute(ctx.db);
    const cameras = await sql<CameraRow>`
      select rm.id as room_id, rm.name as room_name, o.region_code, ${orgColumns('o')},
             coalesce((select json_agg(json_build_object('id', d.id, 'name', d.name) order by d.name, d.id)
                       from device d where d.room_id = rm.id and d.kind = 'camera'), '[]') as cameras,
             count(l.id)::int as lessons,
             min((l.starts_at at time zone 'Asia/Shanghai')::date)::text as first_day
      from room rm
      join organization o on o.id = rm.organization_id
      join lesson l on l.room_id = rm.id and l.mode <> 'online'
      where ${inScope(ctx, 'o.region_code', 'o.id')}
      group by rm.id, o.id`.execute(ctx.db);
    return { gaps: gaps.rows, cameras: cameras.rows };
  },
  judge({ gaps, cameras }, env) {
    const out: Detected[] = [];
    for (const g of gaps) {
      const day = beijingDay(g.startsAt);
      const span = `${beijingHm(g.startsAt)}–${beijingHm(g.endsAt)}`;
      const holes = g.gaps.map((x) => `${beijingHm(x.from)}–${beijingHm(x.to)}`).join('、');
      out.push({
        rule: 'T08',
        code: 'video_gap',
        severity: 'warning',
        blocking: false,
        subject: { kind: 'lesson', id: g.lessonId, name: `${g.classCode} ${day} ${span}` },
        message: `${g.orgName} 培训班 ${g.classCode} ${day} ${span}「${g.roomName}」${g.topic}：录像仅覆盖 ${Math.round(g.coveredMinutes)}/${Math.round(g.lessonMinutes)} 分钟，缺 ${holes}`,
        evidence: [
          ev('lesson', g.lessonId, `${g.classCode} ${day} ${span} ${g.topic}`),
          ev('room', g.roomId, g.roomName),
          ...g.recordings.map((id) => ev('recording', id)),
        ],
        source: `AQ 8011-2023 4.6.2 监控：线下培训全过程录像；${SOURCES.seed004}`,
        figure: {
          key: 'lessonCoverage',
          expected: Math.round(g.lessonMinutes),
          actual: Math.round(g.coveredMinutes),
        },
        organization: orgOf(g),
        date: day,
      });
    }
    for (const c of cameras) {
      const min = env.policy(c.regionCode, c.firstDay).camerasPerRoomMin;
      if (min === null || c.cameras.length >= min) continue;
      out.push({
        rule: 'T08',
        code: c.cameras.length === 0 ? 'room_without_camera' : 'one_camera_room',
        severity: 'warning',
        blocking: false,
        subject: { kind: 'room', id: c.roomId, name: c.roomName },
        message: `${c.orgName}「${c.roomName}」用于 ${c.lessons} 节线下课，仅登记 ${c.cameras.length} 个摄像头，少于 ${min} 个，无法全覆盖录像`,
        evidence: [
          ev('room', c.roomId, c.roomName),
          ...c.cameras.map((d) => ev('device', d.id, d.name)),
        ],
        source: `${SOURCES.seed004}：仅设置一处摄像头，无法实现全覆盖；政策参数「${policyLabels.camerasPerRoomMin.zh}」`,
        figure: { key: 'camerasPerRoomMin', expected: min, actual: c.cameras.length },
        organization: orgOf(c),
        date: c.firstDay,
      });
    }
    return out;
  },
});
