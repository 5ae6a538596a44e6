// Framework documents and validation cases shared by the unit tests of the validator and the API tests, so that
// every rule is checked both in isolation and through POST /api/v1/frameworks.

export type Doc = Record<string, any>;

/** A small valid document in the shape of SPEC §9: an area with a sub-criterion, a survey area, bonus and penalty. */
export function sampleDoc(code = 'XA-2025'): Doc {
  return {
    code,
    name: 'Bộ tiêu chí Chỉ số CCHC UBND xã, phường năm 2025',
    year: 2025,
    legalBasis: 'Quyết định số 12/QĐ-UBND',
    bonusCap: 1,
    penaltyCap: 2,
    surveyOptional: false,
    bands: [
      { code: 'XS', label: 'Xuất sắc', minIndex: 90 },
      { code: 'TOT', label: 'Tốt', minIndex: 80 },
      { code: 'KHA', label: 'Khá', minIndex: 70 },
      { code: 'TB', label: 'Trung bình', minIndex: 50 },
      { code: 'YEU', label: 'Yếu', minIndex: 0 },
    ],
    criteria: [
      {
        code: '1',
        title: 'Công tác chỉ đạo, điều hành CCHC',
        maxPoints: 5,
        children: [
          {
            code: '1.1',
            title: 'Ban hành kế hoạch CCHC năm',
            maxPoints: 1,
            source: 'self',
            rule: {
              type: 'options',
              options: [
                { code: 'ON_TIME', label: 'Ban hành kịp thời', points: 1 },
                { code: 'LATE', label: 'Không kịp thời', points: 0.5 },
                { code: 'NONE', label: 'Không ban hành', points: 0 },
              ],
            },
            evidence: { required: true, hint: 'Kế hoạch CCHC năm của đơn vị' },
          },
          {
            code: '1.2',
            title: 'Mức độ thực hiện kế hoạch CCHC',
            maxPoints: 2,
            source: 'self',
            rule: { type: 'tiered', input: 'percent', tiers: [{ gt: 90, points: 2 }, { gte: 70, points: 1 }], otherwise: 0 },
          },
          {
            code: '1.3',
            title: 'Tỷ lệ hồ sơ giải quyết trễ hạn',
            maxPoints: 2,
            source: 'self',
            naAllowed: true,
            rule: { type: 'proportional', input: 'ratio', direction: 'lower' },
          },
        ],
      },
      {
        code: '2',
        title: 'Cải cách thủ tục hành chính',
        maxPoints: 4,
        children: [
          { code: '2.1', title: 'Tỷ lệ hồ sơ trực tuyến', maxPoints: 4, source: 'self', rule: { type: 'proportional', input: 'percent', direction: 'higher' } },
        ],
      },
      {
        code: '3',
        title: 'Mức độ hài lòng',
        maxPoints: 3,
        children: [
          { code: '3.1', title: 'Hài lòng về TTHC', maxPoints: 3, source: 'survey', rule: { type: 'survey', surveyCode: 'SIPAS-XA-2025', questionCodes: ['Q1', 'Q2'] } },
        ],
      },
      {
        code: '9',
        title: 'Điểm thưởng',
        kind: 'bonus',
        maxPoints: 2,
        children: [{ code: '9.1', title: 'Sáng kiến CCHC được công nhận', maxPoints: 2, source: 'appraisal', rule: { type: 'binary' } }],
      },
      {
        code: '10',
        title: 'Điểm trừ',
        kind: 'penalty',
        maxPoints: 3,
        children: [
          { code: '10.1', title: 'Số hồ sơ sai phạm bị kết luận', maxPoints: 3, source: 'appraisal', rule: { type: 'tiered', input: 'count', tiers: [{ gte: 1, points: 3 }] } },
        ],
      },
    ],
  };
}

/** The node with this code (throws when absent, to keep cases honest). */
export function at(doc: Doc, code: string): Doc {
  const stack = [...doc.criteria];
  while (stack.length) {
    const n = stack.shift();
    if (n.code === code) return n;
    stack.push(...(n.children ?? []));
  }
  throw new Error(`no criterion ${code}`);
}

export interface ValidationCase {
  name: string;
  mutate: (doc: Doc) => void;
  field: string;
  code: string;
  message: RegExp;
}

/** One case per validation rule; each names the field and says what the message must contain. */
export const validationCases: ValidationCase[] = [
  {
    name: 'duplicate criterion code',
    mutate: (d) => {
      at(d, '1').children.push(structuredClone(at(d, '1.1')));
      at(d, '1').maxPoints = 6;
    },
    field: 'criteria[1.1].code',
    code: 'duplicate',
    message: /^criterion 1\.1: code 1\.1 is used by more than one criterion/,
  },
  {
    name: 'child code not nested under its parent',
    mutate: (d) => (at(d, '2.1').code = '3.5'),
    field: 'criteria[3.5].code',
    code: 'not_nested',
    message: /^criterion 3\.5: 3\.5 is listed under 2, so its code must be 2\.<n>/,
  },
  {
    name: 'area code with more than one part',
    mutate: (d) => (d.criteria[1].code = '2.0'),
    field: 'criteria[2.0].code',
    code: 'not_nested',
    message: /^criterion 2\.0: an area \(top-level criterion\) has a one-part code/,
  },
  {
    name: "maxPoints not the sum of the children's",
    mutate: (d) => (at(d, '1').maxPoints = 6),
    field: 'criteria[1].maxPoints',
    code: 'sum_mismatch',
    message: /^criterion 1: maxPoints 6 is not the sum of its sub-criteria's maxPoints \(1\.1: 1 \+ 1\.2: 2 \+ 1\.3: 2 = 5\)/,
  },
  {
    name: 'more than 2 decimals',
    mutate: (d) => {
      at(d, '2.1').maxPoints = 4.125;
      at(d, '2').maxPoints = 4.125;
    },
    field: 'criteria[2.1].maxPoints',
    code: 'too_many_decimals',
    message: /^criterion 2\.1: maxPoints 4\.125 has more than 2 decimals/,
  },
  {
    name: 'maxPoints zero',
    mutate: (d) => {
      at(d, '1.3').maxPoints = 0;
      at(d, '1').maxPoints = 3;
    },
    field: 'criteria[1.3].maxPoints',
    code: 'out_of_range',
    message: /^criterion 1\.3: maxPoints must be greater than 0/,
  },
  {
    name: 'tier bounds out of order (a tier can never apply)',
    mutate: (d) => (at(d, '1.2').rule.tiers = [{ gte: 70, points: 1 }, { gt: 90, points: 2 }]),
    field: 'criteria[1.2].rule.tiers[1].gt',
    code: 'tier_unreachable',
    message: /^criterion 1\.2: tiers\[1\] \(> 90%\) can never apply/,
  },
  {
    name: 'upper-bound tiers out of order',
    mutate: (d) =>
      (at(d, '1.3').rule = { type: 'tiered', input: 'ratio', tiers: [{ lt: 5, points: 1 }, { lt: 2, points: 2 }], otherwise: 0 }),
    field: 'criteria[1.3].rule.tiers[1].lt',
    code: 'tier_unreachable',
    message: /^criterion 1\.3: tiers\[1\] \(< 2%\) can never apply/,
  },
  {
    name: 'count tiers: > 2.5 after ≥ 3 covers no whole number',
    mutate: (d) => (at(d, '10.1').rule.tiers = [{ gte: 3, points: 3 }, { gt: 2.5, points: 1 }]),
    field: 'criteria[10.1].rule.tiers[1].gt',
    code: 'tier_unreachable',
    message: /^criterion 10\.1: tiers\[1\] \(> 2\.5\) can never apply/,
  },
  {
    name: 'tier with two bounds',
    mutate: (d) => (at(d, '1.2').rule.tiers[0] = { gte: 80, lt: 100, points: 2 }),
    field: 'criteria[1.2].rule.tiers[0]',
    code: 'tier_bound',
    message: /^criterion 1\.2: tiers\[0\] needs exactly one bound of gte, gt, lte, lt \(found gte, lt\)/,
  },
  {
    name: 'percent bound above 100',
    mutate: (d) => (at(d, '1.2').rule.tiers[0] = { gte: 120, points: 2 }),
    field: 'criteria[1.2].rule.tiers[0].gte',
    code: 'out_of_range',
    message: /^criterion 1\.2: tiers\[0\]\.gte 120 is outside the percent range \(0–100\)/,
  },
  {
    name: 'tier points above maxPoints',
    mutate: (d) => (at(d, '1.2').rule.tiers[0].points = 2.5),
    field: 'criteria[1.2].rule.tiers[0].points',
    code: 'out_of_range',
    message: /^criterion 1\.2: tiers\[0\] points 2\.5 exceeds the criterion's maxPoints 2/,
  },
  {
    name: 'no reachable tier gives full marks',
    mutate: (d) => (at(d, '1.2').rule.tiers = [{ gt: 90, points: 1.5 }, { gte: 70, points: 1 }]),
    field: 'criteria[1.2].rule',
    code: 'max_unreachable',
    message: /^criterion 1\.2: no reachable tier awards the full maxPoints 2 \(highest: 1\.5\)/,
  },
  {
    name: 'duplicate option code',
    mutate: (d) => (at(d, '1.1').rule.options[2].code = 'LATE'),
    field: 'criteria[1.1].rule.options[2].code',
    code: 'duplicate',
    message: /^criterion 1\.1: option code "LATE" is used more than once/,
  },
  {
    name: 'negative option points',
    mutate: (d) => (at(d, '1.1').rule.options[2].points = -0.5),
    field: 'criteria[1.1].rule.options[2].points',
    code: 'out_of_range',
    message: /^criterion 1\.1: option NONE points must not be negative \(got -0\.5\)/,
  },
  {
    name: 'no option gives full marks',
    mutate: (d) => (at(d, '1.1').rule.options[0].points = 0.75),
    field: 'criteria[1.1].rule',
    code: 'max_unreachable',
    message: /^criterion 1\.1: no option awards the full maxPoints 1 \(highest: 0\.75\)/,
  },
  {
    name: 'manual step does not divide maxPoints',
    mutate: (d) => (at(d, '2.1').rule = { type: 'manual', step: 0.3 }),
    field: 'criteria[2.1].rule.step',
    code: 'step_not_divisor',
    message: /^criterion 2\.1: step 0\.3 does not divide maxPoints 4/,
  },
  {
    name: 'default manual step does not divide maxPoints',
    mutate: (d) => {
      at(d, '2.1').maxPoints = 4.1;
      at(d, '2').maxPoints = 4.1;
      at(d, '2.1').rule = { type: 'manual' };
    },
    field: 'criteria[2.1].rule.step',
    code: 'step_not_divisor',
    message: /^criterion 2\.1: the default step 0\.25 does not divide maxPoints 4\.1/,
  },
  {
    name: 'bands not strictly descending',
    mutate: (d) => (d.bands[2].minIndex = 80),
    field: 'bands[2].minIndex',
    code: 'bands_order',
    message: /^band KHA: minIndex 80 must be lower than 80 of band TOT before it/,
  },
  {
    name: 'lowest band above 0',
    mutate: (d) => (d.bands[4].minIndex = 10),
    field: 'bands[4].minIndex',
    code: 'bands_floor',
    message: /^band YEU: the lowest band must start at minIndex 0/,
  },
  {
    name: 'duplicate band code',
    mutate: (d) => (d.bands[1].code = 'XS'),
    field: 'bands[1].code',
    code: 'duplicate',
    message: /^band XS: code is used by more than one band/,
  },
  {
    name: 'negative cap',
    mutate: (d) => (d.penaltyCap = -1),
    field: 'penaltyCap',
    code: 'out_of_range',
    message: /^penaltyCap must not be negative \(got -1\)/,
  },
  {
    name: 'survey rule with neither questionCodes nor dimensionCode',
    mutate: (d) => delete at(d, '3.1').rule.questionCodes,
    field: 'criteria[3.1].rule',
    code: 'survey_mapping',
    message: /^criterion 3\.1: a survey rule maps exactly one of questionCodes or dimensionCode of survey SIPAS-XA-2025 \(found neither\)/,
  },
  {
    name: 'survey rule with both questionCodes and dimensionCode',
    mutate: (d) => (at(d, '3.1').rule.dimensionCode = 'TIEP_CAN'),
    field: 'criteria[3.1].rule',
    code: 'survey_mapping',
    message: /\(found both\)/,
  },
  {
    name: 'survey rule without a survey code',
    mutate: (d) => (at(d, '3.1').rule.surveyCode = ''),
    field: 'criteria[3.1].rule.surveyCode',
    code: 'too_small',
    message: /^criterion 3\.1: rule\.surveyCode: /,
  },
  {
    name: "source 'survey' without a survey rule",
    mutate: (d) => (at(d, '2.1').source = 'survey'),
    field: 'criteria[2.1].source',
    code: 'source_rule_mismatch',
    message: /^criterion 2\.1: source "survey" needs a rule of type "survey" \(got "proportional"\)/,
  },
  {
    name: "survey rule without source 'survey'",
    mutate: (d) => (at(d, '3.1').source = 'self'),
    field: 'criteria[3.1].source',
    code: 'source_rule_mismatch',
    message: /^criterion 3\.1: a rule of type "survey" is computed from survey results, so source must be "survey"/,
  },
  {
    name: 'kind below an area',
    mutate: (d) => (at(d, '9.1').kind = 'bonus'),
    field: 'criteria[9.1].kind',
    code: 'kind_not_area',
    message: /^criterion 9\.1: kind belongs on areas \(top-level criteria\) only; 9\.1 is under 9/,
  },
  {
    name: 'no regular area',
    mutate: (d) => (d.criteria = d.criteria.filter((a: Doc) => a.kind)),
    field: 'criteria',
    code: 'no_regular_area',
    message: /^at least one area must be regular/,
  },
  {
    name: 'leaf without a rule',
    mutate: (d) => delete at(d, '1.2').rule,
    field: 'criteria[1.2].rule',
    code: 'required',
    message: /^criterion 1\.2: a leaf needs a rule/,
  },
  {
    name: 'leaf without a source',
    mutate: (d) => delete at(d, '1.2').source,
    field: 'criteria[1.2].source',
    code: 'required',
    message: /^criterion 1\.2: a leaf needs a source: self, survey or appraisal/,
  },
  {
    name: 'rule on a node with children',
    mutate: (d) => (at(d, '1').rule = { type: 'binary' }),
    field: 'criteria[1].rule',
    code: 'leaf_field_on_node',
    message: /^criterion 1: rule belongs on leaves only; 1 has sub-criteria/,
  },
  {
    name: 'empty children',
    mutate: (d) => (at(d, '1.3').children = []),
    field: 'criteria[1.3].children',
    code: 'empty_children',
    message: /^criterion 1\.3: children is empty/,
  },
  {
    name: 'unknown rule type',
    mutate: (d) => (at(d, '1.1').rule.type = 'lottery'),
    field: 'criteria[1.1].rule.type',
    code: 'invalid_union',
    message: /^criterion 1\.1: rule\.type must be one of manual, binary, options, tiered, proportional, survey/,
  },
  {
    name: 'unknown field on a criterion',
    mutate: (d) => (at(d, '1.2').weight = 2),
    field: 'criteria[1.2].weight',
    code: 'unrecognized_key',
    message: /^criterion 1\.2: weight is not an accepted field/,
  },
  {
    name: 'wrong type',
    mutate: (d) => (at(d, '1.2').maxPoints = '2'),
    field: 'criteria[1.2].maxPoints',
    code: 'invalid_type',
    message: /^criterion 1\.2: maxPoints: Invalid input: expected number, received string/,
  },
  {
    name: 'malformed code named by position',
    mutate: (d) => (at(d, '1.2').code = '1 2'),
    field: 'criteria[1].children[#1].code',
    code: 'invalid_format',
    message: /^criterion at criteria\[1\]\.children\[#1\]: code: a criterion code is dot-separated/,
  },
];
