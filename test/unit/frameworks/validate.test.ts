import { describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../../../src/modules/frameworks/frameworks.document.js';
import { surveyReferencesOf, validateFrameworkDocument } from '../../../src/modules/frameworks/frameworks.validate.js';
import { at, sampleDoc, validationCases, type Doc } from '../../helpers/frameworks.js';

function errorsOf(doc: Doc) {
  const r = validateFrameworkDocument(doc);
  if (r.ok) throw new Error('expected the document to be invalid');
  return r.errors;
}

describe('validateFrameworkDocument: a valid document', () => {
  it('passes and is normalised: area kind, leaf naAllowed and evidence, lineage, defaults', () => {
    const r = validateFrameworkDocument(sampleDoc());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const d = r.document;
    expect(d.lineage).toBe('XA');
    expect(d.capIndexAt100).toBe(true);
    expect(d.surveyOptional).toBe(false);
    expect(d.criteria.map((a) => a.kind)).toEqual(['regular', 'regular', 'regular', 'bonus', 'penalty']);
    expect(at(d, '1.2')).toMatchObject({ naAllowed: false, evidence: { required: false } });
    expect(at(d, '1.1').evidence).toEqual({ required: true, hint: 'Kế hoạch CCHC năm của đơn vị' });
    expect(at(d, '1')).not.toHaveProperty('naAllowed');
  });

  it('is idempotent: a normalised document validates to itself', () => {
    const first = validateFrameworkDocument(sampleDoc());
    if (!first.ok) throw new Error('invalid');
    const again = validateFrameworkDocument(structuredClone(first.document));
    expect(again).toEqual(first);
  });

  it('accepts the boundary patterns of SPEC §4: "từ 80% đến dưới 100%", lower-is-better tiers, count tiers', () => {
    const d = sampleDoc();
    at(d, '1.2').rule.tiers = [{ gte: 100, points: 2 }, { gte: 80, points: 1.5 }, { gte: 50, points: 0.5 }];
    at(d, '1.3').rule = { type: 'tiered', input: 'ratio', tiers: [{ lte: 0, points: 2 }, { lt: 2, points: 1.5 }, { lt: 5, points: 1 }], otherwise: 0 };
    at(d, '10.1').rule.tiers = [{ gte: 3, points: 3 }, { gt: 1.5, points: 2 }, { gte: 1, points: 1 }];
    expect(validateFrameworkDocument(d)).toMatchObject({ ok: true });
  });

  it('a tier covering only its exact bound is reachable (> 90 then ≥ 90)', () => {
    const d = sampleDoc();
    at(d, '1.2').rule.tiers = [{ gt: 90, points: 2 }, { gte: 90, points: 1.5 }];
    expect(validateFrameworkDocument(d)).toMatchObject({ ok: true });
  });

  it('derives the lineage from the code and keeps an explicit one', () => {
    const derived = validateFrameworkDocument({ ...sampleDoc('PB_2024'), year: 2024 });
    expect(derived.ok && derived.document.lineage).toBe('PB');
    const explicit = validateFrameworkDocument({ ...sampleDoc(), lineage: 'XA-HUE' });
    expect(explicit.ok && explicit.document.lineage).toBe('XA-HUE');
  });

  it('collects survey references for the surveys module hook', () => {
    const r = validateFrameworkDocument(sampleDoc());
    if (!r.ok) throw new Error('invalid');
    expect(surveyReferencesOf(r.document)).toEqual([
      { field: 'criteria[3.1].rule', criterionCode: '3.1', surveyCode: 'SIPAS-XA-2025', questionCodes: ['Q1', 'Q2'] },
    ]);
  });
});

describe('validateFrameworkDocument: one error per problem, named by criterion code', () => {
  it.each(validationCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const doc = sampleDoc();
    c.mutate(doc);
    const errors = errorsOf(doc);
    const hit = errors.find((e) => e.field === c.field && e.code === c.code);
    expect(hit, JSON.stringify(errors, null, 1)).toBeDefined();
    expect(hit!.message).toMatch(c.message);
  });

  it('reports several independent problems at once', () => {
    const doc = sampleDoc();
    at(doc, '1').maxPoints = 6;
    at(doc, '1.1').rule.options[2].code = 'LATE';
    doc.bands[4].minIndex = 10;
    expect(errorsOf(doc).map((e) => e.field)).toEqual(['bands[4].minIndex', 'criteria[1].maxPoints', 'criteria[1.1].rule.options[2].code']);
  });

  it('names unknown top-level fields and missing ones', () => {
    const doc = sampleDoc();
    doc.weights = {};
    delete doc.year;
    const errors = errorsOf(doc);
    expect(errors).toContainEqual({ field: 'weights', code: 'unrecognized_key', message: 'weights is not an accepted field' });
    expect(errors).toContainEqual(expect.objectContaining({ field: 'year', code: 'invalid_type' }));
  });

  it('a criterion without a usable code at the top is named by its position', () => {
    const doc = sampleDoc();
    delete doc.criteria[1].code;
    expect(errorsOf(doc)).toContainEqual(expect.objectContaining({ field: 'criteria[#1].code', message: expect.stringMatching(/^criterion at criteria\[#1\]: code: /) }));
  });

  it('refuses nesting deeper than the limit before parsing (no stack exhaustion)', () => {
    const doc = sampleDoc();
    let node: Doc = at(doc, '2.1');
    for (let i = 0; i < 5_000; i++) {
      const child: Doc = { code: `${node.code}.1`, title: 'x', maxPoints: 4 };
      node.children = [child];
      node = child;
    }
    const errors = errorsOf(doc);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'too_deep', message: expect.stringContaining(`deeper than ${MAX_DEPTH} levels`) });
  });

  it('is total: never throws, whatever the input', () => {
    for (const junk of [null, 42, 'x', [], { criteria: 'x' }, { criteria: [null, 1, 'a'] }, { criteria: [{ children: {} }] }]) {
      expect(validateFrameworkDocument(junk).ok).toBe(false);
    }
  });
});
