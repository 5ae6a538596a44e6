// Issue 13 in the web UI, over app.inject: the coordinator records the council (members in several rows, the
// decision's issuer and signer, the minutes as an uploaded file or a document reference) on the round's
// "Hội đồng thẩm định" page, the results page says what is still missing beside the publish form, and publishing
// through the form works once the record is complete; a unit raises a kiến nghị (objection) on its area page during
// explanation. CSRF on every form, roles, nothing saved on refusals.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfBytes } from '../fixtures/blobs/samples.js';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, schedule } from '../helpers/fixtures.js';
import { api, driveToCouncilReview, itemUrl, selfScores, writeItem } from '../helpers/rounds.js';
import { WebClient } from '../helpers/web.js';

let t: TestApp;
const NOW = new Date('2025-10-20T03:00:00Z');

async function as(username: string) {
  const web = new WebClient(t.app);
  await web.login(username, PASSWORD);
  return web;
}
const councilOf = async (roundId: string) => (await api(t, 'coord', 'GET', `/api/v1/rounds/${roundId}/council`)).json();

beforeAll(async () => {
  t = await createTestApp({ clock: () => NOW });
  await seedDirectory(t);
  await insertFramework(t);
});
afterAll(() => t.close());

describe('council record form (hội đồng thẩm định) and publication through the web', () => {
  let roundId: string;
  let page: string;

  beforeAll(async () => {
    roundId = await driveToCouncilReview(t, {
      year: 2025,
      council: false,
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', units: { P1: { head: 'p1.head', self: selfScores.good, bonus: 0.5 }, P2: { head: 'p2.head', self: selfScores.na } } }],
    });
    page = `/dieu-phoi/ky-danh-gia/${roundId}/hoi-dong`;
  });

  it('the results page names every missing part beside the publish form, and publishing is refused', async () => {
    const coord = await as('coord');
    const results = await coord.get(`/dieu-phoi/ky-danh-gia/${roundId}/ket-qua`);
    expect(results.statusCode).toBe(200);
    expect(results.body).toContain('Hồ sơ Hội đồng thẩm định chưa đủ để công bố.');
    expect(results.body).toContain('Còn thiếu: thành viên Hội đồng thẩm định; biên bản họp Hội đồng; cơ quan/người ban hành quyết định; họ tên và chức danh người ký quyết định.');
    expect(results.body).toContain(`href="${page}"`);
    const refused = await coord.post(`/dieu-phoi/ky-danh-gia/${roundId}/cong-bo`, { decisionNumber: '125/QĐ-UBND', decisionDate: '22/12/2025', idempotency: 'x-1' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Còn thiếu: thành viên Hội đồng thẩm định; biên bản họp Hội đồng');
    expect((await api(t, null, 'GET', '/api/v1/public/publications')).json().items ?? []).toEqual([]);
  });

  it('only the coordinator opens or posts the council page; a form without the CSRF token changes nothing', async () => {
    for (const who of ['p1.head', 'appraiser']) {
      const w = await as(who);
      expect((await w.get(page)).statusCode).toBe(403);
      expect((await w.post(page, { memberName: 'X', memberPosition: 'Y', decisionIssuer: 'Z', signerName: 'A', signerTitle: 'B' })).statusCode).toBe(403);
    }
    const coord = await as('coord');
    expect((await coord.get(page)).statusCode).toBe(200);
    const noToken = await coord.post(page, { _csrf: '', memberName: 'Nguyễn Văn An', memberPosition: 'Chủ tịch Hội đồng', decisionIssuer: 'Chủ tịch UBND', signerName: 'Lê Văn Cường', signerTitle: 'Chủ tịch' });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain('Biểu mẫu không hợp lệ');
    const upload = await coord.upload(`${page}/bien-ban`, { _csrf: 'sai' }, { field: 'file', filename: 'bien-ban.pdf', content: pdfBytes(), contentType: 'application/pdf' });
    expect(upload.statusCode).toBe(403);
    expect((await councilOf(roundId)).missing).toEqual(['members', 'minutes', 'decisionIssuer', 'signer']);
  });

  it('a half-filled member row or a missing signer is refused by field, nothing saved; several rows save in order', async () => {
    const coord = await as('coord');
    await coord.get(page);
    const half = await coord.post(page, {
      memberName: ['Nguyễn Văn An', 'Trần Thị Bình', ''],
      memberPosition: ['Chủ tịch Hội đồng', '', ''],
      decisionIssuer: 'Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm',
      signerName: '',
      signerTitle: 'Chủ tịch',
    });
    expect(half.statusCode).toBe(422);
    expect(half.body).toContain('Thành viên dòng 2: thiếu chức vụ.');
    expect(half.body).toContain('Họ tên người ký: bắt buộc.');
    // What was typed stays in the form.
    expect(half.body).toContain('value="Trần Thị Bình"');
    expect((await councilOf(roundId)).missing).toEqual(['members', 'minutes', 'decisionIssuer', 'signer']);

    const saved = await coord.post(page, {
      memberName: ['Nguyễn Văn An', '', 'Trần Thị Bình', 'Phạm Văn Dũng', ''],
      memberPosition: ['Phó Chủ tịch UBND, Chủ tịch Hội đồng', '', 'Trưởng phòng Nội vụ, Phó Chủ tịch Hội đồng', 'Thành viên', ''],
      decisionIssuer: 'Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm',
      signerName: 'Lê Văn Cường',
      signerTitle: 'KT. Chủ tịch - Phó Chủ tịch',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${page}?tb=da-luu-hoi-dong`);
    const c = await councilOf(roundId);
    expect(c.members).toEqual([
      { name: 'Nguyễn Văn An', position: 'Phó Chủ tịch UBND, Chủ tịch Hội đồng' },
      { name: 'Trần Thị Bình', position: 'Trưởng phòng Nội vụ, Phó Chủ tịch Hội đồng' },
      { name: 'Phạm Văn Dũng', position: 'Thành viên' },
    ]);
    expect(c).toMatchObject({ decisionIssuer: 'Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm', signerName: 'Lê Văn Cường', signerTitle: 'KT. Chủ tịch - Phó Chủ tịch', missing: ['minutes'] });
    const shown = await coord.get(`${page}?tb=da-luu-hoi-dong`);
    expect(shown.body).toContain('Đã lưu hồ sơ Hội đồng thẩm định.');
    expect(shown.body).toContain('Còn thiếu: biên bản họp Hội đồng.');
    // 3 recorded members + 3 blank rows.
    expect(shown.body.match(/name="memberName"/g)).toHaveLength(6);
    const audit = (await api(t, 'coord', 'GET', '/api/v1/audit?action=round.council_set')).json();
    expect(audit.items[0]).toMatchObject({ actorUsername: 'coord', after: { signerName: 'Lê Văn Cường' } });
  });

  it('minutes: an uploaded file (checked and hashed), then replaced by a document reference; bad dates refused', async () => {
    const coord = await as('coord');
    await coord.get(page);
    const none = await coord.upload(`${page}/bien-ban`, { _csrf: coord.csrf }, { field: 'file', filename: '', content: Buffer.alloc(0) });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Vui lòng chọn tệp biên bản.');
    const bytes = pdfBytes();
    const up = await coord.upload(`${page}/bien-ban`, { _csrf: coord.csrf }, { field: 'file', filename: 'Biên bản họp hội đồng.pdf', content: bytes, contentType: 'application/pdf' });
    expect(up.statusCode, up.body).toBe(303);
    expect(up.headers.location).toBe(`${page}?tb=da-luu-bien-ban#bien-ban`);
    const c = await councilOf(roundId);
    expect(c.missing).toEqual([]);
    expect(c.minutes).toMatchObject({ kind: 'file', mime: 'application/pdf', sha256: createHash('sha256').update(bytes).digest('hex') });
    const shown = await coord.get(page);
    expect(shown.body).toContain('Hồ sơ Hội đồng thẩm định đã đủ.');
    expect(shown.body).toContain(`href="/api/v1/rounds/${roundId}/council/minutes/file"`);

    const badDate = await coord.post(`${page}/van-ban`, { docNumber: '05/BB-HĐTĐ', docDate: '31/02/2025', issuer: 'Hội đồng thẩm định', title: 'Biên bản họp' });
    expect(badDate.statusCode).toBe(422);
    expect(badDate.body).toContain('Ngày biên bản không hợp lệ');
    expect((await councilOf(roundId)).minutes.kind).toBe('file');
    const doc = await coord.post(`${page}/van-ban`, { docNumber: '05/BB-HĐTĐ', docDate: '18/12/2025', issuer: 'Hội đồng thẩm định Chỉ số CCHC', title: 'Biên bản họp Hội đồng thẩm định', url: '' });
    expect(doc.statusCode).toBe(303);
    expect((await councilOf(roundId)).minutes).toMatchObject({ kind: 'document', docNumber: '05/BB-HĐTĐ', docDate: '2025-12-18', issuer: 'Hội đồng thẩm định Chỉ số CCHC', title: 'Biên bản họp Hội đồng thẩm định', url: null });
    expect((await coord.get(page)).body).toContain('Văn bản số 05/BB-HĐTĐ ngày 18/12/2025 của Hội đồng thẩm định Chỉ số CCHC');
  });

  it('with the record complete the results page says so and the publish form publishes it; then the record is frozen', async () => {
    const coord = await as('coord');
    const results = await coord.get(`/dieu-phoi/ky-danh-gia/${roundId}/ket-qua`);
    expect(results.body).toContain('Hồ sơ Hội đồng thẩm định đã đủ.');
    const pub = await coord.post(`/dieu-phoi/ky-danh-gia/${roundId}/cong-bo`, { decisionNumber: '125/QĐ-UBND', decisionDate: '22/12/2025', idempotency: 'x-2' });
    expect(pub.statusCode, pub.body).toBe(303);
    const id = /^\/cong-khai\/([^?]+)/.exec(pub.headers.location as string)![1]!;
    const snap = (await api(t, null, 'GET', `/api/v1/public/publications/${id}`)).json();
    const s = snap.snapshot ?? snap;
    expect(s.council.members.map((m: { name: string }) => m.name)).toEqual(['Nguyễn Văn An', 'Trần Thị Bình', 'Phạm Văn Dũng']);
    expect(s.decision).toMatchObject({ number: '125/QĐ-UBND', date: '2025-12-22', issuer: 'Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm', signerTitle: 'KT. Chủ tịch - Phó Chủ tịch' });
    await coord.get(page);
    const late = await coord.post(page, { memberName: 'Người khác', memberPosition: 'Thành viên', decisionIssuer: 'X', signerName: 'Y', signerTitle: 'Z' });
    expect(late.statusCode).toBe(409);
    expect((await councilOf(roundId)).members).toHaveLength(3);
  });
});

describe('kiến nghị (objection) on the unit’s area page', () => {
  let roundId: string;
  const area = (code: string) => `/don-vi/${roundId}/P1/linh-vuc/${code}`;
  const action = (code: string) => `/don-vi/${roundId}/P1/tieu-chi/${code}/kien-nghi`;
  const etagOf = (body: string, code: string) => new RegExp(`action="[^"]*/tieu-chi/${code.replace('.', '\\.')}/kien-nghi"[^>]*>\\s*<input type="hidden" name="_csrf" value="[^"]*"><input type="hidden" name="etag" value="([^"]+)"`).exec(body)?.[1]?.replaceAll('&quot;', '"').replaceAll('&#34;', '"');

  beforeAll(async () => {
    // Another year (one round per unit and year), reusing the 2025 framework.
    const created = await api(t, 'coord', 'POST', '/api/v1/rounds', {
      year: 2026,
      name: 'Xác định Chỉ số CCHC năm 2026',
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', unitCodes: ['P1'] }],
      schedule,
      allowFrameworkYear: { reason: 'Thử nghiệm' },
    });
    expect(created.statusCode, created.body).toBe(201);
    roundId = created.json().id;
    const move = async (to: string, force?: boolean) => expect((await api(t, 'coord', 'POST', `/api/v1/rounds/${roundId}/transition`, force ? { to, force } : { to })).statusCode).toBe(200);
    await move('self_assessment');
    // Self: 1.1 LATE = 0.5, 1.2 92.5 % = 2.
    for (const [code, body] of Object.entries(selfScores.good)) expect((await writeItem(t, 'p1.head', roundId, 'P1', code, 'self', body)).statusCode).toBe(200);
    expect((await api(t, 'p1.head', 'POST', `/api/v1/rounds/${roundId}/assessments/P1/submit`)).statusCode).toBe(200);
    expect((await api(t, 'coord', 'PUT', `/api/v1/rounds/${roundId}/appraisers`, [{ username: 'appraiser', areaCodes: ['1', '2', '9'] }])).statusCode).toBe(200);
    await move('appraisal', true);
    // 1.1 at its self points (0.5); 1.2 at 1 (below the self 2).
    expect((await writeItem(t, 'appraiser', roundId, 'P1', '1.1', 'appraisal', { points: 0.5 })).statusCode).toBe(200);
    expect((await writeItem(t, 'appraiser', roundId, 'P1', '1.2', 'appraisal', { points: 1, comment: 'Báo cáo chỉ thể hiện 80%' })).statusCode).toBe(200);
  });

  it('no form before explanation; in explanation only the item appraised below its self points offers one', async () => {
    const unit = await as('p1.editor');
    expect((await unit.get(area('1'))).body).not.toContain('/kien-nghi"');
    expect((await api(t, 'coord', 'POST', `/api/v1/rounds/${roundId}/transition`, { to: 'explanation' })).statusCode).toBe(200);
    const body = (await unit.get(area('1'))).body;
    expect(body).toContain(`action="${action('1.2')}"`);
    expect(body).toContain('Kiến nghị về điểm thẩm định (1 thấp hơn 2 điểm tự chấm)');
    expect(body).not.toContain(`action="${action('1.1')}"`);
  });

  it('refuses without a reason or a CSRF token and for other roles, then records the objection and shows it', async () => {
    const unit = await as('p1.editor');
    const body = (await unit.get(area('1'))).body;
    const etag = etagOf(body, '1.2')!;
    expect(etag).toBeTruthy();
    const empty = await unit.post(action('1.2'), { etag, reason: '  ' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Vui lòng nhập lý do kiến nghị.');
    const noToken = await unit.post(action('1.2'), { _csrf: '', etag, reason: 'x' });
    expect(noToken.statusCode).toBe(403);
    // Another unit does not see P1's items at all (404); the coordinator may not object for a unit (403).
    const other = await as('p2.editor');
    expect((await other.post(action('1.2'), { etag, reason: 'x' })).statusCode).toBe(404);
    const coord = await as('coord');
    expect((await coord.post(action('1.2'), { etag, reason: 'x' })).statusCode).toBe(403);
    // A stale ETag: 412, said on the page; nothing recorded.
    const stale = await unit.post(action('1.2'), { etag: '"00000000-0"', reason: 'x' });
    expect(stale.statusCode).toBe(412);
    expect((await api(t, 'p1.head', 'GET', itemUrl(roundId, 'P1', '1.2'))).json().objection).toBeNull();
    // 1.1 (appraised at its self points) through a hand-made request: 409, nothing recorded.
    const same = await unit.post(action('1.1'), { etag: (await api(t, 'p1.head', 'GET', itemUrl(roundId, 'P1', '1.1'))).json().etag, reason: 'x' });
    expect(same.statusCode).toBe(409);

    const reason = 'Đã hoàn thành 27/29 nhiệm vụ (93%), có báo cáo số 45/BC-UBND';
    const ok = await unit.post(action('1.2'), { etag, reason });
    expect(ok.statusCode, ok.body).toBe(303);
    expect(ok.headers.location).toBe(`${area('1')}?tb=da-kien-nghi#tc-1.2`);
    const item = (await api(t, 'p1.head', 'GET', itemUrl(roundId, 'P1', '1.2'))).json();
    expect(item).toMatchObject({ status: 'explained', objection: { reason, by: 'p1.editor' } });
    const after = (await unit.get(`${area('1')}?tb=da-kien-nghi`)).body;
    expect(after).toContain('Đã gửi kiến nghị.');
    expect(after).toContain('<h4>Kiến nghị của đơn vị</h4>');
    expect(after).toContain(reason);
    expect(after).not.toContain(`action="${action('1.2')}"`);
  });
});
