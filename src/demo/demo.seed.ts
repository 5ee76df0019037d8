import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idsForRefs, importBundle } from '../bundle/bundle.service.js';
import { beijingDay } from '../catalog/calendar.js';
import { evaluateAndStore } from '../modules/detection/alerts.service.js';
import { loadRegionTree } from '../modules/registry/registry.service.js';
import { recordAudit } from '../platform/audit/audit.js';
import { createUser } from '../platform/auth/auth.service.js';
import type { Role } from '../platform/auth/roles.js';
import { type Executor, transaction } from '../platform/db/database.js';
import { type FileStorage, localFileStorage } from '../platform/files/storage.js';
import { sealDemoArchives } from './demo-archives.js';
import { type DemoAccount, generateDemoCity } from './demo-city.js';
import { certifyDemoExaminers, runDemoExamSession } from './demo-exams.js';
import { runDemoSupervision } from './demo-supervision.js';
import { demoTimeline } from './demo-timeline.js';

export const DEFAULT_DEMO_SEED = 20241012;

/** The demo accounts (the same for every seed): shown on the login screen while they exist. */
export const demoAccounts: readonly DemoAccount[] = generateDemoCity(DEFAULT_DEMO_SEED, {
  persons: 0,
}).accounts;

export async function databaseIsEmpty(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('organization').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}

/** The demo's "today" when nothing else is said: the Beijing date of now (the first start). */
export function demoAnchorFor(now: Date = new Date()): string {
  return beijingDay(now);
}

/** The seed and anchor the demo city of this database was generated from, if it has one. */
export async function demoCityOf(
  db: Executor,
): Promise<{ seed: number; anchorDate: string } | undefined> {
  return db.selectFrom('demoCity').select(['seed', 'anchorDate']).executeTakeFirst();
}

/**
 * Loads the region tree and the deterministic 泰安市 demo city through the same bundle import that
 * outside data goes through, then creates one login per role, then runs what happened before the
 * anchor through the services on its own dates (sealed archives, last month's exam, next week's
 * registrations). Same seed and anchor → same bundle. The anchor is stored with the city.
 */
export async function seedDemoCity(
  db: Executor,
  seed = DEFAULT_DEMO_SEED,
  anchor: string = demoAnchorFor(),
  /** Where the demo's inspection photos and signatures go (the app's storage; a temporary one in tests). */
  files: FileStorage = localFileStorage(join(tmpdir(), 'zhenxun-demo-files')),
) {
  const timeline = demoTimeline(anchor);
  const regions = await loadRegionTree(db, 'system:demo');
  const { bundle, accounts } = generateDemoCity(seed, { anchor });
  const imported = await importBundle(db, 'system:demo', bundle);
  const orgIds = await idsForRefs(
    db,
    'organizations',
    accounts.flatMap((a) => (a.organizationRef ? [a.organizationRef] : [])),
  );
  const personIds = await idsForRefs(
    db,
    'persons',
    accounts.flatMap((a) => (a.personRef ? [a.personRef] : [])),
  );
  const users = new Map<
    string,
    { userId: string; organizationId: string | null; displayName: string }
  >();
  await transaction(db, async (trx) => {
    for (const a of accounts) {
      const organizationId = a.organizationRef ? (orgIds.get(a.organizationRef) ?? null) : null;
      const userId = await createUser(trx, 'system:demo', {
        username: a.username,
        password: a.password,
        displayName: a.displayName,
        roles: a.roles as Role[],
        organizationId,
        personId: a.personRef ? (personIds.get(a.personRef) ?? null) : null,
      });
      users.set(a.username, { userId, organizationId, displayName: a.displayName });
    }
    await trx.insertInto('demoCity').values({ seed, anchorDate: anchor }).execute();
    await recordAudit(trx, {
      actor: 'system:demo',
      action: 'demo.seed',
      entityType: 'demo',
      after: { seed, anchorDate: anchor },
      summary: `演示数据：种子 ${seed}，数据日期 ${anchor}，${accounts.length} 个演示账号`,
    });
  });
  await sealDemoArchives(db, users);
  await certifyDemoExaminers(db, users.get('exam'), timeline);
  const exam = await runDemoExamSession(db, users, timeline);
  const supervision = await runDemoSupervision(db, files, users, timeline, seed);
  // A regulator logging in sees the planted problems as alerts at once: a full detection run over
  // the city, as `zhenxun detect` would do, after everything above has happened.
  const detection = await evaluateAndStore(db, 'system:demo');
  return {
    seed,
    anchor,
    regions,
    imported,
    accounts: accounts.length,
    exam,
    supervision,
    alerts: detection.found,
  };
}

export async function listExistingDemoAccounts(db: Executor): Promise<DemoAccount[]> {
  const usernames = demoAccounts.map((a) => a.username);
  const existing = await db
    .selectFrom('appUser')
    .select('username')
    .where('username', 'in', usernames)
    .execute();
  const present = new Set(existing.map((r) => r.username));
  return demoAccounts.filter((a) => present.has(a.username));
}
