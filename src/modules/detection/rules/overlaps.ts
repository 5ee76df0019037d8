import { type RawBuilder, sql } from 'kysely';
import type { LessonRef } from '../../training/classes.rules.js';
import type { RuleContext } from '../rule.js';
import { inScope, type OrgColumns, orgColumns } from './shared.js';

/**
 * Lessons of different classes that overlap in time and share a teacher (T05) or a room (T06 合班),
 * one row per lesson with the lessons it collides with. Spans are half-open (tstzrange '[)'): back-to-back
 * lessons do not collide.
 */
export interface OverlapRow extends OrgColumns {
  id: string;
  classId: string;
  classCode: string;
  topic: string;
  startsAt: Date;
  endsAt: Date;
  shareId: string;
  shareName: string | null;
  others: {
    id: string;
    classCode: string;
    organizationId: string;
    startsAt: string;
    endsAt: string;
    topic: string;
  }[];
}

export async function loadOverlaps(
  ctx: RuleContext,
  by: 'teacher' | 'room',
): Promise<OverlapRow[]> {
  const key: RawBuilder<unknown> = sql.raw(by === 'teacher' ? 'teacher_id' : 'room_id');
  const shareName =
    by === 'teacher'
      ? sql`(select name from person where id = a.teacher_id)`
      : sql`(select name from room where id = a.room_id)`;
  const r = await sql<OverlapRow>`
    select a.id, a.class_id, ca.code as class_code, a.topic, a.starts_at, a.ends_at,
           a.${key} as share_id, ${shareName} as share_name, ${orgColumns('o')},
           json_agg(json_build_object('id', b.id, 'classCode', cb.code, 'organizationId', cb.organization_id,
                    'startsAt', b.starts_at, 'endsAt', b.ends_at, 'topic', b.topic) order by b.starts_at, b.id) as others
    from lesson a
    join lesson b on b.${key} = a.${key} and b.class_id <> a.class_id
      and tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
    join training_class ca on ca.id = a.class_id
    join training_class cb on cb.id = b.class_id
    join organization o on o.id = ca.organization_id
    where a.${key} is not null and ${inScope(ctx, 'o.region_code', 'o.id')}
    group by a.id, ca.id, o.id`.execute(ctx.db);
  return r.rows;
}

/**
 * One alert per collision within an institution (raised on the earlier lesson of the pair), one per
 * institution when two institutions collide (each one's own lesson is false).
 */
export function collidingOthers(r: OverlapRow): (LessonRef & { sameInstitution: boolean })[] {
  const self = { at: new Date(r.startsAt).getTime(), id: r.id };
  return r.others
    .map((o) => ({
      id: o.id,
      classCode: o.classCode,
      startsAt: new Date(o.startsAt),
      endsAt: new Date(o.endsAt),
      topic: o.topic,
      sameInstitution: o.organizationId === r.orgId,
    }))
    .filter(
      (o) =>
        !o.sameInstitution ||
        self.at < o.startsAt.getTime() ||
        (self.at === o.startsAt.getTime() && self.id < o.id),
    );
}

export const lessonOf = (r: OverlapRow): LessonRef => ({
  id: r.id,
  startsAt: new Date(r.startsAt),
  endsAt: new Date(r.endsAt),
  classCode: r.classCode,
  topic: r.topic,
});
