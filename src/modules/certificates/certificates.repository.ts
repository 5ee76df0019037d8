import { type ExpressionBuilder, sql } from 'kysely';
import type { Scope } from '../../platform/auth/actor.js';
import { nothing, regionPrefix } from '../../platform/auth/scope-sql.js';
import { type Executor, queryPrepared } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { CertificateEventKind, CertificateKind } from './certificates.contract.js';
import type { NewCertificateEventRow, NewCertificateRow } from './certificates.table.js';

type CertEb = ExpressionBuilder<Database, 'certificate'>;

/**
 * Certificates a scope may see: a jurisdiction sees those issued in it and those of holders who work
 * in it (the review may be done where the holder works); an organization those of its employees and
 * staff; a worker their own.
 */
function certificateVisible(eb: CertEb, scope: Scope) {
  switch (scope.kind) {
    case 'region': {
      const prefix = regionPrefix(scope);
      return eb.or([
        eb('certificate.regionCode', 'like', prefix),
        eb.exists(
          eb
            .selectFrom('employment as e')
            .select(sql`1`.as('one'))
            .whereRef('e.personId', '=', 'certificate.personId')
            .where('e.regionCode', 'like', prefix),
        ),
        eb.exists(
          eb
            .selectFrom('staffAssignment as s')
            .select(sql`1`.as('one'))
            .whereRef('s.personId', '=', 'certificate.personId')
            .where('s.regionCode', 'like', prefix),
        ),
      ]);
    }
    case 'organization':
      return eb.or([
        eb.exists(
          eb
            .selectFrom('employment as e')
            .select(sql`1`.as('one'))
            .whereRef('e.personId', '=', 'certificate.personId')
            .where('e.organizationId', '=', scope.organizationId),
        ),
        eb.exists(
          eb
            .selectFrom('staffAssignment as s')
            .select(sql`1`.as('one'))
            .whereRef('s.personId', '=', 'certificate.personId')
            .where('s.organizationId', '=', scope.organizationId),
        ),
      ]);
    case 'person':
      return eb('certificate.personId', '=', scope.personId);
    case 'none':
      return nothing;
  }
}

// ——— keys ———

export function findActiveKey(
  trx: Executor,
  organizationId: string,
  opts: { lock?: boolean } = {},
) {
  let q = trx
    .selectFrom('authorityKey')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('retiredAt', 'is', null);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function retireKeys(trx: Executor, organizationId: string, at: Date) {
  await trx
    .updateTable('authorityKey')
    .set({ retiredAt: at })
    .where('organizationId', '=', organizationId)
    .where('retiredAt', 'is', null)
    .execute();
}

export function insertKey(
  trx: Executor,
  row: {
    kid: string;
    organizationId: string;
    publicKey: string;
    privateKeyEnc: string;
    createdAt: Date;
  },
) {
  return trx
    .insertInto('authorityKey')
    .values(row)
    .returning(['kid', 'publicKey', 'createdAt'])
    .executeTakeFirstOrThrow();
}

export function kidExists(trx: Executor, kid: string) {
  return trx.selectFrom('authorityKey').select('kid').where('kid', '=', kid).executeTakeFirst();
}

export function listPublishedKeys(db: Executor) {
  return db
    .selectFrom('authorityKey as k')
    .innerJoin('organization as o', 'o.id', 'k.organizationId')
    .select([
      'k.kid',
      'k.publicKey',
      'k.createdAt',
      'k.retiredAt',
      'o.id as authorityId',
      'o.name as authorityName',
      'o.regionCode',
    ])
    .orderBy('k.createdAt')
    .orderBy('k.kid')
    .execute();
}

// ——— certificates ———

const certificateColumns = [
  'certificate.id',
  'certificate.number',
  'certificate.kind',
  'certificate.personId',
  'certificate.operationItemCode',
  'certificate.authorityId',
  'certificate.regionCode',
  'certificate.issuedOn',
  'certificate.validUntil',
  'certificate.kid',
  'certificate.cardEdition',
  'certificate.resultRef',
  'person.name as holderName',
  'person.idNumber as holderIdNumber',
  'authority.name as authorityName',
  'authority.regionCode as authorityRegionCode',
] as const;

function certificatesWithHolder(db: Executor) {
  return db
    .selectFrom('certificate')
    .innerJoin('person', 'person.id', 'certificate.personId')
    .innerJoin('organization as authority', 'authority.id', 'certificate.authorityId');
}

export type CertificateRow = NonNullable<Awaited<ReturnType<typeof findCertificateById>>>;

export function findCertificateById(db: Executor, scope: Scope, id: string) {
  return certificatesWithHolder(db)
    .select(certificateColumns)
    .where('certificate.id', '=', id)
    .where((eb) => certificateVisible(eb, scope))
    .executeTakeFirst();
}

/** Locks the certificate row for an event (workflow transitions serialize on it). */
export function lockCertificateById(trx: Executor, scope: Scope, id: string) {
  return trx
    .selectFrom('certificate')
    .select('certificate.id')
    .where('certificate.id', '=', id)
    .where((eb) => certificateVisible(eb, scope))
    .forUpdate()
    .executeTakeFirst();
}

export interface CertificateFilter {
  personId?: string;
  q?: string;
  kind?: CertificateKind;
}

export async function listCertificates(
  db: Executor,
  scope: Scope,
  filter: CertificateFilter,
  page: { page: number; pageSize: number },
) {
  let base = certificatesWithHolder(db).where((eb) => certificateVisible(eb, scope));
  if (filter.personId) base = base.where('certificate.personId', '=', filter.personId);
  if (filter.kind) base = base.where('certificate.kind', '=', filter.kind);
  if (filter.q) {
    const q = filter.q.trim().toUpperCase();
    if (/^[TC][\dX]{10,}$/.test(q)) base = base.where('certificate.number', '=', q);
    else if (/^\d{17}[\dX]$/.test(q)) base = base.where('person.idNumber', '=', q);
    else
      base = base.where(
        'person.name',
        'like',
        `%${filter.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      );
  }
  const [items, total] = await Promise.all([
    base
      .select(certificateColumns)
      .orderBy('certificate.issuedOn', 'desc')
      .orderBy('certificate.id')
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

/**
 * Candidates for reminders: every date a certificate falls due on (review, extension, the end of a
 * certificate year) is an anniversary of its issue date minus one day, so only certificates with an
 * anniversary in [from + 1, to + 1] can have one; the rules decide which (window ≤ 366 days, so at
 * most two calendar years to try). Revoked or cancelled ones are left out.
 */
export function listReminderCandidates(
  db: Executor,
  scope: Scope,
  today: string,
  from: string,
  to: string,
) {
  return certificatesWithHolder(db)
    .select(certificateColumns)
    .where((eb) => certificateVisible(eb, scope))
    .where('certificate.issuedOn', '<=', today)
    .where(
      sql<boolean>`exists (
        select 1 from (values (0), (1)) as g(o)
        where extract(year from ${from}::date + 1)::int - extract(year from certificate.issued_on)::int + g.o >= 1
          and (certificate.issued_on + make_interval(years => extract(year from ${from}::date + 1)::int - extract(year from certificate.issued_on)::int + g.o))::date
              between ${from}::date + 1 and ${to}::date + 1)`,
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('certificateEvent as x')
            .select(sql`1`.as('one'))
            .whereRef('x.certificateId', '=', 'certificate.id')
            .where('x.kind', 'in', ['revoke', 'cancel'])
            .where('x.occurredOn', '<=', today),
        ),
      ),
    )
    .orderBy('certificate.issuedOn')
    .limit(5000)
    .execute();
}

/** Unscoped: the public check by number (the service decides what to show). */
export function findCertificatesByNumber(db: Executor, number: string) {
  return certificatesWithHolder(db)
    .select(certificateColumns)
    .where('certificate.number', '=', number)
    .orderBy('certificate.issuedOn', 'desc')
    .execute();
}

/**
 * The public check by number in one prepared statement: the certificates under the number with their
 * events folded in as JSON, and whether the holder's name matches (normalized like the query). The
 * query log row is written by the caller, behind the answer (query-log.ts).
 */
export async function verifyNumber(db: Executor, q: { number: string; name: string }) {
  const query = sql<
    Omit<CertificateRow, 'authorityName'> & {
      authorityName: string;
      nameOk: boolean;
      events: EventJson[];
    }
  >`
    select c.id, c.number, c.kind, c.person_id, c.operation_item_code, c.authority_id, c.region_code,
           c.issued_on, c.valid_until, c.kid, c.card_edition, c.result_ref,
           p.name as holder_name, p.id_number as holder_id_number, a.name as authority_name,
           translate(regexp_replace(p.name, '[[:space:]\u3000]+', '', 'g'), '\u2022\u30fb.', '\u00b7\u00b7\u00b7') = ${q.name} as name_ok,
           coalesce((
             select json_agg(json_build_object('id', e.id, 'certificateId', e.certificate_id, 'kind', e.kind, 'occurredOn', e.occurred_on,
                                               'extended', e.extended, 'fraud', e.fraud, 'banUntil', e.ban_until, 'reason', e.reason,
                                               'cardEdition', e.card_edition, 'createdAt', e.created_at) order by e.occurred_on, e.created_at)
             from certificate_event e where e.certificate_id = c.id), '[]') as events
    from certificate c
    join person p on p.id = c.person_id
    join organization a on a.id = c.authority_id
    where c.number = ${q.number}
    order by c.issued_on desc`.compile(db);
  return queryPrepared(db, 'public_verify_by_number', query);
}
interface EventJson {
  id: string;
  certificateId: string;
  kind: CertificateEventKind;
  occurredOn: string;
  extended: boolean;
  fraud: boolean;
  banUntil: string | null;
  reason: string | null;
  cardEdition: number | null;
  createdAt: string;
}

/** Unscoped: the public check of a signed QR. */
export function findCertificateForQr(db: Executor, id: string) {
  return certificatesWithHolder(db)
    .select(certificateColumns)
    .where('certificate.id', '=', id)
    .executeTakeFirst();
}

/** Every certificate of a person in an item (to refuse a second one in force, and for the years in the item). */
export function listCertificatesOfPersonItem(
  trx: Executor,
  personId: string,
  operationItemCode: string,
) {
  return trx
    .selectFrom('certificate')
    .select(['id', 'kind', 'issuedOn', 'validUntil', 'number'])
    .where('personId', '=', personId)
    .where('operationItemCode', '=', operationItemCode)
    .orderBy('issuedOn')
    .execute();
}

/** A revocation for fraud whose ban runs on that date. */
export function findActiveBan(trx: Executor, personId: string, on: string) {
  return trx
    .selectFrom('certificateEvent as e')
    .innerJoin('certificate as c', 'c.id', 'e.certificateId')
    .select(['c.number', 'e.banUntil'])
    .where('c.personId', '=', personId)
    .where('e.kind', '=', 'revoke')
    .where('e.banUntil', '>=', on)
    .where('e.occurredOn', '<=', on)
    .orderBy('e.banUntil', 'desc')
    .executeTakeFirst();
}

/** The highest serial under a "C" number prefix (the caller holds the prefix lock). */
export async function maxCompetencySerial(trx: Executor, prefix: string): Promise<number> {
  const row = await trx
    .selectFrom('certificate')
    .select((eb) => eb.fn.max('number').as('max'))
    .where('number', 'like', `${prefix}%`)
    .executeTakeFirst();
  return row?.max ? Number(String(row.max).slice(prefix.length)) : 0;
}

export async function lockNumberPrefix(trx: Executor, prefix: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${`zhenxun.certificate_number.${prefix}`}))`.execute(
    trx,
  );
}

export function findAuthorityOrganization(trx: Executor, id: string) {
  return trx
    .selectFrom('organization')
    .select(['id', 'kind', 'name', 'regionCode', 'status'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findHolder(trx: Executor, personId: string) {
  return trx
    .selectFrom('person')
    .select(['id', 'name', 'idNumber'])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
}

export function insertCertificate(trx: Executor, row: NewCertificateRow) {
  return trx.insertInto('certificate').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateCard(
  trx: Executor,
  id: string,
  card: { kid: string; qrPayload: string; cardEdition: number },
) {
  return trx.updateTable('certificate').set(card).where('id', '=', id).execute();
}

export function findCard(db: Executor, id: string) {
  return db
    .selectFrom('certificate')
    .select(['qrPayload', 'cardEdition', 'kid'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

// ——— events ———

export function listEvents(db: Executor, certificateIds: readonly string[]) {
  if (certificateIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('certificateEvent')
    .select([
      'id',
      'certificateId',
      'kind',
      'occurredOn',
      'extended',
      'fraud',
      'banUntil',
      'reason',
      'cardEdition',
      'createdAt',
    ])
    .where('certificateId', 'in', certificateIds)
    .orderBy('occurredOn')
    .orderBy('createdAt')
    .execute();
}

export function insertEvent(trx: Executor, row: NewCertificateEventRow) {
  return trx.insertInto('certificateEvent').values(row).returningAll().executeTakeFirstOrThrow();
}

// ——— public query log ———

/**
 * Sources that asked for certificates that are not there, grouped by address. A regulator sees the
 * queries whose number belongs to its jurisdiction; those that show no region (forged QR codes,
 * malformed numbers) go to province-level (and national) regulators.
 */
export async function fakeSignals(
  db: Executor,
  regionCode: string,
  since: Date,
  minQueries: number,
) {
  const provinceLevel = regionCode.length <= 2;
  const rows = await db
    .selectFrom('verificationQuery')
    .select((eb) => [
      'ip',
      eb.fn.countAll<number>().as('queries'),
      eb.fn.count<number>('number').distinct().as('numbers'),
      sql<number>`count(*) filter (where source = 'number')`.as('byNumber'),
      sql<number>`count(*) filter (where source = 'qr')`.as('byQr'),
      sql<number>`count(*) filter (where outcome = 'name_mismatch')`.as('nameMismatches'),
      sql<string[]>`(array_remove(array_agg(distinct number), null))[1:5]`.as('examples'),
      eb.fn.min('at').as('firstAt'),
      eb.fn.max('at').as('lastAt'),
    ])
    .where('found', '=', false)
    .where('at', '>=', since)
    .where((eb) =>
      provinceLevel
        ? eb.or([
            eb('numberRegion', 'like', regionPrefix({ regionCode })),
            eb('numberRegion', 'is', null),
          ])
        : eb('numberRegion', 'like', regionPrefix({ regionCode })),
    )
    .groupBy('ip')
    .having((eb) => eb.fn.countAll(), '>=', minQueries)
    .orderBy('queries', 'desc')
    .orderBy('ip')
    .limit(100)
    .execute();
  return rows;
}
