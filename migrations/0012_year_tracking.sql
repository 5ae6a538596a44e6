-- The year behind the index (issue 17): CCHC plan tasks with progress, periodic reports and inspections, whose
-- counts pre-fill the criteria that declare a feed.
CREATE TABLE "plans" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "code" text NOT NULL,
  "year" integer NOT NULL,
  "title" text NOT NULL,
  "decision_number" text,
  "decision_date" date,
  "created_by" text NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "plans_code_uq" ON "plans" USING btree ("code");
--> statement-breakpoint
CREATE INDEX "plans_year_idx" ON "plans" USING btree ("year");
--> statement-breakpoint
CREATE TABLE "plan_tasks" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "plan_id" uuid NOT NULL REFERENCES "plans"("id") ON DELETE cascade,
  "code" text NOT NULL,
  "position" integer NOT NULL,
  "area" text,
  "title" text NOT NULL,
  "product" text,
  "lead_unit_code" text NOT NULL REFERENCES "org_units"("code") ON DELETE restrict,
  "support_unit_codes" jsonb DEFAULT '[]'::jsonb NOT NULL,
  "timeframe" text,
  "due_dates" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "plan_tasks_uq" ON "plan_tasks" USING btree ("plan_id","code");
--> statement-breakpoint
CREATE INDEX "plan_tasks_lead_idx" ON "plan_tasks" USING btree ("lead_unit_code");
--> statement-breakpoint
CREATE TABLE "plan_task_progress" (
  "task_id" uuid NOT NULL REFERENCES "plan_tasks"("id") ON DELETE cascade,
  "unit_code" text NOT NULL REFERENCES "org_units"("code") ON DELETE restrict,
  "status" text NOT NULL,
  "completed_on" date,
  "note" text,
  "evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
  "updated_by" text NOT NULL,
  "updated_at" timestamp with time zone NOT NULL,
  CONSTRAINT "plan_task_progress_pk" PRIMARY KEY ("task_id","unit_code"),
  CONSTRAINT "plan_task_progress_status_check" CHECK ("status" in ('done', 'in_progress', 'not_started')),
  CONSTRAINT "plan_task_progress_done_check" CHECK (("status" = 'done') = ("completed_on" is not null))
);
--> statement-breakpoint
CREATE TABLE "plan_task_progress_history" (
  "id" bigserial PRIMARY KEY NOT NULL,
  "task_id" uuid NOT NULL REFERENCES "plan_tasks"("id") ON DELETE cascade,
  "unit_code" text NOT NULL,
  "data" jsonb NOT NULL,
  "at" timestamp with time zone NOT NULL,
  "actor_username" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "plan_task_progress_history_idx" ON "plan_task_progress_history" USING btree ("task_id","unit_code");
--> statement-breakpoint
CREATE TABLE "report_periods" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "year" integer NOT NULL,
  "kind" text NOT NULL,
  "label" text NOT NULL,
  "cutoff_from" date NOT NULL,
  "cutoff_to" date NOT NULL,
  "due_date" date NOT NULL,
  "unit_codes" jsonb NOT NULL,
  "created_by" text NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "report_periods_kind_check" CHECK ("kind" in ('quarter', 'half_year', 'year', 'ad_hoc')),
  CONSTRAINT "report_periods_cutoff_check" CHECK ("cutoff_to" >= "cutoff_from")
);
--> statement-breakpoint
CREATE INDEX "report_periods_year_idx" ON "report_periods" USING btree ("year");
--> statement-breakpoint
CREATE TABLE "period_reports" (
  "period_id" uuid NOT NULL REFERENCES "report_periods"("id") ON DELETE cascade,
  "unit_code" text NOT NULL REFERENCES "org_units"("code") ON DELETE restrict,
  "submitted_at" timestamp with time zone NOT NULL,
  "submitted_on" date NOT NULL,
  "document" jsonb NOT NULL,
  "submitted_by" text NOT NULL,
  CONSTRAINT "period_reports_pk" PRIMARY KEY ("period_id","unit_code")
);
--> statement-breakpoint
CREATE TABLE "report_extensions" (
  "period_id" uuid NOT NULL REFERENCES "report_periods"("id") ON DELETE cascade,
  "unit_code" text NOT NULL REFERENCES "org_units"("code") ON DELETE restrict,
  "due_date" date NOT NULL,
  "reason" text NOT NULL,
  "granted_by" text NOT NULL,
  "granted_at" timestamp with time zone NOT NULL,
  CONSTRAINT "report_extensions_pk" PRIMARY KEY ("period_id","unit_code")
);
--> statement-breakpoint
CREATE TABLE "inspections" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "year" integer NOT NULL,
  "unit_code" text NOT NULL REFERENCES "org_units"("code") ON DELETE restrict,
  "date" date NOT NULL,
  "created_by" text NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "inspections_unit_year_idx" ON "inspections" USING btree ("unit_code","year");
--> statement-breakpoint
CREATE TABLE "inspection_findings" (
  "inspection_id" uuid NOT NULL REFERENCES "inspections"("id") ON DELETE cascade,
  "code" text NOT NULL,
  "position" integer NOT NULL,
  "text" text NOT NULL,
  "due_date" date NOT NULL,
  "remedied_on" date,
  "note" text,
  "evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
  "updated_by" text,
  "updated_at" timestamp with time zone,
  CONSTRAINT "inspection_findings_pk" PRIMARY KEY ("inspection_id","code")
);
--> statement-breakpoint
CREATE TABLE "tracked_inputs" (
  "item_id" uuid PRIMARY KEY NOT NULL REFERENCES "assessment_items"("id") ON DELETE cascade,
  "source" text NOT NULL,
  "numerator" integer NOT NULL,
  "denominator" integer NOT NULL,
  "trace" jsonb NOT NULL,
  "computed_at" timestamp with time zone NOT NULL,
  CONSTRAINT "tracked_inputs_source_check" CHECK ("source" in ('plan_tasks_on_time', 'reports_on_time', 'findings_remedied'))
);
