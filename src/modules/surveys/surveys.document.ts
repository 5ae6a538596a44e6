// The survey document (SPEC §5, §10): its zod shape (request bodies, responses, OpenAPI), the cross-field checks
// that name every problem by field, and pure helpers over the questionnaire. No I/O.
import { z } from 'zod';
import type { FieldError } from '../../lib/errors.js';

export const SURVEY_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Dimension codes: what survey tools use as names (XLSForm names, LimeSurvey codes). */
export const ITEM_CODE = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
/**
 * Question codes: the same, or a LimeSurvey array (grid) row `Q1[SQ001]` (one question per row of the grid), at most
 * 32 characters in all. Longer export names (XLSForm names have no limit) go in `sourceName`.
 */
export const QUESTION_CODE = /^(?=.{1,32}$)[A-Za-z_][A-Za-z0-9_.-]*(?:\[[A-Za-z0-9_]+\])?$/;
/** Answer option codes: "5", "hai_long", "A1". */
export const OPTION_CODE = /^[\p{L}\p{N}_.:-]{1,64}$/u;

export const surveyKinds = ['satisfaction', 'sociological'] as const;

/** Optional demographics a questionnaire may ask for; stored apart from the answers and never published. */
export const demographicFields = ['sex', 'ageBand', 'occupation'] as const;
export type DemographicField = (typeof demographicFields)[number];

export const demographicOptions = {
  sex: { male: 'Nam', female: 'Nữ', other: 'Khác' },
  ageBand: { under_25: 'Dưới 25 tuổi', '25_34': 'Từ 25 đến 34 tuổi', '35_44': 'Từ 35 đến 44 tuổi', '45_54': 'Từ 45 đến 54 tuổi', '55_64': 'Từ 55 đến 64 tuổi', '65_plus': 'Từ 65 tuổi trở lên' },
  occupation: {
    civil_servant: 'Cán bộ, công chức, viên chức',
    business: 'Doanh nghiệp, hộ kinh doanh',
    farmer: 'Nông dân',
    worker: 'Công nhân',
    student: 'Học sinh, sinh viên',
    freelance: 'Lao động tự do',
    retired: 'Hưu trí',
    other: 'Khác',
  },
} as const satisfies Record<DemographicField, Record<string, string>>;

export type Respondent = Partial<Record<DemographicField, string>>;

/** Accepts a demographic value by code or by its Vietnamese label (case-insensitive); null when it is neither. */
export function demographicCode(field: DemographicField, raw: string): string | null {
  const v = raw.trim().normalize('NFC');
  const options = demographicOptions[field] as Record<string, string>;
  if (Object.hasOwn(options, v)) return v;
  const lower = normLabel(v);
  for (const [code, label] of Object.entries(options)) if (code.toLowerCase() === lower || normLabel(label) === lower) return code;
  return null;
}

const text = (max: number) => z.string().trim().min(1).max(max);

export const optionSchema = z
  .strictObject({
    code: z.string().regex(OPTION_CODE, 'letters, digits, dot, colon, dash and underscore, at most 64 characters'),
    label: text(300),
    value: z.number().min(0).max(1).nullable().describe('Score of the answer in [0, 1]; null = excluded from the score (e.g. "Không biết", "Không trả lời")'),
  })
  .meta({ id: 'SurveyOption' });

/** How a multiple-choice (select_multiple) answer scores: the mean, highest or lowest value of the chosen options. */
export const multipleScores = ['mean', 'max', 'min'] as const;
export type MultipleScore = (typeof multipleScores)[number];

export const questionSchema = z
  .strictObject({
    code: z
      .string()
      .regex(QUESTION_CODE, 'starts with a letter or underscore; letters, digits, dot, dash and underscore, optionally a grid row [SQ001]; at most 32 characters'),
    text: text(1000),
    required: z.boolean().optional().describe('The public form refuses a response without an answer, and an import refuses a file without its column (default false)'),
    options: z.array(optionSchema).min(2).max(20),
    sourceName: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .optional()
      .describe('The column name in the survey tool’s export when it differs from the code (any length): an XLSForm name, a group path grp/q, a LimeSurvey grid column Q1[SQ001]'),
    sourceLabels: z
      .array(text(1000))
      .max(10)
      .optional()
      .describe('Column headers of label exports (KoboToolbox “labels” export) that mean this question, besides its text; compared NFC-normalised, ignoring case and repeated spaces'),
    multiple: z
      .strictObject({ score: z.enum(multipleScores).describe('mean, max or min of the chosen options’ values (null-valued options left out)') })
      .optional()
      .describe('A multiple-choice question (select_multiple, LimeSurvey multiple choice): an answer is a set of options'),
  })
  .meta({ id: 'SurveyQuestion' });

export const dimensionSchema = z
  .strictObject({
    code: z.string().regex(ITEM_CODE, 'starts with a letter or underscore; letters, digits, dot, dash and underscore, at most 32 characters'),
    title: text(300),
    weight: z.number().min(0).max(1000).optional().describe('Weight in the overall index (default 1: equal weights)'),
    questions: z.array(questionSchema).min(1).max(100),
  })
  .meta({ id: 'SurveyDimension' });

export const surveyDocumentSchema = z
  .strictObject({
    code: z.string().regex(SURVEY_CODE, 'letters, digits, dot, dash and underscore, at most 64 characters'),
    name: text(300),
    kind: z.enum(surveyKinds),
    year: z.number().int().min(2000).max(2100).nullable().optional(),
    description: z.string().trim().max(4000).nullable().optional().describe('Introduction shown above the form'),
    minResponses: z.number().int().min(0).max(1_000_000).optional().describe('Units with fewer responses are flagged and never shown publicly (default 0)'),
    demographics: z
      .array(z.enum(demographicFields))
      .max(3)
      .optional()
      .describe('Optional respondent fields the form asks for (default none: fully anonymous); stored apart from the answers, never published, purged after the retention period'),
    dimensions: z.array(dimensionSchema).min(1).max(50),
  })
  .describe('Survey document (SPEC §10). Validation errors (422) name each field by its path, e.g. body.dimensions.0.questions.2.options.1.value')
  .meta({ id: 'SurveyDocument' });

export type SurveyInput = z.infer<typeof surveyDocumentSchema>;

export interface SurveyOption {
  code: string;
  label: string;
  value: number | null;
}
export interface SurveyQuestion {
  code: string;
  text: string;
  required: boolean;
  options: SurveyOption[];
  sourceName?: string;
  sourceLabels?: string[];
  multiple?: { score: MultipleScore };
}
export interface SurveyDimension {
  code: string;
  title: string;
  weight: number;
  questions: SurveyQuestion[];
}
/** A validated survey in normal form: what is stored (the `definition` column holds dimensions and demographics). */
export interface SurveyDocument {
  code: string;
  name: string;
  kind: (typeof surveyKinds)[number];
  year: number | null;
  description: string | null;
  minResponses: number;
  demographics: DemographicField[];
  dimensions: SurveyDimension[];
}

export function normaliseSurvey(input: SurveyInput): SurveyDocument {
  return {
    code: input.code,
    name: input.name,
    kind: input.kind,
    year: input.year ?? null,
    description: input.description || null,
    minResponses: input.minResponses ?? 0,
    demographics: [...new Set(input.demographics ?? [])],
    dimensions: input.dimensions.map((d) => ({
      code: d.code,
      title: d.title,
      weight: d.weight ?? 1,
      questions: d.questions.map((q) => ({
        code: q.code,
        text: q.text,
        required: q.required ?? false,
        options: q.options.map((o) => ({ code: o.code, label: o.label, value: o.value })),
        // Optional intake fields only when set, so documents without them stay exactly as they were stored.
        ...(q.sourceName ? { sourceName: q.sourceName } : {}),
        ...(q.sourceLabels && q.sourceLabels.length > 0 ? { sourceLabels: q.sourceLabels } : {}),
        ...(q.multiple ? { multiple: { score: q.multiple.score } } : {}),
      })),
    })),
  };
}

function zodErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.flatMap((i): FieldError[] => {
    const base = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: `${base}.${k}`, message: 'is not an accepted field', code: i.code }));
    return [{ field: base, message: i.message, code: i.code }];
  });
}

export type SurveyCheck = { ok: true; document: SurveyDocument } | { ok: false; errors: FieldError[] };

/**
 * Shape first (every field named), then what a schema cannot say: codes unique (question codes across the whole
 * survey, since they are the columns of an export), each question with at least one scored option, and at least
 * one dimension with a positive weight.
 */
export function validateSurveyDocument(raw: unknown, prefix = 'body'): SurveyCheck {
  const parsed = surveyDocumentSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error, prefix) };
  const doc = normaliseSurvey(parsed.data);
  const errors: FieldError[] = [];
  const dims = new Map<string, number>();
  const questions = new Map<string, string>();
  const sources = new Map<string, string>();
  doc.dimensions.forEach((d, di) => {
    const at = `${prefix}.dimensions.${di}`;
    if (dims.has(d.code)) errors.push({ field: `${at}.code`, code: 'duplicate', message: `dimension code '${d.code}' is used twice (also dimensions.${dims.get(d.code)})` });
    dims.set(d.code, di);
    d.questions.forEach((q, qi) => {
      const qat = `${at}.questions.${qi}`;
      const other = questions.get(q.code.toLowerCase());
      if (other !== undefined) errors.push({ field: `${qat}.code`, code: 'duplicate', message: `question code '${q.code}' is used twice (also ${other}); question codes are the column names of an export` });
      else questions.set(q.code.toLowerCase(), `dimensions.${di}.questions.${qi}`);
      if (q.sourceName !== undefined) {
        const key = q.sourceName.toLowerCase();
        const taken = sources.get(key);
        if (taken !== undefined) errors.push({ field: `${qat}.sourceName`, code: 'duplicate', message: `question ${q.code}: source name '${q.sourceName}' is also the source name of ${taken}` });
        else sources.set(key, `question ${q.code}`);
      }
      const options = new Set<string>();
      q.options.forEach((o, oi) => {
        if (options.has(o.code)) errors.push({ field: `${qat}.options.${oi}.code`, code: 'duplicate', message: `question ${q.code}: option code '${o.code}' is used twice` });
        options.add(o.code);
      });
      if (q.options.every((o) => o.value === null)) {
        errors.push({ field: `${qat}.options`, code: 'no_scored_option', message: `question ${q.code}: at least one option needs a value in [0, 1]; null only excludes an answer` });
      }
    });
  });
  if (doc.dimensions.every((d) => d.weight === 0)) {
    errors.push({ field: `${prefix}.dimensions`, code: 'no_weight', message: 'at least one dimension needs a positive weight' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, document: doc };
}

/**
 * How labels are compared (question texts, header labels, option labels): NFC (Vietnamese typed on macOS arrives
 * decomposed, NFD), runs of white space as one space, case-insensitive.
 */
export function normLabel(s: string): string {
  return s.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

export interface QuestionInfo {
  question: SurveyQuestion;
  dimension: SurveyDimension;
  /** option code → value (null = excluded). */
  values: Map<string, number | null>;
  /** normLabel(label) → option code, for exports that carry labels instead of codes. */
  byLabel: Map<string, string>;
  /** Every answer value is 0, 1 or null: a proportion (Wilson interval). A mean of several options is not. */
  binary: boolean;
  /** Multiple choice: how a set of chosen options scores. */
  multiple: MultipleScore | null;
}

/** Question code → everything the intake and the maths need about it. */
export function questionIndex(doc: Pick<SurveyDocument, 'dimensions'>): Map<string, QuestionInfo> {
  const out = new Map<string, QuestionInfo>();
  for (const dimension of doc.dimensions) {
    for (const question of dimension.questions) {
      const multiple = question.multiple?.score ?? null;
      out.set(question.code, {
        question,
        dimension,
        values: new Map(question.options.map((o) => [o.code, o.value])),
        byLabel: new Map(question.options.map((o) => [normLabel(o.label), o.code])),
        binary: multiple !== 'mean' && question.options.every((o) => o.value === null || o.value === 0 || o.value === 1),
        multiple,
      });
    }
  }
  return out;
}

/** The questions a `survey` rule maps to one leaf: its questionCodes, or every question of its dimension. */
export function mappedQuestions(doc: Pick<SurveyDocument, 'dimensions'>, rule: { questionCodes?: string[] | undefined; dimensionCode?: string | undefined }): string[] | null {
  if (rule.questionCodes && rule.questionCodes.length > 0) return rule.questionCodes;
  if (rule.dimensionCode) {
    const d = doc.dimensions.find((x) => x.code === rule.dimensionCode);
    return d ? d.questions.map((q) => q.code) : null;
  }
  return null;
}
