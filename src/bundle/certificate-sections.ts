import { CertificateEventCreateSchema } from '../modules/certificates/certificates.contract.js';
import {
  holderMatches,
  parsePayload,
  publicKeyFromRaw,
  verifyQrPayload,
} from '../modules/certificates/qr.js';
import type { Executor } from '../platform/db/database.js';
import type { Bundle, BundleError, BundleSection } from './bundle.contract.js';
import {
  byRef,
  type Err,
  type IdOf,
  iso,
  itemKnown,
  refsInDb,
  type SectionContext,
  type Take,
} from './exam-sections.js';

/**
 * The certificate sections of the bundle: authority keys (public part only) → certificates →
 * certificate events.
 *
 * - A key travels as its kid, authority, public key and dates. The encrypted private key never leaves
 *   the database. A key that comes in is stored without a private part and retired (at its own
 *   retirement, or at the import): the target cannot sign with it, the certificates it signed verify
 *   there, and the authority signs new cards on the target with a key of the target's own. A later
 *   file that still shows the key in use moves that retirement forward.
 * - A certificate travels with its kid and its current card's signed QR, and keeps the id the QR names
 *   (the QR's online look-up key and the salt of its holder hash), so the card in the holder's pocket
 *   keeps verifying. Its key must come in the same file or be in the database already: an export
 *   carries every key its certificates name, so a platform bundle always imports. A certificate whose
 *   key is neither in the file nor in the database is refused (its QR could never verify).
 * - The QR is checked before anything is written: it parses, names the record's kid, kind, item and
 *   card edition, is signed by that key and binds the record's holder.
 */

/** Organization refs the certificate sections use. */
export function certificateOrganizationRefs(b: Bundle): string[] {
  return [
    ...(b.authorityKeys ?? []).map((k) => k.organizationRef),
    ...(b.certificates ?? []).map((c) => c.authorityRef),
  ];
}

export function certificatePersonRefs(b: Bundle): string[] {
  return (b.certificates ?? []).map((c) => c.personRef);
}

export async function validateCertificateSections(
  db: Executor,
  b: Bundle,
  ctx: SectionContext,
  push: (e: BundleError) => void,
): Promise<void> {
  const err: Err = (section, index, ref, field, code, message) =>
    push({ section, index, ref, field, code, message });
  const { orgInfo, existing } = ctx;
  const keys = b.authorityKeys ?? [];
  const certificates = b.certificates ?? [];
  const events = b.certificateEvents ?? [];
  const authority = (
    section: BundleSection,
    i: number,
    ref: string,
    field: string,
    orgRef: string,
  ) => {
    const o = orgInfo.get(orgRef);
    if (!o) err(section, i, ref, field, 'dangling_ref', `${field}「${orgRef}」不存在`);
    else if (o.kind !== 'exam_authority')
      err(section, i, ref, field, 'not_exam_authority', '发证机关须为考试机构');
  };

  // Keys: the same kid in the database must be the same public key (then it is linked).
  const kidsWanted = [...new Set([...keys.map((k) => k.kid), ...certificates.map((c) => c.kid)])];
  const dbKeys = new Map(
    (kidsWanted.length
      ? await db
          .selectFrom('authorityKey')
          .select(['kid', 'publicKey'])
          .where('kid', 'in', kidsWanted)
          .execute()
      : []
    ).map((k) => [k.kid, k.publicKey]),
  );
  const publicKeys = new Map<string, string>(dbKeys);
  for (const [i, k] of keys.entries()) {
    authority('authorityKeys', i, k.kid, 'organizationRef', k.organizationRef);
    let parses = true;
    try {
      publicKeyFromRaw(k.publicKey);
    } catch {
      parses = false;
      err('authorityKeys', i, k.kid, 'publicKey', 'bad_public_key', '不是 Ed25519 公钥');
    }
    if (k.retiredAt && Date.parse(k.retiredAt) < Date.parse(k.createdAt))
      err('authorityKeys', i, k.kid, 'retiredAt', 'end_before_start', '停用时间早于创建时间');
    const inDb = dbKeys.get(k.kid);
    if (inDb !== undefined && inDb !== k.publicKey)
      err('authorityKeys', i, k.kid, 'publicKey', 'kid_conflict', `密钥 ${k.kid} 已以另一公钥登记`);
    else if (inDb !== undefined) existing.authorityKeys.set(k.kid, k.kid);
    if (parses && inDb === undefined) publicKeys.set(k.kid, k.publicKey);
  }

  // Holders, for the QR's holder binding: from the file, else from the database.
  const filePersons = new Map((b.persons ?? []).map((p) => [p.ref, p]));
  const holderIds = [
    ...new Set(
      certificates
        .filter((c) => !filePersons.has(c.personRef))
        .flatMap((c) => ctx.personIds.get(c.personRef) ?? []),
    ),
  ];
  const dbHolders = new Map(
    (holderIds.length
      ? await db
          .selectFrom('person')
          .select(['id', 'name', 'idNumber'])
          .where('id', 'in', holderIds)
          .execute()
      : []
    ).map((p) => [p.id, p]),
  );
  const holderOf = (personRef: string) =>
    filePersons.get(personRef) ?? dbHolders.get(ctx.personIds.get(personRef) ?? '');

  const registrationRefs = new Set((b.examRegistrations ?? []).map((r) => r.ref));
  const dbRegistrations = await refsInDb(
    db,
    'examRegistrations',
    certificates.flatMap((c) => (c.registrationRef ? [c.registrationRef] : [])),
    registrationRefs,
  );
  const certificateIds = new Map<string, string>();
  const results = new Map<string, string>();
  for (const [i, c] of certificates.entries()) {
    authority('certificates', i, c.ref, 'authorityRef', c.authorityRef);
    if (!ctx.personKnown(c.personRef))
      err(
        'certificates',
        i,
        c.ref,
        'personRef',
        'dangling_ref',
        `personRef「${c.personRef}」不存在`,
      );
    if (!itemKnown(c.kind, c.operationItemCode))
      err(
        'certificates',
        i,
        c.ref,
        'operationItemCode',
        'unknown_item',
        `${c.operationItemCode} 不是该类证书的作业类别`,
      );
    if (c.validUntil < c.issuedOn)
      err('certificates', i, c.ref, 'validUntil', 'end_before_start', '有效期止早于发证日期');
    if (c.registrationRef) {
      if (!registrationRefs.has(c.registrationRef) && !dbRegistrations.has(c.registrationRef)) {
        err(
          'certificates',
          i,
          c.ref,
          'registrationRef',
          'dangling_ref',
          `registrationRef「${c.registrationRef}」不存在`,
        );
      } else {
        if (results.has(c.registrationRef))
          err(
            'certificates',
            i,
            c.ref,
            'registrationRef',
            'duplicate_result',
            `该考试成绩已发证「${results.get(c.registrationRef)}」`,
          );
        results.set(c.registrationRef, c.ref);
        const registrationId =
          dbRegistrations.get(c.registrationRef) ??
          existing.examRegistrations.get(c.registrationRef);
        if (registrationId && !existing.certificates.has(c.ref)) {
          const issued = await db
            .selectFrom('certificate')
            .select('id')
            .where('resultRef', '=', registrationId)
            .executeTakeFirst();
          if (issued)
            err(
              'certificates',
              i,
              c.ref,
              'registrationRef',
              'duplicate_result',
              '该考试成绩已发证',
            );
        }
      }
    }
    const publicKey = publicKeys.get(c.kid);
    if (publicKey === undefined)
      err(
        'certificates',
        i,
        c.ref,
        'kid',
        'unknown_key',
        `密钥 ${c.kid} 既不在数据包的 authorityKeys 中，也不在库中`,
      );
    const parsed = parsePayload(c.qrPayload);
    if (!parsed) {
      err('certificates', i, c.ref, 'qrPayload', 'qr_malformed', '二维码内容无法解析');
      continue;
    }
    const q = parsed.claims;
    if (q.kid !== c.kid)
      err(
        'certificates',
        i,
        c.ref,
        'qrPayload',
        'qr_mismatch',
        `二维码由密钥 ${q.kid} 签名，与 kid 不符`,
      );
    if (
      q.kind !== c.kind ||
      q.operationItemCode !== c.operationItemCode ||
      q.cardEdition !== c.cardEdition
    ) {
      err(
        'certificates',
        i,
        c.ref,
        'qrPayload',
        'qr_mismatch',
        '二维码的证书种类、作业类别或证卡版次与记录不符',
      );
    }
    if (publicKey !== undefined && q.kid === c.kid) {
      const check = verifyQrPayload(c.qrPayload, [
        {
          kid: c.kid,
          publicKey,
          authority: { id: '', name: '', regionCode: '' },
          createdAt: '',
          retiredAt: null,
        },
      ]);
      if (!check.valid)
        err('certificates', i, c.ref, 'qrPayload', 'qr_bad_signature', '二维码签名无效');
    }
    const holder = holderOf(c.personRef);
    if (holder && !holderMatches(q, holder.name, holder.idNumber))
      err(
        'certificates',
        i,
        c.ref,
        'qrPayload',
        'qr_holder_mismatch',
        '二维码绑定的持证人与 personRef 不符',
      );
    // The certificate keeps the id its QR names: the same id twice is the same certificate.
    if (certificateIds.has(q.certificateId))
      err(
        'certificates',
        i,
        c.ref,
        'qrPayload',
        'duplicate_certificate',
        `与「${certificateIds.get(q.certificateId)}」是同一证书`,
      );
    certificateIds.set(q.certificateId, c.ref);
    if (!existing.certificates.has(c.ref)) {
      const inDb = await db
        .selectFrom('certificate')
        .select(['id', 'number', 'operationItemCode'])
        .where('id', '=', q.certificateId)
        .executeTakeFirst();
      if (inDb && (inDb.number !== c.number || inDb.operationItemCode !== c.operationItemCode))
        err(
          'certificates',
          i,
          c.ref,
          'qrPayload',
          'certificate_id_taken',
          '二维码中的证书标识已属于库中另一证书',
        );
      else if (inDb) existing.certificates.set(c.ref, inDb.id);
    }
  }

  const certificateRefs = new Set(certificates.map((c) => c.ref));
  const dbCertificates = await refsInDb(
    db,
    'certificates',
    events.map((e) => e.certificateRef),
    certificateRefs,
  );
  for (const [i, e] of events.entries()) {
    if (!certificateRefs.has(e.certificateRef) && !dbCertificates.has(e.certificateRef))
      err(
        'certificateEvents',
        i,
        e.ref,
        'certificateRef',
        'dangling_ref',
        `certificateRef「${e.certificateRef}」不存在`,
      );
    if (e.banUntil && e.kind !== 'revoke')
      err(
        'certificateEvents',
        i,
        e.ref,
        'banUntil',
        'ban_without_revocation',
        '只有撤销才有禁考期限',
      );
    if (e.fraud && e.kind !== 'revoke')
      err(
        'certificateEvents',
        i,
        e.ref,
        'fraud',
        'fraud_without_revocation',
        '只有撤销才有舞弊标记',
      );
    if (e.extended && e.kind !== 'review')
      err(
        'certificateEvents',
        i,
        e.ref,
        'extended',
        'extension_without_review',
        '只有复审才有延期',
      );
    // The event as the API would take it (a reason for a revocation, cancellation or replacement…).
    const asApi = CertificateEventCreateSchema.safeParse({
      kind: e.kind,
      occurredOn: e.occurredOn,
      reason: e.reason ?? undefined,
      extended: e.kind === 'review' ? e.extended : undefined,
      fraud: e.kind === 'revoke' ? (e.fraud ?? false) : undefined,
    });
    for (const issue of asApi.success ? [] : asApi.error.issues)
      err('certificateEvents', i, e.ref, issue.path.join('.') || 'kind', 'schema', issue.message);
  }
}

/** Writes the certificate sections inside the import transaction, after the exam sections. */
export async function importCertificateSections(
  trx: Executor,
  b: Bundle,
  take: Take,
  idOf: IdOf,
  now: Date,
): Promise<void> {
  for (const k of b.authorityKeys ?? []) {
    const { isNew } = take('authorityKeys', k.kid, null, { id: k.kid, keepRef: false });
    if (!isNew) {
      // A key imported before (no private part here) was in use at the source until at least this
      // file: its retirement moves forward, so the certificates it signed since keep verifying.
      const until = k.retiredAt ? new Date(k.retiredAt) : now;
      await trx
        .updateTable('authorityKey')
        .set({ retiredAt: until })
        .where('kid', '=', k.kid)
        .where('privateKeyEnc', '=', '')
        .where('retiredAt', '<', until)
        .execute();
      continue;
    }
    await trx
      .insertInto('authorityKey')
      .values({
        kid: k.kid,
        organizationId: await idOf('organizations', k.organizationRef),
        publicKey: k.publicKey,
        // No private part: this database verifies with the key and never signs with it.
        privateKeyEnc: '',
        createdAt: k.createdAt,
        retiredAt: k.retiredAt ? new Date(k.retiredAt) : now,
      })
      .execute();
  }
  for (const c of b.certificates ?? []) {
    const authorityId = await idOf('organizations', c.authorityRef);
    const { regionCode } = await trx
      .selectFrom('organization')
      .select('regionCode')
      .where('id', '=', authorityId)
      .executeTakeFirstOrThrow();
    const claims = parsePayload(c.qrPayload)?.claims;
    if (!claims) throw new Error(`validated certificate ${c.ref} has no QR`);
    const { id, isNew } = take('certificates', c.ref, regionCode, { id: claims.certificateId });
    if (!isNew) continue;
    await trx
      .insertInto('certificate')
      .values({
        id,
        number: c.number,
        kind: c.kind,
        personId: await idOf('persons', c.personRef),
        operationItemCode: c.operationItemCode,
        authorityId,
        regionCode,
        issuedOn: c.issuedOn,
        validUntil: c.validUntil,
        kid: c.kid,
        qrPayload: c.qrPayload,
        cardEdition: c.cardEdition,
        resultRef: c.registrationRef ? await idOf('examRegistrations', c.registrationRef) : null,
      })
      .execute();
  }
  for (const e of b.certificateEvents ?? []) {
    const certificateId = await idOf('certificates', e.certificateRef);
    const { regionCode } = await trx
      .selectFrom('certificate')
      .select('regionCode')
      .where('id', '=', certificateId)
      .executeTakeFirstOrThrow();
    const { id, isNew } = take('certificateEvents', e.ref, regionCode);
    if (!isNew) continue;
    await trx
      .insertInto('certificateEvent')
      .values({
        id,
        certificateId,
        kind: e.kind,
        occurredOn: e.occurredOn,
        extended: e.extended ?? false,
        fraud: e.fraud ?? false,
        banUntil: e.banUntil ?? null,
        reason: e.reason ?? null,
        cardEdition: e.cardEdition ?? null,
        recordedBy: e.recordedBy,
      })
      .execute();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The certificate sections of an export under a region prefix: the jurisdiction's certificates and
 * their events, and the public part of every key of its authorities or named by its certificates.
 */
export async function exportCertificateSections(
  db: Executor,
  prefix: string,
  ref: (section: BundleSection, id: string) => string,
): Promise<Partial<Bundle>> {
  const like = `${prefix}%`;
  const [certificates, events] = await Promise.all([
    db.selectFrom('certificate').selectAll().where('regionCode', 'like', like).execute(),
    db
      .selectFrom('certificateEvent as e')
      .innerJoin('certificate as c', 'c.id', 'e.certificateId')
      .selectAll('e')
      .where('c.regionCode', 'like', like)
      .execute(),
  ]);
  const kids = [...new Set(certificates.map((c) => c.kid))];
  const keys = await db
    .selectFrom('authorityKey as k')
    .innerJoin('organization as o', 'o.id', 'k.organizationId')
    .select(['k.kid', 'k.organizationId', 'k.publicKey', 'k.createdAt', 'k.retiredAt'])
    .where((eb) =>
      kids.length
        ? eb.or([eb('o.regionCode', 'like', like), eb('k.kid', 'in', kids)])
        : eb('o.regionCode', 'like', like),
    )
    .execute();
  // The exam module names the registration a certificate was issued from; other result refs stay home.
  const resultIds = [
    ...new Set(
      certificates.flatMap((c) => (c.resultRef && UUID.test(c.resultRef) ? [c.resultRef] : [])),
    ),
  ];
  const registrations = new Set(
    resultIds.length
      ? (
          await db
            .selectFrom('examRegistration')
            .select('id')
            .where('id', 'in', resultIds)
            .execute()
        ).map((r) => r.id)
      : [],
  );
  return {
    authorityKeys: keys
      .map((k) => ({
        kid: k.kid,
        organizationRef: ref('organizations', k.organizationId),
        publicKey: k.publicKey,
        createdAt: iso(k.createdAt),
        retiredAt: k.retiredAt ? iso(k.retiredAt) : null,
      }))
      .sort((a, b) => (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0)),
    certificates: byRef(
      certificates.map((c) => ({
        ref: ref('certificates', c.id),
        number: c.number,
        kind: c.kind,
        personRef: ref('persons', c.personId),
        operationItemCode: c.operationItemCode,
        authorityRef: ref('organizations', c.authorityId),
        issuedOn: c.issuedOn,
        validUntil: c.validUntil,
        cardEdition: c.cardEdition,
        kid: c.kid,
        qrPayload: c.qrPayload,
        registrationRef:
          c.resultRef && registrations.has(c.resultRef)
            ? ref('examRegistrations', c.resultRef)
            : null,
      })),
    ),
    certificateEvents: byRef(
      events.map((e) => ({
        ref: ref('certificateEvents', e.id),
        certificateRef: ref('certificates', e.certificateId),
        kind: e.kind,
        occurredOn: e.occurredOn,
        extended: e.extended,
        fraud: e.fraud,
        banUntil: e.banUntil,
        reason: e.reason,
        cardEdition: e.cardEdition,
        recordedBy: e.recordedBy,
      })),
    ),
  };
}
