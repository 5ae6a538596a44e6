-- Issue 14: the audit chain no longer serialises every writer behind one lock. Each row belongs to a stream (one
-- chain per unit's assessment, per survey unit, and 'global' for everything else); a row links to the previous row
-- of its own stream. audit_heads holds each stream's last row, so appends lock only their stream's head row and a
-- removed tail is detected too. Existing rows stay valid as the 'global' stream.
ALTER TABLE "audit_events" ADD COLUMN "stream" text DEFAULT 'global' NOT NULL;
--> statement-breakpoint
CREATE TABLE "audit_heads" (
	"stream" text PRIMARY KEY NOT NULL,
	"last_seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
INSERT INTO "audit_heads" ("stream", "last_seq", "hash")
SELECT 'global', "seq", "hash" FROM "audit_events" ORDER BY "seq" DESC LIMIT 1;
