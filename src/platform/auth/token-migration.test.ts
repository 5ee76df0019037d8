import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  loadRegions,
  type TestDatabase,
  testDatabaseModes,
} from '../../test-support/db.js';
import { buildOrganization } from '../../test-support/factories.js';
import { buildRoom } from '../../test-support/training-factories.js';
import * as m0013 from '../db/migrations/0013_api_token_expiry.js';

/**
 * Tokens minted before tokens expired and before bundle:write was kept to regulators and exam
 * authorities: the migration revokes the forging ones and gives hand-minted tokens the default
 * lifetime; a device's token keeps none.
 */
describe.each(testDatabaseModes)('migration 0013 on %s', (mode) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(mode);
    await loadRegions(t.db);
  });
  afterAll(() => t?.close());

  it('revokes bundle:write of organizations that may not import and dates hand-minted tokens', async () => {
    const school = await buildOrganization(t.db, { kind: 'training_institution' });
    const company = await buildOrganization(t.db, { kind: 'enterprise' });
    const city = await buildOrganization(t.db, { kind: 'regulator', regionCode: '3709' });
    await m0013.down(t.db);
    const token = async (organizationId: string, name: string, scopes: string[]) =>
      (
        await sql<{ id: string }>`
          insert into api_token (organization_id, name, token_hash, scopes)
          values (${organizationId}, ${name}, ${`h-${name}`}, ${scopes}) returning id`.execute(t.db)
      ).rows[0].id;
    const schoolBundle = await token(school.id, 'school-bundle', ['bundle:write']);
    const companyBundle = await token(company.id, 'company-bundle', [
      'registry:read',
      'bundle:write',
    ]);
    const cityBundle = await token(city.id, 'city-bundle', ['bundle:write']);
    const schoolRead = await token(school.id, 'school-read', ['registry:read']);
    const deviceToken = await token(school.id, 'terminal', ['devices:write']);
    const room = await buildRoom(t.db, { organizationId: school.id, regionCode: '370902' });
    await sql`
      insert into device (organization_id, room_id, region_code, kind, serial, name, token_id)
      values (${school.id}, ${room.id}, '370902', 'face_terminal', 'SN-0013', '考勤机', ${deviceToken})`.execute(
      t.db,
    );
    await m0013.up(t.db);
    const rows = new Map(
      (await t.db.selectFrom('apiToken').select(['id', 'revokedAt', 'expiresAt']).execute()).map(
        (r) => [r.id, r],
      ),
    );
    expect(rows.get(schoolBundle)?.revokedAt).not.toBeNull();
    expect(rows.get(companyBundle)?.revokedAt).not.toBeNull();
    expect(rows.get(cityBundle)?.revokedAt).toBeNull();
    expect(rows.get(schoolRead)?.revokedAt).toBeNull();
    const days = (id: string) =>
      (new Date(rows.get(id)!.expiresAt!).getTime() - Date.now()) / 86_400_000;
    expect(days(cityBundle)).toBeGreaterThan(89.9);
    expect(days(schoolRead)).toBeLessThan(90.1);
    expect(rows.get(deviceToken)?.expiresAt).toBeNull();
    expect(rows.get(deviceToken)?.revokedAt).toBeNull();
  });
});
