import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPolicy } from '../../catalog/policy.js';
import type { App } from '../../platform/http/routing.js';
import { buildTestApp } from '../../test-support/app.js';
import { createTestDatabase, loadRegions, type TestDatabase } from '../../test-support/db.js';
import {
  buildEmployment,
  buildOrganization,
  buildPerson,
  buildUser,
  loginCookie,
} from '../../test-support/factories.js';
import { encodeJpeg, type RgbImage } from './face-engine.js';
import { decideVerification } from './faces.rules.js';
import { blankFrame, sampleFace } from './faces.test-images.js';
import { adjust, rotate, sideBySide, simulatePrint } from './image-ops.js';

const b64 = (img: RgbImage) => Buffer.from(encodeJpeg(img, 90)).toString('base64');
const thresholds = (() => {
  const f = getPolicy('370902', '2026-11-01').figures;
  return {
    match: f.faceMatchThreshold.value,
    antispoofMin: f.faceAntispoofMin.value,
    livenessMin: f.faceLivenessMin.value,
  };
})();

describe('face decisions (rules)', () => {
  it('holds a capture the antispoof or liveness model doubts for review, and never matches below the threshold', () => {
    const ok = {
      score: thresholds.match + 0.05,
      real: thresholds.antispoofMin + 0.2,
      live: thresholds.livenessMin + 0.2,
    };
    expect(decideVerification(ok, thresholds)).toEqual({ decision: 'match', reasons: [] });
    expect(decideVerification({ ...ok, real: thresholds.antispoofMin - 0.01 }, thresholds)).toEqual(
      { decision: 'review', reasons: ['possible_spoof'] },
    );
    expect(
      decideVerification({ ...ok, live: thresholds.livenessMin - 0.01 }, thresholds).decision,
    ).toBe('review');
    expect(
      decideVerification({ ...ok, score: thresholds.match - 0.01, real: 0 }, thresholds).decision,
    ).toBe('mismatch');
  });
});

describe('faces on real models (PGlite)', () => {
  let t: TestDatabase;
  let app: App;
  let cookie: string;
  let regulatorCookie: string;
  let alice: { id: string };
  let bob: { id: string };
  let outsider: { id: string };

  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await loadRegions(t.db);
    app = await buildTestApp(t);
    const school = await buildOrganization(t.db, {
      kind: 'training_institution',
      regionCode: '370902',
    });
    const company = await buildOrganization(t.db, { kind: 'enterprise', regionCode: '370902' });
    const elsewhere = await buildOrganization(t.db, { kind: 'enterprise', regionCode: '370102' });
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    alice = await buildPerson(t.db);
    bob = await buildPerson(t.db);
    outsider = await buildPerson(t.db);
    await buildEmployment(t.db, {
      personId: alice.id,
      organizationId: company.id,
      regionCode: '370902',
      post: 'general',
    });
    await buildEmployment(t.db, {
      personId: bob.id,
      organizationId: company.id,
      regionCode: '370902',
      post: 'general',
    });
    await buildEmployment(t.db, {
      personId: outsider.id,
      organizationId: elsewhere.id,
      regionCode: '370102',
      post: 'general',
    });
    cookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['enterprise'], organizationId: company.id })).username,
    );
    regulatorCookie = await loginCookie(
      app,
      (await buildUser(t.db, { roles: ['regulator'], organizationId: city.id })).username,
    );
    void school;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const post = (url: string, image: RgbImage, who = cookie) =>
    app.inject({
      method: 'POST',
      url,
      headers: { cookie: who },
      payload: { image: b64(image), context: 'attendance' },
    });

  it('enrolls one face and keeps only its descriptor', async () => {
    const res = await post(`/api/persons/${alice.id}/face`, sampleFace(2, 3));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().templates).toBe(1);
    const row = await t.db
      .selectFrom('faceTemplate')
      .select(['embedding', 'quality'])
      .where('personId', '=', alice.id)
      .executeTakeFirstOrThrow();
    expect(row.embedding.length).toBe(1024 * 4);
    expect(JSON.stringify(row.quality)).not.toMatch(/image|jpeg|base64/i);
    expect((await post(`/api/persons/${bob.id}/face`, sampleFace(3, 9))).statusCode).toBe(201);
  });

  it('verifies the same person under a changed capture (brighter, tilted)', async () => {
    for (const variant of [adjust(sampleFace(2, 3), 1.2, 10), rotate(sampleFace(2, 3), 7)]) {
      const res = await post(`/api/persons/${alice.id}/face/verify`, variant);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ decision: 'match' });
      expect(res.json().score).toBeGreaterThanOrEqual(thresholds.match);
    }
  });

  it('does not verify a different person (impersonation)', async () => {
    for (const [row, col] of [
      [3, 9],
      [4, 1],
      [5, 6],
    ]) {
      const res = await post(`/api/persons/${alice.id}/face/verify`, sampleFace(row, col));
      expect(res.json().decision, `r${row}c${col}`).toBe('mismatch');
      expect(res.json().reasons).toContain('below_match_threshold');
    }
  });

  it('refuses a frame with no face or with two faces, saying why', async () => {
    const none = await post(`/api/persons/${alice.id}/face/verify`, blankFrame());
    expect(none.json()).toMatchObject({ decision: 'refused', reasons: ['no_face'] });
    const two = await post(
      `/api/persons/${alice.id}/face/verify`,
      sideBySide(sampleFace(2, 3), sampleFace(4, 1)),
    );
    expect(two.json()).toMatchObject({ decision: 'refused', reasons: ['several_faces'] });
    const enrollTwo = await post(
      `/api/persons/${bob.id}/face`,
      sideBySide(sampleFace(2, 3), sampleFace(4, 1)),
    );
    expect(enrollTwo.statusCode).toBe(422);
    expect(enrollTwo.json().error.details[0].code).toBe('several_faces');
  });

  it('scores a simulated re-captured print with the antispoof model and records it', async () => {
    const res = await post(`/api/persons/${alice.id}/face/verify`, simulatePrint(sampleFace(2, 3)));
    expect(res.statusCode).toBe(200);
    const { real, decision, reasons, verificationId } = res.json();
    expect(real).toBeGreaterThan(0);
    expect(real).toBeLessThanOrEqual(1);
    // docs/faces.md: on this simulation (and on halftone, moiré, glare and held-print ones) the
    // antispoof model cannot tell prints from live crops, so the decision follows the threshold rule
    // tested above: flagged exactly when the score is under the minimum. The score is kept as evidence.
    expect(reasons.includes('possible_spoof')).toBe(real < thresholds.antispoofMin);
    expect(decision).not.toBe('refused');
    const log = await app.inject({
      method: 'GET',
      url: `/api/persons/${alice.id}/face/verifications`,
      headers: { cookie: regulatorCookie },
    });
    const entry = log.json().items.find((i: { id: string }) => i.id === verificationId);
    expect(entry).toMatchObject({
      source: 'platform',
      decision,
      realScore: expect.closeTo(real, 5),
    });
  });

  it('logs every verification for the regulator, and finds no other person with the same face', async () => {
    const log = await app.inject({
      method: 'GET',
      url: `/api/persons/${alice.id}/face/verifications`,
      headers: { cookie: regulatorCookie },
    });
    expect(log.statusCode).toBe(200);
    expect(log.json().items.length).toBeGreaterThanOrEqual(7);
    expect(log.json().items.every((i: { source: string }) => i.source === 'platform')).toBe(true);
    const same = await app.inject({
      method: 'GET',
      url: `/api/persons/${alice.id}/face/same-face`,
      headers: { cookie: regulatorCookie },
    });
    expect(same.json().items).toEqual([]);
  });

  it('finds one face enrolled on two people (proxy sign-in)', async () => {
    expect(
      (await post(`/api/persons/${bob.id}/face`, rotate(sampleFace(2, 3), -5))).statusCode,
    ).toBe(201);
    const same = await app.inject({
      method: 'GET',
      url: `/api/persons/${alice.id}/face/same-face`,
      headers: { cookie: regulatorCookie },
    });
    expect(same.json().items.map((i: { personId: string }) => i.personId)).toEqual([bob.id]);
  });

  it('refuses people outside the caller scope and deletes face data with an audit entry', async () => {
    expect((await post(`/api/persons/${outsider.id}/face`, sampleFace(2, 3))).statusCode).toBe(404);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/persons/${alice.id}/face`,
      headers: { cookie },
    });
    expect(del.json()).toEqual({ deleted: 1 });
    const audit = await t.db
      .selectFrom('auditLog')
      .select(['action', 'entityId'])
      .where('action', '=', 'face.delete')
      .execute();
    expect(audit).toEqual([{ action: 'face.delete', entityId: alice.id }]);
    const after = await post(`/api/persons/${alice.id}/face/verify`, sampleFace(2, 3));
    expect(after.statusCode).toBe(422);
    expect(after.json().error.details[0].code).toBe('not_enrolled');
  });
});
