// Round lifecycle (SPEC §7) as pure functions: phase order, the next phase, and whether a unit is still inside
// a phase's deadline (the last day, inclusive, in Asia/Ho_Chi_Minh), taking a per-unit extension into account.

export const phases = ['draft', 'self_assessment', 'appraisal', 'explanation', 'final_appraisal', 'council_review', 'published'] as const;
export type Phase = (typeof phases)[number];

/** Phases that have a deadline in the schedule. */
export const scheduledPhases = ['self_assessment', 'appraisal', 'explanation', 'final_appraisal', 'council_review'] as const;
export type ScheduledPhase = (typeof scheduledPhases)[number];

export const phaseLabels: Record<Phase, string> = {
  draft: 'Dự thảo',
  self_assessment: 'Tự đánh giá',
  appraisal: 'Thẩm định',
  explanation: 'Giải trình',
  final_appraisal: 'Thẩm định lại',
  council_review: 'Hội đồng xem xét',
  published: 'Đã công bố',
};

export const phaseIndex = (p: Phase) => phases.indexOf(p);

export function nextPhase(p: Phase): Phase | null {
  return phases[phaseIndex(p) + 1] ?? null;
}

/** YYYY-MM-DD of an instant in Vietnam. */
export { vnDate as vietnamDay } from '../../lib/http.js';
import { vnDate as vietnamDay } from '../../lib/http.js';

/** The unit's effective deadline for a phase: its extension when later than the round's, else the round's. */
export function effectiveDeadline(roundDeadline: string | undefined, extensionUntil: string | undefined): string | undefined {
  if (!roundDeadline) return extensionUntil;
  if (!extensionUntil) return roundDeadline;
  return extensionUntil > roundDeadline ? extensionUntil : roundDeadline;
}

/** True while the phase is still open for the unit: today (Vietnam) is on or before the effective deadline. */
export function withinDeadline(now: Date, roundDeadline: string | undefined, extensionUntil?: string): boolean {
  const deadline = effectiveDeadline(roundDeadline, extensionUntil);
  return deadline === undefined || vietnamDay(now) <= deadline;
}

/** Whole days from today (Vietnam) to the deadline: 0 on the last day, negative when late. */
export function daysLeft(now: Date, deadline: string): number {
  const today = Date.parse(`${vietnamDay(now)}T00:00:00Z`);
  return Math.round((Date.parse(`${deadline}T00:00:00Z`) - today) / 86_400_000);
}

/** Schedule dates must follow the phase order. Returns one message per offending phase. */
export function scheduleProblems(schedule: Partial<Record<ScheduledPhase, string>>): { phase: ScheduledPhase; message: string }[] {
  const out: { phase: ScheduledPhase; message: string }[] = [];
  let prev: { phase: ScheduledPhase; date: string } | null = null;
  for (const phase of scheduledPhases) {
    const date = schedule[phase];
    if (!date) continue;
    if (prev && date < prev.date) out.push({ phase, message: `must not be before the ${prev.phase} deadline (${prev.date})` });
    prev = { phase, date };
  }
  return out;
}
