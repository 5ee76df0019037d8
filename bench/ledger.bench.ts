/**
 * npm run bench:attendance (second part) — the hours ledger for 5·10^4 trainees: 1,000 classes of 50,
 * each with 16 offline lessons (8 theory + 8 practical, 3 h each), a check-in and a check-out per
 * trainee per lesson (1.6·10^6 attendance events), one recording per lesson with a gap, and verified
 * online segments. The figure is the time of computeLedger over all classes (the same call the
 * class and worker screens make for one), against a plain window-function aggregation over the same
 * events in the same run (the limit: one pass over the events without any interval arithmetic).
 * Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL). Writes bench/results/ledger.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { computeLedger, ledgerParamsFor, ledgerQuery } from '../src/modules/training/ledger.js';
import { createTestDatabase, loadRegions } from '../src/test-support/db.js';
import { buildOrganization } from '../src/test-support/factories.js';

const CLASSES = Number(process.env.BENCH_CLASSES ?? 1000);
const PER_CLASS = 50;
const LESSONS = 16;
if (!process.env.BENCH_DATABASE_URL && !process.env.TEST_DATABASE_URL) {
  console.error('set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server');
  process.exit(2);
}
process.env.TEST_DATABASE_URL ??= process.env.BENCH_DATABASE_URL;

const t = await createTestDatabase('postgresql');
await loadRegions(t.db);
const org = await buildOrganization(t.db, { kind: 'training_institution', regionCode: '370902' });
const s0 = performance.now();
// Set-up in SQL (not measured): persons, rooms, devices, classes, rosters, lessons, events, recordings, online.
await sql`
  insert into person (id, id_number, name, birth_date, gender, region_code)
  select gen_random_uuid(), 'B' || lpad(g::text, 17, '0'), '学员' || g, date '1985-01-01' + (g % 3000), case when g % 2 = 0 then 'female' else 'male' end, '370902'
  from generate_series(1, ${CLASSES * PER_CLASS + 1}) g`.execute(t.db);
const teacher = await t.db
  .selectFrom('person')
  .select('id')
  .where('idNumber', '=', `B${String(CLASSES * PER_CLASS + 1).padStart(17, '0')}`)
  .executeTakeFirstOrThrow();
await sql`
  insert into room (id, organization_id, region_code, name, kind, capacity, area_m2)
  select gen_random_uuid(), ${org.id}::uuid, '370902', '教室' || g, 'theory', 80, 130 from generate_series(1, ${CLASSES}) g`.execute(
  t.db,
);
await sql`
  insert into device (organization_id, room_id, region_code, kind, serial, name)
  select ${org.id}::uuid, r.id, '370902', k, k || '-' || r.name, r.name || k from room r cross join (values ('face_terminal'), ('camera')) v(k)`.execute(
  t.db,
);
await sql`
  insert into training_class (id, organization_id, region_code, code, name, operation_item_code, kind, head_teacher_id, start_date, end_date, syllabus_theory_hours, syllabus_practical_hours)
  select gen_random_uuid(), ${org.id}::uuid, '370902', r.name, r.name, '1.2', 'initial', ${teacher.id}::uuid, date '2026-10-12', date '2026-10-21', 48, 32 from room r`.execute(
  t.db,
);
await sql`
  insert into class_trainee (class_id, person_id, organization_id, region_code)
  select c.id, p.id, c.organization_id, c.region_code
  from (select id, organization_id, region_code, row_number() over (order by code) - 1 as n from training_class) c
  join (select id, row_number() over (order by id_number) - 1 as n from person where id <> ${teacher.id}::uuid) p on p.n / ${PER_CLASS} = c.n`.execute(
  t.db,
);
await sql`
  insert into lesson (class_id, organization_id, region_code, mode, topic, teacher_id, room_id, starts_at, ends_at)
  select c.id, c.organization_id, c.region_code, case when l % 2 = 0 then 'theory' else 'practical' end, '课' || l, ${teacher.id}::uuid, r.id,
         timestamptz '2026-10-12 08:30+08' + (l / 2) * interval '1 day' + (l % 2) * interval '5 hours 30 minutes',
         timestamptz '2026-10-12 11:30+08' + (l / 2) * interval '1 day' + (l % 2) * interval '5 hours 30 minutes'
  from training_class c join room r on r.name = c.code cross join generate_series(0, ${LESSONS - 1}) l`.execute(
  t.db,
);
await sql`
  insert into attendance_event (device_id, device_event_id, organization_id, room_id, region_code, person_id, event_type, occurred_at, received_at, match_score, liveness)
  select d.id, l.id::text || ct.person_id::text || v.t, l.organization_id, l.room_id, l.region_code, ct.person_id, v.t,
         case when v.t = 'check_in' then l.starts_at - interval '7 minutes' else l.ends_at + interval '3 minutes' end, l.ends_at, 0.92, 0.9
  from lesson l join class_trainee ct on ct.class_id = l.class_id
  join device d on d.room_id = l.room_id and d.kind = 'face_terminal'
  cross join (values ('check_in'), ('check_out')) v(t)`.execute(t.db);
await sql`
  insert into recording (organization_id, region_code, room_id, device_id, device_recording_id, starts_at, ends_at, sha256, storage_uri, received_at)
  select l.organization_id, l.region_code, l.room_id, d.id, l.id::text || v.k, case when v.k = 1 then l.starts_at - interval '5 minutes' else l.starts_at + interval '100 minutes' end,
         case when v.k = 1 then l.starts_at + interval '90 minutes' else l.ends_at + interval '5 minutes' end, repeat('a', 64), 'nvr://bench', l.ends_at
  from lesson l join device d on d.room_id = l.room_id and d.kind = 'camera' cross join (values (1), (2)) v(k)`.execute(
  t.db,
);
await sql`
  insert into online_course (id, class_id, organization_id, region_code, title, media_kind, media_url, duration_seconds)
  select gen_random_uuid(), c.id, c.organization_id, c.region_code, '线上课程', 'video', 'x', 72000 from training_class c`.execute(
  t.db,
);
await sql`
  insert into online_session (id, class_id, course_id, person_id, organization_id, region_code, started_at, last_seen_at, ended_at)
  select gen_random_uuid(), ct.class_id, oc.id, ct.person_id, ct.organization_id, ct.region_code, timestamptz '2026-10-12 19:30+08', timestamptz '2026-10-12 21:30+08', timestamptz '2026-10-12 21:30+08'
  from class_trainee ct join online_course oc on oc.class_id = ct.class_id`.execute(t.db);
await sql`
  insert into online_segment (session_id, class_id, person_id, region_code, starts_at, ends_at, position_from, position_to, verified)
  select s.id, s.class_id, s.person_id, s.region_code, s.started_at + k * interval '30 minutes', s.started_at + (k + 1) * interval '30 minutes', k * 1800, (k + 1) * 1800, k <> 2
  from online_session s cross join generate_series(0, 3) k`.execute(t.db);
await sql`analyze`.execute(t.db);
const setupSeconds = (performance.now() - s0) / 1000;
const events = Number(
  (
    await t.db
      .selectFrom('attendanceEvent')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n,
);

const classes = await t.db.selectFrom('trainingClass').selectAll().execute();
const params = await ledgerParamsFor(t.db, classes);

if (process.env.BENCH_EXPLAIN) {
  const plan = await t.db.transaction().execute(async (trx) => {
    await sql`set local enable_nestloop = off`.execute(trx);
    await sql`set local enable_mergejoin = off`.execute(trx);
    await sql`set local work_mem = '256MB'`.execute(trx);
    await sql`set local jit = off`.execute(trx);
    return sql<{
      'QUERY PLAN': string;
    }>`explain (analyze, buffers off) ${ledgerQuery(params)}`.execute(trx);
  });
  console.log(plan.rows.map((r) => Object.values(r)[0]).join('\n'));
}

// The limit: one window-function pass pairing each check-in with the next event, summing minutes per trainee.
const b0 = performance.now();
const baseline = await sql<{ n: number }>`
  select count(*)::int as n from (
    select person_id, sum(extract(epoch from next_at - occurred_at)) as s from (
      select person_id, event_type, occurred_at, lead(occurred_at) over (partition by person_id, room_id order by occurred_at) as next_at from attendance_event
    ) e where event_type = 'check_in' group by person_id
  ) x`.execute(t.db);
const baselineSeconds = (performance.now() - b0) / 1000;

const runs: number[] = [];
let rows = 0;
let sample: unknown = null;
for (let i = 0; i < 3; i++) {
  const l0 = performance.now();
  const ledger = await computeLedger(t.db, params);
  runs.push((performance.now() - l0) / 1000);
  rows = ledger.length;
  sample = ledger[0];
}
await t.close();

const best = Math.min(...runs);
const result = {
  name: 'hours-ledger',
  machine: { cpus: 2, node: process.version },
  classes: CLASSES,
  trainees: rows,
  lessons: CLASSES * LESSONS,
  attendanceEvents: events,
  setupSeconds,
  ledger: { runs, bestSeconds: best, traineesPerSecond: rows / best },
  baselineWindowAggregation: { seconds: baselineSeconds, persons: baseline.rows[0].n },
  ratioLedgerToBaseline: best / baselineSeconds,
  target: { seconds: 10 },
  sampleRow: sample,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/ledger.json', import.meta.url),
  `${JSON.stringify(result, null, 2)}\n`,
);
console.log(JSON.stringify(result, null, 2));
