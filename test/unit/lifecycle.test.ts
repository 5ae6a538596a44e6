import { describe, expect, it } from 'vitest';
import { daysLeft, effectiveDeadline, nextPhase, scheduleProblems, vietnamDay, withinDeadline } from '../../src/modules/rounds/lifecycle.js';

describe('round lifecycle', () => {
  it('moves forward one phase at a time and ends at published', () => {
    expect(nextPhase('draft')).toBe('self_assessment');
    expect(nextPhase('self_assessment')).toBe('appraisal');
    expect(nextPhase('council_review')).toBe('published');
    expect(nextPhase('published')).toBeNull();
  });

  it('reads deadlines as the last day in Vietnam (UTC+7), inclusive', () => {
    // 2025-11-03 16:59:59Z is 23:59:59 on 3 Nov in Hà Nội: still the deadline day.
    expect(vietnamDay(new Date('2025-11-03T16:59:59Z'))).toBe('2025-11-03');
    expect(withinDeadline(new Date('2025-11-03T16:59:59Z'), '2025-11-03')).toBe(true);
    // One second later it is 4 Nov in Vietnam although still 3 Nov in UTC.
    expect(vietnamDay(new Date('2025-11-03T17:00:00Z'))).toBe('2025-11-04');
    expect(withinDeadline(new Date('2025-11-03T17:00:00Z'), '2025-11-03')).toBe(false);
  });

  it('an extension only ever moves a deadline later', () => {
    expect(effectiveDeadline('2025-11-03', '2025-11-07')).toBe('2025-11-07');
    expect(effectiveDeadline('2025-11-03', '2025-11-01')).toBe('2025-11-03');
    expect(withinDeadline(new Date('2025-11-05T03:00:00Z'), '2025-11-03', '2025-11-07')).toBe(true);
    expect(withinDeadline(new Date('2025-11-08T03:00:00Z'), '2025-11-03', '2025-11-07')).toBe(false);
  });

  it('counts days left in Vietnamese days', () => {
    expect(daysLeft(new Date('2025-11-01T18:00:00Z'), '2025-11-03')).toBe(1); // already 2 Nov in Vietnam
    expect(daysLeft(new Date('2025-11-03T10:00:00Z'), '2025-11-03')).toBe(0);
    expect(daysLeft(new Date('2025-11-05T10:00:00Z'), '2025-11-03')).toBe(-2);
  });

  it('requires schedule dates in phase order', () => {
    expect(scheduleProblems({ self_assessment: '2025-11-03', appraisal: '2025-11-29', explanation: '2025-12-05' })).toEqual([]);
    expect(scheduleProblems({ self_assessment: '2025-11-30', appraisal: '2025-11-29' })).toEqual([
      { phase: 'appraisal', message: 'must not be before the self_assessment deadline (2025-11-30)' },
    ]);
  });
});
