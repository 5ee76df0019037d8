/**
 * npm run bench:attendance — terminal uploads of 10^6 attendance events (batches of 1,000, idempotency
 * on, through the same service the HTTP route calls) into PostgreSQL, against raw COPY of the same rows
 * into the same table in the same run. Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL): a server where
 * the user may create databases. Writes bench/results/attendance.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import copyStreams from 'pg-copy-streams';
import { makeIdNumber } from '../src/modules/registry/identifiers.rules.js';
import { uploadAttendance } from '../src/modules/training/attendance.service.js';
import type { Actor } from '../src/platform/auth/actor.js';
import { createTestDatabase, loadRegions } from '../src/test-support/db.js';
import { buildOrganization } from '../src/test-support/factories.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH = 1000;
const PERSONS = 2000;
if (!process.env.BENCH_DATABASE_URL && !process.env.TEST_DATABASE_URL) {
  console.error('set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server');
  process.exit(2);
}
process.env.TEST_DATABASE_URL ??= process.env.BENCH_DATABASE_URL;

const t = await createTestDatabase('postgresql');
await loadRegions(t.db);
const org = await buildOrganization(t.db, { kind: 'training_institution', regionCode: '370902' });
const personRows = Array.from({ length: PERSONS }, (_, i) => {
  const birthDate = new Date(Date.UTC(1970, 0, 1 + i)).toISOString().slice(0, 10);
  const idNumber = makeIdNumber({ regionCode6: '370902', birthDate, sequence: i % 1000 });
  return {
    idNumber,
    name: `学员${i}`,
    birthDate,
    gender: (Number(idNumber[16]) % 2 === 1 ? 'male' : 'female') as 'male' | 'female',
    regionCode: '370902',
  };
});
const persons = await t.db
  .insertInto('person')
  .values(personRows)
  .returning(['id', 'idNumber'])
  .execute();
const room = await t.db
  .insertInto('room')
  .values({
    organizationId: org.id,
    regionCode: '370902',
    name: '理论教室',
    kind: 'theory',
    capacity: 80,
    areaM2: 130,
  })
  .returning('id')
  .executeTakeFirstOrThrow();
const token = await t.db
  .insertInto('apiToken')
  .values({ organizationId: org.id, name: 'bench', tokenHash: 'bench', scopes: ['devices:write'] })
  .returning('id')
  .executeTakeFirstOrThrow();
const device = await t.db
  .insertInto('device')
  .values({
    organizationId: org.id,
    roomId: room.id,
    regionCode: '370902',
    kind: 'face_terminal',
    serial: 'B-1',
    name: 'bench',
    tokenId: token.id,
  })
  .returning('id')
  .executeTakeFirstOrThrow();
const actor: Actor = {
  userId: null,
  tokenId: token.id,
  displayName: 'bench',
  roles: [],
  organizationId: org.id,
  organizationKind: 'training_institution',
  organizationName: 'bench',
  regionCode: '370902',
  personId: null,
  tokenScopes: ['devices:write'],
  scope: { kind: 'organization', organizationId: org.id },
};

const now = new Date('2026-11-20T08:00:00Z');
const event = (i: number) => ({
  eventId: `ev-${i}`,
  type: i % 3 === 0 ? 'check_out' : 'check_in',
  idNumber: persons[i % PERSONS].idNumber,
  occurredAt: new Date(now.getTime() - 86_400_000 + (i % 86_000) * 1000).toISOString(),
  matchScore: 0.9,
  liveness: 0.98,
});

// 1. Upload through the service, batch by batch.
const t0 = performance.now();
let accepted = 0;
for (let i = 0; i < TOTAL; i += BATCH) {
  const batch = [];
  for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) batch.push(event(j));
  accepted += (await uploadAttendance(t.db, actor, batch, now)).accepted;
}
const uploadSeconds = (performance.now() - t0) / 1000;
// A retried batch must be all duplicates.
const retry = await uploadAttendance(
  t.db,
  actor,
  Array.from({ length: BATCH }, (_, j) => event(j)),
  now,
);

// 2. Raw COPY of the same rows into the same table (after emptying it), same run, same server.
await sql`truncate attendance_event`.execute(t.db);
const client = await t.pool.connect();
const c0 = performance.now();
try {
  const stream = client.query(
    copyStreams.from(
      'COPY attendance_event (device_id, device_event_id, organization_id, room_id, region_code, person_id, event_type, occurred_at, received_at, match_score, liveness) FROM STDIN',
    ),
  );
  async function* rows() {
    for (let i = 0; i < TOTAL; i += BATCH) {
      let chunk = '';
      for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) {
        const e = event(j);
        chunk += `${device.id}\t${e.eventId}\t${org.id}\t${room.id}\t370902\t${persons[j % PERSONS].id}\t${e.type}\t${e.occurredAt}\t${now.toISOString()}\t0.9\t0.98\n`;
      }
      yield chunk;
    }
  }
  await pipeline(Readable.from(rows()), stream);
} finally {
  client.release();
}
const copySeconds = (performance.now() - c0) / 1000;
const copied = Number(
  (
    await t.db
      .selectFrom('attendanceEvent')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n,
);
await t.close();

const result = {
  name: 'attendance-upload',
  machine: { cpus: 2, node: process.version },
  events: TOTAL,
  batch: BATCH,
  upload: {
    accepted,
    seconds: uploadSeconds,
    rowsPerSecond: accepted / uploadSeconds,
    retryDuplicates: retry.duplicates,
  },
  copy: { rows: copied, seconds: copySeconds, rowsPerSecond: copied / copySeconds },
  ratioUploadToCopy: accepted / uploadSeconds / (copied / copySeconds),
  target: 0.5,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/attendance.json', import.meta.url),
  `${JSON.stringify(result, null, 2)}\n`,
);
console.log(JSON.stringify(result, null, 2));
