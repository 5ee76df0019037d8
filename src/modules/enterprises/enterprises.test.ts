import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorOfUser } from '../../platform/auth/auth.service.js';
import type { App } from '../../platform/http/routing.js';
import { type Cell, readXlsx, writeXlsx } from '../../platform/xlsx.js';
import { buildTestApp } from '../../test-support/app.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import {
  buildEmployment,
  buildOrganization,
  buildPerson,
  buildUser,
  loginCookie,
} from '../../test-support/factories.js';
import { issueCertificate } from '../certificates/certificates.service.js';
import { makeIdNumber } from '../registry/identifiers.rules.js';
import type { ObligationsAnswer } from './enterprises.contract.js';
import { ledgerColumns } from './ledger-import.rules.js';

/** Noon in Beijing on a date. */
const at = (date: string) => new Date(`${date}T04:00:00Z`);
const b64 = (rows: Cell[][]) =>
  Buffer.from(writeXlsx([{ name: '台账', rows: [[...ledgerColumns], ...rows] }])).toString(
    'base64',
  );

/**
 * The ledger of one enterprise end to end on a real database: the template, an import refused whole
 * for one bad row (row and column named, nothing written), the corrected file imported with its
 * declared certificate numbers checked against the registry, obligations computed with the injected
 * clock (a safety manager's 6 months run out), internal training counting toward pre-job hours, the
 * export, audit entries, and scope (another enterprise and a worker see nothing).
 */
describe.each(testDatabaseModes)('enterprise ledger and obligations on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let clock = at('2026-12-07');
  let orgId: string;
  let otherOrgId: string;
  const cookies: Record<string, string> = {};
  let holder: { id: string; name: string; idNumber: string };
  let certNumber: string;
  let strangerCert: string;
  const newHire = {
    name: '王新',
    id: makeIdNumber({ regionCode6: '370921', birthDate: '1998-04-02', sequence: 11 }),
  };
  const manager = {
    name: '赵安',
    id: makeIdNumber({ regionCode6: '370921', birthDate: '1980-07-09', sequence: 21 }),
  };
  const faker = {
    name: '钱假',
    id: makeIdNumber({ regionCode6: '370921', birthDate: '1990-01-15', sequence: 31 }),
  };

  const req = async (method: 'GET' | 'POST', url: string, who: string, payload?: unknown) =>
    app.inject({ method, url, headers: { cookie: cookies[who] }, payload: payload as object });

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t, { now: () => clock });
    const org = await buildOrganization(t.db, {
      kind: 'enterprise',
      regionCode: '370921',
      industry: 'hazardous_chemicals',
      highRisk: true,
    });
    orgId = org.id;
    const other = await buildOrganization(t.db, { kind: 'enterprise', regionCode: '370921' });
    otherOrgId = other.id;
    const authority = await buildOrganization(t.db, { kind: 'exam_authority', regionCode: '3709' });
    const regulator = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    const p = await buildPerson(t.db, { name: '孙持证' });
    holder = { id: p.id, name: p.name, idNumber: p.idNumber };
    // Known to the region through an earlier job, so the authority may certify him.
    await buildEmployment(t.db, {
      personId: p.id,
      organizationId: other.id,
      regionCode: '370921',
      post: 'general',
    });
    const stranger = await buildPerson(t.db, { name: '周别人' });
    await buildEmployment(t.db, {
      personId: stranger.id,
      organizationId: other.id,
      regionCode: '370921',
      post: 'special_operator',
      operationItemCode: '9.8',
    });
    const users = {
      company: await buildUser(t.db, { roles: ['enterprise'], organizationId: org.id }),
      other: await buildUser(t.db, { roles: ['enterprise'], organizationId: other.id }),
      regulator: await buildUser(t.db, { roles: ['regulator'], organizationId: regulator.id }),
      worker: await buildUser(t.db, { roles: ['worker'], personId: p.id }),
    };
    const examUser = await buildUser(t.db, {
      roles: ['exam_authority'],
      organizationId: authority.id,
    });
    const examActor = (await actorOfUser(t.db, examUser.userId))!;
    const issueNow = { now: new Date('2026-10-30T10:00:00+08:00') };
    certNumber = (
      await issueCertificate(
        t.db,
        examActor,
        {
          kind: 'special_operation',
          personId: p.id,
          operationItemCode: '1.2',
          issuedOn: '2026-10-30',
        },
        issueNow,
      )
    ).number;
    strangerCert = (
      await issueCertificate(
        t.db,
        examActor,
        {
          kind: 'special_operation',
          personId: stranger.id,
          operationItemCode: '9.8',
          issuedOn: '2026-10-30',
        },
        issueNow,
      )
    ).number;
    for (const [k, u] of Object.entries(users)) cookies[k] = await loginCookie(app, u.username);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const employmentCount = async () =>
    Number(
      (
        await t.db
          .selectFrom('employment')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('organizationId', '=', orgId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  const goodRows = (): Cell[][] => [
    [
      holder.name,
      holder.idNumber,
      '特种作业人员',
      '1.2',
      '2025-03-01',
      null,
      '维修车间',
      null,
      certNumber,
    ],
    [
      faker.name,
      faker.id,
      '特种作业人员',
      '9.8',
      '2024-05-10',
      null,
      '加氢车间',
      null,
      'T370921199001150000',
    ],
    [
      newHire.name,
      newHire.id,
      '其他从业人员',
      null,
      '2026-11-27',
      null,
      '合成车间',
      '泰安市宏达劳务派遣有限公司',
      null,
    ],
    [manager.name, manager.id, '安全管理人员', null, '2026-06-20', null, '安全部', null, null],
    [
      '冒名者',
      makeIdNumber({ regionCode6: '370921', birthDate: '1985-02-02', sequence: 41 }),
      '特种作业人员',
      '9.8',
      '2020-01-01',
      null,
      null,
      null,
      strangerCert,
    ],
  ];

  it('serves a template whose first sheet has the ledger columns', async () => {
    const res = await req('GET', '/api/enterprises/ledger/template.xlsx', 'company');
    expect(res.statusCode).toBe(200);
    const sheets = readXlsx(res.rawPayload);
    expect(sheets[0].rows[0]).toEqual([...ledgerColumns]);
  });

  it('refuses a file with one bad row, naming the row and column, and writes nothing', async () => {
    const rows = goodRows();
    rows[2] = [...rows[2]];
    rows[2][1] = `${String(rows[2][1]).slice(0, 17)}${String(rows[2][1]).endsWith('0') ? '1' : '0'}`;
    const before = await employmentCount();
    const persons = await t.db.selectFrom('person').select('id').execute();
    const res = await req('POST', `/api/enterprises/${orgId}/ledger/import`, 'company', {
      file: b64(rows),
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details).toEqual([expect.objectContaining({ row: 4, column: '身份证号码' })]);
    expect(await employmentCount()).toBe(before);
    expect((await t.db.selectFrom('person').select('id').execute()).length).toBe(persons.length);
  });

  it('refuses a row whose name differs from the person file', async () => {
    const rows = goodRows();
    rows[0] = [...rows[0]];
    rows[0][0] = '孙冒名';
    const res = await req('POST', `/api/enterprises/${orgId}/ledger/import`, 'company', {
      file: b64(rows),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([expect.objectContaining({ row: 2, column: '姓名' })]);
    expect(await employmentCount()).toBe(0);
  });

  it('imports the corrected file and checks every declared certificate against the registry', async () => {
    const res = await req('POST', `/api/enterprises/${orgId}/ledger/import`, 'company', {
      file: b64(goodRows()),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      rows: 5,
      created: 5,
      updated: 0,
      unchanged: 0,
      personsCreated: 4,
      flagged: 2,
    });
    expect(await employmentCount()).toBe(5);
    const again = await req('POST', `/api/enterprises/${orgId}/ledger/import`, 'company', {
      file: b64(goodRows()),
    });
    expect(again.json()).toMatchObject({ created: 0, unchanged: 5 });

    const ledger = (
      await req('GET', `/api/enterprises/${orgId}/ledger?pageSize=200`, 'company')
    ).json();
    const byName = new Map(ledger.items.map((e: { personName: string }) => [e.personName, e]));
    expect(byName.get(holder.name)).toMatchObject({
      lastCheck: { outcome: 'valid', flag: null },
      certificates: [expect.objectContaining({ number: certNumber, state: 'valid' })],
    });
    expect(byName.get(faker.name)).toMatchObject({
      lastCheck: { outcome: 'not_found', flag: 'fake' },
      certificates: [],
    });
    expect(byName.get('冒名者')).toMatchObject({
      lastCheck: { outcome: 'other_holder', flag: 'fake' },
    });
    expect(byName.get(newHire.name)).toMatchObject({
      dispatchCompany: '泰安市宏达劳务派遣有限公司',
    });
    // Problems first.
    expect(ledger.items[0].overdue).toBeGreaterThan(0);

    const audit = await t.db
      .selectFrom('auditLog')
      .select(['action', 'summary'])
      .where('action', '=', 'enterprise.ledger.import')
      .execute();
    expect(audit).toHaveLength(2);
  });

  const obligations = async (who = 'company') =>
    (await req('GET', `/api/enterprises/${orgId}/obligations`, who)).json() as ObligationsAnswer;
  const find = (o: ObligationsAnswer, code: string, name: string | null) =>
    o.items.find((i) => i.code === code && i.personName === name);

  it('computes obligations from posts, certificates and training', async () => {
    const o = await obligations();
    expect(find(o, 'special_certificate', holder.name)).toMatchObject({ state: 'ok' });
    const fake = find(o, 'special_certificate', faker.name)!;
    expect(fake.state).toBe('overdue');
    expect(fake.detail).toContain('持假证');
    expect(fake.evidence.map((e) => e.kind)).toContain('certificate_check');
    // 72 学时 before the job in a high-risk enterprise (RULES.md §B); none recorded.
    expect(find(o, 'pre_job_training', newHire.name)).toMatchObject({
      state: 'overdue',
      required: 72,
      actual: 0,
    });
    expect(find(o, 'three_level_education', newHire.name)).toMatchObject({ state: 'overdue' });
    // In post since 2026-06-20, 6 months → due 2026-12-20: within the reminder window on 12-07.
    expect(find(o, 'manager_certificate', manager.name)).toMatchObject({
      state: 'due_soon',
      dueDate: '2026-12-20',
    });
    // High risk: at least 3 in-house trainers (RULES.md §B), none in the ledger.
    expect(find(o, 'in_house_trainers', null)).toMatchObject({
      state: 'overdue',
      required: 3,
      actual: 0,
    });
    expect(find(o, 'annual_plan', null)).toMatchObject({ state: 'overdue' });
  });

  it('turns the safety manager overdue when the clock passes the due date', async () => {
    clock = at('2026-12-21');
    cookies.company = await loginCookie(
      app,
      (
        await t.db
          .selectFrom('appUser')
          .select('username')
          .where('organizationId', '=', orgId)
          .executeTakeFirstOrThrow()
      ).username,
    );
    expect(find(await obligations(), 'manager_certificate', manager.name)).toMatchObject({
      state: 'overdue',
    });
    clock = at('2026-12-07');
  });

  it('counts internal training toward pre-job hours and keeps the plan', async () => {
    const people = await t.db
      .selectFrom('person')
      .select(['id', 'idNumber'])
      .where('idNumber', '=', newHire.id)
      .executeTakeFirstOrThrow();
    const plan = await req('POST', `/api/enterprises/${orgId}/training/plans`, 'company', {
      year: 2026,
      title: '2026年度安全培训计划',
      content: '全员安全培训、三级安全教育、特种作业人员复审培训',
      plannedHours: 400,
    });
    expect(plan.statusCode, plan.body).toBe(200);
    for (const [kind, hours] of [
      ['three_level_company', 24],
      ['three_level_workshop', 24],
      ['three_level_team', 24],
    ] as const) {
      const res = await req('POST', `/api/enterprises/${orgId}/training/sessions`, 'company', {
        kind,
        title: '新员工三级安全教育',
        content: '安全生产法律法规、岗位操作规程、应急处置',
        startsAt: '2026-11-20T08:00:00+08:00',
        endsAt: '2026-11-22T17:00:00+08:00',
        hours,
        participants: [{ personId: people.id, assessment: 'passed' }],
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const o = await obligations();
    expect(find(o, 'pre_job_training', newHire.name)).toMatchObject({ state: 'ok', actual: 72 });
    expect(find(o, 'three_level_education', newHire.name)).toMatchObject({ state: 'ok' });
    expect(find(o, 'annual_plan', null)).toMatchObject({ state: 'ok' });

    const stranger = await req('POST', `/api/enterprises/${orgId}/training/sessions`, 'company', {
      kind: 'annual',
      title: '年度再培训',
      content: '事故案例',
      startsAt: '2026-11-20T08:00:00+08:00',
      endsAt: '2026-11-20T17:00:00+08:00',
      hours: 8,
      participants: [{ personId: (await buildPerson(t.db)).id }],
    });
    expect(stranger.statusCode).toBe(400);
  });

  it('checks a number declared later and keeps every check', async () => {
    const ledger = (await req('GET', `/api/enterprises/${orgId}/ledger`, 'company')).json();
    const faked = ledger.items.find((e: { personName: string }) => e.personName === faker.name);
    const res = await req(
      'POST',
      `/api/enterprises/${orgId}/employments/${faked.employmentId}/certificate`,
      'company',
      { number: certNumber },
    );
    expect(res.json()).toMatchObject({ outcome: 'other_holder', flag: 'fake' });
    const checks = await t.db
      .selectFrom('certificateCheck')
      .select('outcome')
      .where('employmentId', '=', faked.employmentId)
      .execute();
    expect(checks.map((c) => c.outcome).sort()).toEqual(['not_found', 'not_found', 'other_holder']);
  });

  it('exports the ledger to Excel', async () => {
    const res = await req('GET', `/api/enterprises/${orgId}/ledger.xlsx`, 'company');
    expect(res.statusCode).toBe(200);
    const rows = readXlsx(res.rawPayload)[0].rows;
    expect(rows).toHaveLength(6);
    expect(rows.slice(1).map((r) => r[1])).toContain(holder.idNumber);
  });

  it('is scoped: another enterprise and a worker see nothing, the regulator sees it', async () => {
    for (const url of [
      `/api/enterprises/${orgId}/ledger`,
      `/api/enterprises/${orgId}/obligations`,
      `/api/enterprises/${orgId}/ledger.xlsx`,
    ])
      expect((await req('GET', url, 'other')).statusCode).toBe(404);
    expect(
      (
        await req('POST', `/api/enterprises/${orgId}/ledger/import`, 'other', {
          file: b64(goodRows()),
        })
      ).statusCode,
    ).toBe(404);
    expect((await req('GET', `/api/enterprises/${orgId}/ledger`, 'worker')).statusCode).toBe(403);
    const reg = await req('GET', `/api/enterprises/${orgId}/ledger`, 'regulator');
    expect(reg.statusCode).toBe(200);
    const list = (await req('GET', '/api/enterprises', 'regulator')).json();
    expect(list.items.map((i: { id: string }) => i.id)).toEqual(
      expect.arrayContaining([orgId, otherOrgId]),
    );
    const own = (await req('GET', '/api/enterprises', 'other')).json();
    expect(own.items.map((i: { id: string }) => i.id)).toEqual([otherOrgId]);
    // The regulator's export masks ID numbers.
    const x = await req('GET', `/api/enterprises/${orgId}/ledger.xlsx`, 'regulator');
    expect(
      readXlsx(x.rawPayload)[0]
        .rows.slice(1)
        .map((r) => r[1]),
    ).not.toContain(holder.idNumber);
  });
});
