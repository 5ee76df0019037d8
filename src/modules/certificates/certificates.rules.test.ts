import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addYears } from '../../catalog/calendar.js';
import { exams, specialOperation } from '../../catalog/figures.js';
import { makeIdNumber } from '../registry/identifiers.rules.js';
import {
  banUntil,
  type CertificateFacts,
  certificateStatus,
  checkEvent,
  competencyNumber,
  dueBetween,
  type EventFacts,
  issuedValidUntil,
  maskNumber,
  numberRegion,
  reviewRenews,
  specialOperationNumber,
} from './certificates.rules.js';

const VALIDITY = specialOperation.certificateValidityYears.value;
const EVERY = specialOperation.reviewEveryYears.value;
const WINDOW = specialOperation.reviewWindowDays.value;
const COMPETENCY = exams.competencyCertificateYears.value;

describe('addDays', () => {
  it('gives the calendar date n days on, as Date arithmetic in UTC does', () => {
    const viaDate = (iso: string, n: number) =>
      new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2199-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -40_000, max: 40_000 }),
        (at, n) => {
          const iso = at.toISOString().slice(0, 10);
          expect(addDays(iso, n)).toBe(viaDate(iso, n));
        },
      ),
      { numRuns: 5000 },
    );
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addDays('2000-03-01', -1)).toBe('2000-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

/** Dates as day offsets from 2000-01-01, so fast-check shrinks them well. */
const day = (n: number) => addDays('2000-01-01', n);
const dateArb = fc.integer({ min: 0, max: 40 * 366 }).map(day);
const special = (issuedOn: string): CertificateFacts => ({
  kind: 'special_operation',
  issuedOn,
  validUntil: issuedValidUntil('special_operation', issuedOn),
});
const competency = (issuedOn: string): CertificateFacts => ({
  kind: 'competency',
  issuedOn,
  validUntil: issuedValidUntil('competency', issuedOn),
});
const ev = (
  kind: EventFacts['kind'],
  occurredOn: string,
  o: Partial<EventFacts> = {},
): EventFacts => ({
  kind,
  occurredOn,
  extended: false,
  fraud: false,
  banUntil: null,
  reason: null,
  ...o,
});
const lastDayOf = (issuedOn: string, years: number) => addDays(addYears(issuedOn, years), -1);

describe('dates', () => {
  it('adds years like PostgreSQL (29 February → 28 February in a common year)', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2023-03-01', 1)).toBe('2024-03-01');
  });
});

describe('numbers', () => {
  it('special operations: "T" + ID number (catalog certificateNumberRule); 合格证: C + region + year + serial', () => {
    const id = makeIdNumber({ regionCode6: '370902', birthDate: '1985-06-15', sequence: 123 });
    expect(specialOperationNumber(id.toLowerCase())).toBe(`T${id}`);
    expect(maskNumber(`T${id}`)).toBe(`T${id.slice(0, 4)}**********${id.slice(-4)}`);
    expect(competencyNumber('3709', '2026', 12)).toBe('C370900202600012');
    expect(numberRegion(`T${id}`)).toBe('370902');
    expect(numberRegion('C370900202600012')).toBe('3709');
    expect(numberRegion('C370000202600012')).toBe('37');
    expect(numberRegion('FAKE-123')).toBeNull();
  });
});

describe('certificate state from dates (property tests over the catalog figures)', () => {
  it('special operation without events: valid → review_due inside the window → expired (失效) after the review date', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 12 * 366 }), (issuedOn, offset) => {
        const c = special(issuedOn);
        const today = addDays(issuedOn, offset);
        const s = certificateStatus(c, [], today);
        const due = lastDayOf(issuedOn, EVERY);
        expect(s.validUntil).toBe(lastDayOf(issuedOn, VALIDITY));
        expect(s.reviewDue).toBe(due);
        const expected =
          today > due ? 'expired' : today >= addDays(due, -WINDOW) ? 'review_due' : 'valid';
        expect(s.state).toBe(expected);
      }),
    );
  });

  it('once expired without a review, a certificate stays expired on every later day', () => {
    fc.assert(
      fc.property(
        dateArb,
        fc.integer({ min: 0, max: 20 * 366 }),
        fc.integer({ min: 0, max: 5000 }),
        (issuedOn, a, b) => {
          const c = special(issuedOn);
          const d1 = addDays(issuedOn, a);
          if (certificateStatus(c, [], d1).state === 'expired')
            expect(certificateStatus(c, [], addDays(d1, b)).state).toBe('expired');
        },
      ),
    );
  });

  it('a review inside the window moves the due date by reviewEveryYears; the one at the end of the validity renews it', () => {
    fc.assert(
      fc.property(
        dateArb,
        fc.integer({ min: 0, max: WINDOW }),
        fc.integer({ min: 0, max: WINDOW }),
        (issuedOn, early1, early2) => {
          const c = special(issuedOn);
          const first = lastDayOf(issuedOn, EVERY);
          const r1 = addDays(first, -early1);
          expect(checkEvent(c, [], { kind: 'review', occurredOn: r1 }, r1)).toBeNull();
          expect(reviewRenews(c, [], r1)).toBe(2 * EVERY > VALIDITY);
          const after1 = certificateStatus(c, [ev('review', r1)], addDays(first, 1));
          expect(after1.state).toBe('valid');
          expect(after1.reviewDue).toBe(lastDayOf(issuedOn, 2 * EVERY));
          const second = after1.reviewDue!;
          const r2 = addDays(second, -early2);
          const events = [ev('review', r1)];
          expect(checkEvent(c, events, { kind: 'review', occurredOn: r2 }, r2)).toBeNull();
          const after2 = certificateStatus(c, [...events, ev('review', r2)], addDays(second, 1));
          expect(after2.state).toBe('valid');
          expect(after2.validUntil).toBe(
            lastDayOf(issuedOn, Math.ceil((3 * EVERY) / VALIDITY) * VALIDITY),
          );
        },
      ),
    );
  });

  it('a review is refused before the window and after the due date', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 2000 }), (issuedOn, k) => {
        const c = special(issuedOn);
        const due = lastDayOf(issuedOn, EVERY);
        const before = addDays(due, -WINDOW - k);
        if (before >= issuedOn)
          expect(checkEvent(c, [], { kind: 'review', occurredOn: before }, before)?.code).toBe(
            'review_not_due',
          );
        const after = addDays(due, k);
        expect(checkEvent(c, [], { kind: 'review', occurredOn: after }, after)?.code).toBe(
          'review_overdue',
        );
      }),
    );
  });

  it('refuses events dated before the issue, and a replacement or re-training of a lapsed certificate', () => {
    const issuedOn = '2020-05-10';
    const today = '2026-12-07';
    expect(
      checkEvent(special(issuedOn), [], { kind: 'replace', occurredOn: '2020-05-09' }, today)?.code,
    ).toBe('before_issue');
    // Without a review the special-operation certificate lapsed at its first review date.
    const lapsed = addDays(lastDayOf(issuedOn, EVERY), 1);
    expect(certificateStatus(special(issuedOn), [], lapsed).state).toBe('expired');
    expect(
      checkEvent(special(issuedOn), [], { kind: 'replace', occurredOn: lapsed }, lapsed)?.code,
    ).toBe('not_in_force');
    expect(
      checkEvent(special(issuedOn), [], { kind: 'replace', occurredOn: issuedOn }, issuedOn),
    ).toBeNull();
    const afterValidity = addDays(lastDayOf(issuedOn, COMPETENCY), 1);
    expect(
      checkEvent(
        competency(issuedOn),
        [],
        { kind: 'retraining', occurredOn: afterValidity },
        afterValidity,
      )?.code,
    ).toBe('not_in_force');
  });

  it('the extended review interval needs extendedReviewAfterYears in the item', () => {
    const issuedOn = '2020-05-10';
    const c = special(issuedOn);
    const r = lastDayOf(issuedOn, EVERY);
    expect(
      checkEvent(c, [], { kind: 'review', occurredOn: r, extended: true }, r, issuedOn)?.code,
    ).toBe('extended_review_not_eligible');
    const longAgo = addYears(r, -specialOperation.extendedReviewAfterYears.value);
    expect(
      checkEvent(c, [], { kind: 'review', occurredOn: r, extended: true }, r, longAgo),
    ).toBeNull();
    const s = certificateStatus(c, [ev('review', r, { extended: true })], r);
    expect(s.reviewDue).toBe(
      lastDayOf(issuedOn, EVERY + specialOperation.extendedReviewEveryYears.value),
    );
  });

  it('revocation and cancellation win over every date; a fraud revocation bans for banAfterRevocationYears', () => {
    fc.assert(
      fc.property(
        dateArb,
        fc.integer({ min: 0, max: 8 * 366 }),
        fc.integer({ min: 0, max: 8 * 366 }),
        fc.boolean(),
        (issuedOn, r, after, fraud) => {
          const c = special(issuedOn);
          const on = addDays(issuedOn, r);
          const revoked = certificateStatus(
            c,
            [ev('revoke', on, { fraud, banUntil: banUntil(on, fraud) })],
            addDays(on, after),
          );
          expect(revoked.state).toBe('revoked');
          expect(revoked.stateSince).toBe(on);
          expect(revoked.revoked?.banUntil ?? null).toBe(
            fraud ? addYears(on, specialOperation.banAfterRevocationYears.value) : null,
          );
          expect(certificateStatus(c, [ev('cancel', on)], addDays(on, after)).state).toBe(
            'cancelled',
          );
          // Before the event day the event does not count.
          if (r > 0)
            expect(certificateStatus(c, [ev('revoke', on)], addDays(on, -1)).state).not.toBe(
              'revoked',
            );
        },
      ),
    );
  });

  it('合格证: valid 3 years, extension window before the end, extension needs the annual re-training of every year', () => {
    fc.assert(
      fc.property(
        dateArb,
        fc.integer({ min: 0, max: exams.competencyExtendDaysBefore.value }),
        (issuedOn, early) => {
          const c = competency(issuedOn);
          const end = lastDayOf(issuedOn, COMPETENCY);
          expect(certificateStatus(c, [], end).state).toBe('review_due');
          expect(certificateStatus(c, [], addDays(end, 1)).state).toBe('expired');
          expect(
            certificateStatus(c, [], addDays(end, -exams.competencyExtendDaysBefore.value - 1))
              .state,
          ).toBe('valid');
          const x = addDays(end, -early);
          expect(checkEvent(c, [], { kind: 'review', occurredOn: x }, x)?.code).toBe(
            'retraining_missing',
          );
          const trainings = Array.from({ length: COMPETENCY }, (_, i) =>
            ev('retraining', addYears(issuedOn, i)),
          );
          expect(checkEvent(c, trainings, { kind: 'review', occurredOn: x }, x)).toBeNull();
          const extended = certificateStatus(c, [...trainings, ev('review', x)], addDays(end, 1));
          expect(extended.state).toBe('valid');
          expect(extended.validUntil).toBe(lastDayOf(issuedOn, 2 * COMPETENCY));
        },
      ),
    );
  });

  it('合格证 re-training: a year without one is listed, and the current year falls due at its end', () => {
    const issuedOn = '2024-03-01';
    const c = competency(issuedOn);
    const s = certificateStatus(c, [], '2025-06-01');
    expect(s.retrainingMissing).toEqual([{ year: 1, from: issuedOn, to: lastDayOf(issuedOn, 1) }]);
    expect(s.retrainingDue).toBe(lastDayOf(issuedOn, 2));
    expect(dueBetween(s, '2025-06-01', '2026-03-01')).toEqual([
      { kind: 'retraining', due: lastDayOf(issuedOn, 2) },
    ]);
    expect(
      checkEvent(
        special(issuedOn),
        [],
        { kind: 'retraining', occurredOn: '2025-06-01' },
        '2025-06-01',
      )?.code,
    ).toBe('not_applicable');
  });

  it('events after revocation: only cancellation; no backdating before a recorded event; no future dates', () => {
    const c = special('2024-01-10');
    const events = [
      ev('revoke', '2025-01-01', { fraud: true, banUntil: banUntil('2025-01-01', true) }),
    ];
    expect(
      checkEvent(c, events, { kind: 'replace', occurredOn: '2025-02-01' }, '2025-03-01')?.code,
    ).toBe('revoked');
    expect(
      checkEvent(c, events, { kind: 'cancel', occurredOn: '2025-02-01' }, '2025-03-01'),
    ).toBeNull();
    expect(
      checkEvent(c, events, { kind: 'cancel', occurredOn: '2024-12-01' }, '2025-03-01')?.code,
    ).toBe('out_of_order');
    expect(
      checkEvent(c, [], { kind: 'replace', occurredOn: '2025-04-01' }, '2025-03-01')?.code,
    ).toBe('future_date');
  });

  it('reminders: the review due date when it falls in the range', () => {
    fc.assert(
      fc.property(
        dateArb,
        fc.integer({ min: 1, max: 365 }),
        fc.integer({ min: 0, max: 6 * 366 }),
        (issuedOn, within, offset) => {
          const c = special(issuedOn);
          const today = addDays(issuedOn, offset);
          const s = certificateStatus(c, [], today);
          const items = dueBetween(s, today, addDays(today, within));
          const due = lastDayOf(issuedOn, EVERY);
          const expected =
            (s.state === 'valid' || s.state === 'review_due') &&
            due >= today &&
            due <= addDays(today, within);
          expect(items).toEqual(expected ? [{ kind: 'review', due }] : []);
        },
      ),
    );
  });
});
