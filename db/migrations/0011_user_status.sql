CREATE TABLE "user_statuses" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"emoji" text,
	"text" text,
	"status_expires_at" timestamp with time zone,
	"dnd_until" timestamp with time zone,
	"dnd_start" text,
	"dnd_end" text,
	"dnd_time_zone" text,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_statuses_text_length" CHECK (char_length("user_statuses"."text") <= 100),
	CONSTRAINT "user_statuses_emoji_length" CHECK (char_length("user_statuses"."emoji") <= 64),
	CONSTRAINT "user_statuses_schedule_whole" CHECK (("user_statuses"."dnd_start" is null) = ("user_statuses"."dnd_end" is null) and ("user_statuses"."dnd_start" is null) = ("user_statuses"."dnd_time_zone" is null))
);
--> statement-breakpoint
ALTER TABLE "user_statuses" ADD CONSTRAINT "user_statuses_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;