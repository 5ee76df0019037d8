/**
 * What a heartbeat of online learning proves. Pure: session state + the browser's report + the time
 * → the segments of [lastSeenAt, now] (verified or not, with the reason), the position the server
 * keeps, and whether the learner must pass a face check before more minutes count.
 *
 * A moment counts only if the learner was playing, did not skip ahead, reported in time, and lies
 * inside the window of a passing face check: [check, check + interval] (the interval is the policy
 * figure `faceCheckIntervalMinutes`). A heartbeat that straddles the start or the end of that window
 * is cut there, so not one second before the check or after its expiry is verified.
 *
 * Technical tolerances below, not regulation figures.
 */

import type { segmentReasons } from './online.contract.js';

/**
 * The player may report a little more progress than the server's clock saw between two heartbeats:
 * each request travels with its own network latency (seconds on a mobile network), and players round
 * their time. The allowance is a share of the elapsed time capped at a few seconds, so it never
 * accumulates into fast-forward: however often a browser reports, the position cannot run ahead of
 * the wall clock by more than this share.
 */
export const POSITION_TOLERANCE_RATIO = 0.25;
export const POSITION_TOLERANCE_SECONDS = 5;
/**
 * The browser reports every 20–30 s while playing. No report for two minutes means the learner has
 * been away (tab closed, phone locked, network gone): the time does not count and the session locks,
 * because the last passing check no longer vouches for whoever is in front of the screen.
 */
export const IDLE_LIMIT_MS = 120_000;

export interface OnlineSessionState {
  lastSeenAt: Date;
  positionSeconds: number;
  lastPassedCheckAt: Date | null;
  durationSeconds: number;
}

export interface HeartbeatReport {
  positionSeconds: number;
  playing: boolean;
}

export type SegmentReason = Exclude<(typeof segmentReasons)[number], 'face_check_failed'>;

export interface JudgedSegment {
  startsAt: Date;
  endsAt: Date;
  positionFrom: number;
  positionTo: number;
  verified: boolean;
  reason: SegmentReason | null;
}

export interface HeartbeatJudgement {
  /** Contiguous, in time order, covering (lastSeenAt, now]; never one of zero length. */
  segments: JudgedSegment[];
  positionSeconds: number;
  /** The new last-seen time; never moves backwards (a server clock step back must not reopen counted time). */
  lastSeenAt: Date;
  /** The learner must pass a face check before minutes count again. */
  checkRequired: boolean;
  /** Idle: the session's passing check is cleared. */
  lock: boolean;
  /** When the current passing check expires (null: no valid check). */
  nextCheckDueAt: Date | null;
}

export function faceCheckDue(
  lastPassedCheckAt: Date | null,
  now: Date,
  intervalMinutes: number,
): boolean {
  return (
    lastPassedCheckAt === null ||
    now.getTime() - lastPassedCheckAt.getTime() > intervalMinutes * 60_000
  );
}

/** How far the position may advance in `elapsedMs` of wall time. */
export function allowedAdvanceSeconds(elapsedMs: number): number {
  const seconds = Math.max(elapsedMs, 0) / 1000;
  return seconds + Math.min(POSITION_TOLERANCE_SECONDS, seconds * POSITION_TOLERANCE_RATIO);
}

export function judgeHeartbeat(
  s: OnlineSessionState,
  now: Date,
  report: HeartbeatReport,
  intervalMinutes: number,
): HeartbeatJudgement {
  const from = s.lastSeenAt.getTime();
  const to = now.getTime();
  const elapsedMs = to - from;
  const reported = Math.min(Math.max(report.positionSeconds, 0), s.durationSeconds);
  const kept = Math.min(Math.max(s.positionSeconds, 0), s.durationSeconds);
  const windowEnd = s.lastPassedCheckAt
    ? s.lastPassedCheckAt.getTime() + intervalMinutes * 60_000
    : null;
  const result = (
    segments: JudgedSegment[],
    positionSeconds: number,
    lock = false,
  ): HeartbeatJudgement => ({
    segments,
    positionSeconds,
    lastSeenAt: elapsedMs > 0 ? now : s.lastSeenAt,
    checkRequired: lock || faceCheckDue(s.lastPassedCheckAt, now, intervalMinutes),
    lock,
    nextCheckDueAt: lock || windowEnd === null ? null : new Date(windowEnd),
  });
  if (elapsedMs <= 0) return result([], kept);
  const whole = (
    positionTo: number,
    verified: boolean,
    reason: SegmentReason | null,
  ): JudgedSegment[] => [
    { startsAt: s.lastSeenAt, endsAt: now, positionFrom: kept, positionTo, verified, reason },
  ];

  if (elapsedMs > IDLE_LIMIT_MS) return result(whole(kept, false, 'idle'), kept, true);
  // No fast-forward: the position may advance by the wall time elapsed (plus the tolerance), no more;
  // the server keeps the old position. Going back is fine.
  if (reported - kept > allowedAdvanceSeconds(elapsedMs))
    return result(whole(kept, false, 'fast_forward'), kept);
  if (!report.playing) return result(whole(reported, false, 'paused'), reported);

  // Playing honestly: verified exactly where [from, to] meets the window of the last passing check.
  const cuts = new Set([from, to]);
  if (s.lastPassedCheckAt && windowEnd !== null) {
    for (const t of [s.lastPassedCheckAt.getTime(), windowEnd]) if (t > from && t < to) cuts.add(t);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const positionAt = (t: number) => kept + ((reported - kept) * (t - from)) / elapsedMs;
  const segments: JudgedSegment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const inWindow =
      s.lastPassedCheckAt !== null &&
      windowEnd !== null &&
      a >= s.lastPassedCheckAt.getTime() &&
      b <= windowEnd;
    segments.push({
      startsAt: new Date(a),
      endsAt: new Date(b),
      positionFrom: positionAt(a),
      positionTo: i + 2 === points.length ? reported : positionAt(b),
      verified: inWindow,
      reason: inWindow ? null : 'face_check_due',
    });
  }
  return result(segments, reported);
}

/** What the player is told about the heartbeat: counted if any of it was verified, the reason of its last part. */
export function heartbeatSummary(j: HeartbeatJudgement): {
  counted: boolean;
  reason: SegmentReason | null;
} {
  const last = j.segments.at(-1);
  return { counted: j.segments.some((x) => x.verified), reason: last?.reason ?? null };
}
