/**
 * npm run bench:first-load — what a browser fetches and how long it waits before it can use the login
 * page and the regulator's home (issue 11 point 11), in real Chromium against the built web app
 * (web/dist, built by the npm script) served by the app on a clone of the demo city.
 *
 * Each load runs in a fresh browser context (empty HTTP cache) and is counted from the browser's own
 * network events (Chrome DevTools Protocol): bytes on the wire (headers + bodies as sent, i.e.
 * compressed when the server compresses) and decoded bytes (what the page gets after decompression),
 * per kind of resource. Then the same page is opened again in the same context (a returning visitor)
 * to count what the HTTP cache still had to ask the server for.
 *
 * Times are from the page's time origin (navigation start):
 * - readyMs: the page shows its content — login: the form's button and the demo accounts;
 *   home: the layout's menu and the dashboard's cards, no skeleton or spinner left;
 * - ttiMs: readyMs or the end of the last long task (>50 ms main-thread work) before the network went
 *   quiet, whichever is later — the first moment a tap is answered promptly.
 * Two network profiles: `local` (loopback, no throttling — CPU and parsing dominate) and `slow4g`
 * (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up: Lighthouse's mobile profile, where bytes dominate).
 * The CPU is not throttled; the machine is shared (2 cores), so each figure is the median of
 * BENCH_RUNS loads (default 3). Writes bench/results/first-load.json (BENCH_LABEL names the run, e.g.
 * "before"/"after"; earlier runs under other labels are kept).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchChromium, startDemoServer } from '../e2e/browser.js';
import { demoAccounts } from '../src/demo/demo.seed.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LABEL = process.env.BENCH_LABEL ?? 'latest';
const resultsFile = fileURLToPath(new URL('./results/first-load.json', import.meta.url));

interface Profile {
  name: string;
  conditions: { latency: number; downloadThroughput: number; uploadThroughput: number } | null;
}
const profiles: Profile[] = [
  { name: 'local', conditions: null },
  {
    name: 'slow4g',
    conditions: {
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    },
  },
];

interface Counted {
  requests: number;
  transferredBytes: number;
  decodedBytes: number;
  byType: Record<string, { requests: number; transferredBytes: number; decodedBytes: number }>;
  scripts: { url: string; transferredBytes: number; decodedBytes: number; encoding: string }[];
  notFromCache: number;
}

/** Counts every response of a page from the DevTools network events until `stop()`. */
async function countNetwork(cdp: CDPSession): Promise<() => Counted> {
  const meta = new Map<
    string,
    { url: string; type: string; encoding: string; decoded: number; cached: boolean }
  >();
  const done: { id: string; encoded: number }[] = [];
  cdp.on('Network.responseReceived', (e) => {
    const h = Object.fromEntries(
      Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    meta.set(e.requestId, {
      url: e.response.url,
      type: e.type,
      encoding: h['content-encoding'] ?? 'identity',
      decoded: 0,
      cached: e.response.fromDiskCache || e.response.fromPrefetchCache === true,
    });
  });
  cdp.on('Network.dataReceived', (e) => {
    const m = meta.get(e.requestId);
    if (m) m.decoded += e.dataLength;
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const m = meta.get(e.requestId);
    if (m) m.cached = true;
  });
  cdp.on('Network.loadingFinished', (e) => {
    done.push({ id: e.requestId, encoded: e.encodedDataLength });
  });
  return () => {
    const out: Counted = {
      requests: 0,
      transferredBytes: 0,
      decodedBytes: 0,
      byType: {},
      scripts: [],
      notFromCache: 0,
    };
    for (const d of done) {
      const m = meta.get(d.id);
      if (!m || m.url.startsWith('data:')) continue;
      out.requests++;
      if (!m.cached) out.notFromCache++;
      out.transferredBytes += d.encoded;
      out.decodedBytes += m.decoded;
      out.byType[m.type] ??= { requests: 0, transferredBytes: 0, decodedBytes: 0 };
      const t = out.byType[m.type];
      t.requests++;
      t.transferredBytes += d.encoded;
      t.decodedBytes += m.decoded;
      if (m.type === 'Script')
        out.scripts.push({
          url: new URL(m.url).pathname,
          transferredBytes: d.encoded,
          decodedBytes: m.decoded,
          encoding: m.encoding,
        });
    }
    return out;
  };
}

/** Long tasks are recorded from the start of the document, before any script of the app runs. */
const longTaskRecorder = () => {
  const w = window as unknown as { __longTasks: { start: number; end: number }[] };
  w.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      w.__longTasks.push({ start: e.startTime, end: e.startTime + e.duration });
  }).observe({ type: 'longtask', buffered: true });
};

type Which = 'login' | 'home';

interface Load {
  readyMs: number;
  ttiMs: number;
  domContentLoadedMs: number;
  counted: Counted;
}

async function load(page: Page, cdp: CDPSession, url: string, which: Which) {
  const stop = await countNetwork(cdp);
  await page.goto(url, { waitUntil: 'commit', timeout: 120_000 });
  // Has the page shown what the user came for? (Runs in the page, on every animation frame.)
  const ready = await page.waitForFunction(
    (w) => {
      const shown =
        w === 'login'
          ? !!document.querySelector('form button[type="submit"]') &&
            // The demo accounts: a table before issue 11, a list since.
            document.querySelectorAll('.ant-table-tbody tr.ant-table-row, .zx-demo-accounts li')
              .length > 0
          : !!document.querySelector('.ant-menu') &&
            document.querySelectorAll('.ant-layout-content .ant-card').length > 0 &&
            !document.querySelector('.ant-layout-content .ant-skeleton, .ant-spin-spinning');
      return shown ? performance.now() : false;
    },
    which,
    { polling: 'raf', timeout: 120_000 },
  );
  const readyMs = (await ready.jsonValue()) as number;
  await page.waitForLoadState('networkidle', { timeout: 120_000 });
  const { quietAt, tasks, dcl } = await page.evaluate(() => ({
    quietAt: performance.now(),
    tasks: (window as unknown as { __longTasks: { start: number; end: number }[] }).__longTasks,
    dcl: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)
      .domContentLoadedEventEnd,
  }));
  const lastLongTask = tasks
    .filter((t) => t.start < quietAt)
    .reduce((m, t) => Math.max(m, t.end), 0);
  return {
    readyMs,
    ttiMs: Math.max(readyMs, lastLongTask),
    domContentLoadedMs: dcl,
    counted: stop(),
  } satisfies Load;
}

async function newPage(context: BrowserContext, profile: Profile) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (profile.conditions)
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.conditions });
  return { page, cdp };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const webIndex = fileURLToPath(new URL('../web/dist/index.html', import.meta.url));
  if (!existsSync(webIndex)) throw new Error('web/dist is not built: npm run build:web');
  const server = await startDemoServer();
  const browser = await launchChromium();
  browserVersion = browser.version();
  const regulator = demoAccounts.find((a) => a.username === 'regulator');
  if (!regulator) throw new Error('demo account regulator missing');
  const figures: Record<string, unknown> = {};
  try {
    for (const profile of profiles) {
      for (const which of ['login', 'home'] as const) {
        const first: Load[] = [];
        const repeat: Load[] = [];
        for (let run = 0; run < RUNS; run++) {
          const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
          await context.addInitScript(longTaskRecorder);
          if (which === 'home') {
            // Signed in through the API: the cookie is set, the HTTP cache stays empty.
            const res = await context.request.post(`${server.url}/api/auth/login`, {
              data: { username: regulator.username, password: regulator.password },
            });
            if (!res.ok()) throw new Error(`login failed: ${res.status()} ${await res.text()}`);
          }
          const url = `${server.url}${which === 'login' ? '/login' : '/'}`;
          const a = await newPage(context, profile);
          first.push(await load(a.page, a.cdp, url, which));
          await a.page.close();
          const b = await newPage(context, profile);
          repeat.push(await load(b.page, b.cdp, url, which));
          await context.close();
        }
        const summary = (loads: Load[]) => ({
          readyMs: Math.round(median(loads.map((l) => l.readyMs))),
          ttiMs: Math.round(median(loads.map((l) => l.ttiMs))),
          domContentLoadedMs: Math.round(median(loads.map((l) => l.domContentLoadedMs))),
          requests: median(loads.map((l) => l.counted.requests)),
          requestsToServer: median(loads.map((l) => l.counted.notFromCache)),
          transferredBytes: median(loads.map((l) => l.counted.transferredBytes)),
          decodedBytes: median(loads.map((l) => l.counted.decodedBytes)),
          runs: loads.map((l) => ({ readyMs: Math.round(l.readyMs), ttiMs: Math.round(l.ttiMs) })),
        });
        const last = first[first.length - 1].counted;
        figures[`${profile.name}.${which}`] = {
          firstVisit: {
            ...summary(first),
            byType: last.byType,
            scripts: last.scripts.sort((x, y) => y.decodedBytes - x.decodedBytes),
          },
          repeatVisit: summary(repeat),
        };
        const f = summary(first);
        const r = summary(repeat);
        console.log(
          `${profile.name.padEnd(6)} ${which.padEnd(5)} first: ${(f.transferredBytes / 1024).toFixed(0)} KiB on the wire / ${(f.decodedBytes / 1024).toFixed(0)} KiB decoded, ${f.requests} requests, ready ${f.readyMs} ms, TTI ${f.ttiMs} ms · repeat: ${r.requestsToServer} to the server, ${(r.transferredBytes / 1024).toFixed(0)} KiB, TTI ${r.ttiMs} ms`,
        );
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }

  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  const previous = existsSync(resultsFile)
    ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { runs?: Record<string, unknown> })
    : {};
  const entry = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      chromium: browserVersion,
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      note: 'shared machine (~7 engineers on 2 cores); server and browser on the same machine',
    },
    runsPerFigure: RUNS,
    figures,
  };
  writeFileSync(
    resultsFile,
    `${JSON.stringify({ bench: 'first-load', runs: { ...(previous.runs ?? {}), [LABEL]: entry } }, null, 2)}\n`,
  );
  console.log(`wrote ${resultsFile} (${LABEL})`);
}

let browserVersion = '';
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
