import { exams, specialOperation } from '../../catalog/figures.js';

/** 特种作业操作证 ('special_operation') and 安全生产知识和管理能力考核合格证 ('competency'). */
export type CertificateKind = 'special_operation' | 'competency';
export type CertificateState = 'valid' | 'review_due' | 'expired' | 'revoked' | 'cancelled';

const addYears = (iso: string, n: number) => `${Number(iso.slice(0, 4)) + n}${iso.slice(4)}`.replace(/-02-29$/, '-02-28');
const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * Number, validity and first review date of a newly issued certificate, from the catalog figures:
 * special operations "T" + ID number (secondary source), 6 years, review every 3; competency
 * certificates 3 years (number: "C" + authority region + date + serial — our scheme, documented).
 */
export function issueTerms(kind: CertificateKind, idNumber: string, issuedOn: string, serial: number, authorityRegion: string) {
  if (kind === 'special_operation') {
    return {
      number: `T${idNumber.toUpperCase()}`,
      validUntil: addDays(addYears(issuedOn, specialOperation.certificateValidityYears.value), -1),
      reviewDue: addYears(issuedOn, specialOperation.reviewEveryYears.value),
    };
  }
  return {
    number: `C${authorityRegion.padEnd(6, '0').slice(0, 6)}${issuedOn.replaceAll('-', '')}${String(serial).padStart(4, '0')}`,
    validUntil: addDays(addYears(issuedOn, exams.competencyCertificateYears.value), -1),
    reviewDue: null,
  };
}

/**
 * The state on a date, computed from dates and events (never stored): revoked and cancelled come
 * from events; a special-operation certificate whose review date passed without a review is 失效
 * (expired); inside the review window before that date it is review_due.
 */
export function certificateState(c: { kind: CertificateKind; validUntil: string; reviewDue: string | null; revokedOn: string | null; cancelledOn: string | null }, today: string): CertificateState {
  if (c.cancelledOn && c.cancelledOn <= today) return 'cancelled';
  if (c.revokedOn && c.revokedOn <= today) return 'revoked';
  if (today > c.validUntil) return 'expired';
  if (c.reviewDue) {
    if (today > c.reviewDue) return 'expired';
    if (today >= addDays(c.reviewDue, -specialOperation.reviewWindowDays.value)) return 'review_due';
  }
  return 'valid';
}

/** After a passed review the next one falls 3 years on (never beyond validity). */
export function nextReviewDue(reviewDue: string, validUntil: string): string | null {
  const next = addYears(reviewDue, specialOperation.reviewEveryYears.value);
  return next <= validUntil ? next : null;
}

/** Revocation for false information or fraud bans re-application for 3 years (30号令 第四十条). */
export function banUntil(revokedOn: string, fraud: boolean): string | null {
  return fraud ? addYears(revokedOn, specialOperation.banAfterRevocationYears.value) : null;
}
