import { sql, type Transaction } from 'kysely';
import { sealedColumns } from '../modules/training/archive.repository.js';
import { verifyArchiveByRef, writeSeal } from '../modules/training/archive.service.js';
import { type AuditVerifyResult, recordAudit, verifyAuditLog } from '../platform/audit/audit.js';
import { allCheckpoints, type Checkpoint, writeCheckpoint } from '../platform/audit/checkpoint.js';
import { type CheckpointKey, trustedKeyOfCheckpointKey } from '../platform/audit/checkpoint-key.js';
import { actorOfUser } from '../platform/auth/auth.service.js';
import type { Db } from '../platform/db/database.js';
import type { Database } from '../platform/db/schema.js';
import { buildOrganization, buildPerson, buildUser } from './factories.js';
import { rehashChain, storedEntries } from './tamper.js';
import { buildClass, buildLesson, buildRoom, enrol } from './training-factories.js';

/**
 * The randomized tamper campaign of issue 12 point 4: random edits, deletions, truncations and
 * re-hashes of audit entries and sealed archive records, each made as an administrator of the database
 * would (triggers and foreign keys off) after the last checkpoint was signed, each rolled back after
 * checking whether `audit verify` (with a witness's copy of the checkpoints) or `archive verify` of a
 * sealed class notices. The test asserts every one is noticed; `npm run security:tamper` writes the
 * figures into docs/security.md.
 */

export const attackKinds = [
  'audit_edit',
  'audit_delete',
  'audit_delete_tail',
  'audit_truncate',
  'audit_truncate_and_checkpoints',
  'audit_edit_rehash',
  'audit_delete_rehash',
  'audit_edit_rehash_and_checkpoints',
  'archive_edit',
  'archive_delete',
  'archive_edit_reseal',
  'archive_rewrite_reseal_rehash',
  'archive_delete_reseal_rehash_and_checkpoints',
] as const;
export type AttackKind = (typeof attackKinds)[number];

export const attackDescriptions: Record<AttackKind, string> = {
  audit_edit: 'one field of a random audit entry edited',
  audit_delete: 'a random audit entry deleted',
  audit_delete_tail: 'the last 1…n audit entries deleted',
  audit_truncate: 'TRUNCATE audit_log',
  audit_truncate_and_checkpoints:
    'TRUNCATE audit_log and audit_checkpoint (only a witness still knows)',
  audit_edit_rehash: 'an entry edited, then the whole chain re-hashed',
  audit_delete_rehash: 'an entry deleted, then the whole chain re-hashed',
  audit_edit_rehash_and_checkpoints:
    'an entry edited, the chain re-hashed and every checkpoint in the database deleted',
  archive_edit: 'one sealed column of a random sealed archive record edited',
  archive_delete: 'a random sealed archive record deleted',
  archive_edit_reseal: 'an archive record edited and its seal (leaves and root) recomputed',
  archive_rewrite_reseal_rehash:
    'an archive record edited, the seal recomputed, its audit entry rewritten and the chain re-hashed',
  archive_delete_reseal_rehash_and_checkpoints:
    'an archive record deleted, seal and audit entry rewritten, chain re-hashed, database checkpoints deleted',
};

const REGION = '370902';

/** Two sealed classes with their records, some other history, and a signed checkpoint of it all. */
export async function buildTamperFixture(db: Db, key: CheckpointKey) {
  const classIds: string[] = [];
  for (let c = 0; c < 2; c++) {
    const school = await buildOrganization(db, {
      kind: 'training_institution',
      regionCode: REGION,
    });
    const teacher = await buildPerson(db, { name: `王教师${c}` });
    const room = await buildRoom(db, { organizationId: school.id, regionCode: REGION });
    const cls = await buildClass(db, {
      organizationId: school.id,
      regionCode: REGION,
      headTeacherId: teacher.id,
      code: `TAMPER-${c}`,
    });
    const device = await db
      .insertInto('device')
      .values({
        organizationId: school.id,
        roomId: room.id,
        regionCode: REGION,
        kind: 'face_terminal',
        serial: `FT-T${c}`,
        name: `FT-T${c}`,
        tokenId: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const trainees = [];
    for (let i = 0; i < 3; i++) {
      const p = await buildPerson(db, { name: `学员${c}${i}` });
      await enrol(db, cls, p.id);
      trainees.push(p);
    }
    for (let d = 0; d < 2; d++) {
      const day = `2026-11-${String(16 + d).padStart(2, '0')}`;
      await buildLesson(db, cls, {
        teacherId: teacher.id,
        roomId: room.id,
        startsAt: `${day}T08:00:00+08:00`,
        endsAt: `${day}T12:00:00+08:00`,
        topic: `第${d + 1}天理论`,
      });
      for (const [i, p] of trainees.entries())
        for (const [type, at] of [
          ['check_in', `${day}T07:5${i}:00+08:00`],
          ['check_out', `${day}T12:0${i}:00+08:00`],
        ] as const)
          await db
            .insertInto('attendanceEvent')
            .values({
              deviceId: device.id,
              deviceEventId: `${c}-${d}-${i}-${type}`,
              organizationId: school.id,
              roomId: room.id,
              regionCode: REGION,
              personId: p.id,
              eventType: type,
              occurredAt: new Date(at),
              receivedAt: new Date(at),
              matchScore: 0.93,
              liveness: 0.99,
            })
            .execute();
    }
    for (const part of ['teaching_log', 'summary'] as const)
      await db
        .insertInto('classDocument')
        .values({
          classId: cls.id,
          organizationId: school.id,
          regionCode: REGION,
          part,
          title: `${part} 第${c + 1}期`,
          content: `${part} 的内容`,
          createdAt: new Date('2026-11-18T08:00:00Z'),
        })
        .execute();
    const user = await buildUser(db, {
      roles: ['training_institution'],
      organizationId: school.id,
    });
    const actor = (await actorOfUser(db, user.userId))!;
    await db
      .transaction()
      .execute((trx) => writeSeal(trx, actor, cls, new Date('2026-11-20T08:00:00Z')));
    classIds.push(cls.id);
  }
  for (let i = 0; i < 20; i++)
    await db.transaction().execute((trx) =>
      recordAudit(trx, {
        actor: 'system:test',
        action: 'thing.change',
        entityType: 'thing',
        entityId: `t${i}`,
        after: { v: i },
        summary: `change ${i}`,
      }),
    );
  await writeCheckpoint(db, key);
  return { classIds, witness: await allCheckpoints(db) };
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Trx = Transaction<Database>;
const auditColumns = [
  'at',
  'actor',
  'action',
  'entity_type',
  'entity_id',
  'region_code',
  'before_digest',
  'after_digest',
  'summary',
  'prev_hash',
  'hash',
] as const;

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

async function changeColumn(trx: Trx, table: string, column: string, id: string | number) {
  const type = await sql<{ dataType: string }>`
    select data_type from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} and column_name = ${column}`.execute(
    trx,
  );
  const t = type.rows[0]?.dataType ?? 'text';
  const col = sql.ref(column);
  const expr =
    t === 'timestamp with time zone'
      ? sql`coalesce(${col}, now()) + interval '1 minute'`
      : t === 'date'
        ? sql`coalesce(${col}, date '2026-01-01') + 1`
        : /integer|bigint|smallint|numeric|real|double/.test(t)
          ? sql`coalesce(${col}, 0) + 1`
          : t === 'boolean'
            ? sql`not coalesce(${col}, false)`
            : t === 'uuid'
              ? sql`gen_random_uuid()`
              : t === 'jsonb'
                ? sql`jsonb_build_object('forged', coalesce(${col}, 'null'::jsonb))`
                : t === 'USER-DEFINED'
                  ? null
                  : sql`coalesce(${col}::text, '') || '′'`;
  if (!expr) return false;
  const key = table === 'audit_log' ? sql`seq = ${id}::bigint` : sql`id = ${id}`;
  // A check constraint may refuse the value: then the caller picks another column.
  await sql`savepoint change_column`.execute(trx);
  try {
    await sql`update ${sql.table(table)} set ${col} = ${expr} where ${key}`.execute(trx);
    await sql`release savepoint change_column`.execute(trx);
    return true;
  } catch {
    await sql`rollback to savepoint change_column`.execute(trx);
    return false;
  }
}

const ARCHIVE_TABLE_COLUMNS: Record<string, readonly string[]> = {
  training_class: sealedColumns.trainingClass,
  class_trainee: sealedColumns.classTrainee,
  lesson: sealedColumns.lesson,
  attendance_event: sealedColumns.attendanceEvent,
  attendance_makeup: sealedColumns.attendanceMakeup,
  recording: sealedColumns.recording,
  online_course: sealedColumns.onlineCourse,
  online_session: sealedColumns.onlineSession,
  online_face_check: sealedColumns.onlineFaceCheck,
  online_segment: sealedColumns.onlineSegment,
  class_document: sealedColumns.classDocument,
};

/** Rewrites class_seal and the class.seal audit entry to match the archive as it is now. */
async function reseal(trx: Trx, classId: string, rewriteAuditEntry: boolean) {
  const { computeArchive } = await import('../modules/training/archive.service.js');
  const { digestOf } = await import('../platform/audit/canonical.js');
  // The class row itself deleted: there is nothing left to reseal; the deletion is the attack.
  const exists = await trx
    .selectFrom('trainingClass')
    .select('id')
    .where('id', '=', classId)
    .executeTakeFirst();
  if (!exists) return;
  const forged = await computeArchive(trx, classId);
  await sql`update class_seal set leaves = ${JSON.stringify(forged.leaves)}::jsonb, root = ${forged.root} where class_id = ${classId}`.execute(
    trx,
  );
  if (rewriteAuditEntry)
    await sql`update audit_log set
        summary = regexp_replace(summary, 'root=[0-9a-f]{64} leaves=[0-9]+', ${`root=${forged.root} leaves=${forged.leaves.length}`}),
        after_digest = ${digestOf({ root: forged.root, leaves: forged.leaves.length })}
      where action = 'class.seal' and entity_id = ${classId}`.execute(trx);
}

async function apply(trx: Trx, kind: AttackKind, rnd: () => number, classIds: string[]) {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const entries = await storedEntries(trx);
  const entry = pick(entries);
  const archiveRecord = async () => {
    const classId = pick(classIds);
    const seal = await trx
      .selectFrom('classSeal')
      .select('leaves')
      .where('classId', '=', classId)
      .executeTakeFirstOrThrow();
    const leaf = pick(seal.leaves as { kind: string; id: string }[]);
    return { classId, leaf };
  };
  const editArchive = async () => {
    const { classId, leaf } = await archiveRecord();
    const columns = ARCHIVE_TABLE_COLUMNS[leaf.kind].filter((c) => c !== 'id');
    for (;;) if (await changeColumn(trx, leaf.kind, snake(pick(columns)), leaf.id)) break;
    return classId;
  };
  const deleteArchive = async () => {
    const { classId, leaf } = await archiveRecord();
    await sql`delete from ${sql.table(leaf.kind)} where id = ${leaf.id}`.execute(trx);
    return classId;
  };
  switch (kind) {
    case 'audit_edit':
      await changeColumn(trx, 'audit_log', pick(auditColumns), entry.seq);
      return;
    case 'audit_delete':
      await sql`delete from audit_log where seq = ${entry.seq}::bigint`.execute(trx);
      return;
    case 'audit_delete_tail':
      await sql`delete from audit_log where seq >= ${entry.seq}::bigint`.execute(trx);
      return;
    case 'audit_truncate':
      await sql`truncate audit_log`.execute(trx);
      return;
    case 'audit_truncate_and_checkpoints':
      await sql`truncate audit_log, audit_checkpoint`.execute(trx);
      return;
    case 'audit_edit_rehash':
      await changeColumn(trx, 'audit_log', pick(auditColumns.slice(0, 9)), entry.seq);
      await rehashChain(trx);
      return;
    case 'audit_delete_rehash':
      await sql`delete from audit_log where seq = ${entry.seq}::bigint`.execute(trx);
      await rehashChain(trx);
      return;
    case 'audit_edit_rehash_and_checkpoints':
      await changeColumn(trx, 'audit_log', pick(auditColumns.slice(0, 9)), entry.seq);
      await rehashChain(trx);
      await sql`delete from audit_checkpoint`.execute(trx);
      return;
    case 'archive_edit':
      await editArchive();
      return;
    case 'archive_delete':
      await deleteArchive();
      return;
    case 'archive_edit_reseal':
      await reseal(trx, await editArchive(), false);
      return;
    case 'archive_rewrite_reseal_rehash':
      await reseal(trx, await editArchive(), true);
      await rehashChain(trx);
      return;
    case 'archive_delete_reseal_rehash_and_checkpoints':
      await reseal(trx, await deleteArchive(), true);
      await rehashChain(trx);
      await sql`delete from audit_checkpoint`.execute(trx);
      return;
  }
}

export interface Detection {
  audit: AuditVerifyResult;
  archives: { classId: string; ok: boolean }[];
  detected: boolean;
}

export async function detect(
  trx: Trx | Db,
  classIds: string[],
  key: CheckpointKey,
  witness: Checkpoint[],
): Promise<Detection> {
  const audit = await verifyAuditLog(trx, {
    trustedKeys: [trustedKeyOfCheckpointKey(key)],
    fileCheckpoints: witness,
  });
  const archives = [];
  for (const classId of classIds) {
    const r = await verifyArchiveByRef(trx, classId);
    archives.push({ classId, ok: r.outcome === 'verified' && r.result.ok });
  }
  return { audit, archives, detected: !audit.ok || archives.some((a) => !a.ok) };
}

export interface CampaignResult {
  trials: number;
  detected: number;
  byKind: Record<AttackKind, { trials: number; detected: number }>;
  missed: { trial: number; kind: AttackKind }[];
}

/** `trials` random attacks, each in a savepoint rolled back after `detect`. */
export async function runCampaign(
  db: Db,
  fixture: { classIds: string[]; witness: Checkpoint[] },
  key: CheckpointKey,
  opts: { trials: number; seed: number },
): Promise<CampaignResult> {
  const rnd = prng(opts.seed);
  const byKind = Object.fromEntries(
    attackKinds.map((k) => [k, { trials: 0, detected: 0 }]),
  ) as CampaignResult['byKind'];
  const missed: CampaignResult['missed'] = [];
  let detected = 0;
  const rollback = new Error('rollback');
  await db
    .transaction()
    .execute(async (trx) => {
      for (let i = 0; i < opts.trials; i++) {
        // Every kind in turn, then at random: each kind is tried, and the mix is not fixed.
        const kind =
          i < attackKinds.length
            ? attackKinds[i]
            : attackKinds[Math.floor(rnd() * attackKinds.length)];
        await sql`savepoint attack`.execute(trx);
        await sql`set local session_replication_role = replica`.execute(trx);
        await apply(trx, kind, rnd, fixture.classIds);
        await sql`set local session_replication_role = origin`.execute(trx);
        const d = await detect(trx, fixture.classIds, key, fixture.witness);
        await sql`rollback to savepoint attack`.execute(trx);
        byKind[kind].trials++;
        if (d.detected) {
          detected++;
          byKind[kind].detected++;
        } else missed.push({ trial: i, kind });
      }
      throw rollback;
    })
    .catch((err) => {
      if (err !== rollback) throw err;
    });
  return { trials: opts.trials, detected, byKind, missed };
}
