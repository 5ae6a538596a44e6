// The questionnaire editor (issue 15): survey admins build and change a questionnaire in the browser instead of
// sending JSON to the API. Dimensions, questions and answer options are rows of one server-rendered form; adding,
// removing and moving rows are submit buttons that re-render the form with the change (nothing is saved until
// "Lưu"), so it works without JavaScript. Saving goes through the surveys service (create/update), which validates
// the document exactly as the API does and refuses a questionnaire that has responses; its field errors are shown
// beside their inputs in Vietnamese, with everything typed kept. The form carries the version it was opened at, so
// an admin never silently overwrites another admin's save (412). The preview is the citizens' form itself.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../db/schema.js';
import { AppError, ConflictError, PreconditionFailedError, ValidationError, type FieldError } from '../../lib/errors.js';
import { demographicFields, multipleScores, surveyKinds, validateSurveyDocument, type SurveyDocument } from '../../modules/surveys/surveys.document.js';
import { publicSurvey } from '../../modules/surveys/surveys.service.js';
import { errId as sharedErrId, fieldError as sharedFieldError, errorSummary } from '../form-errors.js';
import { attr, html, type Html, type Slot } from '../html.js';
import { field, fields, type Kit } from '../kit.js';
import type { Flash } from '../layout.js';
import { webError } from '../messages.js';
import { surveyFormMarkup } from './public.js';

const hide = { hide: true } as const;
const SECTION = '/dieu-phoi/khao-sat';
export const NEW_SURVEY = '/dieu-phoi/khao-sat-moi';
export const editorHref = (code: string) => `${SECTION}/${encodeURIComponent(code)}/sua`;
/**
 * Where the editor posts: an address of its own, so the shared post/redirect/get (prg.ts) sends a re-rendered form
 * back to the editor's address (`?loi=`), where a reload shows it again instead of re-sending the form.
 */
const saveHref = (code: string) => `${SECTION}/${encodeURIComponent(code)}/luu`;
const NEW_SURVEY_SAVE = `${NEW_SURVEY}/luu`;
const previewHref = (code: string) => `${SECTION}/${encodeURIComponent(code)}/xem-truoc`;
const surveyHref = (code: string) => `${SECTION}/${encodeURIComponent(code)}`;

/** Limits of the document schema, to stop adding rows the service would refuse anyway. */
const MAX = { dimensions: 50, questions: 100, options: 20 };

export const editorFlashTexts: Record<string, Flash> = {
  'da-luu-bang-hoi': { kind: 'ok', text: 'Đã lưu bảng hỏi (phiên bản mới).' },
  'da-tao-bang-hoi': { kind: 'ok', text: 'Đã tạo bảng hỏi (dự thảo). Kiểm tra, xem trước rồi công bố.' },
};

// ---------------------------------------------------------------------------------------------------------------
// The form's state: every value as typed (strings), so a refused save shows exactly what was sent.

interface OptionDraft {
  code: string;
  label: string;
  value: string;
}
interface QuestionDraft {
  code: string;
  text: string;
  multiple: boolean;
  score: string;
  required: boolean;
  sourceName: string;
  sourceLabels: string;
  options: OptionDraft[];
}
interface DimensionDraft {
  code: string;
  title: string;
  weight: string;
  questions: QuestionDraft[];
}
export interface Draft {
  code: string;
  name: string;
  kind: string;
  year: string;
  description: string;
  minResponses: string;
  demographics: string[];
  dimensions: DimensionDraft[];
}

const num = (n: number) => String(n).replace('.', ',');
const blankOption = (): OptionDraft => ({ code: '', label: '', value: '' });
const blankQuestion = (): QuestionDraft => ({ code: '', text: '', multiple: false, score: 'mean', required: false, sourceName: '', sourceLabels: '', options: [blankOption(), blankOption()] });
const blankDimension = (): DimensionDraft => ({ code: '', title: '', weight: '1', questions: [blankQuestion()] });

function draftOf(doc: SurveyDocument): Draft {
  return {
    code: doc.code,
    name: doc.name,
    kind: doc.kind,
    year: doc.year === null ? '' : String(doc.year),
    description: doc.description ?? '',
    minResponses: String(doc.minResponses),
    demographics: [...doc.demographics],
    dimensions: doc.dimensions.map((d) => ({
      code: d.code,
      title: d.title,
      weight: num(d.weight),
      questions: d.questions.map((q) => ({
        code: q.code,
        text: q.text,
        multiple: q.multiple !== undefined,
        score: q.multiple?.score ?? 'mean',
        required: q.required,
        sourceName: q.sourceName ?? '',
        sourceLabels: (q.sourceLabels ?? []).join('\n'),
        options: q.options.map((o) => ({ code: o.code, label: o.label, value: o.value === null ? '' : num(o.value) })),
      })),
    })),
  };
}

const emptyDraft = (): Draft => ({ code: '', name: '', kind: 'satisfaction', year: '', description: '', minResponses: '0', demographics: [], dimensions: [blankDimension()] });

/** Reads the posted form: rows are numbered d.0, d.0.q.1, d.0.q.1.o.2 and end at the first missing number. */
function draftFromForm(body: unknown): Draft {
  const f = (name: string) => field(body, name) ?? '';
  const has = (name: string) => field(body, name) !== undefined;
  const dimensions: DimensionDraft[] = [];
  for (let i = 0; i < MAX.dimensions + 1 && has(`d.${i}.code`); i++) {
    const questions: QuestionDraft[] = [];
    for (let j = 0; j < MAX.questions + 1 && has(`d.${i}.q.${j}.code`); j++) {
      const at = `d.${i}.q.${j}`;
      const options: OptionDraft[] = [];
      for (let k = 0; k < MAX.options + 1 && has(`${at}.o.${k}.code`); k++) options.push({ code: f(`${at}.o.${k}.code`), label: f(`${at}.o.${k}.label`), value: f(`${at}.o.${k}.value`) });
      questions.push({
        code: f(`${at}.code`),
        text: f(`${at}.text`),
        multiple: f(`${at}.type`) === 'multiple',
        score: f(`${at}.score`) || 'mean',
        required: f(`${at}.required`) === '1',
        sourceName: f(`${at}.sourceName`),
        sourceLabels: f(`${at}.sourceLabels`),
        options,
      });
    }
    dimensions.push({ code: f(`d.${i}.code`), title: f(`d.${i}.title`), weight: f(`d.${i}.weight`), questions });
  }
  return {
    code: f('code'),
    name: f('name'),
    kind: f('kind'),
    year: f('year'),
    description: f('description'),
    minResponses: f('minResponses'),
    demographics: fields(body, 'demographics'),
    dimensions,
  };
}

/**
 * A typed number with a decimal comma or point; what is not a number goes to the service as typed, so its
 * validation names the field (the form never decides what is valid).
 */
function number(s: string): number | string {
  const t = s.trim().replace(',', '.');
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : s;
}

/** The survey document the service validates (the API's JSON shape). */
function documentOf(d: Draft): Record<string, unknown> {
  return {
    code: d.code.trim(),
    name: d.name,
    kind: d.kind,
    year: d.year.trim() === '' ? null : number(d.year),
    description: d.description.trim() === '' ? null : d.description,
    ...(d.minResponses.trim() === '' ? {} : { minResponses: number(d.minResponses) }),
    demographics: d.demographics,
    dimensions: d.dimensions.map((dim) => ({
      code: dim.code.trim(),
      title: dim.title,
      ...(dim.weight.trim() === '' ? {} : { weight: number(dim.weight) }),
      questions: dim.questions.map((q) => {
        const labels = q.sourceLabels.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
        return {
          code: q.code.trim(),
          text: q.text,
          required: q.required,
          options: q.options.map((o) => ({ code: o.code.trim(), label: o.label, value: o.value.trim() === '' ? null : number(o.value) })),
          ...(q.sourceName.trim() ? { sourceName: q.sourceName } : {}),
          ...(labels.length ? { sourceLabels: labels } : {}),
          ...(q.multiple ? { multiple: { score: q.score } } : {}),
        };
      }),
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Adding, removing and moving rows: the button's value names the operation and the row ("up-q:0:2").

function move<T>(list: T[], i: number, by: -1 | 1) {
  const j = i + by;
  if (i < 0 || j < 0 || i >= list.length || j >= list.length) return;
  [list[i], list[j]] = [list[j]!, list[i]!];
}

/** Applies a row operation; an unknown or stale one (a row no longer there) changes nothing. */
function applyOp(d: Draft, op: string): void {
  const [verb, ...rest] = op.split(':');
  const [i, j, k] = rest.map(Number);
  const dim = i === undefined ? undefined : d.dimensions[i];
  const q = dim && j !== undefined ? dim.questions[j] : undefined;
  const hasOption = q !== undefined && k !== undefined && q.options[k] !== undefined;
  if (verb === 'add-d' && d.dimensions.length < MAX.dimensions) d.dimensions.push(blankDimension());
  else if (verb === 'del-d' && dim) d.dimensions.splice(i!, 1);
  else if ((verb === 'up-d' || verb === 'down-d') && dim) move(d.dimensions, i!, verb === 'up-d' ? -1 : 1);
  else if (verb === 'add-q' && dim && dim.questions.length < MAX.questions) dim.questions.push(blankQuestion());
  else if (verb === 'del-q' && q) dim!.questions.splice(j!, 1);
  else if ((verb === 'up-q' || verb === 'down-q') && q) move(dim!.questions, j!, verb === 'up-q' ? -1 : 1);
  else if (verb === 'add-o' && q && q.options.length < MAX.options) q.options.push(blankOption());
  else if (verb === 'del-o' && hasOption) q.options.splice(k, 1);
  else if ((verb === 'up-o' || verb === 'down-o') && hasOption) move(q.options, k, verb === 'up-o' ? -1 : 1);
}

// ---------------------------------------------------------------------------------------------------------------
// The service's field errors in Vietnamese, keyed by form field name (body.dimensions.0.questions.1.code → d.0.q.1.code).

export function formKey(path: string): string {
  return path
    .replace(/^body\.?/, '')
    .replace(/\bdimensions\b/g, 'd')
    .replace(/\bquestions\b/g, 'q')
    .replace(/\boptions\b/g, 'o')
    .replace(/\.multiple\.score$/, '.score')
    .replace(/\.sourceLabels\.\d+$/, '.sourceLabels')
    .replace(/^demographics\.\d+$/, 'demographics');
}

const limitIn = (m: string) => /(\d[\d_,]*)/.exec(m)?.[1]?.replace(/[_,]/g, '') ?? '';

function referencedMessage(m: string): string {
  const r = /^framework (\S+), criterion (\S+) scores from (dimension|question) (\S+),/.exec(m);
  if (!r) return 'Một bộ tiêu chí đang tính điểm từ phần bị xóa của bảng hỏi.';
  return `Bộ tiêu chí ${r[1]} (tiêu chí ${r[2]}) tính điểm từ ${r[3] === 'dimension' ? 'nhóm' : 'câu hỏi'} ${r[4]}: không được xóa hoặc đổi mã.`;
}

/** One field error in Vietnamese; `key` is the form field name. */
function editorMessage(key: string, e: FieldError): string {
  const last = key.split('.').pop() ?? key;
  const isDim = /^d\.\d+\.\w+$/.test(key);
  const isQuestion = /^d\.\d+\.q\.\d+\.\w+$/.test(key);
  const tooLong = `Quá dài: tối đa ${limitIn(e.message)} ký tự.`;
  switch (e.code) {
    case 'duplicate':
      if (last === 'sourceName') return 'Tên cột trong tệp xuất bị trùng với câu hỏi khác.';
      if (isDim) return 'Mã nhóm bị trùng với một nhóm khác.';
      if (isQuestion) return 'Mã câu hỏi bị trùng (mã câu hỏi là duy nhất trong cả bảng hỏi, không phân biệt hoa thường).';
      return 'Mã phương án bị trùng trong câu hỏi này.';
    case 'no_scored_option':
      return 'Cần ít nhất một phương án có giá trị (tính điểm); phương án để trống giá trị chỉ không được tính.';
    case 'no_weight':
      return 'Cần ít nhất một nhóm có trọng số lớn hơn 0.';
    case 'referenced':
      return referencedMessage(e.message);
    case 'immutable':
      return 'Mã bảng hỏi không đổi được; hãy tạo bảng hỏi mới với mã khác.';
    case 'exists':
      return 'Mã bảng hỏi này đã có; hãy chọn mã khác.';
  }
  switch (last) {
    case 'code':
      if (key === 'code') return 'Mã bảng hỏi: chữ cái không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới; tối đa 64 ký tự.';
      if (isDim) return 'Mã nhóm: bắt đầu bằng chữ cái không dấu hoặc gạch dưới; chỉ gồm chữ cái, chữ số, dấu chấm, gạch ngang, gạch dưới; tối đa 32 ký tự.';
      if (isQuestion) return 'Mã câu hỏi: bắt đầu bằng chữ cái không dấu hoặc gạch dưới; chỉ gồm chữ cái, chữ số, dấu chấm, gạch ngang, gạch dưới (có thể thêm [SQ001]); tối đa 32 ký tự.';
      return 'Mã phương án: chữ cái, chữ số, dấu chấm, hai chấm, gạch ngang, gạch dưới; không có dấu cách; tối đa 64 ký tự.';
    case 'name':
    case 'title':
    case 'text':
    case 'label': {
      const what = { name: 'tên bảng hỏi', title: 'tên nhóm', text: 'nội dung câu hỏi', label: 'nội dung phương án' }[last];
      return e.code === 'too_big' ? tooLong : `Vui lòng nhập ${what}.`;
    }
    case 'description':
      return tooLong;
    case 'sourceName':
    case 'sourceLabels':
      return e.code === 'too_big' ? `Quá dài hoặc quá nhiều dòng (tối đa ${limitIn(e.message)}).` : 'Giá trị không hợp lệ.';
    case 'value':
      return e.code === 'invalid_type'
        ? 'Giá trị là một số từ 0 đến 1 (dùng dấu phẩy, ví dụ 0,75); để trống nếu phương án không tính điểm (ví dụ “Không trả lời”).'
        : 'Giá trị phải từ 0 đến 1.';
    case 'weight':
      return e.code === 'invalid_type' ? 'Trọng số là một số (ví dụ 1 hoặc 0,5).' : 'Trọng số từ 0 đến 1000.';
    case 'year':
      return 'Năm là số từ 2000 đến 2100, hoặc để trống.';
    case 'minResponses':
      return 'Số phiếu tối thiểu là số nguyên không âm.';
    case 'kind':
      return 'Hãy chọn loại khảo sát.';
    case 'score':
      return 'Hãy chọn cách tính điểm câu hỏi nhiều lựa chọn.';
    case 'demographics':
      return 'Thông tin người trả lời không hợp lệ.';
    case 'o':
      return e.code === 'too_big' ? `Mỗi câu hỏi có tối đa ${MAX.options} phương án.` : 'Mỗi câu hỏi cần ít nhất 2 phương án.';
    case 'q':
      return e.code === 'too_big' ? `Mỗi nhóm có tối đa ${MAX.questions} câu hỏi.` : 'Mỗi nhóm cần ít nhất một câu hỏi.';
    case 'd':
      return e.code === 'too_big' ? `Bảng hỏi có tối đa ${MAX.dimensions} nhóm.` : 'Bảng hỏi cần ít nhất một nhóm câu hỏi.';
    default:
      return 'Giá trị không hợp lệ.';
  }
}

/** Form field → one message (several problems of one field, e.g. two framework references, in one sentence). */
export function editorErrors(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const key = formKey(e.field);
    const m = editorMessage(key, e);
    if (out[key] === undefined) out[key] = m;
    else if (e.code === 'referenced' && !out[key].includes(m)) out[key] += ` ${m}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering.

const partLabels: Record<string, string> = {
  code: 'mã',
  title: 'tên nhóm',
  weight: 'trọng số',
  text: 'nội dung câu hỏi',
  score: 'cách tính điểm',
  sourceName: 'tên cột trong tệp xuất',
  sourceLabels: 'tiêu đề cột khác',
  label: 'nội dung phương án',
  value: 'giá trị',
  o: 'phương án trả lời',
  q: 'câu hỏi',
};
const topLabels: Record<string, string> = { code: 'Mã bảng hỏi', name: 'Tên bảng hỏi', kind: 'Loại khảo sát', year: 'Năm', minResponses: 'Số phiếu tối thiểu', description: 'Lời giới thiệu', demographics: 'Thông tin người trả lời', d: 'Nhóm câu hỏi' };

/** Where a field in error is, for the summary's link: "Nhóm 2, câu 1, phương án 3: giá trị". */
function placeOf(key: string): string {
  const m = /^d\.(\d+)(?:\.q\.(\d+))?(?:\.o\.(\d+))?\.(\w+)$/.exec(key);
  if (!m) return topLabels[key] ?? key;
  const where = [`Nhóm ${Number(m[1]) + 1}`, m[2] !== undefined ? `câu ${Number(m[2]) + 1}` : '', m[3] !== undefined ? `phương án ${Number(m[3]) + 1}` : ''].filter(Boolean).join(', ');
  return `${where}: ${partLabels[m[4]!] ?? m[4]}`;
}

/** The element a summary link jumps to: the input, or the block a whole-list problem is shown in. */
function targetOf(key: string): string {
  if (key === 'd') return 'cac-nhom';
  const q = /^d\.(\d+)\.q$/.exec(key);
  if (q) return `nhom-${q[1]}`;
  return idOf(key);
}

/** The top of a refused form: what happened, and one link per field in error (the messages are beside the fields). */
function summary(message: string, errors: Record<string, string>): Slot {
  return errorSummary(message, Object.keys(errors).map((k) => [targetOf(k), placeOf(k)] as const));
}

const idOf = (name: string) => `f-${name.replace(/\./g, '-')}`;
const errId = (name: string) => sharedErrId(idOf(name));
const fieldError = (name: string, errors: Record<string, string>): Slot => sharedFieldError(idOf(name), errors[name]);
const described = (name: string, errors: Record<string, string>, hint?: string) => {
  const ids = [hint, errors[name] ? errId(name) : undefined].filter(Boolean).join(' ');
  return html`${errors[name] ? html` aria-invalid="true"` : ''}${ids ? html` aria-describedby="${ids}"` : ''}`;
};

function input(name: string, label: string, value: string, errors: Record<string, string>, o: { cls?: string; extra?: Html; hint?: string; mode?: string } = {}): Html {
  const hintId = o.hint ? `${idOf(name)}-hd` : undefined;
  return html`<div class="field${o.cls ? ` ${o.cls}` : ''}"><label for="${idOf(name)}">${label}</label>
<input id="${idOf(name)}" name="${name}" value="${value}"${o.mode ? html` inputmode="${o.mode}"` : ''}${o.extra ?? ''}${described(name, errors, hintId)}>
${o.hint ? html`<p class="hint muted" id="${hintId}">${o.hint}</p>` : ''}${fieldError(name, errors)}</div>`;
}

function textarea(name: string, label: string, value: string, errors: Record<string, string>, o: { hint?: string; rows?: number } = {}): Html {
  const hintId = o.hint ? `${idOf(name)}-hd` : undefined;
  return html`<div class="field"><label for="${idOf(name)}">${label}</label>
<textarea id="${idOf(name)}" name="${name}" rows="${o.rows ?? 2}"${described(name, errors, hintId)}>${value}</textarea>
${o.hint ? html`<p class="hint muted" id="${hintId}">${o.hint}</p>` : ''}${fieldError(name, errors)}</div>`;
}

/**
 * A row button: submits the form with the operation; the label says which row it acts on (screen readers). The
 * form is posted to the editor's address with the affected row as fragment, so the re-rendered page opens there.
 */
const opButton = (action: string, op: string, to: string, text: string, label: string, o: { danger?: boolean; disabled?: boolean } = {}) =>
  html`<button class="button small${o.danger ? ' danger' : ''}" type="submit" name="op" value="${op}" formaction="${action}#${to}" aria-label="${label}"${attr('disabled', o.disabled ?? false)}>${text}</button>`;

const kindLabels: Record<string, string> = { satisfaction: 'Khảo sát sự hài lòng', sociological: 'Điều tra xã hội học' };
const demographicLabels: Record<string, string> = { sex: 'Giới tính', ageBand: 'Nhóm tuổi', occupation: 'Nghề nghiệp' };
const scoreLabels: Record<string, string> = { mean: 'Trung bình giá trị các phương án đã chọn', max: 'Giá trị cao nhất trong các phương án đã chọn', min: 'Giá trị thấp nhất trong các phương án đã chọn' };

function optionRow(action: string, i: number, j: number, k: number, o: OptionDraft, count: number, errors: Record<string, string>): Html {
  const at = `d.${i}.q.${j}.o.${k}`;
  const n = `phương án ${k + 1} của câu ${j + 1}, nhóm ${i + 1}`;
  return html`<li class="editor-option" id="pa-${i}-${j}-${k}"><div class="field-row">
  ${input(`${at}.code`, 'Mã', o.code, errors, { cls: 'code-field', extra: html` maxlength="64" autocomplete="off"` })}
  ${input(`${at}.label`, 'Nội dung phương án', o.label, errors, { cls: 'grow', extra: html` maxlength="300"` })}
  ${input(`${at}.value`, 'Giá trị (0–1)', o.value, errors, { cls: 'value-field', mode: 'decimal', extra: html` placeholder="không tính"` })}
  <div class="row-buttons">${opButton(action, `up-o:${i}:${j}:${k}`, `pa-${i}-${j}-${k - 1}`, '↑', `Chuyển lên: ${n}`, { disabled: k === 0 })}${opButton(action, `down-o:${i}:${j}:${k}`, `pa-${i}-${j}-${k + 1}`, '↓', `Chuyển xuống: ${n}`, { disabled: k === count - 1 })}${opButton(action, `del-o:${i}:${j}:${k}`, `cau-${i}-${j}`, 'Xóa', `Xóa ${n}`, { danger: true })}</div>
</div></li>`;
}

function questionBlock(action: string, i: number, j: number, q: QuestionDraft, count: number, errors: Record<string, string>): Html {
  const at = `d.${i}.q.${j}`;
  const n = `câu ${j + 1} của nhóm ${i + 1}`;
  const optErr = errors[`${at}.o`];
  return html`<fieldset class="editor-question${Object.keys(errors).some((k) => k.startsWith(`${at}.`)) ? ' has-error' : ''}" id="cau-${i}-${j}">
  <legend>Câu ${j + 1}${q.code ? ` · ${q.code}` : ''}</legend>
  <div class="field-row">
    ${input(`${at}.code`, 'Mã câu hỏi', q.code, errors, { cls: 'code-field', extra: html` maxlength="32" autocomplete="off"` })}
    <div class="field"><label for="${idOf(`${at}.type`)}">Loại câu hỏi</label><select id="${idOf(`${at}.type`)}" name="${at}.type"><option value="single"${attr('selected', !q.multiple)}>Một lựa chọn</option><option value="multiple"${attr('selected', q.multiple)}>Nhiều lựa chọn</option></select></div>
    <div class="field score-field"><label for="${idOf(`${at}.score`)}">Cách tính điểm (câu nhiều lựa chọn)</label><select id="${idOf(`${at}.score`)}" name="${at}.score"${described(`${at}.score`, errors)}>${multipleScores.map((s) => html`<option value="${s}"${attr('selected', q.score === s)}>${scoreLabels[s]}</option>`)}</select>${fieldError(`${at}.score`, errors)}</div>
  </div>
  ${textarea(`${at}.text`, 'Nội dung câu hỏi', q.text, errors)}
  <label class="check"><input type="checkbox" name="${at}.required" value="1"${attr('checked', q.required)}> Bắt buộc trả lời</label>
  <div class="options-block${optErr ? ' has-error' : ''}" id="${idOf(`${at}.o`)}" role="group" aria-label="Phương án trả lời của ${n}"${optErr ? html` aria-describedby="${errId(`${at}.o`)}"` : ''}>
    <p class="options-title"><strong>Phương án trả lời</strong> <span class="muted">(giá trị từ 0 đến 1 là điểm của câu trả lời; để trống nếu không tính điểm)</span></p>
    ${optErr ? html`<p class="field-error" id="${errId(`${at}.o`)}">${optErr}</p>` : ''}
    <ol class="editor-options">${q.options.map((o, k) => optionRow(action, i, j, k, o, q.options.length, errors))}</ol>
    ${opButton(action, `add-o:${i}:${j}`, `pa-${i}-${j}-${q.options.length}`, '+ Thêm phương án', `Thêm phương án cho ${n}`, { disabled: q.options.length >= MAX.options })}
  </div>
  <details class="source-fields"${q.sourceName || q.sourceLabels || errors[`${at}.sourceName`] || errors[`${at}.sourceLabels`] ? html` open` : ''}><summary>Khi nhập phiếu từ tệp (không bắt buộc)</summary>
    ${input(`${at}.sourceName`, 'Tên cột trong tệp xuất (nếu khác mã câu hỏi)', q.sourceName, errors, { extra: html` maxlength="500"` })}
    ${textarea(`${at}.sourceLabels`, 'Tiêu đề cột khác trong tệp xuất theo nhãn (mỗi dòng một tiêu đề)', q.sourceLabels, errors)}
  </details>
  <div class="row-buttons">${opButton(action, `up-q:${i}:${j}`, `cau-${i}-${j - 1}`, '↑ Lên', `Chuyển lên: ${n}`, { disabled: j === 0 })}${opButton(action, `down-q:${i}:${j}`, `cau-${i}-${j + 1}`, '↓ Xuống', `Chuyển xuống: ${n}`, { disabled: j === count - 1 })}${opButton(action, `del-q:${i}:${j}`, `nhom-${i}`, 'Xóa câu hỏi', `Xóa ${n}`, { danger: true })}</div>
</fieldset>`;
}

function dimensionBlock(action: string, i: number, d: DimensionDraft, count: number, errors: Record<string, string>): Html {
  const at = `d.${i}`;
  const n = `nhóm ${i + 1}`;
  const qErr = errors[`${at}.q`];
  return html`<section class="panel editor-dimension" id="nhom-${i}" aria-labelledby="nhom-${i}-tieu-de">
  <h3 id="nhom-${i}-tieu-de">Nhóm ${i + 1}${d.title ? `: ${d.title}` : ''}</h3>
  <div class="field-row">
    ${input(`${at}.code`, 'Mã nhóm', d.code, errors, { cls: 'code-field', extra: html` maxlength="32" autocomplete="off"` })}
    ${input(`${at}.title`, 'Tên nhóm (chiều đánh giá)', d.title, errors, { cls: 'grow', extra: html` maxlength="300"` })}
    ${input(`${at}.weight`, 'Trọng số', d.weight, errors, { cls: 'value-field', mode: 'decimal', hint: 'Để trống = 1 (các nhóm bằng nhau).' })}
  </div>
  ${qErr ? html`<p class="field-error" id="${errId(`${at}.q`)}">${qErr}</p>` : ''}
  ${d.questions.map((q, j) => questionBlock(action, i, j, q, d.questions.length, errors))}
  <div class="row-buttons">${opButton(action, `add-q:${i}`, `cau-${i}-${d.questions.length}`, '+ Thêm câu hỏi', `Thêm câu hỏi vào ${n}`, { disabled: d.questions.length >= MAX.questions })}${opButton(action, `up-d:${i}`, `nhom-${i - 1}`, '↑ Chuyển nhóm lên', `Chuyển lên: ${n}`, { disabled: i === 0 })}${opButton(action, `down-d:${i}`, `nhom-${i + 1}`, '↓ Chuyển nhóm xuống', `Chuyển xuống: ${n}`, { disabled: i === count - 1 })}${opButton(action, `del-d:${i}`, 'cac-nhom', 'Xóa nhóm', `Xóa ${n}`, { danger: true })}</div>
</section>`;
}

interface EditorState {
  mode: 'create' | 'edit';
  draft: Draft;
  /** The version the form was opened at (edit). */
  version: number;
  errors?: Record<string, string>;
  message?: Html | string;
  /** A refused save: the shared error summary (links to the fields), instead of `message`. */
  summary?: Slot;
  preview?: Html;
  status?: number;
  flash?: Flash | null;
}

function editorSaveBar(mode: EditorState['mode'], action: string): Html {
  return html`<div class="editor-bar">
  <button class="button primary" type="submit" name="op" value="luu">${mode === 'create' ? 'Tạo bảng hỏi' : 'Lưu bảng hỏi'}</button>
  <button class="button" type="submit" name="op" value="xem-truoc" formaction="${action}#xem-truoc">Xem trước biểu mẫu</button>
</div>`;
}

// ---------------------------------------------------------------------------------------------------------------

export function surveyEditorPages(app: FastifyInstance, kit: Kit, roles: readonly Role[]) {
  const { surveys } = app.services;
  const cfg = { webRoles: roles };

  function editorPage(req: FastifyRequest, reply: FastifyReply, s: EditorState) {
    const d = s.draft;
    const errors = s.errors ?? {};
    const action = s.mode === 'create' ? NEW_SURVEY_SAVE : saveHref(d.code);
    const title = s.mode === 'create' ? 'Tạo bảng hỏi mới' : `Sửa bảng hỏi ${d.code}`;
    const dErr = errors.d;
    const body = html`<div class="page-head"><div><h1>${title}</h1><p class="sub">${s.mode === 'edit' ? html`Đang sửa phiên bản ${s.version}. Lưu tạo phiên bản mới; bảng hỏi đã có phiếu trả lời thì không sửa được nữa.` : 'Bảng hỏi mới là dự thảo cho đến khi được công bố.'}</p></div>
  ${s.mode === 'edit' ? html`<div class="status-box"><a class="button" href="${previewHref(d.code)}">Xem trước bản đã lưu</a></div>` : ''}</div>
${s.summary ?? (s.message ? html`<div class="flash flash-error" role="alert">${s.message}</div>` : '')}
${s.preview ?? ''}
<form method="post" action="${action}" class="survey-editor" novalidate>
  <input type="hidden" name="_csrf" value="${kit.csrf(req, reply)}">
  ${s.mode === 'edit' ? html`<input type="hidden" name="version" value="${String(s.version)}"><input type="hidden" name="code" value="${d.code}">` : ''}
  ${editorSaveBar(s.mode, action)}
  <section class="panel"><h2>Thông tin chung</h2>
    <div class="field-row">
      ${s.mode === 'create' ? input('code', 'Mã bảng hỏi', d.code, errors, { cls: 'code-field', extra: html` maxlength="64" autocomplete="off"`, hint: 'Không đổi được sau khi tạo; ví dụ SIPAS-2025.' }) : html`<div class="field code-field"><span class="label">Mã bảng hỏi</span><p><code>${d.code}</code></p></div>`}
      ${input('name', 'Tên bảng hỏi', d.name, errors, { cls: 'grow', extra: html` maxlength="300"` })}
    </div>
    <div class="field-row">
      <div class="field"><label for="${idOf('kind')}">Loại khảo sát</label><select id="${idOf('kind')}" name="kind"${described('kind', errors)}>${surveyKinds.map((k) => html`<option value="${k}"${attr('selected', d.kind === k)}>${kindLabels[k]}</option>`)}</select>${fieldError('kind', errors)}</div>
      ${input('year', 'Năm', d.year, errors, { mode: 'numeric' })}
      ${input('minResponses', 'Số phiếu tối thiểu / đơn vị', d.minResponses, errors, { mode: 'numeric', hint: 'Đơn vị ít phiếu hơn không được công khai kết quả.' })}
    </div>
    ${textarea('description', 'Lời giới thiệu (hiện trên biểu mẫu)', d.description, errors, { rows: 3 })}
    <fieldset class="choices choices-inline"${described('demographics', errors)}><legend>Hỏi thông tin người trả lời (không bắt buộc với người dân, không công khai)</legend>
      ${demographicFields.map((f) => html`<label class="check"><input type="checkbox" name="demographics" value="${f}"${attr('checked', d.demographics.includes(f))}> ${demographicLabels[f]}</label>`)}
      ${fieldError('demographics', errors)}
    </fieldset>
  </section>
  <h2 id="cac-nhom">Nhóm câu hỏi, câu hỏi và phương án</h2>
  ${dErr ? html`<p class="field-error" id="${errId('d')}">${dErr}</p>` : ''}
  ${d.dimensions.map((dim, i) => dimensionBlock(action, i, dim, d.dimensions.length, errors))}
  <p>${opButton(action, 'add-d', `nhom-${d.dimensions.length}`, '+ Thêm nhóm câu hỏi', 'Thêm nhóm câu hỏi', { disabled: d.dimensions.length >= MAX.dimensions })}</p>
  ${editorSaveBar(s.mode, action)}
</form>`;
    const crumbs: [string, string?][] = s.mode === 'create' ? [['Khảo sát', SECTION], ['Tạo bảng hỏi']] : [['Khảo sát', SECTION], [d.code, surveyHref(d.code)], ['Sửa bảng hỏi']];
    return kit.page(req, reply, { title, body, section: SECTION, breadcrumbs: crumbs, status: s.status ?? 200, flash: s.flash ?? null });
  }

  /** The citizens' form for a document, inside a frame saying it is a preview. */
  function previewPanel(doc: SurveyDocument, note: string): Html {
    return html`<section class="panel survey-preview" id="xem-truoc" aria-labelledby="xem-truoc-tieu-de">
  <h2 id="xem-truoc-tieu-de">Xem trước biểu mẫu</h2>
  <p class="muted">${note}</p>
  <div class="preview-frame">${surveyFormMarkup(publicSurvey(doc), 'Tên đơn vị nhận phiếu', { action: null, csrf: '', responseId: '' })}</div>
</section>`;
  }

  const flashOf = (req: FastifyRequest) => kit.flashOf(req) ?? editorFlashTexts[String((req.query as Record<string, unknown>).tb ?? '')] ?? null;

  /** Re-renders the editor after a refused save, a row operation or a preview: what was typed stays. */
  async function handlePost(req: FastifyRequest, reply: FastifyReply, mode: EditorState['mode'], code: string | null) {
    const ctx = kit.ctx(req);
    const draft = draftFromForm(req.body);
    let version = Number(field(req.body, 'version'));
    if (mode === 'edit') {
      // The stored survey decides the code and whether it may still change; the form cannot rename it.
      const current = await surveys.get(ctx, code!);
      draft.code = current.code;
      if (!Number.isInteger(version) || version < 1) version = current.version;
      if (current.responseCount > 0) return lockedPage(req, reply, current.code, 409);
    }
    const op = field(req.body, 'op') ?? 'luu';
    if (op === 'xem-truoc') {
      const check = validateSurveyDocument(documentOf(draft));
      if (!check.ok) {
        const errors = editorErrors(check.errors);
        return editorPage(req, reply, { mode, draft, version, errors, summary: summary('Chưa xem trước được: bảng hỏi còn lỗi, hãy sửa các ô được đánh dấu.', errors), status: 422 });
      }
      const preview = previewPanel(check.document, 'Biểu mẫu như người dân sẽ thấy, theo nội dung đang soạn (chưa lưu). Các nút và ô chọn ở đây không gửi phiếu.');
      return editorPage(req, reply, { mode, draft, version, preview });
    }
    if (op !== 'luu') {
      applyOp(draft, op);
      return editorPage(req, reply, { mode, draft, version });
    }
    try {
      const saved = mode === 'create' ? await surveys.create(ctx, documentOf(draft)) : await surveys.update(ctx, code!, documentOf(draft), { expectedVersion: version });
      return kit.redirect(reply, editorHref(saved.code), mode === 'create' ? 'da-tao-bang-hoi' : 'da-luu-bang-hoi');
    } catch (err) {
      if (err instanceof ValidationError) {
        const errors = editorErrors((err.extra.errors as FieldError[] | undefined) ?? []);
        return editorPage(req, reply, { mode, draft, version, errors, summary: summary(`Chưa lưu: bảng hỏi còn ${Object.keys(errors).length} lỗi, hãy sửa các ô được đánh dấu.`, errors), status: 422 });
      }
      if (err instanceof PreconditionFailedError) {
        const current = await surveys.get(ctx, code!);
        // The typed questionnaire stays; the form now carries the newer version, so saving again is a deliberate
        // replacement of the other admin's version, after looking at it.
        const message = html`Bảng hỏi vừa được người khác lưu (phiên bản ${current.version}, lúc bạn mở để sửa là phiên bản ${version}). Nội dung bạn soạn <strong>chưa được lưu</strong> và vẫn còn nguyên bên dưới. Hãy <a href="${surveyHref(current.code)}" target="_blank" rel="noopener">xem bản hiện tại</a>; nếu vẫn lưu, bản của bạn sẽ thay thế phiên bản ${current.version}.`;
        return editorPage(req, reply, { mode, draft, version: current.version, message, status: 412 });
      }
      if (err instanceof ConflictError && mode === 'create' && err.extra.field === 'code') {
        const errors = editorErrors([{ field: 'body.code', code: 'exists', message: err.message }]);
        return editorPage(req, reply, { mode, draft, version, errors, summary: summary('Chưa tạo được: mã bảng hỏi đã có.', errors), status: 409 });
      }
      if (err instanceof ConflictError && mode === 'edit') return lockedPage(req, reply, code!, 409);
      if (err instanceof AppError && err.status < 500 && err.status !== 404) {
        return editorPage(req, reply, { mode, draft, version, message: webError(err).message, status: err.status });
      }
      throw err;
    }
  }

  /** A questionnaire with responses no longer changes (the service's rule): say so, and what to do instead. */
  function lockedPage(req: FastifyRequest, reply: FastifyReply, code: string, status = 200) {
    const body = html`<h1>Sửa bảng hỏi ${code}</h1>
<p class="flash flash-info" role="status">Bảng hỏi đã có phiếu trả lời nên không sửa được nữa (kết quả đã thu phải giữ nguyên nghĩa). Để đổi câu hỏi, hãy <a href="${NEW_SURVEY}">tạo bảng hỏi mới</a> với mã khác.</p>
<p><a class="button" href="${surveyHref(code)}">Về trang bảng hỏi</a></p>`;
    return kit.page(req, reply, { title: `Sửa bảng hỏi ${code}`, body, section: SECTION, breadcrumbs: [['Khảo sát', SECTION], [code, surveyHref(code)], ['Sửa bảng hỏi']], status });
  }

  app.get(NEW_SURVEY, { config: cfg, schema: hide }, async (req, reply) => editorPage(req, reply, { mode: 'create', draft: emptyDraft(), version: 0 }));
  app.post(NEW_SURVEY_SAVE, { config: cfg, schema: hide }, async (req, reply) => handlePost(req, reply, 'create', null));
  // A browser that sent no Referer stays on the POST address; reloading it there opens the editor again.
  app.get(NEW_SURVEY_SAVE, { config: cfg, schema: hide }, async (_req, reply) => reply.redirect(NEW_SURVEY, 303));

  app.get<{ Params: { code: string } }>('/dieu-phoi/khao-sat/:code/sua', { config: cfg, schema: hide }, async (req, reply) => {
    const s = await surveys.get(kit.ctx(req), req.params.code);
    if (s.responseCount > 0) return lockedPage(req, reply, s.code);
    return editorPage(req, reply, { mode: 'edit', draft: draftOf(s), version: s.version, flash: flashOf(req) });
  });
  app.post<{ Params: { code: string } }>('/dieu-phoi/khao-sat/:code/luu', { config: cfg, schema: hide }, async (req, reply) => handlePost(req, reply, 'edit', req.params.code));
  app.get<{ Params: { code: string } }>('/dieu-phoi/khao-sat/:code/luu', { config: cfg, schema: hide }, async (req, reply) => reply.redirect(editorHref(req.params.code), 303));

  // The saved version exactly as citizens will see it (a draft included: it is the check before publishing).
  app.get<{ Params: { code: string } }>('/dieu-phoi/khao-sat/:code/xem-truoc', { config: cfg, schema: hide }, async (req, reply) => {
    const s = await surveys.get(kit.ctx(req), req.params.code);
    const body = html`<p class="no-print"><a href="${surveyHref(s.code)}">← Về trang bảng hỏi</a>${s.responseCount === 0 ? html` · <a href="${editorHref(s.code)}">Sửa bảng hỏi</a>` : ''}</p>
<p class="flash flash-info" role="status">Xem trước phiên bản ${s.version}: biểu mẫu như người dân thấy khi quét mã QR. Các ô chọn ở đây không gửi phiếu.</p>
${surveyFormMarkup(publicSurvey(s), 'Tên đơn vị nhận phiếu', { action: null, csrf: '', responseId: '' })}`;
    return kit.page(req, reply, { title: `Xem trước · ${s.code}`, body, narrow: true, section: SECTION, breadcrumbs: [['Khảo sát', SECTION], [s.code, surveyHref(s.code)], ['Xem trước']] });
  });
}
