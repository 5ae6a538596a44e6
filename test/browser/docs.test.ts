// /docs (Swagger UI) renders the API document under the page's own Content-Security-Policy with nothing refused:
// issue 20 item 6 (Swagger UI's inline <style> for the top-bar logo was blocked, and Chromium logged it on every visit).
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { CHROMIUM, skipBrowser } from './harness.js';

describe.skipIf(skipBrowser)('/docs in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the operations and the logo with no CSP violation and no console error', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // A violation is reported to the page as an event as well as on the console; collect both.
    await page.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('CSP ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')))");
    const response = await page.goto(`${baseUrl}/docs`);
    expect(response?.headers()['content-security-policy']).toMatch(/style-src 'self'/);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 30_000 }).toBeGreaterThan(50);
    // The logo (a data: SVG image, under the same policy) has loaded.
    await expect.poll(() => page.evaluate("document.querySelector('.topbar img')?.naturalWidth ?? 0"), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.title()).toBe('Swagger UI');
    expect(errors).toEqual([]);
  });
});
