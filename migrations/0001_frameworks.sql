CREATE TABLE "frameworks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"lineage" text NOT NULL,
	"name" text NOT NULL,
	"year" integer NOT NULL,
	"legal_basis" text,
	"status" text DEFAULT 'draft' NOT NULL,
	"version" integer NOT NULL,
	"bonus_cap" numeric(8, 2) NOT NULL,
	"penalty_cap" numeric(8, 2) NOT NULL,
	"cap_index_at_100" boolean DEFAULT true NOT NULL,
	"survey_optional" boolean DEFAULT false NOT NULL,
	"bands" jsonb NOT NULL,
	"criteria" jsonb NOT NULL,
	"cloned_from" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "frameworks_caps_non_negative" CHECK ("frameworks"."bonus_cap" >= 0 and "frameworks"."penalty_cap" >= 0),
	CONSTRAINT "frameworks_published_at" CHECK (("frameworks"."status" = 'published') = ("frameworks"."published_at" is not null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "frameworks_code_uq" ON "frameworks" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "frameworks_lineage_year_version_uq" ON "frameworks" USING btree ("lineage","year","version");--> statement-breakpoint
CREATE INDEX "frameworks_year_idx" ON "frameworks" USING btree ("year");--> statement-breakpoint
-- A published framework is immutable (SPEC §3): a new version is a new framework. The service answers 409 first;
-- the database refuses too, so no code path can alter what units were scored against.
CREATE FUNCTION frameworks_published_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'framework % is published and immutable', OLD.code USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER frameworks_published_no_change BEFORE UPDATE OR DELETE ON frameworks
  FOR EACH ROW EXECUTE FUNCTION frameworks_published_immutable();
