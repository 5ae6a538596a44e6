// Pieces shared by the unit, appraiser and coordinator pages: the self-input fields of a criterion by rule type,
// parsing them back, evidence lists, points preview.
import type { AssessmentsService } from '../../modules/assessments/assessments.service.js';
import { evaluateLeaf, ScoringInputError, type LeafInput, type Rule } from '../../scoring/index.js';
import { fmtDate, fmtDateTime, fmtPoints, parseDecimal } from '../format.js';
import { attr, html, safeUrl, type Html, type Slot } from '../html.js';
import { field } from '../kit.js';
import { inputKind, phaseLabel } from '../labels.js';
import { fieldMessage } from '../messages.js';

export type AssessmentView = Awaited<ReturnType<AssessmentsService['get']>>;
export type ItemView = AssessmentView['items'][number];
export type ItemDetail = Awaited<ReturnType<AssessmentsService['getItem']>>;
export type EvidenceView = ItemView['evidence'][number];

export interface SelfForm {
  input: LeafInput | null;
  notApplicable: boolean;
  note: string | null;
}

/** The form fields of a self input, as the user typed them (to show back after an error). */
export type FormValues = Record<string, string>;

/** Reads a criterion's self-assessment form: the input its rule asks for, the N/A claim and the note. */
export function parseSelfForm(rule: Rule | null, body: unknown): SelfForm {
  const notApplicable = field(body, 'khong_phat_sinh') === '1';
  const noteRaw = field(body, 'note');
  const note = noteRaw === undefined ? null : noteRaw.trim() === '' ? null : noteRaw.trim();
  const num = (name: string) => parseDecimal(field(body, name));
  let input: LeafInput | null = null;
  switch (inputKind(rule)) {
    case 'points': {
      const v = num('points');
      input = v === undefined ? null : { points: v };
      break;
    }
    case 'value': {
      const v = field(body, 'value');
      input = v === 'co' ? { value: true } : v === 'khong' ? { value: false } : null;
      break;
    }
    case 'option': {
      const v = field(body, 'option');
      input = v ? { option: v } : null;
      break;
    }
    case 'percent': {
      const v = num('percent');
      input = v === undefined ? null : { percent: v };
      break;
    }
    case 'ratio': {
      const n = num('numerator');
      const d = num('denominator');
      input = n === undefined && d === undefined ? null : { ...(n !== undefined ? { numerator: n } : {}), ...(d !== undefined ? { denominator: d } : {}) };
      break;
    }
    case 'count': {
      const v = num('count');
      input = v === undefined ? null : { count: v };
      break;
    }
    case 'none':
      input = null;
  }
  return { input, notApplicable, note };
}

/** The stored input as form values ("92,5" with a decimal comma). */
export function valuesOf(item: Pick<ItemView, 'selfInput' | 'notApplicable' | 'note'>): FormValues {
  const v: FormValues = {};
  const input = (item.selfInput ?? {}) as Record<string, unknown>;
  for (const [k, x] of Object.entries(input)) {
    if (typeof x === 'number') v[k] = String(x).replace('.', ',');
    else if (typeof x === 'boolean') v.value = x ? 'co' : 'khong';
    else if (typeof x === 'string') v[k] = x;
  }
  if (item.notApplicable) v.khong_phat_sinh = '1';
  if (item.note) v.note = item.note;
  return v;
}

/** The raw form fields of a posted self form, to re-render it with what the user typed. */
export function postedValues(body: unknown): FormValues {
  const v: FormValues = {};
  for (const k of ['points', 'value', 'option', 'percent', 'numerator', 'denominator', 'count', 'khong_phat_sinh', 'note']) {
    const x = field(body, k);
    if (x !== undefined) v[k] = x;
  }
  return v;
}

export interface PreviewResult {
  kind: 'ok' | 'na' | 'empty' | 'error';
  text: string;
  points?: number;
  field?: string;
}

/** Points the input earns under the criterion's rule, computed by the scoring engine (no rule in the browser). */
export function previewPoints(item: Pick<ItemView, 'criterionCode' | 'maxPoints' | 'rule' | 'naAllowed'>, form: SelfForm): PreviewResult {
  const max = fmtPoints(item.maxPoints);
  if (form.notApplicable) return { kind: 'na', text: 'Không phát sinh: không tính vào điểm tối đa' };
  if (!form.input || !item.rule) return { kind: 'empty', text: `Chưa nhập · tối đa ${max} điểm` };
  try {
    const r = evaluateLeaf({ code: item.criterionCode, maxPoints: item.maxPoints, rule: item.rule as Rule, naAllowed: item.naAllowed }, form.input);
    if (r.status === 'not_applicable') return { kind: 'na', text: 'Mẫu số bằng 0: không phát sinh' };
    return { kind: 'ok', points: r.points, text: `${fmtPoints(r.points)} / ${max} điểm` };
  } catch (err) {
    if (err instanceof ScoringInputError) {
      const key = err.field.split('.').pop() ?? err.field;
      return { kind: 'error', field: key, text: fieldMessage({ field: err.field, code: err.code, message: err.message }) };
    }
    throw err;
  }
}

const fieldError = (id: string, msg: string | undefined): Slot => (msg ? html`<p class="field-error" id="${id}">${msg}</p>` : null);
const described = (id: string, msg: string | undefined) => (msg ? html` aria-invalid="true" aria-describedby="${id}"` : '');

/** The rule-specific inputs of a self-assessed criterion. `prefix` keeps ids unique on a page with many criteria. */
export function selfInputs(item: Pick<ItemView, 'criterionCode' | 'maxPoints' | 'rule' | 'naAllowed'>, values: FormValues, errors: Record<string, string>, disabled: boolean): Html {
  const rule = item.rule as Rule | null;
  const id = (name: string) => `tc-${item.criterionCode}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const dis = attr('disabled', disabled);
  const kind = inputKind(rule);
  let inputs: Html;
  switch (kind) {
    case 'option': {
      const opts = rule?.type === 'options' ? rule.options : [];
      inputs = html`<fieldset class="choices"><legend>Kết quả thực hiện</legend>
        ${opts.map((o) => html`<label class="choice"><input type="radio" name="option" value="${o.code}"${attr('checked', values.option === o.code)}${dis}> <span>${o.label}</span> <span class="pts">${fmtPoints(o.points)} điểm</span></label>`)}
        ${fieldError(id('option-err'), errors.option)}</fieldset>`;
      break;
    }
    case 'value':
      inputs = html`<fieldset class="choices choices-inline"><legend>Đạt yêu cầu?</legend>
        <label class="choice"><input type="radio" name="value" value="co"${attr('checked', values.value === 'co')}${dis}> <span>Có</span> <span class="pts">${fmtPoints(item.maxPoints)} điểm</span></label>
        <label class="choice"><input type="radio" name="value" value="khong"${attr('checked', values.value === 'khong')}${dis}> <span>Không</span> <span class="pts">0 điểm</span></label>
        ${fieldError(id('value-err'), errors.value)}</fieldset>`;
      break;
    case 'percent':
      inputs = html`<div class="field"><label for="${id('percent')}">Tỷ lệ đạt được (%)</label>
        <div class="with-unit"><input id="${id('percent')}" name="percent" type="text" inputmode="decimal" autocomplete="off" value="${values.percent ?? ''}" placeholder="ví dụ 92,5"${described(id('percent-err'), errors.percent)}${dis}><span>%</span></div>
        ${fieldError(id('percent-err'), errors.percent)}</div>`;
      break;
    case 'ratio':
      inputs = html`<div class="field-row">
        <div class="field"><label for="${id('numerator')}">Số đạt (tử số)</label>
          <input id="${id('numerator')}" name="numerator" type="text" inputmode="numeric" autocomplete="off" value="${values.numerator ?? ''}"${described(id('numerator-err'), errors.numerator)}${dis}>
          ${fieldError(id('numerator-err'), errors.numerator)}</div>
        <div class="field"><label for="${id('denominator')}">Tổng số (mẫu số)</label>
          <input id="${id('denominator')}" name="denominator" type="text" inputmode="numeric" autocomplete="off" value="${values.denominator ?? ''}"${described(id('denominator-err'), errors.denominator)}${dis}>
          ${fieldError(id('denominator-err'), errors.denominator)}</div>
      </div>`;
      break;
    case 'count':
      inputs = html`<div class="field"><label for="${id('count')}">Số lượng</label>
        <input id="${id('count')}" name="count" type="text" inputmode="numeric" autocomplete="off" value="${values.count ?? ''}"${described(id('count-err'), errors.count)}${dis}>
        ${fieldError(id('count-err'), errors.count)}</div>`;
      break;
    case 'points':
      inputs = html`<div class="field"><label for="${id('points')}">Số điểm tự chấm (tối đa ${fmtPoints(item.maxPoints)})</label>
        <input id="${id('points')}" name="points" type="text" inputmode="decimal" autocomplete="off" value="${values.points ?? ''}"${described(id('points-err'), errors.points)}${dis}>
        ${fieldError(id('points-err'), errors.points)}</div>`;
      break;
    case 'none':
      inputs = html``;
  }
  const na = item.naAllowed
    ? html`<label class="check"><input type="checkbox" name="khong_phat_sinh" value="1"${attr('checked', values.khong_phat_sinh === '1')}${dis}> Không phát sinh (không tính tiêu chí này)</label>${fieldError(id('na-err'), errors.notApplicable)}`
    : null;
  return html`${inputs}${na}${fieldError(id('input-err'), errors.input)}`;
}

export function fileSize(bytes: number | null | undefined): string {
  if (!bytes) return '';
  return bytes >= 1024 * 1024 ? `${fmtPoints(Math.round((bytes / 1024 / 1024) * 10) / 10)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export const evidenceHref = (roundId: string, unitCode: string, code: string, evidenceId: string) =>
  `/tai-lieu/${encodeURIComponent(roundId)}/${encodeURIComponent(unitCode)}/${encodeURIComponent(code)}/${encodeURIComponent(evidenceId)}`;

/** The evidence of an item: files to open, official documents by number and date; remove buttons when allowed. */
export function evidenceList(roundId: string, unitCode: string, item: Pick<ItemView, 'criterionCode' | 'evidence'>, removable: { action: (evidenceId: string) => string; csrf: string } | null): Html {
  if (item.evidence.length === 0) return html`<p class="muted">Chưa có tài liệu kiểm chứng.</p>`;
  return html`<ul class="evidence">${item.evidence.map((e) => {
    const what =
      e.kind === 'file'
        ? html`<a href="${evidenceHref(roundId, unitCode, item.criterionCode, e.id)}">${e.filename ?? 'tệp'}</a> <span class="muted">(${fileSize(e.size)})</span>`
        : html`<span>Văn bản số <strong>${e.docNumber ?? ''}</strong> ngày ${fmtDate(e.docDate)} của ${e.issuer ?? ''}: ${e.title ?? ''}</span>${safeUrl(e.url) ? html` <a href="${safeUrl(e.url)!}" rel="noopener noreferrer" target="_blank">(mở liên kết)</a>` : ''}`;
    const phase = e.phase !== 'self_assessment' ? html` <span class="tag">bổ sung khi ${phaseLabel(e.phase).toLowerCase()}</span>` : '';
    const rm = removable
      ? html`<form method="post" action="${removable.action(e.id)}" class="inline" data-confirm="Gỡ tài liệu này?"><input type="hidden" name="_csrf" value="${removable.csrf}"><button type="submit" class="link-button danger">Gỡ</button></form>`
      : '';
    return html`<li>${what}${phase} <span class="muted">· ${fmtDateTime(e.createdAt)}</span> ${rm}</li>`;
  })}</ul>`;
}
