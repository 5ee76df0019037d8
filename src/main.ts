import { fileURLToPath } from 'node:url';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { runExport, runImport } from './bundle/bundle.cli.js';
import { loadConfig } from './config.js';
import { databaseIsEmpty, seedDemoCity } from './demo/demo.seed.js';
import { loadRegionTree } from './modules/registry/registry.service.js';
import { runArchiveVerify } from './modules/training/archive.cli.js';
import { verifyAuditChain } from './platform/audit/audit.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from './platform/db/database.js';
import { fileStorageFromEnv } from './platform/files/storage.js';
import { flushLogger, serverLogger } from './platform/http/logger.js';
import { version } from './version.js';

const usage = `zhenxun — 真训 安全生产培训考试全流程监管平台

Usage: zhenxun <command>
  serve                 apply migrations, load regions and the demo city on an empty database, serve HTTP
  migrate               apply pending migrations (exit 1 on failure)
  seed --demo [--seed N] load the deterministic demo city (泰安市) into an empty database
  import FILE.json      validate a bundle and import it (nothing is written if any record is invalid)
  export [FILE.json]    write a bundle of the whole database (stdout without FILE)
  audit verify          recompute the hash chain of the audit log; exit 1 naming the first broken entry
  verify-qr PAYLOAD --keys KEYS.json [--name NAME --id ID_NUMBER]
                        check a certificate QR offline against published keys (GET /api/public/keys) and,
                        given the holder's name and ID number, that it was signed for them; no database
  archive verify CLASS  recompute a closed class's sealed archive (一期一档; CLASS = class id or code);
                        exit 1 naming each changed, added or removed record, 2 if unknown or not sealed

Environment: DATA_DIR (default ./data), DATABASE_URL (postgres://… to use PostgreSQL), PORT (3000)`;

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
  const handle = await open();
  if (await databaseIsEmpty(handle.db)) {
    process.stdout.write('空数据库：正在载入行政区划与泰安市演示数据…\n');
    const t0 = Date.now();
    await seedDemoCity(handle.db, config.DEMO_SEED);
    process.stdout.write(`演示数据已载入 (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
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
      webDist: fileURLToPath(new URL('../web/dist', import.meta.url)),
      files: fileStorageFromEnv(config),
    },
    { loggerInstance: logger, trustProxy: config.TRUST_PROXY },
  );
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'closing after error');
    await app.close();
    await handle.close();
    await flushLogger(logger);
  });
  // A session of thousands of candidates opens thousands of connections at once; Node's default
  // backlog (511) would reset some of them.
  await app.listen({ port: config.PORT, host: config.HOST, backlog: 4096 });
  process.stdout.write(
    `真训 ZhenXun ${version} — http://localhost:${config.PORT} (${handle.mode})\n`,
  );
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
      code = await withDb(async (h) => {
        if (!(await databaseIsEmpty(h.db))) {
          process.stderr.write(
            'database already has organizations; the demo city is only loaded into an empty database\n',
          );
          return 1;
        }
        const summary = await seedDemoCity(h.db, seed);
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
      if (args[0] !== 'verify') {
        process.stderr.write('usage: zhenxun audit verify\n');
        code = 2;
        break;
      }
      code = await withDb(async (h) => {
        const result = await verifyAuditChain(h.db);
        if (result.ok) {
          process.stdout.write(`audit log intact: ${result.entries} entries\n`);
          return 0;
        }
        const b = result.firstBroken!;
        process.stderr.write(
          `audit log BROKEN at seq ${b.seq} (${b.reason}): ${b.action} ${b.entityType} ${b.entityId ?? ''}\n`,
        );
        return 1;
      });
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
