import { describe, expect, it } from 'vitest';
import { countFindings, countPlanTasks, countReports, findingStatus, reportStatus, taskStatus, type TaskFact } from '../../../src/modules/plans/feeds.js';

// Hand-counted: P1 leads tasks 1–4 (and supports 5, led by PNV); task 4 is due next year.
const tasks: TaskFact[] = [
  { planCode: 'KH', code: '1', title: 'a', leadUnitCode: 'P1', dueDates: ['2025-03-31'], status: 'done', completedOn: '2025-03-31' }, // on the day: on time
  { planCode: 'KH', code: '2', title: 'b', leadUnitCode: 'P1', dueDates: ['2025-03-31', '2025-06-30'], status: 'done', completedOn: '2025-07-02' }, // late
  { planCode: 'KH', code: '3', title: 'c', leadUnitCode: 'P1', dueDates: ['2025-12-31'], status: 'in_progress' }, // not completed
  { planCode: 'KH', code: '4', title: 'd', leadUnitCode: 'P1', dueDates: ['2026-03-31'], status: 'done', completedOn: '2025-11-01' }, // due next year: not counted
  { planCode: 'KH', code: '5', title: 'e', leadUnitCode: 'PNV', dueDates: ['2025-06-30'], status: 'done', completedOn: '2025-06-01' }, // P1 only supports
  { planCode: 'KH', code: '6', title: 'f', leadUnitCode: 'P1', dueDates: [] }, // no readable deadline: not counted
];

describe('countPlanTasks', () => {
  it('counts only tasks the unit leads that are due in the year: 1 of 3 on time', () => {
    const c = countPlanTasks('P1', 2025, tasks);
    expect({ n: c.numerator, d: c.denominator }).toEqual({ n: 1, d: 3 });
    expect(c.trace).toEqual([
      'plan KH task 1 (due 2025-03-31): done 2025-03-31 → on time',
      'plan KH task 2 (due 2025-06-30): done 2025-07-02 → late',
      'plan KH task 3 (due 2025-12-31): in_progress → not completed',
      'plan tasks led by P1 due in 2025: 1 of 3 completed on time',
    ]);
  });
  it('the supporting unit gets nothing for a task it supports; the lead gets it', () => {
    expect(countPlanTasks('PNV', 2025, tasks)).toMatchObject({ numerator: 1, denominator: 1 });
    expect(countPlanTasks('P2', 2025, tasks)).toMatchObject({ numerator: 0, denominator: 0 });
  });
});

describe('countReports', () => {
  const q = (label: string, dueDate: string, sent: Record<string, string>, ext: Record<string, string> = {}) => ({
    label, year: 2025, unitCodes: ['P1', 'P2'], dueDate, extensions: new Map(Object.entries(ext)), submittedOn: new Map(Object.entries(sent)),
  });
  const periods = [
    q('Quý I', '2025-03-05', { P1: '2025-03-05', P2: '2025-03-06' }), // P1 on the day; P2 late
    q('Quý II', '2025-06-05', { P1: '2025-06-09' }, { P1: '2025-06-10' }), // P1 late by the original date but within its extension
    q('6 tháng', '2025-06-20', {}), // both missing
    { ...q('Năm 2024', '2024-12-05', { P1: '2024-12-01' }), year: 2024 }, // another year
  ];
  it('P1: Q1 on time, Q2 on time by its extension, 6 months missing → 2 of 3', () => {
    const c = countReports('P1', 2025, periods);
    expect({ n: c.numerator, d: c.denominator }).toEqual({ n: 2, d: 3 });
    expect(c.trace).toContain('report Quý II (due 2025-06-10 (extended from 2025-06-05)): sent 2025-06-09 → on time');
    expect(c.trace).toContain('report 6 tháng (due 2025-06-20): missing');
  });
  it('P2: late and missing count nothing → 0 of 3', () => {
    expect(countReports('P2', 2025, periods)).toMatchObject({ numerator: 0, denominator: 3 });
  });
});

describe('countFindings', () => {
  const f = (code: string, dueDate: string, remediedOn: string | null, unitCode = 'P1', year = 2025) => ({ inspectionDate: '2025-05-10', year, unitCode, code, dueDate, remediedOn });
  it('remedied by the due date counts; late or open does not → 1 of 3', () => {
    const c = countFindings('P1', 2025, [f('1', '2025-07-01', '2025-06-30'), f('2', '2025-07-01', '2025-07-15'), f('3', '2025-09-01', null), f('4', '2025-07-01', '2025-06-01', 'P2'), f('5', '2024-07-01', '2024-06-01', 'P1', 2024)]);
    expect({ n: c.numerator, d: c.denominator }).toEqual({ n: 1, d: 3 });
  });
});

describe('statuses for boards', () => {
  it('tasks, reports and findings', () => {
    expect(taskStatus({ dueDates: ['2025-06-30'], status: 'done', completedOn: '2025-06-30' }, '2025-12-01')).toBe('on_time');
    expect(taskStatus({ dueDates: ['2025-06-30'], status: 'done', completedOn: '2025-07-01' }, '2025-12-01')).toBe('late');
    expect(taskStatus({ dueDates: ['2025-06-30'], status: 'in_progress' }, '2025-07-01')).toBe('overdue');
    expect(taskStatus({ dueDates: ['2025-06-30'], status: 'in_progress' }, '2025-06-30')).toBe('pending');
    expect(reportStatus('2025-03-05', undefined, '2025-03-06')).toBe('missing');
    expect(reportStatus('2025-03-05', '2025-03-06', '2025-03-06')).toBe('late');
    expect(findingStatus({ dueDate: '2025-07-01', remediedOn: null }, '2025-06-01')).toBe('open');
    expect(findingStatus({ dueDate: '2025-07-01', remediedOn: null }, '2025-07-02')).toBe('late');
  });
});
