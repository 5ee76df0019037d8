import { beijingDay } from '../../catalog/calendar.js';
/**
 * Identifier checksums. Pure and isomorphic: the web validates forms with the same code.
 * GB 32100-2015 (统一社会信用代码) and GB 11643-1999 (公民身份号码).
 *
 * Both check characters catch every single-character substitution: the weights are powers of a
 * generator modulo a prime (3 mod 31, 2 mod 11), so a change of d ≠ 0 at position i moves the
 * weighted sum by w·d, and w·d ≢ 0 because the prime divides neither factor (|d| < modulus).
 */

export type IdentifierCheck<R extends string> =
  | { ok: true }
  | { ok: false; reason: R; message: string };

export type CreditCodeFailure = 'length' | 'charset' | 'checksum';
export type IdNumberFailure = 'length' | 'format' | 'birth_date' | 'checksum';

const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

function creditCharsetOnly(s: string): boolean {
  for (const ch of s) if (!CREDIT_CHARSET.includes(ch)) return false;
  return true;
}

export function creditCodeCheckChar(first17: string): string {
  if (first17.length !== 17 || !creditCharsetOnly(first17)) {
    throw new RangeError(`not the first 17 characters of a credit code: ${first17}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARSET.indexOf(first17[i]) * CREDIT_WEIGHTS[i];
  return CREDIT_CHARSET[(31 - (sum % 31)) % 31];
}

export function validateCreditCode(s: string): IdentifierCheck<CreditCodeFailure> {
  if (s.length !== 18) {
    return {
      ok: false,
      reason: 'length',
      message: `统一社会信用代码应为18位（当前${s.length}位）`,
    };
  }
  for (let i = 0; i < 18; i++) {
    if (!CREDIT_CHARSET.includes(s[i])) {
      const shown = String.fromCodePoint(s.codePointAt(i)!);
      return {
        ok: false,
        reason: 'charset',
        message: `统一社会信用代码第${i + 1}位「${shown}」不是可用字符（数字及除 I、O、Z、S、V 外的大写字母）`,
      };
    }
  }
  if (creditCodeCheckChar(s.slice(0, 17)) !== s[17]) {
    return { ok: false, reason: 'checksum', message: '统一社会信用代码校验码错误，请核对是否输错' };
  }
  return { ok: true };
}

export function isValidCreditCode(s: string): boolean {
  return validateCreditCode(s).ok;
}

/** Deterministic: the same parts always give the same code. Throws on malformed parts. */
export function makeCreditCode(p: {
  authority: string;
  orgType: string;
  regionCode6: string;
  serial9: string;
}): string {
  const parts: [string, string, number][] = [
    ['authority', p.authority, 1],
    ['orgType', p.orgType, 1],
    ['serial9', p.serial9, 9],
  ];
  for (const [field, value, length] of parts) {
    if (value.length !== length || !creditCharsetOnly(value)) {
      throw new RangeError(`credit code ${field} must be ${length} charset character(s): ${value}`);
    }
  }
  if (!/^\d{6}$/.test(p.regionCode6)) {
    throw new RangeError(`credit code regionCode6 must be 6 digits: ${p.regionCode6}`);
  }
  const first17 = `${p.authority}${p.orgType}${p.regionCode6}${p.serial9}`;
  return first17 + creditCodeCheckChar(first17);
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
/** GB 11643's own worked example is born in 1880; anything earlier is a typo, not a person. */
const EARLIEST_BIRTH_YEAR = 1800;

export function idNumberCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new RangeError(`not the first 17 digits of an ID number: ${first17}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/**
 * The canonical form every other ID-number function expects, and the form to store: trimmed,
 * full-width characters folded (a Chinese IME types ０-９ and Ｘ), and upper case, so '…x' is
 * the same number as '…X'. The validators do not normalize by themselves, so what was validated
 * is exactly what gets stored and looked up.
 */
export function normalizeIdNumber(s: string): string {
  return s.normalize('NFKC').trim().toUpperCase();
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

/** 'YYYYMMDD' of the Beijing day `now` falls on: birth dates are Chinese calendar days. */
const chinaDay = (now: Date) => beijingDay(now).replaceAll('-', '');

/** Checks the canonical form (see normalizeIdNumber). With `now`, a birth day after today fails. */
export function validateIdNumber(s: string, now?: Date): IdentifierCheck<IdNumberFailure> {
  if (s.length !== 18) {
    return { ok: false, reason: 'length', message: `居民身份证号码应为18位（当前${s.length}位）` };
  }
  if (!/^\d{17}[\dX]$/.test(s)) {
    return {
      ok: false,
      reason: 'format',
      message: '居民身份证号码应为17位数字加1位校验码（数字或大写X）',
    };
  }
  const birth = s.slice(6, 14);
  const y = Number(birth.slice(0, 4));
  const m = Number(birth.slice(4, 6));
  const d = Number(birth.slice(6, 8));
  const shown = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`;
  if (y < EARLIEST_BIRTH_YEAR || !isRealDate(y, m, d)) {
    return { ok: false, reason: 'birth_date', message: `居民身份证号码中的出生日期 ${shown} 无效` };
  }
  if (now && birth > chinaDay(now)) {
    return {
      ok: false,
      reason: 'birth_date',
      message: `居民身份证号码中的出生日期 ${shown} 晚于今天`,
    };
  }
  if (idNumberCheckChar(s.slice(0, 17)) !== s[17]) {
    return { ok: false, reason: 'checksum', message: '居民身份证号码校验码错误，请核对是否输错' };
  }
  return { ok: true };
}

export function isValidIdNumber(s: string, now?: Date): boolean {
  return validateIdNumber(s, now).ok;
}

/** Reads a valid canonical number; throws on anything validateIdNumber (without `now`) rejects. */
export function parseIdNumber(s: string): {
  regionCode6: string;
  birthDate: string;
  gender: 'male' | 'female';
} {
  const v = validateIdNumber(s);
  if (!v.ok) throw new RangeError(`cannot parse an invalid ID number (${v.reason})`);
  return {
    regionCode6: s.slice(0, 6),
    birthDate: `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`,
    gender: Number(s[16]) % 2 === 1 ? 'male' : 'female',
  };
}

/**
 * Deterministic; the result always passes validateIdNumber without `now` (a future birth date is
 * allowed so tests can build one). Throws on malformed parts.
 */
export function makeIdNumber(p: {
  regionCode6: string;
  birthDate: string;
  sequence: number;
}): string {
  if (!/^\d{6}$/.test(p.regionCode6)) {
    throw new RangeError(`ID number regionCode6 must be 6 digits: ${p.regionCode6}`);
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(p.birthDate);
  const [y, m, d] = date ? [Number(date[1]), Number(date[2]), Number(date[3])] : [0, 0, 0];
  if (!date || y < EARLIEST_BIRTH_YEAR || !isRealDate(y, m, d)) {
    throw new RangeError(`ID number birthDate must be a real YYYY-MM-DD date: ${p.birthDate}`);
  }
  if (!Number.isInteger(p.sequence) || p.sequence < 0 || p.sequence > 999) {
    throw new RangeError(`ID number sequence must be an integer 0–999: ${p.sequence}`);
  }
  const first17 = `${p.regionCode6}${date[1]}${date[2]}${date[3]}${String(p.sequence).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

/** '370902198506151234' → '3709**********1234'; too short to keep both ends → all masked. */
export function maskIdNumber(s: string): string {
  if (s.length <= 8) return '*'.repeat(s.length);
  return `${s.slice(0, 4)}${'*'.repeat(s.length - 8)}${s.slice(-4)}`;
}

/** '张三林' → '张*林', '张三' → '张*', '张' → '张'; counts characters, not UTF-16 units. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
