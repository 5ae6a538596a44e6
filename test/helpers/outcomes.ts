// A unit's computed outcome on the one-area test framework (max 7 points), for tests that freeze publications
// straight from results without driving a round.
import type { UnitOutcome } from '../../src/modules/results/results.service.js';

export function unitOutcome(code: string, name: string, rank: number, total: number, index: number, band: string, bandLabel: string): UnitOutcome {
  return {
    unitCode: code,
    unitName: name,
    total,
    max: 7,
    index,
    band,
    bandLabel,
    rank,
    selfTotal: total,
    selfIndex: index,
    gap: 0,
    areas: [{ code: '1', title: 'Công tác chỉ đạo, điều hành CCHC', kind: 'regular', points: total, max: 7, index, selfPoints: total }],
    openItems: 0,
    items: [],
    trace: [`${code}: ${total} / 7`],
  };
}
