/**
 * Identifier checksums. Pure and isomorphic: the web validates forms with the same code.
 * GB 32100-2015 (统一社会信用代码) and GB 11643-1999 (公民身份号码).
 */

export type IdentifierCheck<R extends string> = { ok: true } | { ok: false; reason: R; message: string };

const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARSET.indexOf(first17[i]) * CREDIT_WEIGHTS[i];
  const c = 31 - (sum % 31);
  return CREDIT_CHARSET[c === 31 ? 0 : c];
}

export function validateCreditCode(s: string): IdentifierCheck<'length' | 'charset' | 'checksum'> {
  if (s.length !== 18) return { ok: false, reason: 'length', message: '统一社会信用代码应为18位' };
  for (const ch of s) {
    if (!CREDIT_CHARSET.includes(ch)) return { ok: false, reason: 'charset', message: `统一社会信用代码含非法字符「${ch}」` };
  }
  if (creditCodeCheckChar(s.slice(0, 17)) !== s[17]) return { ok: false, reason: 'checksum', message: '统一社会信用代码校验码错误' };
  return { ok: true };
}

export function isValidCreditCode(s: string): boolean {
  return validateCreditCode(s).ok;
}

export function makeCreditCode(p: { authority: string; orgType: string; regionCode6: string; serial9: string }): string {
  const first17 = `${p.authority}${p.orgType}${p.regionCode6}${p.serial9}`;
  if (first17.length !== 17) throw new Error('credit code parts must give 17 characters');
  return first17 + creditCodeCheckChar(first17);
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** Trims and upper-cases: a lower-case 'x' check character is the same number. */
export function normalizeIdNumber(s: string): string {
  return s.trim().toUpperCase();
}

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function validateIdNumber(s: string, now?: Date): IdentifierCheck<'length' | 'format' | 'birth_date' | 'checksum'> {
  if (s.length !== 18) return { ok: false, reason: 'length', message: '居民身份证号码应为18位' };
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, reason: 'format', message: '居民身份证号码格式错误' };
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  if (y < 1900 || !isRealDate(y, m, d) || (now && Date.UTC(y, m - 1, d) > now.getTime())) {
    return { ok: false, reason: 'birth_date', message: '居民身份证号码中的出生日期无效' };
  }
  if (idNumberCheckChar(s.slice(0, 17)) !== s[17]) return { ok: false, reason: 'checksum', message: '居民身份证号码校验码错误' };
  return { ok: true };
}

export function isValidIdNumber(s: string, now?: Date): boolean {
  return validateIdNumber(s, now).ok;
}

export function parseIdNumber(s: string): { regionCode6: string; birthDate: string; gender: 'male' | 'female' } {
  return {
    regionCode6: s.slice(0, 6),
    birthDate: `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`,
    gender: Number(s[16]) % 2 === 1 ? 'male' : 'female',
  };
}

export function makeIdNumber(p: { regionCode6: string; birthDate: string; sequence: number }): string {
  const first17 = `${p.regionCode6}${p.birthDate.replaceAll('-', '')}${String(p.sequence).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

export function maskIdNumber(s: string): string {
  return s.length <= 8 ? '*'.repeat(s.length) : `${s.slice(0, 4)}${'*'.repeat(s.length - 8)}${s.slice(-4)}`;
}

export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
