import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { runExport, runImport } from './bundle/bundle.cli.js';
import { loadConfig } from './config.js';
import { databaseIsEmpty, seedDemoCity } from './demo/demo.seed.js';
import { runDetect } from './modules/detection/detect.cli.js';
import { loadRegionTree } from './modules/registry/registry.service.js';
import { runArchiveVerify } from './modules/training/archive.cli.js';
import { describeBreak, verifyAuditLog } from './platform/audit/audit.js';
import {
  parseCheckpointsFile,
  startCheckpointer,
  writeCheckpoint,
} from './platform/audit/checkpoint.js';
import {
  type CheckpointKey,
  checkpointKeyFromEnv,
  generateCheckpointKey,
  type TrustedKey,
  trustedKeyOfCheckpointKey,
} from './platform/audit/checkpoint-key.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from './platform/db/database.js';
import { fileStorageFromEnv } from './platform/files/storage.js';
import { flushLogger, serverLogger } from './platform/http/logger.js';
import { checkStartup } from './startup.js';
import { adminUsage, runAdmin, runUser, userUsage } from './users.cli.js';
import { version } from './version.js';

const usage = `zhenxun — 真训 安全生产培训考试全流程监管平台

Usage: zhenxun <command>
  serve                 apply migrations, load regions and the demo city on an empty database, serve HTTP
  migrate               apply pending migrations (exit 1 on failure)
  seed --demo [--seed N] [--anchor YYYY-MM-DD]
                        load the deterministic demo city (泰安市) into an empty database, placed
                        around the anchor date (default: today in Beijing)
  import FILE.json      validate a bundle and import it (nothing is written if any record is invalid)
  export [FILE.json]    write a bundle of the whole database (stdout without FILE)
  audit verify [--checkpoints FILE]
                        recompute the audit log's hash chain and check it against every signed checkpoint
                        (the database's and a witness's FILE); exit 1 listing every break
  audit checkpoint      sign and store a checkpoint of the audit log's head now
  audit keygen          print a new Ed25519 key for AUDIT_CHECKPOINT_KEY
  admin create …        create the first administrator (outside demo mode); \`zhenxun admin\` for options
  user password|disable USERNAME
                        set a new password (printed once) or disable an account
  verify-qr PAYLOAD --keys KEYS.json [--name NAME --id ID_NUMBER]
                        check a certificate QR offline against published keys (GET /api/public/keys) and,
                        given the holder's name and ID number, that it was signed for them; no database
  detect [--json] [--rule ID] [--region CODE] [--since DATE]
                        evaluate the 走过场 rule catalog (T01…G01), store and print the alerts with their
                        evidence (--json: a deterministic array); rules that cannot be evaluated say why
  archive verify CLASS  recompute a closed class's sealed archive (一期一档; CLASS = class id or code);
                        exit 1 naming each changed, added or removed record, 2 if unknown or not sealed

Environment: DATA_DIR (default ./data), DATABASE_URL (postgres://… to use PostgreSQL), PORT (3000),
DEMO_MODE, CERT_KEY_SECRET, AUDIT_CHECKPOINT_KEY(_FILE) — README.md`;

function checkpointKeyOrExit(): CheckpointKey {
  try {
    return checkpointKeyFromEnv();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
}

async function open(): Promise<DatabaseHandle> {
  const config = loadConfig();
  const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await migrateToLatest(handle.db);
  return handle;
}

async function withDb(fn: (h: DatabaseHandle) => Promise<number>): Promise<number> {
  const h = await open();
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

async function serve(): Promise<void> {
  const config = loadConfig();
  const key = checkpointKeyOrExit();
  const handle = await open();
  const startup = await checkStartup(config, key, handle.db);
  if (startup.errors.length > 0) {
    process.stderr.write(
      `真训 ZhenXun refuses to start outside demo mode (DEMO_MODE=false):\n${startup.errors.map((e) => `  - ${e}`).join('\n')}\n`,
    );
    await handle.close();
    process.exitCode = 1;
    return;
  }
  for (const w of startup.warnings) process.stderr.write(`WARNING (demo mode): ${w}\n`);
  if (await databaseIsEmpty(handle.db)) {
    if (config.DEMO_MODE) {
      process.stdout.write('空数据库：正在载入行政区划与泰安市演示数据…\n');
      const t0 = Date.now();
      const summary = await seedDemoCity(
        handle.db,
        config.DEMO_SEED,
        config.DEMO_ANCHOR,
        fileStorageFromEnv(config),
      );
      process.stdout.write(
        `演示数据已载入，数据日期 ${summary.anchor} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
      );
    } else {
      await loadRegionTree(handle.db, 'system:serve');
      process.stdout.write(
        'Empty database (not demo mode): create the first administrator with `npx zhenxun admin create` (README).\n',
      );
    }
  } else {
    await loadRegionTree(handle.db, 'system:serve');
  }
  const logger = serverLogger(config.LOG_LEVEL);
  const app = await buildApp(
    {
      db: handle.db,
      mode: handle.mode,
      version,
      sessionDays: config.SESSION_DAYS,
      cookieSecure: config.COOKIE_SECURE,
      demo: config.DEMO_MODE,
      webDist: fileURLToPath(new URL('../web/dist', import.meta.url)),
      files: fileStorageFromEnv(config),
    },
    { loggerInstance: logger, trustProxy: config.TRUST_PROXY },
  );
  // The log's head is signed now, every AUDIT_CHECKPOINT_SECONDS, and once more on shutdown.
  const checkpointer = startCheckpointer(handle.db, key, {
    intervalMs: config.AUDIT_CHECKPOINT_SECONDS * 1000,
    onError: (err) => app.log.error({ err }, 'audit checkpoint failed'),
  });
  await checkpointer.tick();
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'closing after error');
    await app.close();
    await checkpointer.stop();
    await handle.close();
    await flushLogger(logger);
  });
  // A session of thousands of candidates opens thousands of connections at once; Node's default
  // backlog (511) would reset some of them.
  await app.listen({ port: config.PORT, host: config.HOST, backlog: 4096 });
  process.stdout.write(
    `真训 ZhenXun ${version} — http://localhost:${config.PORT} (${handle.mode}${config.DEMO_MODE ? ', demo mode' : ''})\n`,
  );
}

/** `audit verify [--checkpoints FILE]`: exit 0 intact, 1 listing every break. */
async function auditVerify(h: DatabaseHandle, args: string[]): Promise<number> {
  const key = checkpointKeyOrExit();
  const trustedKeys: TrustedKey[] = [trustedKeyOfCheckpointKey(key)];
  let fileCheckpoints: ReturnType<typeof parseCheckpointsFile>['checkpoints'] = [];
  const i = args.indexOf('--checkpoints');
  if (i >= 0) {
    const file = args[i + 1];
    if (!file) {
      process.stderr.write('usage: zhenxun audit verify [--checkpoints FILE]\n');
      return 2;
    }
    try {
      const parsed = parseCheckpointsFile(readFileSync(file, 'utf8'));
      fileCheckpoints = parsed.checkpoints;
      trustedKeys.push(...parsed.keys);
    } catch (e) {
      process.stderr.write(`cannot read checkpoints from ${file}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const r = await verifyAuditLog(h.db, { fileCheckpoints, trustedKeys });
  const cp = r.checkpoints;
  const against = `checked against ${cp.trusted} signed checkpoint(s) (${cp.database} in the database, ${cp.file} from the file${cp.untrusted ? `, ${cp.untrusted} by keys not given, ignored` : ''})`;
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  const window = cp.latest
    ? `latest checkpoint: seq ${cp.latest.seq} at ${cp.latest.at}; ${r.unanchored} entries after it are not yet attested`
    : 'no signed checkpoint: deleting the tail or the whole log could not be detected';
  if (r.ok) {
    process.stdout.write(`audit log intact: ${r.entries} entries, ${against}\n${window}\n`);
    return 0;
  }
  process.stderr.write(
    `audit log BROKEN: ${r.breaks.length} break(s) in ${r.entries} entries, ${against}\n${r.breaks
      .map((b) => `  ${describeBreak(b)}`)
      .join('\n')}\n${window}\n`,
  );
  return 1;
}

export async function runCli(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  let code = 0;
  switch (command) {
    case 'serve':
      await serve();
      return;
    case 'migrate':
      code = await withDb(async (h) => {
        const applied = await migrateToLatest(h.db);
        process.stdout.write(`migrations up to date (${applied.length} applied now)\n`);
        return 0;
      });
      break;
    case 'seed': {
      if (!args.includes('--demo')) {
        process.stderr.write('seed needs --demo (the only data set the platform generates)\n');
        code = 2;
        break;
      }
      const i = args.indexOf('--seed');
      const seed = i >= 0 ? Number(args[i + 1]) : loadConfig().DEMO_SEED;
      const a = args.indexOf('--anchor');
      const anchor = a >= 0 ? args[a + 1] : loadConfig().DEMO_ANCHOR;
      code = await withDb(async (h) => {
        if (!(await databaseIsEmpty(h.db))) {
          process.stderr.write(
            'database already has organizations; the demo city is only loaded into an empty database\n',
          );
          return 1;
        }
        const summary = await seedDemoCity(h.db, seed, anchor, fileStorageFromEnv(loadConfig()));
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return 0;
      });
      break;
    }
    case 'import':
      if (!args[0]) {
        process.stderr.write('usage: zhenxun import FILE.json\n');
        code = 2;
        break;
      }
      code = await withDb(async (h) => {
        await loadRegionTree(h.db, 'system:cli');
        return runImport(h.db, args[0]);
      });
      break;
    case 'export':
      code = await withDb((h) => runExport(h.db, args[0]));
      break;
    case 'audit':
      if (args[0] === 'verify') {
        code = await withDb((h) => auditVerify(h, args.slice(1)));
      } else if (args[0] === 'checkpoint') {
        const key = checkpointKeyOrExit();
        code = await withDb(async (h) => {
          const written = await writeCheckpoint(h.db, key);
          if (!written) process.stdout.write('audit log is empty: nothing to checkpoint\n');
          else
            process.stdout.write(
              `${written.created ? 'checkpoint signed' : 'already checkpointed'}: seq ${written.checkpoint.seq} head ${written.checkpoint.headHash} at ${written.checkpoint.at} (key ${written.checkpoint.keyId})\n`,
            );
          return 0;
        });
      } else if (args[0] === 'keygen') {
        const { seed, key } = generateCheckpointKey();
        process.stdout.write(
          `AUDIT_CHECKPOINT_KEY=${seed}\n# public key ${key.publicKey} (key id ${key.keyId}); keep the secret outside the database\n`,
        );
      } else {
        process.stderr.write(
          'usage: zhenxun audit verify [--checkpoints FILE] | audit checkpoint | audit keygen\n',
        );
        code = 2;
      }
      break;
    case 'admin':
      if (args[0] !== 'create') {
        process.stderr.write(`${adminUsage}\n`);
        code = 2;
        break;
      }
      code = await withDb((h) => runAdmin(h.db, args));
      break;
    case 'user':
      if (!args[1]) {
        process.stderr.write(`${userUsage}\n`);
        code = 2;
        break;
      }
      code = await withDb((h) => runUser(h.db, args));
      break;
    case 'detect':
      code = await withDb((h) => runDetect(h.db, args));
      break;
    case 'verify-qr':
      code = (await import('./modules/certificates/qr.cli.js')).runVerifyQr(args);
      break;
    case 'archive':
      if (args[0] !== 'verify' || !args[1]) {
        process.stderr.write(
          'usage: zhenxun archive verify CLASS   (the class id or class code)\n',
        );
        code = 2;
        break;
      }
      code = await withDb((h) => runArchiveVerify(h.db, args[1]));
      break;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${usage}\n`);
      break;
    default:
      process.stderr.write(`unknown command: ${command}\n${usage}\n`);
      code = 2;
  }
  process.exitCode = code;
}
