import { describe, expect, it } from 'vitest';
import { parseTimeframe } from '../../../src/modules/plans/timeframe.js';

// Expected dates worked out by hand from the issue's rules and the seeds' appendix wording.
describe('parseTimeframe', () => {
  it.each([
    ['Tháng 12/2022', ['2022-12-31']],
    ['chậm nhất ngày 10/12/2022', ['2022-12-10']],
    ['Hàng quý', ['2022-03-31', '2022-06-30', '2022-09-30', '2022-12-31']],
    ['Quý II/2022', ['2022-06-30']],
    ['Quý 4/2022', ['2022-12-31']],
    ['Quý I năm 2022', ['2022-03-31']],
    ['Trong năm 2022', ['2022-12-31']],
    ['Thường xuyên', ['2022-12-31']],
    ['Hàng quý và năm 2022', ['2022-03-31', '2022-06-30', '2022-09-30', '2022-12-31']],
    ['Quý IV/2023', ['2023-12-31']], // a task of next year's plan prepared this year keeps its own year
    ['tháng 01/2023', ['2023-01-31']],
    ['Tháng 2/2024', ['2024-02-29']], // leap year
    ['6 tháng đầu năm', ['2022-06-30']],
    ['Quý I năm 2022 - Quý IV/2022; - Quý II/2022; tháng 01/2023', ['2022-03-31', '2022-06-30', '2022-12-31', '2023-01-31']],
    ['  QUÝ  iii /2022 ', ['2022-09-30']],
  ])('%s → %j', (text, expected) => {
    expect(parseTimeframe(text, 2022).dueDates).toEqual(expected);
  });

  it('reads NFD-encoded Vietnamese (as pasted from some PDFs) like NFC', () => {
    expect(parseTimeframe('Quý II/2022'.normalize('NFD'), 2022).dueDates).toEqual(['2022-06-30']);
  });

  it.each(['Theo Kế hoạch', 'Khi có yêu cầu', '', '31/02/2022'])('gives no date for %j (the import reports the line)', (text) => {
    expect(parseTimeframe(text, 2022).dueDates).toEqual([]);
  });
});
