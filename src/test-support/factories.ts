import { randomBytes } from 'node:crypto';
import { makeCreditCode, makeIdNumber } from '../modules/registry/identifiers.rules.js';
import type {
  Duty,
  OrganizationKind,
  OrganizationStatus,
  Post,
} from '../modules/registry/registry.contract.js';
import { createUser } from '../platform/auth/auth.service.js';
import type { Role } from '../platform/auth/roles.js';
import type { Db } from '../platform/db/database.js';
import type { App } from '../platform/http/routing.js';

/**
 * Factories create their own parents and unique values (no shared seeded users), so test files
 * stay independent. They write rows directly: they set up a state, they are not the use-case under test.
 */
let serial = 0;
const next = () => ++serial + Number.parseInt(randomBytes(2).toString('hex'), 16) * 1000;

export async function buildOrganization(
  db: Db,
  o: {
    kind: OrganizationKind;
    regionCode?: string;
    name?: string;
    industry?: string | null;
    highRisk?: boolean;
    facilities?: unknown;
    operatorId?: string | null;
    status?: OrganizationStatus;
  },
) {
  const regionCode = o.regionCode ?? '370902';
  const region6 = regionCode.padEnd(6, '0').slice(0, 6);
  const n = next();
  return db
    .insertInto('organization')
    .values({
      kind: o.kind,
      name: o.name ?? `测试${o.kind}${n}`,
      creditCode: makeCreditCode({
        authority: '9',
        orgType: '1',
        regionCode6: region6,
        serial9: String(n).padStart(9, '0').slice(-9),
      }),
      regionCode,
      industry: o.industry ?? null,
      highRisk: o.highRisk ?? false,
      facilities: o.facilities === undefined ? null : JSON.stringify(o.facilities),
      operatorId: o.operatorId ?? null,
      status: o.status ?? 'active',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A regulator's decision letting a fixture institution (no declared facilities or staff, so failing
 * the registration check) open classes, for tests whose subject is not that check.
 */
export async function buildRegistrationExemption(
  db: Db,
  o: { organizationId: string; validFrom?: string; validTo?: string },
) {
  const org = await db
    .selectFrom('organization')
    .select('regionCode')
    .where('id', '=', o.organizationId)
    .executeTakeFirstOrThrow();
  return db
    .insertInto('registrationExemption')
    .values({
      organizationId: o.organizationId,
      regionCode: org.regionCode,
      decision: '测试准予开班决定',
      reason: '测试机构，不以信息登记核查为测试对象',
      validFrom: o.validFrom ?? '2000-01-01',
      validTo: o.validTo ?? '2099-12-31',
      grantedByName: '测试监管部门',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildPerson(
  db: Db,
  o: { name?: string; birthDate?: string; education?: string } = {},
) {
  const n = next();
  // Distinct birth dates and sequences keep ID numbers unique across many factory calls.
  const birthDate =
    o.birthDate ??
    `${1960 + (Math.floor(n / 336) % 40)}-${String(1 + (Math.floor(n / 28) % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
  const idNumber = makeIdNumber({ regionCode6: '370902', birthDate, sequence: n % 1000 });
  const gender = Number(idNumber[16]) % 2 === 1 ? 'male' : 'female';
  return db
    .insertInto('person')
    .values({
      idNumber,
      name: o.name ?? `测试人${n}`,
      birthDate,
      gender,
      education: o.education ?? 'bachelor',
      regionCode: '370902',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildStaff(
  db: Db,
  o: {
    personId: string;
    organizationId: string;
    regionCode: string;
    duty: Duty;
    fullTime?: boolean;
    practiceYears?: number;
    operationItems?: string[];
    startDate?: string;
  },
) {
  return db
    .insertInto('staffAssignment')
    .values({
      personId: o.personId,
      organizationId: o.organizationId,
      regionCode: o.regionCode,
      duty: o.duty,
      fullTime: o.fullTime ?? true,
      laborContract: true,
      practiceYears: o.practiceYears ?? 10,
      operationItems: o.operationItems ?? [],
      startDate: o.startDate ?? '2020-01-01',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildEmployment(
  db: Db,
  o: {
    personId: string;
    organizationId: string;
    regionCode: string;
    post: Post;
    operationItemCode?: string | null;
    startDate?: string;
  },
) {
  return db
    .insertInto('employment')
    .values({
      personId: o.personId,
      organizationId: o.organizationId,
      regionCode: o.regionCode,
      post: o.post,
      operationItemCode: o.operationItemCode ?? null,
      startDate: o.startDate ?? '2021-03-01',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export const TEST_PASSWORD = 'test-password-1';

export async function buildUser(
  db: Db,
  o: { roles: Role[]; organizationId?: string | null; personId?: string | null },
) {
  const username = `u${next()}`;
  const userId = await db.transaction().execute((trx) =>
    createUser(trx, 'system:test', {
      username,
      password: TEST_PASSWORD,
      displayName: username,
      roles: o.roles,
      organizationId: o.organizationId ?? null,
      personId: o.personId ?? null,
    }),
  );
  return { userId, username, password: TEST_PASSWORD };
}

/** Logs in through the real endpoint and returns the Cookie header value for app.inject. */
export async function loginCookie(
  app: App,
  username: string,
  password = TEST_PASSWORD,
): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200)
    throw new Error(`login failed for ${username}: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'zx_session');
  if (!cookie) throw new Error('no session cookie');
  return `zx_session=${cookie.value}`;
}
