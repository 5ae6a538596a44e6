// Browser tests: the app on a real listening port, Debian's Chromium driven by playwright-core, screenshots of
// every page under test-output/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, openRound } from '../helpers/fixtures.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Without Chromium the browser tests are skipped locally; CI installs it, and there a missing browser fails. */
export const skipBrowser = !fs.existsSync(CHROMIUM) && !process.env.CI;
export const SHOTS = path.resolve('test-output/screenshots');

export interface WebHarness {
  t: TestApp;
  baseUrl: string;
  roundId: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The test directory (city, PNV, PTP, P1, P2 and their users), the test framework with its survey, an open round. */
export async function startWebHarness(clock: () => Date): Promise<WebHarness> {
  const t = await createTestApp({ clock, env: { SESSION_TTL_HOURS: '8760' } });
  await seedDirectory(t);
  await insertSurvey(t, surveyDoc('SIPAS-T', { TIEP_CAN: ['Q1'], KET_QUA: ['Q2'] }, { description: 'Xin ông/bà cho biết mức độ hài lòng khi làm thủ tục tại Bộ phận Một cửa.' }));
  await insertFramework(t);
  const roundId = await openRound(t);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright gives every launch a new, empty profile directory of its own.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    t,
    baseUrl: `http://127.0.0.1:${port}`,
    roundId,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** A fresh browser context (its own cookies) at a phone or desktop width, failing on any page error. */
export async function newPage(h: WebHarness, width = 1280): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await h.browser.newContext({ baseURL: h.baseUrl, viewport: { width, height: width <= 400 ? 740 : 900 }, locale: 'vi-VN', acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Script errors, and any asset that fails to load (a form answered 4xx on purpose is not an error here).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && new URL(r.url()).pathname.startsWith('/assets/')) errors.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith(h.baseUrl)) errors.push(`request outside the server: ${r.url()}`);
  });
  // Every confirmation dialog (submit, transitions, publish) is accepted.
  page.on('dialog', (d) => void d.accept());
  return { context, page, errors };
}

export async function login(page: Page, username: string, password: string) {
  await page.goto('/dang-nhap');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/dang-nhap')), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
}

/** Saves a full-page screenshot and checks that the page does not scroll sideways. */
export async function shot(page: Page, name: string) {
  await page.waitForLoadState('load');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  // Evaluated in the page (strings: the project's TypeScript has no DOM types).
  const { scrollWidth, innerWidth } = (await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })')) as { scrollWidth: number; innerWidth: number };
  expect(scrollWidth, `${name}: no horizontal scroll`).toBeLessThanOrEqual(innerWidth);
}

/** The criterion card of a leaf on an area page. */
export const card = (page: Page, code: string) => page.locator(`article[id="tc-${code}"]`);

// playwright-core has no web-first assertions; these poll the page the way they would.
const POLL = { timeout: 15_000, interval: 100 };
const textOf = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ').trim();
export const seeText = (l: Locator, s: string | RegExp) => (typeof s === 'string' ? expect.poll(() => textOf(l), POLL).toBe(s) : expect.poll(() => textOf(l), POLL).toMatch(s));
export const seeContains = (l: Locator, s: string) => expect.poll(() => textOf(l), POLL).toContain(s);
export const seeCount = (l: Locator, n: number) => expect.poll(() => l.count(), POLL).toBe(n);
export const seeValue = (l: Locator, re: RegExp) => expect.poll(() => l.inputValue(), POLL).toMatch(re);
export const seeVisible = (l: Locator) => l.waitFor({ state: 'visible', timeout: POLL.timeout });

/** The drawn width of a chart canvas (0 until Chart.js has sized it). */
export const canvasWidth = (page: Page, id: string) => page.evaluate(`document.getElementById(${JSON.stringify(id)})?.width ?? 0`) as Promise<number>;
