import { describe, expect, it } from 'vitest';
import { demoFrameworks } from '../../../src/demo/seed.js';
import { leavesOf, ruleTypes, summarise, walkCriteria } from '../../../src/modules/frameworks/frameworks.document.js';
import { validateFrameworkDocument } from '../../../src/modules/frameworks/frameworks.validate.js';

describe.each(['PB-2025', 'XA-2025'])('demo framework %s', (code) => {
  const raw = demoFrameworks.find((d) => (d as { code: string }).code === code);
  const r = validateFrameworkDocument(raw);
  const doc = r.ok ? r.document : null;

  it('passes validation', () => {
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('has 25–40 leaves, every rule type, and 100 points over the 8 reform areas', () => {
    const { totals, areas } = summarise(doc!);
    expect(totals.leafCount).toBeGreaterThanOrEqual(25);
    expect(totals.leafCount).toBeLessThanOrEqual(40);
    for (const type of ruleTypes) expect(totals.leavesByRuleType[type], type).toBeGreaterThan(0);
    expect(areas.filter((a) => a.kind === 'regular')).toHaveLength(8);
    expect(totals.maxPoints).toBe(100);
  });

  it('scores one area from its survey, with question or dimension codes', () => {
    const surveyAreas = doc!.criteria.filter((a) => leavesOf({ criteria: [a] }).every((l) => l.node.rule?.type === 'survey'));
    expect(surveyAreas).toHaveLength(1);
    const rules = leavesOf({ criteria: surveyAreas }).map((l) => l.node.rule);
    for (const rule of rules) expect(rule).toMatchObject({ type: 'survey', surveyCode: `SIPAS-${code}` });
  });

  it('has capped bonus and penalty areas and the five bands', () => {
    expect(doc!.criteria.filter((a) => a.kind === 'bonus')).toHaveLength(1);
    expect(doc!.criteria.filter((a) => a.kind === 'penalty')).toHaveLength(1);
    const { totals } = summarise(doc!);
    expect(doc!.bonusCap).toBeLessThan(totals.bonusMaxPoints);
    expect(doc!.penaltyCap).toBeLessThan(totals.penaltyMaxPoints);
    expect(doc!.bands.map((b) => [b.label, b.minIndex])).toEqual([['Xuất sắc', 90], ['Tốt', 80], ['Khá', 70], ['Trung bình', 50], ['Yếu', 0]]);
  });

  it('uses the real rule patterns: plan issued on time, late dossiers lower-is-better, online dossiers proportional', () => {
    const nodes = [...walkCriteria(doc!.criteria)].map((v) => v.node);
    const plan = nodes.find((n) => /^Ban hành Kế hoạch cải cách hành chính năm/.test(n.title));
    expect(plan?.rule).toMatchObject({ type: 'options', options: [{ code: 'ON_TIME' }, { code: 'LATE' }, { code: 'NONE' }] });
    const late = nodes.find((n) => /trễ hạn$/.test(n.title))!.rule!;
    const lowerIsBetter =
      late.type === 'proportional' ? late.direction === 'lower' : late.type === 'tiered' && late.tiers.every((t) => t.lt !== undefined || t.lte !== undefined);
    expect(lowerIsBetter).toBe(true);
    const online = nodes.find((n) => /trực tuyến$/.test(n.title));
    expect(online?.rule).toMatchObject({ type: 'proportional', direction: 'higher' });
  });
});
