import { randomBytes } from 'node:crypto';
import { isValidCreditCode } from './modules/registry/identifiers.rules.js';
import { loadRegionTree } from './modules/registry/registry.service.js';
import { recordAudit } from './platform/audit/audit.js';
import { createUser } from './platform/auth/auth.service.js';
import { hashPassword } from './platform/auth/passwords.js';
import { type Executor, transaction } from './platform/db/database.js';

/**
 * Accounts from the command line: the first administrator of a server outside demo mode (there is no
 * one yet to sign in and create it), and a new password or a disabled account for anyone — the way
 * out when the server refuses to start on demo passwords. Every change is audited as `system:cli`.
 */

const MIN_PASSWORD = 12;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `--password-stdin`: the first line of standard input; otherwise a new random one, printed once. */
async function passwordFrom(args: string[]): Promise<{ password: string; generated: boolean }> {
  if (args.includes('--password-stdin')) {
    const password = (await readStdin()).split(/\r?\n/)[0] ?? '';
    if (password.length < MIN_PASSWORD)
      throw new UsageError(`the password must have at least ${MIN_PASSWORD} characters`);
    return { password, generated: false };
  }
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

class UsageError extends Error {}

export const adminUsage = `usage: zhenxun admin create --username NAME --name DISPLAY_NAME
         (--organization ID_OR_CREDIT_CODE | --new-organization NAME --credit-code CODE --region CODE)
         [--password-stdin]
  creates a regulator account with the admin role (the first administrator outside demo mode), in an
  existing regulator organization or a new one; without --password-stdin a random password is printed once`;

export const userUsage = `usage: zhenxun user password USERNAME [--password-stdin]   new password (random, printed once, unless given)
       zhenxun user disable USERNAME                          the account can no longer sign in`;

async function findOrCreateRegulator(trx: Executor, args: string[]): Promise<string> {
  const existing = option(args, '--organization');
  if (existing) {
    const org = await trx
      .selectFrom('organization')
      .select(['id', 'kind'])
      .where((eb) =>
        /^[0-9a-f-]{36}$/i.test(existing)
          ? eb('id', '=', existing)
          : eb('creditCode', '=', existing.toUpperCase()),
      )
      .executeTakeFirst();
    if (!org) throw new UsageError(`no organization ${existing}`);
    if (org.kind !== 'regulator')
      throw new UsageError(
        `${existing} is not a regulator (监管部门); an administrator belongs to one`,
      );
    return org.id;
  }
  const name = option(args, '--new-organization');
  const creditCode = option(args, '--credit-code')?.toUpperCase();
  const regionCode = option(args, '--region');
  if (!name || !creditCode || !regionCode)
    throw new UsageError(
      'give --organization, or --new-organization with --credit-code and --region',
    );
  if (!isValidCreditCode(creditCode))
    throw new UsageError(`${creditCode} is not a valid unified social credit code (GB 32100)`);
  const region = await trx
    .selectFrom('region')
    .select('code')
    .where('code', '=', regionCode)
    .executeTakeFirst();
  if (!region) throw new UsageError(`no region ${regionCode} (GB/T 2260 code)`);
  const row = await trx
    .insertInto('organization')
    .values({ kind: 'regulator', name, creditCode, regionCode })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(trx, {
    actor: 'system:cli',
    action: 'organization.create',
    entityType: 'organization',
    entityId: row.id,
    regionCode,
    after: row,
    summary: `first administrator's regulator: ${name}`,
  });
  return row.id;
}

export async function runAdmin(db: Executor, args: string[]): Promise<number> {
  const username = option(args, '--username');
  const displayName = option(args, '--name');
  if (args[0] !== 'create' || !username || !displayName) {
    process.stderr.write(`${adminUsage}\n`);
    return 2;
  }
  try {
    const { password, generated } = await passwordFrom(args);
    await loadRegionTree(db, 'system:cli');
    const taken = await db
      .selectFrom('appUser')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (taken) throw new UsageError(`username ${username} is taken`);
    const userId = await transaction(db, async (trx) => {
      const organizationId = await findOrCreateRegulator(trx, args);
      return createUser(trx, 'system:cli', {
        username,
        password,
        displayName,
        roles: ['regulator', 'admin'],
        organizationId,
      });
    });
    process.stdout.write(`administrator ${username} created (${userId})\n`);
    if (generated) process.stdout.write(`password (shown once): ${password}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${adminUsage}\n`);
      return 2;
    }
    throw e;
  }
}

export async function runUser(db: Executor, args: string[]): Promise<number> {
  const [action, username] = args;
  if (!username || (action !== 'password' && action !== 'disable')) {
    process.stderr.write(`${userUsage}\n`);
    return 2;
  }
  const user = await db
    .selectFrom('appUser')
    .select(['id'])
    .where('username', '=', username)
    .executeTakeFirst();
  if (!user) {
    process.stderr.write(`no user ${username}\n`);
    return 2;
  }
  try {
    const next = action === 'password' ? await passwordFrom(args) : undefined;
    const passwordHash = next ? await hashPassword(next.password) : undefined;
    await transaction(db, async (trx) => {
      await trx
        .updateTable('appUser')
        .set(passwordHash ? { passwordHash } : { disabled: true })
        .where('id', '=', user.id)
        .execute();
      // Whoever held a session under the old password (or the disabled account) is signed out.
      await trx.deleteFrom('userSession').where('userId', '=', user.id).execute();
      await recordAudit(trx, {
        actor: 'system:cli',
        action: action === 'password' ? 'user.password.set' : 'user.disable',
        entityType: 'user',
        entityId: user.id,
        summary: `${username}: ${action === 'password' ? 'new password' : 'disabled'} from the command line`,
      });
    });
    process.stdout.write(
      `${username}: ${action === 'password' ? 'password changed' : 'disabled'}\n`,
    );
    if (next?.generated) process.stdout.write(`password (shown once): ${next.password}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
