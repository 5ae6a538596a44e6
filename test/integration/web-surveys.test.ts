// The survey administration pages and the coordinator's result downloads over app.inject: Vietnamese pages for
// the coordinator (and the admin where the policy allows), 403 for a unit, CSRF on the publish and import forms,
// the dry-run import report by row number that stores nothing, the real import, printable QR links, and the
// CSV/XLSX downloads served on the session cookie from the same export code as the API.
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';
import { WebClient } from '../helpers/web.js';

let t: TestApp;
let roundId: string;

beforeAll(async () => {
  // A small import cap (about 20 KB) to see the size refusal without a large file.
  t = await createTestApp({ clock: () => new Date('2025-10-20T03:00:00Z'), env: { SURVEY_IMPORT_MAX_MB: '0.02' } });
  await seedDirectory(t);
  // SIPAS-T is the survey the test framework scores from; the open round makes P1 and P2 collect its responses.
  await insertSurvey(t, surveyDoc('SIPAS-T', { TIEP_CAN: ['Q1', 'Q2'], KET_QUA: ['Q3'] }, { minResponses: 2, name: 'Khảo sát sự hài lòng của người dân năm 2025', demographics: ['sex'] }));
  await insertSurvey(t, surveyDoc('SIPAS-NHAP', { TIEP_CAN: ['Q1'] }, { name: 'Bảng hỏi dự thảo đánh giá dịch vụ công' }), 'draft');
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

async function as(username: string) {
  const web = new WebClient(t.app);
  await web.login(username, PASSWORD);
  return web;
}
const responses = async (code = 'SIPAS-T') => {
  const res = await t.database.db.execute(sql`select r.response_id, r.unit_code, r.answers from survey_responses r join surveys s on s.id = r.survey_id where s.code = ${code} order by r.response_id`);
  return (res as unknown as { rows: { response_id: string; unit_code: string; answers: Record<string, string> }[] }).rows;
};
const surveyStatus = async (code: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/surveys/${code}`, headers: await t.as('coord') })).json().status as string;

// A KoboToolbox-style CSV export: ";" separated, group paths, a Vietnamese label for one answer, a bad option
// (row 4) and an unknown unit (row 5).
const kobo = [
  'TIEP_CAN/Q1;TIEP_CAN/Q2;KET_QUA/Q3;unitCode;sex;meta/instanceID',
  '5;4;3;P1;female;uuid:w-1',
  'Hài lòng;3;;P2;;uuid:w-2',
  '7;4;3;P1;;uuid:w-3',
  '5;5;5;P9;;uuid:w-4',
].join('\r\n');
const csvFile = (content: string, filename = 'phieu-kobo.csv') => ({ field: 'file', filename, content: Buffer.from(content, 'utf8'), contentType: 'text/csv' });
const importUrl = (mode: 'kiem-tra' | 'nhap', code = 'SIPAS-T') => `/dieu-phoi/khao-sat/${code}/nhap-phieu?che-do=${mode}`;

describe('survey list and page', () => {
  it('lists the questionnaires in Vietnamese with status, version and response counts, linked from the navigation', async () => {
    const coord = await as('coord');
    const res = await coord.get('/dieu-phoi/khao-sat');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Khảo sát</h1>');
    expect(res.body).toContain('href="/dieu-phoi/khao-sat" aria-current="page">Khảo sát</a>');
    expect(res.body).toContain('Khảo sát sự hài lòng của người dân năm 2025');
    expect(res.body).toContain('Đang nhận phiếu');
    expect(res.body).toContain('Dự thảo');
    expect(res.body).toContain('href="/dieu-phoi/khao-sat/SIPAS-T"');
    expect(res.body).toContain('Số phiếu');
    // Every script, stylesheet and link stays on this server.
    for (const m of res.body.matchAll(/(?:src|href)="([^"]+)"/g)) expect(m[1]!.startsWith('/') || m[1]!.startsWith('#')).toBe(true);
    // The admin manages surveys too (the API policy: survey.manage).
    const admin = await as('admin');
    const list = await admin.get('/dieu-phoi/khao-sat');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('>Khảo sát</a>');
  });

  it('shows the questionnaire and, for the coordinator, the results; the admin sees no results (survey.results)', async () => {
    const coord = await as('coord');
    const res = await coord.get('/dieu-phoi/khao-sat/SIPAS-T');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Bảng hỏi');
    expect(res.body).toContain('TIEP_CAN · Chiều TIEP_CAN');
    expect(res.body).toContain('Câu hỏi Q3');
    expect(res.body).toContain('Rất hài lòng');
    expect(res.body).toContain('Kết quả khảo sát');
    expect(res.body).toContain('UBND Phường An Hòa');
    expect(res.body).toContain('dưới 2 phiếu');
    // Issue 15: edited in the questionnaire editor while no response has come in, previewed as citizens see it.
    expect(res.body).toContain('href="/dieu-phoi/khao-sat/SIPAS-T/sua"');
    expect(res.body).toContain('href="/dieu-phoi/khao-sat/SIPAS-T/xem-truoc"');
    expect(res.body).toContain('href="/dieu-phoi/khao-sat/SIPAS-T/duong-dan"');
    const admin = await as('admin');
    const page = await admin.get('/dieu-phoi/khao-sat/SIPAS-T');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Kết quả khảo sát');
    expect((await coord.get('/dieu-phoi/khao-sat/KHONG-CO')).statusCode).toBe(404);
  });

  it('refuses a unit editor (403) and sends an anonymous visitor to log in', async () => {
    const unit = await as('p1.editor');
    for (const url of ['/dieu-phoi/khao-sat', '/dieu-phoi/khao-sat/SIPAS-T', '/dieu-phoi/khao-sat/SIPAS-T/duong-dan', '/dieu-phoi/khao-sat/SIPAS-T/nhap-phieu', '/dieu-phoi/khao-sat/SIPAS-T/duong-dan/P1/qr.png']) {
      const res = await unit.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(res.body).toContain('Không có quyền');
    }
    expect(unit.csrf).not.toBe('');
    const post = await unit.upload(importUrl('nhap'), { _csrf: unit.csrf }, csvFile(kobo));
    expect(post.statusCode).toBe(403);
    expect((await unit.post('/dieu-phoi/khao-sat/SIPAS-NHAP/cong-bo', { xac_nhan: '1' })).statusCode).toBe(403);
    expect(await surveyStatus('SIPAS-NHAP')).toBe('draft');
    const anon = new WebClient(t.app);
    const res = await anon.get('/dieu-phoi/khao-sat');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/dang-nhap?tiep=${encodeURIComponent('/dieu-phoi/khao-sat')}`);
    expect(unit.cookies.has('par_session')).toBe(true);
  });
});

describe('publishing a draft questionnaire', () => {
  it('needs the CSRF token and the confirmation box, then publishes', async () => {
    const coord = await as('coord');
    const page = await coord.get('/dieu-phoi/khao-sat/SIPAS-NHAP');
    expect(page.body).toContain('Công bố bảng hỏi');
    expect(page.body).toContain('data-confirm=');
    expect(page.body).toContain('name="xac_nhan"');
    const noToken = await coord.post('/dieu-phoi/khao-sat/SIPAS-NHAP/cong-bo', { _csrf: '', xac_nhan: '1' });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain('Biểu mẫu không hợp lệ');
    expect(await surveyStatus('SIPAS-NHAP')).toBe('draft');
    const unconfirmed = await coord.post('/dieu-phoi/khao-sat/SIPAS-NHAP/cong-bo', {});
    expect(unconfirmed.statusCode).toBe(422);
    expect(unconfirmed.body).toContain('Hãy đánh dấu ô xác nhận');
    expect(await surveyStatus('SIPAS-NHAP')).toBe('draft');
    // The import page of a draft says to publish first.
    expect((await coord.get('/dieu-phoi/khao-sat/SIPAS-NHAP/nhap-phieu')).body).toContain('Bảng hỏi còn là dự thảo');
    const ok = await coord.post('/dieu-phoi/khao-sat/SIPAS-NHAP/cong-bo', { xac_nhan: '1' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/dieu-phoi/khao-sat/SIPAS-NHAP?tb=da-cong-bo-khao-sat');
    expect(await surveyStatus('SIPAS-NHAP')).toBe('published');
    const after = await coord.get(ok.headers.location as string);
    expect(after.body).toContain('Đã công bố bảng hỏi');
    expect(after.body).not.toContain('name="xac_nhan"');
    const again = await coord.post('/dieu-phoi/khao-sat/SIPAS-NHAP/cong-bo', { xac_nhan: '1' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Bảng hỏi đã được công bố.');
  });
});

describe('printable links with QR codes', () => {
  it('prints one card per collecting unit with an inline SVG QR code, and serves the PNG/SVG images itself', async () => {
    const coord = await as('coord');
    const res = await coord.get('/dieu-phoi/khao-sat/SIPAS-T/duong-dan');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Đường dẫn và mã QR');
    expect(res.body).toContain('UBND Phường 1');
    expect(res.body).toContain('UBND Phường An Hòa');
    expect(res.body.match(/<article class="qr-card">/g)).toHaveLength(2);
    expect(res.body).toContain('<svg');
    expect(res.body).toContain(`${t.config.publicBaseUrl}/khao-sat/SIPAS-T/P2`);
    expect(res.body).not.toMatch(/<script(?![^>]*src="\/assets\/)/);
    const png = await coord.get('/dieu-phoi/khao-sat/SIPAS-T/duong-dan/P1/qr.png');
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const svg = await coord.get('/dieu-phoi/khao-sat/SIPAS-T/duong-dan/P2/qr.svg');
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.headers['content-disposition']).toContain('attachment; filename="qr-SIPAS-T-P2.svg"');
    expect((await coord.get('/dieu-phoi/khao-sat/SIPAS-T/duong-dan/P9/qr.png')).statusCode).toBe(404);
  });
});

describe('bulk import of survey exports', () => {
  it('refuses an upload without the CSRF token and stores nothing', async () => {
    const coord = await as('coord');
    await coord.get('/dieu-phoi/khao-sat/SIPAS-T/nhap-phieu');
    const res = await coord.upload(importUrl('nhap'), {}, csvFile(kobo));
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Biểu mẫu không hợp lệ');
    const wrong = await coord.upload(importUrl('nhap'), { _csrf: 'not-a-token' }, csvFile(kobo));
    expect(wrong.statusCode).toBe(403);
    expect(await responses()).toEqual([]);
  });

  it('a dry run reports counts and refused rows by number, and stores nothing', async () => {
    const coord = await as('coord');
    const form = await coord.get('/dieu-phoi/khao-sat/SIPAS-T/nhap-phieu');
    expect(form.body).toContain('Nhập phiếu khảo sát từ tệp');
    expect(form.body).toContain(`formaction="/dieu-phoi/khao-sat/SIPAS-T/nhap-phieu?che-do=nhap"`);
    const res = await coord.upload(importUrl('kiem-tra'), { _csrf: coord.csrf }, csvFile(kobo));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Kết quả kiểm tra (chạy thử): phieu-kobo.csv');
    expect(res.body).toContain('chưa có phiếu nào được lưu');
    expect(res.body).toContain('Tệp có 4 dòng dữ liệu: 2 phiếu sẽ được nhập, 0 phiếu đã sửa sẽ thay bản cũ, 0 phiếu trùng (bỏ qua), 0 dòng không phải phiếu (bỏ qua), 2 dòng bị từ chối.');
    // Every question of the survey with the columns that answer it.
    expect(res.body).toMatch(/<tr><td><code>Q1<\/code><\/td><td><code>TIEP_CAN\/Q1<\/code> <small class="muted">\(mã\)<\/small><\/td><\/tr>/);
    const rows = [...res.body.matchAll(/<tr><td class="num">(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)</g)].map((m) => [Number(m[1]), m[2], m[3]]);
    expect(rows).toEqual([
      [4, 'TIEP_CAN/Q1', 'Câu trả lời không phải là một lựa chọn của câu hỏi.'],
      [5, 'unitCode', 'Mã đơn vị không tồn tại.'],
    ]);
    expect(res.body).toContain('meta/instanceID');
    expect(await responses()).toEqual([]);
    // The same with no mode in the URL: a dry run is the default.
    const plain = await coord.upload('/dieu-phoi/khao-sat/SIPAS-T/nhap-phieu', { _csrf: coord.csrf }, csvFile(kobo));
    expect(plain.body).toContain('Kết quả kiểm tra (chạy thử)');
    expect(await responses()).toEqual([]);
  });

  it('the import stores the valid rows; importing the same file again stores nothing more', async () => {
    const coord = await as('coord');
    await coord.get('/dieu-phoi/khao-sat/SIPAS-T/nhap-phieu');
    const res = await coord.upload(importUrl('nhap'), { _csrf: coord.csrf }, csvFile(kobo));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Đã nhập 2 phiếu từ 4 dòng dữ liệu');
    expect(await responses()).toEqual([
      { response_id: 'w-1', unit_code: 'P1', answers: { Q1: '5', Q2: '4', Q3: '3' } },
      { response_id: 'w-2', unit_code: 'P2', answers: { Q1: '4', Q2: '3' } },
    ]);
    const again = await coord.upload(importUrl('nhap'), { _csrf: coord.csrf }, csvFile(kobo));
    expect(again.body).toContain('Đã nhập 0 phiếu từ 4 dòng dữ liệu; 0 phiếu đã sửa thay bản cũ, 2 phiếu trùng (bỏ qua)');
    expect(await responses()).toHaveLength(2);
    // The survey page counts them and shows the unit results.
    const page = await coord.get('/dieu-phoi/khao-sat/SIPAS-T');
    expect(page.body).toMatch(/Số phiếu<\/span><strong>2<\/strong>/);
    expect(page.body).toMatch(/UBND Phường 1 <span class="muted">\(P1\)<\/span> <span class="tag warn">dưới 2 phiếu<\/span><\/th><td class="num">1<\/td><td class="num"><strong>50,00<\/strong><\/td><td class="num">100,00<\/td><td class="num">0,00<\/td>/);
  });

  it('imports JSON and XLSX files of one unit (the unit chosen in the form)', async () => {
    const coord = await as('coord');
    await coord.get('/dieu-phoi/khao-sat/SIPAS-T/nhap-phieu');
    const json = JSON.stringify({ results: [{ _uuid: 'j-1', TIEP_CAN: { Q1: '5', Q2: '5' } }, { _uuid: 'j-2', Q1: '1' }] });
    const j = await coord.upload(importUrl('nhap'), { _csrf: coord.csrf, unitCode: 'P2' }, { field: 'file', filename: 'odk.json', content: Buffer.from(json), contentType: 'application/json' });
    expect(j.statusCode, j.body).toBe(200);
    expect(j.body).toContain('Đã nhập 2 phiếu');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Phiếu');
    ws.addRow(['KEY', 'Q1', 'Q3']);
    ws.addRow(['x-1', 'Rất hài lòng', '4']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const x = await coord.upload(importUrl('nhap'), { _csrf: coord.csrf, unitCode: 'P1' }, { field: 'file', filename: 'limesurvey.xlsx', content: xlsx });
    expect(x.statusCode, x.body).toBe(200);
    expect(x.body).toContain('Đã nhập 1 phiếu');
    const stored = await responses();
    expect(stored.find((r) => r.response_id === 'j-1')).toEqual({ response_id: 'j-1', unit_code: 'P2', answers: { Q1: '5', Q2: '5' } });
    expect(stored.find((r) => r.response_id === 'x-1')).toEqual({ response_id: 'x-1', unit_code: 'P1', answers: { Q1: '5', Q3: '4' } });
  });

  it('explains in Vietnamese a file it cannot import, a wrong type and a file over the size cap, storing nothing', async () => {
    const coord = await as('coord');
    await coord.get('/dieu-phoi/khao-sat/SIPAS-T/nhap-phieu');
    const before = (await responses()).length;
    const noId = await coord.upload(importUrl('nhap'), { _csrf: coord.csrf }, csvFile('Q1,Q2,unitCode\n5,4,P1\n'));
    expect(noId.statusCode).toBe(422);
    expect(noId.body).toContain('Không tìm thấy cột mã phiếu');
    expect(noId.body).toContain('Chưa có phiếu nào được lưu.');
    const broken = await coord.upload(importUrl('nhap'), { _csrf: coord.csrf }, { field: 'file', filename: 'hong.json', content: Buffer.from('[{"id": "b-1", "unitCode": "P1", "Q1": "5"}, {"id": '), contentType: 'application/json' });
    expect(broken.statusCode).toBe(422);
    expect(broken.body).toContain('Không đọc được tệp');
    const badCsv = await coord.upload(importUrl('kiem-tra'), { _csrf: coord.csrf }, csvFile('id,unitCode,Q1\n"c-1,P1,5\n'));
    expect(badCsv.statusCode).toBe(422);
    const pdf = await coord.upload(importUrl('nhap'), { _csrf: coord.csrf }, { field: 'file', filename: 'phieu.pdf', content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' });
    expect(pdf.statusCode).toBe(415);
    expect(pdf.body).toContain('Chỉ nhận tệp CSV, JSON hoặc XLSX');
    const big = ['id;unitCode;Q1', ...Array.from({ length: 2000 }, (_, i) => `big-${i};P1;5`)].join('\n');
    expect(big.length).toBeGreaterThan(21_000);
    const tooBig = await coord.upload(importUrl('nhap'), { _csrf: coord.csrf }, csvFile(big, 'lon.csv'));
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.body).toContain('hãy chia thành nhiều tệp nhỏ hơn');
    expect(await responses()).toHaveLength(before);
    const empty = await coord.post(importUrl('nhap'), {});
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Vui lòng chọn tệp phiếu.');
  });
});

describe("downloads on the coordinator's results page", () => {
  const downloads = [
    ['ket-qua.csv', 'text/csv; charset=utf-8', `ket-qua-ROUND.csv`, 'results.csv'],
    ['ket-qua.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'ket-qua-ROUND.xlsx', 'results.xlsx'],
    ['chenh-lech.csv', 'text/csv; charset=utf-8', 'chenh-lech-ROUND.csv', 'discrepancies.csv'],
    ['chenh-lech.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'chenh-lech-ROUND.xlsx', 'discrepancies.xlsx'],
  ] as const;

  it('links CSV and XLSX downloads of the results and of the discrepancy report', async () => {
    const coord = await as('coord');
    const page = await coord.get(`/dieu-phoi/ky-danh-gia/${roundId}/ket-qua`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Tải về');
    for (const [file] of downloads) expect(page.body).toContain(`href="/dieu-phoi/ky-danh-gia/${roundId}/tai-ve/${file}"`);
  });

  it('serves them on the session cookie with the content type, an attachment name, a BOM in CSV and Vietnamese intact', async () => {
    const coord = await as('coord');
    for (const [file, type, name, api] of downloads) {
      const res = await coord.get(`/dieu-phoi/ky-danh-gia/${roundId}/tai-ve/${file}`);
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-disposition']).toContain(`attachment; filename="${name.replace('ROUND', roundId)}"`);
      expect(res.headers['cache-control']).toBe('private, no-store');
      // The same bytes (CSV) or the same cells (XLSX) as the API export: one export code.
      const fromApi = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/${api}`, headers: await t.as('coord') });
      if (file.endsWith('.csv')) {
        expect(res.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
        expect(res.body).toBe(fromApi.body);
        if (file.startsWith('ket-qua')) {
          // Excel flavour (issue 15): ";" columns under a single header row.
          expect(res.body).toContain('Nhóm;Xếp hạng;Mã đơn vị;Đơn vị');
          expect(res.body).toContain('UBND Phường An Hòa');
          expect(res.body).toContain('UBND xã, phường');
        } else {
          // The stacked reports under one header row (an empty report adds no rows, so no name).
          expect(res.body.startsWith('\uFEFFBảng;Nhóm;Mã đơn vị;Đơn vị;Tự chấm;Thẩm định;Chênh lệch;Lĩnh vực;Tiêu chí;Lý do\r\n')).toBe(true);
          expect(res.body).toContain('Tiêu chí chưa chốt điểm');
          // One table under one header: the report each row comes from is in the first column.
          expect(res.body).toMatch(/\r\nTiêu chí chưa chốt điểm;XA;P2;UBND Phường An Hòa;;;;;2\.2 Rà soát, đơn giản hóa TTHC;/);
          // Reasons are written for the reader, not as the API's codes.
          expect(res.body).toMatch(/Chưa thẩm định|Chờ thẩm định lại sau giải trình|Chưa có kết quả khảo sát/);
          expect(res.body).not.toMatch(/not_appraised|awaiting_final|survey_missing/);
        }
      } else {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
        const cells = wb.worksheets.flatMap((ws) => ws.getSheetValues().flatMap((r) => (Array.isArray(r) ? r.filter((v) => typeof v === 'string') : [])));
        const apiWb = new ExcelJS.Workbook();
        await apiWb.xlsx.load(fromApi.rawPayload as unknown as ArrayBuffer);
        expect(wb.worksheets.map((w) => w.name)).toEqual(apiWb.worksheets.map((w) => w.name));
        if (file.startsWith('ket-qua')) {
          expect(wb.worksheets[0]!.name).toBe('UBND xã, phường');
          expect(cells).toContain('Đơn vị');
          expect(cells).toContain('UBND Phường An Hòa');
        } else {
          expect(wb.worksheets.map((w) => w.name)).toContain('Chênh lệch theo tiêu chí');
          expect(cells).toContain('Mã đơn vị');
        }
      }
    }
  });

  it('are for the coordinator only, and need a session', async () => {
    const unit = await as('p1.editor');
    expect((await unit.get(`/dieu-phoi/ky-danh-gia/${roundId}/tai-ve/ket-qua.csv`)).statusCode).toBe(403);
    const appraiser = await as('appraiser');
    expect((await appraiser.get(`/dieu-phoi/ky-danh-gia/${roundId}/tai-ve/chenh-lech.xlsx`)).statusCode).toBe(403);
    const anon = new WebClient(t.app);
    expect((await anon.get(`/dieu-phoi/ky-danh-gia/${roundId}/tai-ve/ket-qua.csv`)).statusCode).toBe(303);
    // A bearer token is not a session.
    const bearer = await t.app.inject({ method: 'GET', url: `/dieu-phoi/ky-danh-gia/${roundId}/tai-ve/ket-qua.csv`, headers: await t.as('coord') });
    expect(bearer.statusCode).toBe(303);
    const coord = await as('coord');
    expect((await coord.get('/dieu-phoi/ky-danh-gia/not-a-uuid/tai-ve/ket-qua.csv')).statusCode).toBe(404);
  });
});
