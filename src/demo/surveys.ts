// Demo SIPAS questionnaires matching the survey rules of the sample frameworks (area 8 of XA-2025 and PB-2025),
// and deterministic responses for a few units so that the demo results show survey points.
import type { ImportRow } from '../modules/surveys/surveys.import.js';

const binary = [
  { code: '5', label: 'Rất hài lòng', value: 1 },
  { code: '4', label: 'Hài lòng', value: 1 },
  { code: '3', label: 'Bình thường', value: 0 },
  { code: '2', label: 'Không hài lòng', value: 0 },
  { code: '1', label: 'Rất không hài lòng', value: 0 },
  { code: '0', label: 'Không trả lời', value: null },
];

const graded = [
  { code: '5', label: 'Rất hài lòng', value: 1 },
  { code: '4', label: 'Hài lòng', value: 0.75 },
  { code: '3', label: 'Bình thường', value: 0.5 },
  { code: '2', label: 'Không hài lòng', value: 0.25 },
  { code: '1', label: 'Rất không hài lòng', value: 0 },
  { code: '0', label: 'Không có ý kiến', value: null },
];

const q = (code: string, text: string, options: typeof binary) => ({ code, text, options });

/** Khảo sát SIPAS tại Bộ phận Một cửa UBND xã, phường (0/1 scoring: hài lòng or not). */
export const sipasXa = {
  code: 'SIPAS-XA-2025',
  name: 'Khảo sát mức độ hài lòng của người dân, tổ chức tại Bộ phận Một cửa UBND xã, phường năm 2025',
  kind: 'satisfaction',
  year: 2025,
  description: 'Ông/bà vui lòng cho biết mức độ hài lòng khi giải quyết thủ tục hành chính tại Bộ phận Một cửa. Phiếu khảo sát không ghi tên.',
  minResponses: 30,
  demographics: ['sex', 'ageBand', 'occupation'],
  dimensions: [
    {
      code: 'TIEP_CAN',
      title: 'Tiếp cận dịch vụ hành chính công',
      weight: 1,
      questions: [
        q('Q1', 'Nơi ngồi chờ tại Bộ phận Một cửa có đủ chỗ ngồi, sạch sẽ, thoáng mát', binary),
        q('Q2', 'Trang thiết bị phục vụ người dân đầy đủ, hiện đại, dễ sử dụng', binary),
      ],
    },
    {
      code: 'THU_TUC',
      title: 'Thủ tục hành chính',
      weight: 1,
      questions: [
        q('Q3', 'Thủ tục hành chính được niêm yết công khai đầy đủ, chính xác', binary),
        q('Q4', 'Thành phần hồ sơ phải nộp đúng quy định', binary),
        q('Q5', 'Phí, lệ phí phải nộp đúng quy định', binary),
      ],
    },
    {
      code: 'CONG_CHUC',
      title: 'Công chức trực tiếp giải quyết công việc',
      weight: 1,
      questions: [
        q('Q6', 'Công chức có thái độ giao tiếp lịch sự, tôn trọng', binary),
        q('Q7', 'Công chức chú ý lắng nghe ý kiến của người dân', binary),
        q('Q8', 'Công chức hướng dẫn kê khai hồ sơ tận tình, dễ hiểu', binary),
      ],
    },
    {
      code: 'KET_QUA',
      title: 'Kết quả giải quyết thủ tục hành chính',
      weight: 1,
      questions: [
        q('Q9', 'Kết quả giải quyết đúng quy định, thông tin chính xác', binary),
        q('Q10', 'Nhận kết quả đúng hẹn', binary),
      ],
    },
  ],
};

/** The same SIPAS for the departments, on a graded scale (Hài lòng counts 0.75). */
export const sipasPb = {
  code: 'SIPAS-PB-2025',
  name: 'Khảo sát mức độ hài lòng của người dân, tổ chức đối với các phòng chuyên môn năm 2025',
  kind: 'satisfaction',
  year: 2025,
  description: 'Phiếu khảo sát không ghi tên; kết quả chỉ công bố tổng hợp.',
  minResponses: 20,
  dimensions: [
    { code: 'TIEP_CAN', title: 'Tiếp cận dịch vụ', weight: 1, questions: [q('Q1', 'Việc tiếp cận thông tin, liên hệ với phòng thuận tiện', graded)] },
    {
      code: 'THU_TUC',
      title: 'Thủ tục hành chính',
      weight: 1,
      questions: [q('Q2', 'Thủ tục hành chính được công khai đầy đủ', graded), q('Q3', 'Hồ sơ, giấy tờ phải nộp đúng quy định', graded)],
    },
    { code: 'CONG_CHUC', title: 'Công chức', weight: 1, questions: [q('Q4', 'Công chức giải quyết công việc tận tình, đúng quy định', graded)] },
    { code: 'KET_QUA', title: 'Kết quả giải quyết', weight: 1, questions: [q('Q5', 'Kết quả được trả đúng hẹn, chính xác', graded)] },
  ],
};

/** The 2025 templates; demoSurveysFor(year) gives each year's copies. */
export const demoSurveys = [sipasXa, sipasPb];

/** mulberry32: small deterministic PRNG (the demo is the same on every start). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sexes = ['male', 'female'];
const ages = ['under_25', '25_34', '35_44', '45_54', '55_64', '65_plus'];
const jobs = ['civil_servant', 'business', 'farmer', 'worker', 'student', 'freelance', 'retired', 'other'];

/**
 * `count` responses for a unit whose citizens are satisfied with probability `p` (per question); about one answer
 * in twenty is "không trả lời". Ids are stable (demo-<survey>-<unit>-<n>) so re-seeding is idempotent.
 */
export function demoResponses(survey: { code: string; dimensions: { questions: { code: string }[] }[] }, unitCode: string, count: number, p: number, seed: number, withRespondent = false): ImportRow[] {
  const rnd = prng(seed);
  const questions = survey.dimensions.flatMap((d) => d.questions.map((x) => x.code));
  return Array.from({ length: count }, (_, i) => {
    const answers: Record<string, string> = {};
    for (const code of questions) {
      const r = rnd();
      answers[code] = r < 0.05 ? '0' : r < 0.05 + p * 0.95 ? (rnd() < 0.5 ? '5' : '4') : String(1 + Math.floor(rnd() * 3));
    }
    const respondent = withRespondent && rnd() < 0.7 ? { sex: sexes[Math.floor(rnd() * 2)]!, ageBand: ages[Math.floor(rnd() * ages.length)]!, occupation: jobs[Math.floor(rnd() * jobs.length)]! } : null;
    return { responseId: `demo-${survey.code}-${unitCode}-${i + 1}`, unitCode, answers, respondent, submittedAt: null };
  });
}

/** Which demo units have responses this year: wards above and below minResponses, two sở. */
export const demoResponsePlan: { survey: 'xa' | 'pb'; unitCode: string; count: number; p: number; seed: number; withRespondent: boolean }[] = [
  { survey: 'xa', unitCode: 'PSADEC', count: 45, p: 0.9, seed: 11, withRespondent: true },
  { survey: 'xa', unitCode: 'PCAOLANH', count: 38, p: 0.8, seed: 12, withRespondent: true },
  { survey: 'xa', unitCode: 'PMYTHO', count: 12, p: 0.7, seed: 13, withRespondent: true },
  { survey: 'pb', unitCode: 'SNV', count: 26, p: 0.85, seed: 21, withRespondent: false },
  { survey: 'pb', unitCode: 'VPUB', count: 22, p: 0.75, seed: 22, withRespondent: false },
];
