-- How a framework scores "không phát sinh" (N/A): re-base the maximum (default) or award the item's full points.
ALTER TABLE "frameworks" ADD COLUMN "not_applicable_scoring" text DEFAULT 'rebase' NOT NULL;
--> statement-breakpoint
ALTER TABLE "frameworks" ADD CONSTRAINT "frameworks_na_scoring_check" CHECK ("not_applicable_scoring" in ('rebase', 'full_points'));
