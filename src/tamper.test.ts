import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointKeyFromEnv } from './platform/audit/checkpoint-key.js';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from './test-support/db.js';
import {
  attackKinds,
  buildTamperFixture,
  detect,
  runCampaign,
} from './test-support/tamper-campaign.js';

/**
 * Issue 12 point 4: at least 200 random attacks per run on audit entries and sealed archive records,
 * every one detected against the last checkpoint. `npm run security:tamper` writes the same campaign's
 * figures into docs/security.md.
 */
describe.each(testDatabaseModes)('randomized tamper campaign on %s', (mode) => {
  let t: TestDatabase;
  let fixture: Awaited<ReturnType<typeof buildTamperFixture>>;
  const key = checkpointKeyFromEnv();
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
    fixture = await buildTamperFixture(t.db, key);
  });
  afterAll(() => t?.close());

  it('starts from a state that verifies', async () => {
    const d = await detect(t.db, fixture.classIds, key, fixture.witness);
    expect(d.audit.breaks).toEqual([]);
    expect(d.archives.every((a) => a.ok)).toBe(true);
    expect(d.audit.unanchored).toBe(0);
  });

  it('detects 100% of 200 random edits, deletions, truncations and re-hashes', {
    timeout: 600_000,
  }, async () => {
    const seed = Number(process.env.TAMPER_SEED ?? Date.now() % 1_000_000);
    const r = await runCampaign(t.db, fixture, key, { trials: 200, seed });
    expect(r.missed, `seed ${seed}`).toEqual([]);
    expect(r.detected).toBe(200);
    for (const k of attackKinds) expect(r.byKind[k].trials, k).toBeGreaterThan(0);
  });
});
