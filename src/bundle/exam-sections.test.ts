import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate, publishedKeys } from '../modules/certificates/certificates.service.js';
import { verifyQrPayload } from '../modules/certificates/qr.js';
import { type Actor, scopeFor } from '../platform/auth/actor.js';
import { DomainError } from '../platform/errors.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../test-support/db.js';
import { buildEmployment, buildOrganization, buildPerson } from '../test-support/factories.js';
import type { Bundle } from './bundle.contract.js';
import { exportBundle, importBundle, validateBundle } from './bundle.service.js';

const examTables = [
  'organization',
  'person',
  'question',
  'paperBlueprint',
  'examPlan',
  'examSession',
  'examRegistration',
  'theoryAttempt',
  'theoryAnswer',
  'practicalScore',
  'patrolEvent',
  'authorityKey',
  'certificate',
  'certificateEvent',
  'externalRef',
  'auditLog',
] as const;
async function counts(t: TestDatabase) {
  const out: Record<string, number> = {};
  for (const table of examTables)
    out[table] = Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return out;
}
const withoutTime = (b: Bundle) => ({ ...b, generatedAt: undefined });
const authorityActor = (organizationId: string): Actor => ({
  userId: null,
  tokenId: null,
  displayName: '考务中心',
  roles: ['exam_authority'],
  organizationId,
  organizationKind: 'exam_authority',
  organizationName: '考务中心',
  regionCode: '3709',
  personId: null,
  tokenScopes: null,
  scope: scopeFor({
    roles: ['exam_authority'],
    organizationId,
    regionCode: '3709',
    personId: null,
  }),
});

/** One whole sitting: bank, blueprint, plan, session, a candidate's registration with result, paper, answers, practical score, patrol, certificate and an event. */
async function seedSitting(db: TestDatabase['db']) {
  const authority = await buildOrganization(db, { kind: 'exam_authority', regionCode: '3709' });
  const site = await buildOrganization(db, { kind: 'exam_site', regionCode: '370902' });
  const enterprise = await buildOrganization(db, { kind: 'enterprise', regionCode: '370902' });
  const candidate = await buildPerson(db, { name: '赵电工', birthDate: '1988-04-12' });
  const invigilator = await buildPerson(db, { birthDate: '1975-01-20' });
  const examiner = await buildPerson(db, { birthDate: '1970-07-07' });
  await buildEmployment(db, {
    personId: candidate.id,
    organizationId: enterprise.id,
    regionCode: '370902',
    post: 'special_operator',
    operationItemCode: '1.2',
  });
  const q1 = await db
    .insertInto('question')
    .values({
      authorityId: authority.id,
      regionCode: '3709',
      itemCode: '1.2',
      kind: 'single',
      stem: '低压电工作业的电压等级是？',
      options: ['1000V 以下', '10kV', '35kV'],
      answer: [0],
      knowledgePoint: '基本概念',
      difficulty: 2,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const q2 = await db
    .insertInto('question')
    .values({
      authorityId: authority.id,
      regionCode: '3709',
      itemCode: '1.2',
      kind: 'judge',
      stem: '停电作业前须验电。',
      options: ['正确', '错误'],
      answer: [0],
      knowledgePoint: '安全措施',
      difficulty: 1,
      status: 'retired',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const blueprint = await db
    .insertInto('paperBlueprint')
    .values({
      authorityId: authority.id,
      regionCode: '3709',
      itemCode: '1.2',
      name: '低压电工初训',
      durationMinutes: 120,
      passMark: 80,
      parts: JSON.stringify([
        { kind: 'single', knowledgePoint: null, count: 1, pointsEach: 50 },
        { kind: 'judge', knowledgePoint: '安全措施', count: 1, pointsEach: 50 },
      ]),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const plan = await db
    .insertInto('examPlan')
    .values({
      authorityId: authority.id,
      regionCode: '3709',
      certificateKind: 'special_operation',
      itemCode: '1.2',
      name: '2026 年 11 月低压电工',
      blueprintId: blueprint.id,
      status: 'closed',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const session = await db
    .insertInto('examSession')
    .values({
      planId: plan.id,
      siteId: site.id,
      regionCode: '3709',
      room: '第一考场',
      startsAt: '2026-11-10T01:00:00Z',
      endsAt: '2026-11-10T05:00:00Z',
      capacity: 30,
      invigilatorIds: [invigilator.id],
      examinerIds: [examiner.id],
      resultsPublishedAt: new Date('2026-11-11T02:00:00Z'),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const registration = await db
    .insertInto('examRegistration')
    .values({
      planId: plan.id,
      sessionId: session.id,
      personId: candidate.id,
      regionCode: '3709',
      registeredByOrganizationId: enterprise.id,
      attempt: 1,
      // As registering stores it (exams.service register).
      eligibility: JSON.stringify({
        eligible: true,
        checks: [{ code: 'age', passed: true, message: '年满 18 周岁', evidence: { age: 38 } }],
        judgedAt: '2026-11-01T02:00:00.000Z',
        examDate: '2026-11-10',
      }),
      status: 'checked_in',
      checkedInAt: new Date('2026-11-10T00:50:00Z'),
      checkinDecision: 'match',
      checkinScore: 0.91,
      overrideReason: null,
      overrideBy: null,
      theoryScore: 100,
      practicalScore: 87.5,
      practicalVeto: null,
      cancelledReason: null,
      result: 'pass',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const attempt = await db
    .insertInto('theoryAttempt')
    .values({
      registrationId: registration.id,
      paper: JSON.stringify([
        {
          questionId: q1.id,
          kind: 'single',
          stem: q1.stem,
          options: ['35kV', '1000V 以下', '10kV'],
          answer: [1],
          points: 50,
          knowledgePoint: q1.knowledgePoint,
        },
        {
          questionId: q2.id,
          kind: 'judge',
          stem: q2.stem,
          options: ['正确', '错误'],
          answer: [0],
          points: 50,
          knowledgePoint: q2.knowledgePoint,
        },
      ]),
      clientToken: 'tab-token-0123456789',
      startedAt: new Date('2026-11-10T01:05:00Z'),
      deadlineAt: new Date('2026-11-10T03:05:00Z'),
      submittedAt: new Date('2026-11-10T01:40:00Z'),
      score: 100,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .insertInto('theoryAnswer')
    .values([
      {
        attemptId: attempt.id,
        position: 0,
        choice: [1],
        savedAt: new Date('2026-11-10T01:10:00Z'),
      },
      {
        attemptId: attempt.id,
        position: 1,
        choice: [0],
        savedAt: new Date('2026-11-10T01:12:00Z'),
      },
    ])
    .execute();
  await db
    .insertInto('practicalScore')
    .values({
      registrationId: registration.id,
      subjectCode: 'K1',
      taskCode: 'K13',
      examinerPersonId: examiner.id,
      startedAt: new Date('2026-11-10T03:00:00Z'),
      scoredAt: new Date('2026-11-10T03:20:00Z'),
      points: 87.5,
      note: '接线规范',
    })
    .execute();
  await db
    .insertInto('patrolEvent')
    .values({
      sessionId: session.id,
      registrationId: registration.id,
      regionCode: '3709',
      kind: 'warning',
      note: '交头接耳，已口头警告',
      recordedBy: '巡考员甲',
      at: new Date('2026-11-10T01:30:00Z'),
    })
    .execute();
  const issued = await issueCertificate(
    db,
    authorityActor(authority.id),
    {
      personId: candidate.id,
      kind: 'special_operation',
      operationItemCode: '1.2',
      issuedOn: '2026-11-20',
      resultRef: registration.id,
    },
    { now: new Date('2026-11-20T04:00:00Z') },
  );
  await db
    .insertInto('certificateEvent')
    .values({
      certificateId: issued.id,
      kind: 'review',
      occurredOn: '2029-11-01',
      extended: false,
      reason: '复审合格',
      recordedBy: '考务中心',
    })
    .execute();
  return { authority, candidate, issued };
}

describe.each(testDatabaseModes)('exam and certificate bundle sections on %s', (mode) => {
  let a: TestDatabase;
  let seeded: Awaited<ReturnType<typeof seedSitting>>;
  let first: Bundle;
  beforeAll(async () => {
    a = await createTestDatabase(mode);
    await loadRegions(a.db);
    seeded = await seedSitting(a.db);
    first = await exportBundle(a.db, 'system:test');
  });
  afterAll(() => a?.close());

  it('exports every exam record and the public part of the signing key only', () => {
    expect(first.questions).toHaveLength(2);
    expect(first.blueprints).toHaveLength(1);
    expect(first.examPlans).toHaveLength(1);
    expect(first.examSessions).toHaveLength(1);
    expect(first.examRegistrations).toEqual([
      expect.objectContaining({
        status: 'checked_in',
        theoryScore: 100,
        practicalScore: 87.5,
        result: 'pass',
        checkinScore: 0.91,
      }),
    ]);
    const [attempt] = first.theoryAttempts!;
    expect(attempt.answers).toEqual([
      { position: 0, choice: [1], savedAt: '2026-11-10T01:10:00.000+00:00' },
      { position: 1, choice: [0], savedAt: '2026-11-10T01:12:00.000+00:00' },
    ]);
    expect(attempt.paper.map((q) => q.questionRef).sort()).toEqual(
      first.questions!.map((q) => q.ref).sort(),
    );
    expect(attempt).not.toHaveProperty('clientToken');
    expect(first.practicalScores).toEqual([
      expect.objectContaining({ subjectCode: 'K1', points: 87.5 }),
    ]);
    expect(first.patrolEvents).toEqual([
      expect.objectContaining({
        kind: 'warning',
        registrationRef: first.examRegistrations![0].ref,
      }),
    ]);
    expect(first.certificates).toEqual([
      expect.objectContaining({
        kid: seeded.issued.kid,
        qrPayload: seeded.issued.qrPayload,
        registrationRef: first.examRegistrations![0].ref,
      }),
    ]);
    expect(first.certificateEvents).toEqual([
      expect.objectContaining({ kind: 'review', occurredOn: '2029-11-01' }),
    ]);
    expect(first.authorityKeys).toEqual([
      expect.objectContaining({ kid: seeded.issued.kid, retiredAt: null }),
    ]);
    expect(JSON.stringify(first)).not.toMatch(/privateKey/i);
  });

  it("a regulator's export carries its jurisdiction's sitting with the invigilator and examiner, employed nowhere", async () => {
    const regulator: Actor = {
      ...authorityActor(seeded.authority.id),
      roles: ['regulator'],
      scope: { kind: 'region', regionCode: '3709' },
    };
    const scoped = await exportBundle(a.db, regulator);
    const session = scoped.examSessions![0];
    const personRefs = new Set(scoped.persons!.map((p) => p.ref));
    for (const r of [...session.invigilatorRefs, ...session.examinerRefs])
      expect(personRefs.has(r)).toBe(true);
    expect(scoped.certificates).toHaveLength(1);
    const elsewhere = await exportBundle(a.db, {
      ...regulator,
      scope: { kind: 'region', regionCode: '3701' },
    });
    expect([elsewhere.examSessions, elsewhere.certificates, elsewhere.authorityKeys]).toEqual([
      [],
      [],
      [],
    ]);
  });

  it('round-trips: import into an empty database, export again, same bundle; the key arrives retired and the QR still verifies', async () => {
    const b = await createTestDatabase(mode);
    try {
      await loadRegions(b.db);
      const importedAt = new Date('2026-12-01T00:00:00Z');
      const result = await importBundle(b.db, 'system:test', first, undefined, importedAt);
      expect(result.created).toMatchObject({
        questions: 2,
        blueprints: 1,
        examPlans: 1,
        examSessions: 1,
        examRegistrations: 1,
        theoryAttempts: 1,
        practicalScores: 1,
        patrolEvents: 1,
        authorityKeys: 1,
        certificates: 1,
        certificateEvents: 1,
      });
      const second = await exportBundle(b.db, 'system:test');
      // The one difference: the key came without its private part, so the target retired it on import.
      expect(second.authorityKeys).toEqual(
        first.authorityKeys!.map((k) => ({ ...k, retiredAt: '2026-12-01T00:00:00.000+00:00' })),
      );
      expect(withoutTime({ ...second, authorityKeys: [] })).toEqual(
        withoutTime({ ...first, authorityKeys: [] }),
      );

      // The certificate kept its id (the QR's look-up key) and its QR verifies with the imported public key.
      const cert = await b.db.selectFrom('certificate').selectAll().executeTakeFirstOrThrow();
      expect(cert.id).toBe(seeded.issued.id);
      const check = verifyQrPayload(cert.qrPayload, await publishedKeys(b.db));
      expect(check.valid).toBe(true);
      expect(
        await b.db.selectFrom('authorityKey').select('privateKeyEnc').executeTakeFirstOrThrow(),
      ).toEqual({ privateKeyEnc: '' });

      // The authority issues on the target with a key of its own, never the imported one.
      const authorityId = (
        await b.db
          .selectFrom('organization')
          .select('id')
          .where('creditCode', '=', seeded.authority.creditCode)
          .executeTakeFirstOrThrow()
      ).id;
      const other = await buildPerson(b.db, { birthDate: '1991-03-03' });
      const enterprise = await buildOrganization(b.db, {
        kind: 'enterprise',
        regionCode: '370902',
      });
      await buildEmployment(b.db, {
        personId: other.id,
        organizationId: enterprise.id,
        regionCode: '370902',
        post: 'special_operator',
        operationItemCode: '1.2',
      });
      const fresh = await issueCertificate(
        b.db,
        authorityActor(authorityId),
        {
          personId: other.id,
          kind: 'special_operation',
          operationItemCode: '1.2',
          issuedOn: '2026-12-02',
        },
        { now: new Date('2026-12-02T04:00:00Z') },
      );
      expect(fresh.kid).not.toBe(seeded.issued.kid);

      // The same file again links everything and writes nothing new.
      const before = await counts(b);
      const later = new Date('2027-01-15T00:00:00Z');
      const again = await importBundle(b.db, 'system:test', first, undefined, later);
      expect(Object.values(again.created).every((n) => n === 0)).toBe(true);
      expect({ ...(await counts(b)), auditLog: 0 }).toEqual({ ...before, auditLog: 0 });
      // …except that the key, still in use at the source, now counts as retired at this later import.
      const key = await b.db
        .selectFrom('authorityKey')
        .select('retiredAt')
        .where('kid', '=', seeded.issued.kid)
        .executeTakeFirstOrThrow();
      expect(key.retiredAt?.toISOString()).toBe(later.toISOString());
    } finally {
      await b.close();
    }
  });

  it('refuses invalid exam and certificate records by section, ref and field, and writes nothing', async () => {
    const c = await createTestDatabase(mode);
    try {
      await loadRegions(c.db);
      const bad: Bundle = structuredClone(first);
      const reg = bad.examRegistrations![0];
      reg.sessionRef = 'session:ghost';
      bad.theoryAttempts![0].answers![1].position = 7;
      bad.theoryAttempts![0].paper[0].questionRef = 'question:ghost';
      bad.practicalScores![0].registrationRef = 'registration:ghost';
      bad.patrolEvents![0].registrationRef = 'registration:ghost';
      bad.examSessions![0].siteRef = bad.questions![0].authorityRef;
      bad.questions![1].answer = [0, 1];
      const cert = bad.certificates![0];
      // A forged signature, and a second certificate whose key travels nowhere.
      cert.qrPayload = `${cert.qrPayload.slice(0, -2)}${cert.qrPayload.endsWith('AA') ? 'BB' : 'AA'}`;
      bad.certificates!.push({
        ...first.certificates![0],
        ref: 'cert:unknown-key',
        kid: 'nokey123',
        registrationRef: null,
      });
      bad.certificateEvents![0].certificateRef = 'cert:ghost';
      const before = await counts(c);
      const v = await validateBundle(c.db, bad);
      expect(v.ok).toBe(false);
      const errors = v.ok ? [] : v.errors.map((e) => `${e.section}|${e.ref}|${e.field}|${e.code}`);
      expect(errors).toEqual(
        expect.arrayContaining([
          `examRegistrations|${reg.ref}|sessionRef|dangling_ref`,
          `theoryAttempts|${bad.theoryAttempts![0].ref}|answers.1.position|no_such_question`,
          `theoryAttempts|${bad.theoryAttempts![0].ref}|paper.0.questionRef|dangling_ref`,
          `practicalScores|${bad.practicalScores![0].ref}|registrationRef|dangling_ref`,
          `patrolEvents|${bad.patrolEvents![0].ref}|registrationRef|dangling_ref`,
          `examSessions|${bad.examSessions![0].ref}|siteRef|not_exam_site`,
          `questions|${bad.questions![1].ref}|answer|bad_question`,
          `certificates|${cert.ref}|qrPayload|qr_bad_signature`,
          'certificates|cert:unknown-key|kid|unknown_key',
          `certificateEvents|${bad.certificateEvents![0].ref}|certificateRef|dangling_ref`,
        ]),
      );
      await expect(importBundle(c.db, 'system:test', bad)).rejects.toBeInstanceOf(DomainError);
      expect(await counts(c)).toEqual(before);

      // Schema errors name the record too (an authority key by its kid).
      const schema = await validateBundle(c.db, {
        ...first,
        authorityKeys: [{ ...first.authorityKeys![0], privateKeyEnc: 'x' }],
      });
      expect(schema.ok ? [] : schema.errors).toEqual([
        expect.objectContaining({
          section: 'authorityKeys',
          index: 0,
          ref: first.authorityKeys![0].kid,
          code: 'schema',
        }),
      ]);
    } finally {
      await c.close();
    }
  });
});
