/**
 * What a heartbeat of online learning proves. Pure: session state + the browser's report + the time
 * → a segment (verified or not, with the reason), the position the server keeps, and whether the
 * learner must pass a face check before more minutes count.
 *
 * Technical tolerances, not regulation figures: a player may report a few seconds ahead of wall time
 * (buffering, clock rounding); a browser that has not reported for two minutes has been away (tab
 * closed, phone locked), so the session locks until the next passing face check.
 */
export const POSITION_TOLERANCE_SECONDS = 5;
export const IDLE_LIMIT_MS = 120_000;

export interface OnlineSessionState {
  lastSeenAt: Date;
  positionSeconds: number;
  lastPassedCheckAt: Date | null;
  durationSeconds: number;
}

export type SegmentReason = 'face_check_due' | 'fast_forward' | 'idle' | 'paused';

export interface HeartbeatJudgement {
  segment: { startsAt: Date; endsAt: Date; positionFrom: number; positionTo: number; verified: boolean; reason: SegmentReason | null } | null;
  positionSeconds: number;
  /** The learner must pass a face check before minutes count again. */
  checkRequired: boolean;
  /** Idle: the last passing check no longer vouches for whoever is in front of the screen. */
  lock: boolean;
}

export function faceCheckDue(lastPassedCheckAt: Date | null, now: Date, intervalMinutes: number): boolean {
  return lastPassedCheckAt === null || now.getTime() - lastPassedCheckAt.getTime() > intervalMinutes * 60_000;
}

export function judgeHeartbeat(s: OnlineSessionState, now: Date, report: { positionSeconds: number; playing: boolean }, intervalMinutes: number): HeartbeatJudgement {
  const elapsedMs = now.getTime() - s.lastSeenAt.getTime();
  const reported = Math.min(Math.max(report.positionSeconds, 0), s.durationSeconds);
  const due = faceCheckDue(s.lastPassedCheckAt, now, intervalMinutes);
  if (elapsedMs <= 0) return { segment: null, positionSeconds: s.positionSeconds, checkRequired: due, lock: false };
  const segment = (positionTo: number, verified: boolean, reason: SegmentReason | null) => ({ startsAt: s.lastSeenAt, endsAt: now, positionFrom: s.positionSeconds, positionTo, verified, reason });
  if (elapsedMs > IDLE_LIMIT_MS) {
    return { segment: segment(s.positionSeconds, false, 'idle'), positionSeconds: s.positionSeconds, checkRequired: true, lock: true };
  }
  // No fast-forward: the position may advance by the wall time elapsed, no more; going back is fine.
  if (reported - s.positionSeconds > elapsedMs / 1000 + POSITION_TOLERANCE_SECONDS) {
    return { segment: segment(s.positionSeconds, false, 'fast_forward'), positionSeconds: s.positionSeconds, checkRequired: due, lock: false };
  }
  if (!report.playing) return { segment: segment(reported, false, 'paused'), positionSeconds: reported, checkRequired: due, lock: false };
  if (due) return { segment: segment(reported, false, 'face_check_due'), positionSeconds: reported, checkRequired: true, lock: false };
  return { segment: segment(reported, true, null), positionSeconds: reported, checkRequired: false, lock: false };
}
