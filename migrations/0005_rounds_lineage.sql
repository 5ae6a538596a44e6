-- Issue 13 items 8, 10, 11: rounds by year (cancellation, framework-year override), council review (members,
-- minutes, the decision's issuer and signer), unit lineage (predecessors) and dated name history.
ALTER TABLE "rounds" ADD COLUMN "cancelled_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "cancelled_by" text;
--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "cancel_reason" text;
--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "framework_year_reason" text;
--> statement-breakpoint
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_cancel_reason" CHECK (("cancelled_at" IS NULL) = ("cancel_reason" IS NULL));
--> statement-breakpoint
CREATE INDEX "rounds_year_idx" ON "rounds" USING btree ("year");
--> statement-breakpoint
CREATE TABLE "round_councils" (
	"round_id" uuid PRIMARY KEY NOT NULL REFERENCES "rounds"("id") ON DELETE cascade,
	"members" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"decision_issuer" text,
	"signer_name" text,
	"signer_title" text,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "round_minutes" (
	"round_id" uuid PRIMARY KEY NOT NULL REFERENCES "rounds"("id") ON DELETE cascade,
	"kind" text NOT NULL,
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
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "round_minutes_kind" CHECK ("kind" IN ('file', 'document'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "round_minutes_blob_uq" ON "round_minutes" USING btree ("blob_key");
--> statement-breakpoint
ALTER TABLE "publications" ADD COLUMN "decision_issuer" text;
--> statement-breakpoint
ALTER TABLE "publications" ADD COLUMN "signer_name" text;
--> statement-breakpoint
ALTER TABLE "publications" ADD COLUMN "signer_title" text;
--> statement-breakpoint
ALTER TABLE "org_units" ADD COLUMN "predecessor_codes" jsonb DEFAULT '[]'::jsonb NOT NULL;
--> statement-breakpoint
CREATE TABLE "org_unit_names" (
	"unit_code" text NOT NULL REFERENCES "org_units"("code") ON DELETE cascade,
	"name" text NOT NULL,
	"valid_from" date NOT NULL,
	"recorded_by" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "org_unit_names_pk" PRIMARY KEY ("unit_code", "valid_from")
);
--> statement-breakpoint
INSERT INTO "org_unit_names" ("unit_code", "name", "valid_from", "recorded_by", "recorded_at")
SELECT "code", "name", COALESCE("active_from", "created_at"::date), 'migration', "created_at" FROM "org_units";
