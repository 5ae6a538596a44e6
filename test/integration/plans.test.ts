// The year behind the index (issue 17) through the API: a plan with tasks led and supported by units, progress on
// time and late, report periods with an extension and a missing report, an inspection with findings remedied on
// time and late, and a round whose area-1 criteria are pre-filled from all of it. Every count is done by hand in the
// comments.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, schedule, testFramework } from '../helpers/fixtures.js';

let t: TestApp;
let now = new Date('2025-02-01T03:00:00Z');
const at = (isoDay: string) => {
  now = new Date(`${isoDay}T03:00:00Z`); // 10:00 in Vietnam, same day
};

async function call(who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) {
  return t.app.inject({ method, url: `/api/v1${url}`, headers: await t.as(who), ...(payload !== undefined ? { payload: payload as object } : {}) });
}
const doc = (n: string) => ({ docNumber: n, docDate: '2025-04-01', issuer: 'UBND Phường 1', title: 'Báo cáo CCHC' });

// Area 1 of a framework whose leaves 1.2–1.4 are fed; max 1 + 2 + 1 + 1 = 5.
const fedArea = {
  code: '1',
  title: 'Công tác chỉ đạo, điều hành CCHC',
  maxPoints: 5,
  kind: 'regular',
  children: [
    testFramework.criteria[0]!.children[0],
    {
      code: '1.2', title: 'Mức độ hoàn thành kế hoạch CCHC', maxPoints: 2, source: 'self', naAllowed: false,
      rule: { type: 'tiered', input: 'ratio', tiers: [{ gte: 100, points: 2 }, { gte: 50, points: 1 }], otherwise: 0 },
      feed: { source: 'plan_tasks_on_time' }, evidence: { required: false },
    },
    { code: '1.3', title: 'Báo cáo CCHC đúng hạn', maxPoints: 1, source: 'self', naAllowed: false, rule: { type: 'proportional', input: 'ratio', direction: 'higher' }, feed: { source: 'reports_on_time' }, evidence: { required: false } },
    { code: '1.4', title: 'Khắc phục sau kiểm tra', maxPoints: 1, source: 'self', naAllowed: true, rule: { type: 'proportional', input: 'ratio', direction: 'higher' }, feed: { source: 'findings_remedied' }, evidence: { required: false } },
  ],
};

let roundId: string;
let q1: string;
let q2: string;
let inspectionId: string;

beforeAll(async () => {
  // The clock walks through the year; sessions must outlive it.
  t = await createTestApp({ clock: () => now, env: { SESSION_TTL_HOURS: String(24 * 400) } });
  await seedDirectory(t);
  await insertFramework(t, { code: 'XA-FED', lineage: 'XA-FED', criteria: [fedArea, ...testFramework.criteria.slice(1)] as unknown as typeof testFramework.criteria });
});
afterAll(() => t.close());

describe('plans', () => {
  it('a task naming an unknown unit is 422 naming the field; nothing is stored', async () => {
    const res = await call('coord', 'POST', '/plans', { year: 2025, code: 'KH-BAD', title: 'x', tasks: [{ code: '1', title: 'a', leadUnitCode: 'NOPE', dueDates: ['2025-03-31'] }] });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'tasks[0].leadUnitCode', code: 'unknown_unit' })]);
    expect((await call('coord', 'GET', '/plans/KH-BAD')).statusCode).toBe(404);
  });

  it('the coordinator records the plan; units may not', async () => {
    const plan = {
      year: 2025,
      code: 'KH-2025',
      title: 'Kế hoạch CCHC năm 2025',
      decision: { number: '16/KH-UBND', date: '2025-01-10' },
      tasks: [
        { code: '1', area: '1', title: 'Ban hành kế hoạch', leadUnitCode: 'P1', timeframe: 'Quý I/2025', dueDates: ['2025-03-31'] },
        { code: '2', area: '1', title: 'Tuyên truyền CCHC', leadUnitCode: 'P1', timeframe: 'Quý II/2025', dueDates: ['2025-06-30'] },
        { code: '3', area: '2', title: 'Rà soát TTHC', leadUnitCode: 'P1', supportUnitCodes: ['P2'], dueDates: ['2025-09-30'] },
        { code: '4', area: '2', title: 'Niêm yết TTHC', leadUnitCode: 'P2', supportUnitCodes: ['P1'], dueDates: ['2025-06-30'] },
        { code: '5', area: '3', title: 'Số hóa hồ sơ', leadUnitCode: 'P2', dueDates: ['2026-03-31'] },
      ],
    };
    expect((await call('p1.head', 'POST', '/plans', plan)).statusCode).toBe(403);
    const res = await call('coord', 'POST', '/plans', plan);
    expect(res.statusCode, res.body).toBe(201);
    // Recorded at the service's clock (the day the coordinator entered it), not the database server's.
    expect(res.json().createdAt).toBe('2025-02-01T03:00:00.000Z');
    expect(res.json().tasks.map((x: { code: string; status: string }) => [x.code, x.status])).toEqual([
      ['1', 'pending'], ['2', 'pending'], ['3', 'pending'], ['4', 'pending'], ['5', 'pending'], // 1 February: nothing due yet
    ]);
    expect((await call('coord', 'POST', '/plans', plan)).statusCode).toBe(409);
  });

  it('the lead unit and a supporting unit report progress; history is kept; late is computed', async () => {
    at('2025-10-20');
    const put = (who: string, task: string, unit: string, body: object) => call(who, 'PUT', `/plans/KH-2025/tasks/${task}/progress/${unit}`, body);
    expect((await put('p1.editor', '1', 'P1', { status: 'done', completedOn: '2025-03-30' })).json()).toMatchObject({ late: false });
    expect((await put('p1.editor', '2', 'P1', { status: 'in_progress' })).statusCode).toBe(200);
    const late = await put('p1.editor', '2', 'P1', { status: 'done', completedOn: '2025-07-05', note: 'Chậm do thay đổi nhân sự' });
    expect(late.json()).toMatchObject({ late: true, status: 'done' });
    expect(late.json().history.map((h: { data: { status: string } }) => h.data.status)).toEqual(['in_progress', 'done']);
    expect((await put('p1.editor', '3', 'P1', { status: 'in_progress' })).statusCode).toBe(200);
    expect((await put('p1.editor', '4', 'P1', { status: 'done', completedOn: '2025-05-01' })).statusCode).toBe(200); // P1's part as supporter
    expect((await put('p2.editor', '4', 'P2', { status: 'done', completedOn: '2025-06-30' })).statusCode).toBe(200);
    // Not P1's task, another unit's progress, a done task without a date, a date in the future.
    expect((await put('p1.editor', '5', 'P1', { status: 'in_progress' })).statusCode).toBe(404);
    expect((await put('p2.editor', '1', 'P1', { status: 'in_progress' })).statusCode).toBe(404);
    expect((await put('p1.editor', '1', 'P1', { status: 'done' })).json().errors).toEqual([expect.objectContaining({ field: 'completedOn' })]);
    expect((await put('p1.editor', '1', 'P1', { status: 'done', completedOn: '2025-10-21' })).statusCode).toBe(422);
    // The board: task 1 on time, 2 late, 3 overdue (due 30 Sept, not done), 4 on time (P2 leads), 5 pending.
    const plan = (await call('coord', 'GET', '/plans/KH-2025')).json();
    expect(plan.tasks.map((x: { code: string; status: string }) => [x.code, x.status])).toEqual([['1', 'on_time'], ['2', 'late'], ['3', 'overdue'], ['4', 'on_time'], ['5', 'pending']]);
    // A unit sees the tasks it leads or supports only.
    expect((await call('p2.editor', 'GET', '/plans/KH-2025')).json().tasks.map((x: { code: string }) => x.code)).toEqual(['3', '4', '5']);
  });
});

describe('report periods', () => {
  it('on time, late, by extension, missing', async () => {
    at('2025-03-01');
    const make = (label: string, cutoffTo: string, dueDate: string) =>
      call('coord', 'POST', '/report-periods', { year: 2025, kind: 'quarter', label, cutoffFrom: '2025-01-01', cutoffTo, dueDate, unitCodes: ['P1', 'P2'] });
    const bad = await call('coord', 'POST', '/report-periods', { year: 2025, kind: 'quarter', label: 'x', cutoffFrom: '2025-01-01', cutoffTo: '2025-03-01', dueDate: '2025-03-05', unitCodes: ['P1', 'NOPE'] });
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'unitCodes[1]', code: 'unknown_unit' })]);
    q1 = (await make('Quý I/2025', '2025-03-01', '2025-03-05')).json().id;
    q2 = (await make('Quý II/2025', '2025-06-01', '2025-06-05')).json().id;
    at('2025-03-05');
    expect((await call('p1.editor', 'POST', `/report-periods/${q1}/reports/P1`, doc('12/BC-UBND'))).json()).toMatchObject({ status: 'on_time', submittedOn: '2025-03-05' });
    expect((await call('p1.editor', 'POST', `/report-periods/${q1}/reports/P1`, doc('13/BC-UBND'))).statusCode).toBe(409);
    at('2025-03-06');
    expect((await call('p2.editor', 'POST', `/report-periods/${q1}/reports/P2`, doc('7/BC-UBND'))).json()).toMatchObject({ status: 'late' });
    expect((await call('p2.editor', 'POST', `/report-periods/${q1}/reports/P1`, doc('7/BC-UBND'))).statusCode).toBe(404);
    const ext = await call('coord', 'PUT', `/report-periods/${q2}/extensions/P2`, { dueDate: '2025-06-10', reason: 'Mất điện diện rộng' });
    expect(ext.json()).toMatchObject({ dueDate: '2025-06-10', extension: { reason: 'Mất điện diện rộng', grantedBy: 'coord' } });
    at('2025-06-09');
    expect((await call('p2.editor', 'POST', `/report-periods/${q2}/reports/P2`, doc('9/BC-UBND'))).json()).toMatchObject({ status: 'on_time' });
    at('2025-10-20');
    const period = (await call('coord', 'GET', `/report-periods/${q2}`)).json();
    expect(period.units.map((u: { unitCode: string; status: string }) => [u.unitCode, u.status])).toEqual([['P1', 'missing'], ['P2', 'on_time']]);
  });
});

describe('inspections', () => {
  it('findings remedied on time and late', async () => {
    at('2025-05-10');
    const res = await call('coord', 'POST', '/inspections', {
      year: 2025, unitCode: 'P1', date: '2025-05-10',
      findings: [{ code: '1', text: 'Chưa niêm yết TTHC mới', dueDate: '2025-07-01' }, { code: '2', text: 'Hồ sơ một cửa thiếu phiếu kiểm soát', dueDate: '2025-08-01' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    inspectionId = res.json().id;
    at('2025-06-20');
    expect((await call('p1.editor', 'PUT', `/inspections/${inspectionId}/findings/1/remediation`, { remediedOn: '2025-06-20', note: 'Đã niêm yết' })).json()).toMatchObject({ status: 'remedied' });
    expect((await call('p2.editor', 'PUT', `/inspections/${inspectionId}/findings/2/remediation`, { remediedOn: '2025-06-20' })).statusCode).toBe(404);
    at('2025-08-15');
    expect((await call('p1.editor', 'PUT', `/inspections/${inspectionId}/findings/2/remediation`, { remediedOn: '2025-08-15' })).json()).toMatchObject({ status: 'late' });
    // Remediating one finding leaves the other as it was.
    const i = (await call('coord', 'GET', `/inspections/${inspectionId}`)).json();
    expect(i.findings.map((f: { code: string; remediedOn: string; status: string }) => [f.code, f.remediedOn, f.status])).toEqual([['1', '2025-06-20', 'remedied'], ['2', '2025-08-15', 'late']]);
  });
});

describe('criteria fed by the year', () => {
  const item = async (who: string, unit: string, code: string) => (await call(who, 'GET', `/rounds/${roundId}/assessments/${unit}/items/${code}`)).json();

  it('opening self-assessment pre-fills fed items with the counted numerator/denominator', async () => {
    at('2025-10-20');
    const created = await call('coord', 'POST', '/rounds', { year: 2025, name: 'Chỉ số CCHC 2025', groups: [{ code: 'XA', name: 'Phường', frameworkCode: 'XA-FED', unitCodes: ['P1', 'P2'] }], schedule });
    expect(created.statusCode, created.body).toBe(201);
    roundId = created.json().id;
    expect((await call('coord', 'POST', `/rounds/${roundId}/transition`, { to: 'self_assessment' })).statusCode).toBe(200);
    // P1 tasks: led 1 (on time), 2 (late), 3 (not done) → 1/3 = 33.3 % → tier "otherwise" 0.
    expect(await item('p1.editor', 'P1', '1.2')).toMatchObject({ selfInput: { numerator: 1, denominator: 3 }, selfPoints: 0 });
    // P1 reports: Q1 on time, Q2 missing → 1/2 → 1 × 1/2 = 0.5.
    expect(await item('p1.editor', 'P1', '1.3')).toMatchObject({ selfInput: { numerator: 1, denominator: 2 }, selfPoints: 0.5 });
    // P1 findings: 1 on time, 1 late → 1/2 → 0.5.
    expect(await item('p1.editor', 'P1', '1.4')).toMatchObject({ selfInput: { numerator: 1, denominator: 2 }, selfPoints: 0.5 });
    // P2 leads task 4 (on time; task 5 is due in 2026) → 1/1 = 100 % → 2; reports Q1 late, Q2 on time by extension → 0.5;
    // no inspection: 0 of 0 → không phát sinh (N/A).
    expect(await item('p2.editor', 'P2', '1.2')).toMatchObject({ selfInput: { numerator: 1, denominator: 1 }, selfPoints: 2 });
    expect(await item('p2.editor', 'P2', '1.3')).toMatchObject({ selfInput: { numerator: 1, denominator: 2 }, selfPoints: 0.5 });
    expect(await item('p2.editor', 'P2', '1.4')).toMatchObject({ selfInput: { numerator: 0, denominator: 0 }, notApplicable: true });
  });

  it('appraisers see the tracked numbers with the trace; a unit that enters its own numbers shows "differs"', async () => {
    expect((await call('coord', 'PUT', `/rounds/${roundId}/appraisers`, [{ username: 'appraiser', areaCodes: ['1'] }])).statusCode).toBe(200);
    const tracked = (await call('coord', 'GET', `/rounds/${roundId}/assessments/P1/tracked`)).json();
    expect(tracked.map((x: { criterionCode: string; differs: boolean }) => [x.criterionCode, x.differs])).toEqual([['1.2', false], ['1.3', false], ['1.4', false]]);
    expect(tracked[0].trace).toEqual([
      'plan KH-2025 task 1 (due 2025-03-31): done 2025-03-30 → on time',
      'plan KH-2025 task 2 (due 2025-06-30): done 2025-07-05 → late',
      'plan KH-2025 task 3 (due 2025-09-30): in_progress → not completed',
      'plan tasks led by P1 due in 2025: 1 of 3 completed on time',
    ]);
    const current = await item('p1.editor', 'P1', '1.2');
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/rounds/${roundId}/assessments/P1/items/1.2/self`,
      headers: { ...(await t.as('p1.editor')), 'if-match': current.etag },
      payload: { input: { numerator: 2, denominator: 3 }, note: 'Nhiệm vụ 3 đã xong, chưa cập nhật' },
    });
    expect(put.statusCode, put.body).toBe(200);
    const after = (await call('appraiser', 'GET', `/rounds/${roundId}/assessments/P1/tracked`)).json();
    expect(after[0]).toMatchObject({ criterionCode: '1.2', tracked: { numerator: 1, denominator: 3 }, unitInput: { numerator: 2, denominator: 3 }, differs: true });
    // Another unit's tracked data is not visible to P2.
    expect((await call('p2.editor', 'GET', `/rounds/${roundId}/assessments/P1/tracked`)).statusCode).toBe(404);
  });

  it('a refresh keeps the unit’s own numbers and follows the data elsewhere', async () => {
    // Task 3 is reported done on time after all; findings stay.
    await call('p1.editor', 'PUT', '/plans/KH-2025/tasks/3/progress/P1', { status: 'done', completedOn: '2025-09-29' });
    const res = await call('p1.editor', 'POST', `/rounds/${roundId}/assessments/P1/prefill`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((i: { criterionCode: string; numerator: number; denominator: number; applied: boolean }) => [i.criterionCode, i.numerator, i.denominator, i.applied])).toEqual([
      ['1.2', 2, 3, false], // the unit's own 2/3 stays (and now matches the data)
      ['1.3', 1, 2, false], // unchanged
      ['1.4', 1, 2, false],
    ]);
    expect((await call('coord', 'GET', `/rounds/${roundId}/assessments/P1/tracked`)).json()[0]).toMatchObject({ tracked: { numerator: 2, denominator: 3 }, differs: false });
    expect((await call('p2.editor', 'POST', `/rounds/${roundId}/assessments/P1/prefill`)).statusCode).toBe(404);
  });

  it('a feed on a rule that does not take a ratio is refused, naming the criterion', async () => {
    const bad = structuredClone(testFramework) as unknown as { code: string; lineage: string; criteria: { children: { feed?: unknown }[] }[] };
    bad.code = 'XA-BADFEED-2025';
    bad.lineage = 'XA-BADFEED';
    bad.criteria[0]!.children[0]!.feed = { source: 'plan_tasks_on_time' }; // 1.1 is an options rule
    const res = await call('coord', 'POST', '/frameworks', bad);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'criteria[1.1].feed', code: 'feed_needs_ratio' })]);
  });
});

describe('plan appendix import (XLSX)', () => {
  async function workbook(leadOfSecond: string): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Phụ lục');
    ws.addRow(['PHỤ LỤC NHIỆM VỤ CCHC NĂM 2025']);
    ws.addRow(['Nhiệm vụ chung', 'Nhiệm vụ cụ thể', 'Sản phẩm', 'Cơ quan chủ trì', 'Cơ quan phối hợp', 'Thời gian thực hiện']);
    const group = ws.addRow(['I. CẢI CÁCH THỂ CHẾ']);
    group.getCell(1).font = { bold: true };
    ws.addRow(['', '1. Ban hành kế hoạch rà soát văn bản', 'Kế hoạch', 'Phòng Nội vụ', 'UBND Phường 1; Các phòng, ban ngành', 'Quý II/2025']);
    ws.addRow(['', 'năm 2025 của thành phố', '', '', '', '']); // the same task, over a second line
    ws.addRow(['', '2. Kiểm tra việc thi hành pháp luật', 'Báo cáo', leadOfSecond, '', 'Theo Kế hoạch']);
    const group2 = ws.addRow(['II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH']);
    group2.getCell(1).font = { bold: true };
    ws.mergeCells(group2.number, 1, group2.number, 6); // as most appendices lay out their group rows
    ws.addRow(['', '1. Rà soát, công khai TTHC', 'Báo cáo', 'UBND Phường An Hòa', 'Phòng Tư pháp', 'Hàng quý']);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
  const post = async (file: Buffer, dryRun: boolean, code = 'KH-IMPORT') =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/plans/import?code=${code}&year=2025&title=${encodeURIComponent('Kế hoạch CCHC 2025 (nhập)')}&dryRun=${dryRun}`,
      headers: { ...(await t.as('coord')), 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: file,
    });

  it('a dry run matches unit names, reads timeframes and reports what it could not read, by row', async () => {
    const res = await post(await workbook('Phòng Không Tồn Tại'), true);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.tasks.map((x: { row: number; code: string; leadUnitCode: string | null; supportUnitCodes: string[]; dueDates: string[] }) => [x.row, x.code, x.leadUnitCode, x.supportUnitCodes, x.dueDates])).toEqual([
      [4, '1.1', 'PNV', ['P1'], ['2025-06-30']],
      [6, '1.2', null, [], []],
      [8, '2.1', 'P2', ['PTP'], ['2025-03-31', '2025-06-30', '2025-09-30', '2025-12-31']],
    ]);
    expect(r.tasks[0].title).toBe('Ban hành kế hoạch rà soát văn bản\nnăm 2025 của thành phố');
    expect(r.errors).toEqual([expect.objectContaining({ row: 6, code: 'unknown_unit', field: 'tasks[1.2].leadUnitCode' })]);
    expect(r.warnings).toEqual([expect.objectContaining({ row: 6, code: 'unreadable_timeframe' })]);
    expect(r.unmatchedUnits).toEqual(['Các phòng, ban ngành', 'Phòng Không Tồn Tại']);
    expect(r.plan).toBeNull();
    expect((await call('coord', 'GET', '/plans/KH-IMPORT')).statusCode).toBe(404);
  });

  it('a real import with an unknown lead unit is 422; once fixed it creates the plan', async () => {
    expect((await post(await workbook('Phòng Không Tồn Tại'), false)).statusCode).toBe(422);
    const ok = await post(await workbook('Phòng Tư pháp'), false);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().plan.tasks.map((x: { code: string; leadUnitCode: string }) => [x.code, x.leadUnitCode])).toEqual([['1.1', 'PNV'], ['1.2', 'PTP'], ['2.1', 'P2']]);
    expect((await call('coord', 'GET', '/plans?year=2025')).json().map((p: { code: string; taskCount: number }) => [p.code, p.taskCount])).toEqual([['KH-2025', 5], ['KH-IMPORT', 3]]);
  });

  it('a file that is not a workbook is reported, never a 500', async () => {
    const res = await post(Buffer.from('not a zip at all'), true);
    expect(res.statusCode).toBe(200);
    expect(res.json().errors).toEqual([expect.objectContaining({ code: 'not_a_workbook' })]);
  });
});
