/**
 * npm run bench:exam — 2,500 candidates saving answers during a theory exam (issue 4, point 13):
 * PUT /api/exams/attempts/:id/answers/:position through the whole app as served (helmet, cookie
 * session → actor, zod, the service's ownership check and its upsert, the request log at `info`
 * written to /dev/null, the pg pool of openDatabase's default size) on a listening server, driven by a
 * load generator in a child process (this file, node:http keep-alive Agent: one socket per candidate
 * by default, as each browser holds its own). Target: p99 < 200 ms at a realistic rate.
 *
 * Set-up (not measured) writes the state directly: an exam authority and site, a bank of 200
 * questions, a blueprint of 95 questions / 100 points, a plan, sessions of 50 candidates, persons,
 * worker users with sessions inserted the way login stores them (sha256 of the cookie value), and
 * registrations already checked in. Then every candidate starts the exam through the real route
 * POST /api/exams/registrations/:id/theory (timed as "the start bell").
 *
 * Phases, each for the app and for a baseline in the same run (a bare Fastify route doing one
 * `insert … on conflict do update` into a table of theory_answer's shape through a pg Pool of the same
 * size, no auth, no checks), taken in turns (BENCH_ROUNDS slices; the machine is shared):
 *   paced  — every candidate saves, then thinks 5–30 s (a 95-question paper in ~30 min on average, a
 *            brisk candidate's pace: the 120 min allowed would be ~75 s a question): ~140 saves/s
 *            offered. The p99 target is judged here;
 *   steady — a stress pace: every candidate saves, then thinks 1–5 s (mean 3 s): ~830 saves/s offered;
 *   burst  — every candidate saves as fast as the server answers (no think time): the limit.
 * Diagnostics: statements per save, pg pool queue, event-loop delay, CPU per save (server, PostgreSQL
 * backends, load generator), plans of the save's statements, the stored paper's size, and app variants
 * (BENCH_VARIANTS=none to skip): without the request log, with a pool of 20.
 * At the end every acknowledged save is checked against the rows (none lost, last choice kept).
 *
 * Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL): a server where the user may create databases
 * (zx_bench_exam is created and dropped). BENCH_CANDIDATES, BENCH_CONNECTIONS, BENCH_STEADY_SECONDS,
 * BENCH_BURST_SECONDS, BENCH_PACED_SECONDS, BENCH_ROUNDS, BENCH_THINK_MS (stress, e.g. 1000-5000),
 * BENCH_PACED_THINK_MS (e.g. 5000-30000) and BENCH_PHASES (one,paced,steady,burst) change the size.
 * Writes bench/results/exam.json.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { judgeOptions } from '../src/modules/exams/exams.rules.js';
import type { BlueprintPart } from '../src/modules/exams/exams.table.js';
import { hashSecret, newSecret } from '../src/platform/auth/tokens.js';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../src/platform/db/database.js';
import { serverLogger } from '../src/platform/http/logger.js';
import { loadRegions } from '../src/test-support/db.js';
import { buildOrganization } from '../src/test-support/factories.js';

const LOAD_GENERATOR = '--load-generator';
const REGION = '370902';
const ITEM = '1.2';
const PER_SESSION = 50;

type Table = 'theory_answer' | 'bench_answer';
interface Candidate {
  cookie: string;
  registrationId: string;
  attemptId?: string;
  clientToken?: string;
  /** Per question: its number of options, negative for a multiple-choice question. */
  q?: number[];
}
interface InitMsg {
  type: 'init';
  candidates: Candidate[];
}
interface StartMsg {
  type: 'start';
  port: number;
  connections: number;
}
interface RunMsg {
  type: 'run';
  port: number;
  /** 'app' sends the session cookie to the real route; 'bare' hits the baseline route. */
  route: 'app' | 'bare';
  table: Table;
  connections: number;
  thinkMinMs: number;
  thinkMaxMs: number;
  warmupMs: number;
  durationMs: number;
  /** Only the first n candidates take part (the one-at-a-time measure). */
  candidates?: number;
}
interface AckedMsg {
  type: 'acked';
  table: Table;
}
type ChildMsg = InitMsg | StartMsg | RunMsg | AckedMsg;

interface StartResult {
  seconds: number;
  latencies: number[];
  statuses: Record<string, number>;
  errors: number;
  questions: number;
  cpuMicros: number;
}
interface RunResult {
  /** Latency of every save completed inside the measured window, ms. */
  latencies: number[];
  statuses: Record<string, number>;
  errors: number;
  /** Failed requests by error code (socket errors: no HTTP answer at all). */
  errorCodes: Record<string, number>;
  /** Saves started inside the window (what the candidates asked for). */
  started: number;
  /** Every save of the job, warm-up included (to divide CPU and statements by). */
  completedTotal: number;
  cpuMicros: number;
}
interface AckedResult {
  /** [attemptId, position, choice joined by ','] of the last acknowledged save of each answer. */
  acked: [string, number, string][];
  /** Answers whose last save failed without an answer (may or may not be stored). */
  uncertain: string[];
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ——— the load generator (child process) ———

let candidates: Candidate[] = [];
const ackedBy: Record<Table, Map<string, string>> = {
  theory_answer: new Map(),
  bench_answer: new Map(),
};
const uncertainBy: Record<Table, Set<string>> = {
  theory_answer: new Set(),
  bench_answer: new Set(),
};

function request(
  agent: http.Agent,
  port: number,
  method: 'PUT' | 'POST',
  path: string,
  cookie: string | null,
  body: string,
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (cookie) headers.cookie = cookie;
    const req = http.request({ agent, host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The start bell: every candidate opens the exam (POST …/theory), `connections` at a time. */
async function startAll(job: StartMsg): Promise<StartResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  async function worker() {
    for (;;) {
      const c = candidates[next++];
      if (!c) return;
      const start = performance.now();
      try {
        const res = await request(
          agent,
          job.port,
          'POST',
          `/api/exams/registrations/${c.registrationId}/theory`,
          c.cookie,
          '{}',
        );
        latencies.push(performance.now() - start);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status !== 200) continue;
        const a = JSON.parse(res.body) as {
          id: string;
          clientToken: string;
          questions: { kind: string; options: string[] }[];
        };
        c.attemptId = a.id;
        c.clientToken = a.clientToken;
        c.q = a.questions.map((q) =>
          q.kind === 'multiple' ? -q.options.length : q.options.length,
        );
      } catch {
        errors++;
      }
    }
  }
  await Promise.all(Array.from({ length: job.connections }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds,
    latencies,
    statuses,
    errors,
    questions: candidates[0]?.q?.length ?? 0,
    cpuMicros: cpu.user + cpu.system,
  };
}

function randomChoice(n: number): number[] {
  if (n > 0) return [randomInt(n)];
  const m = -n;
  const mask = 1 + randomInt((1 << m) - 1);
  const out: number[] = [];
  for (let k = 0; k < m; k++) if (mask & (1 << k)) out.push(k);
  return out;
}

/** Every candidate in a loop: save one answer, think (none in a burst), again, until the end. */
async function runLoad(job: RunMsg): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const acked = ackedBy[job.table];
  const uncertain = uncertainBy[job.table];
  const errorCodes: Record<string, number> = {};
  let errors = 0;
  let started = 0;
  let completedTotal = 0;
  const cpu0 = process.cpuUsage();
  const measureFrom = performance.now() + job.warmupMs;
  const stopAt = measureFrom + job.durationMs;
  const think = () =>
    job.thinkMaxMs > 0 ? job.thinkMinMs + Math.random() * (job.thinkMaxMs - job.thinkMinMs) : 0;
  async function candidate(c: Candidate) {
    // Candidates do not all press at once: the first save comes somewhere within one think time.
    if (job.thinkMaxMs > 0) await sleep(Math.random() * job.thinkMaxMs);
    const q = c.q!;
    for (;;) {
      const start = performance.now();
      if (start >= stopAt) return;
      if (start >= measureFrom) started++;
      const position = randomInt(q.length);
      const choice = randomChoice(q[position]);
      const key = `${c.attemptId}:${position}`;
      const path =
        job.route === 'app'
          ? `/api/exams/attempts/${c.attemptId}/answers/${position}`
          : `/bare/answers/${c.attemptId}/${position}`;
      try {
        const res = await request(
          agent,
          job.port,
          'PUT',
          path,
          job.route === 'app' ? c.cookie : null,
          JSON.stringify({ clientToken: c.clientToken, choice }),
        );
        const end = performance.now();
        completedTotal++;
        if (res.status === 200) {
          acked.set(key, choice.join(','));
          uncertain.delete(key);
        }
        if (end >= measureFrom && end <= stopAt) {
          latencies.push(end - start);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        }
      } catch (e) {
        errors++;
        const code = (e as { code?: string }).code ?? String(e);
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        uncertain.add(key);
      }
      const wait = think();
      if (wait > 0) await sleep(wait);
    }
  }
  await Promise.all(candidates.slice(0, job.candidates ?? candidates.length).map(candidate));
  agent.destroy();
  const cpu = process.cpuUsage(cpu0);
  return {
    latencies,
    statuses,
    errors,
    errorCodes,
    started,
    completedTotal,
    cpuMicros: cpu.user + cpu.system,
  };
}

async function answer(msg: ChildMsg): Promise<unknown> {
  switch (msg.type) {
    case 'init':
      candidates = msg.candidates;
      return { ok: true };
    case 'start':
      return startAll(msg);
    case 'run':
      return runLoad(msg);
    case 'acked':
      return {
        acked: [...ackedBy[msg.table]].map(([k, v]) => {
          const [attemptId, position] = k.split(':');
          return [attemptId, Number(position), v];
        }),
        uncertain: [...uncertainBy[msg.table]],
      } satisfies AckedResult;
  }
}

if (process.argv[2] === LOAD_GENERATOR) {
  process.on('message', (msg: ChildMsg) => {
    answer(msg).then(
      (result) => process.send?.(result),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

// ——— the benchmark (parent process) ———

function ask<T>(child: ChildProcess, msg: ChildMsg): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`load generator exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
    child.send(msg);
  });
}

function summary(latencies: number[]) {
  const s = Float64Array.from(latencies).sort();
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  return {
    count: s.length,
    mean: round(mean),
    p50: round(quantile(s, 0.5)),
    p90: round(quantile(s, 0.9)),
    p95: round(quantile(s, 0.95)),
    p99: round(quantile(s, 0.99)),
    p999: round(quantile(s, 0.999)),
    max: round(s[s.length - 1] ?? 0),
  };
}

/** utime + stime of a process in ms (Linux /proc; 0 when it is gone). */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const CANDIDATES = Number(process.env.BENCH_CANDIDATES ?? 2500);
  const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? CANDIDATES);
  const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 30);
  const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 60);
  const BURST_SECONDS = Number(process.env.BENCH_BURST_SECONDS ?? 10);
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
  const [THINK_MIN, THINK_MAX] = (process.env.BENCH_THINK_MS ?? '1000-5000').split('-').map(Number);
  const [PACED_MIN, PACED_MAX] = (process.env.BENCH_PACED_THINK_MS ?? '5000-30000')
    .split('-')
    .map(Number);
  const START_CONNECTIONS = 100;
  const variantKeys = (process.env.BENCH_VARIANTS ?? 'appNoLog,appPool20,proposedOneStatement')
    .split(',')
    .filter((v) => v && v !== 'none');
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    console.error('set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a PostgreSQL server');
    process.exit(2);
  }
  const started = performance.now();
  const loadAverageAtStart = os.loadavg().map((x) => round(x));

  // Statements per request, by text: every pg client in this process goes through Client#query.
  const statements = new Map<string, number>();
  let statementTotal = 0;
  const keyOf = new Map<string, string>();
  let monitor: pg.Client | undefined;
  const clientQuery = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (this !== monitor) {
      const first = args[0] as string | { text?: string } | undefined;
      const text = typeof first === 'string' ? first : (first?.text ?? '?');
      let key = keyOf.get(text);
      if (key === undefined) {
        key = text
          .replace(/\s+/g, ' ')
          .replace(/\$\d+(, \$\d+)*/g, '$n')
          .slice(0, 160);
        keyOf.set(text, key);
      }
      statements.set(key, (statements.get(key) ?? 0) + 1);
      statementTotal++;
    }
    return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof clientQuery;

  // A throw-away database on the server; the app gets openDatabase's default pool, as `serve` opens it.
  const dbName = 'zx_bench_exam';
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  const server = (
    await admin.query<{
      version: string;
      fsync: string;
      synchronous_commit: string;
      shared_buffers: string;
      max_connections: string;
    }>(
      `select version(), current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit,
              current_setting('shared_buffers') as shared_buffers, current_setting('max_connections') as max_connections`,
    )
  ).rows[0];
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const h = await openDatabase({ url: url.toString() });
  const poolSize = h.pool.options.max ?? 10;
  await migrateToLatest(h.db);
  monitor = new pg.Client({ connectionString: url.toString() });
  await monitor.connect();

  // 1. Set-up (not measured).
  const s0 = performance.now();
  await loadRegions(h.db);
  const authority = await buildOrganization(h.db, {
    kind: 'exam_authority',
    regionCode: '3709',
    name: '泰安市考试中心',
  });
  const site = await buildOrganization(h.db, {
    kind: 'exam_site',
    regionCode: REGION,
    name: '泰山区考点',
  });
  // A bank of 200 questions of realistic length (stems ~60 characters, options ~15).
  const filler = '在作业现场进行低压电气设备检修前，作业人员应当按照规定采取的安全措施是';
  const bank: {
    kind: 'judge' | 'single' | 'multiple';
    kp: string;
    options: string[];
    answer: number[];
  }[] = [];
  for (let i = 0; i < 90; i++)
    bank.push({ kind: 'judge', kp: '安全用具', options: [...judgeOptions], answer: [i % 2] });
  for (let i = 0; i < 80; i++)
    bank.push({
      kind: 'single',
      kp: i < 40 ? '电工仪表' : '安全标示',
      options: ['甲', '乙', '丙', '丁'].map((x) => `${x}：断开电源并验电后挂接地线${i}`),
      answer: [i % 4],
    });
  for (let i = 0; i < 30; i++)
    bank.push({
      kind: 'multiple',
      kp: '触电急救',
      options: ['一', '二', '三', '四', '五'].map((x) => `${x}：立即使触电者脱离电源${i}`),
      answer: i % 2 ? [0, 2, 4] : [1, 3],
    });
  await h.db
    .insertInto('question')
    .values(
      bank.map((q, i) => ({
        authorityId: authority.id,
        regionCode: '3709',
        itemCode: ITEM,
        kind: q.kind,
        stem: `${i + 1}. ${filler}（ ）。`,
        options: q.options,
        answer: q.answer,
        knowledgePoint: q.kp,
        difficulty: 1 + (i % 5),
      })),
    )
    .execute();
  const parts: BlueprintPart[] = [
    { kind: 'judge', knowledgePoint: null, count: 50, pointsEach: 1 },
    { kind: 'single', knowledgePoint: '电工仪表', count: 20, pointsEach: 1 },
    { kind: 'single', knowledgePoint: '安全标示', count: 20, pointsEach: 1 },
    { kind: 'multiple', knowledgePoint: null, count: 5, pointsEach: 2 },
  ];
  const bp = await h.db
    .insertInto('paperBlueprint')
    .values({
      authorityId: authority.id,
      regionCode: '3709',
      itemCode: ITEM,
      name: '低压电工作业理论考试',
      durationMinutes: 120,
      passMark: 80,
      parts: JSON.stringify(parts),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const plan = await h.db
    .insertInto('examPlan')
    .values({
      authorityId: authority.id,
      regionCode: '3709',
      certificateKind: 'special_operation',
      itemCode: ITEM,
      name: '低压电工作业（基准测试）',
      blueprintId: bp.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The sessions run from a few minutes ago for 3 hours: the whole run is inside them (real clock).
  const t0 = Date.now();
  const sessionCount = Math.ceil(CANDIDATES / PER_SESSION);
  const sessions = await h.db
    .insertInto('examSession')
    .values(
      Array.from({ length: sessionCount }, (_, i) => ({
        planId: plan.id,
        siteId: site.id,
        regionCode: REGION,
        room: `第${i + 1}考场`,
        startsAt: new Date(t0 - 5 * 60_000),
        endsAt: new Date(t0 + 3 * 3600_000),
        capacity: PER_SESSION,
        invigilatorIds: [],
        examinerIds: [],
      })),
    )
    .returning('id')
    .execute();
  await sql`
    insert into person (id_number, name, birth_date, gender, education, region_code)
    select 'E' || lpad(g::text, 17, '0'), '考生' || g, date '1975-01-01' + (g % 9000),
           case when g % 2 = 0 then 'female' else 'male' end, 'high_school', ${REGION}
    from generate_series(1, ${CANDIDATES}) g`.execute(h.db);
  // Worker users; nobody logs in with the password (argon2 per login and 20 logins/min per address).
  await sql`
    insert into app_user (username, password_hash, display_name, roles, person_id)
    select 'w' || id_number, 'bench-no-login', name, '{worker}', id from person where id_number like 'E%'`.execute(
    h.db,
  );
  const users = await h.db
    .selectFrom('appUser as u')
    .innerJoin('person as p', 'p.id', 'u.personId')
    .select(['u.id as userId', 'p.id as personId'])
    .orderBy('p.idNumber')
    .execute();
  // Sessions stored as login stores them: the sha256 of the cookie value.
  const tokens = users.map(() => newSecret());
  for (let i = 0; i < users.length; i += 500)
    await h.db
      .insertInto('userSession')
      .values(
        users.slice(i, i + 500).map((u, j) => ({
          tokenHash: hashSecret(tokens[i + j]),
          userId: u.userId,
          createdAt: new Date(t0),
          expiresAt: new Date(t0 + 86_400_000),
        })),
      )
      .execute();
  const eligibility = JSON.stringify({
    eligible: true,
    checks: [],
    judgedAt: new Date(t0).toISOString(),
    examDate: new Date(t0).toISOString().slice(0, 10),
  });
  for (let i = 0; i < users.length; i += 500)
    await h.db
      .insertInto('examRegistration')
      .values(
        users.slice(i, i + 500).map((u, j) => ({
          planId: plan.id,
          sessionId: sessions[Math.floor((i + j) / PER_SESSION)].id,
          personId: u.personId,
          regionCode: '3709',
          registeredByOrganizationId: null,
          attempt: 1,
          eligibility,
          status: 'checked_in' as const,
          checkedInAt: new Date(t0),
          checkinDecision: 'match',
        })),
      )
      .execute();
  const regs = await h.db
    .selectFrom('examRegistration')
    .select(['id', 'personId'])
    .where('planId', '=', plan.id)
    .execute();
  const regOf = new Map(regs.map((r) => [r.personId, r.id]));
  // The baseline's table: theory_answer's shape, key and foreign key.
  await sql`create table bench_answer (like theory_answer including all)`.execute(h.db);
  await sql`alter table bench_answer add foreign key (attempt_id) references theory_attempt(id)`.execute(
    h.db,
  );
  await sql`analyze`.execute(h.db);
  const setupSeconds = (performance.now() - s0) / 1000;

  // 2. The app as served, the baseline, and the variants, each on its own port.
  // The request log as `serve` writes it (serverLogger), to /dev/null here.
  const servedLog = () => serverLogger('info', '/dev/null');
  const deps = (handle: DatabaseHandle) => ({
    db: handle.db,
    mode: handle.mode,
    version: '0.0.0-bench',
    sessionDays: 1,
    cookieSecure: false,
  });
  interface Target {
    key: string;
    label: string;
    route: 'app' | 'bare';
    table: Table;
    server: FastifyInstance;
    pool: pg.Pool;
    port: number;
  }
  const app = await buildApp(deps(h), { loggerInstance: servedLog() });

  const barePool = new pg.Pool({ connectionString: url.toString(), max: poolSize });
  const bare = Fastify({ logger: false });
  bare.put<{
    Params: { attempt: string; position: string };
    Body: { clientToken: string; choice: number[] };
  }>('/bare/answers/:attempt/:position', async (request) => {
    const savedAt = new Date();
    const position = Number(request.params.position);
    await barePool.query(
      `insert into bench_answer (attempt_id, position, choice, saved_at) values ($1, $2, $3, $4)
       on conflict (attempt_id, position) do update set choice = excluded.choice, saved_at = excluded.saved_at`,
      [request.params.attempt, position, request.body.choice, savedAt],
    );
    return { position, savedAt: savedAt.toISOString() };
  });

  const targets: Target[] = [
    {
      key: 'app',
      label: 'app as served',
      route: 'app',
      table: 'theory_answer',
      server: app,
      pool: h.pool,
      port: 0,
    },
    {
      key: 'bareUpsert',
      label: 'bare Fastify + pg upsert',
      route: 'bare',
      table: 'bench_answer',
      server: bare,
      pool: barePool,
      port: 0,
    },
  ];
  const extraHandles: DatabaseHandle[] = [];
  if (variantKeys.includes('appNoLog'))
    targets.push({
      key: 'appNoLog',
      label: 'app, no request log',
      route: 'app',
      table: 'theory_answer',
      server: await buildApp(deps(h), { logger: false }),
      pool: h.pool,
      port: 0,
    });
  if (variantKeys.includes('appPool20')) {
    const h20 = await openDatabase({ url: url.toString(), poolSize: 20 });
    extraHandles.push(h20);
    targets.push({
      key: 'appPool20',
      label: 'app, pool of 20',
      route: 'app',
      table: 'theory_answer',
      server: await buildApp(deps(h20), { loggerInstance: servedLog() }),
      pool: h20.pool,
      port: 0,
    });
  }
  if (variantKeys.includes('proposedOneStatement')) {
    // What the save could cost: the same refusals (session, worker, own attempt, holder token, not
    // submitted, not cancelled, before the deadline, position and options on the paper) and the
    // upsert in one statement, the paper never leaving the database.
    const proposedPool = new pg.Pool({ connectionString: url.toString(), max: poolSize });
    const proposed = Fastify({ logger: false });
    proposed.put<{
      Params: { id: string; position: string };
      Body: { clientToken: string; choice: number[] };
    }>('/api/exams/attempts/:id/answers/:position', async (request, reply) => {
      const session = /(?:^|;\s*)zx_session=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      if (!session) return reply.code(401).send({ error: { code: 'authentication_required' } });
      const now = new Date();
      const position = Number(request.params.position);
      const choice = [...new Set(request.body.choice)].sort((x, y) => x - y);
      const r = await proposedPool.query<{ saved_at: Date; deadline_at: Date }>(
        `with ok as (
           select a.id, a.deadline_at from theory_attempt a
           join exam_registration r on r.id = a.registration_id
           join app_user u on u.person_id = r.person_id and not u.disabled and 'worker' = any (u.roles)
           join user_session s on s.user_id = u.id and s.token_hash = $5 and s.expires_at > $4
           where a.id = $1 and a.client_token = $6 and a.submitted_at is null and a.deadline_at >= $4
             and r.cancelled_reason is null
             and coalesce((select max(c) from unnest($3::smallint[]) c), -1) < jsonb_array_length(a.paper -> $2::int -> 'options'))
         insert into theory_answer (attempt_id, position, choice, saved_at)
         select id, $2, $3, $4 from ok
         on conflict (attempt_id, position) do update set choice = excluded.choice, saved_at = excluded.saved_at
         returning saved_at, (select deadline_at from ok) as deadline_at`,
        [request.params.id, position, choice, now, hashSecret(session), request.body.clientToken],
      );
      const row = r.rows[0];
      if (!row) return reply.code(409).send({ error: { code: 'refused' } });
      return {
        position,
        savedAt: now.toISOString(),
        remainingSeconds: Math.floor((row.deadline_at.getTime() - now.getTime()) / 1000),
      };
    });
    proposed.addHook('onClose', async () => {
      await proposedPool.end();
    });
    targets.push({
      key: 'proposedOneStatement',
      label: 'proposed: one statement',
      route: 'app',
      table: 'theory_answer',
      server: proposed,
      pool: proposedPool,
      port: 0,
    });
  }
  for (const t of targets) {
    await t.server.listen({ host: '127.0.0.1', port: 0 });
    t.port = (t.server.server.address() as AddressInfo).port;
  }
  const appPort = targets[0].port;

  // 3. The load generator, and the start bell through the real route.
  const child = fork(fileURLToPath(import.meta.url), [LOAD_GENERATOR], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await ask(child, {
    type: 'init',
    candidates: users.map((u, i) => ({
      cookie: `zx_session=${tokens[i]}`,
      registrationId: regOf.get(u.personId)!,
    })),
  });
  const bell = await ask<StartResult>(child, {
    type: 'start',
    port: appPort,
    connections: START_CONNECTIONS,
  });
  const attempts = Number(
    (
      await h.db
        .selectFrom('theoryAttempt')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  if (attempts !== CANDIDATES || bell.errors > 0)
    throw new Error(
      `the start bell opened ${attempts} of ${CANDIDATES} exams: ${JSON.stringify(bell.statuses)}, ${bell.errors} errors`,
    );
  const startBell = {
    candidates: CANDIDATES,
    connections: START_CONNECTIONS,
    seconds: round(bell.seconds, 1),
    startsPerSecond: round(CANDIDATES / bell.seconds, 1),
    latencyMs: summary(bell.latencies),
    statuses: bell.statuses,
    questionsPerPaper: bell.questions,
  };
  console.log(
    `start bell: ${CANDIDATES} exams opened in ${startBell.seconds} s (${startBell.startsPerSecond}/s, p99 ${startBell.latencyMs.p99} ms)`,
  );

  // 4. The phases, targets in turns.
  /**
   * CPU of this database's backends during a slice: polled, because the pools open and close
   * connections (pg's idle timeout) while it runs; a backend born during the slice counts from 0.
   */
  function backendCpu(since: number) {
    const base = new Map<number, number>();
    const last = new Map<number, number>();
    let busy = false;
    const poll = async () => {
      if (busy) return;
      busy = true;
      try {
        const rows = (
          await monitor!.query<{ pid: number; started: string }>(
            `select pid, extract(epoch from backend_start) * 1000 as started from pg_stat_activity
             where datname = $1 and pid <> pg_backend_pid()`,
            [dbName],
          )
        ).rows;
        for (const r of rows) {
          const cpu = processCpuMs(r.pid);
          if (!base.has(r.pid)) base.set(r.pid, Number(r.started) >= since ? 0 : cpu);
          if (cpu > 0) last.set(r.pid, cpu);
        }
      } finally {
        busy = false;
      }
    };
    const total = () => [...last].reduce((n, [pid, v]) => n + v - (base.get(pid) ?? v), 0);
    return { poll, total };
  }
  interface Acc {
    latencies: number[];
    statuses: Record<string, number>;
    errors: number;
    errorCodes: Record<string, number>;
    started: number;
    completed: number;
    seconds: number;
    /** Wall time of the whole job: warm-up, window and the drain of the saves still in flight. */
    wallSeconds: number;
    cpu: { server: number; postgres: number; load: number };
    statements: number;
    poolWaiting: number[];
    poolWaitingMax: number;
    loopDelayP99: number[];
    loopDelayMax: number;
    statementsByText?: Map<string, number>;
  }
  const acc = new Map<string, Acc>();
  async function slice(
    t: Target,
    phase: 'paced' | 'steady' | 'burst' | 'one',
    measuredMs: number,
    warmupMs: number,
  ): Promise<void> {
    const key = `${phase}:${t.key}`;
    const a: Acc = acc.get(key) ?? {
      latencies: [],
      statuses: {},
      errors: 0,
      errorCodes: {},
      started: 0,
      completed: 0,
      seconds: 0,
      wallSeconds: 0,
      cpu: { server: 0, postgres: 0, load: 0 },
      statements: 0,
      poolWaiting: [],
      poolWaitingMax: 0,
      loopDelayP99: [],
      loopDelayMax: 0,
    };
    acc.set(key, a);
    const backends = backendCpu(Date.now());
    await backends.poll();
    const backendPoller = setInterval(() => void backends.poll(), 200);
    const cpu0 = process.cpuUsage();
    const st0 = statementTotal;
    const byText0 = new Map(statements);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const sampler = setInterval(() => {
      a.poolWaiting.push(t.pool.waitingCount);
      a.poolWaitingMax = Math.max(a.poolWaitingMax, t.pool.waitingCount);
    }, 50);
    const w0 = performance.now();
    const r = await ask<RunResult>(child, {
      type: 'run',
      port: t.port,
      route: t.route,
      table: t.table,
      connections: phase === 'one' ? 1 : CONNECTIONS,
      candidates: phase === 'one' ? 1 : undefined,
      thinkMinMs: phase === 'steady' ? THINK_MIN : phase === 'paced' ? PACED_MIN : 0,
      thinkMaxMs: phase === 'steady' ? THINK_MAX : phase === 'paced' ? PACED_MAX : 0,
      warmupMs,
      durationMs: measuredMs,
    });
    clearInterval(sampler);
    clearInterval(backendPoller);
    await backends.poll();
    loop.disable();
    const cpu = process.cpuUsage(cpu0);
    a.latencies.push(...r.latencies);
    for (const [s, n] of Object.entries(r.statuses)) a.statuses[s] = (a.statuses[s] ?? 0) + n;
    a.errors += r.errors;
    for (const [c, n] of Object.entries(r.errorCodes)) a.errorCodes[c] = (a.errorCodes[c] ?? 0) + n;
    a.started += r.started;
    a.completed += r.completedTotal;
    a.seconds += measuredMs / 1000;
    a.wallSeconds += (performance.now() - w0) / 1000;
    a.cpu.server += (cpu.user + cpu.system) / 1000;
    a.cpu.postgres += backends.total();
    a.cpu.load += r.cpuMicros / 1000;
    a.statements += statementTotal - st0;
    a.loopDelayP99.push(loop.percentile(99) / 1e6);
    a.loopDelayMax = Math.max(a.loopDelayMax, loop.max / 1e6);
    if (t.key === 'app') {
      const m = a.statementsByText ?? new Map<string, number>();
      for (const [k, n] of statements) {
        const d = n - (byText0.get(k) ?? 0);
        if (d > 0) m.set(k, (m.get(k) ?? 0) + d);
      }
      a.statementsByText = m;
    }
    const s = summary(r.latencies);
    console.log(
      `${phase.padEnd(6)} ${t.label.padEnd(26)} ${String(round(s.count / (measuredMs / 1000), 0)).padStart(6)} saves/s  p50 ${s.p50.toFixed(1).padStart(7)}  p99 ${s.p99.toFixed(1).padStart(7)} ms  errors ${r.errors} ${JSON.stringify(r.errorCodes)}  ${JSON.stringify(r.statuses)}  pool wait max ${a.poolWaitingMax}`,
    );
  }
  const steadyMs = (STEADY_SECONDS * 1000) / ROUNDS;
  const burstMs = (BURST_SECONDS * 1000) / ROUNDS;
  // BENCH_TARGETS=app,appNoLog times only those (to profile one); the ratio needs app and bareUpsert.
  const only = process.env.BENCH_TARGETS?.split(',');
  const timed = only ? targets.filter((t) => only.includes(t.key)) : targets;
  const phases = (process.env.BENCH_PHASES ?? 'one,paced,steady,burst').split(',');
  // One candidate saving as fast as answered: latency and CPU per save without any queue.
  if (phases.includes('one')) for (const t of timed) await slice(t, 'one', 5000, 1000);
  if (phases.includes('paced'))
    for (let round_ = 0; round_ < ROUNDS; round_++)
      for (const t of timed) await slice(t, 'paced', (PACED_SECONDS * 1000) / ROUNDS, PACED_MAX);
  if (phases.includes('steady'))
    for (let round_ = 0; round_ < ROUNDS; round_++)
      for (const t of timed) await slice(t, 'steady', steadyMs, THINK_MAX);
  if (phases.includes('burst'))
    for (let round_ = 0; round_ < ROUNDS; round_++)
      for (const t of timed) await slice(t, 'burst', burstMs, 2000);

  // 5. No lost saves: every acknowledged answer is stored with its last acknowledged choice.
  async function check(table: Table) {
    const { acked, uncertain } = await ask<AckedResult>(child, { type: 'acked', table });
    const rows = await monitor!.query<{ attempt_id: string; position: number; choice: number[] }>(
      `select attempt_id, position, choice from ${table}`,
    );
    const stored = new Map(
      rows.rows.map((r) => [`${r.attempt_id}:${r.position}`, r.choice.join(',')]),
    );
    const unsure = new Set(uncertain);
    let missing = 0;
    let wrongChoice = 0;
    for (const [attemptId, position, choice] of acked) {
      const k = `${attemptId}:${position}`;
      const got = stored.get(k);
      if (got === undefined) missing++;
      else if (got !== choice && !unsure.has(k)) wrongChoice++;
    }
    const ackedKeys = new Set(acked.map(([a, p]) => `${a}:${p}`));
    const unacknowledgedRows = [...stored.keys()].filter((k) => !ackedKeys.has(k)).length;
    return {
      rows: rows.rowCount ?? rows.rows.length,
      acknowledgedAnswers: acked.length,
      missing,
      wrongChoice,
      unacknowledgedRows,
      uncertainAnswers: unsure.size,
      ok: missing === 0 && wrongChoice === 0 && unacknowledgedRows <= unsure.size,
    };
  }
  const verification = {
    app: await check('theory_answer'),
    bareUpsert: await check('bench_answer'),
  };
  child.disconnect();

  // 6. Evidence: the save's statements' plans, the paper's size, the JavaScript cost of reading it.
  const sample = (
    await monitor.query<{ id: string; registration_id: string; person_id: string }>(
      `select a.id, a.registration_id, r.person_id from theory_attempt a join exam_registration r on r.id = a.registration_id limit 1`,
    )
  ).rows[0];
  const explain = async (text: string, params: unknown[]) => {
    const rows = (await monitor!.query(`explain (analyze, buffers) ${text}`, params)).rows.map(
      (r) => Object.values(r)[0] as string,
    );
    const ms = (label: string) =>
      Number(rows.find((l) => l.startsWith(label))?.match(/([\d.]+) ms/)?.[1] ?? Number.NaN);
    return { planningMs: ms('Planning Time'), executionMs: ms('Execution Time'), plan: rows };
  };
  const ownAttemptQuery = h.db
    .selectFrom('theoryAttempt as a')
    .innerJoin('examRegistration as r', 'r.id', 'a.registrationId')
    .selectAll('a')
    .select(['r.personId', 'r.regionCode', 'r.cancelledReason'])
    .where('a.id', '=', sample.id)
    .compile();
  const plans = {
    ownAttempt: await explain(ownAttemptQuery.sql, [...ownAttemptQuery.parameters]),
    upsert: await explain(
      `insert into theory_answer (attempt_id, position, choice, saved_at) values ($1, 0, '{1}', now())
       on conflict (attempt_id, position) do update set choice = excluded.choice, saved_at = excluded.saved_at`,
      [sample.id],
    ),
  };
  // The sweep every read path and the 15-s timer run (finalizeExpiredAttempts): no index serves it.
  const sweepQuery = h.db
    .selectFrom('theoryAttempt')
    .select('id')
    .where('submittedAt', 'is', null)
    .where('deadlineAt', '<', new Date())
    .limit(500)
    .compile();
  const sweepPlan = await explain(sweepQuery.sql, [...sweepQuery.parameters]);
  const paperSize = (
    await monitor.query<{ stored: number; text: number; questions: number }>(
      `select avg(pg_column_size(paper))::int as stored, avg(octet_length(paper::text))::int as text,
              avg(jsonb_array_length(paper))::int as questions from theory_attempt`,
    )
  ).rows[0];
  const paperText = (
    await monitor.query<{ p: string }>(
      'select paper::text as p from theory_attempt where id = $1',
      [sample.id],
    )
  ).rows[0].p;
  const j0 = performance.now();
  for (let i = 0; i < 1000; i++) JSON.parse(paperText);
  const parseMs = (performance.now() - j0) / 1000;
  const indexes = (
    await monitor.query<{ indexdef: string }>(
      `select indexdef from pg_indexes where tablename in ('theory_attempt', 'theory_answer', 'user_session', 'app_user', 'exam_registration') order by tablename`,
    )
  ).rows.map((r) => r.indexdef);

  for (const t of targets) await t.server.close();
  await barePool.end();
  for (const x of extraHandles) await x.close();
  await monitor.end();
  await h.close();
  const drop = new pg.Client({ connectionString: adminUrl });
  await drop.connect();
  await drop.query(`drop database if exists ${dbName} with (force)`);
  await drop.end();

  // 7. The figures.
  const figures: Record<string, Record<string, unknown>> = {
    paced: {},
    steady: {},
    burst: {},
    one: {},
  };
  for (const [key, a] of acc) {
    const [phase, target] = key.split(':');
    const s = summary(a.latencies);
    const saves = a.latencies.length;
    const per = (ms: number) => round(ms / Math.max(1, a.completed), 3);
    const waiting = a.poolWaiting.length
      ? a.poolWaiting.reduce((x, y) => x + y, 0) / a.poolWaiting.length
      : 0;
    figures[phase][target] = {
      savesPerSecond: round(saves / a.seconds, 1),
      offeredPerSecond: round(a.started / a.seconds, 1),
      // Every save of the job over its whole wall time (warm-up and drain included): the capacity,
      // even when an overloaded target answers so late that few saves end inside the window.
      completedPerSecondWholeJob: round(a.completed / a.wallSeconds, 1),
      latencyMs: s,
      statuses: a.statuses,
      errors: a.errors,
      errorCodes: a.errorCodes,
      nonOk: Object.entries(a.statuses)
        .filter(([st]) => st !== '200')
        .reduce((n, [, c]) => n + c, 0),
      statementsPerSave: round(a.statements / Math.max(1, a.completed), 2),
      cpuMsPerSave: {
        server: per(a.cpu.server),
        postgresBackends: per(a.cpu.postgres),
        loadGenerator: per(a.cpu.load),
      },
      cpuCoresBusy: {
        server: round(a.cpu.server / 1000 / a.seconds, 2),
        postgresBackends: round(a.cpu.postgres / 1000 / a.seconds, 2),
      },
      poolQueue: { meanWaiting: round(waiting, 1), maxWaiting: a.poolWaitingMax },
      eventLoopDelayMs: {
        p99: round(Math.max(...a.loopDelayP99), 1),
        max: round(a.loopDelayMax, 1),
      },
      ...(a.statementsByText
        ? {
            statementMix: Object.fromEntries(
              [...a.statementsByText]
                .sort((x, y) => y[1] - x[1])
                .slice(0, 8)
                .map(([k, n]) => [k, round(n / Math.max(1, a.completed), 2)]),
            ),
          }
        : {}),
    };
  }
  const fig = (phase: string, target: string) =>
    figures[phase][target] as { savesPerSecond: number; latencyMs: { p99: number } } | undefined;
  const ratio = (phase: string) => {
    const x = fig(phase, 'app');
    const y = fig(phase, 'bareUpsert');
    return x && y ? round(x.savesPerSecond / y.savesPerSecond, 3) : null;
  };
  const appPaced = fig('paced', 'app');
  const whole = (target: string) =>
    (figures.burst[target] as { completedPerSecondWholeJob: number } | undefined)
      ?.completedPerSecondWholeJob;
  const wholeJobRatio =
    whole('app') && whole('bareUpsert') ? round(whole('app')! / whole('bareUpsert')!, 3) : null;
  const result = {
    name: 'exam-answer-save',
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg().map((x) => round(x)),
      postgres: server.version.split(' on ')[0],
      fsync: server.fsync,
      synchronousCommit: server.synchronous_commit,
      sharedBuffers: server.shared_buffers,
      note: 'PostgreSQL, the server and the load generator share the same machine',
    },
    setup: {
      seconds: round(setupSeconds, 1),
      candidates: CANDIDATES,
      sessions: sessionCount,
      perSession: PER_SESSION,
      bankQuestions: bank.length,
      blueprint: parts,
      paper: {
        questions: paperSize.questions,
        storedBytes: paperSize.stored,
        textBytes: paperSize.text,
      },
    },
    load: {
      client:
        'node:http keep-alive Agent in a child process (this file); latency from the moment the candidate sends',
      connections: CONNECTIONS,
      connectionsNote:
        CONNECTIONS >= CANDIDATES
          ? 'one socket per candidate: the server holds every candidate connection'
          : `${CONNECTIONS} sockets shared by ${CANDIDATES} candidates (a request waits for a free socket; that wait is in the latency)`,
      poolSize,
      paced: {
        secondsPerTarget: PACED_SECONDS,
        thinkMs: [PACED_MIN, PACED_MAX],
        offeredPerSecond: round(CANDIDATES / ((PACED_MIN + PACED_MAX) / 2 / 1000), 0),
      },
      steady: {
        secondsPerTarget: STEADY_SECONDS,
        thinkMs: [THINK_MIN, THINK_MAX],
        offeredPerSecond: round(CANDIDATES / ((THINK_MIN + THINK_MAX) / 2 / 1000), 0),
      },
      burst: { secondsPerTarget: BURST_SECONDS, thinkMs: 0 },
      rounds: ROUNDS,
      baseline:
        'bare Fastify route, no auth or checks, one insert … on conflict do update into bench_answer (theory_answer’s shape, key and foreign key) through a pg Pool of the same size',
    },
    startBell,
    ...figures,
    ratioAppToBare: {
      paced: ratio('paced'),
      steady: ratio('steady'),
      burst: ratio('burst'),
      // In a burst the app answers the 2,500 waiting saves so late that few end in the window.
      burstWholeJob: wholeJobRatio,
    },
    target: { p99Ms: 200, judgedAt: 'paced', met: appPaced ? appPaced.latencyMs.p99 < 200 : false },
    verification,
    evidence: {
      plans: {
        ownAttempt: {
          planningMs: plans.ownAttempt.planningMs,
          executionMs: plans.ownAttempt.executionMs,
          plan: plans.ownAttempt.plan,
        },
        finalizeExpiredAttemptsSweep: {
          planningMs: sweepPlan.planningMs,
          executionMs: sweepPlan.executionMs,
          plan: sweepPlan.plan,
        },
        upsert: {
          planningMs: plans.upsert.planningMs,
          executionMs: plans.upsert.executionMs,
          plan: plans.upsert.plan,
        },
      },
      paperJsonParseMs: round(parseMs, 3),
      indexes,
    },
    totalSeconds: round((performance.now() - started) / 1000, 1),
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/exam.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  console.log(
    [
      `answer saves: ${CANDIDATES} candidates, ${CONNECTIONS} connections, pool ${poolSize}`,
      ...Object.entries(figures).flatMap(([phase, byTarget]) =>
        Object.entries(byTarget).map(([key, f]) => {
          const x = f as {
            savesPerSecond: number;
            latencyMs: { p50: number; p99: number };
            statementsPerSave: number;
            cpuMsPerSave: { server: number; postgresBackends: number };
          };
          return `${phase.padEnd(6)} ${key.padEnd(21)} ${String(x.savesPerSecond).padStart(7)} saves/s  p50 ${x.latencyMs.p50.toFixed(1).padStart(7)}  p99 ${x.latencyMs.p99.toFixed(1).padStart(7)} ms  ${x.statementsPerSave} statements/save  CPU ms/save: node ${x.cpuMsPerSave.server}, postgres ${x.cpuMsPerSave.postgresBackends}`;
        }),
      ),
      `app/bare: paced ${result.ratioAppToBare.paced}, steady ${result.ratioAppToBare.steady}, burst ${result.ratioAppToBare.burst}; app paced p99 ${appPaced?.latencyMs.p99} ms (target < 200), steady p99 ${fig('steady', 'app')?.latencyMs.p99} ms`,
      `verification: app ${JSON.stringify(verification.app)}, bare ${JSON.stringify(verification.bareUpsert)}`,
      `written to bench/results/exam.json (${result.totalSeconds} s in all)`,
    ].join('\n'),
  );
}
