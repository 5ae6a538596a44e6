CREATE TABLE "publication_rows" (
	"publication_id" uuid NOT NULL,
	"group_code" text NOT NULL,
	"unit_code" text NOT NULL,
	"unit_name" text NOT NULL,
	"year" integer NOT NULL,
	"framework_code" text NOT NULL,
	"lineage" text NOT NULL,
	"total" numeric(10, 2) NOT NULL,
	"max" numeric(10, 2) NOT NULL,
	"index" numeric(7, 2),
	"rank" integer,
	"band" text,
	"band_label" text,
	CONSTRAINT "publication_rows_publication_id_unit_code_pk" PRIMARY KEY("publication_id","unit_code")
);
--> statement-breakpoint
CREATE TABLE "publications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"round_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"decision_number" text NOT NULL,
	"decision_date" date NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"snapshot" text NOT NULL,
	"hash" text NOT NULL,
	"signature" text NOT NULL,
	"key_id" text NOT NULL,
	"prev_hash" text NOT NULL,
	"supersedes_id" uuid,
	"reason" text,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "survey_respondents" (
	"response_id" uuid PRIMARY KEY NOT NULL,
	"sex" text,
	"age_band" text,
	"occupation" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"survey_id" uuid NOT NULL,
	"unit_code" text NOT NULL,
	"response_id" text NOT NULL,
	"source" text NOT NULL,
	"answers" jsonb NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "surveys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"year" integer,
	"status" text DEFAULT 'draft' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"min_responses" integer DEFAULT 0 NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "publication_rows" ADD CONSTRAINT "publication_rows_publication_id_publications_id_fk" FOREIGN KEY ("publication_id") REFERENCES "public"."publications"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publications" ADD CONSTRAINT "publications_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publications" ADD CONSTRAINT "publications_supersedes_id_publications_id_fk" FOREIGN KEY ("supersedes_id") REFERENCES "public"."publications"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_respondents" ADD CONSTRAINT "survey_respondents_response_id_survey_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "public"."survey_responses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_unit_code_org_units_code_fk" FOREIGN KEY ("unit_code") REFERENCES "public"."org_units"("code") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "publication_rows_unit_idx" ON "publication_rows" USING btree ("unit_code","lineage","year");--> statement-breakpoint
CREATE INDEX "publications_round_idx" ON "publications" USING btree ("round_id");--> statement-breakpoint
CREATE INDEX "publications_year_idx" ON "publications" USING btree ("year");--> statement-breakpoint
CREATE UNIQUE INDEX "publications_supersedes_uq" ON "publications" USING btree ("supersedes_id");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_responses_uq" ON "survey_responses" USING btree ("survey_id","response_id");--> statement-breakpoint
CREATE INDEX "survey_responses_unit_idx" ON "survey_responses" USING btree ("survey_id","unit_code");--> statement-breakpoint
CREATE UNIQUE INDEX "surveys_code_uq" ON "surveys" USING btree ("code");--> statement-breakpoint
-- Published results never change: a correction is a new publication that supersedes the old one.
CREATE FUNCTION publications_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER publications_no_update BEFORE UPDATE OR DELETE ON publications
  FOR EACH ROW EXECUTE FUNCTION publications_immutable();
--> statement-breakpoint
CREATE TRIGGER publication_rows_no_update BEFORE UPDATE OR DELETE ON publication_rows
  FOR EACH ROW EXECUTE FUNCTION publications_immutable();
