import { describe, expect, it } from 'vitest';
import { daysLeftText, fmtDate, fmtDateTime, fmtIndex, fmtInt, fmtPoints, parseDate, parseDecimal } from '../../../src/web/format.js';
import { escapeHtml, html, jsonData, raw, safeUrl } from '../../../src/web/html.js';
import { allowedDecisionPoints, inputText, ruleText } from '../../../src/web/labels.js';
import { fieldMessage } from '../../../src/web/messages.js';

describe('Vietnamese number and date formats', () => {
  it('writes indices with two decimals and a decimal comma', () => {
    expect(fmtIndex(85.25)).toBe('85,25');
    expect(fmtIndex(90)).toBe('90,00');
    expect(fmtIndex(100)).toBe('100,00');
    expect(fmtIndex(null)).toBe('–');
  });

  it('writes points without trailing zeros', () => {
    expect(fmtPoints(0.75)).toBe('0,75');
    expect(fmtPoints(1)).toBe('1');
    expect(fmtPoints(0.5)).toBe('0,5');
    expect(fmtPoints(1234.5)).toBe('1.234,5');
    expect(fmtPoints(undefined)).toBe('–');
    expect(fmtInt(12345)).toBe('12.345');
  });

  it('writes dates as dd/mm/yyyy, instants in Vietnam time', () => {
    expect(fmtDate('2025-11-03')).toBe('03/11/2025');
    // 17:30 UTC on 31 Dec is already 1 January in Vietnam (UTC+7).
    expect(fmtDate('2025-12-31T17:30:00Z')).toBe('01/01/2026');
    expect(fmtDateTime('2025-12-31T17:30:00Z')).toBe('01/01/2026 00:30');
    expect(fmtDateTime(new Date('2025-06-15T02:05:00Z'))).toBe('15/06/2025 09:05');
    expect(fmtDate(null)).toBe('–');
  });

  it('reads dates typed as dd/mm/yyyy (or ISO) and refuses impossible ones', () => {
    expect(parseDate('15/01/2025')).toBe('2025-01-15');
    expect(parseDate('5/1/2025')).toBe('2025-01-05');
    expect(parseDate('2025-01-15')).toBe('2025-01-15');
    expect(parseDate('31/02/2025')).toBeNull();
    expect(parseDate('15-01-2025')).toBeNull();
    expect(parseDate('')).toBeNull();
  });

  it('reads numbers with a comma or a dot; garbage is NaN so the rule can report it', () => {
    expect(parseDecimal('92,5')).toBe(92.5);
    expect(parseDecimal(' 92.5 ')).toBe(92.5);
    expect(parseDecimal('40')).toBe(40);
    expect(parseDecimal('-1')).toBe(-1);
    expect(parseDecimal('')).toBeUndefined();
    expect(parseDecimal(undefined)).toBeUndefined();
    expect(parseDecimal('1.234,5')).toBeNaN();
    expect(parseDecimal('abc')).toBeNaN();
  });

  it('says how many days are left', () => {
    expect(daysLeftText(5)).toBe('còn 5 ngày');
    expect(daysLeftText(0)).toBe('hôm nay là hạn cuối');
    expect(daysLeftText(-2)).toBe('quá hạn 2 ngày');
  });
});

describe('HTML templates escape by default', () => {
  it('escapes interpolated text and attributes', () => {
    const name = `<script>alert("x")</script>&'`;
    expect(html`<p title="${name}">${name}</p>`.toString()).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>');
    expect(escapeHtml('`')).toBe('&#96;');
  });

  it('nests templates and lists without double escaping; drops null, undefined and booleans', () => {
    const items = ['a<b', 'c'];
    expect(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>${null}${undefined}${false}`.toString()).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    expect(html`${raw('<br>')}`.toString()).toBe('<br>');
  });

  it('embeds JSON data that cannot close its script element', () => {
    const out = jsonData('d', { name: '</script><script>alert(1)</script>' }).toString();
    expect(out).not.toContain('</script><script>');
    expect(JSON.parse(out.replace(/^<script[^>]*>/, '').replace(/<\/script>$/, '')).name).toBe('</script><script>alert(1)</script>');
  });

  it('lets only http(s) and local URLs into links', () => {
    expect(safeUrl('https://example.vn/a')).toBe('https://example.vn/a');
    expect(safeUrl('/cong-khai')).toBe('/cong-khai');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('//evil.example')).toBeNull();
  });
});

describe('rules in words', () => {
  it('describes each rule type in Vietnamese', () => {
    expect(ruleText({ type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 }, 2)).toBe('Tỷ lệ > 90%: 2 điểm; ≥ 70%: 1 điểm; còn lại: 0 điểm.');
    expect(ruleText({ type: 'manual', step: 0.25 }, 1)).toBe('Nhập số điểm từ 0 đến 1, là bội số của 0,25.');
    expect(ruleText({ type: 'binary' }, 1.5)).toBe('Có: 1,5 điểm; Không: 0 điểm.');
    expect(ruleText({ type: 'proportional', input: 'ratio', direction: 'lower' }, 2)).toContain('1 − tỷ lệ');
  });

  it('shows a stored input as the unit typed it', () => {
    expect(inputText({ type: 'proportional', input: 'ratio', direction: 'higher' }, { numerator: 37, denominator: 40 })).toBe('37/40 (92,5%)');
    expect(inputText({ type: 'options', options: [{ code: 'LATE', label: 'Không kịp thời', points: 0.5 }] }, { option: 'LATE' })).toBe('Không kịp thời');
    expect(inputText({ type: 'binary' }, { value: false })).toBe('Không');
    expect(inputText(null, null)).toBe('–');
  });

  it('lists the points a council decision may take', () => {
    expect(allowedDecisionPoints({ type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }] }, 2)).toEqual([2, 1, 0]);
    expect(allowedDecisionPoints({ type: 'manual', step: 0.5 }, 2)).toEqual([2, 1.5, 1, 0.5, 0]);
    expect(allowedDecisionPoints({ type: 'proportional', input: 'percent', direction: 'higher' }, 3)).toBeNull();
  });

  it('turns field errors into Vietnamese by code', () => {
    expect(fieldMessage({ field: 'body.input.percent', code: 'out_of_range', message: 'x' })).toBe('Tỷ lệ phải nằm trong khoảng từ 0 đến 100.');
    expect(fieldMessage({ field: 'body.points', code: 'invalid_points', message: 'criterion 1.2: must be one of the tiers’ points: 2, 1, 0' })).toBe('Số điểm phải là một trong các mức: 2; 1; 0.');
    expect(fieldMessage({ field: 'body.points', code: 'invalid_points', message: 'criterion 1.2: must be between 0 and 1.5' })).toBe('Số điểm phải từ 0 đến 1,5.');
    expect(fieldMessage({ field: 'body.comment', code: 'required', message: 'is required when the points (1) differ from the self-assessed 2' })).toBe('Cần ghi nhận xét khi điểm thẩm định khác điểm tự chấm.');
  });
});
