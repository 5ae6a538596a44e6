-- First login and post/redirect/get of the web forms (issue 15 item 9).
-- An account whose password someone else chose (the generated first admin, a password reset by an admin) must
-- change it before doing anything else.
ALTER TABLE "users" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- The page a web form POST answered with (a refused form with what the user typed and the messages, or a result
-- page), kept briefly so that the browser can be redirected to a GET address it may reload or go back to.
-- Bound to the browser (hash of its CSRF secret cookie) and to the user; expired rows are removed on insert.
CREATE TABLE "web_form_snapshots" (
  "id" uuid PRIMARY KEY NOT NULL,
  "owner_hash" text NOT NULL,
  "user_id" uuid REFERENCES "users"("id") ON DELETE cascade,
  "path" text NOT NULL,
  "status" integer NOT NULL,
  "body" text NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "web_form_snapshots_expires_idx" ON "web_form_snapshots" USING btree ("expires_at");
