import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoHistoryYear, seedDemoData } from '../../src/demo/seed.js';
import { vietnamDay } from '../../src/modules/rounds/lifecycle.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let headers: Record<string, string>;
let year: number;
beforeAll(async () => {
  t = await createTestApp();
  year = Number(vietnamDay(t.app.clock()).slice(0, 4));
  await seedDemoData(t.app, { actor: null, requestId: 'demo-test', now: t.app.clock() });
  headers = { authorization: `Bearer ${await t.login('sadec.vanthu', DEMO_PASSWORD)}` };
}, 300_000);
afterAll(() => t.close());

describe('demo data', () => {
  it("loads and publishes the department and commune frameworks of this year (and of the history's year)", async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/frameworks?year=${year}`, headers });
    expect(res.json().map((f: { code: string; status: string; createdBy: string }) => [f.code, f.status, f.createdBy])).toEqual([
      [`PB-${year}`, 'published', 'system'],
      [`XA-${year}`, 'published', 'system'],
    ]);
    const earlier = await t.app.inject({ method: 'GET', url: `/api/v1/frameworks?year=${demoHistoryYear(year)}`, headers });
    expect(earlier.json().map((f: { code: string }) => f.code)).toEqual([`PB-${demoHistoryYear(year)}`, `XA-${demoHistoryYear(year)}`]);
    for (const f of res.json()) expect(f.totals).toMatchObject({ maxPoints: 100, leafCount: 38 });
  });

  it('records their creation and publication in the audit chain, as the system', async () => {
    const admin = { authorization: `Bearer ${await t.login('noivu', DEMO_PASSWORD)}` };
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit?entityType=framework', headers: admin });
    expect(res.json().items.map((e: { action: string; entityId: string; actorUsername: string }) => `${e.actorUsername} ${e.action} ${e.entityId}`).reverse()).toEqual(
      [demoHistoryYear(year), year].flatMap((y) => [
        `system framework.created PB-${y}`,
        `system framework.published PB-${y}`,
        `system framework.created XA-${y}`,
        `system framework.published XA-${y}`,
      ]),
    );
  });

  it('a ward is simulated on this year\'s XA framework (hand-computed: 83.1 of 96 → 86.56, Tốt)', async () => {
    const inputs = {
      '1.1.1': { option: 'ON_TIME' }, // 1
      '1.1.2': { percent: 100 }, // 2
      '1.2': { option: 'FULL' }, // 2
      '1.3': { numerator: 3, denominator: 3 }, // 2
      '1.4': { count: 4 }, // 2
      '1.5': { percent: 100 }, // 3            area 1: 12 of 12
      '2.1': { numerator: 2, denominator: 2 }, // 3
      '2.2': { option: 'ON_TIME' }, // 3
      '2.3': { numerator: 1, denominator: 1 }, // 2            area 2: 8 of 8
      '3.1': { points: 1.5 }, // 1.5 of 2
      '3.2': { numerator: 1, denominator: 40 }, // 2.5% late: < 5 → 2 of 5
      '3.3': { percent: 80 }, // 6 × 0.8 = 4.8
      '3.5': { percent: 95 }, // 3
      '3.6': { numerator: 9, denominator: 10 }, // 90%: ≥ 80 → 1 of 2;  3.4 N/A → area 3: 12.3 of 18
      '4.1': { value: true },
      '4.2': { value: true },
      '4.3': { percent: 100 },
      '4.4': { option: 'FIXED' }, //            area 4: 2 + 2 + 2 + 1 = 7 of 8
      '5.1': { numerator: 9, denominator: 10 }, // 2.7
      '5.2': { percent: 85 }, // 1
      '5.3': { option: 'NONE' }, // 3
      '5.4': { value: true }, // 2            area 5: 8.7 of 10
      '6.1': { option: 'FULL' }, // 2
      '6.2': { percent: 96 }, // 4
      '6.3': { numerator: 0, denominator: 0 }, // nothing arose: N/A    area 6: 6 of 6
      '7.1': { percent: 100 }, // 3
      '7.2': { percent: 90 }, // not > 90: 1
      '7.3': { option: 'REGULAR' }, // 3
      '7.4': { numerator: 15, denominator: 20 }, // 3            area 7: 10 of 12
      '9.1': { count: 1 }, // 1
      '9.2': { value: true }, // 1            bonus 2 (cap 2)
      '10.1': { count: 0 }, // 0
      '10.2': { value: true }, // 2            penalty 2 (cap 5)
    };
    const surveyScores = { '8.1': '0.9', '8.2': '5/6', '8.3': 1, '8.4': 0.75 }; // 3.6 + 5 + 6 + 4.5 = 19.1 of 22
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/frameworks/XA-${year}/simulate`,
      headers,
      payload: { units: [{ unitCode: 'P1', unitName: 'UBND Phường 1', inputs, notApplicable: ['3.4'], surveyScores }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const unit = res.json().units[0];
    expect(unit).toMatchObject({ complete: true, errors: [] });
    // Regular 83.1 + 2 − 2 = 83.1 of 100 − 2 (3.4) − 2 (6.3) = 96 → 86.5625 → 86.56.
    expect(unit.result).toMatchObject({ regularPoints: 83.1, total: 83.1, max: 96, index: 86.56, band: 'TOT', bandLabel: 'Tốt' });
    expect(unit.result.areas.map((a: { points: number; max: number }) => [a.points, a.max])).toEqual([
      [12, 12], [8, 8], [12.3, 18], [7, 8], [8.7, 10], [6, 6], [10, 12], [19.1, 22], [2, 2], [2, 5], // bonus and penalty: their caps 2 and 5 (items 3 and 6)
    ]);
  });
});
