-- Issue 13 settlement: per-unit appraiser assignments, council decisions recorded by the coordinator, and
-- objections (kiến nghị) a unit opens on items appraised below its self points.
ALTER TABLE "round_appraisers" ADD COLUMN "unit_codes" jsonb;
--> statement-breakpoint
ALTER TABLE "assessment_items" ADD COLUMN "final_by_council" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
ALTER TABLE "assessment_items" ADD COLUMN "objection_reason" text;
--> statement-breakpoint
ALTER TABLE "assessment_items" ADD COLUMN "objected_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "assessment_items" ADD COLUMN "objected_by" text;
