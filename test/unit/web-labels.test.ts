import { describe, expect, it } from 'vitest';
import { areaKindBadge } from '../../src/web/labels.js';

describe('area kind badge (issue 15: "Điểm thưởng điểm thưởng")', () => {
  it('is omitted when the title already says it, in any case or Unicode form', () => {
    expect(areaKindBadge('bonus', 'Điểm thưởng')).toBe('');
    expect(areaKindBadge('bonus', 'ĐIỂM THƯỞNG')).toBe('');
    expect(areaKindBadge('penalty', 'Điểm trừ'.normalize('NFD'))).toBe('');
  });
  it('is shown for a bonus or penalty area whose title does not say it, never for a regular one', () => {
    expect(areaKindBadge('bonus', 'Sáng kiến, giải pháp mới')).toBe('điểm thưởng');
    expect(areaKindBadge('penalty', 'Vi phạm kỷ luật')).toBe('điểm trừ');
    expect(areaKindBadge('regular', 'Cải cách thể chế')).toBe('');
    expect(areaKindBadge(undefined, 'x')).toBe('');
  });
});
