// Issue 15 web fixes in Chromium at 1366×768 and on a 360 px phone: the results table fits and names its areas, the
// appraiser queue does not claim "0 left" while items remain, the bonus badge does not repeat the area's title.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../helpers/app.js';
import { login, shot, skipBrowser, startWebHarness, type WebHarness } from './harness.js';

const now = new Date('2025-10-20T03:00:00Z');
let h: WebHarness;

async function pageAt(width: number, height: number) {
  const context = await h.browser.newContext({ baseURL: h.baseUrl, viewport: { width, height }, locale: 'vi-VN' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** The page itself never scrolls sideways: wide tables scroll inside their own box. */
const pageOverflow = (page: Page) => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;

describe.skipIf(skipBrowser)('first-day web fixes in Chromium', () => {
  beforeAll(async () => {
    h = await startWebHarness(() => now);
  });
  afterAll(async () => h?.close());

  for (const [width, height, name] of [[1366, 768, 'desktop'], [360, 740, 'phone']] as const) {
    it(`results table at ${width}×${height}: area names in the header, nothing cut off (${name})`, async () => {
      const { context, page, errors } = await pageAt(width, height);
      await login(page, 'coord', PASSWORD);
      await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}/ket-qua`);
      const heads = await page.locator('table.ranking thead th.area-col').allInnerTexts();
      expect(heads.length).toBeGreaterThan(0);
      for (const t of heads) expect(t).not.toMatch(/^LV /);
      expect(heads.join(' ')).toContain('Công tác chỉ đạo');
      expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
      // The last column is reachable: either visible, or by scrolling the table's own box.
      const wrap = page.locator('.table-wrap').first();
      await wrap.evaluate('(el) => { el.scrollLeft = el.scrollWidth; }');
      await expect.poll(() => page.locator('table.ranking thead th').last().isVisible()).toBe(true);
      if (width >= 1366) {
        const fits = await wrap.evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth <= el.clientWidth + 1);
        expect(fits, 'the results table fits 1366 px without scrolling').toBe(true);
      }
      await shot(page, `h7-ket-qua-${name}`);
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`appraiser queue before appraisal says what it waits for, not "Còn phải xử lý 0" (${name})`, async () => {
      const { context, page } = await pageAt(width, height);
      await login(page, 'appraiser', PASSWORD);
      await page.goto(`/tham-dinh/${h.roundId}`);
      const stats = await page.locator('.summary-grid').innerText();
      expect(stats).not.toContain('Còn phải xử lý');
      expect(stats).toContain('Chưa thẩm định');
      expect(stats).toContain('chưa đến giai đoạn thẩm định');
      expect(await pageOverflow(page)).toBeLessThanOrEqual(0);
      await context.close();
    });
  }
});
