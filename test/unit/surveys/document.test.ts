import { describe, expect, it } from 'vitest';
import { mappedQuestions, questionIndex, validateSurveyDocument } from '../../../src/modules/surveys/surveys.document.js';
import { sipasPb, sipasXa } from '../../../src/demo/surveys.js';
import { surveyDoc, type SurveyDoc } from '../../helpers/surveys.js';

const errorsOf = (doc: unknown) => {
  const r = validateSurveyDocument(doc);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};

describe('survey document validation', () => {
  it('accepts the SPEC §10 shape and fills defaults (weight 1, minResponses 0, not required, no demographics)', () => {
    const r = validateSurveyDocument({
      code: 'SIPAS-XA-2025',
      name: 'Khảo sát mức độ hài lòng',
      kind: 'satisfaction',
      dimensions: [{ code: 'TIEP_CAN', title: 'Tiếp cận dịch vụ', questions: [{ code: 'Q1', text: '…', options: [{ code: '4', label: 'Hài lòng', value: 1 }, { code: '0', label: 'Không trả lời', value: null }] }] }],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.document).toMatchObject({ minResponses: 0, demographics: [], year: null, description: null, dimensions: [{ weight: 1, questions: [{ required: false }] }] });
  });

  it('the demo questionnaires are valid', () => {
    expect(validateSurveyDocument(sipasXa).ok).toBe(true);
    expect(validateSurveyDocument(sipasPb).ok).toBe(true);
  });

  it('names every shape problem by its field path', () => {
    const doc: SurveyDoc = surveyDoc('S-1');
    doc.kind = 'opinion';
    doc.dimensions[0].questions[0].options[0].value = 1.5;
    doc.dimensions[0].questions[1].options = [{ code: '1', label: 'Có', value: 1 }];
    doc.extra = true;
    doc.minResponses = -1;
    const byField = Object.fromEntries(errorsOf(doc).map((e) => [e.field, e.code]));
    expect(byField).toEqual({
      'body.kind': 'invalid_value',
      'body.dimensions.0.questions.0.options.0.value': 'too_big',
      'body.dimensions.0.questions.1.options': 'too_small',
      'body.extra': 'unrecognized_keys',
      'body.minResponses': 'too_small',
    });
  });

  it('refuses duplicate codes (question codes across the whole survey, case-insensitively), unscored questions and zero weights', () => {
    const doc: SurveyDoc = surveyDoc('S-2', { A: ['Q1', 'Q2'], B: ['q1'] });
    doc.dimensions[1].code = 'A';
    doc.dimensions[0].weight = 0;
    doc.dimensions[1].weight = 0;
    doc.dimensions[0].questions[1].options = [
      { code: 'X', label: 'Không biết', value: null },
      { code: 'X', label: 'Không trả lời', value: null },
    ];
    const errors = errorsOf(doc);
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      ['body.dimensions.0.questions.1.options.1.code', 'duplicate'],
      ['body.dimensions.0.questions.1.options', 'no_scored_option'],
      ['body.dimensions.1.code', 'duplicate'],
      ['body.dimensions.1.questions.0.code', 'duplicate'],
      ['body.dimensions', 'no_weight'],
    ]);
    expect(errors.find((e) => e.field === 'body.dimensions.1.questions.0.code')!.message).toMatch(/question code 'q1' is used twice \(also dimensions\.0\.questions\.0\)/);
    expect(errors.find((e) => e.code === 'no_scored_option')!.message).toBe('question Q2: at least one option needs a value in [0, 1]; null only excludes an answer');
  });

  it('question codes cannot hold a "/" (it separates group paths in exports)', () => {
    const doc: SurveyDoc = surveyDoc('S-3');
    doc.dimensions[0].questions[0].code = 'grp/Q1';
    expect(errorsOf(doc).map((e) => e.field)).toEqual(['body.dimensions.0.questions.0.code']);
  });
});

describe('questionnaire helpers', () => {
  const r = validateSurveyDocument(sipasXa);
  if (!r.ok) throw new Error('demo survey invalid');
  const doc = r.document;

  it('indexes questions with their dimension, option values and whether they are 0/1', () => {
    const idx = questionIndex(doc);
    expect([...idx.keys()]).toEqual(['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7', 'Q8', 'Q9', 'Q10']);
    expect(idx.get('Q6')!.dimension.code).toBe('CONG_CHUC');
    expect(idx.get('Q1')!.values.get('0')).toBeNull();
    expect(idx.get('Q1')!.binary).toBe(true);
    const pb = validateSurveyDocument(sipasPb);
    expect(pb.ok && questionIndex(pb.document).get('Q1')!.binary).toBe(false);
  });

  it('maps a survey rule to its questions: questionCodes, or every question of the dimension', () => {
    expect(mappedQuestions(doc, { questionCodes: ['Q3', 'Q4'] })).toEqual(['Q3', 'Q4']);
    expect(mappedQuestions(doc, { dimensionCode: 'CONG_CHUC' })).toEqual(['Q6', 'Q7', 'Q8']);
    expect(mappedQuestions(doc, { dimensionCode: 'NOPE' })).toBeNull();
  });
});
