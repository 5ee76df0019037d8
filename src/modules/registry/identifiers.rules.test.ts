import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  creditCodeCheckChar,
  idNumberCheckChar,
  isValidCreditCode,
  isValidIdNumber,
  makeCreditCode,
  makeIdNumber,
  maskIdNumber,
  maskName,
  normalizeIdNumber,
  parseIdNumber,
  validateCreditCode,
  validateIdNumber,
} from './identifiers.rules.js';

const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const creditChar = fc.constantFrom(...CREDIT_CHARSET);
const digit = fc.constantFrom(...'0123456789');
const validCreditCode = fc.array(creditChar, { minLength: 17, maxLength: 17 }).map((cs) => {
  const first17 = cs.join('');
  return first17 + creditCodeCheckChar(first17);
});
const validIdNumber = fc
  .record({
    region: fc.array(digit, { minLength: 6, maxLength: 6 }).map((d) => d.join('')),
    date: fc.date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2010-12-31T00:00:00Z'), noInvalidDate: true }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ region, date, seq }) => makeIdNumber({ regionCode6: region, birthDate: date.toISOString().slice(0, 10), sequence: seq }));

/** Every string that differs from `s` in exactly one position, over the given alphabet per position. */
function singleCorruptions(s: string, alphabetAt: (i: number) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    for (const c of alphabetAt(i)) if (c !== s[i]) out.push(s.slice(0, i) + c + s.slice(i + 1));
  }
  return out;
}

describe('unified social credit code (GB 32100)', () => {
  it('accepts every generated valid code', () => {
    fc.assert(fc.property(validCreditCode, (code) => {
          expect(validateCreditCode(code)).toEqual({ ok: true });
        }), { numRuns: 300 });
  });

  it('rejects every single-character corruption (all positions × all other characters)', () => {
    fc.assert(
      fc.property(validCreditCode, (code) => {
        for (const bad of singleCorruptions(code, () => CREDIT_CHARSET)) expect(isValidCreditCode(bad), bad).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('names why a code fails', () => {
    expect(validateCreditCode('91370902MA3C')).toMatchObject({ ok: false, reason: 'length' });
    expect(validateCreditCode('91370902MA3CI0000O')).toMatchObject({ ok: false, reason: 'charset' });
    const good = makeCreditCode({ authority: '9', orgType: '1', regionCode6: '370902', serial9: 'MA3C00001' });
    expect(isValidCreditCode(good)).toBe(true);
    expect(good.slice(2, 8)).toBe('370902');
  });
});

describe('resident ID number (GB 11643)', () => {
  it('accepts every generated valid number', () => {
    fc.assert(fc.property(validIdNumber, (id) => {
          expect(validateIdNumber(id)).toEqual({ ok: true });
        }), { numRuns: 300 });
  });

  it('rejects every single-character corruption (digits in 1–17, digits and X in 18)', () => {
    fc.assert(
      fc.property(validIdNumber, (id) => {
        for (const bad of singleCorruptions(id, (i) => (i === 17 ? '0123456789X' : '0123456789'))) expect(isValidIdNumber(bad), bad).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('derives the birth date and gender, and normalizes a lower-case x', () => {
    const id = makeIdNumber({ regionCode6: '370902', birthDate: '1985-06-15', sequence: 123 });
    expect(parseIdNumber(id)).toEqual({ regionCode6: '370902', birthDate: '1985-06-15', gender: 'male' });
    expect(parseIdNumber(makeIdNumber({ regionCode6: '370902', birthDate: '1985-06-15', sequence: 124 })).gender).toBe('female');
    const withX = fc.sample(validIdNumber, 5000).find((x) => x.endsWith('X'))!;
    expect(isValidIdNumber(normalizeIdNumber(withX.toLowerCase()))).toBe(true);
  });

  it('refuses impossible and future birth dates', () => {
    const feb30 = '37090219850230123';
    expect(validateIdNumber(feb30 + idNumberCheckChar(feb30))).toMatchObject({ ok: false, reason: 'birth_date' });
    const future = makeIdNumber({ regionCode6: '370902', birthDate: '2030-01-01', sequence: 1 });
    expect(validateIdNumber(future, new Date('2026-11-22T00:00:00Z'))).toMatchObject({ ok: false, reason: 'birth_date' });
    expect(validateIdNumber('37090219850615123')).toMatchObject({ ok: false, reason: 'length' });
    expect(validateIdNumber('3709021985061512AB')).toMatchObject({ ok: false, reason: 'format' });
  });

  it('masks for public answers (PRODUCT.md §2.4)', () => {
    expect(maskIdNumber('370902198506151234')).toBe('3709**********1234');
    expect(maskName('张三林')).toBe('张*林');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张')).toBe('张');
  });
});
