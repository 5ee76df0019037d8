import { readFileSync } from 'node:fs';
import { holderMatches, type PublishedKey, verifyQrPayload } from './qr.js';

/**
 * `zhenxun verify-qr PAYLOAD --keys KEYS.json [--name 姓名 --id 身份证号]`: checks a certificate QR
 * offline with nothing but the published keys (GET /api/public/keys saved to a file) — no database,
 * no network. With --name and --id it also checks the QR was signed for the person in front of you.
 * Prints one JSON line; exit 0 genuine (and the holder matches when asked), 1 not, 2 usage.
 */
export function runVerifyQr(
  args: string[],
  out: (line: string) => void = (l) => process.stdout.write(l),
  err: (line: string) => void = (l) => process.stderr.write(l),
): number {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const payload = args[0];
  const keysFile = opt('--keys');
  if (!payload || payload.startsWith('--') || !keysFile) {
    err('usage: zhenxun verify-qr PAYLOAD --keys KEYS.json [--name NAME --id ID_NUMBER]\n');
    return 2;
  }
  let keys: PublishedKey[];
  try {
    const parsed = JSON.parse(readFileSync(keysFile, 'utf8'));
    keys = Array.isArray(parsed) ? parsed : parsed.keys;
    if (!Array.isArray(keys)) throw new Error('no "keys" array');
  } catch (e) {
    err(`cannot read published keys from ${keysFile}: ${(e as Error).message}\n`);
    return 2;
  }
  const check = verifyQrPayload(payload, keys);
  if (!check.valid) {
    out(`${JSON.stringify({ valid: false, reason: check.reason })}\n`);
    return 1;
  }
  const name = opt('--name');
  const id = opt('--id');
  const holder = name && id ? holderMatches(check.claims, name, id) : undefined;
  const { claims, key } = check;
  out(
    `${JSON.stringify({
      valid: true,
      certificate: {
        id: claims.certificateId,
        kind: claims.kind,
        operationItemCode: claims.operationItemCode,
        issuedOn: claims.issuedOn,
        validUntil: claims.validUntil,
        cardEdition: claims.cardEdition,
      },
      authority: key.authority,
      kid: key.kid,
      keyRetiredAt: key.retiredAt,
      ...(holder === undefined ? {} : { holderMatches: holder }),
      note: 'signature checked offline; revocation and reviews are only known online (POST /api/public/verify-qr)',
    })}\n`,
  );
  return holder === false ? 1 : 0;
}
