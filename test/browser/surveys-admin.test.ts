// Survey administration in a real browser, on a 360 px phone: the coordinator opens the survey page from the
// navigation, prints the links with their QR codes (print media hides the navigation), checks an export file
// with a dry run that stores nothing; on a desktop, downloads the results CSV from the round's results page.
// Screenshots go to test-output/screenshots/.
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/app.js';
import { login, newPage, seeContains, seeCount, seeText, seeVisible, shot, skipBrowser, startWebHarness, type WebHarness } from './harness.js';

const now = new Date('2025-10-20T03:00:00Z');
let h: WebHarness;

const kobo = ['TIEP_CAN/Q1;KET_QUA/Q2;unitCode;meta/instanceID', '5;4;P1;uuid:b-1', 'Hài lòng;3;P2;uuid:b-2', '9;4;P1;uuid:b-3'].join('\r\n');

describe.skipIf(skipBrowser)('survey administration in Chromium', () => {
  beforeAll(async () => {
    h = await startWebHarness(() => now);
  });
  afterAll(async () => h?.close());

  it('the coordinator opens the survey, prints the QR links and checks an export file on a 360 px phone', async () => {
    const { page, context, errors } = await newPage(h, 360);
    await login(page, 'coord', PASSWORD);
    await page.goto('/dieu-phoi');
    await page.getByRole('navigation', { name: 'Chức năng' }).getByRole('link', { name: 'Khảo sát' }).click();
    await seeText(page.getByRole('heading', { level: 1 }), 'Khảo sát');
    await shot(page, '30-khao-sat-danh-sach-360');
    await page.getByRole('link', { name: 'SIPAS-T' }).click();
    await seeText(page.getByRole('heading', { level: 1 }), 'Khảo sát mức độ hài lòng SIPAS-T');
    await seeContains(page.locator('main'), 'Bảng hỏi');
    await shot(page, '31-khao-sat-chi-tiet-360');

    await page.getByRole('link', { name: 'In đường dẫn và mã QR' }).click();
    await seeText(page.getByRole('heading', { level: 1 }), 'Đường dẫn và mã QR');
    await seeCount(page.locator('.qr-card'), 2);
    await seeVisible(page.locator('.qr-card svg').first());
    const box = await page.locator('.qr-card svg').first().boundingBox();
    expect(box!.width).toBeGreaterThan(150);
    await shot(page, '32-khao-sat-ma-qr-360');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.locator('.qr-card').first().isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    await page.goBack();
    await page.getByRole('link', { name: 'Nhập phiếu từ tệp' }).click();
    await seeText(page.getByRole('heading', { level: 1 }), 'Nhập phiếu khảo sát từ tệp');
    await page.setInputFiles('#tep', { name: 'kobo.csv', mimeType: 'text/csv', buffer: Buffer.from(kobo, 'utf8') });
    await Promise.all([page.waitForURL(/che-do=kiem-tra/), page.getByRole('button', { name: 'Kiểm tra (chạy thử)' }).click()]);
    await seeContains(page.locator('#bao-cao'), 'chưa có phiếu nào được lưu');
    await seeCount(page.locator('table.import-errors tbody tr'), 1);
    await seeContains(page.locator('table.import-errors tbody tr').first(), '4');
    await shot(page, '33-khao-sat-kiem-tra-360');
    const stored = await h.t.database.db.execute(sql`select count(*)::int as n from survey_responses`);
    expect((stored as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(0);
    expect(errors.join('\n')).toBe('');
    await context.close();
  });

  it('the coordinator downloads the results as CSV from the results page', async () => {
    const { page, context, errors } = await newPage(h, 1280);
    await login(page, 'coord', PASSWORD);
    await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}/ket-qua`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Bảng kết quả (CSV)' }).click()]);
    expect(download.suggestedFilename()).toBe(`ket-qua-${h.roundId}.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('UBND Phường An Hòa');
    await shot(page, '34-ket-qua-tai-ve');
    expect(errors.join('\n')).toBe('');
    await context.close();
  });
});
