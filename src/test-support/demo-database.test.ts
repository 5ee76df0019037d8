import { describe, expect, it } from 'vitest';
import { testDatabaseModes } from './db.js';
import { openDemoDatabase } from './demo-database.js';

const anchor = '2026-12-07';

describe.each(testDatabaseModes)('the demo city cloned per test (%s)', (mode) => {
  it('gives each caller its own copy of the same city', async () => {
    const a = await openDemoDatabase(mode, { anchor });
    const b = await openDemoDatabase(mode, { anchor });
    try {
      const users = (h: typeof a) =>
        h.db.selectFrom('appUser').select('username').orderBy('username').execute();
      const before = await users(a);
      expect(before.map((u) => u.username)).toContain('regulator');
      expect(await users(b)).toEqual(before);
      const city = await a.db.selectFrom('demoCity').select('anchorDate').executeTakeFirstOrThrow();
      expect(city.anchorDate).toBe(anchor);
      // A write to one clone is not seen by the other, nor by the next clone of the template.
      await a.db.deleteFrom('userSession').execute();
      await a.db
        .updateTable('appUser')
        .set({ displayName: 'changed' })
        .where('username', '=', 'regulator')
        .execute();
      const name = async (h: typeof a) =>
        (
          await h.db
            .selectFrom('appUser')
            .select('displayName')
            .where('username', '=', 'regulator')
            .executeTakeFirstOrThrow()
        ).displayName;
      expect(await name(a)).toBe('changed');
      expect(await name(b)).not.toBe('changed');
      const c = await openDemoDatabase(mode, { anchor });
      try {
        expect(await name(c)).not.toBe('changed');
      } finally {
        await c.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  }, 600_000);
});
