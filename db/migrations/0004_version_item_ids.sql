ALTER TABLE "message_versions" ADD COLUMN "item_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "message_versions" ADD CONSTRAINT "message_versions_message_id_item_id_pk" PRIMARY KEY("message_id","item_id");
