CREATE TABLE "projection_tail" (
	"name" text PRIMARY KEY NOT NULL,
	"tx" "xid8" NOT NULL,
	"seq" bigint NOT NULL,
	"leader" text,
	"lease_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "projection_cursors" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP TABLE "projection_cursors" CASCADE;--> statement-breakpoint
ALTER TABLE "doc_updates" ADD COLUMN "tx" "xid8" DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
CREATE INDEX "doc_updates_tail_idx" ON "doc_updates" USING btree ("tx","seq");--> statement-breakpoint
-- Rows logged before this migration were projected by the live projector: the tail starts after
-- them (they all carry this migration's transaction id).
INSERT INTO "projection_tail" ("name", "tx", "seq")
  SELECT 'main', pg_current_xact_id(), coalesce(max("seq"), 0) FROM "doc_updates";
