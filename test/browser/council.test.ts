// Issue 13 item 10 in Chromium at 1366×768: in council review the results page says the council record is
// incomplete; the coordinator records the members (several rows), the decision's issuer and signer and uploads the
// minutes on the "Hội đồng thẩm định" page, then publishes through the results page's form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfBytes } from '../fixtures/blobs/samples.js';
import { PASSWORD } from '../helpers/app.js';
import { api, driveToCouncilReview, selfScores } from '../helpers/rounds.js';
import { login, newPage, seeContains, shot, skipBrowser, startWebHarness, type WebHarness } from './harness.js';

const now = new Date('2025-10-20T03:00:00Z');
let h: WebHarness;
let roundId: string;

describe.skipIf(skipBrowser)('recording the council and publishing in Chromium', () => {
  beforeAll(async () => {
    h = await startWebHarness(() => now);
    // The harness's open 2025 round holds P1 and P2; this one is 2026 on the same (2025) framework.
    roundId = await driveToCouncilReview(h.t, {
      year: 2026,
      council: false,
      allowFrameworkYear: 'Dùng lại bộ tiêu chí năm 2025 (thử nghiệm)',
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', units: { P1: { head: 'p1.head', self: selfScores.good, bonus: 0.5 }, P2: { head: 'p2.head', self: selfScores.na } } }],
    });
  }, 300_000);
  afterAll(async () => h?.close());

  it('the coordinator fills the council form, uploads the minutes and publishes', async () => {
    const { page, context, errors } = await newPage(h, 1366);
    await page.setViewportSize({ width: 1366, height: 768 });
    await login(page, 'coord', PASSWORD);
    await page.goto(`/dieu-phoi/ky-danh-gia/${roundId}/ket-qua`);
    await seeContains(page.locator('.council-missing'), 'Còn thiếu: thành viên Hội đồng thẩm định; biên bản họp Hội đồng');
    await page.getByRole('link', { name: 'Cập nhật hồ sơ Hội đồng' }).click();
    expect(new URL(page.url()).pathname).toBe(`/dieu-phoi/ky-danh-gia/${roundId}/hoi-dong`);

    await page.getByLabel('Họ và tên thành viên 1').fill('Nguyễn Văn An');
    await page.getByLabel('Chức vụ thành viên 1').fill('Phó Chủ tịch UBND, Chủ tịch Hội đồng');
    await page.getByLabel('Họ và tên thành viên 2').fill('Trần Thị Bình');
    await page.getByLabel('Chức vụ thành viên 2').fill('Trưởng phòng Nội vụ, Phó Chủ tịch Hội đồng');
    await page.getByLabel(/Cơ quan\/người ban hành quyết định/).fill('Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm');
    await page.getByLabel('Chức danh người ký').fill('Chủ tịch');
    await page.getByLabel('Họ tên người ký').fill('Lê Văn Cường');
    await shot(page, 'council-01-ho-so-hoi-dong');
    await page.getByRole('button', { name: 'Lưu hồ sơ Hội đồng' }).click();
    await seeContains(page.locator('.flash').first(), 'Đã lưu hồ sơ Hội đồng thẩm định.');
    await seeContains(page.locator('.council-missing'), 'Còn thiếu: biên bản họp Hội đồng.');
    // Saved rows come back, with blank rows under them for more members.
    expect(await page.getByLabel('Họ và tên thành viên 2').inputValue()).toBe('Trần Thị Bình');
    expect(await page.getByLabel('Họ và tên thành viên 3').inputValue()).toBe('');

    await page.getByLabel('Tệp biên bản').setInputFiles({ name: 'bien-ban-hop-hoi-dong.pdf', mimeType: 'application/pdf', buffer: pdfBytes() });
    await page.getByRole('button', { name: 'Tải lên biên bản' }).click();
    await seeContains(page.locator('.council-complete'), 'Hồ sơ Hội đồng thẩm định đã đủ.');
    await seeContains(page.locator('.minutes-current'), 'bien-ban-hop-hoi-dong.pdf');
    await shot(page, 'council-02-da-du');

    await page.getByRole('link', { name: 'Về trang Kết quả và công bố' }).click();
    await seeContains(page.locator('.council-complete'), 'Hồ sơ Hội đồng thẩm định đã đủ.');
    await page.getByLabel('Số quyết định công bố').fill('125/QĐ-UBND');
    await page.getByLabel('Ngày quyết định').fill('22/12/2026');
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/cong-khai/')), page.getByRole('button', { name: 'Công bố kết quả' }).click()]);
    const id = new URL(page.url()).pathname.split('/')[2]!;
    const pub = (await api(h.t, null, 'GET', `/api/v1/public/publications/${id}`)).json();
    const s = pub.snapshot ?? pub;
    expect(s.council.members).toEqual([
      { name: 'Nguyễn Văn An', position: 'Phó Chủ tịch UBND, Chủ tịch Hội đồng' },
      { name: 'Trần Thị Bình', position: 'Trưởng phòng Nội vụ, Phó Chủ tịch Hội đồng' },
    ]);
    expect(s.council.minutes).toMatchObject({ kind: 'file', filename: 'bien-ban-hop-hoi-dong.pdf' });
    expect(s.decision).toMatchObject({ number: '125/QĐ-UBND', date: '2026-12-22', signerName: 'Lê Văn Cường', signerTitle: 'Chủ tịch' });
    await shot(page, 'council-03-da-cong-bo');
    expect(errors.join('\n')).toBe('');
    await context.close();
  });
});
