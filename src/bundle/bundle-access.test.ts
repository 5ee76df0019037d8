import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeClaims, holderHash, rawPublicKey } from '../modules/certificates/qr.js';
import { makeCreditCode, makeIdNumber } from '../modules/registry/identifiers.rules.js';
import type { App } from '../platform/http/routing.js';
import { buildTestApp } from '../test-support/app.js';
import { createTestDatabase, type TestDatabase, testDatabaseModes } from '../test-support/db.js';
import {
  cookieOf,
  seedTrustCity,
  type TrustAccount,
  type TrustCity,
  trustAccounts,
  trustPerson,
  trustRefs,
} from '../test-support/trust-city.js';
import { type BundleSection, bundleSections } from './bundle.contract.js';

/**
 * Issue 12 point 1: every section of the bundle, tried as every role and as an outsider. Each probe
 * is one record of its section, valid in every other respect, about someone else's records (school B
 * and the company in 岱岳区, the city exam authority); only the roles that may create that record
 * through its service — or the regulator above its owner — may bring it in.
 */

let serial = 0;
const fresh = () => `${Date.now().toString(36)}-${++serial}`;
const at = (day: number, hour: number) =>
  `2026-10-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;
const wrap = (sections: Record<string, unknown>) => ({
  format: 'zhenxun.bundle',
  version: 1,
  ...sections,
});

function signedCertificate(holderRef: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const kid = `k${fresh().replaceAll('-', '')}`.slice(0, 60);
  const id = randomUUID();
  const holder = trustPerson(holderRef);
  const claims = {
    certificateId: id,
    kind: 'special_operation' as const,
    operationItemCode: '1.1',
    issuedOn: '2025-05-06',
    validUntil: '2031-05-05',
    cardEdition: 1,
    holderHash: holderHash(id, holder.name, holder.idNumber),
    kid,
  };
  const body = encodeClaims(claims);
  return {
    key: {
      kid,
      organizationRef: trustRefs.authority,
      publicKey: rawPublicKey(publicKey),
      createdAt: '2025-01-01T08:00:00+08:00',
    },
    certificate: {
      ref: `cert:${fresh()}`,
      number: `T${holder.idNumber}`,
      kind: 'special_operation',
      personRef: holderRef,
      operationItemCode: '1.1',
      authorityRef: trustRefs.authority,
      issuedOn: claims.issuedOn,
      validUntil: claims.validUntil,
      cardEdition: 1,
      kid,
      qrPayload: `${body}.${sign(null, Buffer.from(body), privateKey).toString('base64url')}`,
    },
  };
}

const school = ['cityRegulator', 'daiyueRegulator'] as const;
const authority = ['cityRegulator', 'authority'] as const;

/** One probe per section, and who may import it. */
const probes: Record<
  BundleSection,
  { allowed: readonly TrustAccount[]; bundle: (city: TrustCity) => object }
> = {
  organizations: {
    allowed: school,
    bundle: () => {
      const n = ++serial;
      return wrap({
        organizations: [
          {
            ref: `org:new-${fresh()}`,
            kind: 'enterprise',
            name: `新登记企业${n}`,
            creditCode: makeCreditCode({
              authority: '9',
              orgType: '1',
              regionCode6: '370911',
              serial9: String(880_000_000 + n),
            }),
            regionCode: '370911',
          },
        ],
      });
    },
  },
  persons: {
    allowed: ['cityRegulator', 'taishanRegulator', 'daiyueRegulator'],
    bundle: () => {
      const n = ++serial;
      return wrap({
        persons: [
          {
            ref: `p:new-${fresh()}`,
            idNumber: makeIdNumber({
              regionCode6: '370911',
              birthDate: '1991-06-15',
              sequence: 300 + (n % 600),
            }),
            name: `新建档${n}`,
          },
        ],
      });
    },
  },
  staff: {
    allowed: school,
    bundle: () =>
      wrap({
        staff: [
          {
            ref: `staff:${fresh()}`,
            personRef: trustRefs.teacherA,
            organizationRef: trustRefs.schoolB,
            duty: 'teacher',
            startDate: '2026-01-01',
          },
        ],
      }),
  },
  employments: {
    allowed: school,
    bundle: () =>
      wrap({
        employments: [
          {
            ref: `emp:${fresh()}`,
            personRef: trustRefs.trainees[0],
            organizationRef: trustRefs.company,
            post: 'general',
            startDate: '2026-01-01',
          },
        ],
      }),
  },
  syllabi: {
    allowed: ['cityRegulator'],
    bundle: () =>
      wrap({
        syllabi: [
          {
            ref: `syl:${fresh()}`,
            regionCode: '370911',
            operationItemCode: '1.2',
            kind: 'initial',
            theoryHours: 50,
            practicalHours: 30,
            effectiveFrom: `2027-0${1 + (serial++ % 9)}-0${1 + (serial % 9)}`,
            source: '岱岳区培训大纲',
          },
        ],
      }),
  },
  rooms: {
    allowed: school,
    bundle: () =>
      wrap({
        rooms: [
          {
            ref: `room:${fresh()}`,
            organizationRef: trustRefs.schoolB,
            name: `实操室${fresh()}`,
            kind: 'practical',
          },
        ],
      }),
  },
  devices: {
    allowed: school,
    bundle: () =>
      wrap({
        devices: [
          {
            ref: `dev:${fresh()}`,
            roomRef: trustRefs.roomB,
            kind: 'camera',
            serial: `SN-${fresh()}`,
            name: '后门摄像头',
          },
        ],
      }),
  },
  classes: {
    allowed: school,
    bundle: () =>
      wrap({
        classes: [
          {
            ref: `class:${fresh()}`,
            organizationRef: trustRefs.schoolB,
            code: `B-${fresh()}`,
            name: '低压电工作业复审',
            operationItemCode: '1.2',
            kind: 'review',
            headTeacherRef: trustRefs.teacherB,
            startDate: '2026-11-02',
            endDate: '2026-11-04',
            traineeRefs: [trustRefs.trainees[1]],
          },
        ],
      }),
  },
  lessons: {
    allowed: school,
    bundle: () =>
      wrap({
        lessons: [
          {
            ref: `lesson:${fresh()}`,
            classRef: trustRefs.classB,
            mode: 'theory',
            topic: '补充课',
            teacherRef: trustRefs.teacherB,
            roomRef: trustRefs.roomB,
            startsAt: at(20, 14),
            endsAt: at(20, 17),
          },
        ],
      }),
  },
  attendance: {
    allowed: school,
    bundle: () =>
      wrap({
        attendance: [
          {
            ref: `evt:${fresh()}`,
            deviceRef: trustRefs.terminalB,
            personRef: trustRefs.trainees[0],
            type: 'check_in',
            occurredAt: at(12, 8),
          },
        ],
      }),
  },
  makeups: {
    allowed: school,
    bundle: () =>
      wrap({
        makeups: [
          {
            ref: `makeup:${fresh()}`,
            lessonRef: trustRefs.lessonsB[0],
            personRef: trustRefs.trainees[2],
            startsAt: at(12, 8),
            endsAt: at(12, 12),
            reason: '终端故障，班主任现场核实',
          },
        ],
      }),
  },
  recordings: {
    allowed: school,
    bundle: () =>
      wrap({
        recordings: [
          {
            ref: `rec:${fresh()}`,
            deviceRef: trustRefs.cameraB,
            startsAt: at(12, 8),
            endsAt: at(12, 12),
            sha256: 'a'.repeat(64),
            storageUri: `nvr://b/${fresh()}.mp4`,
          },
        ],
      }),
  },
  onlineCourses: {
    allowed: school,
    bundle: () =>
      wrap({
        onlineCourses: [
          {
            ref: `course:${fresh()}`,
            classRef: trustRefs.classB,
            title: '事故案例',
            mediaKind: 'video',
            mediaUrl: 'https://media.example/case.mp4',
            durationSeconds: 1800,
          },
        ],
      }),
  },
  onlineSessions: {
    allowed: school,
    bundle: () =>
      wrap({
        onlineSessions: [
          {
            ref: `os:${fresh()}`,
            courseRef: trustRefs.courseB,
            personRef: trustRefs.trainees[1],
            startedAt: at(15, 19),
            lastSeenAt: at(15, 20),
            endedAt: at(15, 20),
            endReason: 'ended',
          },
        ],
      }),
  },
  questions: {
    allowed: authority,
    bundle: () =>
      wrap({
        questions: [
          {
            ref: `q:${fresh()}`,
            authorityRef: trustRefs.authority,
            itemCode: '1.2',
            kind: 'judge',
            stem: `漏电保护器须定期试验（${fresh()}）。`,
            options: ['正确', '错误'],
            answer: [0],
            knowledgePoint: '安全措施',
            difficulty: 2,
          },
        ],
      }),
  },
  blueprints: {
    allowed: authority,
    bundle: () =>
      wrap({
        blueprints: [
          {
            ref: `bp:${fresh()}`,
            authorityRef: trustRefs.authority,
            itemCode: '1.2',
            name: '低压电工复审',
            durationMinutes: 60,
            passMark: 1,
            parts: [{ kind: 'judge', knowledgePoint: null, count: 1, pointsEach: 1 }],
          },
        ],
      }),
  },
  examPlans: {
    allowed: authority,
    bundle: () =>
      wrap({
        examPlans: [
          {
            ref: `plan:${fresh()}`,
            authorityRef: trustRefs.authority,
            certificateKind: 'special_operation',
            itemCode: '1.2',
            name: '2026年12月低压电工作业',
            blueprintRef: trustRefs.blueprint,
          },
        ],
      }),
  },
  examSessions: {
    allowed: authority,
    bundle: () =>
      wrap({
        examSessions: [
          {
            ref: `session:${fresh()}`,
            planRef: trustRefs.plan,
            siteRef: trustRefs.site,
            room: '二考场',
            startsAt: at(29, 9),
            endsAt: at(29, 11),
            capacity: 30,
            invigilatorRefs: [trustRefs.invigilator],
            examinerRefs: [],
          },
        ],
      }),
  },
  examRegistrations: {
    allowed: authority,
    bundle: () =>
      wrap({
        examRegistrations: [
          {
            ref: `reg:${fresh()}`,
            sessionRef: trustRefs.session,
            personRef: trustRefs.teacherB,
            attempt: 1,
            eligibility: { eligible: true, checks: [] },
            status: 'registered',
          },
        ],
      }),
  },
  theoryAttempts: {
    allowed: authority,
    bundle: () =>
      wrap({
        theoryAttempts: [
          {
            ref: `att:${fresh()}`,
            registrationRef: trustRefs.registration,
            paper: [
              {
                questionRef: trustRefs.question,
                kind: 'judge',
                stem: '停电作业前须验电。',
                options: ['正确', '错误'],
                answer: [0],
                points: 1,
                knowledgePoint: '安全措施',
              },
            ],
            startedAt: at(28, 9),
            deadlineAt: at(28, 10),
            submittedAt: at(28, 9),
            score: 1,
            answers: [{ position: 0, choice: [0], savedAt: at(28, 9) }],
          },
        ],
      }),
  },
  practicalScores: {
    allowed: authority,
    bundle: () =>
      wrap({
        practicalScores: [
          {
            ref: `ps:${fresh()}`,
            registrationRef: trustRefs.registration,
            subjectCode: 'K1',
            taskCode: 'K11',
            startedAt: at(28, 10),
            scoredAt: at(28, 10),
            points: 18,
          },
        ],
      }),
  },
  patrolEvents: {
    allowed: authority,
    bundle: () =>
      wrap({
        patrolEvents: [
          {
            ref: `patrol:${fresh()}`,
            sessionRef: trustRefs.session,
            kind: 'observation',
            note: '考场秩序良好',
            recordedBy: '巡考员',
            at: at(28, 9),
          },
        ],
      }),
  },
  authorityKeys: {
    allowed: authority,
    bundle: () => wrap({ authorityKeys: [signedCertificate(trustRefs.electrician).key] }),
  },
  certificates: {
    allowed: authority,
    bundle: () => {
      const s = signedCertificate(trustRefs.electrician);
      return wrap({ authorityKeys: [s.key], certificates: [s.certificate] });
    },
  },
  certificateEvents: {
    allowed: authority,
    bundle: (city) => {
      const ref = `card:${fresh()}`;
      return wrap({
        persons: [trustPerson(trustRefs.electrician)],
        certificates: [
          {
            ref,
            number: city.certificate.number,
            kind: 'special_operation',
            personRef: trustRefs.electrician,
            operationItemCode: '1.2',
            authorityRef: trustRefs.authority,
            issuedOn: '2026-10-30',
            validUntil: '2032-10-30',
            cardEdition: 1,
            kid: city.certificate.kid,
            qrPayload: city.certificate.qrPayload,
          },
        ],
        certificateEvents: [
          {
            ref: `ev:${fresh()}`,
            certificateRef: ref,
            kind: 'review',
            occurredOn: '2026-11-20',
            recordedBy: '考务中心',
          },
        ],
      });
    },
  },
};

/** Roles the route itself turns away: the bundle is not their door. */
const gateRefused: TrustAccount[] = (Object.keys(trustAccounts) as TrustAccount[]).filter(
  (a) =>
    !(trustAccounts[a].roles as readonly string[]).some(
      (r) => r === 'regulator' || r === 'exam_authority',
    ),
);
const importers: TrustAccount[] = (Object.keys(trustAccounts) as TrustAccount[]).filter(
  (a) => !gateRefused.includes(a),
);

describe.each(testDatabaseModes)('bundle import, every section × every role on %s', (mode) => {
  let t: TestDatabase;
  let app: App;
  let city: TrustCity;
  const cookies = new Map<TrustAccount, string>();
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    city = await seedTrustCity(t.db);
    app = await buildTestApp(t);
    for (const who of Object.keys(trustAccounts) as TrustAccount[])
      cookies.set(who, await cookieOf(app, city, who));
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const post = (url: string, who: TrustAccount | null, payload: object) =>
    app.inject({
      method: 'POST',
      url,
      headers: who ? { cookie: cookies.get(who)! } : {},
      payload,
    });

  it('lists the roles the route refuses and those it lets through to the record checks', () => {
    expect(gateRefused.sort()).toEqual(
      ['company', 'inspector', 'invigilator', 'schoolA', 'schoolB', 'site', 'worker'].sort(),
    );
  });

  it.each(bundleSections)(
    '%s: only its creators or the regulator above may import it',
    async (section) => {
      const probe = probes[section];
      expect(
        (await post('/api/bundle/validate', null, probe.bundle(city))).statusCode,
        'an outsider',
      ).toBe(401);
      for (const who of gateRefused) {
        const res = await post('/api/bundle/validate', who, probe.bundle(city));
        expect(res.statusCode, `${who}: ${res.body}`).toBe(403);
        const imported = await post('/api/bundle/import', who, probe.bundle(city));
        expect(imported.statusCode, `${who} import`).toBe(403);
      }
      for (const who of importers) {
        const res = await post('/api/bundle/validate', who, probe.bundle(city));
        expect(res.statusCode, res.body).toBe(200);
        const { ok, errors } = res.json() as {
          ok: boolean;
          errors: { section: string; code: string }[];
        };
        if (probe.allowed.includes(who)) {
          expect({ who, ok, errors }).toEqual({ who, ok: true, errors: [] });
        } else {
          expect(ok, `${who} should be refused`).toBe(false);
          // The probe is valid in every other respect: the only problem is whose record it is.
          expect(
            errors.map((e) => e.code),
            `${who}: ${JSON.stringify(errors)}`,
          ).toEqual(errors.map(() => 'forbidden'));
          const refused = await post('/api/bundle/import', who, probe.bundle(city));
          expect(refused.statusCode, `${who} import`).toBe(403);
        }
      }
      // What is allowed is written.
      const res = await post(
        '/api/bundle/import',
        probe.allowed[probe.allowed.length - 1],
        probe.bundle(city),
      );
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().created[section] + res.json().linked[section]).toBeGreaterThan(0);
    },
  );
});
