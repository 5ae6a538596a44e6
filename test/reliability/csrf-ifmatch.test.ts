// Lost-update and cross-site protections (issue 18 items 5 and 6): `If-Match: *` never passes an item write, and
// a web form posted from a foreign origin is refused even with a valid CSRF token and session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireIfMatch } from '../../src/modules/assessments/assessment.shared.js';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { WebClient } from '../helpers/web.js';

let t: TestApp;
let roundId: string;
const now = new Date('2025-10-20T03:00:00Z');
beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { SESSION_TTL_HOURS: '8760', CORS_ORIGINS: 'https://cong-thong-tin.example.gov.vn' } });
  await seedDirectory(t);
  await insertFramework(t);
  roundId = await openRound(t);
});
afterAll(() => t.close());

const itemUrl = (code: string) => `/api/v1/rounds/${roundId}/assessments/P1/items/${code}`;
async function item(code: string) {
  const res = await t.app.inject({ method: 'GET', url: itemUrl(code), headers: await t.as('p1.editor') });
  expect(res.statusCode).toBe(200);
  return res.json() as { etag: string; selfPoints: number | null; updatedAt: string };
}
async function putSelf(code: string, ifMatch: string | undefined, body: object) {
  return t.app.inject({
    method: 'PUT',
    url: `${itemUrl(code)}/self`,
    headers: { ...(await t.as('p1.editor')), ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }), 'accept-language': 'en' },
    payload: body,
  });
}

describe('If-Match: * on item writes', () => {
  it('is 428 in every spelling, and the item is unchanged', async () => {
    const before = await item('1.2');
    for (const h of ['*', ' * ', 'W/*', `${before.etag}, *`, `*, ${before.etag}`]) {
      const res = await putSelf('1.2', h, { input: { percent: 95 } });
      expect(res.statusCode, `If-Match: ${h}`).toBe(428);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().type).toMatch(/precondition-required$/);
    }
    expect(await item('1.2')).toEqual(before);
  });

  it('a missing or empty header is 428, a stale ETag 412, the current ETag writes (1.2: 95 % → 2 points)', async () => {
    const before = await item('1.2');
    expect((await putSelf('1.2', undefined, { input: { percent: 95 } })).statusCode).toBe(428);
    expect((await putSelf('1.2', '', { input: { percent: 95 } })).statusCode).toBe(428);
    expect((await putSelf('1.2', '"00000000-999"', { input: { percent: 95 } })).statusCode).toBe(412);
    const ok = await putSelf('1.2', before.etag, { input: { percent: 95 } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().selfPoints).toBe(2);
    // The old ETag is now stale: a second write with it is 412, not a silent overwrite.
    expect((await putSelf('1.2', before.etag, { input: { percent: 10 } })).statusCode).toBe(412);
  });

  it('is the one check every item write uses (self, appraisal, explanation, final)', () => {
    for (const h of [undefined, '', ' ', '*', 'W/*', '"a", *']) expect(() => requireIfMatch(h), String(h)).toThrow(expect.objectContaining({ status: 428 }));
    expect(() => requireIfMatch('"abc-1"')).not.toThrow();
  });

  it('a web form posting etag "*" is refused the same way', async () => {
    const web = new WebClient(t.app);
    await web.login('p1.editor', PASSWORD);
    await web.get(`/don-vi/${roundId}/P1`);
    const before = await item('1.1');
    const res = await web.post(`/don-vi/${roundId}/P1/tieu-chi/1.1`, { etag: '*', option: 'LATE' });
    expect(res.statusCode).not.toBe(303);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(await item('1.1')).toEqual(before);
  });
});

describe('CSRF: the origin of cookie-authenticated web writes', () => {
  let web: WebClient;
  beforeAll(async () => {
    web = new WebClient(t.app);
    await web.login('p1.editor', PASSWORD);
    await web.get(`/don-vi/${roundId}/P1`);
  });
  const write = async (headers: Record<string, string>, percent: string) => {
    const { etag } = await item('2.2');
    return web.post(`/don-vi/${roundId}/P1/tieu-chi/2.2`, { etag, points: percent }, headers);
  };

  it('a foreign Origin is 403 with a valid token and session, and nothing is saved', async () => {
    const before = await item('2.2');
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null', 'http://localhost:8080', 'not a url']) {
      const res = await write({ origin }, '0.75');
      expect(res.statusCode, origin).toBe(403);
      expect(res.body).toContain('Biểu mẫu không hợp lệ');
    }
    expect(await item('2.2')).toEqual(before);
  });

  it('without Origin, a foreign Referer is 403 too', async () => {
    const before = await item('2.2');
    expect((await write({ referer: 'https://evil.example/trang.html' }, '0.75')).statusCode).toBe(403);
    expect(await item('2.2')).toEqual(before);
  });

  it('the service’s own origin, a CORS_ORIGINS entry, and a request with neither header (valid token) are accepted', async () => {
    // app.inject's Host is localhost:80, so the service's own origin is http://localhost.
    expect((await write({ origin: 'http://localhost' }, '0.25')).statusCode).toBe(303);
    expect((await item('2.2')).selfPoints).toBe(0.25);
    expect((await write({ origin: 'https://cong-thong-tin.example.gov.vn' }, '0.5')).statusCode).toBe(303);
    expect((await item('2.2')).selfPoints).toBe(0.5);
    expect((await write({ referer: 'http://localhost/don-vi/x' }, '0.75')).statusCode).toBe(303);
    expect((await write({}, '1')).statusCode).toBe(303);
    expect((await item('2.2')).selfPoints).toBe(1);
  });

  it('neither header and no valid token is still refused', async () => {
    const before = await item('2.2');
    const res = await web.post(`/don-vi/${roundId}/P1/tieu-chi/2.2`, { _csrf: 'forged', etag: before.etag, points: '0.25' });
    expect(res.statusCode).toBe(403);
    expect(await item('2.2')).toEqual(before);
  });

  it('the login form from a foreign origin is refused', async () => {
    const other = new WebClient(t.app);
    await other.get('/dang-nhap');
    const res = await other.post('/dang-nhap', { username: 'p1.editor', password: PASSWORD }, { origin: 'https://evil.example' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie'] ?? '').not.toMatch(/par_session=[^;]+/);
  });
});
