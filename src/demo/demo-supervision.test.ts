import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../platform/http/routing.js';
import { buildTestApp } from '../test-support/app.js';
import { type DemoDatabase, openDemoDatabase } from '../test-support/demo-database.js';
import { loginCookie } from '../test-support/factories.js';
import { DEFAULT_DEMO_SEED } from './demo.seed.js';
import { DEMO_PASSWORD } from './demo-city.js';

/** The pinned anchor (shared with the other demo tests, so one template serves them all). */
const ANCHOR = '2026-11-18';
const NOW = new Date(`${ANCHOR}T10:00:00+08:00`);

/**
 * The demo city's supervision history as its users find it (issue 15 point 11): past inspections of
 * the failing institutions with their findings, one order closed with evidence, one overdue, one
 * serious finding without a penalty, and the `inspector` account's inspection waiting today.
 */
describe('demo city records: supervision', () => {
  let t: DemoDatabase;
  let app: App;
  const cookies: Record<string, string> = {};
  // biome-ignore lint/suspicious/noExplicitAny: test helper over JSON answers
  const get = async (who: string, url: string): Promise<any> => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie: cookies[who] } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    t = await openDemoDatabase('pglite', { seed: DEFAULT_DEMO_SEED, anchor: ANCHOR });
    app = await buildTestApp(t, { now: () => NOW });
    for (const u of ['regulator', 'county', 'inspector', 'school'])
      cookies[u] = await loginCookie(app, u, DEMO_PASSWORD);
  }, 600_000);
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('has the inspector’s inspection of a failing institution waiting today, with the registration check prefilled on start', async () => {
    const day = await get('inspector', '/api/supervision/my-day');
    expect(day.today).toBe(ANCHOR);
    const today = day.inspections.filter((i: { scheduledOn: string }) => i.scheduledOn === ANCHOR);
    expect(today).toHaveLength(1);
    expect(today[0]).toMatchObject({
      status: 'scheduled',
      organizationName: expect.stringContaining('岱宗'),
    });
  });

  it('has past inspections with findings, one order closed with evidence and one overdue, escalated', async () => {
    const inspections = await get('regulator', '/api/supervision/inspections?status=signed');
    expect(inspections.length).toBe(3);
    expect(inspections.every((i: { scheduledOn: string }) => i.scheduledOn < ANCHOR)).toBe(true);
    const findings = await get('regulator', '/api/supervision/findings');
    expect(findings.map((f: { code: string }) => f.code).sort()).toEqual(
      ['sd-inst-1', 'sd-inst-1', 'sd-inst-2', 'sd-inst-4d'].sort(),
    );
    const orders = await get('regulator', '/api/supervision/orders');
    const closed = orders.filter((o: { state: string }) => o.state === 'closed');
    expect(closed).toHaveLength(1);
    const detail = await get('regulator', `/api/supervision/orders/${closed[0].id}`);
    expect(detail.files.length).toBeGreaterThan(0);
    expect(detail.verifiedBy).toBeTruthy();
    expect(detail.number).toMatch(/^泰山区责改〔\d{4}〕1号$/);
    const overdue = orders.filter((o: { overdue: boolean }) => o.overdue);
    expect(overdue).toHaveLength(1);
    expect(overdue[0].escalatedTo).toBeTruthy();
    // The institution behind the `school` account sees its overdue order.
    const own = await get('school', '/api/supervision/orders');
    expect(own.map((o: { id: string }) => o.id)).toEqual([overdue[0].id]);
  });

  it('shows the serious finding left without a penalty (G01), and a warning where one was decided', async () => {
    const soft = await get('regulator', '/api/supervision/soft-enforcement');
    const noPenalty = soft.findings.filter(
      (f: { code: string }) => f.code === 'serious_finding_no_penalty',
    );
    expect(noPenalty).toHaveLength(1);
    expect(noPenalty[0].message).toContain('岱宗');
    const penalties = await get('regulator', '/api/supervision/penalties');
    expect(penalties.map((p: { kind: string }) => p.kind)).toContain('warning');
    const grades = await get('regulator', '/api/supervision/grades');
    expect(grades.length).toBeGreaterThan(5);
    const plans = await get('county', '/api/supervision/plans');
    expect(plans).toHaveLength(1);
    const plan = await get('county', `/api/supervision/plans/${plans[0].id}`);
    expect(plan.draws).toHaveLength(1);
  });
});
