// Issue 13 settlement: a round with a unit that never submits (P2), unscored bonus and penalty items and the
// coordinating office (PNV, Phòng Nội vụ) as a scored member, driven to publication through the API: the checks
// before appraisal (unsubmitted units, unit/area pairs without an eligible appraiser) and `force`, per-unit
// appraisers, an objection (kiến nghị), the open-items report, bulk confirm leaving N/A claims open, and the
// council's decisions entered by the coordinator.
//
// Framework ST-T: area 1 (1.1 options max 1, 1.2 tiered max 2), area 2 (2.1 proportional max 2 N/A allowed,
// 2.2 manual step 0.25 max 1, 2.3 binary max 1), bonus 9 (9.1 council-only, max 1, cap 1), penalty 10
// (10.1 council-only, max 2, cap 2). Regular maximum 7.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, seedDirectory, type TestApp } from '../helpers/app.js';
import { insertFramework, schedule, testFramework } from '../helpers/fixtures.js';
import { api, itemUrl, selfScores, writeItem } from '../helpers/rounds.js';
import { insertSurvey, surveyDoc } from '../helpers/surveys.js';
import { WebClient } from '../helpers/web.js';

let now = new Date('2025-10-20T03:00:00Z');
const at = (day: string) => {
  now = new Date(`${day}T03:00:00Z`);
};
let t: TestApp;
let roundId: string;
let web: WebClient;

const criteria = [
  ...testFramework.criteria.filter((c) => c.code === '1' || c.code === '2' || c.code === '9'),
  {
    code: '10',
    title: 'Điểm trừ',
    maxPoints: 2,
    kind: 'penalty',
    children: [{ code: '10.1', title: 'Để xảy ra sai phạm trong giải quyết TTHC', maxPoints: 2, source: 'appraisal', naAllowed: false, rule: { type: 'manual', step: 0.25 }, evidence: { required: false } }],
  },
] as unknown as typeof testFramework.criteria;

const round = (path = '') => `/api/v1/rounds/${roundId}${path}`;
const move = (to: string, force?: boolean) => api(t, 'coord', 'POST', round('/transition'), force === undefined ? { to } : { to, force });
async function etag(who: string, unit: string, code: string) {
  const res = await api(t, who, 'GET', itemUrl(roundId, unit, code));
  expect(res.statusCode, res.body).toBe(200);
  return res.json().etag as string;
}
async function ok<T extends { statusCode: number; body: string }>(p: Promise<T>, status = 200): Promise<T> {
  const res = await p;
  expect(res.statusCode, res.body).toBe(status);
  return res;
}
const decide = (unit: string, code: string, body: object) => writeItem(t, 'coord', roundId, unit, code, 'final', body);
const object = async (who: string, unit: string, code: string, body: object) =>
  api(t, who, 'POST', `${itemUrl(roundId, unit, code)}/objection`, body, { 'if-match': await etag(who, unit, code) });
const openItems = async (who = 'coord') => {
  const res = await ok(api(t, who, 'GET', round('/open-items')));
  return res.json() as { items: { unitCode: string; criterionCode: string; reason: string }[]; count: number };
};
const keys = (items: { unitCode: string; criterionCode: string; reason?: string }[]) => items.map((i) => `${i.unitCode}/${i.criterionCode}${i.reason ? `:${i.reason}` : ''}`);

beforeAll(async () => {
  t = await createTestApp({ clock: () => now, env: { SESSION_TTL_HOURS: '8760' } });
  await seedDirectory(t);
  await insertFramework(t, { code: 'ST-T', lineage: 'ST-T', criteria });
  const ctx = { actor: null, requestId: 'test', now };
  for (const u of [
    { username: 'pnv.appraiser', displayName: 'Thẩm định viên Phòng Nội vụ', role: 'appraiser' as const, orgUnitCode: 'PNV' },
    { username: 'pnv.head', displayName: 'Trưởng phòng Nội vụ', role: 'unit_head' as const, orgUnitCode: 'PNV' },
  ]) {
    await t.app.services.users.createAsSystem(ctx, { ...u, password: PASSWORD });
  }
  const created = await ok(
    api(t, 'coord', 'POST', '/api/v1/rounds', {
      year: 2025,
      name: 'Xác định Chỉ số CCHC năm 2025',
      groups: [{ code: 'ALL', name: 'Cơ quan, đơn vị', frameworkCode: 'ST-T', unitCodes: ['PNV', 'P1', 'P2'] }],
      schedule,
    }),
    201,
  );
  roundId = created.json().id;
  await ok(move('self_assessment'));
  web = new WebClient(t.app);
  await web.login('coord', PASSWORD);
});
afterAll(() => t.close());

describe('settlement: a round that always reaches publication', () => {
  it('self-assessment: PNV and P1 submit; P2 enters two items and never submits', async () => {
    for (const [unit, head, scores] of [
      ['PNV', 'pnv.head', selfScores.na],
      ['P1', 'p1.head', selfScores.good],
    ] as const) {
      for (const [code, body] of Object.entries(scores)) await ok(writeItem(t, head, roundId, unit, code, 'self', body));
      await ok(api(t, head, 'POST', round(`/assessments/${unit}/submit`)));
    }
    await ok(writeItem(t, 'p2.head', roundId, 'P2', '1.1', 'self', { input: { option: 'ON_TIME' }, note: 'Kế hoạch số 12/KH-UBND' }));
    await ok(writeItem(t, 'p2.head', roundId, 'P2', '1.2', 'self', { input: { percent: 75 } }));
  });

  it('appraisers per unit: unitCodes are validated, and GET lists the uncovered unit/area pairs', async () => {
    const bad = await api(t, 'coord', 'PUT', round('/appraisers'), [
      { username: 'appraiser', areaCodes: ['1'], unitCodes: ['NOPE'] },
      { username: 'pnv.appraiser', areaCodes: ['1'], unitCodes: ['PNV'] },
    ]);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual(['body.0.unitCodes.0:unknown_unit', 'body.1.unitCodes.0:own_unit']);
    const empty = await api(t, 'coord', 'PUT', round('/appraisers'), [{ username: 'appraiser', areaCodes: ['1'], unitCodes: [] }]);
    expect(empty.statusCode).toBe(400);

    // Phòng Tư pháp appraises areas 1 and 2 of P1 only; the office's own appraiser everything but its own unit.
    const set = await ok(
      api(t, 'coord', 'PUT', round('/appraisers'), [
        { username: 'appraiser', areaCodes: ['1', '2'], unitCodes: ['P1'] },
        { username: 'pnv.appraiser', areaCodes: ['1', '2', '9', '10'] },
      ]),
    );
    const mine = set.json().find((a: { username: string }) => a.username === 'appraiser');
    expect(mine.assignments).toEqual([
      { groupCode: 'ALL', areaCode: '1', unitCodes: ['P1'] },
      { groupCode: 'ALL', areaCode: '2', unitCodes: ['P1'] },
    ]);
    const got = await ok(api(t, 'coord', 'GET', round('/appraisers')));
    expect(got.json().assignments.map((a: { username: string }) => a.username)).toEqual(['appraiser', 'pnv.appraiser']);
    // Only PNV's own appraiser could take PNV's areas: nobody eligible.
    expect(keys(got.json().uncovered.map((u: { unitCode: string; areaCode: string }) => ({ unitCode: u.unitCode, criterionCode: u.areaCode })))).toEqual(['PNV/1', 'PNV/2', 'PNV/9', 'PNV/10']);
  });

  it('moving to appraisal: 409 naming the unsubmitted units and uncovered pairs; force moves on, audited', async () => {
    at('2025-11-04');
    const refused = await move('appraisal');
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({
      status: 409,
      phase: 'self_assessment',
      unsubmittedUnits: ['P2'],
      uncovered: [
        { unitCode: 'PNV', areaCode: '1' },
        { unitCode: 'PNV', areaCode: '2' },
        { unitCode: 'PNV', areaCode: '9' },
        { unitCode: 'PNV', areaCode: '10' },
      ],
    });
    expect((await api(t, 'coord', 'GET', round())).json().phase).toBe('self_assessment');
    expect((await move('appraisal', false)).statusCode).toBe(409);
    // The coordinator's page names them and offers to move on anyway.
    await web.get(`/dieu-phoi/ky-danh-gia/${roundId}`);
    const page = await web.post(`/dieu-phoi/ky-danh-gia/${roundId}/chuyen-giai-doan`, { to: 'appraisal' });
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('Đơn vị chưa nộp tự đánh giá (1): P2');
    expect(page.body).toContain('PNV · LV 1; PNV · LV 2; PNV · LV 9; PNV · LV 10');
    expect(page.body).toContain('<input type="hidden" name="force" value="1">');

    const moved = await ok(move('appraisal', true));
    expect(moved.json().phase).toBe('appraisal');
    const audit = await ok(api(t, 'coord', 'GET', '/api/v1/audit?action=round.transition_forced'));
    expect(audit.json().items[0].after).toMatchObject({ phase: 'appraisal', unsubmittedUnits: ['P2'] });

    // P2's self-assessment froze as entered and is marked not submitted.
    expect((await writeItem(t, 'p2.head', roundId, 'P2', '2.2', 'self', { input: { points: 1 } })).statusCode).toBe(409);
    const p2 = await ok(api(t, 'p2.head', 'GET', round('/assessments/P2')));
    expect(p2.json().status).toBe('open');
    expect(p2.json().items.find((i: { criterionCode: string }) => i.criterionCode === '1.2').selfPoints).toBe(1);
  });

  it('appraisal: per-unit assignments limit what each appraiser sees and may write; the office never its own unit', async () => {
    const queue = await ok(api(t, 'appraiser', 'GET', round('/appraisal-queue')));
    expect([...new Set(queue.json().map((i: { unitCode: string }) => i.unitCode))]).toEqual(['P1']);
    expect((await api(t, 'appraiser', 'GET', itemUrl(roundId, 'P2', '1.1'))).statusCode).toBe(404);
    const results = (await ok(api(t, 'appraiser', 'GET', round('/results')))).json();
    expect(results.groups[0].rows.map((r: { unitCode: string; areas: { code: string }[] }) => [r.unitCode, r.areas.map((x) => x.code)])).toEqual([['P1', ['1', '2']]]);
    expect((await writeItem(t, 'appraiser', roundId, 'P2', '1.1', 'appraisal', { points: 1 })).statusCode).toBe(404);
    expect((await writeItem(t, 'pnv.appraiser', roundId, 'PNV', '1.1', 'appraisal', { points: 1 })).statusCode).toBe(403);

    // P1: 0.5, 1 (self 2), 1.85, 0.75, 1; bonus 0.5; penalty left to the council.
    for (const [code, body] of [
      ['1.1', { points: 0.5 }],
      ['1.2', { points: 1, comment: 'Báo cáo chỉ thể hiện 80% nhiệm vụ hoàn thành' }],
      ['2.1', { points: 1.85 }],
      ['2.2', { points: 0.75 }],
      ['2.3', { points: 1 }],
    ] as const) {
      await ok(writeItem(t, 'appraiser', roundId, 'P1', code, 'appraisal', body));
    }
    await ok(writeItem(t, 'pnv.appraiser', roundId, 'P1', '9.1', 'appraisal', { points: 0.5, comment: 'Sáng kiến cấp thành phố' }));
    // P2 (never submitted) is appraised like the rest: 1.1 recognised, penalty 0.5; bonus left to the council.
    await ok(writeItem(t, 'pnv.appraiser', roundId, 'P2', '1.1', 'appraisal', { points: 1 }));
    await ok(writeItem(t, 'pnv.appraiser', roundId, 'P2', '10.1', 'appraisal', { points: 0.5, comment: 'Một hồ sơ trả kết quả sai quy định' }));

    // No objection and no council decision outside their phases.
    const early = await object('p1.head', 'P1', '1.2', { reason: 'x' });
    expect(early.statusCode).toBe(409);
    expect(early.json().phase).toBe('appraisal');
    const council = await decide('P1', '10.1', { points: 0, comment: 'x' });
    expect(council.statusCode).toBe(409);
    expect(council.json().phase).toBe('appraisal');
  });

  it('explanation: a unit objects (kiến nghị) to an item appraised below its self points, with a reason', async () => {
    at('2025-11-30');
    await ok(move('explanation'));
    const noReason = await api(t, 'p1.head', 'POST', `${itemUrl(roundId, 'P1', '1.2')}/objection`, {}, { 'if-match': await etag('p1.head', 'P1', '1.2') });
    expect(noReason.statusCode).toBe(400);
    const noIfMatch = await api(t, 'p1.head', 'POST', `${itemUrl(roundId, 'P1', '1.2')}/objection`, { reason: 'x' });
    expect(noIfMatch.statusCode).toBe(428);
    // 1.1 was appraised at its self points (0.5): nothing to contest.
    const same = await object('p1.head', 'P1', '1.1', { reason: 'x' });
    expect(same.statusCode).toBe(409);
    expect(same.json().code).toBe('not_below_self');
    // Only the unit itself objects.
    expect((await object('coord', 'P1', '1.2', { reason: 'x' })).statusCode).toBe(403);
    expect((await api(t, 'p2.head', 'POST', `${itemUrl(roundId, 'P1', '1.2')}/objection`, { reason: 'x' }, { 'if-match': '"00000000-1"' })).statusCode).toBe(404);

    const raised = await ok(object('p1.editor', 'P1', '1.2', { reason: 'Đã hoàn thành 27/29 nhiệm vụ (93%), có báo cáo số 45/BC-UBND' }));
    expect(raised.json()).toMatchObject({ status: 'explained', objection: { reason: 'Đã hoàn thành 27/29 nhiệm vụ (93%), có báo cáo số 45/BC-UBND', by: 'p1.editor' } });
    expect(raised.headers.etag).toBe(raised.json().etag);
    expect((await object('p1.editor', 'P1', '1.2', { reason: 'lần nữa' })).statusCode).toBe(409);
    const history = (await ok(api(t, 'p1.head', 'GET', itemUrl(roundId, 'P1', '1.2')))).json().history;
    expect(history.map((h: { kind: string }) => h.kind)).toContain('objection');

    const council = await decide('P2', '9.1', { points: 0, comment: 'x' });
    expect(council.statusCode).toBe(409);
    expect(council.json().phase).toBe('explanation');
  });

  it('open items: every item without a final score with the first reason that applies; scoped for appraisers', async () => {
    at('2025-12-06');
    await ok(move('final_appraisal'));
    const all = await openItems();
    const pnv = ['1.1', '1.2', '2.1', '2.2', '2.3', '9.1', '10.1'].map((c) => `PNV/${c}:no_eligible_appraiser`);
    expect(keys(all.items)).toEqual([
      ...pnv,
      'P1/1.2:explanation_pending',
      'P1/10.1:council_only',
      'P2/1.2:not_appraised',
      'P2/2.1:not_appraised',
      'P2/2.2:not_appraised',
      'P2/2.3:not_appraised',
      'P2/9.1:council_only',
    ]);
    expect(all.count).toBe(14);
    // The coordinator's page: grouped by reason, each item linked to its page.
    const page = await web.get(`/dieu-phoi/ky-danh-gia/${roundId}/chua-chot`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-open-count="14"');
    const sections = [...page.body.matchAll(/<section class="panel" id="ly-do-(\w+)">[\s\S]*?<\/section>/g)].map((m) => [m[1], (m[0].match(/<tr><th scope="row">/g) ?? []).length]);
    expect(sections).toEqual([
      ['no_eligible_appraiser', 7],
      ['explanation_pending', 1],
      ['council_only', 2],
      ['not_appraised', 4],
    ]);
    expect(page.body).toContain(`href="/tham-dinh/${roundId}/PNV/10.1"`);
    const unitWeb = new WebClient(t.app);
    await unitWeb.login('p1.head', PASSWORD);
    expect((await unitWeb.get(`/dieu-phoi/ky-danh-gia/${roundId}/chua-chot`)).statusCode).toBe(403);
    expect(keys((await openItems('appraiser')).items)).toEqual(['P1/1.2:explanation_pending']);
    expect((await openItems('pnv.appraiser')).count).toBe(7);
    expect((await api(t, 'p1.head', 'GET', round('/open-items'))).statusCode).toBe(403);
    expect((await api(t, 'coord', 'GET', '/api/v1/rounds/00000000-0000-4000-8000-000000000000/open-items')).statusCode).toBe(404);

    // Council review refuses with the same list.
    const blocked = await move('council_review');
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().count).toBe(14);
    expect(keys(blocked.json().openItems)).toEqual(keys(all.items));
  });

  it('bulk confirm of self points leaves N/A claims open unless asked for explicitly', async () => {
    const first = await ok(api(t, 'coord', 'POST', round('/confirm-self-points'), { reason: 'Hội đồng công nhận điểm tự chấm', unitCodes: ['PNV'] }));
    expect(first.json().items.map((i: { criterionCode: string }) => i.criterionCode)).toEqual(['1.1', '1.2', '2.2', '2.3']);
    expect(keys((await openItems()).items).filter((k) => k.startsWith('PNV/'))).toEqual(['PNV/2.1:no_eligible_appraiser', 'PNV/9.1:no_eligible_appraiser', 'PNV/10.1:no_eligible_appraiser']);
    const na = await ok(api(t, 'coord', 'POST', round('/confirm-self-points'), { reason: 'Xác minh không phát sinh hồ sơ quá hạn', unitCodes: ['PNV'], includeNotApplicable: true }));
    expect(na.json()).toEqual({ confirmed: 1, items: [{ unitCode: 'PNV', criterionCode: '2.1', points: null, notApplicable: true }] });
  });

  it("council decisions: the coordinator decides any open item, the office's own included; validated and audited", async () => {
    // The appraiser answers the objection as a flagged item.
    await ok(writeItem(t, 'appraiser', roundId, 'P1', '1.2', 'final', { points: 2, comment: 'Chấp nhận kiến nghị: hoàn thành 93% kế hoạch' }));

    const noComment = await decide('P2', '2.2', { points: 0.5 });
    expect(noComment.statusCode).toBe(400);
    const badPoints = await decide('P2', '2.2', { points: 0.3, comment: 'x' });
    expect(badPoints.statusCode).toBe(422);
    expect(badPoints.json().errors[0]).toMatchObject({ field: 'body.points', code: 'invalid_points' });
    expect((await decide('P2', '2.2', { points: 1.25, comment: 'x' })).statusCode).toBe(422);
    const noIfMatch = await api(t, 'coord', 'PUT', `${itemUrl(roundId, 'P2', '2.2')}/final`, { points: 0.5, comment: 'x' });
    expect(noIfMatch.statusCode).toBe(428);
    const stale = await api(t, 'coord', 'PUT', `${itemUrl(roundId, 'P2', '2.2')}/final`, { points: 0.5, comment: 'x' }, { 'if-match': '"00000000-1"' });
    expect(stale.statusCode).toBe(412);
    // An item with a final score is revised only in council review.
    const closed = await decide('P1', '1.1', { points: 1, comment: 'x' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().phase).toBe('final_appraisal');
    // Appraisers keep only their own final (flagged items of their units).
    expect((await writeItem(t, 'pnv.appraiser', roundId, 'P2', '2.2', 'final', { points: 0.5, comment: 'x' })).statusCode).toBe(409);

    // The office's own bonus through the web item page (the council's form is the coordinator's).
    const itemPage = await web.get(`/tham-dinh/${roundId}/PNV/9.1`);
    expect(itemPage.body).toContain('Quyết định của Hội đồng thẩm định (cơ quan điều phối nhập)');
    const formEtag = /name="etag" value="([^"]+)"/.exec(itemPage.body)![1]!.replace(/&quot;/g, '"');
    const saved = await web.post(`/tham-dinh/${roundId}/PNV/9.1/chot`, { etag: formEtag, points: '0,75', comment: 'Hội đồng thẩm định quyết định 0.75 điểm' });
    expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);

    const decisions: [string, string, number][] = [
      ['PNV', '10.1', 0],
      ['P1', '10.1', 0.5],
      ['P2', '1.2', 1],
      ['P2', '2.1', 0],
      ['P2', '2.2', 0.5],
      ['P2', '2.3', 0],
      ['P2', '9.1', 0],
    ];
    for (const [unit, code, points] of decisions) {
      const res = await ok(decide(unit, code, { points, comment: `Hội đồng thẩm định quyết định ${points} điểm` }));
      expect(res.json().final).toMatchObject({ points, source: 'final', councilDecision: true, by: { username: 'coord' } });
    }
    const pnvBonus = (await ok(api(t, 'coord', 'GET', itemUrl(roundId, 'PNV', '9.1')))).json();
    const entry = pnvBonus.history.find((h: { kind: string }) => h.kind === 'council_decision');
    expect(entry).toMatchObject({ actor: 'coord', actorRole: 'coordinator', actorUnitCode: 'PNV', comment: 'Hội đồng thẩm định quyết định 0.75 điểm', data: { points: 0.75, decidedBy: 'council', enteredBy: 'coord' } });
    const audit = await ok(api(t, 'coord', 'GET', '/api/v1/audit?action=item.council_decision'));
    expect(audit.json().items).toHaveLength(decisions.length + 1);

    expect(await openItems()).toMatchObject({ items: [], count: 0 });
    expect((await web.get(`/dieu-phoi/ky-danh-gia/${roundId}/chua-chot`)).body).toContain('Mọi tiêu chí của mọi đơn vị đã có điểm cuối cùng');
    await ok(move('council_review'));
  });

  it('council review: the coordinator may revise any final score before publication; units and appraisers may not', async () => {
    at('2025-12-13');
    const revised = await ok(decide('P1', '1.1', { points: 1, comment: 'Hội đồng xác định kế hoạch ban hành đúng hạn' }));
    expect(revised.json().final).toMatchObject({ points: 1, councilDecision: true });
    expect((await writeItem(t, 'p1.head', roundId, 'P1', '1.1', 'final', { points: 1, comment: 'x' })).statusCode).toBe(403);
    expect((await writeItem(t, 'appraiser', roundId, 'P1', '1.1', 'final', { points: 0.5, comment: 'x' })).statusCode).toBe(409);
    const history = (await ok(api(t, 'coord', 'GET', itemUrl(roundId, 'P1', '1.1')))).json().history;
    expect(history.filter((h: { kind: string }) => h.kind === 'council_decision')).toHaveLength(1);
  });

  it('results: hand-computed totals and indices; P2 is marked not submitted in results and exports', async () => {
    const res = await ok(api(t, 'coord', 'GET', round('/results')));
    const rows = res.json().groups[0].rows as { unitCode: string; submitted: boolean; total: number; max: number; index: number; band: string; rank: number; openItems: number }[];
    // PNV: 1 + 1 + (2.1 N/A) + 1 + 1 = 4 of 7 − 2 = 5; bonus 0.75, penalty 0 → 4.75; 4.75 / 5 = 95.00 % (XS).
    // P1: 1 (council) + 2 (final after objection) + 1.85 + 0.75 + 1 = 6.60 of 7; bonus 0.5 − penalty 0.5 → 6.60;
    //     6.60 / 7 = 94.2857… → 94.29 % (XS).
    // P2: 1 + 1 + 0 + 0.5 + 0 = 2.5 of 7; bonus 0 − penalty 0.5 → 2.0; 2 / 7 = 28.5714… → 28.57 % (YEU).
    expect(rows.map((r) => [r.unitCode, r.submitted, r.total, r.max, r.index, r.band, r.rank, r.openItems])).toEqual([
      ['PNV', true, 4.75, 5, 95, 'XS', 1, 0],
      ['P1', true, 6.6, 7, 94.29, 'XS', 2, 0],
      ['P2', false, 2, 7, 28.57, 'YEU', 3, 0],
    ]);
    const csv = await ok(api(t, 'coord', 'GET', round('/results.csv')));
    expect(csv.body).toContain('Nộp tự đánh giá');
    // (Separator and decimal mark follow the CSV flavour: "," and "." or ";" and ",".)
    expect(csv.body).toMatch(/3[,;]P2[,;]UBND Phường An Hòa[,;].*28[.,]57.*[,;]Chưa nộp\r?\n/);
    expect(csv.body).toMatch(/1[,;]PNV[,;]Phòng Nội vụ[,;].*95[.,]00.*[,;]Đã nộp\r?\n/);
  });

  it('publishes: the snapshot carries the indices and marks P2 as not submitted', async () => {
    // The council record the publication carries (members, minutes, issuer and signer).
    await ok(
      api(t, 'coord', 'PUT', round('/council'), {
        members: [{ name: 'Nguyễn Văn A', position: 'Phó Chủ tịch UBND, Chủ tịch Hội đồng' }],
        decisionIssuer: 'Ủy ban nhân dân thành phố Thử Nghiệm',
        signerName: 'Trần Văn B',
        signerTitle: 'Chủ tịch',
      }),
    );
    await ok(api(t, 'coord', 'PUT', round('/council/minutes'), { docNumber: '05/BB-HĐTĐ', docDate: '2025-12-15', issuer: 'Hội đồng thẩm định', title: 'Biên bản họp Hội đồng thẩm định' }));
    const pub = await api(t, 'coord', 'POST', round('/publications'), { decisionNumber: '15/QĐ-UBND', decisionDate: '2025-12-20' });
    expect(pub.statusCode, pub.body).toBe(201);
    expect((await api(t, 'coord', 'GET', round())).json().phase).toBe('published');
    const snap = await ok(api(t, null, 'GET', `/api/v1/public/publications/${pub.json().id}`));
    const rows = snap.json().snapshot.groups[0].rows as { unitCode: string; index: number; submitted?: boolean }[];
    expect(rows.map((r) => [r.unitCode, r.index, r.submitted])).toEqual([
      ['PNV', 95, undefined],
      ['P1', 94.29, undefined],
      ['P2', 28.57, false],
    ]);
    const late = await decide('P1', '1.1', { points: 0.5, comment: 'x' });
    expect(late.statusCode).toBe(409);
    expect(late.json().phase).toBe('published');
  });
});

describe('settlement: survey reasons in the open-items report', () => {
  // A 2026 round on a survey-only framework (surveyOptional false) on SIPAS-S, whose minimum is 3 responses:
  // P1 has 1 response (below the minimum), P2 none.
  let id: string;
  beforeAll(async () => {
    await insertSurvey(t, surveyDoc('SIPAS-S', undefined, { minResponses: 3 }));
    const surveyArea = [
      {
        code: '3',
        title: 'Mức độ hài lòng của người dân',
        maxPoints: 2,
        kind: 'regular',
        children: [{ code: '3.1', title: 'Chỉ số hài lòng về TTHC', maxPoints: 2, source: 'survey', naAllowed: false, rule: { type: 'survey', surveyCode: 'SIPAS-S', questionCodes: ['Q1', 'Q2'] }, evidence: { required: false } }],
      },
    ] as unknown as typeof testFramework.criteria;
    await insertFramework(t, { code: 'SV-S', lineage: 'SV-S', year: 2026, surveyOptional: false, criteria: surveyArea });
    const created = await ok(
      api(t, 'coord', 'POST', '/api/v1/rounds', {
        year: 2026,
        name: 'Đợt có khảo sát 2026',
        groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'SV-S', unitCodes: ['P1', 'P2'] }],
        schedule: { self_assessment: '2026-11-03', appraisal: '2026-11-29', explanation: '2026-12-05', final_appraisal: '2026-12-12', council_review: '2026-12-20' },
      }),
      201,
    );
    id = created.json().id;
    await ok(api(t, 'coord', 'POST', `/api/v1/rounds/${id}/transition`, { to: 'self_assessment' }));
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/public/surveys/SIPAS-S/units/P1/responses', payload: { responseId: 'settlement-response-1', answers: { Q1: '4', Q2: '4' } }, remoteAddress: '10.9.9.1' });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('names survey_below_minimum (with n) before survey_missing; a survey-only round needs no submission or appraiser', async () => {
    const res = await ok(api(t, 'coord', 'GET', `/api/v1/rounds/${id}/open-items`));
    expect(res.json().items.map((i: { unitCode: string; criterionCode: string; reason: string; surveyN?: number }) => [i.unitCode, i.criterionCode, i.reason, i.surveyN])).toEqual([
      ['P1', '3.1', 'survey_below_minimum', 1],
      ['P2', '3.1', 'survey_missing', 0],
    ]);
    expect(res.json().count).toBe(2);
    // Nothing to self-assess and nothing a person appraises: no 409 before appraisal.
    await ok(api(t, 'coord', 'POST', `/api/v1/rounds/${id}/transition`, { to: 'appraisal' }));
    expect((await ok(api(t, 'coord', 'GET', `/api/v1/rounds/${id}/appraisers`))).json()).toEqual({ assignments: [], uncovered: [] });
  });
});
