import { describe, expect, it } from 'vitest';
import { diffFrameworks } from '../../../src/modules/frameworks/frameworks.diff.js';
import type { FrameworkDocument } from '../../../src/modules/frameworks/frameworks.document.js';
import { validateFrameworkDocument } from '../../../src/modules/frameworks/frameworks.validate.js';
import { at, sampleDoc, type Doc } from '../../helpers/frameworks.js';

const valid = (d: Doc): FrameworkDocument => {
  const r = validateFrameworkDocument(d);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.document;
};

describe('diffFrameworks', () => {
  it('an identical framework has no changes', () => {
    const d = valid(sampleDoc());
    expect(diffFrameworks(d, d)).toMatchObject({ settings: [], added: [], removed: [], changed: [], summary: { unchanged: 12 } });
  });

  it('lists added, removed and changed criteria and settings (hand-checked)', () => {
    const next = sampleDoc('XA-2026');
    next.year = 2026;
    next.bonusCap = 2;
    at(next, '1').children = at(next, '1').children.filter((c: Doc) => c.code !== '1.3'); // removed 1.3 (2 points)
    at(next, '1').children.push({ code: '1.4', title: 'Tuyên truyền CCHC', maxPoints: 1, source: 'self', rule: { type: 'binary' } });
    at(next, '1').maxPoints = 4;
    at(next, '1.2').rule.tiers[0].gt = 95; // rule changed
    at(next, '2.1').maxPoints = 5; // max changed (and its area's)
    at(next, '2').maxPoints = 5;
    const diff = diffFrameworks(valid(sampleDoc()), valid(next));
    expect(diff.settings).toEqual([
      { field: 'year', from: 2025, to: 2026 },
      { field: 'bonusCap', from: 1, to: 2 },
    ]);
    expect(diff.added).toEqual([{ code: '1.4', title: 'Tuyên truyền CCHC', maxPoints: 1, leaf: true }]);
    expect(diff.removed).toEqual([{ code: '1.3', title: 'Tỷ lệ hồ sơ giải quyết trễ hạn', maxPoints: 2, leaf: true }]);
    expect(diff.changed.map((c) => [c.code, c.changes.map((ch) => ch.field)])).toEqual([
      ['1', ['maxPoints']],
      ['1.2', ['rule']],
      ['2', ['maxPoints']],
      ['2.1', ['maxPoints']],
    ]);
    expect(diff.changed.find((c) => c.code === '2.1')!.changes[0]).toEqual({ field: 'maxPoints', from: 4, to: 5 });
    expect(diff.summary).toEqual({ added: 1, removed: 1, changed: 4, unchanged: 7 });
  });

  it('notes a leaf that became a node', () => {
    const next = sampleDoc();
    const leaf = at(next, '2.1');
    leaf.children = [{ code: '2.1.1', title: 'Mức độ 4', maxPoints: 4, source: 'self', rule: { type: 'binary' } }];
    delete leaf.rule;
    delete leaf.source;
    const change = diffFrameworks(valid(sampleDoc()), valid(next)).changed.find((c) => c.code === '2.1')!;
    expect(change.changes.map((c) => c.field)).toEqual(['source', 'naAllowed', 'rule', 'evidence', 'leaf']);
    expect(change.changes.at(-1)).toEqual({ field: 'leaf', from: true, to: false });
  });
});
