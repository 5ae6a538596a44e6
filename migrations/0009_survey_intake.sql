-- Issue 19 survey intake: an imported response keeps its identity across edits (the root id is response_id) and
-- records the version it was imported from (meta/instanceID changes on every edit), so a re-import of an edited
-- submission replaces the earlier version instead of adding one.
ALTER TABLE "survey_responses" ADD COLUMN "source_version" text;
--> statement-breakpoint
ALTER TABLE "survey_responses" ADD COLUMN "replaced_at" timestamp with time zone;
