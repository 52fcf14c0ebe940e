ALTER TABLE "files" DROP CONSTRAINT "files_channel_id_channels_id_fk";
--> statement-breakpoint
DROP INDEX "files_channel_idx";--> statement-breakpoint
ALTER TABLE "files" ALTER COLUMN "channel_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "declared_type" text NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "kind" text NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "inline" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "status" text DEFAULT 'quarantined' NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "processing" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "pages" integer;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "duration_ms" integer;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "placeholder" text;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "text_preview" text;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "extracted_text" text;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "derived" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "message_id" text;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "deleted_by" uuid;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "purge_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_deleted_by_users_id_fk" FOREIGN KEY ("deleted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "files_workspace_idx" ON "files" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "files_purge_idx" ON "files" USING btree ("purge_after") WHERE "files"."purge_after" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "files_unattached_idx" ON "files" USING btree ("created_at") WHERE "files"."message_id" IS NULL AND "files"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "files_channel_idx" ON "files" USING btree ("channel_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_kind_known" CHECK ("kind" IN ('image', 'pdf', 'text', 'audio', 'video', 'other'));--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_status_known" CHECK ("status" IN ('quarantined', 'ready'));--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_processing_known" CHECK ("processing" IN ('pending', 'done', 'failed', 'skipped'));--> statement-breakpoint
ALTER TABLE "files" DROP COLUMN "thumbnail_key";