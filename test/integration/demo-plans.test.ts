// The demo's year behind the index (issue 17), seeded on a fixed day (20/11/2026): the province's plan, four
// reporting periods, the inspection of phường Sa Đéc, and communes' criterion 1.3 pre-filled from it when the
// demo round opened. Expected values are counted by hand from src/demo/plans.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap.js';
import { DEMO_PASSWORD } from '../../src/demo/seed.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let coord: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp({ env: { DEMO_DATA: 'true' }, clock: () => new Date('2026-11-20T03:00:00Z') });
  await bootstrap(t.app);
  coord = { authorization: `Bearer ${await t.login('noivu', DEMO_PASSWORD)}` };
}, 300_000);
afterAll(() => t.close());

const get = async (url: string, headers = coord) => (await t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers })).json();

describe('demo plans, reports and inspection', () => {
  it('has the year’s plan of about 20 tasks with lead units the demo seeds', async () => {
    const [plan] = await get('/plans?year=2026');
    expect(plan).toMatchObject({ code: 'KH-CCHC-2026', taskCount: 20 });
    const full = await get('/plans/KH-CCHC-2026');
    expect(full.tasks.filter((x: { leadUnitCode: string }) => x.leadUnitCode === 'PSADEC').map((x: { code: string }) => x.code)).toEqual(['3.3', '5.2']);
    // Every traffic-light state appears on the board.
    expect(new Set(full.tasks.map((x: { status: string }) => x.status))).toEqual(new Set(['on_time', 'late', 'overdue', 'pending']));
  });

  it('four reporting periods: phường Sa Đéc on time, late, missing, and not yet due', async () => {
    const periods = await get('/report-periods?year=2026');
    expect(periods).toHaveLength(4);
    const sadec = periods.map((p: { units: { unitCode: string; status: string }[] }) => p.units.find((u) => u.unitCode === 'PSADEC')!.status);
    expect(sadec).toEqual(['on_time', 'late', 'missing', 'pending']);
    const all = periods.flatMap((p: { units: { status: string; extension: unknown }[] }) => p.units);
    expect(all.filter((u: { extension: unknown }) => u.extension !== null)).toHaveLength(1);
  });

  it('criterion 1.3 of phường Sa Đéc is pre-filled 1/3 from its inspection (one on time, one late, one open)', async () => {
    const [round] = await get('/rounds');
    const tracked = await get(`/rounds/${round.id}/assessments/PSADEC/tracked`);
    expect(tracked).toEqual([expect.objectContaining({ criterionCode: '1.3', source: 'findings_remedied', tracked: { numerator: 1, denominator: 3 }, unitInput: { numerator: 1, denominator: 3 }, differs: false })]);
    const items = (await get(`/rounds/${round.id}/assessments/PSADEC`)).items;
    expect(items.find((i: { criterionCode: string }) => i.criterionCode === '1.3').selfInput).toEqual({ numerator: 1, denominator: 3 });
    // Phường Cao Lãnh had no inspection: 0/0, "không phát sinh".
    const caolanh = await get(`/rounds/${round.id}/assessments/PCAOLANH/tracked`);
    expect(caolanh[0]).toMatchObject({ tracked: { numerator: 0, denominator: 0 } });
  });
});
