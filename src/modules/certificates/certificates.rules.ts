import { addDays, addYears } from '../../catalog/calendar.js';
import { certificateNumberRule, exams, specialOperation } from '../../catalog/figures.js';
import { maskIdNumber } from '../registry/identifiers.rules.js';
import type {
  CertificateEventKind,
  CertificateKind,
  CertificateState,
} from './certificates.contract.js';

// ——— dates ('YYYY-MM-DD', calendar arithmetic in UTC) ———

/** The last day of a period of n years that starts on `from`. */
const endOfYears = (from: string, n: number) => addDays(addYears(from, n), -1);

// ——— numbers ———

/** 特种作业操作证: "T" + the holder's ID number (figures.ts certificateNumberRule). */
export function specialOperationNumber(idNumber: string): string {
  if (!certificateNumberRule.value.startsWith('T'))
    throw new Error('certificateNumberRule changed: update specialOperationNumber');
  return `T${idNumber.trim().toUpperCase()}`;
}

/**
 * 合格证 numbers have no national rule; ours: "C" + the issuing authority's region (6 digits, padded
 * with 0) + the issue year + a 5-digit serial within that region and year. 16 characters, no personal
 * data, and the region tells a regulator whose a (fake) number would be.
 */
export function competencyNumber(authorityRegion: string, year: string, serial: number): string {
  return `C${authorityRegion.padEnd(6, '0').slice(0, 6)}${year}${String(serial).padStart(5, '0')}`;
}
export const competencyNumberPrefix = (authorityRegion: string, year: string) =>
  `C${authorityRegion.padEnd(6, '0').slice(0, 6)}${year}`;

/** "370900" → "3709": the region code as the platform stores it (prefix codes). */
function trimRegion(code6: string): string {
  let c = code6;
  while (c.length > 2 && c.endsWith('00')) c = c.slice(0, -2);
  return c;
}

/** The region a number belongs to, when it shows one: the ID number's area code, or the authority's in a "C" number. */
export function numberRegion(number: string): string | null {
  const t = /^T(\d{6})(19|20)\d{2}(0[1-9]|1[0-2])\d{2}\d{3}[\dX]$/.exec(number);
  if (t) return trimRegion(t[1]);
  const c = /^C(\d{6})\d{4}\d{5}$/.exec(number);
  return c ? trimRegion(c[1]) : null;
}

/** A "T" number is the holder's ID number: the public sees it masked like the ID number. */
export function maskNumber(number: string): string {
  return number.startsWith('T') ? `T${maskIdNumber(number.slice(1))}` : number;
}

/** Validity printed on a new certificate: 6 years (special operation) or 3 years (合格证), from the catalog. */
export function issuedValidUntil(kind: CertificateKind, issuedOn: string): string {
  return endOfYears(
    issuedOn,
    kind === 'special_operation'
      ? specialOperation.certificateValidityYears.value
      : exams.competencyCertificateYears.value,
  );
}

/** Revocation for false information or fraud bans re-application for 3 years (30号令 第四十条). */
export function banUntil(revokedOn: string, fraud: boolean): string | null {
  return fraud ? addYears(revokedOn, specialOperation.banAfterRevocationYears.value) : null;
}

// ——— state ———

export interface CertificateFacts {
  kind: CertificateKind;
  issuedOn: string;
  /** As printed at issuance. */
  validUntil: string;
}
export interface EventFacts {
  kind: CertificateEventKind;
  occurredOn: string;
  extended: boolean;
  fraud: boolean;
  banUntil: string | null;
  reason: string | null;
}

export interface CertificateStatus {
  state: CertificateState;
  /** When the state began (null while simply valid). */
  stateSince: string | null;
  /** Validity in force: a review at the end of the validity renews it (换证, same number). */
  validUntil: string;
  /** Special operations: the last day the next review (复审) can be passed. */
  reviewDue: string | null;
  /** The window for the next review (special operation) or extension (合格证 延期). */
  dueWindow: { kind: 'review' | 'extension'; from: string; to: string } | null;
  revoked: { on: string; reason: string | null; fraud: boolean; banUntil: string | null } | null;
  cancelledOn: string | null;
  /** 合格证: certificate years that ended without a recorded annual re-training. */
  retrainingMissing: { year: number; from: string; to: string }[];
  /** 合格证: end of the current certificate year when its re-training is not recorded yet. */
  retrainingDue: string | null;
}

interface Timeline {
  /** Years from issue to the end of the validity in force. */
  validityYears: number;
  /** Special operations: years from issue to the next review date (exclusive end). */
  dueYears: number | null;
}

function timeline(c: CertificateFacts, events: readonly EventFacts[]): Timeline {
  const validityYears =
    Number(addDays(c.validUntil, 1).slice(0, 4)) - Number(c.issuedOn.slice(0, 4));
  const t: Timeline = {
    validityYears,
    dueYears: c.kind === 'special_operation' ? specialOperation.reviewEveryYears.value : null,
  };
  for (const e of events) {
    if (e.kind !== 'review') continue;
    if (t.dueYears !== null) {
      // 复审 every 3 years (every 6 with the extended interval); the review at the end of the
      // validity renews it for another 6 years.
      t.dueYears += e.extended
        ? specialOperation.extendedReviewEveryYears.value
        : specialOperation.reviewEveryYears.value;
      while (t.dueYears > t.validityYears)
        t.validityYears += specialOperation.certificateValidityYears.value;
    } else {
      // 合格证 延期: another validity period.
      t.validityYears += exams.competencyCertificateYears.value;
    }
  }
  return t;
}

const byDate = (a: EventFacts, b: EventFacts) =>
  a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0;

/**
 * The state on `today`, computed from the issue dates and the events up to that day (never stored):
 * revoked and cancelled come from events; a special-operation certificate whose review date passed
 * without a review is 失效 (expired), as is any certificate past its validity; inside the window
 * before the review (or the 合格证 extension) it is review_due.
 */
export function certificateStatus(
  c: CertificateFacts,
  allEvents: readonly EventFacts[],
  today: string,
): CertificateStatus {
  const events = allEvents.filter((e) => e.occurredOn <= today).sort(byDate);
  const t = timeline(c, events);
  const validUntil = endOfYears(c.issuedOn, t.validityYears);
  const reviewDue = t.dueYears === null ? null : endOfYears(c.issuedOn, t.dueYears);
  const dueWindow =
    reviewDue !== null
      ? {
          kind: 'review' as const,
          from: addDays(reviewDue, -specialOperation.reviewWindowDays.value),
          to: reviewDue,
        }
      : {
          kind: 'extension' as const,
          from: addDays(validUntil, -exams.competencyExtendDaysBefore.value),
          to: validUntil,
        };
  const revoke = events.find((e) => e.kind === 'revoke');
  const cancel = events.find((e) => e.kind === 'cancel');
  const revoked = revoke
    ? {
        on: revoke.occurredOn,
        reason: revoke.reason,
        fraud: revoke.fraud,
        banUntil: revoke.banUntil,
      }
    : null;

  let state: CertificateState = 'valid';
  let stateSince: string | null = null;
  if (revoke) [state, stateSince] = ['revoked', revoke.occurredOn];
  else if (cancel) [state, stateSince] = ['cancelled', cancel.occurredOn];
  else if (today > validUntil) [state, stateSince] = ['expired', addDays(validUntil, 1)];
  else if (reviewDue !== null && today > reviewDue)
    [state, stateSince] = ['expired', addDays(reviewDue, 1)];
  else if (today >= dueWindow.from) [state, stateSince] = ['review_due', dueWindow.from];

  const retrainingMissing: CertificateStatus['retrainingMissing'] = [];
  let retrainingDue: string | null = null;
  if (c.kind === 'competency' && (state === 'valid' || state === 'review_due')) {
    for (let year = 1; year <= t.validityYears; year++) {
      const from = addYears(c.issuedOn, year - 1);
      const to = endOfYears(c.issuedOn, year);
      if (from > today) break;
      const done = events.some(
        (e) => e.kind === 'retraining' && e.occurredOn >= from && e.occurredOn <= to,
      );
      if (done) continue;
      if (to < today) retrainingMissing.push({ year, from, to });
      else retrainingDue = to;
    }
  }
  const live = state === 'valid' || state === 'review_due';
  return {
    state,
    stateSince,
    validUntil,
    reviewDue: live || state === 'expired' ? reviewDue : null,
    dueWindow: live ? dueWindow : null,
    revoked,
    cancelledOn: cancel?.occurredOn ?? null,
    retrainingMissing,
    retrainingDue,
  };
}

/** Certificates in force on a date: they block issuing the same item again. */
export const inForce = (s: CertificateStatus) => s.state === 'valid' || s.state === 'review_due';

// ——— events ———

export interface EventViolation {
  code: string;
  message: string;
}

export interface NewEvent {
  kind: CertificateEventKind;
  occurredOn: string;
  extended?: boolean;
}

/**
 * Whether an event may be recorded (null) or why not. `itemSince` is when the holder was first
 * certified in this item (the extended review needs 10 years in it).
 */
export function checkEvent(
  c: CertificateFacts,
  events: readonly EventFacts[],
  e: NewEvent,
  today: string,
  itemSince: string = c.issuedOn,
): EventViolation | null {
  if (e.occurredOn > today) return { code: 'future_date', message: '日期不能晚于今天' };
  if (e.occurredOn < c.issuedOn) return { code: 'before_issue', message: '日期早于发证日期' };
  const last = [...events].sort(byDate).at(-1);
  if (last && e.occurredOn < last.occurredOn)
    return { code: 'out_of_order', message: `已有 ${last.occurredOn} 的记录，不能补记更早的事项` };
  const s = certificateStatus(c, events, e.occurredOn);
  if (s.state === 'revoked')
    return e.kind === 'cancel' ? null : { code: 'revoked', message: '证书已撤销，只能注销' };
  if (s.state === 'cancelled')
    return e.kind === 'revoke'
      ? null
      : { code: 'cancelled', message: '证书已注销，只能撤销（如查实弄虚作假）' };
  switch (e.kind) {
    case 'revoke':
    case 'cancel':
      return null;
    case 'replace':
      return s.state === 'expired'
        ? { code: 'not_in_force', message: '证书已失效，不能补证' }
        : null;
    case 'retraining':
      if (c.kind !== 'competency')
        return { code: 'not_applicable', message: '特种作业操作证没有年度再培训，应记录复审' };
      return s.state === 'expired' ? { code: 'not_in_force', message: '合格证已过有效期' } : null;
    case 'review': {
      if (s.state === 'expired')
        return {
          code: 'review_overdue',
          message: `复审期限已过（${s.reviewDue ?? s.validUntil}），证书已失效，应重新培训考试`,
        };
      const w = s.dueWindow!;
      if (e.occurredOn < w.from)
        return {
          code: 'review_not_due',
          message: `尚未到${w.kind === 'review' ? '复审' : '延期'}期限：${w.from} 至 ${w.to}`,
        };
      if (c.kind === 'competency') {
        if (e.extended) return { code: 'not_applicable', message: '合格证没有延长复审周期' };
        if (s.retrainingMissing.length > 0 || s.retrainingDue !== null) {
          const years = [
            ...s.retrainingMissing.map((y) => y.year),
            ...(s.retrainingDue ? ['当年'] : []),
          ].join('、');
          return {
            code: 'retraining_missing',
            message: `延期前每年应完成再培训，缺少：第 ${years} 年`,
          };
        }
        return null;
      }
      if (
        e.extended &&
        addYears(itemSince, specialOperation.extendedReviewAfterYears.value) > e.occurredOn
      ) {
        return {
          code: 'extended_review_not_eligible',
          message: `从事本工种不满 ${specialOperation.extendedReviewAfterYears.value} 年，不能延长复审周期`,
        };
      }
      return null;
    }
  }
}

/** Whether a review renews the validity (the card is reprinted with a new QR). */
export function reviewRenews(
  c: CertificateFacts,
  events: readonly EventFacts[],
  reviewOn: string,
): boolean {
  const before = certificateStatus(c, events, reviewOn).validUntil;
  const after = certificateStatus(
    c,
    [
      ...events,
      {
        kind: 'review',
        occurredOn: reviewOn,
        extended: false,
        fraud: false,
        banUntil: null,
        reason: null,
      },
    ],
    reviewOn,
  ).validUntil;
  return after !== before;
}

// ——— reminders ———

export interface DueItem {
  kind: 'review' | 'extension' | 'retraining';
  due: string;
}

/** What falls due for a certificate in force between `from` and `to` (inclusive). */
export function dueBetween(s: CertificateStatus, from: string, to: string): DueItem[] {
  if (!inForce(s)) return [];
  const out: DueItem[] = [];
  if (s.dueWindow && s.dueWindow.to >= from && s.dueWindow.to <= to)
    out.push({ kind: s.dueWindow.kind, due: s.dueWindow.to });
  if (s.retrainingDue && s.retrainingDue >= from && s.retrainingDue <= to)
    out.push({ kind: 'retraining', due: s.retrainingDue });
  return out;
}
