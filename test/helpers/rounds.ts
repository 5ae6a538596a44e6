// Drives a round on the test framework (test/helpers/fixtures.ts) from creation to council_review through the
// API, the way test/integration/appraisal.test.ts does step by step: self-assessment and submission by each
// unit head, the appraiser scores the bonus area, the coordinator confirms the remaining self points.
import type { TestApp } from './app.js';
import { schedule } from './fixtures.js';

export interface UnitPlan {
  /** A unit_head of the unit: scores and submits. */
  head: string;
  /** criterion code → body of PUT …/self. */
  self: Record<string, object>;
  /** Points the appraiser gives the bonus criterion 9.1 (default 0). */
  bonus?: number;
}

export interface RoundPlan {
  year: number;
  name?: string;
  groups: { code: string; name: string; frameworkCode: string; units: Record<string, UnitPlan> }[];
  /** Appraiser who scores the bonus area 9 (default 'appraiser', of Phòng Tư pháp). */
  appraiser?: string;
  /** Record the council (members, minutes, signer) once in council_review (default true). */
  council?: boolean;
  /** The reason to accept frameworks of another year than the round's (allowFrameworkYear). */
  allowFrameworkYear?: string;
}

export async function api(t: TestApp, who: string | null, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, extra: Record<string, string> = {}) {
  const headers = { ...(who ? await t.as(who) : {}), ...extra };
  return t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

async function must(p: ReturnType<typeof api>, status: number, what: string) {
  const res = await p;
  if (res.statusCode !== status) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res;
}

export const itemUrl = (roundId: string, unit: string, code: string) => `/api/v1/rounds/${roundId}/assessments/${unit}/items/${code}`;

/** PUT …/items/{code}/{kind} with the item's current ETag. */
export async function writeItem(t: TestApp, who: string, roundId: string, unit: string, code: string, kind: 'self' | 'appraisal' | 'explanation' | 'final', body: object) {
  const got = await api(t, who, 'GET', itemUrl(roundId, unit, code));
  const etag = got.statusCode === 200 ? (got.json().etag as string) : '"none"';
  return api(t, who, 'PUT', `${itemUrl(roundId, unit, code)}/${kind}`, body, { 'if-match': etag });
}

/** Creates the round and takes it to council_review; returns its id. */
export async function driveToCouncilReview(t: TestApp, plan: RoundPlan): Promise<string> {
  const appraiser = plan.appraiser ?? 'appraiser';
  const created = await must(
    api(t, 'coord', 'POST', '/api/v1/rounds', {
      year: plan.year,
      name: plan.name ?? `Xác định Chỉ số CCHC năm ${plan.year}`,
      groups: plan.groups.map((g) => ({ code: g.code, name: g.name, frameworkCode: g.frameworkCode, unitCodes: Object.keys(g.units) })),
      schedule,
      ...(plan.allowFrameworkYear ? { allowFrameworkYear: { reason: plan.allowFrameworkYear } } : {}),
    }),
    201,
    'create round',
  );
  const id = created.json().id as string;
  const move = (to: string, force = false) => must(api(t, 'coord', 'POST', `/api/v1/rounds/${id}/transition`, force ? { to, force } : { to }), 200, `transition to ${to}`);
  await move('self_assessment');
  for (const g of plan.groups) {
    for (const [unit, p] of Object.entries(g.units)) {
      for (const [code, body] of Object.entries(p.self)) await must(writeItem(t, p.head, id, unit, code, 'self', body), 200, `self ${unit}/${code}`);
      await must(api(t, p.head, 'POST', `/api/v1/rounds/${id}/assessments/${unit}/submit`), 200, `submit ${unit}`);
    }
  }
  await must(api(t, 'coord', 'PUT', `/api/v1/rounds/${id}/appraisers`, [{ username: appraiser, areaCodes: ['9'] }]), 200, 'appraisers');
  // Only the bonus area has an appraiser: areas 1 and 2 are settled by confirming the self points (force).
  await move('appraisal', true);
  for (const g of plan.groups) {
    for (const [unit, p] of Object.entries(g.units)) {
      await must(writeItem(t, appraiser, id, unit, '9.1', 'appraisal', { points: p.bonus ?? 0, comment: 'Điểm thưởng theo kết quả thẩm định' }), 200, `bonus ${unit}`);
    }
  }
  await move('explanation');
  await move('final_appraisal');
  await must(api(t, 'coord', 'POST', `/api/v1/rounds/${id}/confirm-self-points`, { reason: 'Hội đồng thống nhất công nhận điểm tự chấm', includeNotApplicable: true }), 200, 'confirm self points');
  await move('council_review');
  if (plan.council !== false) await recordCouncil(t, id);
  return id;
}

/** The council record publication needs (members, minutes as a document reference, issuer and signer). */
export const testCouncil = {
  members: [
    { name: 'Nguyễn Văn An', position: 'Phó Chủ tịch UBND, Chủ tịch Hội đồng' },
    { name: 'Trần Thị Bình', position: 'Trưởng phòng Nội vụ, Phó Chủ tịch Hội đồng' },
  ],
  decisionIssuer: 'Chủ tịch Ủy ban nhân dân thành phố Thử Nghiệm',
  signerName: 'Lê Văn Cường',
  signerTitle: 'Chủ tịch',
};
export const testMinutes = { docNumber: '05/BB-HĐTĐ', docDate: '2025-12-18', issuer: 'Hội đồng thẩm định Chỉ số CCHC', title: 'Biên bản họp Hội đồng thẩm định Chỉ số CCHC năm 2025' };

export async function recordCouncil(t: TestApp, roundId: string, who = 'coord') {
  await must(api(t, who, 'PUT', `/api/v1/rounds/${roundId}/council`, testCouncil), 200, 'council');
  await must(api(t, who, 'PUT', `/api/v1/rounds/${roundId}/council/minutes`, testMinutes), 200, 'council minutes');
}

/** Self-assessment bodies for the test framework's self leaves (1.1, 1.2, 2.1, 2.2, 2.3). */
export const selfScores = {
  /** 0.5 + 2 + 1.85 + 0.75 + 1 = 6.10 of 7. */
  good: {
    '1.1': { input: { option: 'LATE' }, note: 'Kế hoạch số 125/KH-UBND' },
    '1.2': { input: { percent: 92.5 } },
    '2.1': { input: { numerator: 3, denominator: 40 } },
    '2.2': { input: { points: 0.75 } },
    '2.3': { input: { value: true }, note: 'Niêm yết tại Bộ phận Một cửa' },
  },
  /** 1 + 1 + N/A + 1 + 1 = 4 of 5. */
  na: {
    '1.1': { input: { option: 'ON_TIME' }, note: 'Kế hoạch số 30/KH-UBND' },
    '1.2': { input: { percent: 75 } },
    '2.1': { notApplicable: true, note: 'Không phát sinh hồ sơ quá hạn' },
    '2.2': { input: { points: 1 } },
    '2.3': { input: { value: true }, note: 'Niêm yết đầy đủ' },
  },
  /** 0 + 0 + 0 + 0.25 + 0 = 0.25 of 7. */
  poor: {
    '1.1': { input: { option: 'NONE' }, note: 'Chưa ban hành kế hoạch' },
    '1.2': { input: { percent: 40 } },
    '2.1': { input: { numerator: 10, denominator: 10 } },
    '2.2': { input: { points: 0.25 } },
    '2.3': { input: { value: false }, note: 'Chưa niêm yết' },
  },
} satisfies Record<string, Record<string, object>>;
