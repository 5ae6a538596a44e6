// Vietnamese names of the domain's codes: roles, phases, statuses, rules.
import type { Role } from '../db/schema.js';
import { phaseLabels, type Phase } from '../modules/rounds/lifecycle.js';
import type { Rule, Tier } from '../scoring/index.js';
import { fmtPoints } from './format.js';

export { phaseLabels };
export const phaseLabel = (p: string) => phaseLabels[p as Phase] ?? p;

export const roleLabels: Record<Role, string> = {
  admin: 'Quản trị hệ thống',
  coordinator: 'Cơ quan điều phối (Nội vụ)',
  appraiser: 'Thành viên thẩm định',
  unit_editor: 'Cán bộ đầu mối của đơn vị',
  unit_head: 'Thủ trưởng đơn vị',
};

export const itemStatusLabels: Record<string, string> = {
  empty: 'Chưa chấm',
  scored: 'Đã tự chấm',
  not_applicable: 'Không phát sinh',
  appraised: 'Đã thẩm định',
  explanation_requested: 'Yêu cầu giải trình',
  explained: 'Đã giải trình',
  final: 'Đã chốt điểm',
};

export const assessmentStatusLabels: Record<string, string> = { open: 'Đang tự đánh giá', submitted: 'Đã nộp' };

export const sourceLabels: Record<string, string> = {
  self: 'Đơn vị tự chấm',
  survey: 'Tính từ kết quả khảo sát',
  appraisal: 'Hội đồng thẩm định chấm',
};

export const finalSourceLabels: Record<string, string> = {
  final: 'Điểm thẩm định lại',
  appraisal: 'Điểm thẩm định',
  self_confirmed: 'Điểm tự chấm được xác nhận',
  survey: 'Điểm khảo sát',
  self_provisional: 'Điểm tự chấm (tạm tính)',
  none: 'Chưa có điểm',
};

export const historyKindLabels: Record<string, string> = {
  self: 'Tự chấm',
  evidence_added: 'Thêm tài liệu kiểm chứng',
  evidence_removed: 'Gỡ tài liệu kiểm chứng',
  appraisal: 'Thẩm định',
  explanation: 'Giải trình',
  final: 'Thẩm định lại',
  self_confirmed: 'Xác nhận điểm tự chấm',
  council_decision: 'Quyết định của Hội đồng thẩm định',
  objection: 'Kiến nghị của đơn vị',
};

export const areaKindLabels: Record<string, string> = { regular: 'Lĩnh vực', bonus: 'Điểm thưởng', penalty: 'Điểm trừ' };

/**
 * The badge beside a bonus or penalty area's title ("điểm thưởng" / "điểm trừ"), or '' for a regular area and when
 * the title already says it — "9. Điểm thưởng điểm thưởng" read as a stutter (issue 15).
 */
export function areaKindBadge(kind: string | null | undefined, title: string | null | undefined): string {
  if (!kind || kind === 'regular') return '';
  const label = (areaKindLabels[kind] ?? '').toLocaleLowerCase('vi');
  return label && !(title ?? '').normalize('NFC').toLocaleLowerCase('vi').includes(label) ? label : '';
}

export { openReasonLabels } from '../modules/results/results.export.js';

const opText: Record<string, string> = { gte: '≥', gt: '>', lte: '≤', lt: '<' };

function tierText(t: Tier, unit: string): string {
  const op = (['gte', 'gt', 'lte', 'lt'] as const).find((k) => t[k] !== undefined)!;
  return `${opText[op]} ${fmtPoints(t[op]!)}${unit}: ${fmtPoints(t.points)} điểm`;
}

/** One line saying how a rule turns the input into points, for the form's help text. */
export function ruleText(rule: Rule | null | undefined, maxPoints: number): string {
  if (!rule) return '';
  switch (rule.type) {
    case 'manual':
      return `Nhập số điểm từ 0 đến ${fmtPoints(maxPoints)}, là bội số của ${fmtPoints(rule.step ?? 0.25)}.`;
    case 'binary':
      return `Có: ${fmtPoints(maxPoints)} điểm; Không: 0 điểm.`;
    case 'options':
      return rule.options.map((o) => `${o.label}: ${fmtPoints(o.points)} điểm`).join('; ') + '.';
    case 'tiered': {
      const unit = rule.input === 'count' ? '' : '%';
      const subject = rule.input === 'count' ? 'Số lượng' : 'Tỷ lệ';
      return `${subject} ${rule.tiers.map((t) => tierText(t, unit)).join('; ')}; còn lại: ${fmtPoints(rule.otherwise ?? 0)} điểm.`;
    }
    case 'proportional':
      return rule.direction === 'higher'
        ? `Điểm = ${fmtPoints(maxPoints)} × tỷ lệ (%) / 100.`
        : `Điểm = ${fmtPoints(maxPoints)} × (1 − tỷ lệ (%) / 100): tỷ lệ càng thấp điểm càng cao.`;
    case 'survey':
      return `Điểm = ${fmtPoints(maxPoints)} × chỉ số hài lòng từ khảo sát ${rule.surveyCode}.`;
  }
}

/** The input a rule asks for: which form fields the criterion shows. */
export type InputKind = 'points' | 'value' | 'option' | 'percent' | 'ratio' | 'count' | 'none';

export function inputKind(rule: Rule | null | undefined): InputKind {
  if (!rule) return 'none';
  switch (rule.type) {
    case 'manual':
      return 'points';
    case 'binary':
      return 'value';
    case 'options':
      return 'option';
    case 'tiered':
      return rule.input === 'ratio' ? 'ratio' : rule.input;
    case 'proportional':
      return rule.input === 'ratio' ? 'ratio' : 'percent';
    case 'survey':
      return 'none';
  }
}

/** A stored self input in words: "37/40 (92,5%)", "Có", "Ban hành kịp thời". */
export function inputText(rule: Rule | null | undefined, input: Record<string, unknown> | null | undefined): string {
  if (!input) return '–';
  const n = (k: string) => (typeof input[k] === 'number' ? (input[k] as number) : null);
  if (typeof input.option === 'string') {
    const opt = rule?.type === 'options' ? rule.options.find((o) => o.code === input.option) : undefined;
    return opt ? opt.label : String(input.option);
  }
  if (typeof input.value === 'boolean') return input.value ? 'Có' : 'Không';
  if (n('numerator') !== null && n('denominator') !== null) {
    const den = n('denominator')!;
    const pct = den > 0 ? ` (${fmtPoints(Math.round((n('numerator')! / den) * 10_000) / 100)}%)` : '';
    return `${fmtPoints(n('numerator'))}/${fmtPoints(den)}${pct}`;
  }
  if (n('percent') !== null) return `${fmtPoints(n('percent'))}%`;
  if (n('count') !== null) return `${fmtPoints(n('count'))}`;
  if (n('points') !== null) return `${fmtPoints(n('points'))} điểm`;
  return '–';
}

/** The points a council decision may take under a rule: a fixed list, or null for any multiple / any value. */
export function allowedDecisionPoints(rule: Rule | null | undefined, maxPoints: number): number[] | null {
  if (!rule) return null;
  const uniq = (xs: number[]) => [...new Set(xs)].sort((a, b) => b - a);
  switch (rule.type) {
    case 'binary':
      return [maxPoints, 0];
    case 'options':
      return uniq(rule.options.map((o) => o.points));
    case 'tiered':
      return uniq([...rule.tiers.map((t) => t.points), rule.otherwise ?? 0]);
    case 'manual': {
      const step = rule.step ?? 0.25;
      const count = Math.round(maxPoints / step);
      return count <= 40 ? uniq(Array.from({ length: count + 1 }, (_, i) => Math.round(i * step * 100) / 100)) : null;
    }
    default:
      return null;
  }
}
