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
const DIGITS = '0123456789';
const ID_CHECK_ALPHABET = `${DIGITS}X`;
const SAMPLES = 200;

const creditChars = (length: number) =>
  fc.string({ unit: fc.constantFrom(...CREDIT_CHARSET), minLength: length, maxLength: length });
const digits = (length: number) =>
  fc.string({ unit: fc.constantFrom(...DIGITS), minLength: length, maxLength: length });

const creditParts = fc.record({
  authority: creditChars(1),
  orgType: creditChars(1),
  regionCode6: digits(6),
  serial9: creditChars(9),
});
const validCreditCode = creditParts.map(makeCreditCode);

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const birthDate = fc
  .date({
    min: new Date('1800-01-01T00:00:00Z'),
    max: new Date('2099-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map(isoDay);
const idParts = fc.record({
  regionCode6: digits(6),
  birthDate,
  sequence: fc.integer({ min: 0, max: 999 }),
});
const validIdNumber = idParts.map(makeIdNumber);

/**
 * Independent oracles straight from the definitions rather than the module's weight tables:
 * GB 32100 — Σ 3^(i-1)·v(cᵢ) over positions 1–17 plus v(c₁₈) ≡ 0 (mod 31);
 * ISO 7064 MOD 11-2 — Σ 2^(18-i)·aᵢ over all 18 positions ≡ 1 (mod 11), X = 10.
 */
function creditOracle(code: string): boolean {
  let sum = 0;
  let w = 1;
  for (let i = 0; i < 17; i++, w = (w * 3) % 31) sum += w * CREDIT_CHARSET.indexOf(code[i]);
  return (sum + CREDIT_CHARSET.indexOf(code[17])) % 31 === 0;
}
function idOracle(id: string): boolean {
  let sum = 0;
  for (let i = 0; i < 18; i++) sum += 2 ** (17 - i) * ID_CHECK_ALPHABET.indexOf(id[i]);
  return sum % 11 === 1;
}

/** Every string differing from `s` in exactly one position, over each position's whole alphabet. */
function singleSubstitutions(s: string, alphabetAt: (i: number) => string) {
  const out: { position: number; value: string }[] = [];
  for (let i = 0; i < s.length; i++) {
    for (const c of alphabetAt(i)) {
      if (c !== s[i]) out.push({ position: i + 1, value: s.slice(0, i) + c + s.slice(i + 1) });
    }
  }
  return out;
}

function adjacentSwaps(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < s.length; i++) {
    if (s[i] !== s[i + 1]) out.push(s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2));
  }
  return out;
}

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts every generated code, and the check char agrees with the definition', () => {
    fc.assert(
      fc.property(validCreditCode, (code) => {
        expect(validateCreditCode(code)).toEqual({ ok: true });
        expect(creditOracle(code)).toBe(true);
      }),
      { numRuns: SAMPLES },
    );
  });

  it('rejects every single-character substitution: all 18 positions × all 30 other characters', () => {
    fc.assert(
      fc.property(validCreditCode, (code) => {
        const corruptions = singleSubstitutions(code, () => CREDIT_CHARSET);
        expect(corruptions).toHaveLength(18 * 30);
        const wrong = corruptions.filter((c) => {
          const v = validateCreditCode(c.value);
          return v.ok || v.reason !== 'checksum' || creditOracle(c.value);
        });
        expect(wrong).toEqual([]);
      }),
      { numRuns: SAMPLES },
    );
  });

  it('also rejects every swap of two adjacent different characters', () => {
    // Neighbouring weights differ by a unit mod 31 (3wᵢ − wᵢ, and 1 − 28 at the end).
    fc.assert(
      fc.property(validCreditCode, (code) => {
        const accepted = adjacentSwaps(code).filter(isValidCreditCode);
        expect(accepted).toEqual([]);
      }),
      { numRuns: SAMPLES },
    );
  });

  it('is deterministic and keeps the parts in place', () => {
    fc.assert(
      fc.property(creditParts, (p) => {
        const code = makeCreditCode(p);
        expect(makeCreditCode(p)).toBe(code);
        expect(code.slice(0, 17)).toBe(`${p.authority}${p.orgType}${p.regionCode6}${p.serial9}`);
      }),
      { numRuns: SAMPLES },
    );
    const code = makeCreditCode({
      authority: '9',
      orgType: '1',
      regionCode6: '370902',
      serial9: 'MA3C00001',
    });
    expect(code.slice(2, 8)).toBe('370902');
  });

  it('accepts codes as printed on real business licences', () => {
    for (const code of ['91350100M000100Y43', '914403001922038216', '91440300708461136T']) {
      expect(validateCreditCode(code), code).toEqual({ ok: true });
    }
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    // A sum ≡ 0 (mod 31) gives 31, which wraps to '0'.
    expect(creditCodeCheckChar('00000000000000000')).toBe('0');
  });

  it('names why a code fails', () => {
    expect(validateCreditCode('91350100M000100Y4')).toMatchObject({ ok: false, reason: 'length' });
    expect(validateCreditCode('91350100M000100Y433')).toMatchObject({
      ok: false,
      reason: 'length',
    });
    expect(validateCreditCode('')).toMatchObject({ ok: false, reason: 'length' });
    for (const bad of [
      '91350100I000100Y43',
      '9135010OM000100Y43',
      '91350100m000100Y43',
      '91350100M000100Z43',
    ]) {
      expect(validateCreditCode(bad), bad).toMatchObject({ ok: false, reason: 'charset' });
    }
    expect(validateCreditCode('91350100M000100Y44')).toMatchObject({
      ok: false,
      reason: 'checksum',
    });
    const v = validateCreditCode('91350100I000100Y43');
    expect(!v.ok && v.message).toContain('第9位「I」');
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('91350100M000100Y44')).toBe(false);
  });

  it('refuses malformed input instead of computing a check char from it', () => {
    expect(() => creditCodeCheckChar('9135010')).toThrow(RangeError);
    expect(() => creditCodeCheckChar('91350100I000100Y4')).toThrow(RangeError);
    const ok = { authority: '9', orgType: '1', regionCode6: '370902', serial9: 'MA3C00001' };
    expect(() => makeCreditCode({ ...ok, authority: '91', orgType: '' })).toThrow(RangeError);
    expect(() => makeCreditCode({ ...ok, regionCode6: '37090A' })).toThrow(RangeError);
    expect(() => makeCreditCode({ ...ok, serial9: 'MA3C0000I' })).toThrow(RangeError);
  });
});

describe('resident ID number (GB 11643-1999)', () => {
  it('accepts every generated number, and the check char agrees with ISO 7064 MOD 11-2', () => {
    fc.assert(
      fc.property(validIdNumber, (id) => {
        expect(validateIdNumber(id)).toEqual({ ok: true });
        expect(idOracle(id)).toBe(true);
      }),
      { numRuns: SAMPLES },
    );
  });

  it('rejects every single-character substitution: digits in 1–17, digits and X in 18', () => {
    fc.assert(
      fc.property(validIdNumber, (id) => {
        const corruptions = singleSubstitutions(id, (i) => (i === 17 ? ID_CHECK_ALPHABET : DIGITS));
        expect(corruptions).toHaveLength(17 * 9 + 10);
        const wrong = corruptions.filter((c) => {
          const v = validateIdNumber(c.value);
          if (v.ok || idOracle(c.value)) return true;
          // Only the birth-date digits (positions 7–14) may fail for a reason other than the checksum.
          const inBirthDate = c.position >= 7 && c.position <= 14;
          return !(v.reason === 'checksum' || (inBirthDate && v.reason === 'birth_date'));
        });
        expect(wrong).toEqual([]);
      }),
      { numRuns: SAMPLES },
    );
  });

  it('also rejects every swap of two adjacent different characters', () => {
    // wᵢ = 2wᵢ₊₁ (mod 11), so a swap moves the sum by ±wᵢ₊₁·(a − b) ≢ 0.
    fc.assert(
      fc.property(validIdNumber, (id) => {
        const accepted = adjacentSwaps(id).filter((s) => isValidIdNumber(s));
        expect(accepted).toEqual([]);
      }),
      { numRuns: SAMPLES },
    );
  });

  it('accepts the worked examples of GB 11643-1999', () => {
    expect(validateIdNumber('11010519491231002X')).toEqual({ ok: true });
    expect(validateIdNumber('440524188001010014')).toEqual({ ok: true });
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(idNumberCheckChar('44052418800101001')).toBe('4');
    expect(parseIdNumber('11010519491231002X')).toEqual({
      regionCode6: '110105',
      birthDate: '1949-12-31',
      gender: 'female',
    });
    expect(parseIdNumber('440524188001010014')).toEqual({
      regionCode6: '440524',
      birthDate: '1880-01-01',
      gender: 'male',
    });
  });

  it('names why a number fails', () => {
    const withCheck = (first17: string) => first17 + idNumberCheckChar(first17);
    expect(validateIdNumber('11010519491231002')).toMatchObject({ ok: false, reason: 'length' });
    expect(validateIdNumber('11010519491231002X1')).toMatchObject({ ok: false, reason: 'length' });
    expect(validateIdNumber('1101051949123100XX')).toMatchObject({ ok: false, reason: 'format' });
    expect(validateIdNumber('11010519491231002x')).toMatchObject({ ok: false, reason: 'format' });
    expect(validateIdNumber('11010519491231002Y')).toMatchObject({ ok: false, reason: 'format' });
    expect(validateIdNumber(withCheck('37090219850230123'))).toMatchObject({
      ok: false,
      reason: 'birth_date',
    });
    expect(validateIdNumber(withCheck('37090219851301123'))).toMatchObject({
      ok: false,
      reason: 'birth_date',
    });
    expect(validateIdNumber(withCheck('37090219850600123'))).toMatchObject({
      ok: false,
      reason: 'birth_date',
    });
    expect(validateIdNumber(withCheck('37090217991231123'))).toMatchObject({
      ok: false,
      reason: 'birth_date',
    });
    // Century rule: 1900 was not a leap year, 2000 was.
    expect(validateIdNumber(withCheck('37090219000229123'))).toMatchObject({
      ok: false,
      reason: 'birth_date',
    });
    expect(validateIdNumber(withCheck('37090220000229123'))).toEqual({ ok: true });
    expect(validateIdNumber('110105194912310021')).toMatchObject({ ok: false, reason: 'checksum' });
    expect(validateIdNumber('110105194912310020')).toMatchObject({ ok: false, reason: 'checksum' });
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
  });

  it('refuses a birth day after today in China, and accepts today', () => {
    const born = makeIdNumber({ regionCode6: '370902', birthDate: '2026-11-22', sequence: 1 });
    // 2026-11-21T16:30Z is 00:30 on 22 November in Beijing.
    expect(validateIdNumber(born, new Date('2026-11-21T16:30:00Z'))).toEqual({ ok: true });
    expect(validateIdNumber(born, new Date('2026-11-21T15:59:00Z'))).toMatchObject({
      ok: false,
      reason: 'birth_date',
    });
    expect(isValidIdNumber(born, new Date('2026-11-21T15:59:00Z'))).toBe(false);
    expect(isValidIdNumber(born)).toBe(true);
    fc.assert(
      fc.property(
        idParts,
        fc.date({
          min: new Date('1800-01-02T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        (p, now) => {
          const past = p.birthDate <= isoDay(now);
          const future = p.birthDate > isoDay(new Date(now.getTime() + 86_400_000));
          const v = validateIdNumber(makeIdNumber(p), now);
          if (past) expect(v).toEqual({ ok: true });
          if (future) expect(v).toMatchObject({ ok: false, reason: 'birth_date' });
        },
      ),
      { numRuns: SAMPLES },
    );
  });

  it('normalizes a lower-case x, full-width characters and surrounding blanks; validation does not', () => {
    expect(normalizeIdNumber(' 11010519491231002x\n')).toBe('11010519491231002X');
    expect(normalizeIdNumber('１１０１０５１９４９１２３１００２Ｘ')).toBe('11010519491231002X');
    expect(normalizeIdNumber('\u300011010519491231002x\u3000')).toBe('11010519491231002X');
    expect(validateIdNumber(' 11010519491231002X')).toMatchObject({ ok: false, reason: 'length' });
    fc.assert(
      fc.property(validIdNumber, (id) => {
        expect(normalizeIdNumber(id)).toBe(id);
        expect(normalizeIdNumber(` ${id.toLowerCase()} `)).toBe(id);
      }),
      { numRuns: SAMPLES },
    );
  });

  it('round-trips through parse: region, birth date, and gender from the parity of digit 17', () => {
    fc.assert(
      fc.property(idParts, (p) => {
        const id = makeIdNumber(p);
        expect(makeIdNumber(p)).toBe(id);
        expect(parseIdNumber(id)).toEqual({
          regionCode6: p.regionCode6,
          birthDate: p.birthDate,
          gender: p.sequence % 2 === 1 ? 'male' : 'female',
        });
      }),
      { numRuns: SAMPLES },
    );
    const male = makeIdNumber({ regionCode6: '370902', birthDate: '1985-06-15', sequence: 123 });
    expect(male).toMatch(/^37090219850615123[\dX]$/);
    expect(parseIdNumber(male)).toEqual({
      regionCode6: '370902',
      birthDate: '1985-06-15',
      gender: 'male',
    });
    const female = makeIdNumber({ regionCode6: '370902', birthDate: '1985-06-15', sequence: 124 });
    expect(parseIdNumber(female).gender).toBe('female');
  });

  it('refuses to parse, check or build from malformed input', () => {
    expect(() => parseIdNumber('110105194912310021')).toThrow(RangeError);
    expect(() => parseIdNumber('11010519491231002x')).toThrow(RangeError);
    expect(() => idNumberCheckChar('1101051949123100X')).toThrow(RangeError);
    expect(() => idNumberCheckChar('1101051949123100')).toThrow(RangeError);
    const ok = { regionCode6: '370902', birthDate: '1985-06-15', sequence: 1 };
    expect(() => makeIdNumber({ ...ok, regionCode6: '37090' })).toThrow(RangeError);
    expect(() => makeIdNumber({ ...ok, birthDate: '1985-02-29' })).toThrow(RangeError);
    expect(() => makeIdNumber({ ...ok, birthDate: '19850615' })).toThrow(RangeError);
    expect(() => makeIdNumber({ ...ok, sequence: 1000 })).toThrow(RangeError);
    expect(() => makeIdNumber({ ...ok, sequence: -1 })).toThrow(RangeError);
    expect(() => makeIdNumber({ ...ok, sequence: 1.5 })).toThrow(RangeError);
  });
});

describe('masking for public answers', () => {
  it('keeps the first and last four characters of an ID number', () => {
    expect(maskIdNumber('370902198506151234')).toBe('3709**********1234');
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskIdNumber('12345678')).toBe('********');
    expect(maskIdNumber('')).toBe('');
  });

  it('keeps the surname and, from three characters on, the last character of a name', () => {
    expect(maskName('张三林')).toBe('张*林');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张')).toBe('张');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskName('𠀋三')).toBe('𠀋*');
  });
});
