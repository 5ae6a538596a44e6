// Issue 13 in a real browser: the coordinator is told which units never submitted and which areas nobody may
// appraise, moves on anyway, then settles the round from the "chưa chốt" page: items grouped by reason, each
// linked to its page, where the coordinator enters the council's decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/app.js';
import { api, selfScores, writeItem } from '../helpers/rounds.js';
import { login, newPage, seeContains, seeCount, seeText, shot, skipBrowser, startWebHarness, type WebHarness } from './harness.js';

const now = new Date('2025-10-20T03:00:00Z');
let h: WebHarness;

describe.skipIf(skipBrowser)('settling a round in Chromium', () => {
  beforeAll(async () => {
    h = await startWebHarness(() => now);
    // P2 submits; P1 never does.
    for (const [code, body] of Object.entries(selfScores.na)) expect((await writeItem(h.t, 'p2.head', h.roundId, 'P2', code, 'self', body)).statusCode).toBe(200);
    expect((await api(h.t, 'p2.head', 'POST', `/api/v1/rounds/${h.roundId}/assessments/P2/submit`)).statusCode).toBe(200);
  }, 300_000);
  afterAll(async () => h?.close());

  it('moving to appraisal names the unsubmitted unit and the uncovered areas; the coordinator moves on anyway', async () => {
    const { page, context, errors } = await newPage(h);
    await login(page, 'coord', PASSWORD);
    await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}`);
    await page.getByRole('button', { name: 'Chuyển sang “Thẩm định”' }).click();
    await seeContains(page.locator('.flash-error'), 'Đơn vị chưa nộp tự đánh giá (1): P1');
    await seeContains(page.locator('.flash-error'), 'P1 · LV 1');
    await shot(page, 'settlement-01-chuyen-giai-doan-bi-tu-choi');
    await page.getByRole('button', { name: 'Vẫn chuyển giai đoạn' }).click();
    await seeText(page.locator('.stepper .current'), 'Thẩm định');
    expect(errors.join('\n')).toBe('');
    await context.close();
    for (const to of ['explanation', 'final_appraisal']) expect((await api(h.t, 'coord', 'POST', `/api/v1/rounds/${h.roundId}/transition`, { to })).statusCode).toBe(200);
  });

  it('the open-items page groups by reason and links to each item, where the council decides', async () => {
    const { page, context, errors } = await newPage(h);
    await login(page, 'coord', PASSWORD);
    await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}/chua-chot`);
    // Nobody was assigned: every appraisable item of both units (6 each) lacks an eligible appraiser; the survey
    // criterion is N/A (surveyOptional) and not listed.
    await seeCount(page.locator('#ly-do-no_eligible_appraiser tbody tr'), 12);
    await shot(page, 'settlement-02-chua-chot');
    // The list follows the results' order (ranked), so pick P1's row by its link rather than by position.
    await page.locator(`#ly-do-no_eligible_appraiser a[href$="/P1/9.1"]`).click();
    expect(new URL(page.url()).pathname).toBe(`/tham-dinh/${h.roundId}/P1/9.1`);
    await seeContains(page.locator('.final-form'), 'Quyết định của Hội đồng thẩm định');
    await page.locator('.final-form').getByLabel(/^Điểm/).selectOption('0,5');
    await page.getByLabel('Kết luận (bắt buộc)').fill('Hội đồng công nhận sáng kiến cấp thành phố.');
    await page.getByRole('button', { name: 'Lưu điểm cuối cùng' }).click();
    await seeContains(page.locator('table.history'), 'Quyết định của Hội đồng thẩm định');
    await shot(page, 'settlement-03-quyet-dinh-hoi-dong');
    await page.goto(`/dieu-phoi/ky-danh-gia/${h.roundId}/chua-chot`);
    await seeCount(page.locator('#ly-do-no_eligible_appraiser tbody tr'), 11);
    expect(errors.join('\n')).toBe('');
    await context.close();
  });
});
