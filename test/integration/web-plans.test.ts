// The year behind the index in the web forms (issue 17), over app.inject: the plan import page (dry run by row,
// nothing stored, then confirm), the coordinator's board (traffic lights, overdue first, report statuses, an
// extension, period and inspection forms), the unit's page (progress, sending a report, remediation), CSRF on
// every form, roles (403 for other roles, 404 for another unit's objects), and the tracked numbers of a fed
// criterion on the unit's and the appraiser's item views ("khác với số liệu theo dõi" once the unit differs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound, testFramework } from '../helpers/fixtures.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';
import { WebClient } from '../helpers/web.js';
import { appendixRows, appendixXlsx } from '../fixtures/plans/appendix.js';

let t: TestApp;
let roundId: string;
let inspectionId: string;
// Vietnam: 20 October 2025, 10:00.
const NOW = new Date('2025-10-20T03:00:00Z');

async function as(username: string) {
  const web = new WebClient(t.app);
  await web.login(username, PASSWORD);
  return web;
}
const api = async (username: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, extra: Record<string, string> = {}) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { ...(await t.as(username)), ...extra }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
const xlsx = (content: Buffer) => ({ field: 'file', filename: 'phu-luc.xlsx', content, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
const meta = { mode: 'kiem-tra', code: 'KH-2025', year: '2025', title: 'Kế hoạch CCHC năm 2025', decisionNumber: '16/KH-UBND', decisionDate: '05/01/2025' };

beforeAll(async () => {
  t = await createTestApp({ clock: () => NOW });
  await seedDirectory(t);
  await insertSurvey(t, surveyDoc('SIPAS-T', { TIEP_CAN: ['Q1'], KET_QUA: ['Q2'] }));
  // The test framework with its ratio leaf 2.1 fed from the year's inspection findings.
  const criteria = structuredClone(testFramework.criteria) as { code: string; children?: { code: string; feed?: unknown }[] }[];
  criteria.find((a) => a.code === '2')!.children!.find((l) => l.code === '2.1')!.feed = { source: 'findings_remedied' };
  await insertFramework(t, { ...testFramework, criteria } as typeof testFramework);
  // P1's 2025 inspection: finding 1 remedied on time (10/07, due 31/07), finding 2 still open past its due date.
  const insp = await api('coord', 'POST', '/inspections', { year: 2025, unitCode: 'P1', date: '2025-05-20', findings: [{ code: '1', text: 'Chưa niêm yết đủ TTHC', dueDate: '2025-07-31' }, { code: '2', text: 'Hồ sơ trễ hạn chưa xin lỗi', dueDate: '2025-09-30' }] });
  expect(insp.statusCode).toBe(201);
  inspectionId = insp.json().id;
  expect((await api('p1.editor', 'PUT', `/inspections/${inspectionId}/findings/1/remediation`, { remediedOn: '2025-07-10', note: 'Đã niêm yết' })).statusCode).toBe(200);
  // Opening self-assessment pre-fills 2.1 from those findings.
  roundId = await openRound(t);
});
afterAll(() => t.close());

describe('plan import page', () => {
  it('dry run lists the tasks with due dates, the unmatched office and the unreadable timeframe by row, storing nothing; confirm imports', async () => {
    const coord = await as('coord');
    expect((await coord.get('/dieu-phoi/ke-hoach/nhap')).statusCode).toBe(200);
    const dry = await coord.upload('/dieu-phoi/ke-hoach/nhap', { _csrf: coord.csrf, ...meta }, xlsx(await appendixXlsx(2025)));
    expect(dry.statusCode).toBe(200);
    expect(dry.body).toContain('Kết quả kiểm tra: 6 nhiệm vụ');
    // Hand-read from the fixture: 1.3 "Hàng quý" → the four quarter ends; 2.1 "chậm nhất ngày 10/12/2025".
    expect(dry.body).toMatch(/data-task="1\.3">[\s\S]*?31\/03\/2025, 30\/06\/2025, 30\/09\/2025, 31\/12\/2025/);
    expect(dry.body).toMatch(/data-task="2\.1">[\s\S]*?10\/12\/2025/);
    expect(dry.body).toContain('Phòng Văn hóa và Thông tin');
    expect(dry.body).toMatch(/<tr data-row="13"><td>13<\/td><td>Thời gian thực hiện<\/td><td>[^<]*Khi có yêu cầu/);
    expect((await api('coord', 'GET', '/plans')).json()).toEqual([]);
    const tep = /name="tep" value="([^"]+)"/.exec(dry.body)![1]!;
    const confirm = { _csrf: coord.csrf, mode: 'nhap', code: 'KH-2025', year: '2025', title: 'Kế hoạch CCHC năm 2025', decisionNumber: '16/KH-UBND', decisionDate: '05/01/2025', tep };
    const done = await coord.upload('/dieu-phoi/ke-hoach/nhap', confirm, { field: 'none', filename: '', content: Buffer.alloc(0) });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/dieu-phoi/ke-hoach?nam=2025&tb=da-nhap-ke-hoach');
    const plan = (await api('coord', 'GET', '/plans/KH-2025')).json();
    expect(plan.tasks.map((x: { code: string; leadUnitCode: string }) => `${x.code}:${x.leadUnitCode}`)).toEqual(['1.1:PNV', '1.2:PNV', '1.3:PNV', '2.1:PTP', '3.1:P1', '3.2:P2']);
    expect(plan.decision).toEqual({ number: '16/KH-UBND', date: '2025-01-05' });
    // The same code again: 409, said in Vietnamese, nothing doubled.
    const again = await coord.upload('/dieu-phoi/ke-hoach/nhap', { ...confirm, _csrf: coord.csrf }, { field: 'none', filename: '', content: Buffer.alloc(0) });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Đã có kế hoạch mã KH-2025');
  });

  it('an unknown lead office is an error by row: no confirm button; a bad year is a 422', async () => {
    const coord = await as('coord');
    const rows = [...appendixRows(2025), ['', '3. Cải tiến ISO', 'Báo cáo', 'Phòng Không Tồn Tại', '', 'Quý IV/2025']];
    const dry = await coord.upload('/dieu-phoi/ke-hoach/nhap', { _csrf: coord.csrf, ...meta, code: 'KH-LOI' }, xlsx(await appendixXlsx(2025, rows)));
    expect(dry.statusCode).toBe(200);
    expect(dry.body).toContain('Có 1 lỗi');
    expect(dry.body).toMatch(/<tr data-row="14"><td>14<\/td><td>Cơ quan chủ trì<\/td><td>[^<]*Phòng Không Tồn Tại/);
    expect(dry.body).not.toContain('Xác nhận nhập kế hoạch');
    const bad = await coord.upload('/dieu-phoi/ke-hoach/nhap', { _csrf: coord.csrf, ...meta, year: 'hai nghìn' }, xlsx(await appendixXlsx(2025)));
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Năm kế hoạch không hợp lệ');
  });

  it('refuses an upload without the CSRF token, and other roles', async () => {
    const coord = await as('coord');
    const res = await coord.upload('/dieu-phoi/ke-hoach/nhap', { ...meta, code: 'KH-CSRF' }, xlsx(await appendixXlsx(2025)));
    expect(res.statusCode).toBe(403);
    expect((await api('coord', 'GET', '/plans')).json().map((p: { code: string }) => p.code)).not.toContain('KH-CSRF');
    const unit = await as('p1.editor');
    expect((await unit.get('/dieu-phoi/ke-hoach/nhap')).statusCode).toBe(403);
  });
});

describe('coordinator board', () => {
  it('shows tasks by area with traffic lights, overdue first, and by lead unit', async () => {
    // P1 reports 3.1 done on 01/10 (due 31/12: on time).
    expect((await api('p1.editor', 'PUT', '/plans/KH-2025/tasks/3.1/progress/P1', { status: 'done', completedOn: '2025-10-01' })).statusCode).toBe(200);
    const coord = await as('coord');
    const res = await coord.get('/dieu-phoi/ke-hoach?nam=2025');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/dieu-phoi/ke-hoach" aria-current="page">Kế hoạch CCHC</a>');
    // Area 1 on 20/10/2025: 1.1 (31/01) and 1.2 (30/06) overdue, listed before 1.3 (quarterly, last 31/12).
    const area1 = res.body.slice(res.body.indexOf('Lĩnh vực 1'), res.body.indexOf('Lĩnh vực 2'));
    expect([...area1.matchAll(/data-task="([\d.]+)" data-status="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(['1.1:overdue', '1.2:overdue', '1.3:pending']);
    expect(res.body).toMatch(/data-task="3\.1" data-status="on_time"/);
    expect(res.body).toContain('Quá hạn: 2');
    const byUnit = await coord.get('/dieu-phoi/ke-hoach?nam=2025&theo=don-vi');
    expect(byUnit.body).toContain('Chủ trì: Phòng Nội vụ');
    expect(byUnit.body).toContain('Chủ trì: UBND Phường 1');
  });

  it('creates a report period and an inspection from its forms; unit statuses and an extension show', async () => {
    const coord = await as('coord');
    await coord.get('/dieu-phoi/ke-hoach?nam=2025');
    const made = await coord.post('/dieu-phoi/ke-hoach/ky-bao-cao', { nam: '2025', label: 'Báo cáo CCHC quý III/2025', kind: 'quarter', cutoffFrom: '01/07/2025', cutoffTo: '30/09/2025', dueDate: '05/10/2025', unitCodes: ['P1', 'P2'] });
    expect(made.statusCode).toBe(303);
    const [period] = (await api('coord', 'GET', '/report-periods?year=2025')).json();
    expect(period).toMatchObject({ label: 'Báo cáo CCHC quý III/2025', cutoffFrom: '2025-07-01', dueDate: '2025-10-05', unitCodes: ['P1', 'P2'] });
    // A bad date: 422 with the message, nothing created.
    const bad = await coord.post('/dieu-phoi/ke-hoach/ky-bao-cao', { nam: '2025', label: 'Sai', kind: 'quarter', cutoffFrom: '31/02/2025', cutoffTo: '30/09/2025', dueDate: '05/10/2025', unitCodes: ['P1'] });
    expect(bad.statusCode).toBe(422);
    expect((await api('coord', 'GET', '/report-periods?year=2025')).json()).toHaveLength(1);
    // Due 05/10, today 20/10: both missing; the extension to 25/10 makes P2 pending again.
    let board = await coord.get('/dieu-phoi/ke-hoach?nam=2025');
    expect(board.body).toMatch(/data-unit="P2" data-status="missing"/);
    const ext = await coord.post(`/dieu-phoi/ke-hoach/bao-cao/${period.id}/gia-han`, { nam: '2025', unitCode: 'P2', dueDate: '25/10/2025', reason: 'Chờ số liệu sau sắp xếp' });
    expect(ext.statusCode).toBe(303);
    board = await coord.get('/dieu-phoi/ke-hoach?nam=2025');
    expect(board.body).toMatch(/data-unit="P2" data-status="pending"/);
    expect(board.body).toMatch(/data-unit="P1" data-status="missing"/);
    expect(board.body).toContain('gia hạn: Chờ số liệu sau sắp xếp');
    // An inspection of P2 with one finding line.
    const insp = await coord.post('/dieu-phoi/ke-hoach/kiem-tra', { nam: '2025', unitCode: 'P2', date: '15/10/2025', findings: 'Chưa cập nhật hồ sơ lên hệ thống | 30/11/2025' });
    expect(insp.statusCode).toBe(303);
    const p2 = (await api('coord', 'GET', '/inspections?unitCode=P2')).json();
    expect(p2[0].findings).toEqual([expect.objectContaining({ code: '1', text: 'Chưa cập nhật hồ sơ lên hệ thống', dueDate: '2025-11-30', status: 'open' })]);
    const badLine = await coord.post('/dieu-phoi/ke-hoach/kiem-tra', { nam: '2025', unitCode: 'P2', date: '15/10/2025', findings: 'không có hạn' });
    expect(badLine.statusCode).toBe(422);
    expect(badLine.body).toContain('Dòng 1');
    board = await coord.get('/dieu-phoi/ke-hoach?nam=2025');
    expect(board.body).toMatch(/data-finding="2" data-status="late"/);
  });

  it('refuses forms without the CSRF token and other roles', async () => {
    const coord = await as('coord');
    await coord.get('/dieu-phoi/ke-hoach');
    const before = (await api('coord', 'GET', '/inspections')).json().length;
    expect((await coord.post('/dieu-phoi/ke-hoach/kiem-tra', { _csrf: '', nam: '2025', unitCode: 'P2', date: '15/10/2025', findings: '' })).statusCode).toBe(403);
    expect((await api('coord', 'GET', '/inspections')).json()).toHaveLength(before);
    for (const u of ['p1.editor', 'appraiser', 'admin']) expect((await (await as(u)).get('/dieu-phoi/ke-hoach')).statusCode).toBe(403);
    const anon = new WebClient(t.app);
    const res = await anon.get('/dieu-phoi/ke-hoach');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/dang-nhap\?tiep=/);
    expect((await coord.post('/dieu-phoi/ke-hoach/bao-cao/khong-phai-uuid/gia-han', { unitCode: 'P1', dueDate: '25/10/2025', reason: 'x' })).statusCode).toBe(404);
  });
});

describe('unit page', () => {
  it('lists its lead and support tasks, reports progress (bad date refused), sends a report once, remedies a finding', async () => {
    const unit = await as('p1.editor');
    const page = await unit.get('/don-vi/ke-hoach?nam=2025');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/don-vi/ke-hoach" aria-current="page">Kế hoạch, báo cáo</a>');
    // P1 leads 3.1 and supports 1.1 (tasks of others are not listed).
    expect([...page.body.matchAll(/<article class="panel task" id="[^"]+" data-task="([\d.]+)"/g)].map((m) => m[1]).sort()).toEqual(['1.1', '3.1']);
    const bad = await unit.post('/don-vi/ke-hoach/tien-do', { nam: '2025', planCode: 'KH-2025', taskCode: '1.1', status: 'done', completedOn: '32/01/2025', note: '' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Ngày hoàn thành không hợp lệ');
    const future = await unit.post('/don-vi/ke-hoach/tien-do', { nam: '2025', planCode: 'KH-2025', taskCode: '1.1', status: 'done', completedOn: '01/11/2025', note: '' });
    expect(future.statusCode).toBe(422);
    const ok = await unit.post('/don-vi/ke-hoach/tien-do', { nam: '2025', planCode: 'KH-2025', taskCode: '1.1', status: 'done', completedOn: '20/01/2025', note: 'Phần phối hợp' });
    expect(ok.statusCode).toBe(303);
    const plan = (await api('coord', 'GET', '/plans/KH-2025')).json();
    const t11 = plan.tasks.find((x: { code: string }) => x.code === '1.1');
    expect(t11.progress).toEqual([expect.objectContaining({ unitCode: 'P1', status: 'done', completedOn: '2025-01-20', note: 'Phần phối hợp' })]);
    // A supporter's report is its part: the lead's task stays overdue.
    expect(t11.status).toBe('overdue');
    // A task P1 neither leads nor supports: 404.
    expect((await unit.post('/don-vi/ke-hoach/tien-do', { nam: '2025', planCode: 'KH-2025', taskCode: '2.1', status: 'in_progress' })).statusCode).toBe(404);

    const [period] = (await api('coord', 'GET', '/report-periods?year=2025')).json();
    const missing = await unit.post(`/don-vi/ke-hoach/bao-cao/${period.id}`, { nam: '2025', docNumber: '', docDate: '20/10/2025', issuer: 'UBND Phường 1', title: 'Báo cáo' });
    expect(missing.statusCode).toBe(422);
    const sent = await unit.post(`/don-vi/ke-hoach/bao-cao/${period.id}`, { nam: '2025', docNumber: '45/BC-UBND', docDate: '20/10/2025', issuer: 'UBND Phường 1', title: 'Báo cáo CCHC quý III/2025' });
    expect(sent.statusCode).toBe(303);
    const after = (await api('coord', 'GET', `/report-periods/${period.id}`)).json();
    expect(after.units.find((u: { unitCode: string }) => u.unitCode === 'P1')).toMatchObject({ status: 'late', submittedOn: '2025-10-20', document: { docNumber: '45/BC-UBND', docDate: '2025-10-20' } });
    const twice = await unit.post(`/don-vi/ke-hoach/bao-cao/${period.id}`, { nam: '2025', docNumber: '46/BC-UBND', docDate: '20/10/2025', issuer: 'UBND Phường 1', title: 'Lần hai' });
    expect(twice.statusCode).toBe(409);

    const rem = await unit.post(`/don-vi/ke-hoach/kiem-tra/${inspectionId}/khac-phuc`, { nam: '2025', code: '2', remediedOn: '15/10/2025', note: 'Đã gửi văn bản xin lỗi' });
    expect(rem.statusCode).toBe(303);
    const insp = (await api('coord', 'GET', `/inspections/${inspectionId}`)).json();
    expect(insp.findings.map((f: { code: string; status: string }) => `${f.code}:${f.status}`)).toEqual(['1:remedied', '2:late']);
    const page2 = await unit.get('/don-vi/ke-hoach?nam=2025');
    expect(page2.body).toMatch(/data-finding="2" data-status="late"/);
  });

  it('another unit sees neither P1’s inspection nor may it remedy it; CSRF and roles are enforced', async () => {
    const p2 = await as('p2.editor');
    const page = await p2.get('/don-vi/ke-hoach?nam=2025');
    expect(page.body).not.toContain('Chưa niêm yết đủ TTHC');
    const res = await p2.post(`/don-vi/ke-hoach/kiem-tra/${inspectionId}/khac-phuc`, { nam: '2025', code: '1', remediedOn: '15/10/2025' });
    expect([403, 404]).toContain(res.statusCode);
    const before = (await api('coord', 'GET', '/plans/KH-2025')).json().tasks.find((x: { code: string }) => x.code === '3.2').progress;
    expect((await p2.post('/don-vi/ke-hoach/tien-do', { _csrf: '', planCode: 'KH-2025', taskCode: '3.2', status: 'in_progress' })).statusCode).toBe(403);
    expect((await api('coord', 'GET', '/plans/KH-2025')).json().tasks.find((x: { code: string }) => x.code === '3.2').progress).toEqual(before);
    expect((await (await as('coord')).get('/don-vi/ke-hoach')).statusCode).toBe(403);
    expect((await (await as('appraiser')).get('/don-vi/ke-hoach')).statusCode).toBe(403);
  });
});

describe('tracked numbers on fed criteria', () => {
  it('the unit and the appraisers’ item view show 1/2 with the trace; after the unit enters 2/2 both see that it differs', async () => {
    const unit = await as('p1.editor');
    let area = await unit.get(`/don-vi/${roundId}/P1/linh-vuc/2`);
    expect(area.statusCode).toBe(200);
    expect(area.body).toContain('data-tracked="2.1"');
    expect(area.body).toMatch(/data-tracked-value>1\/2</);
    expect(area.body).toContain('finding 1 (due 2025-07-31): remedied 2025-07-10 → on time');
    expect(area.body).not.toContain('data-differs');
    // Only the fed leaf has the block.
    expect(area.body.match(/data-tracked="/g)).toHaveLength(1);
    const item = (await api('p1.editor', 'GET', `/rounds/${roundId}/assessments/P1`)).json().items.find((i: { criterionCode: string }) => i.criterionCode === '2.1');
    const put = await api('p1.editor', 'PUT', `/rounds/${roundId}/assessments/P1/items/2.1/self`, { input: { numerator: 2, denominator: 2 }, note: 'Đã khắc phục cả hai' }, { 'if-match': item.etag });
    expect(put.statusCode).toBe(200);
    area = await unit.get(`/don-vi/${roundId}/P1/linh-vuc/2`);
    expect(area.body).toContain('khác với số liệu theo dõi');
    // The appraisers' item view, opened by the coordinator (appraisers see items from the appraisal phase on).
    const view = await (await as('coord')).get(`/tham-dinh/${roundId}/P1/2.1`);
    expect(view.statusCode).toBe(200);
    expect(view.body).toMatch(/data-tracked-value>1\/2</);
    expect(view.body).toContain('Đơn vị nhập: <strong>2/2</strong>');
    expect(view.body).toContain('khác với số liệu theo dõi');
  });
});
