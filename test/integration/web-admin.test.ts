// User and unit administration pages (/quan-tri) over app.inject, and the HTML 404 page for browsers.
// Who may open and change what (admin; coordinator read-only as the policy says; unit roles and appraisers 403),
// CSRF on every POST, Vietnamese errors beside the field with the form kept, every change audited, and that a
// deactivated user's open session stops working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { WebClient } from '../helpers/web.js';

const now = new Date('2025-10-20T03:00:00Z');
let t: TestApp;
let admin: WebClient;

const NEW_PASSWORD = 'another-password-2';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const PROBLEM = /^application\/problem\+json/;

beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { LOGIN_MAX_FAILURES: '3' } });
  await seedDirectory(t);
  admin = new WebClient(t.app);
  await admin.login('admin', PASSWORD);
});
afterAll(() => t.close());

interface AuditItem {
  seq: number;
  actorUsername: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Audit events (newest first), read through the audit API as the admin. */
async function audit(q: Record<string, string> = {}): Promise<AuditItem[]> {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/audit?${new URLSearchParams({ limit: '500', ...q })}`, headers: await t.as('admin') });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: AuditItem[] }).items;
}
const lastSeq = async () => (await audit({ limit: '1' }))[0]?.seq ?? 0;

async function apiUser(username: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/users/${username}`, headers: await t.as('admin') });
  return res.statusCode === 200 ? (res.json() as { username: string; displayName: string; role: string; orgUnitCode: string | null; active: boolean; lockedUntil: string | null }) : null;
}
async function apiUnit(code: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/org-units/${code}`, headers: await t.as('admin') });
  return res.statusCode === 200 ? (res.json() as { code: string; name: string; kind: string; parentCode: string | null; active: boolean; activeTo: string | null }) : null;
}
const userCount = async () => ((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: await t.as('admin') })).json() as unknown[]).length;
const unitCount = async () => ((await t.app.inject({ method: 'GET', url: '/api/v1/org-units', headers: await t.as('admin') })).json() as unknown[]).length;

async function webAs(username: string, password = PASSWORD) {
  const w = new WebClient(t.app);
  await w.login(username, password);
  return w;
}

/** The error paragraph of a form field, as rendered next to it. */
const fieldErrorOf = (body: string, id: string) => new RegExp(`<p class="field-error" id="${id}-err">([^<]*)</p>`).exec(body)?.[1];

describe('who may use the administration pages', () => {
  it('the admin sees users and units, with the create forms and a navigation entry', async () => {
    const home = await admin.get('/quan-tri');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/quan-tri/nguoi-dung');
    const users = await admin.get('/quan-tri/nguoi-dung');
    expect(users.statusCode).toBe(200);
    expect(users.body).toContain('<a href="/quan-tri" aria-current="page">Quản trị</a>');
    for (const u of ['admin', 'coord', 'appraiser', 'p1.editor', 'p1.head', 'p2.editor', 'p2.head']) expect(users.body).toContain(`href="/quan-tri/nguoi-dung/${u}"`);
    expect(users.body).toContain('Thành viên thẩm định');
    expect(users.body).toContain('UBND Phường 1 <span class="muted">(P1)</span>');
    expect(users.body).toContain('href="/quan-tri/tao-nguoi-dung"');
    const units = await admin.get('/quan-tri/don-vi');
    expect(units.statusCode).toBe(200);
    for (const c of ['CITY', 'PNV', 'PTP', 'P1', 'P2']) expect(units.body).toContain(`href="/quan-tri/don-vi/${c}"`);
    expect(units.body).toContain('Xã, phường, thị trấn');
    expect(units.body).toContain('UBND thành phố Thử Nghiệm <span class="muted">(CITY)</span>');
    expect(units.body).toContain('action="/quan-tri/don-vi"');
    const detail = await admin.get('/quan-tri/nguoi-dung/p1.editor');
    expect(detail.statusCode).toBe(200);
    for (const a of ['', '/mat-khau', '/trang-thai']) expect(detail.body).toContain(`action="/quan-tri/nguoi-dung/p1.editor${a}"`);
    // No third-party assets and no inline scripts.
    for (const m of detail.body.matchAll(/(?:src|href)="([^"]+)"/g)) expect(m[1]!.startsWith('/') || m[1]!.startsWith('#')).toBe(true);
    expect(detail.body).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*application\/json)[^>]*>/);
    expect((await admin.get('/quan-tri/nguoi-dung/khong-ai')).statusCode).toBe(404);
    expect((await admin.get('/quan-tri/don-vi/KHONG')).statusCode).toBe(404);
  });

  it('unit editors, unit heads and appraisers get 403 on every page and every form, and no menu entry', async () => {
    for (const who of ['p1.editor', 'p1.head', 'appraiser']) {
      const w = await webAs(who);
      for (const url of ['/quan-tri', '/quan-tri/nguoi-dung', '/quan-tri/tao-nguoi-dung', '/quan-tri/nguoi-dung/p1.editor', '/quan-tri/don-vi', '/quan-tri/don-vi/P1']) {
        const res = await w.get(url);
        expect(res.statusCode, `${who} ${url}`).toBe(403);
        expect(res.body).toContain('Không có quyền');
        expect(res.body).not.toContain('href="/quan-tri"');
      }
      const seq = await lastSeq();
      const create = await w.post('/quan-tri/tao-nguoi-dung', { username: `by.${who}`, displayName: 'X', role: 'admin', password: NEW_PASSWORD });
      expect(create.statusCode).toBe(403);
      expect((await w.post('/quan-tri/nguoi-dung/p2.editor/trang-thai', { active: '0' })).statusCode).toBe(403);
      expect((await w.post('/quan-tri/don-vi', { code: 'HACK', name: 'X', kind: 'commune' })).statusCode).toBe(403);
      expect(await apiUser(`by.${who}`)).toBeNull();
      expect((await apiUser('p2.editor'))!.active).toBe(true);
      expect(await apiUnit('HACK')).toBeNull();
      expect(await lastSeq()).toBe(seq);
    }
  });

  it('a coordinator reads users and units (policy: user.read, org_unit.read) but may change nothing (no *.write)', async () => {
    const coord = await webAs('coord');
    const users = await coord.get('/quan-tri/nguoi-dung');
    expect(users.statusCode).toBe(200);
    expect(users.body).toContain('<a href="/quan-tri" aria-current="page">Người dùng, đơn vị</a>');
    expect(users.body).toContain('href="/quan-tri/nguoi-dung/p1.editor"');
    expect(users.body).not.toContain('href="/quan-tri/tao-nguoi-dung"');
    const units = await coord.get('/quan-tri/don-vi');
    expect(units.statusCode).toBe(200);
    expect(units.body).toContain('href="/quan-tri/don-vi/P1"');
    expect(units.body).not.toContain('action="/quan-tri/don-vi"');
    const detail = await coord.get('/quan-tri/nguoi-dung/p1.editor');
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('Văn thư P1');
    expect(detail.body).not.toContain('action="/quan-tri/nguoi-dung/p1.editor');
    const unit = await coord.get('/quan-tri/don-vi/P1');
    expect(unit.statusCode).toBe(200);
    expect(unit.body).not.toContain('action="/quan-tri/don-vi/P1');
    expect((await coord.get('/quan-tri/tao-nguoi-dung')).statusCode).toBe(403);

    const seq = await lastSeq();
    const posts: [string, Record<string, string>][] = [
      ['/quan-tri/tao-nguoi-dung', { username: 'by.coord', displayName: 'X', role: 'unit_editor', orgUnitCode: 'P1', password: NEW_PASSWORD }],
      ['/quan-tri/nguoi-dung/p2.editor', { displayName: 'Đổi tên', role: 'unit_editor', orgUnitCode: 'P2' }],
      ['/quan-tri/nguoi-dung/p2.editor/mat-khau', { password: NEW_PASSWORD }],
      ['/quan-tri/nguoi-dung/p2.editor/trang-thai', { active: '0' }],
      ['/quan-tri/nguoi-dung/p2.editor/mo-khoa', {}],
      ['/quan-tri/don-vi', { code: 'BYCOORD', name: 'X', kind: 'commune' }],
      ['/quan-tri/don-vi/P2', { name: 'Đổi tên', kind: 'commune', parentCode: 'CITY' }],
      ['/quan-tri/don-vi/P2/ngung', { activeTo: '20/10/2025', reason: 'thử' }],
      ['/quan-tri/don-vi/P2/kich-hoat', {}],
    ];
    for (const [url, form] of posts) {
      const res = await coord.post(url, form);
      expect(res.statusCode, url).toBe(403);
      expect(res.body).toContain('Bạn không có quyền thực hiện thao tác này.');
    }
    expect(await lastSeq()).toBe(seq);
    expect(await apiUser('by.coord')).toBeNull();
    expect(await apiUser('p2.editor')).toMatchObject({ displayName: 'Văn thư P2', active: true });
    expect(await apiUnit('P2')).toMatchObject({ name: 'UBND Phường An Hòa', active: true });
  });
});

describe('CSRF', () => {
  it('refuses every POST without its token and changes nothing', async () => {
    await admin.get('/quan-tri/nguoi-dung');
    const seq = await lastSeq();
    const posts: [string, Record<string, string>][] = [
      ['/quan-tri/tao-nguoi-dung', { username: 'no.csrf', displayName: 'X', role: 'unit_editor', orgUnitCode: 'P1', password: NEW_PASSWORD }],
      ['/quan-tri/nguoi-dung/p2.editor', { displayName: 'Đổi tên', role: 'unit_editor', orgUnitCode: 'P2' }],
      ['/quan-tri/nguoi-dung/p2.editor/mat-khau', { password: NEW_PASSWORD }],
      ['/quan-tri/nguoi-dung/p2.editor/trang-thai', { active: '0' }],
      ['/quan-tri/nguoi-dung/p2.editor/mo-khoa', {}],
      ['/quan-tri/don-vi', { code: 'NOCSRF', name: 'X', kind: 'commune' }],
      ['/quan-tri/don-vi/P2', { name: 'Đổi tên', kind: 'commune', parentCode: 'CITY' }],
      ['/quan-tri/don-vi/P2/ngung', { activeTo: '20/10/2025', reason: 'thử' }],
      ['/quan-tri/don-vi/P2/kich-hoat', {}],
    ];
    for (const [url, form] of posts) {
      for (const token of ['', 'forged-token']) {
        const res = await admin.post(url, { ...form, _csrf: token });
        expect(res.statusCode, `${url} ${token}`).toBe(403);
        expect(res.body).toContain('Biểu mẫu không hợp lệ');
      }
    }
    expect(await lastSeq()).toBe(seq);
    expect(await apiUser('no.csrf')).toBeNull();
    expect(await apiUser('p2.editor')).toMatchObject({ displayName: 'Văn thư P2', active: true });
    expect(await apiUnit('NOCSRF')).toBeNull();
    expect(await apiUnit('P2')).toMatchObject({ name: 'UBND Phường An Hòa', active: true });
  });
});

describe('users', () => {
  it('filters the list by unit and by role', async () => {
    const p1 = await admin.get('/quan-tri/nguoi-dung?don_vi=P1');
    expect(p1.body).toContain('href="/quan-tri/nguoi-dung/p1.editor"');
    expect(p1.body).toContain('href="/quan-tri/nguoi-dung/p1.head"');
    expect(p1.body).not.toContain('href="/quan-tri/nguoi-dung/p2.editor"');
    expect(p1.body).toContain('<option value="P1" selected>');
    const heads = await admin.get('/quan-tri/nguoi-dung?vai_tro=unit_head');
    expect(heads.body).toContain('href="/quan-tri/nguoi-dung/p1.head"');
    expect(heads.body).toContain('href="/quan-tri/nguoi-dung/p2.head"');
    expect(heads.body).not.toContain('href="/quan-tri/nguoi-dung/p1.editor"');
    const both = await admin.get('/quan-tri/nguoi-dung?don_vi=P2&vai_tro=unit_editor');
    expect(both.body).toContain('href="/quan-tri/nguoi-dung/p2.editor"');
    expect(both.body).not.toContain('href="/quan-tri/nguoi-dung/p2.head"');
    expect(both.body).not.toContain('href="/quan-tri/nguoi-dung/p1.editor"');
    // A role that does not exist is ignored, not a 500.
    expect((await admin.get('/quan-tri/nguoi-dung?vai_tro=emperor')).statusCode).toBe(200);
  });

  it('creates a user through the service (audited), who can then log in', async () => {
    const form = await admin.get('/quan-tri/tao-nguoi-dung');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<option value="unit_editor">Cán bộ đầu mối của đơn vị</option>');
    const res = await admin.post('/quan-tri/tao-nguoi-dung', { username: 'P1.Clerk2', displayName: 'Văn thư P1 (2)', role: 'unit_editor', orgUnitCode: 'P1', password: NEW_PASSWORD });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/quan-tri/nguoi-dung/p1.clerk2?tb=qt-tao-nd');
    const page = await admin.get(res.headers.location as string);
    expect(page.body).toContain('Đã tạo người dùng.');
    expect(page.body).toContain('Văn thư P1 (2)');
    expect(await apiUser('p1.clerk2')).toMatchObject({ role: 'unit_editor', orgUnitCode: 'P1', active: true });
    const [ev] = await audit({ entityType: 'user', entityId: 'p1.clerk2' });
    expect(ev).toMatchObject({ action: 'user.created', actorUsername: 'admin', after: { username: 'p1.clerk2', role: 'unit_editor', orgUnitCode: 'P1' } });
    expect(JSON.stringify(ev)).not.toContain(NEW_PASSWORD);

    const clerk = new WebClient(t.app);
    await clerk.get('/dang-nhap');
    const login = await clerk.post('/dang-nhap', { username: 'p1.clerk2', password: NEW_PASSWORD });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/don-vi');
  });

  it('a duplicate username is a Vietnamese message beside the field; the form keeps what was typed and nothing changes', async () => {
    const seq = await lastSeq();
    const count = await userCount();
    await admin.get('/quan-tri/tao-nguoi-dung');
    const res = await admin.post('/quan-tri/tao-nguoi-dung', { username: 'p1.editor', displayName: 'Người thứ hai', role: 'unit_head', orgUnitCode: 'P2', password: NEW_PASSWORD });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('text/html');
    expect(fieldErrorOf(res.body, 'username')).toBe('Tên đăng nhập này đã được dùng cho một tài khoản khác.');
    expect(res.body).toMatch(/id="username" name="username" value="p1.editor"[^>]*aria-invalid="true"/);
    expect(res.body).toContain('value="Người thứ hai"');
    expect(res.body).toContain('<option value="unit_head" selected>');
    expect(res.body).toContain('<option value="P2" selected>');
    expect(await lastSeq()).toBe(seq);
    expect(await userCount()).toBe(count);
    expect(await apiUser('p1.editor')).toMatchObject({ displayName: 'Văn thư P1', role: 'unit_editor', orgUnitCode: 'P1' });
  });

  it('validates exactly as the API does, field by field, in Vietnamese', async () => {
    const seq = await lastSeq();
    const count = await userCount();
    const bad = await admin.post('/quan-tri/tao-nguoi-dung', { username: 'có dấu', displayName: '  ', role: '', orgUnitCode: '', password: '' });
    expect(bad.statusCode).toBe(422);
    expect(fieldErrorOf(bad.body, 'username')).toContain('Tên đăng nhập chỉ gồm chữ cái không dấu');
    expect(fieldErrorOf(bad.body, 'displayName')).toBe('Vui lòng nhập họ và tên.');
    expect(fieldErrorOf(bad.body, 'role')).toBe('Vui lòng chọn vai trò.');
    expect(fieldErrorOf(bad.body, 'password')).toBe('Vui lòng nhập mật khẩu.');
    expect(bad.body).toContain('value="có dấu"');
    // Service rules: password strength, the unit a role is bound to, an inactive or unknown unit.
    const short = await admin.post('/quan-tri/tao-nguoi-dung', { username: 'short.pw', displayName: 'Ngắn', role: 'admin', orgUnitCode: '', password: 'short' });
    expect(short.statusCode).toBe(422);
    expect(fieldErrorOf(short.body, 'password')).toBe('Mật khẩu cần ít nhất 10 ký tự.');
    const unbound = await admin.post('/quan-tri/tao-nguoi-dung', { username: 'no.unit', displayName: 'Không đơn vị', role: 'unit_head', orgUnitCode: '', password: NEW_PASSWORD });
    expect(unbound.statusCode).toBe(422);
    expect(fieldErrorOf(unbound.body, 'orgUnitCode')).toBe('Vai trò “Thủ trưởng đơn vị” phải gắn với một đơn vị: đơn vị mà người dùng làm thủ trưởng.');
    const unknown = await admin.post('/quan-tri/tao-nguoi-dung', { username: 'ghost.unit', displayName: 'X', role: 'unit_head', orgUnitCode: 'KHONGCO', password: NEW_PASSWORD });
    expect(unknown.statusCode).toBe(422);
    expect(fieldErrorOf(unknown.body, 'orgUnitCode')).toBe('Đơn vị không tồn tại.');
    expect(await lastSeq()).toBe(seq);
    expect(await userCount()).toBe(count);
  });

  it('edits name, role and unit through the service (audited); an unchanged form changes nothing', async () => {
    let seq = await lastSeq();
    await admin.get('/quan-tri/nguoi-dung/p1.clerk2');
    const same = await admin.post('/quan-tri/nguoi-dung/p1.clerk2', { displayName: 'Văn thư P1 (2)', role: 'unit_editor', orgUnitCode: 'P1' });
    expect(same.statusCode).toBe(303);
    expect(same.headers.location).toContain('tb=qt-khong-doi');
    expect(await lastSeq()).toBe(seq);

    const bad = await admin.post('/quan-tri/nguoi-dung/p1.clerk2', { displayName: 'Tên mới', role: 'unit_head', orgUnitCode: '' });
    expect(bad.statusCode).toBe(422);
    expect(fieldErrorOf(bad.body, 'orgUnitCode')).toContain('phải gắn với một đơn vị');
    expect(bad.body).toContain('value="Tên mới"');
    expect(await lastSeq()).toBe(seq);

    const ok = await admin.post('/quan-tri/nguoi-dung/p1.clerk2', { displayName: 'Thủ trưởng P2 mới', role: 'unit_head', orgUnitCode: 'P2' });
    expect(ok.statusCode).toBe(303);
    expect((await admin.get(ok.headers.location as string)).body).toContain('Đã lưu thông tin người dùng.');
    expect(await apiUser('p1.clerk2')).toMatchObject({ displayName: 'Thủ trưởng P2 mới', role: 'unit_head', orgUnitCode: 'P2' });
    const [ev] = await audit({ entityType: 'user', entityId: 'p1.clerk2' });
    expect(ev).toMatchObject({ action: 'user.updated', actorUsername: 'admin', before: { role: 'unit_editor', orgUnitCode: 'P1' }, after: { role: 'unit_head', orgUnitCode: 'P2' } });
    expect(ev!.seq).toBeGreaterThan(seq);
    seq = ev!.seq;
  });

  it('resets a password: the old one and the open session stop working, the new one works (audited)', async () => {
    const victim = await webAs('p2.editor');
    expect((await victim.get('/don-vi')).statusCode).toBe(200);
    await admin.get('/quan-tri/nguoi-dung/p2.editor');
    const short = await admin.post('/quan-tri/nguoi-dung/p2.editor/mat-khau', { password: 'short' });
    expect(short.statusCode).toBe(422);
    expect(fieldErrorOf(short.body, 'new-password')).toBe('Mật khẩu cần ít nhất 10 ký tự.');
    const res = await admin.post('/quan-tri/nguoi-dung/p2.editor/mat-khau', { password: NEW_PASSWORD });
    expect(res.statusCode).toBe(303);
    const [ev] = await audit({ entityType: 'user', entityId: 'p2.editor' });
    expect(ev).toMatchObject({ action: 'user.updated', actorUsername: 'admin', after: { passwordChanged: true } });
    expect(Number(ev!.after!.tokensRevoked)).toBeGreaterThanOrEqual(1);
    const after = await victim.get('/don-vi');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toContain('/dang-nhap');
    expect(after.headers.location).toContain('het-han=1');
    await expect(t.login('p2.editor', PASSWORD)).rejects.toThrow();
    await t.login('p2.editor', NEW_PASSWORD);
  });

  it('deactivating a user ends their open web session and API token at once; reactivating lets them log in again', async () => {
    const victim = await webAs('p1.head');
    expect((await victim.get('/don-vi')).statusCode).toBe(200);
    const bearer = await t.login('p1.head');
    await admin.get('/quan-tri/nguoi-dung/p1.head');
    const res = await admin.post('/quan-tri/nguoi-dung/p1.head/trang-thai', { active: '0' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/quan-tri/nguoi-dung/p1.head?tb=qt-ngung-nd');
    const page = await admin.get(res.headers.location as string);
    expect(page.body).toContain('Ngừng kích hoạt</span>');
    expect(page.body).toContain('Kích hoạt lại');
    const [ev] = await audit({ entityType: 'user', entityId: 'p1.head' });
    expect(ev).toMatchObject({ action: 'user.updated', actorUsername: 'admin', before: { active: true }, after: { active: false } });
    // This session, the bearer token, and the session opened earlier in the 403 test.
    expect(Number(ev!.after!.tokensRevoked)).toBeGreaterThanOrEqual(2);

    // The open session is gone: the next page asks to log in again, and logging in is refused.
    const after = await victim.get('/don-vi');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toContain('het-han=1');
    expect(victim.cookies.has('par_session')).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${bearer}` } })).statusCode).toBe(401);
    await victim.get('/dang-nhap');
    expect((await victim.post('/dang-nhap', { username: 'p1.head', password: PASSWORD })).statusCode).toBe(401);
    // The list shows it.
    expect((await admin.get('/quan-tri/nguoi-dung?don_vi=P1')).body).toMatch(/p1\.head<\/a>.*?Ngừng kích hoạt/s);

    await admin.get('/quan-tri/nguoi-dung/p1.head');
    const back = await admin.post('/quan-tri/nguoi-dung/p1.head/trang-thai', { active: '1' });
    expect(back.statusCode).toBe(303);
    expect((await audit({ entityType: 'user', entityId: 'p1.head' }))[0]).toMatchObject({ action: 'user.updated', after: { active: true } });
    await webAs('p1.head');
  });

  it('the admin cannot deactivate themself: a Vietnamese message, nothing changed', async () => {
    const seq = await lastSeq();
    await admin.get('/quan-tri/nguoi-dung/admin');
    const res = await admin.post('/quan-tri/nguoi-dung/admin/trang-thai', { active: '0' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Bạn không thể tự ngừng kích hoạt hoặc tự đổi vai trò của chính mình.');
    expect((await apiUser('admin'))!.active).toBe(true);
    expect(await lastSeq()).toBe(seq);
  });

  it('unlocks a user locked out by failed logins (audited)', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'p2.head', password: 'wrong-password' } });
      expect([401, 423]).toContain(r.statusCode);
    }
    expect((await apiUser('p2.head'))!.lockedUntil).not.toBeNull();
    const list = await admin.get('/quan-tri/nguoi-dung?don_vi=P2');
    expect(list.body).toMatch(/p2\.head<\/a>.*?Bị khóa đến 20\/10\/2025 10:15/s);
    const page = await admin.get('/quan-tri/nguoi-dung/p2.head');
    expect(page.body).toContain('action="/quan-tri/nguoi-dung/p2.head/mo-khoa"');
    const res = await admin.post('/quan-tri/nguoi-dung/p2.head/mo-khoa', {});
    expect(res.statusCode).toBe(303);
    expect((await apiUser('p2.head'))!.lockedUntil).toBeNull();
    expect((await audit({ entityType: 'user', entityId: 'p2.head' }))[0]).toMatchObject({ action: 'user.unlocked', actorUsername: 'admin' });
    await webAs('p2.head');
  });
});

describe('units', () => {
  it('creates a unit through the service (audited); a duplicate code or a bad code is a message beside the field', async () => {
    await admin.get('/quan-tri/don-vi');
    const res = await admin.post('/quan-tri/don-vi', { code: 'P3', name: 'UBND Phường 3', kind: 'commune', parentCode: 'CITY' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/quan-tri/don-vi?tb=qt-tao-dv#dv-P3');
    expect((await admin.get('/quan-tri/don-vi?tb=qt-tao-dv')).body).toContain('href="/quan-tri/don-vi/P3"');
    expect(await apiUnit('P3')).toMatchObject({ name: 'UBND Phường 3', kind: 'commune', parentCode: 'CITY', active: true });
    expect((await audit({ entityType: 'org_unit', entityId: 'P3' }))[0]).toMatchObject({ action: 'org_unit.created', actorUsername: 'admin' });

    const seq = await lastSeq();
    const count = await unitCount();
    const dup = await admin.post('/quan-tri/don-vi', { code: 'P3', name: 'Trùng mã', kind: 'agency', parentCode: 'PNV' });
    expect(dup.statusCode).toBe(409);
    expect(fieldErrorOf(dup.body, 'code')).toBe('Mã đơn vị này đã tồn tại.');
    expect(dup.body).toContain('value="Trùng mã"');
    expect(dup.body).toContain('<option value="agency" selected>');
    const bad = await admin.post('/quan-tri/don-vi', { code: 'P 4', name: '', kind: 'village', parentCode: '' });
    expect(bad.statusCode).toBe(422);
    expect(fieldErrorOf(bad.body, 'code')).toContain('Mã đơn vị chỉ gồm');
    expect(fieldErrorOf(bad.body, 'name')).toBe('Vui lòng nhập tên đơn vị.');
    expect(fieldErrorOf(bad.body, 'kind')).toBe('Vui lòng chọn loại đơn vị.');
    expect(bad.body).toContain('value="P 4"');
    expect(await lastSeq()).toBe(seq);
    expect(await unitCount()).toBe(count);
    expect(await apiUnit('P3')).toMatchObject({ name: 'UBND Phường 3' });
  });

  it('renames a unit (audited) and refuses a parent that would make a cycle', async () => {
    await admin.get('/quan-tri/don-vi/P3');
    const res = await admin.post('/quan-tri/don-vi/P3', { name: 'UBND Phường Ba', kind: 'commune', parentCode: 'CITY' });
    expect(res.statusCode).toBe(303);
    expect(await apiUnit('P3')).toMatchObject({ name: 'UBND Phường Ba' });
    expect((await audit({ entityType: 'org_unit', entityId: 'P3' }))[0]).toMatchObject({ action: 'org_unit.updated', before: { name: 'UBND Phường 3' }, after: { name: 'UBND Phường Ba' } });

    const seq = await lastSeq();
    await admin.get('/quan-tri/don-vi/CITY');
    const cycle = await admin.post('/quan-tri/don-vi/CITY', { name: 'UBND thành phố Thử Nghiệm', kind: 'district', parentCode: 'P3' });
    expect(cycle.statusCode).toBe(422);
    expect(fieldErrorOf(cycle.body, 'parentCode')).toContain('không thể trực thuộc chính mình hoặc đơn vị cấp dưới');
    expect(await lastSeq()).toBe(seq);
    expect((await apiUnit('CITY'))!.parentCode).toBeNull();
  });

  it('deactivates a unit with a reason (audited), then it cannot take new users; reactivates it', async () => {
    await admin.get('/quan-tri/don-vi/P3');
    const seq = await lastSeq();
    const noReason = await admin.post('/quan-tri/don-vi/P3/ngung', { activeTo: '20/10/2025', reason: '' });
    expect(noReason.statusCode).toBe(422);
    expect(fieldErrorOf(noReason.body, 'reason')).toBe('Vui lòng nhập lý do.');
    const badDate = await admin.post('/quan-tri/don-vi/P3/ngung', { activeTo: '31/02/2025', reason: 'Sáp nhập' });
    expect(badDate.statusCode).toBe(422);
    expect(fieldErrorOf(badDate.body, 'activeTo')).toBe('Ngày không hợp lệ (dd/mm/yyyy).');
    expect(badDate.body).toContain('value="Sáp nhập"');
    expect(await lastSeq()).toBe(seq);

    const res = await admin.post('/quan-tri/don-vi/P3/ngung', { activeTo: '20/10/2025', reason: 'Sáp nhập theo Nghị quyết 1234' });
    expect(res.statusCode).toBe(303);
    expect(await apiUnit('P3')).toMatchObject({ active: false, activeTo: '2025-10-20' });
    expect((await audit({ entityType: 'org_unit', entityId: 'P3' }))[0]).toMatchObject({ action: 'org_unit.deactivated', after: { reason: 'Sáp nhập theo Nghị quyết 1234' } });
    const page = await admin.get('/quan-tri/don-vi/P3');
    expect(page.body).toContain('Ngừng hoạt động</span>');
    expect(page.body).toContain('action="/quan-tri/don-vi/P3/kich-hoat"');

    const refused = await admin.post('/quan-tri/tao-nguoi-dung', { username: 'p3.editor', displayName: 'Văn thư P3', role: 'unit_editor', orgUnitCode: 'P3', password: NEW_PASSWORD });
    expect(refused.statusCode).toBe(422);
    expect(fieldErrorOf(refused.body, 'orgUnitCode')).toBe('Đơn vị đã ngừng hoạt động; hãy chọn một đơn vị đang hoạt động.');
    expect(await apiUser('p3.editor')).toBeNull();

    await admin.get('/quan-tri/don-vi/P3');
    const back = await admin.post('/quan-tri/don-vi/P3/kich-hoat', {});
    expect(back.statusCode).toBe(303);
    expect(await apiUnit('P3')).toMatchObject({ active: true, activeTo: null });
    expect((await audit({ entityType: 'org_unit', entityId: 'P3' }))[0]).toMatchObject({ action: 'org_unit.updated', after: { activeTo: null } });
  });
});

describe('unknown URLs', () => {
  it('a browser gets a Vietnamese HTML 404 page in the site frame', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/khong-co-trang-nay', headers: { accept: BROWSER_ACCEPT } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toContain('Không tìm thấy trang');
    expect(res.body).toContain('href="/"');
    expect(res.body).toContain('href="/cong-khai"');
    // With a session, the frame is the user's own (their navigation).
    const page = await t.app.inject({ method: 'GET', url: '/dieu-phoi/khong-co/trang-nay?x=1', headers: { accept: BROWSER_ACCEPT, cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('href="/quan-tri"');
  });

  it('API clients keep problem+json: under /api/, for a non-HTML Accept, and outside pages', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/api/v1/nothing', { accept: BROWSER_ACCEPT }],
      ['/api/v1/nothing', {}],
      ['/khong-co-trang-nay', { accept: 'application/json' }],
      ['/khong-co-trang-nay', { accept: 'application/json, text/html;q=0.5' }],
      ['/khong-co-trang-nay', { accept: '*/*' }],
      ['/khong-co-trang-nay', {}],
      ['/health/nothing', { accept: BROWSER_ACCEPT }],
      ['/assets/nothing.css', { accept: BROWSER_ACCEPT }],
    ];
    for (const [url, headers] of cases) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(404);
      expect(res.headers['content-type'], url).toMatch(PROBLEM);
      expect(res.json()).toMatchObject({ status: 404, title: 'Không tìm thấy', instance: res.headers['x-request-id'] });
    }
    const post = await t.app.inject({ method: 'POST', url: '/khong-co-trang-nay', headers: { accept: BROWSER_ACCEPT } });
    expect(post.statusCode).toBe(404);
    expect(post.headers['content-type']).toMatch(PROBLEM);
    // Real routes are untouched.
    expect((await t.app.inject({ method: 'GET', url: '/openapi.json', headers: { accept: BROWSER_ACCEPT } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/cong-khai', headers: { accept: BROWSER_ACCEPT } })).statusCode).toBe(200);
  });
});
