// Issue 17 in a real browser: the coordinator imports the plan appendix (test/fixtures/plans/appendix-2026.xlsx:
// dry run, then confirm) and reads the board; a unit reports progress on its task and sends its quarterly report.
// Desktop (1366×768) and phone (375) widths, screenshots, and no horizontal scroll on any page.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/app.js';
import { api } from '../helpers/rounds.js';
import { login, newPage, seeContains, seeCount, shot, skipBrowser, startWebHarness, type WebHarness } from './harness.js';

// Vietnam: 20 October 2026, 10:00.
const now = new Date('2026-10-20T03:00:00Z');
const FIXTURE = path.resolve('test/fixtures/plans/appendix-2026.xlsx');
let h: WebHarness;
let periodId: string;

describe.skipIf(skipBrowser)('plans, reports and inspections in Chromium', () => {
  beforeAll(async () => {
    h = await startWebHarness(() => now);
    const period = await api(h.t, 'coord', 'POST', '/api/v1/report-periods', { year: 2026, kind: 'quarter', label: 'Báo cáo CCHC quý IV/2026', cutoffFrom: '2026-10-01', cutoffTo: '2026-12-15', dueDate: '2026-12-20', unitCodes: ['P1', 'P2'] });
    expect(period.statusCode).toBe(201);
    periodId = period.json().id;
    const q1 = await api(h.t, 'coord', 'POST', '/api/v1/report-periods', { year: 2026, kind: 'quarter', label: 'Báo cáo CCHC quý I/2026', cutoffFrom: '2026-01-01', cutoffTo: '2026-03-31', dueDate: '2026-04-05', unitCodes: ['P1', 'P2'] });
    expect(q1.statusCode).toBe(201);
    const insp = await api(h.t, 'coord', 'POST', '/api/v1/inspections', { year: 2026, unitCode: 'P1', date: '2026-05-20', findings: [{ code: '1', text: 'Chưa niêm yết đủ thủ tục hành chính', dueDate: '2026-07-31' }] });
    expect(insp.statusCode).toBe(201);
  }, 300_000);
  afterAll(async () => h?.close());

  for (const width of [1366, 375]) {
    it(`the coordinator imports the appendix after a dry run and reads the board (${width}px)`, async () => {
      const { page, context, errors } = await newPage(h, width);
      if (width === 1366) await page.setViewportSize({ width: 1366, height: 768 });
      await login(page, 'coord', PASSWORD);
      await page.goto('/dieu-phoi/ke-hoach/nhap');
      const code = `KH-2026-${width}`;
      await page.getByLabel('Mã kế hoạch').fill(code);
      await page.getByLabel('Năm').fill('2026');
      await page.getByLabel('Tên kế hoạch').fill('Kế hoạch cải cách hành chính năm 2026');
      await page.getByLabel(/^Tệp Excel/).setInputFiles(FIXTURE);
      await page.getByRole('button', { name: 'Kiểm tra (chạy thử)' }).click();
      await seeContains(page.locator('.import-report h2'), 'Kết quả kiểm tra: 6 nhiệm vụ');
      await seeContains(page.locator('.import-report ul.unmatched'), 'Phòng Văn hóa và Thông tin');
      await seeContains(page.locator('.import-report table.issues tr[data-row="13"]'), 'Khi có yêu cầu');
      await seeContains(page.locator('.import-report tr[data-task="1.3"]'), '31/03/2026, 30/06/2026, 30/09/2026, 31/12/2026');
      await shot(page, `plans-01-nhap-chay-thu-${width}`);
      await page.getByRole('button', { name: 'Xác nhận nhập kế hoạch' }).click();
      await page.waitForURL((u) => u.pathname === '/dieu-phoi/ke-hoach');
      await seeContains(page.locator('#thong-bao'), 'Đã nhập kế hoạch CCHC.');
      const plan = page.locator(`section.plan[data-plan="${code}"]`);
      // 20/10/2026: 1.1 (31/01) and 1.2 (30/06) are overdue and come first in area 1, in red.
      await seeCount(plan.locator('tr[data-status="overdue"]'), 2);
      expect(await plan.locator('tr[data-task]').first().getAttribute('data-task')).toBe('1.1');
      expect(await plan.locator('tr[data-task="1.1"] .light-red').count()).toBe(1);
      // The quarter I report is missing for both units; the coordinator grants P2 an extension.
      const q1 = page.locator('details.period[data-period="Báo cáo CCHC quý I/2026"]');
      await seeCount(q1.locator('tr[data-status="missing"]'), width === 1366 ? 2 : 1);
      await shot(page, `plans-02-bang-theo-doi-${width}`);
      if (width === 1366) {
        await q1.locator('tr[data-unit="P2"]').getByPlaceholder('dd/mm/yyyy').fill('30/10/2026');
        await q1.locator('tr[data-unit="P2"]').getByPlaceholder('Lý do').fill('Chờ số liệu');
        await q1.locator('tr[data-unit="P2"]').getByRole('button', { name: 'Gia hạn' }).click();
        await seeContains(page.locator('#thong-bao'), 'Đã gia hạn nộp báo cáo cho đơn vị.');
        await seeCount(page.locator('details.period[data-period="Báo cáo CCHC quý I/2026"] tr[data-unit="P2"][data-status="pending"]'), 1);
      }
      expect(errors.join('\n')).toBe('');
      await context.close();
    }, 120_000);
  }

  for (const width of [1366, 375]) {
    it(`a unit reports progress on its task and sends its report (${width}px)`, async () => {
      const { page, context, errors } = await newPage(h, width);
      if (width === 1366) await page.setViewportSize({ width: 1366, height: 768 });
      const user = width === 1366 ? 'p1.editor' : 'p2.editor';
      const task = width === 1366 ? '3.1' : '3.2';
      await login(page, user, PASSWORD);
      await page.getByRole('navigation', { name: 'Chức năng' }).getByRole('link', { name: 'Kế hoạch, báo cáo' }).click();
      await page.waitForURL((u) => u.pathname === '/don-vi/ke-hoach');
      await shot(page, `plans-03-don-vi-${width}`);
      const card = page.locator(`article.task[data-task="${task}"]`).first();
      await card.getByLabel(/^Tình trạng/).selectOption('done');
      await card.getByLabel('Ngày hoàn thành').fill('15/10/2026');
      await card.getByLabel('Ghi chú').fill('Đã hoàn thành, có báo cáo');
      await card.getByRole('button', { name: `Lưu tiến độ ${task}` }).click();
      await seeContains(page.locator('#thong-bao'), 'Đã lưu tiến độ nhiệm vụ.');
      await seeContains(page.locator(`article.task[data-task="${task}"]`).first(), 'Đã báo cáo: Đã hoàn thành ngày 15/10/2026');
      const report = page.locator(`article.period[id="bc-${periodId}"]`);
      await report.getByLabel('Số ký hiệu').fill(`45/BC-${user}`);
      await report.getByRole('button', { name: 'Gửi báo cáo' }).click();
      await seeContains(page.locator('#thong-bao'), 'Đã gửi báo cáo.');
      await seeContains(page.locator(`article.period[id="bc-${periodId}"]`), 'Đã gửi ngày 20/10/2026');
      expect(await page.locator(`article.period[id="bc-${periodId}"]`).getAttribute('data-status')).toBe('on_time');
      await shot(page, `plans-04-don-vi-da-gui-${width}`);
      expect(errors.join('\n')).toBe('');
      await context.close();
    }, 120_000);
  }
});
