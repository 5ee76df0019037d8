import type { Config } from './config.js';
import { DEV_CERT_KEY_SECRET } from './config.js';
import { demoAccounts } from './demo/demo.seed.js';
import type { CheckpointKey } from './platform/audit/checkpoint-key.js';
import { verifyPassword } from './platform/auth/passwords.js';
import type { Executor } from './platform/db/database.js';

export interface StartupFindings {
  /** What keeps a server outside demo mode from starting, each naming what to set or do. */
  errors: string[];
  /** What a demo server says on start (the same facts: development secrets in use). */
  warnings: string[];
}

/** Enabled demo accounts (by their usernames) that still have the demo password. */
export async function accountsWithDefaultPasswords(db: Executor): Promise<string[]> {
  const byName = new Map(demoAccounts.map((a) => [a.username, a.password]));
  const users = await db
    .selectFrom('appUser')
    .select(['username', 'passwordHash'])
    .where('username', 'in', [...byName.keys()])
    .where('disabled', '=', false)
    .execute();
  const found: string[] = [];
  for (const u of users)
    if (await verifyPassword(u.passwordHash, byName.get(u.username) ?? '')) found.push(u.username);
  return found.sort();
}

/**
 * Development secrets and default passwords. Outside demo mode each is an error (CONTRACTS.md: the
 * server refuses to start); in demo mode the secrets are warnings, and the demo passwords are the point.
 */
export async function checkStartup(
  config: Config,
  key: CheckpointKey,
  db: Executor,
): Promise<StartupFindings> {
  const secrets: string[] = [];
  if (config.CERT_KEY_SECRET === DEV_CERT_KEY_SECRET)
    secrets.push(
      'CERT_KEY_SECRET is the development default, published in the source: anyone could decrypt the exam authorities’ signing keys. Set CERT_KEY_SECRET to a long random secret (e.g. `openssl rand -base64 32`) and keep it.',
    );
  if (key.isDefault)
    secrets.push(
      'The audit checkpoint key is the development default, published in the source: anyone could sign checkpoints for a rewritten audit log. Set AUDIT_CHECKPOINT_KEY or AUDIT_CHECKPOINT_KEY_FILE (`npx zhenxun audit keygen` makes one).',
    );
  if (config.DEMO_MODE) return { errors: [], warnings: secrets };
  const errors = [...secrets];
  const defaults = await accountsWithDefaultPasswords(db);
  if (defaults.length > 0)
    errors.push(
      `Accounts with the demo password: ${defaults.join(', ')}. Give each a new password (\`npx zhenxun user password USERNAME\`) or disable it (\`npx zhenxun user disable USERNAME\`), or run in demo mode (DEMO_MODE=true).`,
    );
  return { errors, warnings: [] };
}
