import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, schedule } from '../helpers/fixtures.js';

// A full round for two groups: wards (P1, P2) and departments (PNV, PTP), both on the test framework
// (areas 1: max 3, 2: max 4, 3: survey max 2 with surveyOptional and no responses → N/A, bonus 9: max 1, cap 1).
let now = new Date('2025-10-20T03:00:00Z');
let t: TestApp;
let roundId: string;

const at = (day: string) => {
  now = new Date(`${day}T03:00:00Z`);
};

beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { SESSION_TTL_HOURS: '8760' } });
  await seedDirectory(t);
  await insertFramework(t);
  await insertFramework(t, { code: 'PB-T', lineage: 'PB-T' });
  const ctx = { actor: null, requestId: 'test', now };
  const { orgUnitsRepo } = await import('../../src/modules/org-units/org-units.repo.js');
  await orgUnitsRepo.insert(t.database.db, { code: 'VP', name: 'Văn phòng HĐND và UBND', kind: 'department', parentCode: 'CITY', createdAt: now, updatedAt: now });
  for (const u of [
    { username: 'vp.appraiser', displayName: 'Thẩm định viên Văn phòng', role: 'appraiser' as const, orgUnitCode: 'VP' },
    { username: 'pnv.head', displayName: 'Trưởng phòng Nội vụ', role: 'unit_head' as const, orgUnitCode: 'PNV' },
    { username: 'ptp.head', displayName: 'Trưởng phòng Tư pháp', role: 'unit_head' as const, orgUnitCode: 'PTP' },
  ]) {
    await t.app.services.users.createAsSystem(ctx, { ...u, password: PASSWORD });
  }
  const created = await req('coord', 'POST', '/api/v1/rounds', {
    year: 2025,
    name: 'Xác định Chỉ số CCHC năm 2025',
    groups: [
      { code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', unitCodes: ['P1', 'P2'] },
      { code: 'PB', name: 'Phòng chuyên môn', frameworkCode: 'PB-T', unitCodes: ['PNV', 'PTP'] },
    ],
    schedule,
  });
  roundId = created.json().id;
  expect((await req('coord', 'POST', `/api/v1/rounds/${roundId}/transition`, { to: 'self_assessment' })).statusCode).toBe(200);
});
afterAll(() => t.close());

async function req(who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, extra: Record<string, string> = {}) {
  return t.app.inject({ method, url, headers: { ...(await t.as(who)), ...extra }, ...(payload !== undefined ? { payload: payload as object } : {}) });
}
const item = (unit: string, code: string) => `/api/v1/rounds/${roundId}/assessments/${unit}/items/${code}`;
async function etag(who: string, unit: string, code: string) {
  const res = await req(who, 'GET', item(unit, code));
  expect(res.statusCode, `${who} GET ${unit}/${code}: ${res.body}`).toBe(200);
  return res.json().etag as string;
}
/** A write with the current ETag, as `who` sees it. */
async function write(who: string, unit: string, code: string, kind: 'self' | 'appraisal' | 'explanation' | 'final', body: object) {
  return req(who, 'PUT', `${item(unit, code)}/${kind}`, body, { 'if-match': await etag(who, unit, code) });
}
async function ok<T extends { statusCode: number; body: string }>(p: Promise<T>): Promise<T> {
  const res = await p;
  expect(res.statusCode, res.body).toBe(200);
  return res;
}
const move = (to: string) => req('coord', 'POST', `/api/v1/rounds/${roundId}/transition`, { to });

describe('a full appraisal round', () => {
  it('self-assessment: units score and submit', async () => {
    // P1: 0.5 + 2 + 2×(1 − 3/40) = 1.85 + 0.75 + 1 = 6.10
    await ok(write('p1.editor', 'P1', '1.1', 'self', { input: { option: 'LATE' }, note: 'KH số 125/KH-UBND ngày 20/02/2025' }));
    await ok(write('p1.editor', 'P1', '1.2', 'self', { input: { percent: 92.5 } }));
    await ok(write('p1.editor', 'P1', '2.1', 'self', { input: { numerator: 3, denominator: 40 } }));
    await ok(write('p1.editor', 'P1', '2.2', 'self', { input: { points: 0.75 } }));
    await ok(write('p1.editor', 'P1', '2.3', 'self', { input: { value: true }, note: 'Niêm yết tại Bộ phận Một cửa' }));
    // P2: 1 + 1 + N/A + 1 + 1 = 4 of 5
    await ok(write('p2.editor', 'P2', '1.1', 'self', { input: { option: 'ON_TIME' }, note: 'KH số 30/KH-UBND' }));
    await ok(write('p2.editor', 'P2', '1.2', 'self', { input: { percent: 75 } }));
    await ok(write('p2.editor', 'P2', '2.1', 'self', { notApplicable: true, note: 'Không phát sinh hồ sơ quá hạn' }));
    await ok(write('p2.editor', 'P2', '2.2', 'self', { input: { points: 1 } }));
    await ok(write('p2.editor', 'P2', '2.3', 'self', { input: { value: true }, note: 'Niêm yết đầy đủ' }));
    // Both departments claim everything: 1 + 2 + 2×(1 − 0/10) + 1 + 1 = 7 of 7.
    for (const [who, unit] of [['pnv.head', 'PNV'], ['ptp.head', 'PTP']] as const) {
      await ok(write(who, unit, '1.1', 'self', { input: { option: 'ON_TIME' }, note: 'Đúng hạn' }));
      await ok(write(who, unit, '1.2', 'self', { input: { percent: 95 } }));
      await ok(write(who, unit, '2.1', 'self', { input: { numerator: 0, denominator: 10 } }));
      await ok(write(who, unit, '2.2', 'self', { input: { points: 1 } }));
      await ok(write(who, unit, '2.3', 'self', { input: { value: true }, note: 'Có' }));
    }
    for (const [who, unit] of [['p1.head', 'P1'], ['p2.head', 'P2'], ['pnv.head', 'PNV'], ['ptp.head', 'PTP']]) {
      await ok(req(who!, 'POST', `/api/v1/rounds/${roundId}/assessments/${unit}/submit`));
    }
    // Appraisal writes are refused before the appraisal phase.
    const early = await write('coord', 'P1', '1.1', 'appraisal', { points: 0.5 });
    expect(early.statusCode).toBe(403);
  });

  it('assignments: areas must exist, only appraisers, never only their own unit', async () => {
    const bad = await req('coord', 'PUT', `/api/v1/rounds/${roundId}/appraisers`, [
      { username: 'p1.head', areaCodes: ['1'] },
      { username: 'appraiser', areaCodes: ['7'] },
      { username: 'appraiser', areaCodes: ['1'], groupCodes: ['NOPE'] },
    ]);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual([
      'body.0.username:not_appraiser',
      'body.1.areaCodes.0:unknown_area',
      'body.2.username:duplicate',
      'body.2.groupCodes.0:unknown_group',
      'body.2.areaCodes.0:unknown_area',
    ]);
    const set = await req('coord', 'PUT', `/api/v1/rounds/${roundId}/appraisers`, [
      { username: 'appraiser', areaCodes: ['1', '2', '9'] },
      { username: 'vp.appraiser', areaCodes: ['1', '2', '9'], groupCodes: ['PB'] },
    ]);
    expect(set.statusCode).toBe(200);
    const mine = set.json().find((a: { username: string }) => a.username === 'appraiser');
    // Phòng Tư pháp's appraiser covers the departments group without its own unit.
    expect(mine.assignments.find((a: { groupCode: string; areaCode: string }) => a.groupCode === 'PB' && a.areaCode === '1').unitCodes).toEqual(['PNV']);
  });

  it('appraisal: recognise, adjust with a comment, confirm N/A, flag for explanation', async () => {
    at('2025-11-10');
    await ok(move('appraisal'));
    // The self points differ → a comment is required; points must be valid for the rule.
    const noComment = await write('appraiser', 'P1', '1.2', 'appraisal', { points: 1 });
    expect(noComment.statusCode).toBe(422);
    expect(noComment.json().errors[0].field).toBe('body.comment');
    const notAnOption = await write('appraiser', 'P1', '1.1', 'appraisal', { points: 0.75, comment: 'x' });
    expect(notAnOption.statusCode).toBe(422);
    expect(notAnOption.json().errors[0].field).toBe('body.points');
    const naUnanswered = await write('appraiser', 'P2', '2.1', 'appraisal', { points: 0 });
    expect(naUnanswered.json().errors[0].field).toBe('body.confirmNotApplicable');

    await ok(write('appraiser', 'P1', '1.1', 'appraisal', { points: 0.5 }));
    await ok(write('appraiser', 'P1', '1.2', 'appraisal', { points: 1, comment: 'Báo cáo chỉ thể hiện 80% nhiệm vụ hoàn thành', requestExplanation: true }));
    await ok(write('appraiser', 'P1', '2.1', 'appraisal', { points: 1.85 }));
    await ok(write('appraiser', 'P1', '2.2', 'appraisal', { points: 0.75 }));
    await ok(write('appraiser', 'P1', '2.3', 'appraisal', { points: 0, comment: 'Không có ảnh chụp bảng niêm yết' }));
    await ok(write('appraiser', 'P1', '9.1', 'appraisal', { points: 0.5, comment: 'Sáng kiến cấp thành phố' }));
    await ok(write('appraiser', 'P2', '1.1', 'appraisal', { points: 1 }));
    await ok(write('appraiser', 'P2', '1.2', 'appraisal', { points: 1 }));
    const na = await ok(write('appraiser', 'P2', '2.1', 'appraisal', { confirmNotApplicable: true }));
    expect(na.json().appraisal).toMatchObject({ confirmNotApplicable: true, points: null });
    // 2.2 of P2 is left unappraised on purpose: the coordinator confirms its self points later.
    await ok(write('appraiser', 'P2', '2.3', 'appraisal', { points: 1 }));
    await ok(write('appraiser', 'P2', '9.1', 'appraisal', { points: 0.25, comment: 'Một sáng kiến' }));
    for (const unit of ['PNV', 'PTP']) await ok(write('vp.appraiser', unit, '9.1', 'appraisal', { points: 0 }));
  });

  it('an appraiser never appraises their own unit, nor outside their areas', async () => {
    const own = await req('appraiser', 'GET', item('PTP', '1.1'));
    expect(own.statusCode).toBe(403);
    const ownWrite = await req('appraiser', 'PUT', `${item('PTP', '1.1')}/appraisal`, { points: 1 }, { 'if-match': '"x"' });
    expect(ownWrite.statusCode).toBe(403);
    // The survey area 3 is nobody's to appraise; the appraiser is not assigned to it either.
    expect((await req('appraiser', 'PUT', `${item('P1', '3.1')}/appraisal`, { points: 1 }, { 'if-match': '"x"' })).statusCode).toBe(404);
    const queue = await req('vp.appraiser', 'GET', `/api/v1/rounds/${roundId}/appraisal-queue?status=appraised`);
    expect(queue.statusCode).toBe(200);
    expect(queue.json().map((q: { unitCode: string; criterionCode: string }) => `${q.unitCode}/${q.criterionCode}`)).toEqual(['PNV/9.1', 'PTP/9.1']);
    const todo = await req('appraiser', 'GET', `/api/v1/rounds/${roundId}/appraisal-queue?unitCode=P2&status=scored`);
    expect(todo.json().map((q: { criterionCode: string }) => q.criterionCode)).toEqual(['2.2']);
  });

  it('a unit does not see the council’s points and comments before the explanation phase', async () => {
    const mine = (await req('p1.editor', 'GET', item('P1', '1.2'))).json();
    expect(mine.appraisal).toBeNull();
    expect(mine.final).toBeNull();
    expect(mine.status).toBe('scored');
    expect(mine.history.map((h: { kind: string }) => h.kind)).toEqual(['self']);
    expect(JSON.stringify(mine)).not.toContain('80% nhiệm vụ');
    const coordView = (await req('coord', 'GET', item('P1', '1.2'))).json();
    expect(coordView.appraisal).toMatchObject({ points: 1, requestExplanation: true, by: { username: 'appraiser', office: 'Phòng Tư pháp' } });
  });

  it('explanation: the unit answers flagged items only and sees the office, not the person', async () => {
    at('2025-12-01');
    await ok(move('explanation'));
    const view = (await req('p1.editor', 'GET', item('P1', '1.2'))).json();
    expect(view.appraisal).toMatchObject({ points: 1, comment: 'Báo cáo chỉ thể hiện 80% nhiệm vụ hoàn thành', by: { office: 'Phòng Tư pháp' } });
    expect(view.appraisal.by.username).toBeUndefined();
    expect(view.mayExplain).toBe(true);
    const appraisalEntry = view.history.find((h: { kind: string }) => h.kind === 'appraisal');
    expect(appraisalEntry).toMatchObject({ actor: null, office: 'Phòng Tư pháp' });

    expect((await write('p1.editor', 'P1', '2.2', 'explanation', { text: 'x' })).statusCode).toBe(409);
    expect((await write('p1.editor', 'P1', '2.2', 'self', { input: { points: 1 } })).statusCode).toBe(409);

    // Extra evidence on the flagged item, then the answer; a stale ETag after that upload is a 412.
    const stale = await etag('p1.editor', 'P1', '1.2');
    const ev = await req('p1.editor', 'POST', `${item('P1', '1.2')}/evidence`, { docNumber: '45/BC-UBND', docDate: '2025-12-01', issuer: 'UBND Phường 1', title: 'Báo cáo kết quả thực hiện kế hoạch CCHC' });
    expect(ev.statusCode).toBe(201);
    const lost = await req('p1.head', 'PUT', `${item('P1', '1.2')}/explanation`, { text: 'x' }, { 'if-match': stale });
    expect(lost.statusCode).toBe(412);
    await ok(write('p1.head', 'P1', '1.2', 'explanation', { text: 'Đã hoàn thành 27/29 nhiệm vụ (93%), kèm báo cáo số 45/BC-UBND.' }));
    expect((await req('p1.editor', 'POST', `${item('P1', '2.2')}/evidence`, { docNumber: '1', docDate: '2025-12-01', issuer: 'x', title: 'x' })).statusCode).toBe(409);
  });

  it('final appraisal: only flagged items; unappraised items block council review until confirmed', async () => {
    at('2025-12-08');
    await ok(move('final_appraisal'));
    expect((await write('appraiser', 'P1', '2.3', 'final', { points: 1, comment: 'x' })).statusCode).toBe(409);
    await ok(write('appraiser', 'P1', '1.2', 'final', { points: 2, comment: 'Chấp nhận giải trình: hoàn thành 93% kế hoạch' }));

    const blocked = await move('council_review');
    expect(blocked.statusCode).toBe(409);
    const open = blocked.json().openItems.map((o: { unitCode: string; criterionCode: string }) => `${o.unitCode}/${o.criterionCode}`);
    expect(open).toEqual(['P2/2.2', ...['1.1', '1.2', '2.1', '2.2', '2.3'].map((c) => `PNV/${c}`), ...['1.1', '1.2', '2.1', '2.2', '2.3'].map((c) => `PTP/${c}`)]);

    const confirm = await req('coord', 'POST', `/api/v1/rounds/${roundId}/confirm-self-points`, { reason: 'Hội đồng thống nhất công nhận điểm tự chấm' });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.json().confirmed).toBe(11);
    const audit = await req('coord', 'GET', '/api/v1/audit?action=round.self_points_confirmed');
    expect(audit.json().items[0].after).toMatchObject({ reason: 'Hội đồng thống nhất công nhận điểm tự chấm', count: 11 });
  });

  it('results: hand-computed totals, indices, bands and competition ranks per group', async () => {
    const res = await req('coord', 'GET', `/api/v1/rounds/${roundId}/results?include=trace`);
    expect(res.statusCode).toBe(200);
    const [xa, pb] = res.json().groups;
    // P2: 1 + 1 + (2.1 N/A) + 1 + 1 = 4 of max 7 − 2 = 5; bonus 0.25 → 4.25; 4.25 / 5 = 85.00 % → Tốt.
    // P1: 0.5 + 2 (final) + 1.85 + 0.75 + 0 = 5.10 of 7; bonus 0.5 → 5.60; 5.60 / 7 = 80.00 % → Tốt.
    expect(xa.rows.map((r: { unitCode: string; total: number; max: number; index: number; band: string; rank: number; selfTotal: number; gap: number; openItems: number }) => [r.unitCode, r.total, r.max, r.index, r.band, r.rank, r.selfTotal, r.gap, r.openItems])).toEqual([
      ['P2', 4.25, 5, 85, 'TOT', 1, 4.25, 0, 0],
      // Self: 6.10 + the same bonus 0.5 = 6.60; gap 5.60 − 6.60 = −1.
      ['P1', 5.6, 7, 80, 'TOT', 2, 6.6, -1, 0],
    ]);
    const p1 = xa.rows[1];
    expect(p1.areas.map((a: { code: string; points: number; max: number; index: number | null }) => [a.code, a.points, a.max, a.index])).toEqual([
      ['1', 2.5, 3, 83.33], // 2.5 / 3 = 83.333… → 83.33
      ['2', 2.6, 4, 65], // 1.85 + 0.75 + 0 = 2.6; 2.6 / 4 = 65 %
      ['3', 0, 0, null], // survey N/A
      ['9', 0.5, 1, null], // bonus: at most min(1 of items, cap 1) = 1; no index
    ]);
    expect(p1.trace.length).toBeGreaterThan(0);
    // Departments: 7 of 7 = 100 % each, bonus 0: a tie shares rank 1, listed by Vietnamese name (Nội vụ < Tư pháp).
    expect(pb.rows.map((r: { unitCode: string; index: number; rank: number; band: string }) => [r.unitCode, r.index, r.rank, r.band])).toEqual([
      ['PNV', 100, 1, 'XS'],
      ['PTP', 100, 1, 'XS'],
    ]);
    const d = res.json().discrepancies;
    expect(d.units[0]).toMatchObject({ unitCode: 'P1', gap: -1 });
    expect(d.items.map((i: { unitCode: string; criterionCode: string; gap: number }) => `${i.unitCode}/${i.criterionCode}:${i.gap}`)).toEqual(['P1/2.3:-1']);
    expect(res.json().openItems).toEqual([]);

    // An appraiser sees only their areas, without totals or ranks.
    const mine = (await req('vp.appraiser', 'GET', `/api/v1/rounds/${roundId}/results`)).json();
    expect(mine.discrepancies).toBeNull();
    expect(mine.groups.map((g: { code: string }) => g.code)).toEqual(['PB']);
    expect(mine.groups[0].rows[0]).toMatchObject({ total: null, rank: null });
    expect(mine.groups[0].rows[0].areas.map((a: { code: string }) => a.code)).toEqual(['1', '2', '9']);
    expect((await req('p1.head', 'GET', `/api/v1/rounds/${roundId}/results`)).statusCode).toBe(403);
  });

  it('exports results and discrepancies as CSV and XLSX', async () => {
    // Default CSV is for Excel with a Vietnamese locale: BOM, ";" separator, "," decimals, one header row.
    const csv = await req('coord', 'GET', `/api/v1/rounds/${roundId}/results.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body.startsWith('\uFEFF')).toBe(true);
    const lines = csv.body.slice(1).split('\r\n');
    expect(lines[0]).toBe('Nhóm;Xếp hạng;Mã đơn vị;Đơn vị;Lĩnh vực 1;Lĩnh vực 2;Lĩnh vực 3;Lĩnh vực 9;Tổng điểm;Điểm tối đa;Chỉ số (%);Xếp loại;Điểm tự chấm;Chênh lệch;Tiêu chí chưa chốt;Nộp tự đánh giá');
    expect(lines.filter((l) => l.startsWith('Nhóm;'))).toHaveLength(1);
    // P2: area 1 = 1.1 (1) + 1.2 (1) = 2; area 2 = 2.2 (1) + 2.3 (1) = 2, 2.1 being N/A.
    expect(csv.body).toContain('UBND xã, phường;1;P2;UBND Phường An Hòa;2,00;2,00;0,00;0,25;4,25;5,00;85,00;Tốt;4,25;0,00;0;');
    // ?format=plain for machines: "," separator (the group name quoted), "." decimals, no BOM.
    const plain = await req('coord', 'GET', `/api/v1/rounds/${roundId}/results.csv?format=plain`);
    expect(plain.statusCode).toBe(200);
    expect(plain.body.startsWith('Nhóm,Xếp hạng,Mã đơn vị,')).toBe(true);
    expect(plain.body).toContain('"UBND xã, phường",1,P2,UBND Phường An Hòa,2.00,2.00,0.00,0.25,4.25,5.00,85.00,Tốt,4.25,0.00,0,');
    expect((await req('coord', 'GET', `/api/v1/rounds/${roundId}/results.csv?format=xml`)).statusCode).toBe(400);
    const xlsx = await req('coord', 'GET', `/api/v1/rounds/${roundId}/discrepancies.xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('Chênh lệch theo tiêu chí')!;
    // Points are typed numbers shown with 2 decimals (Excel computes with them), not text.
    expect(sheet.getRow(2).values).toEqual([undefined, 'XA', 'P1', 'UBND Phường 1', '2.3 Công khai TTHC đầy đủ', 1, 0, -1]);
    expect([5, 6, 7].map((c) => sheet.getRow(2).getCell(c).numFmt)).toEqual(['0.00', '0.00', '0.00']);
  });

  it('moves to council review once everything is decided; decisions are then closed', async () => {
    await ok(move('council_review'));
    expect((await write('appraiser', 'P1', '1.2', 'final', { points: 1, comment: 'x' })).statusCode).toBe(409);
    expect((await write('appraiser', 'P1', '1.1', 'appraisal', { points: 1, comment: 'x' })).statusCode).toBe(409);
  });
});
