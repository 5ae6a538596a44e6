// The single drizzle schema for both drivers (node-postgres and PGlite).
// Points and indices are numeric (exact), never float columns.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const orgUnitKinds = ['province', 'department', 'district', 'commune', 'agency'] as const;
export type OrgUnitKind = (typeof orgUnitKinds)[number];

export const roles = ['admin', 'coordinator', 'appraiser', 'unit_editor', 'unit_head'] as const;
export type Role = (typeof roles)[number];

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Đơn vị: departments, communes/wards, the coordinating and appraising offices. Units are never renamed away: history stays. */
export const orgUnits = pgTable(
  'org_units',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: orgUnitKinds }).notNull(),
    parentCode: text('parent_code').references((): any => orgUnits.code, { onDelete: 'restrict' }),
    activeFrom: date('active_from', { mode: 'string' }),
    activeTo: date('active_to', { mode: 'string' }),
    /** Units merged into this one (sáp nhập): their published rows appear in this unit's public history. */
    predecessorCodes: jsonb('predecessor_codes').$type<string[]>().notNull().default([]),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('org_units_parent_idx').on(t.parentCode),
    check('org_units_active_range', sql`${t.activeTo} is null or ${t.activeFrom} is null or ${t.activeTo} >= ${t.activeFrom}`),
  ],
);

/** Dated name history of a unit: each name holds from `validFrom` until the next entry's `validFrom`. */
export const orgUnitNames = pgTable(
  'org_unit_names',
  {
    unitCode: text('unit_code').notNull().references(() => orgUnits.code, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    recordedBy: text('recorded_by'),
    recordedAt: ts('recorded_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'org_unit_names_pk', columns: [t.unitCode, t.validFrom] })],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    orgUnitCode: text('org_unit_code').references(() => orgUnits.code, { onDelete: 'restrict' }),
    passwordHash: text('password_hash').notNull(),
    active: boolean('active').notNull().default(true),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: ts('locked_until'),
    passwordChangedAt: ts('password_changed_at').notNull().defaultNow(),
    /** Someone else chose the password (generated first admin, reset by an admin): it must be changed first. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_username_uq').on(t.username), index('users_org_unit_idx').on(t.orgUnitCode)],
);

export const tokenKinds = ['session', 'api'] as const;

/** Opaque bearer tokens; only their SHA-256 is stored. */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: tokenKinds }).notNull(),
    name: text('name'),
    tokenHash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('auth_tokens_hash_uq').on(t.tokenHash), index('auth_tokens_user_idx').on(t.userId)],
);

/**
 * Append-only, hash-chained record of every state change. `hash` covers `prevHash` and the row's canonical JSON,
 * so editing or deleting any row breaks the chain from that row on.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorUsername: text('actor_username'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /** The chain this row links into (migration 0006): one per unit's assessment, 'global' for the rest. */
    stream: text('stream').notNull().default('global'),
  },
  (t) => [
    index('audit_entity_idx').on(t.entityType, t.entityId),
    index('audit_actor_idx').on(t.actorUsername),
    index('audit_at_idx').on(t.at),
  ],
);

/** The last row of each audit stream: appends lock only their stream's head; verify checks no tail was cut. */
export const auditHeads = pgTable('audit_heads', {
  stream: text('stream').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

export const frameworkStatuses = ['draft', 'published'] as const;
export type FrameworkStatus = (typeof frameworkStatuses)[number];

/**
 * Bộ tiêu chí: a versioned criteria set (SPEC §3, §9). `criteria` and `bands` hold the validated document;
 * a published framework is immutable (the service answers 409 and a trigger refuses any change).
 */
export const frameworks = pgTable(
  'frameworks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    /** Stable across years and versions ("XA" for XA-2024, XA-2025): year-over-year comparison follows it. */
    lineage: text('lineage').notNull(),
    name: text('name').notNull(),
    year: integer('year').notNull(),
    legalBasis: text('legal_basis'),
    status: text('status', { enum: frameworkStatuses }).notNull().default('draft'),
    /** 1, 2, … within (lineage, year). */
    version: integer('version').notNull(),
    bonusCap: numeric('bonus_cap', { precision: 8, scale: 2 }).notNull(),
    penaltyCap: numeric('penalty_cap', { precision: 8, scale: 2 }).notNull(),
    capIndexAt100: boolean('cap_index_at_100').notNull().default(true),
    surveyOptional: boolean('survey_optional').notNull().default(false),
    /** "không phát sinh": 'rebase' (leave points and max) or 'full_points' (award the item's max). */
    notApplicableScoring: text('not_applicable_scoring', { enum: ['rebase', 'full_points'] }).notNull().default('rebase'),
    bands: jsonb('bands').$type<unknown[]>().notNull(),
    criteria: jsonb('criteria').$type<unknown[]>().notNull(),
    clonedFrom: text('cloned_from'),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    publishedAt: ts('published_at'),
  },
  (t) => [
    uniqueIndex('frameworks_code_uq').on(t.code),
    uniqueIndex('frameworks_lineage_year_version_uq').on(t.lineage, t.year, t.version),
    index('frameworks_year_idx').on(t.year),
    check('frameworks_caps_non_negative', sql`${t.bonusCap} >= 0 and ${t.penaltyCap} >= 0`),
    check('frameworks_published_at', sql`(${t.status} = 'published') = (${t.publishedAt} is not null)`),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Rounds (đợt đánh giá) and assessments (one per unit per round, one item per leaf criterion).

export const roundPhases = ['draft', 'self_assessment', 'appraisal', 'explanation', 'final_appraisal', 'council_review', 'published'] as const;
export type RoundPhase = (typeof roundPhases)[number];

export const rounds = pgTable('rounds', {
  id: uuid('id').primaryKey().defaultRandom(),
  year: integer('year').notNull(),
  name: text('name').notNull(),
  phase: text('phase', { enum: roundPhases }).notNull().default('draft'),
  /** Last day (inclusive, Asia/Ho_Chi_Minh) of each phase: { self_assessment: 'YYYY-MM-DD', … }. */
  schedule: jsonb('schedule').$type<Partial<Record<RoundPhase, string>>>().notNull(),
  phaseChangedAt: ts('phase_changed_at'),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  /** Hủy đợt: a cancelled round frees its units for another round of the same year. */
  cancelledAt: ts('cancelled_at'),
  cancelledBy: text('cancelled_by'),
  cancelReason: text('cancel_reason'),
  /** Why a framework of another year was accepted (allowFrameworkYear). */
  frameworkYearReason: text('framework_year_reason'),
}, (t) => [
  index('rounds_year_idx').on(t.year),
  check('rounds_cancel_reason', sql`(${t.cancelledAt} is null) = (${t.cancelReason} is null)`),
]);

/** Hội đồng thẩm định: its members and who issues and signs the decision that publishes the index. */
export const roundCouncils = pgTable('round_councils', {
  roundId: uuid('round_id').primaryKey().references(() => rounds.id, { onDelete: 'cascade' }),
  members: jsonb('members').$type<{ name: string; position: string }[]>().notNull().default([]),
  decisionIssuer: text('decision_issuer'),
  signerName: text('signer_name'),
  signerTitle: text('signer_title'),
  updatedBy: text('updated_by').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Biên bản họp hội đồng: an uploaded file (bytes in the evidence blob store) or an official-document reference. */
export const roundMinutes = pgTable(
  'round_minutes',
  {
    roundId: uuid('round_id').primaryKey().references(() => rounds.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['file', 'document'] }).notNull(),
    blobKey: text('blob_key'),
    filename: text('filename'),
    mime: text('mime'),
    size: integer('size'),
    sha256: text('sha256'),
    docNumber: text('doc_number'),
    docDate: date('doc_date', { mode: 'string' }),
    issuer: text('issuer'),
    title: text('title'),
    url: text('url'),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('round_minutes_blob_uq').on(t.blobKey), check('round_minutes_kind', sql`${t.kind} in ('file', 'document')`)],
);

export const roundGroups = pgTable(
  'round_groups',
  {
    roundId: uuid('round_id').notNull().references(() => rounds.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    frameworkCode: text('framework_code').notNull().references(() => frameworks.code, { onDelete: 'restrict' }),
    /** Member units; their assessments are created when the round opens. */
    unitCodes: jsonb('unit_codes').$type<string[]>().notNull(),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.code] })],
);

/** Appraiser assignments: which areas of which group's framework a council member appraises. */
export const roundAppraisers = pgTable(
  'round_appraisers',
  {
    roundId: uuid('round_id').notNull().references(() => rounds.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'restrict' }),
    groupCode: text('group_code').notNull(),
    areaCode: text('area_code').notNull(),
    /** Only these units of the group (null: every unit of the group except the appraiser's own). */
    unitCodes: jsonb('unit_codes').$type<string[]>(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.userId, t.groupCode, t.areaCode] })],
);

export const assessmentStatuses = ['open', 'submitted'] as const;

export const assessments = pgTable(
  'assessments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roundId: uuid('round_id').notNull().references(() => rounds.id, { onDelete: 'cascade' }),
    groupCode: text('group_code').notNull(),
    unitCode: text('unit_code').notNull().references(() => orgUnits.code, { onDelete: 'restrict' }),
    frameworkCode: text('framework_code').notNull().references(() => frameworks.code, { onDelete: 'restrict' }),
    position: integer('position').notNull().default(0),
    status: text('status', { enum: assessmentStatuses }).notNull().default('open'),
    submittedAt: ts('submitted_at'),
    submittedBy: text('submitted_by'),
    sentBackAt: ts('sent_back_at'),
    sentBackReason: text('sent_back_reason'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('assessments_round_unit_uq').on(t.roundId, t.unitCode), index('assessments_round_group_idx').on(t.roundId, t.groupCode)],
);

/** Per-unit deadline extension of one phase (gia hạn), with the reason. */
export const deadlineExtensions = pgTable(
  'deadline_extensions',
  {
    assessmentId: uuid('assessment_id').notNull().references(() => assessments.id, { onDelete: 'cascade' }),
    phase: text('phase', { enum: roundPhases }).notNull(),
    until: date('until', { mode: 'string' }).notNull(),
    reason: text('reason').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.assessmentId, t.phase] })],
);

export const assessmentItems = pgTable(
  'assessment_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    assessmentId: uuid('assessment_id').notNull().references(() => assessments.id, { onDelete: 'cascade' }),
    criterionCode: text('criterion_code').notNull(),
    areaCode: text('area_code').notNull(),
    position: integer('position').notNull(),
    /** Optimistic concurrency: bumped on every change; the ETag is derived from it. */
    version: integer('version').notNull().default(1),
    selfInput: jsonb('self_input'),
    selfPoints: numeric('self_points', { precision: 8, scale: 2 }),
    notApplicable: boolean('not_applicable').notNull().default(false),
    note: text('note'),
    selfUpdatedAt: ts('self_updated_at'),
    selfUpdatedBy: text('self_updated_by'),
    // Appraisal, explanation and final decision (council).
    appraisalPoints: numeric('appraisal_points', { precision: 8, scale: 2 }),
    appraisalComment: text('appraisal_comment'),
    naConfirmed: boolean('na_confirmed'),
    explanationRequested: boolean('explanation_requested').notNull().default(false),
    appraisedBy: text('appraised_by'),
    appraisedAt: ts('appraised_at'),
    explanationText: text('explanation_text'),
    explainedAt: ts('explained_at'),
    explainedBy: text('explained_by'),
    finalPoints: numeric('final_points', { precision: 8, scale: 2 }),
    finalComment: text('final_comment'),
    /** Set when the coordinator confirmed the self points of an item nobody appraised (with the reason). */
    selfConfirmedBy: text('self_confirmed_by'),
    selfConfirmedAt: ts('self_confirmed_at'),
    selfConfirmedReason: text('self_confirmed_reason'),
    finalizedBy: text('finalized_by'),
    finalizedAt: ts('finalized_at'),
    /** The final score is the council's decision, entered by the coordinator (finalizedBy), not an appraiser's. */
    finalByCouncil: boolean('final_by_council').notNull().default(false),
    /** Kiến nghị: the unit contested an appraisal below its self points (it then counts as flagged). */
    objectionReason: text('objection_reason'),
    objectedAt: ts('objected_at'),
    objectedBy: text('objected_by'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('assessment_items_uq').on(t.assessmentId, t.criterionCode), index('assessment_items_area_idx').on(t.assessmentId, t.areaCode)],
);

/** Append-only history of every change to an item (self → appraisal → explanation → final, evidence). */
export const itemHistory = pgTable(
  'item_history',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    itemId: uuid('item_id').notNull().references(() => assessmentItems.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    kind: text('kind').notNull(),
    actorUsername: text('actor_username'),
    actorRole: text('actor_role'),
    actorUnitCode: text('actor_unit_code'),
    data: jsonb('data'),
    comment: text('comment'),
  },
  (t) => [index('item_history_item_idx').on(t.itemId)],
);

export const evidenceKinds = ['file', 'document'] as const;

/** Tài liệu kiểm chứng: an uploaded file (bytes in the blob store) or a reference to an official document. */
export const evidence = pgTable(
  'evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    itemId: uuid('item_id').notNull().references(() => assessmentItems.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: evidenceKinds }).notNull(),
    phase: text('phase', { enum: roundPhases }).notNull(),
    blobKey: text('blob_key'),
    filename: text('filename'),
    mime: text('mime'),
    size: integer('size'),
    sha256: text('sha256'),
    docNumber: text('doc_number'),
    docDate: date('doc_date', { mode: 'string' }),
    issuer: text('issuer'),
    title: text('title'),
    url: text('url'),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('evidence_item_idx').on(t.itemId), uniqueIndex('evidence_blob_uq').on(t.blobKey)],
);

/** Idempotency-Key records: the first successful response of a keyed request, replayed for repeats. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id').notNull(),
    key: text('key').notNull(),
    scope: text('scope').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

// ---------------------------------------------------------------------------------------------------------------
// Surveys (khảo sát): satisfaction (SIPAS-style) and sociological questionnaires, their responses, and the
// respondents' optional personal data kept apart from the answers.

export const surveyKinds = ['satisfaction', 'sociological'] as const;
export const surveyStatuses = ['draft', 'published'] as const;

export const surveys = pgTable(
  'surveys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: surveyKinds }).notNull(),
    year: integer('year'),
    status: text('status', { enum: surveyStatuses }).notNull().default('draft'),
    version: integer('version').notNull().default(1),
    minResponses: integer('min_responses').notNull().default(0),
    /** dimensions → questions → options (value in [0, 1] or null), weights: the validated definition. */
    definition: jsonb('definition').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    publishedAt: ts('published_at'),
  },
  (t) => [uniqueIndex('surveys_code_uq').on(t.code)],
);

export const responseSources = ['form', 'import'] as const;

export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id').notNull().references(() => surveys.id, { onDelete: 'restrict' }),
    unitCode: text('unit_code').notNull().references(() => orgUnits.code, { onDelete: 'restrict' }),
    /** Client-generated id (form) or instanceID/_uuid/id (import): the idempotency key. */
    responseId: text('response_id').notNull(),
    source: text('source', { enum: responseSources }).notNull(),
    /** { questionCode: optionCode } */
    answers: jsonb('answers').$type<Record<string, string>>().notNull(),
    submittedAt: ts('submitted_at').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Import: the version imported (meta/instanceID; an edit changes it while responseId, the root id, stays). */
    sourceVersion: text('source_version'),
    /** Import: when a re-import of an edited submission last replaced this response. */
    replacedAt: ts('replaced_at'),
  },
  (t) => [uniqueIndex('survey_responses_uq').on(t.surveyId, t.responseId), index('survey_responses_unit_idx').on(t.surveyId, t.unitCode)],
);

/** Optional demographics, stored apart from the answers, never published, purged after the retention period. */
export const surveyRespondents = pgTable('survey_respondents', {
  responseId: uuid('response_id')
    .primaryKey()
    .references(() => surveyResponses.id, { onDelete: 'cascade' }),
  sex: text('sex'),
  ageBand: text('age_band'),
  occupation: text('occupation'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

// ---------------------------------------------------------------------------------------------------------------
// Publications (công bố): immutable, signed snapshots of a round's results.

export const publications = pgTable(
  'publications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    roundId: uuid('round_id').notNull().references(() => rounds.id, { onDelete: 'restrict' }),
    year: integer('year').notNull(),
    decisionNumber: text('decision_number').notNull(),
    decisionDate: date('decision_date', { mode: 'string' }).notNull(),
    /** Who issued and signed the decision (null on publications made before these were recorded). */
    decisionIssuer: text('decision_issuer'),
    signerName: text('signer_name'),
    signerTitle: text('signer_title'),
    publishedAt: ts('published_at').notNull(),
    /** The snapshot exactly as hashed and signed: RFC 8785 canonical JSON text. */
    snapshot: text('snapshot').notNull(),
    hash: text('hash').notNull(),
    signature: text('signature').notNull(),
    keyId: text('key_id').notNull(),
    /** Hash of the publication before this one (any round): the chain of everything ever published. */
    prevHash: text('prev_hash').notNull(),
    /** A correction supersedes an earlier publication of the same round, with a reason. */
    supersedesId: uuid('supersedes_id').references((): any => publications.id, { onDelete: 'restrict' }),
    reason: text('reason'),
    createdBy: text('created_by').notNull(),
  },
  (t) => [index('publications_round_idx').on(t.roundId), index('publications_year_idx').on(t.year), uniqueIndex('publications_supersedes_uq').on(t.supersedesId)],
);

/** One row per unit of a publication, for year-over-year history and previous-index look-ups. */
export const publicationRows = pgTable(
  'publication_rows',
  {
    publicationId: uuid('publication_id').notNull().references(() => publications.id, { onDelete: 'restrict' }),
    groupCode: text('group_code').notNull(),
    unitCode: text('unit_code').notNull(),
    unitName: text('unit_name').notNull(),
    year: integer('year').notNull(),
    frameworkCode: text('framework_code').notNull(),
    lineage: text('lineage').notNull(),
    total: numeric('total', { precision: 10, scale: 2 }).notNull(),
    max: numeric('max', { precision: 10, scale: 2 }).notNull(),
    index: numeric('index', { precision: 7, scale: 2 }),
    rank: integer('rank'),
    band: text('band'),
    bandLabel: text('band_label'),
  },
  (t) => [primaryKey({ columns: [t.publicationId, t.unitCode] }), index('publication_rows_unit_idx').on(t.unitCode, t.lineage, t.year)],
);

// ---------------------------------------------------------------------------------------------------------------
// Several instances on one database (issue 16).

/** Hit counters of the rate limits every instance shares: one row per key, the window starts at its first hit. */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: text('key').primaryKey(),
    windowStart: ts('window_start').notNull(),
    expiresAt: ts('expires_at').notNull(),
    hits: integer('hits').notNull(),
  },
  (t) => [index('rate_limit_counters_expires_idx').on(t.expiresAt)],
);

export const jobOutcomes = ['running', 'succeeded', 'failed'] as const;

/**
 * One row per run of a background job. (name, slot) is unique: the instance whose insert wins a slot (e.g. the
 * hour) runs the job, the others skip it, so scheduled work happens once however many instances run.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slot: text('slot').notNull(),
    instance: text('instance').notNull(),
    startedAt: ts('started_at').notNull(),
    finishedAt: ts('finished_at'),
    outcome: text('outcome', { enum: jobOutcomes }).notNull().default('running'),
    detail: jsonb('detail'),
  },
  (t) => [
    uniqueIndex('job_runs_name_slot_uq').on(t.name, t.slot),
    index('job_runs_started_idx').on(t.startedAt),
    check('job_runs_outcome_check', sql`${t.outcome} in ('running', 'succeeded', 'failed')`),
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// The year behind the index (issue 17): the CCHC plan's tasks, periodic reports and inspections. Their counts
// pre-fill the criteria that declare a `feed` (area 1, "Công tác chỉ đạo, điều hành CCHC").

/** Kế hoạch CCHC năm: one per year and issuer, with its appendix of tasks. */
export const plans = pgTable(
  'plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    year: integer('year').notNull(),
    title: text('title').notNull(),
    decisionNumber: text('decision_number'),
    decisionDate: date('decision_date', { mode: 'string' }),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('plans_code_uq').on(t.code), index('plans_year_idx').on(t.year)],
);

export const planTasks = pgTable(
  'plan_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    planId: uuid('plan_id').notNull().references(() => plans.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    position: integer('position').notNull(),
    area: text('area'),
    title: text('title').notNull(),
    product: text('product'),
    leadUnitCode: text('lead_unit_code').notNull().references(() => orgUnits.code, { onDelete: 'restrict' }),
    supportUnitCodes: jsonb('support_unit_codes').$type<string[]>().notNull().default([]),
    timeframe: text('timeframe'),
    /** YYYY-MM-DD, ascending; the last one is the task's deadline. */
    dueDates: jsonb('due_dates').$type<string[]>().notNull().default([]),
  },
  (t) => [uniqueIndex('plan_tasks_uq').on(t.planId, t.code), index('plan_tasks_lead_idx').on(t.leadUnitCode)],
);

export const planTaskStatuses = ['done', 'in_progress', 'not_started'] as const;

export const planTaskProgress = pgTable(
  'plan_task_progress',
  {
    taskId: uuid('task_id').notNull().references(() => planTasks.id, { onDelete: 'cascade' }),
    unitCode: text('unit_code').notNull().references(() => orgUnits.code, { onDelete: 'restrict' }),
    status: text('status', { enum: planTaskStatuses }).notNull(),
    completedOn: date('completed_on', { mode: 'string' }),
    note: text('note'),
    evidence: jsonb('evidence').$type<unknown[]>().notNull().default([]),
    updatedBy: text('updated_by').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'plan_task_progress_pk', columns: [t.taskId, t.unitCode] }),
    check('plan_task_progress_status_check', sql`${t.status} in ('done', 'in_progress', 'not_started')`),
    check('plan_task_progress_done_check', sql`(${t.status} = 'done') = (${t.completedOn} is not null)`),
  ],
);

export const planTaskProgressHistory = pgTable(
  'plan_task_progress_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    taskId: uuid('task_id').notNull().references(() => planTasks.id, { onDelete: 'cascade' }),
    unitCode: text('unit_code').notNull(),
    data: jsonb('data').notNull(),
    at: ts('at').notNull(),
    actorUsername: text('actor_username').notNull(),
  },
  (t) => [index('plan_task_progress_history_idx').on(t.taskId, t.unitCode)],
);

export const reportPeriodKinds = ['quarter', 'half_year', 'year', 'ad_hoc'] as const;

/** Kỳ báo cáo: quarterly, 6-month, annual or ad-hoc report every listed unit owes by the due date. */
export const reportPeriods = pgTable(
  'report_periods',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    year: integer('year').notNull(),
    kind: text('kind', { enum: reportPeriodKinds }).notNull(),
    label: text('label').notNull(),
    cutoffFrom: date('cutoff_from', { mode: 'string' }).notNull(),
    cutoffTo: date('cutoff_to', { mode: 'string' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    unitCodes: jsonb('unit_codes').$type<string[]>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('report_periods_year_idx').on(t.year),
    check('report_periods_kind_check', sql`${t.kind} in ('quarter', 'half_year', 'year', 'ad_hoc')`),
    check('report_periods_cutoff_check', sql`${t.cutoffTo} >= ${t.cutoffFrom}`),
  ],
);

export const periodReports = pgTable(
  'period_reports',
  {
    periodId: uuid('period_id').notNull().references(() => reportPeriods.id, { onDelete: 'cascade' }),
    unitCode: text('unit_code').notNull().references(() => orgUnits.code, { onDelete: 'restrict' }),
    submittedAt: ts('submitted_at').notNull(),
    /** The day in Vietnam it was sent: what "on time" is judged by. */
    submittedOn: date('submitted_on', { mode: 'string' }).notNull(),
    document: jsonb('document').notNull(),
    submittedBy: text('submitted_by').notNull(),
  },
  (t) => [primaryKey({ name: 'period_reports_pk', columns: [t.periodId, t.unitCode] })],
);

export const reportExtensions = pgTable(
  'report_extensions',
  {
    periodId: uuid('period_id').notNull().references(() => reportPeriods.id, { onDelete: 'cascade' }),
    unitCode: text('unit_code').notNull().references(() => orgUnits.code, { onDelete: 'restrict' }),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    reason: text('reason').notNull(),
    grantedBy: text('granted_by').notNull(),
    grantedAt: ts('granted_at').notNull(),
  },
  (t) => [primaryKey({ name: 'report_extensions_pk', columns: [t.periodId, t.unitCode] })],
);

/** Kiểm tra CCHC: an inspection of one unit, with findings to remedy by their due dates. */
export const inspections = pgTable(
  'inspections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    year: integer('year').notNull(),
    unitCode: text('unit_code').notNull().references(() => orgUnits.code, { onDelete: 'restrict' }),
    date: date('date', { mode: 'string' }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('inspections_unit_year_idx').on(t.unitCode, t.year)],
);

export const inspectionFindings = pgTable(
  'inspection_findings',
  {
    inspectionId: uuid('inspection_id').notNull().references(() => inspections.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    position: integer('position').notNull(),
    text: text('text').notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    remediedOn: date('remedied_on', { mode: 'string' }),
    note: text('note'),
    evidence: jsonb('evidence').$type<unknown[]>().notNull().default([]),
    updatedBy: text('updated_by'),
    updatedAt: ts('updated_at'),
  },
  (t) => [primaryKey({ name: 'inspection_findings_pk', columns: [t.inspectionId, t.code] })],
);

export const feedSources = ['plan_tasks_on_time', 'reports_on_time', 'findings_remedied'] as const;
export type FeedSource = (typeof feedSources)[number];

/** What the tracked data said for a fed item when it was pre-filled; the unit may enter other numbers beside it. */
export const trackedInputs = pgTable(
  'tracked_inputs',
  {
    itemId: uuid('item_id')
      .primaryKey()
      .references(() => assessmentItems.id, { onDelete: 'cascade' }),
    source: text('source', { enum: feedSources }).notNull(),
    numerator: integer('numerator').notNull(),
    denominator: integer('denominator').notNull(),
    trace: jsonb('trace').$type<string[]>().notNull(),
    computedAt: ts('computed_at').notNull(),
  },
  (t) => [check('tracked_inputs_source_check', sql`${t.source} in ('plan_tasks_on_time', 'reports_on_time', 'findings_remedied')`)],
);

/**
 * The page a web form POST answered with, kept briefly so the browser can be sent (303) to a GET address it may
 * reload (post/redirect/get); bound to the browser's CSRF secret (hashed) and to the user.
 */
export const webFormSnapshots = pgTable(
  'web_form_snapshots',
  {
    id: uuid('id').primaryKey(),
    ownerHash: text('owner_hash').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('web_form_snapshots_expires_idx').on(t.expiresAt)],
);
