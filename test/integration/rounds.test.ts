import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessmentItems, assessments } from '../../src/db/schema.js';
import { createTestApp, seedDirectory, type TestApp } from '../helpers/app.js';
import { ALL_LEAVES, insertFramework, openRound, schedule } from '../helpers/fixtures.js';

const now = new Date('2025-10-20T03:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock: () => now });
  await seedDirectory(t);
  await insertFramework(t);
  await insertFramework(t, { code: 'XA-DRAFT', status: 'draft' });
});
afterAll(() => t.close());

const post = async (who: string, url: string, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers: await t.as(who), ...(payload ? { payload } : {}) });

describe('creating a round', () => {
  it('refuses drafts, unknown or duplicated units and an out-of-order schedule, naming each field', async () => {
    const res = await post('coord', '/api/v1/rounds', {
      year: 2025,
      name: 'Đợt lỗi',
      groups: [
        { code: 'XA', name: 'Xã', frameworkCode: 'XA-DRAFT', unitCodes: ['P1', 'NOPE'] },
        { code: 'XA2', name: 'Xã 2', frameworkCode: 'MISSING', unitCodes: ['P1'] },
      ],
      schedule: { ...schedule, appraisal: '2025-11-01' },
    });
    expect(res.statusCode).toBe(422);
    const byField = Object.fromEntries(res.json().errors.map((e: { field: string; code: string }) => [e.field, e.code]));
    expect(byField).toEqual({
      'body.groups.0.frameworkCode': 'framework_not_published',
      'body.groups.0.unitCodes.1': 'unknown_unit',
      'body.groups.1.frameworkCode': 'unknown_framework',
      'body.groups.1.unitCodes.0': 'duplicate',
      'body.schedule.appraisal': 'order',
    });
  });

  it('only coordinators create rounds; everyone signed in reads them', async () => {
    const payload = { year: 2025, name: 'X', groups: [{ code: 'XA', name: 'Xã', frameworkCode: 'XA-T', unitCodes: ['P1'] }], schedule };
    for (const who of ['admin', 'appraiser', 'p1.head']) expect((await post(who, '/api/v1/rounds', payload)).statusCode).toBe(403);
  });
});

describe('lifecycle', () => {
  it('opens with one assessment per unit and one item per leaf, then moves strictly forward', async () => {
    const headers = await t.as('coord');
    const created = await post('coord', '/api/v1/rounds', {
      year: 2025,
      name: 'Xác định Chỉ số CCHC năm 2025',
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', unitCodes: ['P1', 'P2'] }],
      schedule,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json()).toMatchObject({ phase: 'draft', groups: [{ code: 'XA', unitCodes: ['P1', 'P2'] }] });

    const skip = await post('coord', `/api/v1/rounds/${id}/transition`, { to: 'appraisal' });
    expect(skip.statusCode).toBe(409);
    expect(skip.json()).toMatchObject({ phase: 'draft' });
    expect(skip.json().detail).toContain("'self_assessment'");

    const open = await post('coord', `/api/v1/rounds/${id}/transition`, { to: 'self_assessment' });
    expect(open.statusCode).toBe(200);
    expect(open.json().phase).toBe('self_assessment');
    const rows = await t.database.db.select().from(assessments);
    expect(rows.filter((r) => r.roundId === id).map((r) => r.unitCode).sort()).toEqual(['P1', 'P2']);
    const items = await t.database.db.select().from(assessmentItems);
    const p1 = rows.find((r) => r.roundId === id && r.unitCode === 'P1')!;
    expect(items.filter((i) => i.assessmentId === p1.id).map((i) => i.criterionCode)).toEqual(ALL_LEAVES);

    const back = await post('coord', `/api/v1/rounds/${id}/transition`, { to: 'draft' });
    expect(back.statusCode).toBe(409);
    expect(back.json().phase).toBe('self_assessment');

    // Nobody submitted and nobody is assigned: appraisal is refused, naming both (issue 13), until forced.
    const unready = await post('coord', `/api/v1/rounds/${id}/transition`, { to: 'appraisal' });
    expect(unready.statusCode).toBe(409);
    expect(unready.json()).toMatchObject({ phase: 'self_assessment', unsubmittedUnits: ['P1', 'P2'] });
    expect(unready.json().uncovered).toHaveLength(6); // areas 1, 2 and 9 of P1 and P2 (3 is survey-scored)
    expect((await post('coord', `/api/v1/rounds/${id}/transition`, { to: 'appraisal', force: true })).statusCode).toBe(200);
    for (const to of ['explanation', 'final_appraisal']) {
      expect((await post('coord', `/api/v1/rounds/${id}/transition`, { to })).statusCode).toBe(200);
    }
    // Nothing was appraised: council review is refused and the 409 lists every open item.
    const blocked = await post('coord', `/api/v1/rounds/${id}/transition`, { to: 'council_review' });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().phase).toBe('final_appraisal');
    const openItems = blocked.json().openItems.map((o: { unitCode: string; criterionCode: string; reason: string }) => `${o.unitCode}/${o.criterionCode}/${o.reason}`);
    // 3.1 is survey-scored with surveyOptional and no responses: not applicable, so not open.
    // Nobody may appraise any of them: no_eligible_appraiser is the first reason that applies.
    expect(openItems.sort()).toEqual(['1.1', '1.2', '2.1', '2.2', '2.3', '9.1'].flatMap((c) => [`P1/${c}/no_eligible_appraiser`, `P2/${c}/no_eligible_appraiser`]).sort());
    const publish = await post('coord', `/api/v1/rounds/${id}/transition`, { to: 'published' });
    expect(publish.statusCode).toBe(409);
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/rounds/${id}`, headers: await t.as('p1.editor') });
    expect(got.json().phase).toBe('final_appraisal');
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/rounds?phase=final_appraisal', headers });
    expect(listed.json().map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it('extensions move one unit’s deadline later, with a reason, and are audited', async () => {
    // P1 and P2 are already in this file's 2025 round: one non-cancelled round per unit and year.
    const id = await openRound(t, { year: 2026 });
    const early = await post('coord', `/api/v1/rounds/${id}/assessments/P1/extensions`, { phase: 'self_assessment', until: '2025-11-01', reason: 'x' });
    expect(early.statusCode).toBe(422);
    expect(early.json().errors[0].field).toBe('body.until');
    const ok = await post('coord', `/api/v1/rounds/${id}/assessments/P1/extensions`, { phase: 'self_assessment', until: '2025-11-07', reason: 'Mất điện kéo dài' });
    expect(ok.statusCode).toBe(200);
    const audit = await t.app.inject({ method: 'GET', url: `/api/v1/audit?action=assessment.deadline_extended`, headers: await t.as('coord') });
    expect(audit.json().items[0].after).toMatchObject({ unitCode: 'P1', until: '2025-11-07', reason: 'Mất điện kéo dài' });
    expect((await post('p1.head', `/api/v1/rounds/${id}/assessments/P1/extensions`, { phase: 'self_assessment', until: '2025-11-09', reason: 'x' })).statusCode).toBe(403);
  });
});
