import { recordAudit } from '../../platform/audit/audit.js';
import type { Actor } from '../../platform/auth/actor.js';
import { type Executor, transaction } from '../../platform/db/database.js';
import { DomainError, forbidden, notFound } from '../../platform/errors.js';
import { findDeviceByToken } from './attendance.repository.js';
import { eventTimeProblem } from './attendance.rules.js';
import type { EventResult } from './attendance.service.js';
import { keepsSiteOf } from './classes.access.js';
import { type DeviceRecording, DeviceRecordingSchema } from './classes.contract.js';

/** A single file longer than this is a configuration error on the recorder, not a lesson (technical limit). */
const RECORDING_MAX_MS = 24 * 3600_000;

/**
 * A camera's recording metadata (room from the camera's registration, start, end, SHA-256, where the
 * file is stored), batched and idempotent like attendance: per item accepted / duplicate / rejected.
 */
export async function uploadRecordings(
  db: Executor,
  actor: Actor,
  items: unknown[],
  now = new Date(),
  requestId?: string,
) {
  if (!actor.tokenId || !actor.tokenScopes?.includes('devices:write'))
    throw forbidden('需要设备令牌');
  const device = await findDeviceByToken(db, actor.tokenId);
  if (!device) throw new DomainError('forbidden', '该令牌未绑定设备');
  if (device.kind !== 'camera')
    throw new DomainError('forbidden', '只有摄像头（录像设备）可以上传录像信息');
  return storeRecordings(db, actor, device, items, now, requestId);
}

/**
 * The same metadata uploaded by the institution's clerk for one of its cameras — recordings exported
 * from a recorder (NVR) that does not call the platform itself.
 */
export async function registerRecordings(
  db: Executor,
  actor: Actor,
  organizationId: string,
  deviceId: string,
  items: unknown[],
  now = new Date(),
  requestId?: string,
) {
  if (!keepsSiteOf(actor, organizationId))
    throw forbidden('只有本机构用户可以上传本机构的录像信息');
  const device = await db
    .selectFrom('device')
    .selectAll()
    .where('id', '=', deviceId)
    .where('organizationId', '=', organizationId)
    .executeTakeFirst();
  if (!device) throw notFound('设备');
  if (device.kind !== 'camera')
    throw new DomainError('rule_violation', '录像须登记在摄像头下', [
      { path: 'params.deviceId', message: '不是摄像头', code: 'not_a_camera' },
    ]);
  return storeRecordings(db, actor, device, items, now, requestId);
}

async function storeRecordings(
  db: Executor,
  actor: Actor,
  device: { id: string; organizationId: string; regionCode: string; roomId: string },
  items: unknown[],
  now: Date,
  requestId?: string,
) {
  const results: EventResult[] = [];
  const valid: { index: number; rec: DeviceRecording }[] = [];
  const seen = new Set<string>();
  items.forEach((raw, index) => {
    const parsed = DeviceRecordingSchema.safeParse(raw);
    const eventId =
      typeof (raw as { recordingId?: unknown })?.recordingId === 'string'
        ? (raw as { recordingId: string }).recordingId
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
    const start = new Date(parsed.data.startedAt);
    const end = new Date(parsed.data.endedAt);
    if (end <= start || end.getTime() - start.getTime() > RECORDING_MAX_MS) {
      results.push({
        index,
        eventId,
        status: 'rejected',
        reason: 'invalid_span',
        message: '录像结束时间须晚于开始时间，且单个文件不超过24小时',
      });
      return;
    }
    const timeProblem = eventTimeProblem(end, now) ?? eventTimeProblem(start, now);
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
    if (seen.has(parsed.data.recordingId)) {
      results.push({ index, eventId, status: 'duplicate' });
      return;
    }
    seen.add(parsed.data.recordingId);
    valid.push({ index, rec: parsed.data });
  });

  return transaction(db, async (trx) => {
    const rows = valid.map(({ rec }) => ({
      organizationId: device.organizationId,
      regionCode: device.regionCode,
      roomId: device.roomId,
      deviceId: device.id,
      deviceRecordingId: rec.recordingId,
      startsAt: new Date(rec.startedAt),
      endsAt: new Date(rec.endedAt),
      sha256: rec.sha256.toLowerCase(),
      storageUri: rec.storageUri,
      sizeBytes: rec.sizeBytes ?? null,
      receivedAt: now,
    }));
    const inserted =
      rows.length === 0
        ? new Set<string>()
        : new Set(
            (
              await trx
                .insertInto('recording')
                .values(rows)
                .onConflict((oc) => oc.columns(['deviceId', 'deviceRecordingId']).doNothing())
                .returning('deviceRecordingId')
                .execute()
            ).map((r) => r.deviceRecordingId),
          );
    for (const v of valid)
      results.push({
        index: v.index,
        eventId: v.rec.recordingId,
        status: inserted.has(v.rec.recordingId) ? 'accepted' : 'duplicate',
      });
    results.sort((a, b) => a.index - b.index);
    const accepted = results.filter((r) => r.status === 'accepted').length;
    const duplicates = results.filter((r) => r.status === 'duplicate').length;
    const rejected = results.filter((r) => r.status === 'rejected').length;
    if (accepted > 0) {
      await recordAudit(trx, {
        actor,
        action: 'recording.upload',
        entityType: 'device',
        entityId: device.id,
        regionCode: device.regionCode,
        after: rows.filter((r) => inserted.has(r.deviceRecordingId)),
        summary: `${accepted} accepted, ${duplicates} duplicate, ${rejected} rejected`,
        requestId,
        at: now,
      });
    }
    return { accepted, duplicates, rejected, results };
  });
}
