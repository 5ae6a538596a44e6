// A small published framework covering every rule type and source, inserted directly so round and assessment
// tests do not depend on the frameworks API.
import { frameworks } from '../../src/db/schema.js';
import type { TestApp } from './app.js';

export const testFramework = {
  code: 'XA-T',
  lineage: 'XA-T',
  name: 'Bộ tiêu chí thử nghiệm UBND xã, phường',
  year: 2025,
  legalBasis: 'Quyết định số 01/QĐ-UBND',
  bonusCap: 1,
  penaltyCap: 2,
  surveyOptional: true,
  capIndexAt100: true,
  bands: [
    { code: 'XS', label: 'Xuất sắc', minIndex: 90 },
    { code: 'TOT', label: 'Tốt', minIndex: 80 },
    { code: 'KHA', label: 'Khá', minIndex: 70 },
    { code: 'TB', label: 'Trung bình', minIndex: 50 },
    { code: 'YEU', label: 'Yếu', minIndex: 0 },
  ],
  criteria: [
    {
      code: '1', title: 'Công tác chỉ đạo, điều hành CCHC', maxPoints: 3, kind: 'regular',
      children: [
        {
          code: '1.1', title: 'Ban hành kế hoạch CCHC năm', maxPoints: 1, source: 'self', naAllowed: false,
          rule: { type: 'options', options: [
            { code: 'ON_TIME', label: 'Ban hành kịp thời', points: 1 },
            { code: 'LATE', label: 'Không kịp thời', points: 0.5 },
            { code: 'NONE', label: 'Không ban hành', points: 0 },
          ] },
          evidence: { required: true, hint: 'Kế hoạch CCHC năm của đơn vị' },
        },
        {
          code: '1.2', title: 'Mức độ thực hiện kế hoạch CCHC', maxPoints: 2, source: 'self', naAllowed: false,
          rule: { type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 },
          evidence: { required: false },
        },
      ],
    },
    {
      code: '2', title: 'Cải cách thủ tục hành chính', maxPoints: 4, kind: 'regular',
      children: [
        {
          code: '2.1', title: 'Tỷ lệ hồ sơ giải quyết quá hạn', maxPoints: 2, source: 'self', naAllowed: true,
          rule: { type: 'proportional', input: 'ratio', direction: 'lower' },
          evidence: { required: false },
        },
        { code: '2.2', title: 'Rà soát, đơn giản hóa TTHC', maxPoints: 1, source: 'self', naAllowed: false, rule: { type: 'manual', step: 0.25 }, evidence: { required: false } },
        { code: '2.3', title: 'Công khai TTHC đầy đủ', maxPoints: 1, source: 'self', naAllowed: false, rule: { type: 'binary' }, evidence: { required: true, hint: 'Ảnh chụp bảng niêm yết' } },
      ],
    },
    {
      code: '3', title: 'Mức độ hài lòng của người dân', maxPoints: 2, kind: 'regular',
      children: [
        { code: '3.1', title: 'Chỉ số hài lòng về TTHC', maxPoints: 2, source: 'survey', naAllowed: false, rule: { type: 'survey', surveyCode: 'SIPAS-T', questionCodes: ['Q1', 'Q2'] }, evidence: { required: false } },
      ],
    },
    {
      code: '9', title: 'Điểm thưởng', maxPoints: 1, kind: 'bonus',
      children: [
        { code: '9.1', title: 'Sáng kiến CCHC được công nhận', maxPoints: 1, source: 'appraisal', naAllowed: false, rule: { type: 'manual', step: 0.25 }, evidence: { required: false } },
      ],
    },
  ],
};

export const SELF_LEAVES = ['1.1', '1.2', '2.1', '2.2', '2.3'];
export const ALL_LEAVES = [...SELF_LEAVES, '3.1', '9.1'];

export async function insertFramework(t: TestApp, fw: { code: string; status?: 'draft' | 'published' } & Partial<typeof testFramework> = testFramework) {
  const doc = { ...testFramework, ...fw };
  const now = t.app.clock();
  const published = (fw.status ?? 'published') === 'published';
  await t.database.db.insert(frameworks).values({
    code: doc.code,
    lineage: fw.lineage ?? doc.code,
    name: doc.name,
    year: doc.year,
    legalBasis: doc.legalBasis,
    status: published ? 'published' : 'draft',
    version: 1,
    bonusCap: String(doc.bonusCap),
    penaltyCap: String(doc.penaltyCap),
    capIndexAt100: doc.capIndexAt100,
    surveyOptional: doc.surveyOptional,
    bands: doc.bands,
    criteria: doc.criteria,
    createdBy: 'test',
    createdAt: now,
    updatedAt: now,
    publishedAt: published ? now : null,
  });
}

export const schedule = { self_assessment: '2025-11-03', appraisal: '2025-11-29', explanation: '2025-12-05', final_appraisal: '2025-12-12', council_review: '2025-12-20' };

/** Creates a round with one group (P1, P2) on the test framework and opens it. Returns the round id. */
export async function openRound(t: TestApp, opts: { units?: string[]; year?: number } = {}) {
  const headers = await t.as('coord');
  // A unit is in one non-cancelled round per year: a second round of the same units takes another year, and the
  // 2025 test framework then needs allowFrameworkYear.
  const year = opts.year ?? 2025;
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/rounds',
    headers,
    payload: {
      year,
      name: `Xác định Chỉ số CCHC năm ${year}`,
      groups: [{ code: 'XA', name: 'UBND xã, phường', frameworkCode: 'XA-T', unitCodes: opts.units ?? ['P1', 'P2'] }],
      schedule,
      ...(year !== 2025 ? { allowFrameworkYear: { reason: 'Dùng lại bộ tiêu chí năm 2025 (thử nghiệm)' } } : {}),
    },
  });
  if (created.statusCode !== 201) throw new Error(`create round: ${created.statusCode} ${created.body}`);
  const id = created.json().id as string;
  const opened = await t.app.inject({ method: 'POST', url: `/api/v1/rounds/${id}/transition`, headers, payload: { to: 'self_assessment' } });
  if (opened.statusCode !== 200) throw new Error(`open round: ${opened.statusCode} ${opened.body}`);
  return id;
}
