CREATE TABLE "assessment_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"assessment_id" uuid NOT NULL,
	"criterion_code" text NOT NULL,
	"area_code" text NOT NULL,
	"position" integer NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"self_input" jsonb,
	"self_points" numeric(8, 2),
	"not_applicable" boolean DEFAULT false NOT NULL,
	"note" text,
	"self_updated_at" timestamp with time zone,
	"self_updated_by" text,
	"appraisal_points" numeric(8, 2),
	"appraisal_comment" text,
	"na_confirmed" boolean,
	"explanation_requested" boolean DEFAULT false NOT NULL,
	"appraised_by" text,
	"appraised_at" timestamp with time zone,
	"explanation_text" text,
	"explained_at" timestamp with time zone,
	"explained_by" text,
	"final_points" numeric(8, 2),
	"final_comment" text,
	"self_confirmed_by" text,
	"self_confirmed_at" timestamp with time zone,
	"self_confirmed_reason" text,
	"finalized_by" text,
	"finalized_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assessments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"round_id" uuid NOT NULL,
	"group_code" text NOT NULL,
	"unit_code" text NOT NULL,
	"framework_code" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"submitted_at" timestamp with time zone,
	"submitted_by" text,
	"sent_back_at" timestamp with time zone,
	"sent_back_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deadline_extensions" (
	"assessment_id" uuid NOT NULL,
	"phase" text NOT NULL,
	"until" date NOT NULL,
	"reason" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deadline_extensions_assessment_id_phase_pk" PRIMARY KEY("assessment_id","phase")
);
--> statement-breakpoint
CREATE TABLE "evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"item_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"phase" text NOT NULL,
	"blob_key" text,
	"filename" text,
	"mime" text,
	"size" integer,
	"sha256" text,
	"doc_number" text,
	"doc_date" date,
	"issuer" text,
	"title" text,
	"url" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"user_id" uuid NOT NULL,
	"key" text NOT NULL,
	"scope" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
CREATE TABLE "item_history" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"item_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"actor_username" text,
	"actor_role" text,
	"actor_unit_code" text,
	"data" jsonb,
	"comment" text
);
--> statement-breakpoint
CREATE TABLE "round_appraisers" (
	"round_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"group_code" text NOT NULL,
	"area_code" text NOT NULL,
	CONSTRAINT "round_appraisers_round_id_user_id_group_code_area_code_pk" PRIMARY KEY("round_id","user_id","group_code","area_code")
);
--> statement-breakpoint
CREATE TABLE "round_groups" (
	"round_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"framework_code" text NOT NULL,
	"unit_codes" jsonb NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "round_groups_round_id_code_pk" PRIMARY KEY("round_id","code")
);
--> statement-breakpoint
CREATE TABLE "rounds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"year" integer NOT NULL,
	"name" text NOT NULL,
	"phase" text DEFAULT 'draft' NOT NULL,
	"schedule" jsonb NOT NULL,
	"phase_changed_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assessment_items" ADD CONSTRAINT "assessment_items_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_unit_code_org_units_code_fk" FOREIGN KEY ("unit_code") REFERENCES "public"."org_units"("code") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_framework_code_frameworks_code_fk" FOREIGN KEY ("framework_code") REFERENCES "public"."frameworks"("code") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadline_extensions" ADD CONSTRAINT "deadline_extensions_assessment_id_assessments_id_fk" FOREIGN KEY ("assessment_id") REFERENCES "public"."assessments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence" ADD CONSTRAINT "evidence_item_id_assessment_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."assessment_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_history" ADD CONSTRAINT "item_history_item_id_assessment_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."assessment_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_appraisers" ADD CONSTRAINT "round_appraisers_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_appraisers" ADD CONSTRAINT "round_appraisers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_groups" ADD CONSTRAINT "round_groups_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_groups" ADD CONSTRAINT "round_groups_framework_code_frameworks_code_fk" FOREIGN KEY ("framework_code") REFERENCES "public"."frameworks"("code") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "assessment_items_uq" ON "assessment_items" USING btree ("assessment_id","criterion_code");--> statement-breakpoint
CREATE INDEX "assessment_items_area_idx" ON "assessment_items" USING btree ("assessment_id","area_code");--> statement-breakpoint
CREATE UNIQUE INDEX "assessments_round_unit_uq" ON "assessments" USING btree ("round_id","unit_code");--> statement-breakpoint
CREATE INDEX "assessments_round_group_idx" ON "assessments" USING btree ("round_id","group_code");--> statement-breakpoint
CREATE INDEX "evidence_item_idx" ON "evidence" USING btree ("item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_blob_uq" ON "evidence" USING btree ("blob_key");--> statement-breakpoint
CREATE INDEX "item_history_item_idx" ON "item_history" USING btree ("item_id");