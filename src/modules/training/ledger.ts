import { sql } from 'kysely';
import type { PolicyFigures } from '../../catalog/policy.js';
import { policyValues } from '../../catalog/policy.js';
import type { Executor } from '../../platform/db/database.js';
import { policyInForce } from '../policy/policy.service.js';

/**
 * The hours ledger (学时台账): for each trainee × class, the hours the records prove. Nobody types
 * hours in; they are computed here, in SQL set operations over multiranges (PostgreSQL ≥ 14):
 *
 *   stay      = a face-verified check-in followed by a face-verified check-out in the same room
 *   attended  = (∪ stays ∪ make-ups) ∩ lesson span                      per trainee × lesson
 *   counted   = attended ∩ (∪ recordings of the room)   unless the policy lets uncovered time count
 *   theory/practical hours = Σ counted minutes ÷ offline minutes per 学时
 *   online hours = (∪ verified online segments) ÷ online minutes per 学时, capped at the online
 *                  share of the syllabus theory hours
 *
 * Each class is judged by the policy in force for its region on its start date; those figures go
 * into the query as one JSON parameter row per class.
 */

export interface LedgerClassParams {
  classId: string;
  offlineMinutesPerHour: number;
  onlineMinutesPerHour: number;
  /** The most online hours that count: onlineTheoryShareMax × syllabus theory hours. */
  onlineCapHours: number;
  uncoveredTimeCounts: boolean;
  faceAttendanceRequired: boolean;
  faceMatchThreshold: number;
  faceLivenessMin: number;
}

export function ledgerParams(
  classId: string,
  syllabusTheoryHours: number,
  p: PolicyFigures,
): LedgerClassParams {
  return {
    classId,
    offlineMinutesPerHour: p.offlineMinutesPerHour,
    onlineMinutesPerHour: p.onlineMinutesPerHour,
    onlineCapHours: p.onlineTheoryShareMax * syllabusTheoryHours,
    uncoveredTimeCounts: p.uncoveredTimeCounts,
    faceAttendanceRequired: p.faceAttendanceRequired,
    faceMatchThreshold: p.faceMatchThreshold,
    faceLivenessMin: p.faceLivenessMin,
  };
}

/** Parameters for many classes, resolving each (region, start date) policy once. */
export async function ledgerParamsFor(
  db: Executor,
  classes: { id: string; regionCode: string; startDate: string; syllabusTheoryHours: number }[],
): Promise<LedgerClassParams[]> {
  const cache = new Map<string, PolicyFigures>();
  const out: LedgerClassParams[] = [];
  for (const c of classes) {
    const key = `${c.regionCode}|${c.startDate}`;
    let figures = cache.get(key);
    if (!figures) {
      figures = policyValues(await policyInForce(db, c.regionCode, c.startDate));
      cache.set(key, figures);
    }
    out.push(ledgerParams(c.id, c.syllabusTheoryHours, figures));
  }
  return out;
}

function paramsJson(params: LedgerClassParams[]): string {
  return JSON.stringify(
    params.map((p) => ({
      class_id: p.classId,
      offline_mph: p.offlineMinutesPerHour,
      online_mph: p.onlineMinutesPerHour,
      online_cap: p.onlineCapHours,
      uncovered_counts: p.uncoveredTimeCounts,
      face_required: p.faceAttendanceRequired,
      match_min: p.faceMatchThreshold,
      live_min: p.faceLivenessMin,
    })),
  );
}

/**
 * The common part of both queries: one row per trainee × offline lesson with the attended,
 * covered and counted multiranges. `personId` narrows it to one trainee.
 */
function lessonRows(params: LedgerClassParams[], personId: string | null, withEvidence = false) {
  // The evidence view lists the event ids behind each lesson; the ledger over thousands of trainees does not carry them.
  const eventIds = withEvidence
    ? sql.raw('array_remove(array_agg(in_id) || array_agg(out_id), null)')
    : sql.raw("'{}'::text[]");
  return sql`
    p as (
      select * from jsonb_to_recordset(${paramsJson(params)}::jsonb)
        as p(class_id uuid, offline_mph float8, online_mph float8, online_cap float8, uncovered_counts boolean, face_required boolean, match_min float8, live_min float8)
    ),
    roster as (
      select ct.class_id, ct.person_id from class_trainee ct join p on p.class_id = ct.class_id
      where ${personId}::uuid is null or ct.person_id = ${personId}::uuid
    ),
    les as (
      select l.id, l.class_id, l.mode, l.topic, l.room_id, l.starts_at, l.ends_at, tstzrange(l.starts_at, l.ends_at) as span,
             (l.starts_at at time zone 'Asia/Shanghai')::date as day
      from lesson l join p on p.class_id = l.class_id
      where l.mode <> 'online'
    ),
    ev as (
      select e.id, e.person_id, e.room_id, e.event_type, e.occurred_at, e.match_score, e.liveness,
             lead(e.event_type) over w as next_type, lead(e.occurred_at) over w as next_at, lead(e.id) over w as next_id,
             lead(e.match_score) over w as next_score, lead(e.liveness) over w as next_liveness
      from attendance_event e
      where e.event_type in ('check_in', 'check_out')
        and e.person_id in (select person_id from roster)
        and e.room_id in (select room_id from les)
      window w as (partition by e.person_id, e.room_id order by e.occurred_at, e.id)
    ),
    stays as (
      select person_id, room_id, (occurred_at at time zone 'Asia/Shanghai')::date as day, id as in_id, next_id as out_id, tstzrange(occurred_at, next_at) as r,
             least(coalesce(match_score, -1), coalesce(next_score, -1)) as score,
             least(coalesce(liveness, 1), coalesce(next_liveness, 1)) as live
      from ev where event_type = 'check_in' and next_type = 'check_out' and next_at > occurred_at
    ),
    parts as (
      -- Every trainee × lesson once (so a lesson nobody attended still has its row), then each stay and make-up inside a lesson.
      select ro.class_id, ro.person_id, l.id as lesson_id, null::tstzrange as r, null::text as reason, null::text as in_id, null::text as out_id
      from roster ro join les l on l.class_id = ro.class_id
      union all
      select l.class_id, s.person_id, l.id, s.r * l.span, null, s.in_id::text, s.out_id::text
      from stays s
      -- A stay belongs to the lessons of the Beijing day it began (lessons do not run past midnight): room and day are the hash keys.
      join les l on l.room_id = s.room_id and l.day = s.day and s.r && l.span
      join roster ro on ro.class_id = l.class_id and ro.person_id = s.person_id
      join p on p.class_id = l.class_id
      where not p.face_required or (s.score >= p.match_min and s.live >= p.live_min)
      union all
      select mk.class_id, mk.person_id, mk.lesson_id, tstzrange(mk.starts_at, mk.ends_at) * l.span, mk.reason, null, null
      from attendance_makeup mk
      join les l on l.id = mk.lesson_id
      join roster ro on ro.class_id = mk.class_id and ro.person_id = mk.person_id
    ),
    attended as (
      select class_id, person_id, lesson_id, coalesce(range_agg(r), '{}'::tstzmultirange) as m, max(reason) as makeup_reason, ${eventIds} as event_ids
      from parts group by class_id, person_id, lesson_id
    ),
    cov as (
      select l.id as lesson_id, range_agg(tstzrange(rc.starts_at, rc.ends_at) * l.span) as m
      from les l join recording rc on rc.room_id = l.room_id and tstzrange(rc.starts_at, rc.ends_at) && l.span
      group by l.id
    ),
    per_lesson as (
      select a.class_id, a.person_id, a.lesson_id, l.mode, l.topic, l.starts_at, l.ends_at,
             a.m as attended, coalesce(cv.m, '{}'::tstzmultirange) as covered,
             case when p.uncovered_counts then a.m else a.m * coalesce(cv.m, '{}'::tstzmultirange) end as counted,
             a.makeup_reason, a.event_ids
      from attended a
      join les l on l.id = a.lesson_id
      join p on p.class_id = a.class_id
      left join cov cv on cv.lesson_id = a.lesson_id
    ),
    online as (
      select s.class_id, s.person_id,
             count(*) filter (where s.verified) as segments,
             count(*) filter (where not s.verified) as unverified
      from online_segment s join roster ro on ro.class_id = s.class_id and ro.person_id = s.person_id
      group by s.class_id, s.person_id
    ),
    online_union as (
      select s.class_id, s.person_id, range_agg(tstzrange(s.starts_at, s.ends_at)) as m
      from online_segment s join roster ro on ro.class_id = s.class_id and ro.person_id = s.person_id
      where s.verified
      group by s.class_id, s.person_id
    )`;
}

/**
 * Runs an interval query with planner settings fit for it. The planner cannot estimate how many
 * check-ins pair with a check-out (a condition on window-function output), guesses "a handful", and
 * then picks nested loops (or merge joins on one key of three) that compare every stay with every
 * trainee of a class — quadratic at 10^4 trainees. Hash joins on all keys are right for every join
 * here, so the other join methods are switched off for this transaction only, and sorts and hashes
 * get memory instead of spilling to disk.
 */
async function analytic<T>(db: Executor, run: (q: Executor) => Promise<T>): Promise<T> {
  const tune = async (q: Executor) => {
    await sql`set local enable_nestloop = off`.execute(q);
    await sql`set local enable_mergejoin = off`.execute(q);
    await sql`set local work_mem = '256MB'`.execute(q);
    // JIT compilation costs more than it saves for a query that runs once per screen.
    await sql`set local jit = off`.execute(q);
    return run(q);
  };
  return db.isTransaction ? tune(db) : db.transaction().execute(tune);
}

const minutesOf = (expr: string) =>
  sql.raw(
    `coalesce((select sum(extract(epoch from upper(x) - lower(x))) from unnest(${expr}) x), 0) / 60`,
  );

export interface LedgerRow {
  classId: string;
  personId: string;
  theoryMinutes: number;
  practicalMinutes: number;
  onlineMinutes: number;
  theoryHours: number;
  practicalHours: number;
  onlineHours: number;
  onlineHoursCounted: number;
  makeups: number;
}

/** The ledger query itself (exported so the benchmark can EXPLAIN it). */
export function ledgerQuery(params: LedgerClassParams[], personId: string | null = null) {
  return sql<{
    classId: string;
    personId: string;
    theoryMinutes: number;
    practicalMinutes: number;
    onlineMinutes: number;
    offlineMph: number;
    onlineMph: number;
    onlineCap: number;
    makeups: number;
  }>`
    with ${lessonRows(params, personId)},
    summed as (
      -- Durations from the counted pieces, unnested once in FROM (a subquery per row costs several times more).
      select pl.class_id, pl.person_id,
             coalesce(sum(extract(epoch from upper(x) - lower(x))) filter (where pl.mode = 'theory'), 0) / 60 as theory_minutes,
             coalesce(sum(extract(epoch from upper(x) - lower(x))) filter (where pl.mode = 'practical'), 0) / 60 as practical_minutes,
             count(distinct pl.lesson_id) filter (where pl.makeup_reason is not null) as makeups
      from per_lesson pl left join lateral unnest(pl.counted) x on true
      group by pl.class_id, pl.person_id
    )
    select ro.class_id, ro.person_id,
           coalesce(sm.theory_minutes, 0)::float8 as theory_minutes,
           coalesce(sm.practical_minutes, 0)::float8 as practical_minutes,
           coalesce(${minutesOf('ou.m')}, 0)::float8 as online_minutes,
           p.offline_mph, p.online_mph, p.online_cap,
           coalesce(sm.makeups, 0)::int as makeups
    from roster ro
    join p on p.class_id = ro.class_id
    left join summed sm on sm.class_id = ro.class_id and sm.person_id = ro.person_id
    left join online_union ou on ou.class_id = ro.class_id and ou.person_id = ro.person_id
    order by ro.class_id, ro.person_id`;
}

/** Classes per ledger query, and queries at once: sized for a 2-core server (bench/ledger.bench.ts). */
const LEDGER_CHUNK_CLASSES = 100;
const LEDGER_PARALLEL = 2;

/** One row per trainee × class of the given classes (every trainee on the roster, zero hours included). */
export async function computeLedger(
  db: Executor,
  params: LedgerClassParams[],
  personId: string | null = null,
): Promise<LedgerRow[]> {
  if (params.length === 0) return [];
  // A jurisdiction's ledger is computed class-chunk by class-chunk, two at a time on a server (this
  // machine kind has two cores; on the embedded database the pool has one connection and they queue).
  const chunks: LedgerClassParams[][] = [];
  for (let i = 0; i < params.length; i += LEDGER_CHUNK_CLASSES)
    chunks.push(params.slice(i, i + LEDGER_CHUNK_CLASSES));
  const parts: Awaited<ReturnType<ReturnType<typeof ledgerQuery>['execute']>>['rows'][] = new Array(
    chunks.length,
  );
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const i = next++;
      parts[i] = (await analytic(db, (q) => ledgerQuery(chunks[i], personId).execute(q))).rows;
    }
  };
  await Promise.all(
    Array.from({ length: db.isTransaction ? 1 : Math.min(LEDGER_PARALLEL, chunks.length) }, worker),
  );
  const result = { rows: parts.flat() };
  return result.rows.map((r) => {
    const onlineHours = floorHours(r.onlineMinutes / r.onlineMph);
    return {
      classId: r.classId,
      personId: r.personId,
      theoryMinutes: r.theoryMinutes,
      practicalMinutes: r.practicalMinutes,
      onlineMinutes: r.onlineMinutes,
      theoryHours: floorHours(r.theoryMinutes / r.offlineMph),
      practicalHours: floorHours(r.practicalMinutes / r.offlineMph),
      onlineHours,
      onlineHoursCounted: Math.min(onlineHours, floorHours(r.onlineCap)),
      makeups: r.makeups,
    };
  });
}

/** 学时 are reported to two decimals, rounded down: a record never proves more than it shows. */
export function floorHours(h: number): number {
  return Math.floor(h * 100 + 1e-9) / 100;
}

export interface Interval {
  from: string;
  to: string;
}

export interface LessonEvidence {
  lessonId: string;
  mode: string;
  topic: string;
  startsAt: string;
  endsAt: string;
  presence: Interval[];
  coverage: Interval[];
  countedMinutes: number;
  makeupReason: string | null;
  eventIds: string[];
}

const intervalsOf = (expr: string) =>
  sql.raw(
    `coalesce((select json_agg(json_build_object('from', lower(x), 'to', upper(x)) order by lower(x)) from unnest(${expr}) x), '[]'::json)`,
  );

/** The evidence behind one trainee's numbers in one class: per lesson, what was attended, what was on video, what counted. */
export async function ledgerEvidence(db: Executor, params: LedgerClassParams, personId: string) {
  return analytic(db, async (q) => {
    const lessons = await sql<{
      lessonId: string;
      mode: string;
      topic: string;
      startsAt: Date;
      endsAt: Date;
      presence: Interval[];
      coverage: Interval[];
      countedMinutes: number;
      makeupReason: string | null;
      eventIds: string[];
    }>`
    with ${lessonRows([params], personId, true)}
    select lesson_id, mode, topic, starts_at, ends_at, ${intervalsOf('attended')} as presence, ${intervalsOf('covered')} as coverage,
           ${minutesOf('counted')}::float8 as counted_minutes, makeup_reason, event_ids
    from per_lesson order by starts_at`.execute(q);
    const online = await sql<{ verifiedMinutes: number; segments: number; unverified: number }>`
    with ${lessonRows([params], personId)}
    select ${minutesOf('ou.m')}::float8 as verified_minutes, o.segments::int, o.unverified::int
    from online o left join online_union ou on ou.class_id = o.class_id and ou.person_id = o.person_id`.execute(
      q,
    );
    const o = online.rows[0];
    return {
      lessons: lessons.rows.map(
        (r): LessonEvidence => ({
          lessonId: r.lessonId,
          mode: r.mode,
          topic: r.topic,
          startsAt: new Date(r.startsAt).toISOString(),
          endsAt: new Date(r.endsAt).toISOString(),
          presence: r.presence.map(isoInterval),
          coverage: r.coverage.map(isoInterval),
          countedMinutes: Math.round(r.countedMinutes * 100) / 100,
          makeupReason: r.makeupReason,
          eventIds: r.eventIds,
        }),
      ),
      online: {
        verifiedMinutes: Math.round((o?.verifiedMinutes ?? 0) * 100) / 100,
        segments: o?.segments ?? 0,
        unverifiedSegments: o?.unverified ?? 0,
      },
    };
  });
}

function isoInterval(i: Interval): Interval {
  return { from: new Date(i.from).toISOString(), to: new Date(i.to).toISOString() };
}
