// Survey administration in a real browser, on a 360 px phone: the coordinator opens the survey page from the
// navigation, prints the links with their QR codes (print media hides the navigation), checks an export file
// with a dry run that stores nothing; on a desktop, downloads the results CSV from the round's results page. The
// questionnaire editor (issue 15): a questionnaire with two dimensions is built through the form at 1366×768 and
// on a 390×844 phone, previewed, and a multiple-choice question reaches the public form as checkboxes.
// Screenshots go to test-output/screenshots/.
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/app.js';
import type { Page } from 'playwright-core';
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
    // The report is shown on the import page's own address (post/redirect/get), so a reload shows it again.
    await Promise.all([page.waitForURL(/\/nhap-phieu\?loi=/), page.getByRole('button', { name: 'Kiểm tra (chạy thử)' }).click()]);
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
  /** Submits the editor with a row button and waits for the re-rendered form to show `expect` (a field id). */
  async function rowButton(page: Page, name: string, expectId: string) {
    await page.getByRole('button', { name, exact: true }).click();
    await seeVisible(page.locator(`#${expectId}`));
  }

  /** Builds, through the editor, a questionnaire with two dimensions: one single-choice and one multiple-choice question. */
  async function buildQuestionnaire(page: Page, code: string, tag: string) {
    await page.goto('/dieu-phoi/khao-sat');
    await page.getByRole('link', { name: 'Tạo bảng hỏi mới' }).click();
    await seeText(page.getByRole('heading', { level: 1 }), 'Tạo bảng hỏi mới');
    await page.fill('#f-code', code);
    await page.fill('#f-name', `Khảo sát một cửa ${tag}`);
    await page.fill('#f-d-0-code', 'TIEP_CAN');
    await page.fill('#f-d-0-title', 'Tiếp cận dịch vụ');
    await page.fill('#f-d-0-q-0-code', 'Q1');
    await page.fill('#f-d-0-q-0-text', 'Ông/bà có hài lòng với thời gian chờ không?');
    await page.getByLabel('Bắt buộc trả lời').check();
    await page.fill('#f-d-0-q-0-o-0-code', 'co');
    await page.fill('#f-d-0-q-0-o-0-label', 'Hài lòng');
    await page.fill('#f-d-0-q-0-o-0-value', '1');
    await page.fill('#f-d-0-q-0-o-1-code', 'khong');
    await page.fill('#f-d-0-q-0-o-1-label', 'Không hài lòng');
    await page.fill('#f-d-0-q-0-o-1-value', '0');
    // The second dimension, its question made multiple choice with a third option.
    await rowButton(page, 'Thêm nhóm câu hỏi', 'f-d-1-code');
    // Post/redirect/get to the editor's address, opened at the new dimension; a reload keeps what was typed.
    expect(page.url()).toMatch(/\/dieu-phoi\/khao-sat-moi\?loi=[0-9a-f-]{36}#nhom-1$/);
    await page.reload();
    await seeVisible(page.locator('#f-d-1-code'));
    expect(await page.inputValue('#f-d-0-q-0-text')).toBe('Ông/bà có hài lòng với thời gian chờ không?');
    await page.fill('#f-d-1-code', 'KENH');
    await page.fill('#f-d-1-title', 'Kênh thông tin');
    await page.fill('#f-d-1-weight', '0,5');
    await page.fill('#f-d-1-q-0-code', 'K1');
    await page.fill('#f-d-1-q-0-text', 'Ông/bà biết thủ tục qua kênh nào?');
    await page.selectOption('#f-d-1-q-0-type', 'multiple');
    await page.fill('#f-d-1-q-0-o-0-code', 'web');
    await page.fill('#f-d-1-q-0-o-0-label', 'Cổng dịch vụ công');
    await page.fill('#f-d-1-q-0-o-0-value', '1');
    await page.fill('#f-d-1-q-0-o-1-code', 'loa');
    await page.fill('#f-d-1-q-0-o-1-label', 'Loa phường');
    await page.fill('#f-d-1-q-0-o-1-value', '0,5');
    await rowButton(page, 'Thêm phương án cho câu 1 của nhóm 2', 'f-d-1-q-0-o-2-code');
    await page.fill('#f-d-1-q-0-o-2-code', 'khac');
    await page.fill('#f-d-1-q-0-o-2-label', 'Người quen');
    // A wrong value first: refused beside the field, nothing typed lost.
    await page.fill('#f-d-1-q-0-o-2-value', '2');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Tạo bảng hỏi' }).first().click()]);
    await seeText(page.locator('#f-d-1-q-0-o-2-value-err'), 'Giá trị phải từ 0 đến 1.');
    expect(await page.inputValue('#f-d-1-q-0-o-1-label')).toBe('Loa phường');
    expect(await page.getAttribute('#f-d-1-q-0-o-2-value', 'aria-invalid')).toBe('true');
    await page.fill('#f-d-1-q-0-o-2-value', '0');
    await Promise.all([page.waitForURL(/tb=da-tao-bang-hoi/), page.getByRole('button', { name: 'Tạo bảng hỏi' }).first().click()]);
    await seeContains(page.locator('#thong-bao'), 'Đã tạo bảng hỏi');
    await seeText(page.getByRole('heading', { level: 1 }), `Sửa bảng hỏi ${code}`);
    // The preview inside the editor: the citizens' form, checkboxes for the multiple-choice question.
    await page.getByRole('button', { name: 'Xem trước biểu mẫu' }).first().click();
    await seeVisible(page.locator('#xem-truoc'));
    await seeCount(page.locator('#xem-truoc input[type="checkbox"][name="q_K1"]'), 3);
    await seeCount(page.locator('#xem-truoc input[type="radio"][name="q_Q1"]'), 2);
    await seeContains(page.locator('#xem-truoc'), 'chọn một hoặc nhiều phương án');
  }

  for (const [width, height] of [[1366, 768], [390, 844]] as const) {
    it(`the coordinator builds a questionnaire with two dimensions in the editor and previews it at ${width}×${height}`, async () => {
      const { page, context, errors } = await newPage(h, width);
      await page.setViewportSize({ width, height });
      await login(page, 'coord', PASSWORD);
      const code = `KS-${width}`;
      await buildQuestionnaire(page, code, `${width}`);
      await shot(page, `35-bang-hoi-xem-truoc-${width}`);
      const res = await h.t.app.inject({ method: 'GET', url: `/api/v1/surveys/${code}`, headers: await h.t.as('coord') });
      const stored = res.json();
      expect(stored.dimensions.map((d: { code: string; weight: number; questions: { code: string }[] }) => [d.code, d.weight, d.questions.map((q) => q.code)])).toEqual([
        ['TIEP_CAN', 1, ['Q1']],
        ['KENH', 0.5, ['K1']],
      ]);
      expect(stored.dimensions[1].questions[0].multiple).toEqual({ score: 'mean' });
      expect(stored.dimensions[1].questions[0].options.map((o: { code: string; value: number }) => [o.code, o.value])).toEqual([['web', 1], ['loa', 0.5], ['khac', 0]]);
      expect(stored.dimensions[0].questions[0].required).toBe(true);
      // Reorder: the second dimension up, saved, redirected back to the editor.
      await page.getByRole('button', { name: 'Chuyển lên: nhóm 2' }).click();
      await seeText(page.locator('#nhom-0-tieu-de'), 'Nhóm 1: Kênh thông tin');
      await Promise.all([page.waitForURL(/tb=da-luu-bang-hoi/), page.getByRole('button', { name: 'Lưu bảng hỏi' }).first().click()]);
      await seeContains(page.locator('#thong-bao'), 'Đã lưu bảng hỏi');
      expect(await page.inputValue('#f-d-0-code')).toBe('KENH');
      await page.getByRole('link', { name: 'Xem trước bản đã lưu' }).click();
      await seeCount(page.locator('input[type="checkbox"][name="q_K1"]'), 3);
      await shot(page, `36-bang-hoi-da-luu-${width}`);
      expect(errors.join('\n')).toBe('');
      await context.close();
    });
  }

  it('a question made multiple choice in the editor reaches the public form as checkboxes (390×844)', async () => {
    const { page, context, errors } = await newPage(h, 390);
    await page.setViewportSize({ width: 390, height: 844 });
    await login(page, 'coord', PASSWORD);
    await page.goto('/dieu-phoi/khao-sat/SIPAS-T');
    await page.getByRole('link', { name: 'Sửa bảng hỏi' }).click();
    await page.selectOption('#f-d-1-q-0-type', 'multiple');
    await Promise.all([page.waitForURL(/tb=da-luu-bang-hoi/), page.getByRole('button', { name: 'Lưu bảng hỏi' }).first().click()]);
    const citizen = await h.browser.newContext({ baseURL: h.baseUrl, viewport: { width: 390, height: 844 }, locale: 'vi-VN' });
    const form = await citizen.newPage();
    await form.goto('/khao-sat/SIPAS-T/P1');
    const q2 = form.locator('#cau-Q2');
    await seeCount(q2.locator('input[type="checkbox"]'), 6);
    await seeCount(q2.locator('input[type="radio"]'), 0);
    await seeCount(form.locator('#cau-Q1 input[type="radio"]'), 6);
    await form.getByRole('group', { name: /Câu hỏi Q1/ }).getByLabel('Rất hài lòng').check();
    await q2.getByLabel('Rất hài lòng').check();
    await q2.getByLabel('Hài lòng', { exact: true }).check();
    await shot(form, '37-khao-sat-nhieu-lua-chon-390');
    await Promise.all([form.waitForURL(/cam-on/), form.getByRole('button', { name: 'Gửi phiếu khảo sát' }).click()]);
    const stored = await h.t.database.db.execute(sql`select answers from survey_responses where unit_code = 'P1'`);
    expect((stored as unknown as { rows: { answers: Record<string, string> }[] }).rows.map((r) => r.answers)).toEqual([{ Q1: '5', Q2: '5 4' }]);
    expect(errors.join('\n')).toBe('');
    await citizen.close();
    await context.close();
  });
});
