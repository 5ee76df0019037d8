import { recordAudit } from '../../platform/audit/audit.js';
import type { Actor } from '../../platform/auth/actor.js';
import { insertDeviceToken } from '../../platform/auth/auth.service.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { verifyFaceOf } from '../faces/faces.service.js';
import { normalizeIdNumber, validateIdNumber } from '../registry/identifiers.rules.js';
import { findVisibleOrganization } from '../registry/registry.service.js';
import {
  type DeviceAttendanceEvent,
  DeviceAttendanceEventSchema,
  MAX_FRAMES_PER_BATCH,
} from './attendance.contract.js';
import * as repo from './attendance.repository.js';
import { eventTimeProblem } from './attendance.rules.js';
import { keepsSiteOf } from './classes.access.js';

/** An institution's own users manage its rooms and devices; the platform never lets one org configure another's. */
function assertOwnInstitution(actor: Actor, organizationId: string): void {
  if (!keepsSiteOf(actor, organizationId)) throw forbidden('只有本机构用户可以登记教室和设备');
}

export async function addRoom(
  db: Executor,
  actor: Actor,
  organizationId: string,
  input: {
    name: string;
    kind: 'theory' | 'practical' | 'exam';
    capacity?: number | null;
    areaM2?: number | null;
  },
  requestId?: string,
) {
  assertOwnInstitution(actor, organizationId);
  const org = await findVisibleOrganization(db, actor, organizationId);
  return transaction(db, async (trx) => {
    const row = await repo.insertRoom(trx, {
      organizationId,
      regionCode: org.regionCode,
      name: input.name,
      kind: input.kind,
      capacity: input.capacity ?? null,
      areaM2: input.areaM2 ?? null,
    });
    await recordAudit(trx, {
      actor,
      action: 'room.add',
      entityType: 'room',
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
      requestId,
    });
    return row;
  });
}

export async function listRooms(db: Executor, actor: Actor, organizationId: string) {
  const org = await findVisibleOrganization(db, actor, organizationId);
  return repo.listRoomsOfOrganization(db, org.id);
}

/** Registers a terminal or camera in a room and issues its token (shown once). */
export async function registerDevice(
  db: Executor,
  actor: Actor,
  organizationId: string,
  input: { roomId: string; kind: 'face_terminal' | 'camera'; serial: string; name: string },
  requestId?: string,
) {
  assertOwnInstitution(actor, organizationId);
  return transaction(db, async (trx) => {
    const room = await repo.findRoom(trx, organizationId, input.roomId);
    if (!room) throw notFound('教室');
    const token = await insertDeviceToken(
      trx,
      organizationId,
      `${input.name} (${input.serial})`,
      actor.userId,
    );
    const device = await repo.insertDevice(trx, {
      organizationId,
      roomId: room.id,
      regionCode: room.regionCode,
      kind: input.kind,
      serial: input.serial,
      name: input.name,
      tokenId: token.id,
    });
    await recordAudit(trx, {
      actor,
      action: 'device.register',
      entityType: 'device',
      entityId: device.id,
      regionCode: room.regionCode,
      after: { ...device, tokenId: token.id },
      requestId,
    });
    return { deviceId: device.id, token: token.token };
  });
}

export interface EventResult {
  index: number;
  eventId: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  reason?: string;
  message?: string;
  platformFace?: {
    decision: 'match' | 'mismatch' | 'review' | 'refused' | 'not_enrolled';
    score: number | null;
    reasons: string[];
  };
}

/**
 * A terminal's batch: each event is checked on its own and is either written whole or rejected with
 * a reason; a retried batch comes back as duplicates. One transaction and one audit entry per batch.
 */
export async function uploadAttendance(
  db: Executor,
  actor: Actor,
  events: unknown[],
  now = new Date(),
  requestId?: string,
) {
  if (!actor.tokenId || !actor.tokenScopes?.includes('devices:write'))
    throw forbidden('需要设备令牌');
  const device = await repo.findDeviceByToken(db, actor.tokenId);
  if (!device) throw new DomainError('forbidden', '该令牌未绑定设备');
  if (device.kind !== 'face_terminal')
    throw new DomainError('forbidden', '只有人脸识别考勤终端可以上传考勤');

  const frames = events.filter((e) => typeof (e as { frame?: unknown })?.frame === 'string').length;
  if (frames > MAX_FRAMES_PER_BATCH)
    throw new DomainError(
      'validation_failed',
      `一批最多携带 ${MAX_FRAMES_PER_BATCH} 张抓拍图像（本批 ${frames} 张），请分批上传`,
      [{ path: 'body.events', message: `at most ${MAX_FRAMES_PER_BATCH} frames per batch` }],
    );

  const results: EventResult[] = [];
  const valid: { index: number; event: DeviceAttendanceEvent; idNumber: string }[] = [];
  const seenInBatch = new Set<string>();
  events.forEach((raw, index) => {
    const parsed = DeviceAttendanceEventSchema.safeParse(raw);
    const eventId =
      typeof (raw as { eventId?: unknown })?.eventId === 'string'
        ? (raw as { eventId: string }).eventId
        : null;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      results.push({
        index,
        eventId,
        status: 'rejected',
        reason: 'invalid',
        message: `${issue.path.join('.')}: ${issue.message}`,
      });
      return;
    }
    const idNumber = normalizeIdNumber(parsed.data.idNumber);
    const idCheck = validateIdNumber(idNumber);
    if (!idCheck.ok) {
      results.push({
        index,
        eventId,
        status: 'rejected',
        reason: 'invalid_id_number',
        message: idCheck.message,
      });
      return;
    }
    const timeProblem = eventTimeProblem(new Date(parsed.data.occurredAt), now);
    if (timeProblem) {
      results.push({
        index,
        eventId,
        status: 'rejected',
        reason: timeProblem.reason,
        message: timeProblem.message,
      });
      return;
    }
    if (parsed.data.frame !== undefined && !looksLikeJpeg(parsed.data.frame)) {
      results.push({
        index,
        eventId,
        status: 'rejected',
        reason: 'invalid_frame',
        message: '抓拍图像须为 base64 编码的 JPEG',
      });
      return;
    }
    if (seenInBatch.has(parsed.data.eventId)) {
      results.push({ index, eventId, status: 'duplicate' });
      return;
    }
    seenInBatch.add(parsed.data.eventId);
    valid.push({ index, event: parsed.data, idNumber });
  });

  const outcome = await transaction(db, async (trx) => {
    const persons = await repo.personIdsByIdNumber(trx, [...new Set(valid.map((v) => v.idNumber))]);
    const rows = [];
    const writable: typeof valid = [];
    for (const v of valid) {
      const personId = persons.get(v.idNumber);
      if (!personId) {
        results.push({
          index: v.index,
          eventId: v.event.eventId,
          status: 'rejected',
          reason: 'unknown_person',
          message: '平台无此人员档案',
        });
        continue;
      }
      writable.push(v);
      rows.push({
        deviceId: device.id,
        deviceEventId: v.event.eventId,
        organizationId: device.organizationId,
        roomId: device.roomId,
        regionCode: device.regionCode,
        personId,
        eventType: v.event.type,
        occurredAt: new Date(v.event.occurredAt),
        receivedAt: now,
        matchScore: v.event.matchScore ?? null,
        liveness: v.event.liveness ?? null,
        photoRef: v.event.photoRef ?? null,
      });
    }
    const inserted = await repo.insertEventsIgnoringDuplicates(trx, rows);
    for (const v of writable)
      results.push({
        index: v.index,
        eventId: v.event.eventId,
        status: inserted.has(v.event.eventId) ? 'accepted' : 'duplicate',
      });
    results.sort((a, b) => a.index - b.index);
    const accepted = results.filter((r) => r.status === 'accepted').length;
    const duplicates = results.filter((r) => r.status === 'duplicate').length;
    const rejected = results.filter((r) => r.status === 'rejected').length;
    if (accepted > 0) {
      await recordAudit(trx, {
        actor,
        action: 'attendance.upload',
        entityType: 'device',
        entityId: device.id,
        regionCode: device.regionCode,
        after: eventLines(rows.filter((r) => inserted.has(r.deviceEventId))),
        summary: `${accepted} accepted, ${duplicates} duplicate, ${rejected} rejected`,
        requestId,
        at: now,
      });
    }
    const verify = writable.flatMap((v) => {
      const id = inserted.get(v.event.eventId);
      return id && v.event.frame
        ? [
            {
              eventId: id,
              index: v.index,
              personId: persons.get(v.idNumber)!,
              frame: v.event.frame,
            },
          ]
        : [];
    });
    return { accepted, duplicates, rejected, results, verify };
  });
  const { verify, ...answer } = outcome;
  for (const f of verify) {
    const result = answer.results.find((r) => r.index === f.index)!;
    result.platformFace = await verifyTerminalFrame(db, actor, device, f, now, requestId);
  }
  return answer;
}

function looksLikeJpeg(base64: string): boolean {
  const head = Buffer.from(base64.replace(/^data:image\/jpeg;base64,/, '').slice(0, 8), 'base64');
  return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
}

/**
 * The platform's own check of a terminal's frame, after the events are stored (a frame the model
 * cannot use never costs the terminal its attendance). The event points at the verification.
 */
async function verifyTerminalFrame(
  db: Executor,
  actor: Actor,
  device: { regionCode: string },
  f: { eventId: string; personId: string; frame: string },
  now: Date,
  requestId?: string,
): Promise<NonNullable<EventResult['platformFace']>> {
  try {
    const v = await verifyFaceOf(
      db,
      actor,
      { id: f.personId, regionCode: device.regionCode },
      f.frame,
      'attendance_terminal',
      { now, requestId },
    );
    await repo.linkEventVerification(db, f.eventId, v.verificationId!);
    return { decision: v.decision, score: v.score, reasons: v.reasons };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const code = (e.details?.[0] as { code?: string } | undefined)?.code;
    if (code === 'not_enrolled')
      return { decision: 'not_enrolled', score: null, reasons: ['not_enrolled'] };
    return { decision: 'refused', score: null, reasons: ['undecodable_frame'] };
  }
}

/**
 * What the audit entry of a batch digests: one tab-separated line per accepted event, with every
 * value the terminal reported. As binding as the rows' JSON and several times cheaper to hash for a
 * thousand events.
 */
function eventLines(
  rows: {
    deviceEventId: string;
    personId: string;
    eventType: string;
    occurredAt: Date;
    matchScore: number | null;
    liveness: number | null;
    photoRef: string | null;
  }[],
): string {
  return rows
    .map((r) =>
      [
        r.deviceEventId,
        r.personId,
        r.eventType,
        r.occurredAt.toISOString(),
        r.matchScore ?? '',
        r.liveness ?? '',
        r.photoRef ?? '',
      ].join('\t'),
    )
    .join('\n');
}
