// The web forms over app.inject: login and logout, session expiry, CSRF refusal, the unit's scope on web routes,
// rule-specific saving with Vietnamese errors, live points, submission errors, and that the OpenAPI document and
// the pages stay clean (no web routes in the spec, no third-party URLs in pages).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound, testFramework } from '../helpers/fixtures.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';
import { validateFrameworkDocument } from '../../src/modules/frameworks/frameworks.validate.js';
import { writeFrameworkXlsx } from '../../src/modules/frameworks/frameworks.xlsx.js';
import { WebClient } from '../helpers/web.js';
import { pdfBytes } from '../fixtures/blobs/samples.js';
import { cookieNames, cookieOptions } from '../../src/web/session.js';

let now = new Date('2025-10-20T03:00:00Z');
let t: TestApp;
let roundId: string;

beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { SESSION_TTL_HOURS: '2' } });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

const unitBase = (unit = 'P1') => `/don-vi/${roundId}/${unit}`;
const item = async (code: string, unit = 'P1') => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/assessments/${unit}/items/${code}`, headers: await t.as(unit === 'P1' ? 'p1.editor' : 'p2.editor') });
  return res.json() as { etag: string; selfPoints: number | null; selfInput: unknown; notApplicable: boolean; evidence: unknown[]; note: string | null };
};

describe('login, logout and the session cookie', () => {
  it('shows a Vietnamese login page with a CSRF cookie and no third-party assets', async () => {
    const web = new WebClient(t.app);
    const res = await web.get('/dang-nhap');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toContain('Tên đăng nhập');
    expect(web.cookies.has('par_csrf')).toBe(true);
    // Every script and stylesheet is served by this server.
    for (const m of res.body.matchAll(/(?:src|href)="([^"]+)"/g)) expect(m[1]!.startsWith('/') || m[1]!.startsWith('#')).toBe(true);
  });

  it('refuses a login form without its CSRF token', async () => {
    const web = new WebClient(t.app);
    await web.get('/dang-nhap');
    const res = await web.post('/dang-nhap', { _csrf: '', username: 'p1.editor', password: PASSWORD });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Biểu mẫu không hợp lệ');
    expect(web.cookies.has('par_session')).toBe(false);
  });

  it('says in Vietnamese when the password is wrong', async () => {
    const web = new WebClient(t.app);
    await web.get('/dang-nhap');
    const res = await web.post('/dang-nhap', { username: 'p1.editor', password: 'wrong-password' });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
  });

  it('logs in with an HttpOnly SameSite=Lax cookie that lives as long as the token, and sends each role home', async () => {
    const web = new WebClient(t.app);
    await web.get('/dang-nhap');
    const res = await web.post('/dang-nhap', { username: 'p1.editor', password: PASSWORD });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/don-vi');
    const cookie = res.cookies.find((c) => c.name === 'par_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 7200 });
    expect(cookie.secure).toBeFalsy();
    const home = await web.get('/don-vi');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe(unitBase());

    for (const [user, home] of [['appraiser', '/tham-dinh'], ['coord', '/dieu-phoi'], ['admin', '/dieu-phoi/bo-tieu-chi']] as const) {
      const w = new WebClient(t.app);
      await w.get('/dang-nhap');
      expect((await w.post('/dang-nhap', { username: user, password: PASSWORD })).headers.location).toBe(home);
    }
  });

  it('returns to the page asked for, never to another site', async () => {
    const web = new WebClient(t.app);
    const asked = await web.get(unitBase());
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe(`/dang-nhap?tiep=${encodeURIComponent(unitBase())}`);
    await web.get(asked.headers.location as string);
    const res = await web.post('/dang-nhap', { username: 'p1.editor', password: PASSWORD, tiep: unitBase() });
    expect(res.headers.location).toBe(unitBase());
    const evil = new WebClient(t.app);
    await evil.get('/dang-nhap');
    expect((await evil.post('/dang-nhap', { username: 'p1.editor', password: PASSWORD, tiep: '//evil.example/x' })).headers.location).toBe('/don-vi');
  });

  it('uses __Host- cookies with Secure in production', () => {
    const prod = cookieNames({ env: 'production' });
    expect(prod).toEqual({ session: '__Host-par_session', csrf: '__Host-par_csrf', secure: true });
    expect(cookieOptions(prod, 60)).toEqual({ path: '/', httpOnly: true, sameSite: 'lax', secure: true, maxAge: 60 });
    expect(cookieNames({ env: 'test' })).toEqual({ session: 'par_session', csrf: 'par_csrf', secure: false });
  });

  it('logs out with a CSRF-checked form and revokes the token', async () => {
    const web = new WebClient(t.app);
    await web.login('p1.editor', PASSWORD);
    const token = web.cookies.get('par_session')!;
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    await web.get(unitBase());
    expect((await web.post('/dang-xuat', { _csrf: '' })).statusCode).toBe(403);
    const out = await web.post('/dang-xuat', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/dang-nhap?tb=da-dang-xuat');
    expect(web.cookies.has('par_session')).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    expect((await web.get('/dang-nhap?tb=da-dang-xuat')).body).toContain('Bạn đã đăng xuất.');
  });

  it('expires with the token: the next page asks to log in again and the cookie is cleared', async () => {
    const web = new WebClient(t.app);
    await web.login('p1.editor', PASSWORD);
    expect((await web.get(unitBase())).statusCode).toBe(200);
    const saved = now;
    now = new Date(now.getTime() + 2 * 3_600_000 + 1000);
    try {
      const res = await web.get(unitBase());
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toContain('het-han=1');
      expect(web.cookies.has('par_session')).toBe(false);
      expect((await web.get(res.headers.location as string)).body).toContain('Phiên đăng nhập đã hết hạn');
    } finally {
      now = saved;
    }
  });

  it('does not accept a session cookie on the API, nor a bearer token on the pages', async () => {
    const web = new WebClient(t.app);
    await web.login('p1.editor', PASSWORD);
    const token = web.cookies.get('par_session')!;
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `par_session=${token}` } })).statusCode).toBe(401);
    const page = await t.app.inject({ method: 'GET', url: unitBase(), headers: { authorization: `Bearer ${token}` } });
    expect(page.statusCode).toBe(303);
  });
});

describe('scope and roles on web routes', () => {
  it('a P2 clerk cannot open or change P1 pages (404), and an appraiser is not a unit (403)', async () => {
    const p2 = new WebClient(t.app);
    await p2.login('p2.editor', PASSWORD);
    expect((await p2.get(unitBase('P2'))).statusCode).toBe(200);
    const page = await p2.get(unitBase('P1'));
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Không tìm thấy');
    expect((await p2.get(`${unitBase('P1')}/linh-vuc/1`)).statusCode).toBe(404);
    const before = await item('1.2');
    const write = await p2.post(`${unitBase('P1')}/tieu-chi/1.2`, { etag: before.etag, percent: '95' });
    expect(write.statusCode).toBe(404);
    expect((await item('1.2')).etag).toBe(before.etag);

    const appraiser = new WebClient(t.app);
    await appraiser.login('appraiser', PASSWORD);
    expect((await appraiser.get(unitBase('P1'))).statusCode).toBe(403);
    expect((await appraiser.get('/dieu-phoi')).statusCode).toBe(403);
  });

  it('answers 404 for a round id that is not a UUID', async () => {
    const web = new WebClient(t.app);
    await web.login('p1.editor', PASSWORD);
    expect((await web.get('/don-vi/not-a-uuid/P1')).statusCode).toBe(404);
  });
});

describe('the self-assessment form', () => {
  let web: WebClient;
  beforeAll(async () => {
    web = new WebClient(t.app);
    await web.login('p1.editor', PASSWORD);
  });

  it('renders each rule with its own inputs and the deadline countdown', async () => {
    const dash = await web.get(unitBase());
    expect(dash.statusCode).toBe(200);
    expect(dash.body).toContain('03/11/2025');
    expect(dash.body).toContain('còn 14 ngày');
    const area1 = await web.get(`${unitBase()}/linh-vuc/1`);
    expect(area1.body).toContain('name="option" value="ON_TIME"');
    expect(area1.body).toContain('name="percent"');
    const area2 = await web.get(`${unitBase()}/linh-vuc/2`);
    expect(area2.body).toContain('name="numerator"');
    expect(area2.body).toContain('name="denominator"');
    expect(area2.body).toContain('name="khong_phat_sinh"');
    expect(area2.body).toContain('name="points"');
    expect(area2.body).toContain('name="value" value="co"');
  });

  it('refuses a save without the CSRF token and changes nothing', async () => {
    await web.get(`${unitBase()}/linh-vuc/1`);
    const before = await item('1.2');
    const res = await web.post(`${unitBase()}/tieu-chi/1.2`, { _csrf: '', etag: before.etag, percent: '95' });
    expect(res.statusCode).toBe(403);
    expect((await item('1.2')).etag).toBe(before.etag);
  });

  it('computes live points with the scoring engine (decimal comma accepted)', async () => {
    await web.get(`${unitBase()}/linh-vuc/2`);
    const preview = async (code: string, form: Record<string, string>) => (await web.post(`${unitBase()}/tieu-chi/${code}/xem-truoc`, form)).json();
    expect(await preview('1.2', { percent: '92,5' })).toEqual({ kind: 'ok', points: 2, text: '2 / 2 điểm' });
    expect(await preview('1.2', { percent: '90' })).toMatchObject({ kind: 'ok', points: 1 });
    expect(await preview('2.1', { numerator: '1', denominator: '40' })).toEqual({ kind: 'ok', points: 1.95, text: '1,95 / 2 điểm' });
    expect(await preview('2.1', { numerator: '0', denominator: '0' })).toMatchObject({ kind: 'na' });
    expect(await preview('1.2', { percent: '150' })).toMatchObject({ kind: 'error', field: 'percent', text: 'Tỷ lệ phải nằm trong khoảng từ 0 đến 100.' });
    expect(await preview('2.2', {})).toMatchObject({ kind: 'empty' });
    // The preview endpoint is a POST like any other: no token, no answer.
    expect((await web.post(`${unitBase()}/tieu-chi/1.2/xem-truoc`, { _csrf: '', percent: '95' })).statusCode).toBe(403);
  });

  it('saves a criterion and redirects back to it', async () => {
    await web.get(`${unitBase()}/linh-vuc/1`);
    const { etag } = await item('1.2');
    const res = await web.post(`${unitBase()}/tieu-chi/1.2`, { etag, percent: '92,5', note: 'Báo cáo số 12/BC-UBND' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${unitBase()}/linh-vuc/1?tb=da-luu#tc-1.2`);
    const saved = await item('1.2');
    expect(saved).toMatchObject({ selfPoints: 2, selfInput: { percent: 92.5 }, note: 'Báo cáo số 12/BC-UBND' });
    const page = await web.get(`${unitBase()}/linh-vuc/1?tb=da-luu`);
    expect(page.body).toContain('Đã lưu kết quả tự chấm.');
    expect(page.body).toContain('value="92,5"');
  });

  it('shows rule errors beside the field, in Vietnamese, keeping what was typed', async () => {
    await web.get(`${unitBase()}/linh-vuc/2`);
    const { etag } = await item('2.2');
    const res = await web.post(`${unitBase()}/tieu-chi/2.2`, { etag, points: '0,3' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Số điểm phải là bội số của 0,25.');
    expect(res.body).toContain('value="0,3"');
    expect(res.body).toContain('aria-invalid="true"');
    const na = await web.post(`${unitBase()}/tieu-chi/2.2`, { etag, khong_phat_sinh: '1' });
    expect(na.statusCode).toBe(422);
    expect(na.body).toContain('Tiêu chí này không cho phép khai');
  });

  it('says the criterion changed elsewhere when the form is stale (412)', async () => {
    await web.get(`${unitBase()}/linh-vuc/1`);
    const { etag } = await item('1.1');
    expect((await web.post(`${unitBase()}/tieu-chi/1.1`, { etag, option: 'LATE' })).statusCode).toBe(303);
    const stale = await web.post(`${unitBase()}/tieu-chi/1.1`, { etag, option: 'ON_TIME' });
    expect(stale.statusCode).toBe(412);
    expect(stale.body).toContain('vừa được cập nhật ở nơi khác');
    expect((await item('1.1')).selfInput).toEqual({ option: 'LATE' });
  });

  it('attaches a file (CSRF as the first part) and an official document, and removes one', async () => {
    await web.get(`${unitBase()}/linh-vuc/1`);
    const noToken = await web.upload(`${unitBase()}/tieu-chi/1.1/tai-lieu`, {}, { field: 'file', filename: 'kh.pdf', content: pdfBytes(), contentType: 'application/pdf' });
    expect(noToken.statusCode).toBe(403);
    expect((await item('1.1')).evidence).toHaveLength(0);
    const up = await web.upload(`${unitBase()}/tieu-chi/1.1/tai-lieu`, { _csrf: web.csrf }, { field: 'file', filename: 'Kế hoạch CCHC.pdf', content: pdfBytes(), contentType: 'application/pdf' });
    expect(up.statusCode).toBe(303);
    const bad = await web.upload(`${unitBase()}/tieu-chi/1.1/tai-lieu`, { _csrf: web.csrf }, { field: 'file', filename: 'x.exe', content: Buffer.from('MZ\x90\x00not allowed'), contentType: 'application/octet-stream' });
    expect(bad.statusCode).toBe(415);
    expect(bad.body).toContain('Chỉ nhận tệp PDF, DOCX, XLSX, JPG hoặc PNG');
    const doc = await web.post(`${unitBase()}/tieu-chi/1.1/van-ban`, { docNumber: '125/KH-UBND', docDate: '15/01/2025', issuer: 'UBND Phường 1', title: 'Kế hoạch CCHC năm 2025' });
    expect(doc.statusCode).toBe(303);
    const badDate = await web.post(`${unitBase()}/tieu-chi/1.1/van-ban`, { docNumber: '1/KH', docDate: '31/02/2025', issuer: 'UBND', title: 'x' });
    expect(badDate.statusCode).toBe(422);
    expect(badDate.body).toContain('dd/mm/yyyy');
    const ev = (await item('1.1')).evidence as { id: string; kind: string; filename?: string; docDate?: string }[];
    expect(ev.map((e) => e.kind).sort()).toEqual(['document', 'file']);
    expect(ev.find((e) => e.kind === 'document')!.docDate).toBe('2025-01-15');
    const page = await web.get(`${unitBase()}/linh-vuc/1`);
    expect(page.body).toContain('Văn bản số <strong>125/KH-UBND</strong> ngày 15/01/2025');
    const file = ev.find((e) => e.kind === 'file')!;
    const dl = await web.get(`/tai-lieu/${roundId}/P1/1.1/${file.id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    const p2 = new WebClient(t.app);
    await p2.login('p2.editor', PASSWORD);
    expect((await p2.get(`/tai-lieu/${roundId}/P1/1.1/${file.id}`)).statusCode).toBe(404);
    const rm = await web.post(`${unitBase()}/tieu-chi/1.1/minh-chung/${file.id}/xoa`, {});
    expect(rm.statusCode).toBe(303);
    expect((await item('1.1')).evidence).toHaveLength(1);
  });

  it('lists what is missing by criterion when the head submits too early, then submits', async () => {
    const head = new WebClient(t.app);
    await head.login('p1.head', PASSWORD);
    const dash = await head.get(unitBase());
    expect(dash.body).toContain('Nộp bản tự đánh giá');
    const early = await head.post(`${unitBase()}/nop`, { idempotency: 'web-test-1' });
    expect(early.statusCode).toBe(422);
    expect(early.body).toContain('Chưa nộp được: còn 3 tiêu chí chưa hoàn thành.');
    expect(early.body).toMatch(/2\.1 Tỷ lệ hồ sơ giải quyết quá hạn<\/a>: chưa chấm điểm/);
    expect(early.body).toMatch(/2\.3 Công khai TTHC đầy đủ<\/a>: chưa chấm điểm/);

    await head.get(`${unitBase()}/linh-vuc/2`);
    for (const [code, form] of [['2.1', { numerator: '1', denominator: '40' }], ['2.2', { points: '0,75' }], ['2.3', { value: 'co', note: 'Niêm yết tại Bộ phận Một cửa' }]] as const) {
      const res = await head.post(`${unitBase()}/tieu-chi/${code}`, { etag: (await item(code)).etag, ...form });
      expect(res.statusCode, code).toBe(303);
    }
    await head.get(unitBase());
    const ok = await head.post(`${unitBase()}/nop`, { idempotency: 'web-test-2' });
    expect(ok.statusCode).toBe(303);
    const after = await head.get(`${unitBase()}?tb=da-nop`);
    expect(after.body).toContain('Đã nộp bản tự đánh giá');
    expect(after.body).not.toContain('name="idempotency"');
    // The editor cannot submit: the button is not there and the service refuses.
    const editorDash = await web.get(unitBase('P1'));
    expect(editorDash.body).not.toContain('action="' + unitBase() + '/nop"');
  });
});

describe('coordinator: rounds, progress, extensions, send-back', () => {
  it('creates a round from the form, with Vietnamese errors first', async () => {
    const coord = new WebClient(t.app);
    await coord.login('coord', PASSWORD);
    await coord.get('/dieu-phoi/ky-danh-gia/moi');
    const bad = await coord.post('/dieu-phoi/ky-danh-gia/moi', { year: '2025', name: 'Thử', s_self_assessment: '31/02/2025', g0_code: 'XA', g0_name: 'Xã', g0_framework: 'XA-T' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Ngày không hợp lệ (dd/mm/yyyy).');
    expect(bad.body).toContain('Nhóm 1 · đơn vị');
    const order = await coord.post('/dieu-phoi/ky-danh-gia/moi', { year: '2025', name: 'Thử', s_self_assessment: '10/11/2025', s_appraisal: '01/11/2025', g0_code: 'XA', g0_name: 'Xã', g0_framework: 'XA-T', g0_units: ['P1', 'P2'] });
    expect(order.statusCode).toBe(422);
    expect(order.body).toContain('Hạn Thẩm định');
    expect(order.body).toContain('không được sớm hơn hạn của giai đoạn trước');
    // P1 and P2 are already in this year's round (one round per unit and year, issue 13): refused, nothing created.
    const clash = await coord.post('/dieu-phoi/ky-danh-gia/moi', { year: '2025', name: 'Kỳ thử nghiệm', s_self_assessment: '10/11/2025', g0_code: 'XA', g0_name: 'Xã', g0_framework: 'XA-T', g0_units: ['P1', 'P2'] });
    expect(clash.statusCode).toBe(409);
    const ok = await coord.post('/dieu-phoi/ky-danh-gia/moi', { year: '2025', name: 'Kỳ thử nghiệm', s_self_assessment: '10/11/2025', g0_code: 'XA', g0_name: 'Xã', g0_framework: 'XA-T', g0_units: ['PNV', 'PTP'] });
    expect(ok.statusCode).toBe(303);
    const page = await coord.get(ok.headers.location as string);
    expect(page.body).toContain('Đã tạo kỳ đánh giá (dự thảo).');
    expect(page.body).toContain('value="10/11/2025"');
  });

  it('extends a deadline and sends a submitted self-assessment back', async () => {
    const coord = new WebClient(t.app);
    await coord.login('coord', PASSWORD);
    const progress = await coord.get(`/dieu-phoi/ky-danh-gia/${roundId}/tien-do`);
    expect(progress.body).toContain('UBND Phường 1');
    const late = await coord.post(`/dieu-phoi/ky-danh-gia/${roundId}/don-vi/P2/gia-han`, { phase: 'self_assessment', until: '01/11/2025', reason: 'Ốm đau' });
    expect(late.statusCode).toBe(422);
    expect(late.body).toContain('Ngày gia hạn phải sau hạn chung của kỳ đánh giá (03/11/2025).');
    const ext = await coord.post(`/dieu-phoi/ky-danh-gia/${roundId}/don-vi/P2/gia-han`, { phase: 'self_assessment', until: '10/11/2025', reason: 'Cán bộ đầu mối nghỉ ốm' });
    expect(ext.statusCode).toBe(303);
    expect((await coord.get(`/dieu-phoi/ky-danh-gia/${roundId}/tien-do`)).body).toContain('gia hạn đến 10/11/2025');
    const back = await coord.post(`/dieu-phoi/ky-danh-gia/${roundId}/don-vi/P1/tra-lai`, { reason: 'Bổ sung tài liệu tiêu chí 2.3' });
    expect(back.statusCode).toBe(303);
    const clerk = new WebClient(t.app);
    await clerk.login('p1.editor', PASSWORD);
    expect((await clerk.get(unitBase())).body).toContain('Cơ quan điều phối đã trả lại bản tự đánh giá ngày 20/10/2025: “Bổ sung tài liệu tiêu chí 2.3”.');
    const twice = await coord.post(`/dieu-phoi/ky-danh-gia/${roundId}/don-vi/P1/tra-lai`, { reason: 'Lần hai' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('Đơn vị chưa nộp bản tự đánh giá nên không có gì để trả lại.');
  });
});

describe('frameworks: XLSX import with a dry-run report, tree, publish', () => {
  it('checks a workbook without saving, imports it as a draft, shows the tree and publishes it', async () => {
    await insertSurvey(t, surveyDoc('SIPAS-T'));
    const coord = new WebClient(t.app);
    await coord.login('coord', PASSWORD);
    await coord.get('/dieu-phoi/bo-tieu-chi/nhap');
    const checked = validateFrameworkDocument({ ...testFramework, code: 'WEB-2025', lineage: 'WEB' });
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    const xlsx = await writeFrameworkXlsx(checked.document);
    const file = { field: 'file', filename: 'bo-tieu-chi.xlsx', content: xlsx };
    const dry = await coord.upload('/dieu-phoi/bo-tieu-chi/nhap', { _csrf: coord.csrf, mode: 'kiem-tra' }, file);
    expect(dry.statusCode).toBe(200);
    expect(dry.body).toContain('Tệp hợp lệ: bộ tiêu chí <strong>WEB-2025</strong>');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/frameworks/WEB-2025', headers: await t.as('coord') })).statusCode).toBe(404);

    const exists = await coord.upload('/dieu-phoi/bo-tieu-chi/nhap', { _csrf: coord.csrf, mode: 'kiem-tra' }, { ...file, content: await writeFrameworkXlsx({ ...checked.document, code: 'XA-T' }) });
    expect(exists.body).toContain('Tệp có 1 vấn đề; chưa có gì được lưu.');
    expect(exists.body).toContain('Đã có bộ tiêu chí với mã này');

    const noToken = await coord.upload('/dieu-phoi/bo-tieu-chi/nhap', { mode: 'nhap' }, file);
    expect(noToken.statusCode).toBe(403);
    const imported = await coord.upload('/dieu-phoi/bo-tieu-chi/nhap', { _csrf: coord.csrf, mode: 'nhap' }, file);
    expect(imported.statusCode).toBe(303);
    expect(imported.headers.location).toBe('/dieu-phoi/bo-tieu-chi/WEB-2025?tb=da-nhap');
    const page = await coord.get('/dieu-phoi/bo-tieu-chi/WEB-2025');
    expect(page.body).toContain('Dự thảo');
    expect(page.body).toContain('Tỷ lệ &gt; 90%: 2 điểm; ≥ 70%: 1 điểm; còn lại: 0 điểm.');
    const published = await coord.post('/dieu-phoi/bo-tieu-chi/WEB-2025/ban-hanh', {});
    expect(published.statusCode).toBe(303);
    expect((await coord.get('/dieu-phoi/bo-tieu-chi/WEB-2025?tb=da-ban-hanh')).body).toContain('Đã ban hành bộ tiêu chí.');
    const again = await coord.post('/dieu-phoi/bo-tieu-chi/WEB-2025/ban-hanh', {});
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Bộ tiêu chí đã ban hành, không thể sửa');
  });
});

describe('clean boundaries', () => {
  it('keeps web routes out of the OpenAPI document', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    const paths = Object.keys(spec.paths);
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.every((p) => p.startsWith('/api/v1/') || p.startsWith('/health'))).toBe(true);
  });

  it('serves the CSS, the scripts and the chart library locally', async () => {
    for (const url of ['/assets/app.css', '/assets/app.js', '/assets/vendor/chart.umd.min.js']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
    }
    expect((await t.app.inject({ method: 'GET', url: '/assets/vendor/../../package.json' })).statusCode).toBe(404);
  });
});
