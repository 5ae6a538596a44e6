// Issue 15 web fixes in Chromium at 1366×768 and on a 390×844 phone: reloading after a refused form shows the form
// again with its message and what was typed (post/redirect/get, never a 404 or a re-sent form); each field's message
// appears once; the admin created at first start with a generated password must change it before anything else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bootstrap } from '../../src/bootstrap.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app.js';
import { CHROMIUM, login, seeContains, seeCount, seeValue, shot, skipBrowser, startWebHarness, type WebHarness } from './harness.js';

const now = new Date('2025-10-20T03:00:00Z');
let h: WebHarness;

const VIEWPORTS = [
  [1366, 768, 'desktop'],
  [390, 844, 'phone'],
] as const;

async function pageAt(browser: Browser, baseURL: string, width: number, height: number) {
  const context = await browser.newContext({ baseURL, viewport: { width, height }, locale: 'vi-VN' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  return { context, page, errors };
}

const occurrences = (page: Page, text: string) => page.evaluate(`document.body.innerText.split(${JSON.stringify(text)}).length - 1`) as Promise<number>;

describe.skipIf(skipBrowser)('forms in Chromium: post/redirect/get and one message per field', () => {
  beforeAll(async () => {
    h = await startWebHarness(() => now);
  });
  afterAll(async () => h?.close());

  for (const [width, height, name] of VIEWPORTS) {
    it(`reloading a refused criterion shows the message once and the typed value (${name} ${width}×${height})`, async () => {
      const { context, page, errors } = await pageAt(h.browser, h.baseUrl, width, height);
      await login(page, 'p1.editor', PASSWORD);
      const areaPath = `/don-vi/${h.roundId}/P1/linh-vuc/2`;
      await page.goto(areaPath);
      const card = page.locator('article[id="tc-2.2"]');
      await card.locator('input[name="points"]').fill('0,3');
      await card.locator('textarea[name="note"]').fill('Đang gõ dở ghi chú');
      await Promise.all([page.waitForURL((u) => u.searchParams.has('loi')), card.getByRole('button', { name: /Lưu tiêu chí 2\.2/ }).click()]);
      expect(new URL(page.url()).pathname).toBe(areaPath);

      const message = 'Số điểm phải là bội số của 0,25.';
      const check = async () => {
        await seeValue(card.locator('input[name="points"]'), /^0,3$/);
        await seeValue(card.locator('textarea[name="note"]'), /^Đang gõ dở ghi chú$/);
        await seeCount(card.locator('.field-error'), 1);
        await seeContains(card.locator('#tc-2_2-points-err'), message);
        expect(await card.locator('input[name="points"]').getAttribute('aria-describedby')).toBe('tc-2_2-points-err');
        expect(await occurrences(page, message)).toBe(1);
        // The summary names the field and links to it; it does not repeat the message.
        await seeContains(card.locator('.error-summary a[href="#tc-2_2-points"]'), 'Số điểm');
      };
      await check();
      // The address ends in #loi: the browser has scrolled to the refused form's summary, far down the page.
      expect(new URL(page.url()).hash).toBe('#loi');
      const top = await card.locator('.error-summary').evaluate((el: { getBoundingClientRect(): { top: number } }) => el.getBoundingClientRect().top);
      expect(top).toBeGreaterThanOrEqual(-1);
      expect(top).toBeLessThan(height);
      const reloaded = await page.reload();
      expect(reloaded?.status()).toBe(422);
      await check();
      // Back to where the form was, and forward again: a GET each time, no "confirm form resubmission".
      await page.goBack();
      expect(new URL(page.url()).searchParams.has('loi')).toBe(false);
      await page.goForward();
      await check();
      await shot(page, `h9-prg-tu-cham-${name}`);
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`a refused admin form keeps its values after a reload, with the duplicate-username message once (${name})`, async () => {
      const { context, page, errors } = await pageAt(h.browser, h.baseUrl, width, height);
      await login(page, 'admin', PASSWORD);
      await page.goto('/quan-tri/tao-nguoi-dung');
      await page.fill('#username', 'p1.editor');
      await page.fill('#displayName', 'Người trùng tên');
      await page.selectOption('#role', 'unit_editor');
      await page.selectOption('#orgUnitCode', 'P1');
      await page.fill('#password', 'mot-mat-khau-dai-1');
      await Promise.all([page.waitForURL((u) => u.searchParams.has('loi')), page.getByRole('button', { name: 'Tạo người dùng' }).click()]);
      const reloaded = await page.reload();
      expect(reloaded?.status()).toBe(409);
      await seeValue(page.locator('#displayName'), /^Người trùng tên$/);
      await seeValue(page.locator('#username'), /^p1\.editor$/);
      expect(await occurrences(page, 'Tên đăng nhập này đã được dùng cho một tài khoản khác.')).toBe(1);
      expect(await page.locator('#username').getAttribute('aria-invalid')).toBe('true');
      await page.locator('.error-summary a[href="#username"]').click();
      expect(new URL(page.url()).hash).toBe('#username');
      await shot(page, `h9-prg-tao-nguoi-dung-${name}`);
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});

describe.skipIf(skipBrowser)('first admin login in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => browser?.close());

  for (const [width, height, name] of VIEWPORTS) {
    it(`the generated admin password must be changed first, then the new one works (${name} ${width}×${height})`, async () => {
      // A first start of its own: no ADMIN_PASSWORD, so the admin's password is generated and printed.
      const t: TestApp = await createTestApp({ env: { DEMO_DATA: 'false' } });
      try {
        const generated = (await bootstrap(t.app)).generatedAdminPassword!;
        await t.app.listen({ port: 0, host: '127.0.0.1' });
        const address = t.app.server.address();
        const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
        const { context, page, errors } = await pageAt(browser, baseUrl, width, height);
        await login(page, 'admin', generated);
        expect(new URL(page.url()).pathname).toBe('/doi-mat-khau');
        await seeContains(page.locator('main'), 'Mật khẩu của tài khoản này do người khác đặt');
        // No other page until it is done.
        await page.goto('/quan-tri/nguoi-dung');
        expect(new URL(page.url()).pathname).toBe('/doi-mat-khau');

        await page.fill('#mk-current', generated);
        await page.fill('#mk-next', 'mat-khau-moi-trinh-duyet');
        await page.fill('#mk-again', 'mat-khau-khac-han');
        await Promise.all([page.waitForURL((u) => u.searchParams.has('loi')), page.getByRole('button', { name: 'Đổi mật khẩu' }).click()]);
        const reloaded = await page.reload();
        expect(reloaded?.status()).toBe(422);
        expect(await occurrences(page, 'Hai lần nhập mật khẩu mới không giống nhau.')).toBe(1);
        expect(await page.locator('#mk-again').getAttribute('aria-describedby')).toBe('mk-again-err');
        await shot(page, `h9-doi-mat-khau-${name}`);

        await page.fill('#mk-current', generated);
        await page.fill('#mk-next', 'mat-khau-moi-trinh-duyet');
        await page.fill('#mk-again', 'mat-khau-moi-trinh-duyet');
        await Promise.all([page.waitForURL((u) => u.pathname === '/dieu-phoi/bo-tieu-chi'), page.getByRole('button', { name: 'Đổi mật khẩu' }).click()]);
        await seeContains(page.locator('#thong-bao'), 'Đã đổi mật khẩu.');
        await page.goto('/quan-tri/nguoi-dung');
        expect(new URL(page.url()).pathname).toBe('/quan-tri/nguoi-dung');

        // Log out; the generated password is refused, the new one logs straight in.
        await Promise.all([page.waitForURL((u) => u.pathname === '/dang-nhap'), page.getByRole('button', { name: 'Đăng xuất' }).click()]);
        await page.fill('#username', 'admin');
        await page.fill('#password', generated);
        await Promise.all([page.waitForURL((u) => u.searchParams.has('loi')), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
        await seeContains(page.locator('main'), 'Tên đăng nhập hoặc mật khẩu không đúng.');
        await login(page, 'admin', 'mat-khau-moi-trinh-duyet');
        expect(new URL(page.url()).pathname).toBe('/dieu-phoi/bo-tieu-chi');
        expect(errors).toEqual([]);
        await context.close();
      } finally {
        await t.close();
      }
    });
  }
});
