// Problem+json text in the reader's language (issue 15 item 7): Vietnamese by default, English on request; the
// machine-readable parts (type, status, errors[].field, extra members) are identical in both languages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seedDirectory(t);
});
afterAll(() => t.close());

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

describe('problem language', () => {
  it('an unknown route: Vietnamese without Accept-Language, English with en, same type and status', async () => {
    const vi = await get('/api/v1/khong-co');
    const en = await get('/api/v1/khong-co', { 'accept-language': 'en' });
    expect(vi.json()).toMatchObject({ status: 404, type: 'urn:par-index:problem:not-found', title: 'Không tìm thấy', detail: 'Không có đường dẫn GET /api/v1/khong-co.' });
    expect(en.json()).toMatchObject({ status: 404, type: 'urn:par-index:problem:not-found', title: 'Not found', detail: 'No route GET /api/v1/khong-co.' });
    expect(vi.headers['content-language']).toBe('vi');
    expect(en.headers['content-language']).toBe('en');
    expect(String(vi.headers.vary)).toMatch(/accept-language/i);
  });

  it('follows the q-values of Accept-Language: English only when rated above Vietnamese', async () => {
    const cases: [string, string][] = [
      ['en-US,en;q=0.9', 'Unauthorized'],
      ['vi-VN,vi;q=0.9,en;q=0.8', 'Chưa đăng nhập'],
      ['en;q=0.4, vi;q=0.6', 'Chưa đăng nhập'],
      ['fr-FR', 'Chưa đăng nhập'],
      ['*', 'Chưa đăng nhập'],
      ['EN-GB', 'Unauthorized'],
    ];
    for (const [header, title] of cases) {
      const res = await get('/api/v1/me', { 'accept-language': header });
      expect(res.statusCode, header).toBe(401);
      expect(res.json().title, header).toBe(title);
      expect(res.json().type).toBe('urn:par-index:problem:unauthorized');
    }
  });

  it('a not-found entity names it in Vietnamese with the same id and extra members', async () => {
    const headers = await t.as('coord');
    const vi = await get('/api/v1/frameworks/KHONG-CO', headers);
    const en = await get('/api/v1/frameworks/KHONG-CO', { ...headers, 'accept-language': 'en' });
    expect(vi.statusCode).toBe(404);
    expect(vi.json()).toMatchObject({ title: 'Không tìm thấy', detail: "Không tìm thấy bộ tiêu chí 'KHONG-CO'.", entity: 'Framework', id: 'KHONG-CO' });
    expect(en.json()).toMatchObject({ title: 'Not found', detail: "Framework 'KHONG-CO' was not found.", entity: 'Framework', id: 'KHONG-CO' });
  });

  it('request validation (400): the same errors[] in both languages, the Vietnamese detail naming every field', async () => {
    const send = (lang?: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/org-units',
        headers: { ...(lang ? { 'accept-language': lang } : {}) },
        payload: { code: 'bad code!', kind: 'village' },
      });
    const admin = await t.as('admin');
    const vi = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: admin, payload: { code: 'bad code!', kind: 'village' } });
    const en = await t.app.inject({ method: 'POST', url: '/api/v1/org-units', headers: { ...admin, 'accept-language': 'en' }, payload: { code: 'bad code!', kind: 'village' } });
    expect(vi.statusCode).toBe(400);
    expect(vi.json().errors).toEqual(en.json().errors);
    expect(vi.json().title).toBe('Dữ liệu không hợp lệ');
    expect(en.json().title).toBe('Validation failed');
    expect(vi.json().detail).toMatch(/^Dữ liệu không hợp lệ ở 3 trường: /);
    for (const f of ['body.code', 'body.kind', 'body.name']) expect(vi.json().detail).toContain(f);
    // Unauthenticated, the same body is refused for the login first, in Vietnamese.
    expect((await send()).json().title).toBe('Chưa đăng nhập');
  });

  it('a failed login in Vietnamese, in English on request', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'coord', password: 'wrong-password' } });
    expect(login.statusCode).toBe(401);
    expect(login.json()).toMatchObject({ title: 'Chưa đăng nhập', detail: 'Sai tên đăng nhập hoặc mật khẩu.' });
    const en = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'accept-language': 'en' }, payload: { username: 'coord', password: 'wrong-password' } });
    expect(en.json()).toMatchObject({ title: 'Unauthorized', detail: 'Invalid username or password.' });
  });
});
