// Counting the year for criteria that declare a feed (issue 17): the share of plan tasks a unit completed on time,
// of periodic reports it sent on time, and of inspection findings it remedied on time. Pure: facts in, a
// numerator, a denominator and a readable trace out, so an appraiser can re-count from the same list.
import type { FeedSource } from '../../db/schema.js';

export interface TaskFact {
  planCode: string;
  code: string;
  title: string;
  leadUnitCode: string;
  /** Ascending; the last is the deadline. */
  dueDates: string[];
  /** The lead unit's progress, if any. */
  status?: 'done' | 'in_progress' | 'not_started' | undefined;
  completedOn?: string | null | undefined;
}

export interface ReportFact {
  label: string;
  year: number;
  unitCodes: string[];
  dueDate: string;
  /** Per unit: an extension's due date replaces the period's. */
  extensions: ReadonlyMap<string, string>;
  /** Per unit: the day (in Vietnam) the report was sent. */
  submittedOn: ReadonlyMap<string, string>;
}

export interface FindingFact {
  inspectionDate: string;
  year: number;
  unitCode: string;
  code: string;
  dueDate: string;
  remediedOn: string | null;
}

export interface FeedCount {
  source: FeedSource;
  numerator: number;
  denominator: number;
  trace: string[];
}

const inYear = (date: string, year: number) => date.startsWith(`${year}-`);

/** Tasks the unit leads whose deadline falls in the year; on time = done on or before the deadline. */
export function countPlanTasks(unitCode: string, year: number, tasks: readonly TaskFact[]): FeedCount {
  const trace: string[] = [];
  let n = 0;
  let d = 0;
  for (const t of tasks) {
    if (t.leadUnitCode !== unitCode) continue;
    const deadline = t.dueDates[t.dueDates.length - 1];
    if (!deadline || !inYear(deadline, year)) continue;
    d++;
    const onTime = t.status === 'done' && !!t.completedOn && t.completedOn <= deadline;
    if (onTime) n++;
    const state =
      t.status === 'done' && t.completedOn
        ? `done ${t.completedOn}${onTime ? ' → on time' : ' → late'}`
        : `${t.status ?? 'not_started'} → not completed`;
    trace.push(`plan ${t.planCode} task ${t.code} (due ${deadline}): ${state}`);
  }
  trace.push(`plan tasks led by ${unitCode} due in ${year}: ${n} of ${d} completed on time`);
  return { source: 'plan_tasks_on_time', numerator: n, denominator: d, trace };
}

/** The year's periods that list the unit; on time = sent by the (possibly extended) due date. */
export function countReports(unitCode: string, year: number, periods: readonly ReportFact[]): FeedCount {
  const trace: string[] = [];
  let n = 0;
  let d = 0;
  for (const p of periods) {
    if (p.year !== year || !p.unitCodes.includes(unitCode)) continue;
    d++;
    const due = p.extensions.get(unitCode) ?? p.dueDate;
    const sent = p.submittedOn.get(unitCode);
    const onTime = sent !== undefined && sent <= due;
    if (onTime) n++;
    const ext = p.extensions.has(unitCode) ? ` (extended from ${p.dueDate})` : '';
    trace.push(`report ${p.label} (due ${due}${ext}): ${sent === undefined ? 'missing' : `sent ${sent} → ${onTime ? 'on time' : 'late'}`}`);
  }
  trace.push(`reports owed by ${unitCode} in ${year}: ${n} of ${d} sent on time`);
  return { source: 'reports_on_time', numerator: n, denominator: d, trace };
}

/** The unit's findings from the year's inspections; on time = remedied by the finding's due date. */
export function countFindings(unitCode: string, year: number, findings: readonly FindingFact[]): FeedCount {
  const trace: string[] = [];
  let n = 0;
  let d = 0;
  for (const f of findings) {
    if (f.unitCode !== unitCode || f.year !== year) continue;
    d++;
    const onTime = f.remediedOn !== null && f.remediedOn <= f.dueDate;
    if (onTime) n++;
    trace.push(`inspection ${f.inspectionDate} finding ${f.code} (due ${f.dueDate}): ${f.remediedOn === null ? 'open' : `remedied ${f.remediedOn} → ${onTime ? 'on time' : 'late'}`}`);
  }
  trace.push(`inspection findings of ${unitCode} in ${year}: ${n} of ${d} remedied on time`);
  return { source: 'findings_remedied', numerator: n, denominator: d, trace };
}

/** Status of one item for lists and boards: green, amber, red. */
export function taskStatus(t: Pick<TaskFact, 'dueDates' | 'status' | 'completedOn'>, today: string): 'on_time' | 'late' | 'overdue' | 'pending' {
  const deadline = t.dueDates[t.dueDates.length - 1];
  if (t.status === 'done' && t.completedOn) return deadline && t.completedOn > deadline ? 'late' : 'on_time';
  return deadline && today > deadline ? 'overdue' : 'pending';
}

export function reportStatus(due: string, sent: string | undefined, today: string): 'on_time' | 'late' | 'missing' | 'pending' {
  if (sent !== undefined) return sent <= due ? 'on_time' : 'late';
  return today > due ? 'missing' : 'pending';
}

export function findingStatus(f: Pick<FindingFact, 'dueDate' | 'remediedOn'>, today: string): 'remedied' | 'late' | 'open' {
  if (f.remediedOn !== null) return f.remediedOn <= f.dueDate ? 'remedied' : 'late';
  return today > f.dueDate ? 'late' : 'open';
}
