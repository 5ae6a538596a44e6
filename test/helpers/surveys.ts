// Survey documents for tests, and a direct insert so that framework and round tests whose survey rules must
// reference an existing survey do not depend on the surveys API.
import { surveys } from '../../src/db/schema.js';
import type { TestApp } from './app.js';

export type SurveyDoc = Record<string, any>;

/** SIPAS-style 0/1 options: "hài lòng" counts 1, the rest 0, "không trả lời" is excluded. */
export const binaryOptions = [
  { code: '5', label: 'Rất hài lòng', value: 1 },
  { code: '4', label: 'Hài lòng', value: 1 },
  { code: '3', label: 'Bình thường', value: 0 },
  { code: '2', label: 'Không hài lòng', value: 0 },
  { code: '1', label: 'Rất không hài lòng', value: 0 },
  { code: '0', label: 'Không trả lời', value: null },
];

/** A graded scale (normal-approximation intervals). */
export const gradedOptions = [
  { code: 'A', label: 'Rất tốt', value: 1 },
  { code: 'B', label: 'Tốt', value: 0.75 },
  { code: 'C', label: 'Trung bình', value: 0.5 },
  { code: 'D', label: 'Kém', value: 0 },
  { code: 'X', label: 'Không biết', value: null },
];

/** Dimensions → question codes; every question gets the binary options unless `graded` lists it. */
export function surveyDoc(code: string, dims: Record<string, string[]> = { TIEP_CAN: ['Q1', 'Q2'] }, extra: SurveyDoc = {}, graded: string[] = []): SurveyDoc {
  return {
    code,
    name: `Khảo sát mức độ hài lòng ${code}`,
    kind: 'satisfaction',
    minResponses: 0,
    dimensions: Object.entries(dims).map(([d, qs]) => ({
      code: d,
      title: `Chiều ${d}`,
      weight: 1,
      questions: qs.map((q) => ({ code: q, text: `Câu hỏi ${q}`, options: (graded.includes(q) ? gradedOptions : binaryOptions).map((o) => ({ ...o })) })),
    })),
    ...extra,
  };
}

/** Inserts a survey directly (no audit), published by default. */
export async function insertSurvey(t: TestApp, doc: SurveyDoc, status: 'draft' | 'published' = 'published') {
  const now = t.app.clock();
  const [row] = await t.database.db
    .insert(surveys)
    .values({
      code: doc.code,
      name: doc.name,
      kind: doc.kind,
      year: doc.year ?? null,
      status,
      version: 1,
      minResponses: doc.minResponses ?? 0,
      definition: {
        description: doc.description ?? null,
        demographics: doc.demographics ?? [],
        dimensions: doc.dimensions.map((d: SurveyDoc) => ({
          ...d,
          weight: d.weight ?? 1,
          questions: d.questions.map((q: SurveyDoc) => ({ required: false, ...q })),
        })),
      },
      createdBy: 'test',
      createdAt: now,
      updatedAt: now,
      publishedAt: status === 'published' ? now : null,
    })
    .returning();
  return row!;
}

/**
 * The demo questionnaires (SIPAS-XA-2025, SIPAS-PB-2025), published: frameworks whose survey rules name them
 * (the sample document of test/helpers/frameworks.ts, the demo frameworks) pass the survey reference check.
 */
export async function insertDemoSurveys(t: TestApp) {
  const { demoSurveys } = await import('../../src/demo/surveys.js');
  for (const doc of demoSurveys) await insertSurvey(t, doc);
}
