import { createHash } from 'node:crypto';
import { beijingDay, beijingTime } from '../../catalog/calendar.js';
import type { ArchivePartName } from './archive.contract.js';
import type { ArchiveDocumentPart, LessonMode, SealLeaf } from './classes.table.js';

/**
 * The class archive (一期一档): which parts it needs (RULES.md §C, seed 004), and how a closed
 * class is sealed — canonical JSON of every record, a SHA-256 leaf per record, a Merkle root over
 * the leaves. Pure: the service collects the rows, these functions judge and hash them. The offline
 * verifier shipped in every archive export (VERIFY_ARCHIVE_SCRIPT below) restates the same rules;
 * docs/archive.md is their prose.
 */

/** The tables whose rows make up a class archive; a leaf's `kind` is the table name. */
export const archiveKinds = [
  'training_class',
  'class_trainee',
  'lesson',
  'attendance_event',
  'attendance_makeup',
  'recording',
  'online_course',
  'online_session',
  'online_face_check',
  'online_segment',
  'class_document',
] as const;
export type ArchiveKind = (typeof archiveKinds)[number];

// ——— canonical JSON, leaves, Merkle root ———

/**
 * Canonical JSON: object keys sorted by UTF-16 code units (JavaScript's default sort), no
 * whitespace, strings, numbers, booleans and null exactly as JSON.stringify writes them. Values that
 * JSON has no form for are mapped first: a Date → its ISO 8601 UTC string, a bigint → its decimal
 * string, a non-finite number → null, undefined → dropped from an object and null in an array.
 * The string is written by hand rather than by JSON.stringify of a sorted object, because JavaScript
 * orders integer-like keys ("2", "10") numerically whatever the insertion order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The plain JSON value of a record with the same mapping as canonicalJson (Dates as ISO strings…),
 * so `canonicalJson(JSON.parse(JSON.stringify(canonicalize(v)))) === canonicalJson(v)`: what goes
 * into archive.json hashes offline exactly as the row hashed on the server.
 */
export function canonicalize(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return null;
  }
  if (Array.isArray(value)) return value.map(canonicalize);
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) {
    if (obj[k] === undefined) continue;
    // defineProperty, not assignment: a key named "__proto__" must stay a plain key.
    Object.defineProperty(out, k, {
      value: canonicalize(obj[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A record's leaf: SHA-256 (hex) of the canonical JSON of `{kind, id, record}`. */
export function leafHash(kind: string, id: string, record: unknown): string {
  return sha256Hex(canonicalJson({ kind, id, record }));
}

/** Leaves are ordered by kind, then id, comparing UTF-16 code units (no locale). */
export function compareLeafKeys(
  a: { kind: string; id: string },
  b: { kind: string; id: string },
): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

export function sortLeaves<T extends { kind: string; id: string }>(leaves: readonly T[]): T[] {
  return [...leaves].sort(compareLeafKeys);
}

/**
 * Merkle root over hex leaf hashes, in the order given: each level pairs neighbours, the parent is
 * SHA-256 of the two hex strings concatenated (128 ASCII characters); an odd last node is carried up
 * to the next level unchanged (never duplicated, so no two different lists share a root that way).
 * One leaf: the root is that leaf. No leaves: SHA-256 of the empty string (a class archive always
 * has at least the class row, so this never seals anything).
 */
export function merkleRoot(hashes: readonly string[]): string {
  if (hashes.length === 0) return sha256Hex('');
  let level = [...hashes];
  while (level.length > 1) {
    const up: string[] = [];
    for (let i = 0; i < level.length; i += 2)
      up.push(i + 1 < level.length ? sha256Hex(level[i] + level[i + 1]) : level[i]);
    level = up;
  }
  return level[0];
}

/** The root of a manifest: its leaves sorted by kind and id, then merkleRoot. */
export function sealRoot(leaves: readonly SealLeaf[]): string {
  return merkleRoot(sortLeaves(leaves).map((l) => l.hash));
}

export interface LeafRef {
  kind: string;
  id: string;
}

/** What differs between the sealed manifest and the leaves of the records as they are now. */
export function diffLeaves(
  sealed: readonly SealLeaf[],
  current: readonly SealLeaf[],
): { changed: LeafRef[]; added: LeafRef[]; removed: LeafRef[] } {
  const key = (l: LeafRef) => `${l.kind}\u0000${l.id}`;
  const before = new Map(sealed.map((l) => [key(l), l]));
  const changed: LeafRef[] = [];
  const added: LeafRef[] = [];
  for (const l of sortLeaves(current)) {
    const old = before.get(key(l));
    if (!old) added.push({ kind: l.kind, id: l.id });
    else if (old.hash !== l.hash) changed.push({ kind: l.kind, id: l.id });
    before.delete(key(l));
  }
  const removed = sortLeaves([...before.values()]).map((l) => ({ kind: l.kind, id: l.id }));
  return { changed, added, removed };
}

// ——— labels (Beijing time, for people reading a verify report) ———

function asDate(v: unknown): Date | null {
  if (v instanceof Date) return v;
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v);
  return null;
}

export function beijingSpan(from: unknown, to: unknown): string {
  const a = asDate(from);
  const b = asDate(to);
  if (!a || !b) return '';
  const left = beijingTime(a);
  const right = beijingTime(b);
  return left.slice(0, 10) === right.slice(0, 10)
    ? `${left}–${right.slice(11)}`
    : `${left}–${right}`;
}

export const archivePartLabels: Record<ArchivePartName, string> = {
  plan: '培训教学计划',
  roster: '学员花名册',
  attendance: '考勤记录',
  video: '培训录像',
  courseware_list: '授课课件清单',
  teaching_log: '教学日志',
  expert_check: '领导（专家）查课记录',
  evaluation: '学员评教及统计反馈',
  summary: '培训班总结报告',
  quality_assessment: '教学质量评估报告',
};

const eventTypeLabels: Record<string, string> = {
  check_in: '签到',
  check_out: '签退',
  random_check: '抽查',
};

/** A short human name of a record (lesson topic and time, document title…); null when it has none. */
export function recordLabel(kind: string, record: Record<string, unknown>): string | null {
  const s = (k: string) => (typeof record[k] === 'string' ? (record[k] as string) : '');
  switch (kind) {
    case 'training_class':
      return `${s('code')} ${s('name')}`.trim();
    case 'lesson':
      return `${s('topic')}（${beijingSpan(record.startsAt, record.endsAt)}）`;
    case 'class_document':
      return `${archivePartLabels[s('part') as ArchivePartName] ?? s('part')}《${s('title')}》`;
    case 'attendance_event': {
      const at = asDate(record.occurredAt);
      return `${eventTypeLabels[s('eventType')] ?? s('eventType')} ${at ? beijingTime(at) : ''}`.trim();
    }
    case 'attendance_makeup':
      return `补录 ${beijingSpan(record.startsAt, record.endsAt)}`;
    case 'recording':
      return `录像 ${beijingSpan(record.startsAt, record.endsAt)}`;
    case 'online_course':
      return `线上课程《${s('title')}》`;
    case 'online_segment':
      return `线上学习 ${beijingSpan(record.startsAt, record.endsAt)}`;
    default:
      return null;
  }
}

// ——— what changed in a record (verify, with the sealed copy) ———

/** What a person calls each sealed field; fields without a name (ids, hashes of the row) are not shown. */
const fieldLabels: Record<string, string> = {
  code: '期号',
  name: '名称',
  operationItemCode: '作业项目',
  kind: '培训类别',
  headTeacherId: '班主任',
  startDate: '开班日期',
  endDate: '结业日期',
  syllabusTheoryHours: '大纲理论学时',
  syllabusPracticalHours: '大纲实操学时',
  status: '状态',
  closedAt: '结业时间',
  personId: '人员',
  enrolledAt: '报名时间',
  mode: '授课方式',
  topic: '课程内容',
  teacherId: '授课教师',
  roomId: '教室',
  startsAt: '开始时间',
  endsAt: '结束时间',
  warnings: '排课提示',
  deviceId: '设备',
  deviceEventId: '设备记录号',
  eventType: '考勤类型',
  occurredAt: '考勤时间',
  receivedAt: '上传时间',
  matchScore: '人脸比对分',
  liveness: '活体检测分',
  photoRef: '抓拍照片',
  lessonId: '课程',
  reason: '原因',
  enteredBy: '录入人',
  deviceRecordingId: '录像编号',
  sha256: '录像文件摘要',
  storageUri: '录像存储位置',
  sizeBytes: '文件大小',
  title: '标题',
  mediaKind: '媒体类型',
  mediaUrl: '媒体地址',
  durationSeconds: '时长',
  courseId: '线上课程',
  startedAt: '开始时间',
  lastSeenAt: '最后在线时间',
  positionSeconds: '播放进度',
  lastPassedCheckAt: '最近通过人脸抽查时间',
  endedAt: '结束时间',
  endReason: '结束原因',
  checkedAt: '抽查时间',
  passed: '是否通过',
  decision: '判定',
  score: '比对分',
  faceVerificationId: '人脸核验记录',
  positionFrom: '起始进度',
  positionTo: '结束进度',
  verified: '是否认定',
  part: '档案类别',
  content: '内容',
  createdBy: '创建人',
  createdAt: '创建时间',
};

/** A sealed value as a person reads it: instants in Beijing time, 是/否, 签到/签退. */
function shownValue(field: string, v: unknown, names: ReadonlyMap<string, string>): string {
  if (v === null || v === undefined) return '（空）';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'string') {
    if (names.has(v)) return names.get(v) as string;
    if (field === 'eventType') return eventTypeLabels[v] ?? v;
    if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
      const at = asDate(v);
      if (at) return beijingTime(at);
    }
    return v.length > 60 ? `${v.slice(0, 60)}…` : v;
  }
  return typeof v === 'object' ? canonicalJson(v) : String(v);
}

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

/**
 * The fields of one record that differ between its sealed copy and now, named as a person reads
 * them; `names` turns ids (people, teachers, rooms) into names.
 */
export function fieldChanges(
  sealed: Record<string, unknown>,
  current: Record<string, unknown>,
  names: ReadonlyMap<string, string> = new Map(),
): FieldChange[] {
  const now = canonicalize(current) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(sealed), ...Object.keys(now)])].sort();
  return fields
    .filter((f) => canonicalJson(sealed[f] ?? null) !== canonicalJson(now[f] ?? null))
    .map((f) => ({
      field: fieldLabels[f] ?? f,
      before: shownValue(f, sealed[f], names),
      after: shownValue(f, now[f], names),
    }));
}

/** The lesson an attendance record belongs to: same room, the lesson it falls in or is nearest to that Beijing day. */
export function lessonOfEvent<L extends { roomId: string | null; startsAt: Date; endsAt: Date }>(
  lessons: readonly L[],
  roomId: unknown,
  occurredAt: unknown,
): L | undefined {
  const at = asDate(occurredAt);
  if (!at || typeof roomId !== 'string') return undefined;
  const distance = (l: L) =>
    at < l.startsAt
      ? l.startsAt.getTime() - at.getTime()
      : at > l.endsAt
        ? at.getTime() - l.endsAt.getTime()
        : 0;
  return lessons
    .filter((l) => l.roomId === roomId && beijingDay(l.startsAt) === beijingDay(at))
    .sort((a, b) => distance(a) - distance(b))[0];
}

// ——— the checklist ———

export interface ArchiveFacts {
  lessons: {
    id: string;
    mode: LessonMode;
    topic: string;
    roomId: string | null;
    roomName?: string | null;
    startsAt: Date;
    endsAt: Date;
  }[];
  traineeCount: number;
  /** Device attendance events of roster persons in the lessons' rooms on the lessons' (Beijing) days. */
  events: { roomId: string; occurredAt: Date }[];
  makeups: { lessonId: string }[];
  /** Recordings of the lessons' rooms overlapping an offline lesson. */
  recordings: { roomId: string; startsAt: Date; endsAt: Date }[];
  documents: { part: ArchiveDocumentPart }[];
}

export interface ArchivePartStatus {
  part: ArchivePartName;
  label: string;
  present: boolean;
  count: number;
  missing: string[];
}

/**
 * Which parts of 一期一档 are present. Plan and roster need one row; attendance and video are
 * judged per offline lesson (each needs attendance — terminal events on its day in its room, or a
 * make-up — and a recording of its room overlapping it, seed 004: 全过程录像); the six documents
 * need at least one document of their part.
 */
export function archiveChecklist(facts: ArchiveFacts): ArchivePartStatus[] {
  const part = (
    name: ArchivePartName,
    count: number,
    missing: string[],
    present = missing.length === 0,
  ): ArchivePartStatus => ({
    part: name,
    label: archivePartLabels[name],
    present,
    count,
    missing,
  });
  const lessons = [...facts.lessons].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  const offline = lessons.filter((l) => l.mode !== 'online' && l.roomId !== null);
  const name = (l: ArchiveFacts['lessons'][number]) =>
    `${l.topic}（${beijingSpan(l.startsAt, l.endsAt)}${l.roomName ? `，${l.roomName}` : ''}）`;

  const out: ArchivePartStatus[] = [];
  out.push(part('plan', lessons.length, lessons.length === 0 ? ['教学计划没有任何课次'] : []));
  out.push(part('roster', facts.traineeCount, facts.traineeCount === 0 ? ['花名册没有学员'] : []));

  const makeupLessons = new Set(facts.makeups.map((m) => m.lessonId));
  const attendanceMissing = offline
    .filter(
      (l) =>
        !makeupLessons.has(l.id) &&
        !facts.events.some(
          (e) => e.roomId === l.roomId && beijingDay(e.occurredAt) === beijingDay(l.startsAt),
        ),
    )
    .map((l) => `${name(l)}没有考勤记录（考勤终端记录或补录）`);
  const attendanceCount = facts.events.length + facts.makeups.length;
  if (attendanceCount === 0 && attendanceMissing.length === 0)
    attendanceMissing.push('没有任何考勤记录');
  out.push(part('attendance', attendanceCount, attendanceMissing));

  const videoMissing = offline
    .filter(
      (l) =>
        !facts.recordings.some(
          (r) => r.roomId === l.roomId && r.startsAt < l.endsAt && r.endsAt > l.startsAt,
        ),
    )
    .map((l) => `${name(l)}没有录像`);
  if (offline.length === 0) videoMissing.push('没有线下课次，无培训录像可归档');
  out.push(part('video', facts.recordings.length, videoMissing));

  const docParts: ArchiveDocumentPart[] = [
    'courseware_list',
    'teaching_log',
    'expert_check',
    'evaluation',
    'summary',
    'quality_assessment',
  ];
  for (const p of docParts) {
    const n = facts.documents.filter((d) => d.part === p).length;
    out.push(part(p, n, n === 0 ? [`缺少${archivePartLabels[p]}`] : []));
  }
  return out;
}

// ——— the offline verifier ———

/**
 * verify-archive.mjs, shipped in every archive export: a dependency-free Node script restating the
 * canonical JSON, leaf and Merkle rules above (for JSON-parsed values the two canonical functions
 * are the same function; archive.test.ts checks the script's root against the server's).
 */
export const VERIFY_ARCHIVE_SCRIPT = `#!/usr/bin/env node
// 真训 ZhenXun — offline verifier of a sealed class archive (一期一档). Node.js 18+, no dependencies.
// Usage: node verify-archive.mjs [DIR]   (DIR defaults to the folder of this script)
// Recomputes every record's leaf hash from archive.json and the Merkle root, compares them with
// manifest.json and the audit log entry it quotes; prints OK (exit 0) or each difference (exit 1).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] || dirname(fileURLToPath(import.meta.url));
const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const archive = read('archive.json');
const manifest = read('manifest.json');
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

// Canonical JSON: object keys sorted (UTF-16 code units), no whitespace, values as JSON.stringify writes them.
function canonical(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
}
// A leaf is sha256 of the canonical JSON of {kind, id, record}; leaves are sorted by kind, then id.
const leafOf = (r) => ({ kind: r.kind, id: r.id, hash: sha256(canonical({ kind: r.kind, id: r.id, record: r.record })) });
const byKindId = (a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
// Merkle root: parent = sha256(left hex + right hex); an odd last node is carried up unchanged.
function merkleRoot(hashes) {
  if (hashes.length === 0) return sha256('');
  let level = hashes;
  while (level.length > 1) {
    const up = [];
    for (let i = 0; i < level.length; i += 2) up.push(i + 1 < level.length ? sha256(level[i] + level[i + 1]) : level[i]);
    level = up;
  }
  return level[0];
}
const rootOf = (leaves) => merkleRoot([...leaves].sort(byKindId).map((l) => l.hash));

const problems = [];
const sealed = new Map(manifest.leaves.map((l) => [l.kind + ' ' + l.id, l.hash]));
const leaves = archive.records.map((r) => ({ ...leafOf(r), label: r.label }));
for (const l of leaves) {
  const key = l.kind + ' ' + l.id;
  const name = key + (l.label ? ' ' + l.label : '');
  if (!sealed.has(key)) problems.push('ADDED    ' + name + ' (not in the sealed manifest)');
  else if (sealed.get(key) !== l.hash) problems.push('CHANGED  ' + name);
  sealed.delete(key);
}
for (const key of sealed.keys()) problems.push('MISSING  ' + key + ' (sealed, not in archive.json)');
const root = rootOf(leaves);
if (root !== manifest.root) problems.push('ROOT     archive.json gives ' + root + ', manifest.json says ' + manifest.root);
if (rootOf(manifest.leaves) !== manifest.root) problems.push('MANIFEST the leaves of manifest.json do not give its root');
const audit = manifest.audit;
if (sha256(canonical(audit.entry)) !== audit.hash) problems.push('AUDIT    audit entry seq ' + audit.seq + ' does not match its hash');
if (sha256(canonical({ leaves: manifest.leaves.length, root: manifest.root })) !== audit.entry.afterDigest) {
  problems.push('AUDIT    manifest does not match the audit log entry seq ' + audit.seq);
}

if (problems.length === 0) {
  console.log('OK ' + leaves.length + ' records, root ' + root + ', audit seq ' + audit.seq + ' hash ' + audit.hash);
} else {
  for (const p of problems) console.log(p);
  console.log('FAILED: ' + problems.length + ' difference(s) from the sealed archive');
  process.exitCode = 1;
}
`;
