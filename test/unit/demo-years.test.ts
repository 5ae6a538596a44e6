// The demo's frameworks and questionnaires per year (src/demo/years.ts): each year's copy is valid, carries that
// year in its code, year and name, scores from that year's questionnaire, and is worded for the province.
import { describe, expect, it } from 'vitest';
import { demoFrameworksFor, demoSurveysFor } from '../../src/demo/years.js';
import { leavesOf } from '../../src/modules/frameworks/frameworks.document.js';
import { validateFrameworkDocument } from '../../src/modules/frameworks/frameworks.validate.js';

describe.each([2024, 2026])('demo criteria sets for %i', (year) => {
  const fws = demoFrameworksFor(year);
  const surveys = demoSurveysFor(year);

  it.each(['pb', 'xa'] as const)('%s: valid, of that year, on that year\'s questionnaire', (k) => {
    const r = validateFrameworkDocument(fws[k]);
    expect(r.ok ? [] : r.errors).toEqual([]);
    const doc = r.ok ? r.document : null;
    expect(doc!.code).toBe(`${k.toUpperCase()}-${year}`);
    expect(doc!.year).toBe(year);
    expect(doc!.name).toContain(`năm ${year}`);
    expect(doc!.name).not.toContain('thành phố');
    const codes = new Set(leavesOf(doc!).flatMap((l) => (l.node.rule?.type === 'survey' ? [l.node.rule.surveyCode] : [])));
    expect([...codes]).toEqual([`SIPAS-${k.toUpperCase()}-${year}`]);
    expect(surveys[k]).toMatchObject({ code: `SIPAS-${k.toUpperCase()}-${year}`, year });
  });
});
