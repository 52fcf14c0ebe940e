ALTER TABLE "message_versions" DROP CONSTRAINT "message_versions_message_id_version_pk";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "state_clock" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "thread_stats" ADD COLUMN "state_clock" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "message_versions_order_idx" ON "message_versions" USING btree ("message_id","doc_seq");--> statement-breakpoint
ALTER TABLE "message_versions" DROP COLUMN "version";