// Post/redirect/get of the web forms (issue 15 item 9): a refused form answers 303 to the page it was on with a kept
// page (?loi=<id>) that shows the messages and what was typed, as often as it is reloaded, to that browser only;
// each field's message appears once, beside the field, and the summary at the top only links to the fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { WebClient } from '../helpers/web.js';

let now = new Date('2025-10-20T03:00:00Z');
let t: TestApp;
let roundId: string;

beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

const area = (code: string) => `/don-vi/${roundId}/P1/linh-vuc/${code}`;
const etagOf = async (code: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${roundId}/assessments/P1/items/${code}`, headers: await t.as('p1.editor') });
  return (res.json() as { etag: string }).etag;
};
const count = (body: string, s: string) => body.split(s).length - 1;
const KEPT = /^(\/[^?#]*)\?(?:.*&)?loi=([0-9a-f-]{36})#loi$/;

/** A client that shows the 303 of a form instead of following it, as the assertions here need. */
async function rawClient(username?: string) {
  const web = new WebClient(t.app);
  web.followKeptPages = false;
  if (username) await web.login(username, PASSWORD);
  return web;
}

describe('post/redirect/get', () => {
  it('a failed login answers 303 to the login page; reloading it shows the message and the username, never the password', async () => {
    const web = await rawClient();
    await web.get('/dang-nhap');
    const post = await web.post('/dang-nhap', { username: 'p1.editor', password: 'sai-mat-khau-1' });
    expect(post.statusCode).toBe(303);
    const m = KEPT.exec(String(post.headers.location));
    expect(m?.[1]).toBe('/dang-nhap');
    for (let i = 0; i < 2; i++) {
      const page = await web.get(post.headers.location as string);
      expect(page.statusCode).toBe(401);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(count(page.body, 'Tên đăng nhập hoặc mật khẩu không đúng.')).toBe(1);
      expect(page.body).toContain('value="p1.editor"');
      expect(page.body).not.toContain('sai-mat-khau-1');
    }
    // Another browser (other CSRF secret) with the same address gets the plain page: the kept page is not shared.
    const other = new WebClient(t.app);
    await other.get('/dang-nhap');
    const theirs = await other.get(post.headers.location as string);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).not.toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(theirs.body).not.toContain('value="p1.editor"');
  });

  it('a refused criterion keeps what was typed on the area page, with one message beside the field and a summary linking to it', async () => {
    const web = await rawClient('p1.editor');
    await web.get(area('2'));
    const post = await web.post(`/don-vi/${roundId}/P1/tieu-chi/2.2`, { etag: await etagOf('2.2'), points: '0,3', note: 'Ghi chú đang gõ dở' });
    expect(post.statusCode).toBe(303);
    expect(KEPT.exec(String(post.headers.location))?.[1]).toBe(area('2'));
    const page = await web.get(post.headers.location as string);
    expect(page.statusCode).toBe(422);
    expect(count(page.body, 'Số điểm phải là bội số của 0,25.')).toBe(1);
    expect(page.body).toMatch(/<p class="field-error" id="tc-2_2-points-err">Số điểm phải là bội số của 0,25\.<\/p>/);
    expect(page.body).toMatch(/id="tc-2_2-points" name="points"[^>]*value="0,3"[^>]*aria-invalid="true" aria-describedby="tc-2_2-points-err"/);
    expect(page.body).toContain('<li><a href="#tc-2_2-points">Số điểm</a></li>');
    expect(page.body).toContain('Ghi chú đang gõ dở');
    // Reloading is a GET of the same address: the same page again, nothing re-sent.
    const again = await web.get(post.headers.location as string);
    expect(again.body).toBe(page.body);
    // The plain address is the stored state again.
    const plain = await web.get(area('2'));
    expect(plain.statusCode).toBe(200);
    expect(plain.body).not.toContain('Số điểm phải là bội số của 0,25.');
  });

  it('a refused official document shows each missing or wrong field once, beside it', async () => {
    const web = await rawClient('p1.editor');
    await web.get(area('1'));
    const post = await web.post(`/don-vi/${roundId}/P1/tieu-chi/1.1/van-ban`, { docNumber: '12/KH-UBND', docDate: '31/02/2025', issuer: '', title: 'Kế hoạch CCHC', url: '' });
    expect(post.statusCode).toBe(303);
    const page = await web.get(post.headers.location as string);
    expect(page.statusCode).toBe(422);
    expect(count(page.body, 'Ngày ban hành không hợp lệ: nhập theo dạng dd/mm/yyyy.')).toBe(1);
    expect(count(page.body, 'Vui lòng nhập cơ quan ban hành.')).toBe(1);
    expect(page.body).toMatch(/id="ngay-1\.1" name="docDate"[^>]*value="31\/02\/2025" aria-invalid="true" aria-describedby="ngay-1\.1-err"/);
    expect(page.body).toContain('<li><a href="#ngay-1.1">Ngày ban hành</a></li><li><a href="#cq-1.1">Cơ quan ban hành</a></li>');
    expect(page.body).toContain('value="12/KH-UBND"');
    expect(page.body).toContain('value="Kế hoạch CCHC"');
  });

  it('an admin form refused by the service (duplicate username) says so once, beside the field', async () => {
    const web = await rawClient('admin');
    await web.get('/quan-tri/tao-nguoi-dung');
    const post = await web.post('/quan-tri/tao-nguoi-dung', { username: 'p1.editor', displayName: 'Trùng tên', role: 'unit_editor', orgUnitCode: 'P1', password: 'mot-mat-khau-dai' });
    expect(post.statusCode).toBe(303);
    expect(KEPT.exec(String(post.headers.location))?.[1]).toBe('/quan-tri/tao-nguoi-dung');
    const page = await web.get(post.headers.location as string);
    expect(page.statusCode).toBe(409);
    expect(count(page.body, 'Tên đăng nhập này đã được dùng cho một tài khoản khác.')).toBe(1);
    expect(page.body).toContain('<li><a href="#username">Tên đăng nhập</a></li>');
    expect(page.body).toContain('value="Trùng tên"');
    expect(page.body).not.toContain('mot-mat-khau-dai');
  });

  it('a successful form still redirects 303 to its result, without a kept page', async () => {
    const web = await rawClient('p1.editor');
    await web.get(area('2'));
    const post = await web.post(`/don-vi/${roundId}/P1/tieu-chi/2.2`, { etag: await etagOf('2.2'), points: '0,5' });
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toBe(`${area('2')}?tb=da-luu#tc-2.2`);
  });

  it('a kept page expires: after 30 minutes the address shows the page as it is now', async () => {
    const web = await rawClient('p1.editor');
    await web.get(area('2'));
    const post = await web.post(`/don-vi/${roundId}/P1/tieu-chi/2.2`, { etag: await etagOf('2.2'), points: 'abc' });
    const location = post.headers.location as string;
    expect((await web.get(location)).statusCode).toBe(422);
    const before = now;
    now = new Date(now.getTime() + 31 * 60_000);
    try {
      const later = await web.get(location);
      expect(later.statusCode).toBe(200);
      expect(later.body).not.toContain('aria-invalid="true"');
    } finally {
      now = before;
    }
  });

  it('another user on the same browser does not see the kept page of the previous one', async () => {
    const web = await rawClient('p1.editor');
    await web.get(area('2'));
    const post = await web.post(`/don-vi/${roundId}/P1/tieu-chi/2.2`, { etag: await etagOf('2.2'), points: '0,3' });
    await web.post('/dang-xuat', {});
    await web.login('p1.head', PASSWORD);
    const page = await web.get(post.headers.location as string);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Số điểm phải là bội số của 0,25.');
  });
});
