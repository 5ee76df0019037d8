import { strToU8, zipSync } from 'fflate';
import { beijingTime } from '../../catalog/calendar.js';
import { anchorOfEntry, entryHash, recordAudit } from '../../platform/audit/audit.js';
import { digestOf } from '../../platform/audit/canonical.js';
import {
  checkpointKeyFromEnv,
  trustedKeyOfCheckpointKey,
} from '../../platform/audit/checkpoint-key.js';
import type { Actor } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden } from '../../platform/errors.js';
import type { ArchiveDocumentCreate, ArchiveVerifyResult } from './archive.contract.js';
import * as repo from './archive.repository.js';
import {
  type ArchivePartStatus,
  archiveChecklist,
  canonicalize,
  diffLeaves,
  fieldChanges,
  type LeafRef,
  leafHash,
  lessonOfEvent,
  recordLabel,
  sealRoot,
  sortLeaves,
  VERIFY_ARCHIVE_SCRIPT,
} from './archive.rules.js';
import { assertInstitutionOf, assertOpen, findVisibleClass } from './classes.access.js';
import type { SealedRecord, SealLeaf } from './classes.table.js';

type ClassRow = {
  id: string;
  code: string;
  name: string;
  status: 'open' | 'closed';
  organizationId: string;
  regionCode: string;
};

/** The archive as it is now: rows, records, leaves (sorted) and their root. */
async function currentArchive(db: Executor, classId: string) {
  const rows = await repo.loadArchiveRows(db, classId);
  const records = repo.archiveRecords(rows);
  const leaves: SealLeaf[] = sortLeaves(
    records.map((r) => ({ kind: r.kind, id: r.id, hash: leafHash(r.kind, r.id, r.record) })),
  );
  return { rows, records, leaves, root: sealRoot(leaves) };
}

/** Exported for tests (a forged re-seal) and the CLI: the leaves and root of the class's records now. */
export async function computeArchive(db: Executor, classId: string) {
  const { leaves, root } = await currentArchive(db, classId);
  return { leaves, root };
}

/**
 * The archive state of many classes at once, for detection (T11): which parts of 一期一档 are
 * missing, and — for a sealed class — what differs between its sealed manifest and its records now.
 * One query per table over all the classes (archive.repository loadArchiveRowsOf), never per class.
 */
export async function archiveStates(db: Executor, classIds: readonly string[]) {
  if (classIds.length === 0) return [];
  const all = await repo.loadArchiveRowsOf(db, classIds);
  const rooms = new Map(
    (
      await repo.roomNames(db, [
        ...new Set(
          [...all.values()].flatMap((r) =>
            r.lessons.map((l) => l.roomId).filter((x): x is string => x !== null),
          ),
        ),
      ])
    ).map((r) => [r.id, r.name]),
  );
  const seals = new Map((await repo.findSeals(db, classIds)).map((s) => [s.classId, s]));
  return [...all.entries()].map(([classId, rows]) => {
    const parts = archiveChecklist({
      lessons: rows.lessons.map((l) => ({
        ...l,
        roomName: l.roomId ? (rooms.get(l.roomId) ?? null) : null,
      })),
      traineeCount: rows.trainees.length,
      events: rows.events,
      makeups: rows.makeups,
      recordings: rows.recordings,
      documents: rows.documents,
    });
    const seal = seals.get(classId);
    if (!seal) return { classId, parts, seal: null };
    const records = repo.archiveRecords(rows);
    const leaves = sortLeaves(
      records.map((r) => ({ kind: r.kind, id: r.id, hash: leafHash(r.kind, r.id, r.record) })),
    );
    const labels = new Map(
      records.map((r) => [`${r.kind}\u0000${r.id}`, recordLabel(r.kind, r.record)]),
    );
    const named = (refs: LeafRef[]) =>
      refs.map((r) => ({ ...r, label: labels.get(`${r.kind}\u0000${r.id}`) ?? null }));
    const diff = diffLeaves(seal.leaves, leaves);
    return {
      classId,
      parts,
      seal: {
        sealedAt: seal.sealedAt,
        root: seal.root,
        manifestIntact: sealRoot(seal.leaves) === seal.root,
        changed: named(diff.changed),
        added: named(diff.added),
        removed: diff.removed.map((r) => ({ ...r, label: null })),
      },
    };
  });
}

async function checklistOf(db: Executor, rows: repo.ArchiveRows): Promise<ArchivePartStatus[]> {
  const rooms = new Map(
    (
      await repo.roomNames(db, [
        ...new Set(rows.lessons.map((l) => l.roomId).filter((r): r is string => r !== null)),
      ])
    ).map((r) => [r.id, r.name]),
  );
  return archiveChecklist({
    lessons: rows.lessons.map((l) => ({
      ...l,
      roomName: l.roomId ? (rooms.get(l.roomId) ?? null) : null,
    })),
    traineeCount: rows.trainees.length,
    events: rows.events,
    makeups: rows.makeups,
    recordings: rows.recordings,
    documents: rows.documents,
  });
}

function sealView(seal: { root: string; sealedAt: Date; leaves: SealLeaf[] } | undefined) {
  return seal
    ? { root: seal.root, sealedAt: seal.sealedAt.toISOString(), leaves: seal.leaves.length }
    : null;
}

/** GET /api/classes/:id/archive — which parts of 一期一档 are there and what is missing; the seal once closed. */
export async function getArchiveChecklist(db: Executor, actor: Actor, classId: string) {
  const cls = await findVisibleClass(db, actor, classId);
  const rows = await repo.loadArchiveRows(db, cls.id);
  const parts = await checklistOf(db, rows);
  return {
    classId: cls.id,
    code: cls.code,
    name: cls.name,
    status: cls.status,
    complete: parts.every((p) => p.present),
    parts,
    seal: sealView(await repo.findSeal(db, cls.id)),
  };
}

/** Files one archive document (课件清单, 教学日志…) of an open class; only the class's institution. */
export async function addClassDocument(
  db: Executor,
  actor: Actor,
  classId: string,
  input: ArchiveDocumentCreate,
  now: Date,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const visible = await findVisibleClass(trx, actor, classId);
    assertInstitutionOf(actor, visible);
    // Serialize with closing: a document written while the class is being sealed would be outside the seal.
    await repo.lockClass(trx, visible.id);
    const cls = await findVisibleClass(trx, actor, classId);
    assertOpen(cls);
    const row = await repo.insertDocument(trx, {
      classId: cls.id,
      organizationId: cls.organizationId,
      regionCode: cls.regionCode,
      part: input.part,
      title: input.title,
      content: input.content,
      createdBy: actor.userId,
      createdAt: now,
    });
    await recordAudit(trx, {
      actor,
      action: 'class.document.add',
      entityType: 'class_document',
      entityId: row.id,
      regionCode: cls.regionCode,
      after: { classId: cls.id, part: input.part, title: input.title, content: input.content },
      summary: `${cls.code} ${input.part} ${input.title}`,
      requestId,
      at: now,
    });
    return { id: row.id, part: row.part, title: row.title, createdAt: row.createdAt.toISOString() };
  });
}

/**
 * 结业封档: refuses (422, one detail per missing part) unless the archive is complete; otherwise, in
 * one transaction, closes the class, hashes every record of the archive into a leaf, stores the
 * Merkle root and the leaf manifest in class_seal, and writes the root into the audit log.
 */
export async function closeClass(
  db: Executor,
  actor: Actor,
  classId: string,
  now: Date,
  requestId?: string,
) {
  return transaction(db, async (trx) => {
    const visible = await findVisibleClass(trx, actor, classId);
    assertInstitutionOf(actor, visible);
    await repo.lockClass(trx, visible.id);
    const cls = await findVisibleClass(trx, actor, classId);
    assertOpen(cls);

    const parts = await checklistOf(trx, await repo.loadArchiveRows(trx, cls.id));
    const missing = parts.filter((p) => !p.present);
    if (missing.length > 0) {
      throw new DomainError(
        'rule_violation',
        `一期一档不完整，不能结业封档：缺 ${missing.map((p) => p.label).join('、')}`,
        missing.map((p) => ({
          path: `archive.${p.part}`,
          message: `${p.label}：${p.missing.join('；')}`,
          code: `archive_${p.part}_missing`,
        })),
      );
    }

    return writeSeal(trx, actor, cls, now, requestId);
  });
}

/**
 * The sealing itself, inside the caller's transaction with the class locked: closes the class, hashes
 * every record into a leaf, stores root and leaves in class_seal and the root in the audit log.
 * closeClass calls it once the checklist is complete; tests that attack seals call it directly.
 */
export async function writeSeal(
  trx: Executor,
  actor: Actor | string,
  cls: { id: string; code: string; regionCode: string },
  now: Date,
  requestId?: string,
) {
  await repo.closeClassRow(trx, cls.id, now);
  // Collected after the status change, so the sealed class row says 'closed' with its closed_at.
  const { leaves, root, records } = await currentArchive(trx, cls.id);
  await repo.insertSeal(trx, {
    classId: cls.id,
    root,
    leaves,
    sealedAt: now,
    sealedBy: typeof actor === 'string' ? null : actor.userId,
    records: records.map((r) => ({
      kind: r.kind,
      id: r.id,
      record: canonicalize(r.record) as Record<string, unknown>,
    })),
  });
  await recordAudit(trx, {
    actor,
    action: 'class.seal',
    entityType: 'training_class',
    entityId: cls.id,
    regionCode: cls.regionCode,
    before: { status: 'open' },
    after: { root, leaves: leaves.length },
    summary: `一期一档封档 root=${root} leaves=${leaves.length} class=${cls.code}`,
    requestId,
    at: now,
  });
  return { classId: cls.id, root, sealedAt: now.toISOString(), leaves: leaves.length };
}

// ——— verify ———

const ROOT_IN_SUMMARY = /root=([0-9a-f]{64})/;

type SealAuditEntry = NonNullable<Awaited<ReturnType<typeof repo.findSealAuditEntry>>>;

/** Exactly the fields the audit chain hashes (platform/audit/audit.ts entryHash), nothing else. */
function auditEntryFields(e: SealAuditEntry) {
  return {
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    regionCode: e.regionCode,
    beforeDigest: e.beforeDigest,
    afterDigest: e.afterDigest,
    summary: e.summary,
    prevHash: e.prevHash,
  };
}

const key = (kind: string, id: string) => `${kind}\u0000${id}`;

/**
 * How a person reads a record named by verify: whose it is (trainee, teacher), which lesson, what it
 * is, and — from the sealed copy, when that copy still hashes to its sealed leaf — which fields
 * changed from what to what. Removed records are read from their sealed copy alone.
 */
async function explainer(
  db: Executor,
  now: Awaited<ReturnType<typeof currentArchive>>,
  seal: { leaves: SealLeaf[]; records: SealedRecord[] | null } | undefined,
) {
  const sealedHash = new Map((seal?.leaves ?? []).map((l) => [key(l.kind, l.id), l.hash]));
  const sealed = new Map<string, Record<string, unknown>>();
  for (const r of seal?.records ?? [])
    if (leafHash(r.kind, r.id, r.record) === sealedHash.get(key(r.kind, r.id)))
      sealed.set(key(r.kind, r.id), r.record);
  const current = new Map(now.records.map((r) => [key(r.kind, r.id), r.record]));
  const records = [...current.values(), ...sealed.values()];
  const ids = (field: string) =>
    records.flatMap((r) => (typeof r[field] === 'string' ? [r[field] as string] : []));
  const names = new Map<string, string>([
    ...(
      await repo.personNames(db, [
        ...new Set([...ids('personId'), ...ids('teacherId'), ...ids('headTeacherId')]),
      ])
    ).map((p) => [p.id, p.name] as [string, string]),
    ...(await repo.roomNames(db, [...new Set(ids('roomId'))])).map(
      (r) => [r.id, r.name] as [string, string],
    ),
  ]);
  const lessons = now.rows.lessons;
  const lessonName = (l: (typeof lessons)[number] | undefined) =>
    l ? recordLabel('lesson', l as unknown as Record<string, unknown>) : null;
  return (ref: LeafRef, how: 'changed' | 'added' | 'removed') => {
    const before = sealed.get(key(ref.kind, ref.id));
    const after = current.get(key(ref.kind, ref.id));
    const record = after ?? before;
    const personId = record && typeof record.personId === 'string' ? record.personId : null;
    const lesson =
      ref.kind === 'lesson'
        ? null
        : ref.kind === 'attendance_makeup'
          ? lessonName(lessons.find((l) => l.id === record?.lessonId))
          : ref.kind === 'attendance_event' || ref.kind === 'recording'
            ? lessonName(
                lessonOfEvent(lessons, record?.roomId, record?.occurredAt ?? record?.startsAt),
              )
            : null;
    const changes = how === 'changed' && before && after ? fieldChanges(before, after, names) : [];
    const label = record ? recordLabel(ref.kind, record) : null;
    const person = personId ? (names.get(personId) ?? null) : null;
    const verb = { changed: '封档后被修改', added: '封档后新增', removed: '封档后被删除' }[how];
    const description = [
      person,
      lesson,
      `${recordKindLabels[ref.kind] ?? ref.kind}${label ? ` ${label}` : ''}`,
    ]
      .filter(Boolean)
      .join(' · ')
      .concat(
        `：${verb}`,
        changes.length > 0
          ? `，${changes.map((c) => `${c.field}由「${c.before}」改为「${c.after}」`).join('；')}`
          : '',
      );
    return { ...ref, label, person, lesson, changes, description };
  };
}

/** What each kind of archive record is called. */
const recordKindLabels: Record<string, string> = {
  training_class: '培训班',
  class_trainee: '学员名册记录',
  lesson: '课程',
  attendance_event: '考勤记录',
  attendance_makeup: '补录记录',
  recording: '录像',
  online_course: '线上课程',
  online_session: '线上学习记录',
  online_face_check: '线上人脸抽查',
  online_segment: '线上学时记录',
  class_document: '档案文件',
};

/** Recomputes the archive of a sealed class and compares it with class_seal and the audit log entry. */
async function verifySealed(db: Executor, cls: ClassRow): Promise<ArchiveVerifyResult> {
  const seal = await repo.findSeal(db, cls.id);
  const entry = await repo.findSealAuditEntry(db, cls.id);
  if (!seal && !entry)
    throw new DomainError('conflict', `培训班 ${cls.code} 尚未结业封档，没有可校验的档案`);
  const now = await currentArchive(db, cls.id);
  const explain = await explainer(db, now, seal);

  const problems: { code: string; message: string }[] = [];
  const manifestRoot = seal ? sealRoot(seal.leaves) : null;
  const auditRoot = entry?.summary?.match(ROOT_IN_SUMMARY)?.[1] ?? null;
  if (!seal)
    problems.push({
      code: 'seal_missing',
      message: '封档清单（class_seal）不存在，但审计日志记录了此班的封档',
    });
  if (seal && manifestRoot !== seal.root)
    problems.push({
      code: 'manifest_root_mismatch',
      message: `封档清单的叶子算出的根 ${manifestRoot} 与清单记载的根 ${seal.root} 不符`,
    });
  if (!entry) {
    problems.push({
      code: 'audit_entry_missing',
      message: '审计日志中没有此班的封档记录（class.seal），封档清单无从核对',
    });
  } else {
    const recomputed = entryHash(auditEntryFields(entry));
    if (recomputed !== entry.hash)
      problems.push({
        code: 'audit_entry_altered',
        message: `审计日志第 ${entry.seq} 条（class.seal）与其哈希不符`,
      });
    if (
      seal &&
      (entry.afterDigest !== digestOf({ root: manifestRoot, leaves: seal.leaves.length }) ||
        auditRoot !== manifestRoot)
    ) {
      problems.push({
        code: 'audit_mismatch',
        message: `封档清单与审计日志不符（manifest does not match the audit log）：清单算出的根 ${manifestRoot}，审计日志第 ${entry.seq} 条记载的根 ${auditRoot ?? '无'}`,
      });
    }
  }
  // The seal's entry must be part of the history a signed checkpoint attests: an archive rewritten
  // together with its seal, its audit entry and a recomputed chain no longer reaches the signed head.
  let anchoredBy: { seq: string; at: string } | null = null;
  if (entry) {
    const anchor = await anchorOfEntry(db, entry.seq, [
      trustedKeyOfCheckpointKey(checkpointKeyFromEnv()),
    ]);
    if (anchor.status === 'anchored') anchoredBy = anchor.checkpoint;
    else if (anchor.status === 'broken')
      problems.push({
        code: 'audit_checkpoint_mismatch',
        message: `审计日志第 ${entry.seq} 条（封档记录）到已签名检查点（第 ${anchor.checkpoint.seq} 条，${anchor.checkpoint.at}）之间的哈希链不成立（第 ${anchor.seq} 条：${anchor.reason}）：封档记录或其后的日志被改写`,
      });
  }
  const diff = seal ? diffLeaves(seal.leaves, now.leaves) : { changed: [], added: [], removed: [] };
  const changed = diff.changed.map((r) => explain(r, 'changed'));
  const added = diff.added.map((r) => explain(r, 'added'));
  const removed = diff.removed.map((r) => explain(r, 'removed'));
  return {
    classId: cls.id,
    code: cls.code,
    ok: problems.length === 0 && changed.length === 0 && added.length === 0 && removed.length === 0,
    sealedAt: seal ? seal.sealedAt.toISOString() : null,
    root: seal?.root ?? null,
    manifestRoot,
    auditRoot,
    auditSeq: entry?.seq ?? null,
    anchoredBy,
    currentRoot: now.root,
    leaves: seal?.leaves.length ?? 0,
    records: now.leaves.length,
    changed,
    added,
    removed,
    problems,
  };
}

/** GET /api/classes/:id/archive/verify */
export async function verifyClassArchive(
  db: Executor,
  actor: Actor,
  classId: string,
): Promise<ArchiveVerifyResult> {
  const cls = await findVisibleClass(db, actor, classId);
  return verifySealed(db, cls);
}

export type ArchiveRefOutcome =
  | { outcome: 'not_found' }
  | { outcome: 'ambiguous'; classes: { id: string; code: string; organizationName: string }[] }
  | { outcome: 'not_sealed'; code: string; message: string }
  | { outcome: 'verified'; name: string; result: ArchiveVerifyResult };

/** `zhenxun archive verify CLASS` (the system, no actor): CLASS is the class id or its code. */
export async function verifyArchiveByRef(db: Executor, ref: string): Promise<ArchiveRefOutcome> {
  const found = await repo.findClassesByRef(db, ref);
  if (found.length === 0) return { outcome: 'not_found' };
  if (found.length > 1)
    return {
      outcome: 'ambiguous',
      classes: found.map((c) => ({ id: c.id, code: c.code, organizationName: c.organizationName })),
    };
  const cls = found[0];
  try {
    return { outcome: 'verified', name: cls.name, result: await verifySealed(db, cls) };
  } catch (e) {
    if (e instanceof DomainError && e.code === 'conflict')
      return { outcome: 'not_sealed', code: cls.code, message: e.message };
    throw e;
  }
}

// ——— zip export ———

function csvField(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** ISO 8601 with the Beijing offset, so Excel users read local times and the instant stays exact. */
function beijingIso(at: Date): string {
  return `${beijingTime(at).replace(' ', 'T')}:${String(at.getUTCSeconds()).padStart(2, '0')}+08:00`;
}

/**
 * GET /api/classes/:id/archive.zip — the sealed archive as a zip anyone can check offline:
 * archive.json (every record), manifest.json (root, leaves, the audit entry), evidence.csv
 * (recordings), verify-archive.mjs (the dependency-free verifier) and README.txt (procedure).
 * The institution of the class and the jurisdiction only: the archive carries every trainee's records.
 */
export async function exportArchiveZip(db: Executor, actor: Actor, classId: string, now: Date) {
  const cls = await findVisibleClass(db, actor, classId);
  if (actor.scope.kind !== 'region' && actor.organizationId !== cls.organizationId)
    throw forbidden('只有本培训机构和监管部门可以导出培训班档案');
  const seal = await repo.findSeal(db, cls.id);
  const entry = await repo.findSealAuditEntry(db, cls.id);
  if (cls.status !== 'closed' || !seal || !entry)
    throw new DomainError('conflict', `培训班 ${cls.code} 尚未结业封档，不能导出档案包`);
  const org = await repo.organizationOf(db, cls.organizationId);
  const { rows, records } = await currentArchive(db, cls.id);

  const archive = {
    format: 'zhenxun-class-archive/1',
    class: { id: cls.id, code: cls.code, name: cls.name },
    exportedAt: now.toISOString(),
    records: records.map((r) => ({
      kind: r.kind,
      id: r.id,
      label: recordLabel(r.kind, r.record),
      record: canonicalize(r.record),
    })),
  };
  archive.records.sort((a, b) =>
    a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  const manifest = {
    format: 'zhenxun-class-archive/1',
    class: {
      id: cls.id,
      code: cls.code,
      name: cls.name,
      institution: { id: org.id, name: org.name, creditCode: org.creditCode },
    },
    root: seal.root,
    sealedAt: seal.sealedAt.toISOString(),
    sealedBy: seal.sealedBy,
    leaves: sortLeaves(seal.leaves).map((l) => ({ kind: l.kind, id: l.id, hash: l.hash })),
    audit: {
      seq: entry.seq,
      hash: entry.hash,
      entry: auditEntryFields(entry),
    },
  };

  const rooms = new Map(
    (await repo.roomNames(db, [...new Set(rows.recordings.map((r) => r.roomId))])).map((r) => [
      r.id,
      r.name,
    ]),
  );
  const csv = [
    ['录像ID', '教室', '开始时间', '结束时间', 'SHA-256', '存储位置', '文件大小（字节）'],
    ...[...rows.recordings]
      .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
      .map((r) => [
        r.id,
        rooms.get(r.roomId) ?? r.roomId,
        beijingIso(r.startsAt),
        beijingIso(r.endsAt),
        r.sha256,
        r.storageUri,
        r.sizeBytes === null ? null : String(r.sizeBytes),
      ]),
  ]
    .map((line) => line.map(csvField).join(','))
    .join('\r\n');

  const files: Record<string, Uint8Array> = {
    'README.txt': strToU8(
      readme({
        code: cls.code,
        name: cls.name,
        institution: org.name,
        root: seal.root,
        sealedAt: seal.sealedAt,
        seq: entry.seq,
        hash: entry.hash,
        records: records.length,
      }),
    ),
    'archive.json': strToU8(`${JSON.stringify(archive, null, 2)}\n`),
    'manifest.json': strToU8(`${JSON.stringify(manifest, null, 2)}\n`),
    'evidence.csv': strToU8(`\uFEFF${csv}\r\n`),
    'verify-archive.mjs': strToU8(VERIFY_ARCHIVE_SCRIPT),
  };
  return { filename: `archive-${cls.code}.zip`, bytes: zipSync(files, { level: 6, mtime: now }) };
}

function readme(o: {
  code: string;
  name: string;
  institution: string;
  root: string;
  sealedAt: Date;
  seq: string;
  hash: string;
  records: number;
}): string {
  return [
    '真训 ZhenXun —— 培训班电子档案包（一期一档）',
    '',
    `培训班：${o.code} ${o.name}`,
    `培训机构：${o.institution}`,
    `封档时间：${beijingTime(o.sealedAt)}（北京时间）`,
    `Merkle 根：${o.root}`,
    `审计日志：第 ${o.seq} 条，哈希 ${o.hash}`,
    `记录数：${o.records}`,
    '',
    '一、文件说明',
    '  archive.json        全部档案记录：每条含 kind（数据表名）、id、label（便于阅读的说明，不参与计算）和 record（记录内容）',
    '  manifest.json       封档清单：培训班、机构、Merkle 根、封档时间、每条记录的叶子哈希，以及记载该根的审计日志条目',
    '  evidence.csv        培训录像证据清单：教室、起止时间、SHA-256、存储位置（UTF-8，可直接用 Excel 打开）',
    '  verify-archive.mjs  离线校验脚本（不依赖任何软件包，可用文本编辑器阅读）',
    '  README.txt          本说明',
    '',
    '二、离线校验步骤',
    '  1. 在任意电脑上安装 Node.js 18 或更高版本（https://nodejs.org），校验过程无需联网。',
    '  2. 解压本档案包，在解压后的目录中打开命令行，运行：node verify-archive.mjs',
    '  3. 输出以 OK 开头、退出码为 0：archive.json 中的每条记录与封档时完全一致，清单与审计日志条目相符。',
    '  4. 输出 CHANGED / ADDED / MISSING / ROOT / MANIFEST / AUDIT 行、退出码为 1：档案在封档后被改动，',
    '     每行写明改动的记录（数据表名、id 及课程名称、时间等说明）。',
    `  5. 核对审计日志：请监管部门在平台上运行 npx zhenxun audit verify 确认审计链完整，并核对第 ${o.seq} 条的哈希与上文一致；`,
    `     也可在平台上运行 npx zhenxun archive verify ${o.code} 直接校验数据库中的档案。`,
    '  6. 核对录像：按 evidence.csv 的存储位置取得录像文件，计算其 SHA-256 并与表中数值比对',
    '     （Windows：certutil -hashfile 文件名 SHA256；Linux/macOS：sha256sum 文件名）。',
    '',
    '三、计算规则',
    '  规范 JSON：对象的键按 UTF-16 码元顺序排序，不含空白；字符串、数字、布尔值和 null 按 JSON 标准写法；',
    '            时间为 ISO 8601 UTC 字符串（如 2026-11-16T00:00:00.000Z），日期为 YYYY-MM-DD 字符串。',
    '  叶子哈希：SHA-256( 规范JSON({kind, id, record}) )，小写十六进制。',
    '  Merkle 根：叶子按 kind、再按 id 排序；相邻两个哈希的十六进制字符串直接拼接后取 SHA-256 得上一层；',
    '            某层为奇数个时，最后一个原样进入上一层（不复制）；只有一个叶子时根即该叶子。',
    '  审计日志条目的 afterDigest = SHA-256( 规范JSON({leaves: 叶子数, root: 根}) )；条目哈希 = SHA-256( 规范JSON(条目字段) )。',
    '',
  ].join('\r\n');
}
