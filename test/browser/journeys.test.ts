// The main journeys through the web forms in a real browser: the ward clerk fills and the head submits; a citizen
// answers the survey on a 360 px phone; the coordinator opens appraisal; the appraiser adjusts a score and asks
// for an explanation; the clerk explains; the appraiser decides; the coordinator publishes; a citizen reads the
// ranking with its chart and downloads the CSV. Screenshots of each page go to test-output/screenshots/.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/app.js';
import { api, recordCouncil, selfScores, writeItem } from '../helpers/rounds.js';
import { pdfBytes } from '../fixtures/blobs/samples.js';
import { canvasWidth, card, login, newPage, seeContains, seeCount, seeText, seeValue, seeVisible, shot, skipBrowser, startWebHarness, type WebHarness } from './harness.js';

// 2025-10-20 10:00 in Vietnam: every deadline of the test schedule (self-assessment 03/11/2025 …) is ahead.
const now = new Date('2025-10-20T03:00:00Z');
let h: WebHarness;

describe.skipIf(skipBrowser)('web journeys in Chromium', () => {
  beforeAll(async () => {
    h = await startWebHarness(() => now);
    // Phường An Hòa (P2) self-assesses and submits through the API, so the ranking has two units.
    for (const [code, body] of Object.entries(selfScores.na)) {
      const res = await writeItem(h.t, 'p2.head', h.roundId, 'P2', code, 'self', body);
      expect(res.statusCode, `P2 ${code}`).toBe(200);
    }
    expect((await api(h.t, 'p2.head', 'POST', `/api/v1/rounds/${h.roundId}/assessments/P2/submit`)).statusCode).toBe(200);
  });
  afterAll(async () => h?.close());

  const unitBase = () => `/don-vi/${h.roundId}/P1`;

  it('a ward clerk fills each criterion with live points and evidence; the head submits', async () => {
    const { page, context, errors } = await newPage(h);
    await page.goto('/');
    await shot(page, '01-dang-nhap');
    await login(page, 'p1.editor', PASSWORD);
    expect(new URL(page.url()).pathname).toBe(unitBase());
    await expect.poll(() => page.locator('.deadline').innerText()).toContain('03/11/2025');
    expect(await page.locator('.deadline').innerText()).toContain('còn 14 ngày');
    await shot(page, '02-don-vi-tong-quan');

    // Area 1: an option and a percentage, with points shown as they are typed.
    await page.getByRole('link', { name: 'Chấm điểm' }).first().click();
    const c11 = card(page, '1.1');
    await c11.getByLabel('Ban hành kịp thời').check();
    await seeText(c11.locator('output.points-preview'), '1 / 1 điểm');
    await c11.getByRole('button', { name: 'Lưu tiêu chí 1.1' }).click();
    await seeText(page.locator('#thong-bao'), 'Đã lưu kết quả tự chấm.');

    const c12 = card(page, '1.2');
    await c12.getByLabel('Tỷ lệ đạt được (%)').fill('150');
    await seeText(c12.locator('output.points-preview'), 'Tỷ lệ phải nằm trong khoảng từ 0 đến 100.');
    await c12.getByLabel('Tỷ lệ đạt được (%)').fill('92,5');
    await seeText(c12.locator('output.points-preview'), '2 / 2 điểm');
    await c12.getByRole('button', { name: 'Lưu tiêu chí 1.2' }).click();
    await seeVisible(page.locator('#thong-bao'));

    // Evidence for 1.1: an official document by number and date.
    const c11b = card(page, '1.1');
    await c11b.getByText('Thêm văn bản (số, ngày, cơ quan ban hành)').click();
    await c11b.getByLabel('Số, ký hiệu').fill('125/KH-UBND');
    await c11b.getByLabel('Ngày ban hành').fill('15/01/2025');
    await c11b.getByLabel('Trích yếu').fill('Kế hoạch cải cách hành chính năm 2025');
    await c11b.getByRole('button', { name: 'Thêm văn bản' }).click();
    await seeText(page.locator('#thong-bao'), 'Đã đính kèm tài liệu kiểm chứng.');
    await seeContains(card(page, '1.1').locator('.evidence'), 'Văn bản số 125/KH-UBND ngày 15/01/2025');
    await shot(page, '03-don-vi-linh-vuc-1');

    // Area 2: a ratio, manual points, yes/no with a file.
    await page.getByRole('link', { name: 'Lĩnh vực 2 →' }).click();
    const c21 = card(page, '2.1');
    await c21.getByLabel('Số đạt (tử số)').fill('1');
    await c21.getByLabel('Tổng số (mẫu số)').fill('40');
    await seeText(c21.locator('output.points-preview'), '1,95 / 2 điểm');
    await c21.getByRole('button', { name: 'Lưu tiêu chí 2.1' }).click();
    await seeVisible(page.locator('#thong-bao'));
    const c22 = card(page, '2.2');
    await c22.getByLabel(/Số điểm tự chấm/).fill('0,3');
    await seeText(c22.locator('output.points-preview'), 'Số điểm phải là bội số của 0,25.');
    await c22.getByRole('button', { name: 'Lưu tiêu chí 2.2' }).click();
    await seeContains(page.locator('[id="tc-2.2"] .flash-error'), 'Dữ liệu chưa hợp lệ');
    await seeText(card(page, '2.2').locator('.field-error'), 'Số điểm phải là bội số của 0,25.');
    await card(page, '2.2').getByLabel(/Số điểm tự chấm/).fill('0,75');
    await seeText(card(page, '2.2').locator('output.points-preview'), '0,75 / 1 điểm');
    await card(page, '2.2').getByRole('button', { name: 'Lưu tiêu chí 2.2' }).click();
    await seeVisible(page.locator('#thong-bao'));
    const c23 = card(page, '2.3');
    await c23.locator('input[name=value][value=co]').check();
    await seeText(c23.locator('output.points-preview'), '1 / 1 điểm');
    await c23.getByRole('button', { name: 'Lưu tiêu chí 2.3' }).click();
    await seeVisible(page.locator('#thong-bao'));
    await card(page, '2.3').getByText('Đính kèm tệp').click();
    await card(page, '2.3').locator('input[type=file]').setInputFiles({ name: 'Ảnh bảng niêm yết.pdf', mimeType: 'application/pdf', buffer: pdfBytes() });
    await card(page, '2.3').getByRole('button', { name: 'Tải lên' }).click();
    await seeText(page.locator('#thong-bao'), 'Đã đính kèm tài liệu kiểm chứng.');
    await seeText(card(page, '2.3').locator('.evidence a'), 'Ảnh bảng niêm yết.pdf');
    await shot(page, '04-don-vi-linh-vuc-2');
    await page.goto(unitBase());
    await seeContains(page.locator('.stat').first(), '5 / 5');
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await seeText(page.locator('#thong-bao'), 'Bạn đã đăng xuất.');
    await context.close();

    // The head submits.
    const head = await newPage(h);
    await login(head.page, 'p1.head', PASSWORD);
    await head.page.getByRole('button', { name: 'Nộp bản tự đánh giá' }).click();
    await seeText(head.page.locator('#thong-bao'), 'Đã nộp bản tự đánh giá. Cảm ơn đơn vị!');
    await shot(head.page, '05-don-vi-da-nop');
    expect(errors.concat(head.errors).join('\n')).toBe('');
    await head.context.close();
  });

  it('a citizen answers the satisfaction survey on a 360 px phone', async () => {
    const { page, context, errors } = await newPage(h, 360);
    await page.goto('/khao-sat/SIPAS-T/P1');
    await seeText(page.getByRole('heading', { level: 1 }), 'Khảo sát mức độ hài lòng SIPAS-T');
    await seeText(page.locator('.survey .sub'), 'UBND Phường 1');
    await shot(page, '06-khao-sat-360');
    // The answer targets are large enough to tap.
    const box = await page.locator('.survey .choice').first().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(48);
    await page.getByRole('group', { name: 'Câu hỏi Q1' }).getByLabel('Hài lòng', { exact: true }).check();
    await page.getByRole('group', { name: 'Câu hỏi Q2' }).getByLabel('Rất hài lòng').check();
    await page.getByRole('button', { name: 'Gửi phiếu khảo sát' }).click();
    await seeText(page.getByRole('heading', { level: 1 }), 'Cảm ơn ông/bà!');
    await shot(page, '07-khao-sat-cam-on-360');
    const responses = await api(h.t, 'coord', 'GET', '/api/v1/surveys/SIPAS-T/results');
    expect(responses.statusCode).toBe(200);
    expect(JSON.stringify(responses.json())).toContain('"n":1');
    expect(errors.join('\n')).toBe('');
    await context.close();
  });

  it('the coordinator follows progress, assigns appraisers and opens appraisal', async () => {
    const { page, context, errors } = await newPage(h);
    await login(page, 'coord', PASSWORD);
    await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}/tien-do`);
    await seeContains(page.locator('table.progress-table'), 'UBND Phường 1');
    await seeContains(page.locator('tr#dv-P1'), 'Đã nộp');
    await shot(page, '08-dieu-phoi-tien-do');
    await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}`);
    for (const area of ['1', '2', '9']) await page.getByLabel(new RegExp(`Thẩm định viên Tư pháp: lĩnh vực ${area} `)).check();
    await page.getByRole('button', { name: 'Lưu phân công' }).click();
    await seeText(page.locator('#thong-bao'), 'Đã lưu phân công thẩm định.');
    await page.getByRole('button', { name: 'Chuyển sang “Thẩm định”' }).click();
    await seeText(page.locator('#thong-bao'), 'Đã chuyển giai đoạn.');
    await seeText(page.locator('.stepper .current'), 'Thẩm định');
    await shot(page, '09-dieu-phoi-ky-danh-gia');
    expect(errors.join('\n')).toBe('');
    await context.close();
  });

  it('an appraiser works through the queue, adjusts a score and requests an explanation', async () => {
    const { page, context, errors } = await newPage(h);
    await login(page, 'appraiser', PASSWORD);
    expect(new URL(page.url()).pathname).toBe(`/tham-dinh/${h.roundId}`);
    await page.getByLabel('Đơn vị').selectOption('P1');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await seeCount(page.locator('table.queue tbody tr'), 6);
    await shot(page, '10-tham-dinh-hang-doi');
    await page.getByRole('link', { name: /1\.2 Mức độ thực hiện kế hoạch CCHC/ }).click();
    await seeContains(page.locator('.facts'), '92,5%');
    await page.getByLabel(/^Điểm/).selectOption('1');
    await page.getByRole('button', { name: 'Lưu thẩm định' }).click();
    // Adjusting needs a comment: the page says so beside the field.
    await seeText(page.locator('.field-error'), 'Cần ghi nhận xét khi điểm thẩm định khác điểm tự chấm.');
    await page.getByLabel(/^Nhận xét/).fill('Báo cáo chưa chứng minh tỷ lệ 92,5%; đề nghị bổ sung số liệu kiểm chứng.');
    await page.getByLabel('Yêu cầu đơn vị giải trình').check();
    await page.getByRole('button', { name: 'Lưu thẩm định' }).click();
    await seeText(page.locator('#thong-bao'), 'Đã lưu kết quả thẩm định.');
    await seeContains(page.locator('.decision'), 'yêu cầu giải trình');
    await seeContains(page.locator('table.history'), 'Thẩm định');
    await shot(page, '11-tham-dinh-tieu-chi');
    // The evidence opens from the item page.
    await page.goto(`/tham-dinh/${h.roundId}/P1/2.3`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Ảnh bảng niêm yết.pdf' }).click()]);
    expect(fs.readFileSync((await download.path())!).subarray(0, 5).toString()).toBe('%PDF-');
    expect(errors.join('\n')).toBe('');
    await context.close();

    // The rest of the appraisal through the API: the bonus criterion of both units.
    for (const unit of ['P1', 'P2']) {
      expect((await writeItem(h.t, 'appraiser', h.roundId, unit, '9.1', 'appraisal', { points: unit === 'P1' ? 0.5 : 0, comment: 'Theo sáng kiến được công nhận' })).statusCode).toBe(200);
    }
    expect((await api(h.t, 'coord', 'POST', `/api/v1/rounds/${h.roundId}/transition`, { to: 'explanation' })).statusCode).toBe(200);
  });

  it('the clerk answers the request for explanation', async () => {
    const { page, context, errors } = await newPage(h);
    await login(page, 'p1.editor', PASSWORD);
    await seeContains(page.locator('section.attention'), 'Yêu cầu giải trình (1)');
    await page.getByRole('link', { name: /1\.2 Mức độ thực hiện kế hoạch CCHC/ }).first().click();
    const c12 = card(page, '1.2');
    await seeContains(c12.locator('.decision'), 'Nội dung cần giải trình: Báo cáo chưa chứng minh');
    await c12.getByLabel('Nội dung giải trình của đơn vị').fill('Đơn vị bổ sung Báo cáo số 45/BC-UBND: hoàn thành 37/40 nhiệm vụ (92,5%).');
    await c12.getByRole('button', { name: 'Gửi giải trình' }).click();
    await seeText(page.locator('#thong-bao'), 'Đã gửi nội dung giải trình.');
    await seeValue(card(page, '1.2').getByLabel('Nội dung giải trình của đơn vị'), /45\/BC-UBND/);
    await shot(page, '12-don-vi-giai-trinh');
    expect(errors.join('\n')).toBe('');
    await context.close();
    expect((await api(h.t, 'coord', 'POST', `/api/v1/rounds/${h.roundId}/transition`, { to: 'final_appraisal' })).statusCode).toBe(200);
  });

  it('the appraiser decides finally; the coordinator confirms self points, reviews the results and publishes', async () => {
    const a = await newPage(h);
    await login(a.page, 'appraiser', PASSWORD);
    await a.page.goto(`/tham-dinh/${h.roundId}/P1/1.2`);
    await seeContains(a.page.locator('.panel').first(), '45/BC-UBND');
    await a.page.locator('.final-form').getByLabel(/^Điểm/).selectOption('2');
    await a.page.getByLabel('Kết luận (bắt buộc)').fill('Giải trình hợp lý, công nhận điểm tự chấm.');
    await a.page.getByRole('button', { name: 'Lưu điểm cuối cùng' }).click();
    await seeText(a.page.locator('#thong-bao'), 'Đã lưu điểm thẩm định lại.');
    await shot(a.page, '13-tham-dinh-lai');
    expect(a.errors.join('\n')).toBe('');
    await a.context.close();

    const { page, context, errors } = await newPage(h);
    await login(page, 'coord', PASSWORD);
    await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}/ket-qua`);
    await page.getByLabel(/Lý do xác nhận điểm tự chấm/).fill('Hội đồng thống nhất công nhận điểm tự chấm các tiêu chí không có ý kiến.');
    // P2 claimed 2.1 not applicable and nobody appraised it: bulk confirm includes it only when asked (issue 13).
    await page.getByLabel(/khai “không phát sinh” chưa được thẩm định/).check();
    await page.getByRole('button', { name: 'Xác nhận điểm tự chấm' }).click();
    await seeContains(page.locator('#thong-bao'), 'Đã xác nhận điểm tự chấm');
    await seeVisible(page.getByText('Mọi tiêu chí đã có điểm cuối cùng.'));
    await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}`);
    await page.getByRole('button', { name: 'Chuyển sang “Hội đồng xem xét”' }).click();
    await seeText(page.locator('.stepper .current'), 'Hội đồng xem xét');
    // The council record publication needs (members, minutes, issuer and signer), entered through the API.
    await recordCouncil(h.t, h.roundId);
    await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}/ket-qua`);
    await seeContains(page.locator('table.ranking').first(), 'UBND Phường 1');
    await shot(page, '14-dieu-phoi-ket-qua');
    await page.getByLabel('Số quyết định công bố').fill('125/QĐ-UBND');
    await page.getByLabel('Ngày quyết định').fill('20/12/2025');
    await page.getByRole('button', { name: 'Công bố kết quả' }).click();
    await seeText(page.locator('#thong-bao'), 'Đã công bố kết quả.');
    expect(new URL(page.url()).pathname).toMatch(/^\/cong-khai\/[0-9a-f-]{36}$/);
    await seeContains(page.locator('.sub'), 'Quyết định số 125/QĐ-UBND ngày 20/12/2025');
    expect(errors.join('\n')).toBe('');
    await context.close();
  });

  it('a citizen sees the ranking with its chart on a phone and downloads the CSV', async () => {
    const { page, context, errors } = await newPage(h, 360);
    await page.goto('/cong-khai');
    await seeText(page.getByRole('heading', { level: 1 }), 'Kết quả Chỉ số CCHC năm 2025');
    const rows = page.locator('table.ranking tbody tr');
    await seeCount(rows, 2);
    await seeContains(rows.first(), '1');
    // The chart library is served locally and draws the indices.
    await expect.poll(() => page.evaluate('typeof window.Chart')).toBe('function');
    await expect.poll(() => canvasWidth(page, 'bieu-do-xep-hang')).toBeGreaterThan(100);
    const index = await rows.first().locator('td.num strong').innerText();
    expect(index).toMatch(/^\d{1,3},\d{2}$/);
    await shot(page, '15-cong-khai-xep-hang-360');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải CSV' }).first().click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('UBND Phường 1');
    await page.getByRole('link', { name: 'UBND Phường 1' }).first().click();
    await seeText(page.getByRole('heading', { level: 1 }), 'UBND Phường 1');
    await seeContains(page.locator('.summary-grid'), 'Xếp hạng');
    await expect.poll(() => canvasWidth(page, 'bieu-do-linh-vuc')).toBeGreaterThan(100);
    await shot(page, '16-cong-khai-don-vi-360');
    expect(errors.join('\n')).toBe('');
    await context.close();

    const desk = await newPage(h, 1280);
    await desk.page.goto('/cong-khai');
    await shot(desk.page, '17-cong-khai-xep-hang');
    await desk.context.close();
  });

  // Issue 15: the signature check reads as a Vietnamese page (not raw English JSON) and the bonus area is not
  // labelled "Điểm thưởng điểm thưởng", on a 1366×768 desk screen and on a phone.
  for (const [width, height, name] of [[1366, 768, 'desktop'], [390, 844, 'phone']] as const) {
    it(`a citizen checks the signature in Vietnamese and reads a unit's areas (${name})`, async () => {
      const context = await h.browser.newContext({ baseURL: h.baseUrl, viewport: { width, height }, locale: 'vi-VN' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto('/cong-khai');
      await page.getByRole('link', { name: /Kiểm tra chữ ký/ }).first().click();
      await page.waitForURL(/\/cong-khai\/[0-9a-f-]{36}\/kiem-tra$/);
      await seeText(page.getByRole('heading', { level: 1 }), 'Kiểm tra chữ ký điện tử của hệ thống');
      await seeContains(page.locator('.flash-ok'), 'Hợp lệ.');
      const text = await page.locator('main').innerText();
      expect(text).toContain('Mã băm SHA-256 đã lưu');
      expect(text).not.toMatch(/"valid"|\bvalid\b|\btrue\b|\bfalse\b/);
      expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
      await shot(page, `18-cong-khai-kiem-tra-${name}`);

      await page.goto('/cong-khai');
      await page.getByRole('link', { name: 'UBND Phường 1' }).first().click();
      await seeText(page.getByRole('heading', { level: 1 }), 'UBND Phường 1');
      const bonusRow = page.locator('tr', { has: page.locator('th', { hasText: '9. Điểm thưởng' }) });
      await seeCount(bonusRow, 1);
      expect((await bonusRow.locator('th').innerText()).toLowerCase()).not.toContain('điểm thưởng điểm thưởng');
      await seeCount(bonusRow.locator('.tag'), 0);
      expect(errors.join('\n')).toBe('');
      await context.close();
    });
  }
});
