import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../platform/http/routing.js';
import { readXlsx } from '../../platform/xlsx.js';
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
  buildStaff,
  buildUser,
  loginCookie,
} from '../../test-support/factories.js';
import { leadingZeroBits } from './public-reports.service.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9]);
const PDF = Buffer.from('%PDF-1.4 整改报告');
const b64 = (b: Buffer) => b.toString('base64');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The supervision loop through the API on a real database: plan → 双随机 draw (reproducible, conflicts
 * avoided) → inspection on site (prefilled evidence, photo, signature, lock) → findings → order →
 * evidence through a one-time link → verification by a different inspector → closure; penalties that
 * set the organization's status; the 汇总表 and its Excel; G01; reports (12350); grades; scope.
 */
describe.each(testDatabaseModes)('supervision on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let clock = new Date('2026-12-07T02:00:00Z'); // 10:00 in Beijing
  const TODAY = '2026-12-07';
  const c: Record<string, string> = {};
  const users: Record<string, string> = {};
  const o: Record<string, { id: string; regionCode: string; name: string }> = {};
  const p: Record<string, { id: string }> = {};
  const ids: Record<string, string> = {};
  const names: Record<string, string> = {};
  /** Moves the clock; sessions last a day, so everyone signs in again. */
  const advance = async (to: string) => {
    clock = new Date(to);
    for (const [k, u] of Object.entries(names)) c[k] = await loginCookie(app, u);
  };

  const call = (method: string, url: string, who: string | null, payload?: unknown) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: who ? { cookie: c[who] } : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const ok = async (
    method: string,
    url: string,
    who: string | null,
    payload?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: test helper over JSON answers
  ): Promise<any> => {
    const res = await call(method, url, who, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const codes = (res: { json: () => { error: { details: { code?: string }[] } } }) =>
    res.json().error.details.map((d) => d.code);

  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    app = await buildTestApp(t, { now: () => clock });
    const orgs: [string, Parameters<typeof buildOrganization>[1]][] = [
      ['city', { kind: 'regulator', regionCode: '3709', name: '泰安市应急管理局' }],
      ['regA', { kind: 'regulator', regionCode: '370902', name: '泰山区应急管理局' }],
      ['regB', { kind: 'regulator', regionCode: '370911', name: '岱岳区应急管理局' }],
      ['instA1', { kind: 'training_institution', regionCode: '370902', name: '岱宗培训学校' }],
      ['instA2', { kind: 'training_institution', regionCode: '370902', name: '泰山培训学校' }],
      ['instB', { kind: 'training_institution', regionCode: '370911', name: '岱岳培训学校' }],
      ['siteA', { kind: 'exam_site', regionCode: '370902', name: '泰山考点' }],
      ['entA', { kind: 'enterprise', regionCode: '370902', name: '岱宏化工' }],
      ['auth', { kind: 'exam_authority', regionCode: '3709', name: '泰安市考务中心' }],
    ];
    for (const [k, def] of orgs) o[k] = await buildOrganization(t.db, def);
    for (const k of ['i1', 'i2', 'i3', 'iB', 'relative', 'w1', 'w2', 'w3', 'head'])
      p[k] = await buildPerson(t.db);
    for (const k of ['i1', 'i2', 'i3'])
      await buildStaff(t.db, {
        personId: p[k].id,
        organizationId: o.regA.id,
        regionCode: '370902',
        duty: 'inspector',
      });
    await buildStaff(t.db, {
      personId: p.iB.id,
      organizationId: o.regB.id,
      regionCode: '370911',
      duty: 'inspector',
    });
    // i2 teaches part-time at instA2; i1's spouse teaches at instA1.
    await buildStaff(t.db, {
      personId: p.i2.id,
      organizationId: o.instA2.id,
      regionCode: '370902',
      duty: 'teacher',
      fullTime: false,
    });
    await buildStaff(t.db, {
      personId: p.relative.id,
      organizationId: o.instA1.id,
      regionCode: '370902',
      duty: 'teacher',
    });
    for (const k of ['w1', 'w2', 'w3'])
      await buildEmployment(t.db, {
        personId: p[k].id,
        organizationId: o.entA.id,
        regionCode: '370902',
        post: 'special_operator',
        operationItemCode: '1.2',
      });
    for (let i = 0; i < 12; i++)
      await t.db
        .insertInto('question')
        .values({
          authorityId: o.auth.id,
          regionCode: '3709',
          itemCode: '1.2',
          kind: 'judge',
          stem: `判断题${i}：作业前应检查安全用具。`,
          options: ['正确', '错误'],
          answer: [i % 2],
          knowledgePoint: '应知应会',
          difficulty: 2,
        })
        .execute();
    const defs: [string, Parameters<typeof buildUser>[1]][] = [
      ['city', { roles: ['regulator', 'admin'], organizationId: o.city.id }],
      ['regA', { roles: ['regulator'], organizationId: o.regA.id }],
      ['regB', { roles: ['regulator'], organizationId: o.regB.id }],
      ['i1', { roles: ['inspector'], organizationId: o.regA.id, personId: p.i1.id }],
      ['i2', { roles: ['inspector'], organizationId: o.regA.id, personId: p.i2.id }],
      ['i3', { roles: ['inspector'], organizationId: o.regA.id, personId: p.i3.id }],
      ['iB', { roles: ['inspector'], organizationId: o.regB.id, personId: p.iB.id }],
      [
        'instA1',
        { roles: ['training_institution'], organizationId: o.instA1.id, personId: p.head.id },
      ],
      ['instA2', { roles: ['training_institution'], organizationId: o.instA2.id }],
    ];
    for (const [k, def] of defs) {
      const u = await buildUser(t.db, def);
      users[k] = u.userId;
      names[k] = u.username;
      c[k] = await loginCookie(app, u.username);
    }
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('lists the seeds’ checklists and keeps versions', async () => {
    const list = await ok('GET', '/api/supervision/templates', 'regA');
    const byCode = new Map(list.map((x: { code: string }) => [x.code, x]));
    expect((byCode.get('yubei-enterprise') as { items: unknown[] }).items).toHaveLength(10);
    expect((byCode.get('yubei-institution') as { items: unknown[] }).items).toHaveLength(4);
    expect((byCode.get('yubei-exam-site') as { items: unknown[] }).items).toHaveLength(8);
    expect((byCode.get('yubei-exam-authority') as { items: unknown[] }).items).toHaveLength(8);
    expect(
      (
        await call('POST', '/api/supervision/templates/yubei-institution/versions', 'i1', {
          items: [
            { code: 'x-1', text: '新增检查项', basis: '《安全生产法》', severity: 'warning' },
          ],
        })
      ).statusCode,
    ).toBe(403);
  });

  it('draws targets and inspectors from a recorded seed, avoids conflicts, and re-runs to the same result', async () => {
    await ok('POST', `/api/supervision/inspectors/${p.i1.id}/relatives`, 'i1', {
      relativePersonId: p.relative.id,
      relation: '配偶',
    });
    expect(
      (
        await call('POST', `/api/supervision/inspectors/${p.i2.id}/relatives`, 'i1', {
          relativePersonId: p.relative.id,
          relation: '兄弟',
        })
      ).statusCode,
    ).toBe(403);
    const plan = await ok('POST', '/api/supervision/plans', 'regA', {
      year: 2026,
      name: '2026年度培训机构执法检查计划',
      subjectKinds: ['training_institution'],
      targetCount: 2,
    });
    expect(
      (
        await call('POST', `/api/supervision/plans/${plan.id}/draws`, 'i1', {
          count: 2,
          scheduledOn: TODAY,
        })
      ).statusCode,
    ).toBe(403);
    const draw = await ok('POST', `/api/supervision/plans/${plan.id}/draws`, 'regA', {
      count: 2,
      inspectorsPerTarget: 2,
      scheduledOn: TODAY,
      seed: 'zx-test-seed',
    });
    expect(draw.seed).toBe('zx-test-seed');
    expect(draw.inspections).toHaveLength(2);
    const result = draw.result as {
      targets: { id: string }[];
      assignments: {
        targetId: string;
        inspectorPersonIds: string[];
        excluded: { personId: string; reason: string }[];
      }[];
    };
    // Only instA1 and instA2 are training institutions of 泰山区: both drawn, never instB.
    expect(result.targets.map((x) => x.id).sort()).toEqual([o.instA1.id, o.instA2.id].sort());
    const a1 = result.assignments.find((a) => a.targetId === o.instA1.id)!;
    const a2 = result.assignments.find((a) => a.targetId === o.instA2.id)!;
    expect([...a1.inspectorPersonIds].sort()).toEqual([p.i2.id, p.i3.id].sort());
    expect(a1.excluded).toEqual([{ personId: p.i1.id, reason: expect.stringContaining('配偶') }]);
    expect([...a2.inspectorPersonIds].sort()).toEqual([p.i1.id, p.i3.id].sort());
    expect(a2.excluded[0]).toMatchObject({
      personId: p.i2.id,
      reason: expect.stringContaining('本人'),
    });
    const rerun = await ok('POST', `/api/supervision/draws/${draw.id}/rerun`, 'i3');
    console.log(
      JSON.stringify(rerun.outcome).slice(0, 600),
      '\n',
      JSON.stringify(draw.result).slice(0, 600),
    );
    expect(rerun.same).toBe(true);
    expect(rerun.outcome).toEqual(draw.result);
    // Tampering with the stored result is caught by a re-run.
    const changed = structuredClone(draw.result);
    changed.targets.reverse();
    await t.db
      .updateTable('inspectionDraw')
      .set({ result: JSON.stringify(changed) })
      .where('id', '=', draw.id)
      .execute();
    expect((await ok('POST', `/api/supervision/draws/${draw.id}/rerun`, 'i3')).same).toBe(false);
    await t.db
      .updateTable('inspectionDraw')
      .set({ result: JSON.stringify(draw.result) })
      .where('id', '=', draw.id)
      .execute();

    const day = await ok('GET', '/api/supervision/my-day', 'i3');
    expect(day.today).toBe(TODAY);
    expect(day.inspections.map((x: { organizationId: string }) => x.organizationId).sort()).toEqual(
      [o.instA1.id, o.instA2.id].sort(),
    );
    ids.inspA1 = day.inspections.find(
      (x: { organizationId: string }) => x.organizationId === o.instA1.id,
    ).id;
    ids.inspA2 = day.inspections.find(
      (x: { organizationId: string }) => x.organizationId === o.instA2.id,
    ).id;
    // A hand-made inspection refuses a conflicted inspector.
    const conflicted = await call('POST', '/api/supervision/inspections', 'regA', {
      organizationId: o.instA1.id,
      scheduledOn: TODAY,
      inspectorPersonIds: [p.i1.id, p.i3.id],
    });
    expect(conflicted.statusCode).toBe(422);
    expect(codes(conflicted)).toContain('conflict_of_interest');
  });

  it('inspects item by item with prefilled evidence, a photo on failure, a signature, then locks', async () => {
    const started = await ok('POST', `/api/supervision/inspections/${ids.inspA1}/start`, 'i2');
    const first = started.items[0];
    expect(first.prefill).toMatchObject({ source: 'registration', suggestion: 'fail' });
    expect(started.templateVersion).toBe(1);
    const bare = await call('PUT', `/api/supervision/inspections/${ids.inspA1}/items/1`, 'i2', {
      result: 'fail',
    });
    expect(bare.statusCode).toBe(400);
    expect(codes(bare)).toEqual(['evidence_required']);
    expect(
      (
        await call('PUT', `/api/supervision/inspections/${ids.inspA1}/items/1`, 'i1', {
          result: 'pass',
        })
      ).statusCode,
    ).toBe(403);
    const photo = await ok('POST', `/api/supervision/inspections/${ids.inspA1}/photos`, 'i2', {
      contentBase64: b64(JPEG),
      contentType: 'image/jpeg',
      name: '仅一个出口.jpg',
    });
    expect(photo.sha256).toBe(sha(JPEG));
    const notJpeg = await call('POST', `/api/supervision/inspections/${ids.inspA1}/photos`, 'i2', {
      contentBase64: b64(PDF),
      contentType: 'image/jpeg',
    });
    expect(notJpeg.statusCode).toBe(400);
    await ok('PUT', `/api/supervision/inspections/${ids.inspA1}/items/1`, 'i2', {
      result: 'fail',
      note: '培训场地仅有1个进出口',
      photoSha256s: [photo.sha256],
    });
    const early = await call('POST', `/api/supervision/inspections/${ids.inspA1}/sign`, 'i2', {
      signerName: '王校长',
      signaturePngBase64: b64(PNG),
    });
    expect(early.statusCode).toBe(422);
    expect(codes(early)).toContain('item_unanswered');
    for (const it of started.items.slice(1))
      await ok('PUT', `/api/supervision/inspections/${ids.inspA1}/items/${it.position}`, 'i2', {
        result: it.position === 2 ? 'na' : 'pass',
      });
    const signed = await ok('POST', `/api/supervision/inspections/${ids.inspA1}/sign`, 'i2', {
      signerName: '王校长',
      signaturePngBase64: b64(PNG),
    });
    expect(signed.findings).toHaveLength(1);
    expect(signed.findings[0]).toMatchObject({
      severity: 'serious',
      status: 'open',
      code: 'sd-inst-1',
    });
    expect(signed.findings[0].basis).toContain('AQ 8011');
    ids.findingA1 = signed.findings[0].id;
    const locked = await call('PUT', `/api/supervision/inspections/${ids.inspA1}/items/1`, 'i2', {
      result: 'pass',
    });
    expect(locked.statusCode).toBe(422);
    expect(codes(locked)).toEqual(['inspection_locked']);
    const file = await call('GET', `/api/supervision/files/${photo.id}`, 'regA');
    expect(file.statusCode).toBe(200);
    expect(file.headers['x-content-sha256']).toBe(sha(JPEG));
    expect(Buffer.from(file.rawPayload)).toEqual(JPEG);
    // The other county sees none of it.
    expect((await call('GET', `/api/supervision/inspections/${ids.inspA1}`, 'iB')).statusCode).toBe(
      404,
    );
    expect((await call('GET', `/api/supervision/files/${photo.id}`, 'iB')).statusCode).toBe(404);
    expect(await ok('GET', '/api/supervision/inspections', 'iB')).toEqual([]);
    expect((await ok('GET', '/api/supervision/inspections', 'city')).length).toBe(2);
    // A template edit is a new version; the signed inspection keeps version 1.
    const tpl = await ok('GET', `/api/supervision/templates/${started.templateId}`, 'regA');
    const v2 = await ok('POST', `/api/supervision/templates/${tpl.code}/versions`, 'regA', {
      items: tpl.items.slice(0, 3),
    });
    expect(v2.version).toBe(2);
    expect(
      (await ok('GET', `/api/supervision/inspections/${ids.inspA1}`, 'regA')).templateVersion,
    ).toBe(1);
  });

  it('closes the loop: order → evidence through a one-time link → another inspector verifies → closed', async () => {
    const order = await ok('POST', '/api/supervision/orders', 'i2', {
      findingIds: [ids.findingA1],
      deadline: '2026-12-20',
      responsibleName: '王校长',
      requirements: '增设安全出口，整改后附照片',
    });
    ids.orderA1 = order.id;
    expect(order.number).toMatch(/责改〔2026〕1号/);
    const again = await call('POST', '/api/supervision/orders', 'i2', {
      findingIds: [ids.findingA1],
      deadline: '2026-12-20',
      responsibleName: 'x',
      requirements: '重复下达',
    });
    expect(codes(again)).toEqual(['finding_not_open']);
    // The institution sees its own order; another institution does not.
    expect(
      (await ok('GET', '/api/supervision/orders', 'instA1')).map((x: { id: string }) => x.id),
    ).toEqual([order.id]);
    expect(await ok('GET', '/api/supervision/orders', 'instA2')).toEqual([]);
    expect((await call('GET', `/api/supervision/orders/${order.id}`, 'instA2')).statusCode).toBe(
      404,
    );
    const early = await call('POST', `/api/supervision/orders/${order.id}/verify`, 'i1', {
      outcome: 'accepted',
      note: '提前',
    });
    expect(early.statusCode).toBe(422);
    expect(early.json().error).toMatchObject({ code: 'rule_violation' });
    expect(codes(early)).toEqual(['invalid_transition']);

    const link = await ok('POST', `/api/supervision/orders/${order.id}/links`, 'i2');
    const seen = await ok('GET', `/api/public/orders/${link.token}`, null);
    expect(seen).toMatchObject({
      id: order.id,
      number: order.number,
      organizationName: '岱宗培训学校',
    });
    expect(JSON.stringify(seen)).not.toContain(o.instA2.id);
    expect((await call('GET', `/api/public/orders/${link.token}x`, null)).statusCode).toBe(404);
    const evidence = await ok('POST', `/api/public/orders/${link.token}/files`, null, {
      contentBase64: b64(PDF),
      contentType: 'application/pdf',
      name: '整改报告.pdf',
    });
    await ok('POST', `/api/public/orders/${link.token}/respond`, null, {
      statement: '已增设第二安全出口并通过消防验收',
      fileIds: [evidence.id],
    });
    // One-time: answered, the link opens nothing any more.
    expect((await call('GET', `/api/public/orders/${link.token}`, null)).statusCode).toBe(404);
    expect(
      (
        await call('POST', `/api/public/orders/${link.token}/files`, null, {
          contentBase64: b64(PDF),
          contentType: 'application/pdf',
        })
      ).statusCode,
    ).toBe(404);

    const same = await call('POST', `/api/supervision/orders/${order.id}/verify`, 'i2', {
      outcome: 'accepted',
      note: '自己复核',
    });
    expect(same.statusCode).toBe(422);
    expect(codes(same)).toEqual(['verifier_not_independent']);
    const alsoSame = await call('POST', `/api/supervision/orders/${order.id}/verify`, 'i3', {
      outcome: 'accepted',
      note: '同组复核',
    });
    expect(codes(alsoSame)).toEqual(['verifier_not_independent']);
    const verified = await ok('POST', `/api/supervision/orders/${order.id}/verify`, 'i1', {
      outcome: 'accepted',
      note: '现场复核，出口已增设',
    });
    expect(verified.state).toBe('verified');
    const closed = await ok('POST', `/api/supervision/orders/${order.id}/close`, 'regA');
    expect(closed.state).toBe('closed');
    const again2 = await call('POST', `/api/supervision/orders/${order.id}/close`, 'regA');
    expect(again2.statusCode).toBe(422);
    const findings = await ok(
      'GET',
      `/api/supervision/findings?inspectionId=${ids.inspA1}`,
      'regA',
    );
    expect(findings[0].status).toBe('closed');
  });

  it('refuses to verify an answer without evidence, and escalates an overdue order one level up', async () => {
    for (const it of (await ok('POST', `/api/supervision/inspections/${ids.inspA2}/start`, 'i1'))
      .items)
      await ok(
        'PUT',
        `/api/supervision/inspections/${ids.inspA2}/items/${it.position}`,
        'i1',
        it.position === 5
          ? { result: 'fail', note: '同一教师同时段在两个班授课' }
          : { result: 'pass' },
      );
    const signed = await ok('POST', `/api/supervision/inspections/${ids.inspA2}/sign`, 'i1', {
      signerName: '李校长',
      signaturePngBase64: b64(PNG),
    });
    ids.findingA2 = signed.findings[0].id;
    const order = await ok('POST', '/api/supervision/orders', 'i1', {
      findingIds: [ids.findingA2],
      deadline: '2026-12-10',
      responsibleName: '李校长',
      requirements: '调整教学计划',
    });
    ids.orderA2 = order.id;
    await ok('POST', `/api/supervision/orders/${order.id}/respond`, 'instA2', {
      statement: '已调整',
      fileIds: [],
    });
    const noEvidence = await call('POST', `/api/supervision/orders/${order.id}/verify`, 'i2', {
      outcome: 'accepted',
      note: '通过',
    });
    expect(codes(noEvidence)).toEqual(['evidence_required']);
    await ok('POST', `/api/supervision/orders/${order.id}/verify`, 'i2', {
      outcome: 'rejected',
      note: '请补充排课表',
    });
    await advance('2026-12-12T02:00:00Z');
    const overdue = await ok('GET', '/api/supervision/orders?overdue=true', 'regA');
    expect(overdue.map((x: { id: string }) => x.id)).toEqual([order.id]);
    expect(overdue[0]).toMatchObject({ overdue: true, escalatedTo: '3709' });
  });

  it('draws workers for a spot exam from a seed, grades their papers, and a low pass rate is a finding', async () => {
    const insp = await ok('POST', '/api/supervision/inspections', 'regA', {
      organizationId: o.entA.id,
      scheduledOn: '2026-12-12',
      inspectorPersonIds: [p.i3.id, p.i1.id],
    });
    ids.inspEnt = insp.id;
    const spot = await ok('POST', `/api/supervision/inspections/${insp.id}/spot-exams`, 'i3', {
      count: 2,
      questionCount: 5,
      seed: 'spot-1',
    });
    expect(spot).toMatchObject({ population: 'workers', itemCode: '1.2', poolSize: 3 });
    expect(spot.sittings).toHaveLength(2);
    expect(JSON.stringify(spot.sittings)).not.toContain('"answer"');
    const papers = await t.db
      .selectFrom('spotExamSitting')
      .select(['id', 'paper'])
      .where('spotExamId', '=', spot.id)
      .execute();
    const [right, wrong] = papers;
    await ok('POST', `/api/supervision/spot-exams/${spot.id}/sittings/${right.id}`, 'i3', {
      answers: right.paper.map((q) => q.answer),
    });
    const failed = await ok(
      'POST',
      `/api/supervision/spot-exams/${spot.id}/sittings/${wrong.id}`,
      'i3',
      {
        answers: wrong.paper.map((q) => [1 - q.answer[0]]),
      },
    );
    expect(failed).toMatchObject({ score: 0, passed: false });
    // Same seed, same people (reproducible).
    const again = await ok('POST', `/api/supervision/inspections/${insp.id}/spot-exams`, 'i3', {
      count: 2,
      questionCount: 5,
      seed: 'spot-1',
    });
    expect(again.sittings.map((s: { personId: string }) => s.personId).sort()).toEqual(
      spot.sittings.map((s: { personId: string }) => s.personId).sort(),
    );
    for (const it of (await ok('GET', `/api/supervision/inspections/${insp.id}`, 'i3')).items)
      await ok('PUT', `/api/supervision/inspections/${insp.id}/items/${it.position}`, 'i3', {
        result: 'pass',
      });
    const signed = await ok('POST', `/api/supervision/inspections/${insp.id}/sign`, 'i3', {
      signerName: '赵经理',
      signaturePngBase64: b64(PNG),
    });
    expect(signed.findings.map((f: { code: string }) => f.code)).toEqual(['spot_exam_pass_rate']);
    expect(signed.findings[0].message).toContain('合格率 50%');
  });

  it('decides penalties: 停业整顿 suspends the institution (no new class) until a later decision lifts it', async () => {
    const noAmount = await call('POST', '/api/supervision/penalties', 'regA', {
      organizationId: o.instA2.id,
      kind: 'fine',
      basis: '《安全生产培训管理办法》第三十四条',
      decisionNumber: '泰山应急罚〔2026〕1号',
      decidedOn: '2026-12-12',
    });
    expect(noAmount.statusCode).toBe(400);
    expect(
      (
        await call('POST', '/api/supervision/penalties', 'i1', {
          organizationId: o.instA1.id,
          kind: 'warning',
          basis: '《安全生产法》',
          decisionNumber: '泰山应急罚〔2026〕9号',
          decidedOn: '2026-12-12',
        })
      ).statusCode,
    ).toBe(403);
    await ok('POST', '/api/supervision/penalties', 'regA', {
      organizationId: o.instA2.id,
      kind: 'fine',
      amountYuan: 5000,
      basis: '《安全生产培训管理办法》第三十四条',
      decisionNumber: '泰山应急罚〔2026〕1号',
      decidedOn: '2026-12-12',
      inspectionId: ids.inspA2,
    });
    const suspension = await ok('POST', '/api/supervision/penalties', 'regA', {
      organizationId: o.instA1.id,
      kind: 'suspension',
      basis: 'AQ 8011-2023；《安全生产培训管理办法》',
      decisionNumber: '泰山应急停〔2026〕1号',
      decidedOn: '2026-12-12',
      inspectionId: ids.inspA1,
    });
    const org = await t.db
      .selectFrom('organization')
      .select(['status', 'statusDecision'])
      .where('id', '=', o.instA1.id)
      .executeTakeFirstOrThrow();
    expect(org).toEqual({
      status: 'suspended',
      statusDecision: '泰山应急停〔2026〕1号（2026-12-12）',
    });
    const cls = await call('POST', '/api/classes', 'instA1', {
      code: 'T-1',
      name: '低压电工初训',
      operationItemCode: '1.2',
      kind: 'initial',
      headTeacherId: p.relative.id,
      startDate: '2026-12-20',
      endDate: '2026-12-30',
    });
    expect(cls.statusCode).toBe(422);
    expect(codes(cls)).toContain('organization_status');
    await ok('POST', `/api/supervision/penalties/${suspension.id}/lift`, 'regA', {
      decisionNumber: '泰山应急复〔2026〕1号',
      liftedOn: '2026-12-20',
    });
    expect(
      (
        await t.db
          .selectFrom('organization')
          .select('status')
          .where('id', '=', o.instA1.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('active');
  });

  it('counts the 汇总表 per county and exports it in the annex layout; seed 002 figures; G01', async () => {
    const q = 'from=2026-01-01&to=2026-12-31';
    const table = await ok('GET', `/api/supervision/summary?${q}`, 'city');
    const taishan = table.institutions.lines.find(
      (l: { regionCode: string }) => l.regionCode === '370902',
    );
    expect(taishan).toMatchObject({
      regionName: '泰山区',
      problems: 2,
      ordered: 2,
      suspended: 1,
      exited: 0,
      penalized: 2,
      fineWan: 0.5,
    });
    expect(table.institutions.total).toMatchObject({ problems: 2, penalized: 2, fineWan: 0.5 });
    expect(table.examSites.total.problems).toBe(0);
    const daiyue = table.institutions.lines.find(
      (l: { regionCode: string }) => l.regionCode === '370911',
    );
    expect(daiyue).toMatchObject({ problems: 0 });
    // The other county's regulator counts nothing of 泰山区.
    const other = await ok('GET', `/api/supervision/summary?${q}`, 'regB');
    expect(other.institutions.total.problems).toBe(0);
    expect(
      (await call('GET', `/api/supervision/summary?${q}&regionCode=370902`, 'regB')).statusCode,
    ).toBe(400);

    const xlsx = await call('GET', `/api/supervision/summary.xlsx?${q}`, 'city');
    expect(xlsx.statusCode).toBe(200);
    const [sheet] = readXlsx(new Uint8Array(xlsx.rawPayload));
    const at = sheet.rows.findIndex((r) => r[0] === '培训机构对照检查统计表');
    expect(sheet.rows[at + 1]).toEqual([
      '序号',
      '地区',
      '问题（项）',
      '限期整改（项）',
      '停业整顿（家）',
      '退出（家）',
      '行政处罚（家）',
      '处罚金额（万）',
    ]);
    expect(sheet.rows.slice(at + 2).find((r) => r[1] === '泰山区')).toEqual([
      expect.any(Number),
      '泰山区',
      2,
      2,
      1,
      0,
      2,
      0.5,
    ]);
    expect(sheet.rows.findIndex((r) => r[0] === '考试机构（考试点）对照检查统计表')).toBeLessThan(
      at,
    );

    const figures = await ok('GET', `/api/supervision/figures?${q}`, 'regA');
    expect(
      figures.rows.find((r: { kind: string }) => r.kind === 'training_institution'),
    ).toMatchObject({
      checked: 2,
      problems: 2,
      suspended: 1,
      ordered: 2,
      fined: 1,
      fineYuan: 5000,
    });

    const soft = await ok('GET', '/api/supervision/soft-enforcement', 'regA');
    const kinds = soft.findings.map((f: { rule: string; code: string }) => `${f.rule}:${f.code}`);
    // The enterprise's serious spot-exam finding has no penalty; the 泰山学校 order is overdue.
    expect(kinds).toContain('G01:serious_finding_no_penalty');
    expect(kinds).toContain('G01:order_overdue');
    expect(soft.counts.closedWithoutEvidence).toBe(0);
    // A finding closed with no evidence (as an import could bring) is caught.
    await t.db
      .updateTable('supervisionFinding')
      .set({ status: 'closed' })
      .where('id', '=', ids.findingA2)
      .execute();
    expect(
      (await ok('GET', '/api/supervision/soft-enforcement', 'regA')).counts.closedWithoutEvidence,
    ).toBe(1);
    await t.db
      .updateTable('supervisionFinding')
      .set({ status: 'ordered' })
      .where('id', '=', ids.findingA2)
      .execute();
  });

  it('grades institutions and sites with every input behind the score', async () => {
    const grades = await ok('POST', '/api/supervision/grades/compute', 'regA', {});
    const a1 = grades.find((g: { organizationId: string }) => g.organizationId === o.instA1.id);
    const a2 = grades.find((g: { organizationId: string }) => g.organizationId === o.instA2.id);
    const site = grades.find((g: { organizationId: string }) => g.organizationId === o.siteA.id);
    expect(site).toMatchObject({ score: 100, grade: 'A' });
    expect(a1.score).toBeLessThan(100);
    const inputs = a1.inputs.map((x: { input: string }) => x.input);
    expect(inputs).toEqual(
      expect.arrayContaining(['registrationCondition', 'findingSerious', 'penaltySuspension']),
    );
    expect(
      a1.inputs.find((x: { input: string }) => x.input === 'findingSerious').records[0].id,
    ).toBe(ids.findingA1);
    expect(a2.inputs.map((x: { input: string }) => x.input)).toContain('overdueOrder');
    expect(grades.some((g: { organizationId: string }) => g.organizationId === o.instB.id)).toBe(
      false,
    );
  });

  it('takes public reports with a tracking code; the reporter is seen by the handling officer only', async () => {
    const solve = (challenge: string) => {
      for (let n = 0; ; n++)
        if (leadingZeroBits(createHash('sha256').update(`${challenge}:${n}`).digest()) >= 14)
          return String(n);
    };
    const ch = await ok('GET', '/api/public/reports/challenge', null);
    const report = {
      regionCode: '370902',
      subjectText: '岱宗培训学校',
      subjectOrganizationId: o.instA1.id,
      category: 'fake_training',
      content: '该校培训只签到不上课，学时造假，交钱就能拿证。',
      anonymous: false,
      reporterName: '举报人张三',
      reporterPhone: '13912345678',
      attachments: [{ name: '签到表.jpg', contentType: 'image/jpeg', contentBase64: b64(JPEG) }],
      challenge: ch.challenge,
      nonce: solve(ch.challenge),
    };
    expect((await call('POST', '/api/public/reports', null, report)).statusCode).toBe(400); // too fast
    clock = new Date(clock.getTime() + 10_000);
    expect(
      (await call('POST', '/api/public/reports', null, { ...report, website: 'http://spam' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await call('POST', '/api/public/reports', null, { ...report, nonce: 'x' })).statusCode,
    ).toBe(400);
    const filed = await ok('POST', '/api/public/reports', null, report);
    expect(filed.trackingCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect((await call('POST', '/api/public/reports', null, report)).statusCode).toBe(400); // challenge used
    const tracked = await ok('GET', `/api/public/reports/${filed.trackingCode}`, null);
    expect(tracked.status).toBe('received');
    expect(JSON.stringify(tracked)).not.toContain('张三');
    const list = await ok('GET', '/api/supervision/reports', 'regA');
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain('张三');
    expect(JSON.stringify(list)).not.toContain('13912345678');
    expect(await ok('GET', '/api/supervision/reports', 'regB')).toEqual([]);
    const id = list[0].id;
    await ok('POST', `/api/supervision/reports/${id}/triage`, 'regA', {
      note: '涉及学时造假，转执法人员核查',
    });
    await ok('POST', `/api/supervision/reports/${id}/assign`, 'regA', { userId: users.i3 });
    const asHandler = await ok('GET', `/api/supervision/reports/${id}`, 'i3');
    expect(asHandler.reporter).toEqual({
      anonymous: false,
      name: '举报人张三',
      phone: '13912345678',
    });
    expect(asHandler.files).toHaveLength(1);
    expect((await ok('GET', `/api/supervision/reports/${id}`, 'regA')).reporter.name).not.toContain(
      '张三',
    );
    expect(
      (await call('POST', `/api/supervision/reports/${id}/messages`, 'i1', { body: '非承办人' }))
        .statusCode,
    ).toBe(422);
    await ok('POST', `/api/supervision/reports/${id}/messages`, 'i3', { body: '请补充上课日期' });
    await ok('POST', `/api/public/reports/${filed.trackingCode}/messages`, null, {
      body: '12月1日至5日',
    });
    await ok('POST', `/api/supervision/reports/${id}/reply`, 'i3', {
      reply: '经查属实，已责令整改',
    });
    const after = await ok('GET', `/api/public/reports/${filed.trackingCode}`, null);
    expect(after).toMatchObject({ status: 'replied', reply: '经查属实，已责令整改' });
    expect(after.messages.map((m: { author: string }) => m.author)).toEqual([
      'officer',
      'reporter',
    ]);
  });

  it('publishes a closed case with personal names masked, and audits every step', async () => {
    const pub = await ok('POST', '/api/supervision/publications', 'regA', { orderId: ids.orderA1 });
    expect(pub.body).toContain('王*长');
    expect(pub.body).not.toContain('王校长');
    expect(
      (await call('POST', '/api/supervision/publications', 'regA', { orderId: ids.orderA2 }))
        .statusCode,
    ).toBe(422);
    expect((await ok('GET', '/api/public/cases', null)).map((x: { id: string }) => x.id)).toEqual([
      pub.id,
    ]);
    const actions = new Set(
      (
        await t.db
          .selectFrom('auditLog')
          .select('action')
          .where('action', 'like', 'supervision.%')
          .execute()
      ).map((r) => r.action),
    );
    for (const a of [
      'supervision.plan.create',
      'supervision.draw',
      'supervision.relative.declare',
      'supervision.inspection.start',
      'supervision.inspection.item',
      'supervision.inspection.photo',
      'supervision.inspection.sign',
      'supervision.order.issue',
      'supervision.order.link',
      'supervision.order.file',
      'supervision.order.respond',
      'supervision.order.accept',
      'supervision.order.reject',
      'supervision.order.close',
      'supervision.order.escalate',
      'supervision.penalty.decide',
      'supervision.penalty.lift',
      'supervision.spot_exam.draw',
      'supervision.spot_exam.submit',
      'supervision.report.file',
      'supervision.report.assign',
      'supervision.grades.compute',
      'supervision.case.publish',
    ])
      expect(actions, a).toContain(a);
  });

  it('rate-limits report intake per address', async () => {
    let last = 0;
    for (let i = 0; i < 8; i++)
      last = (await call('POST', '/api/public/reports', null, {})).statusCode;
    expect(last).toBe(429);
  });
});
