CREATE TABLE "message_claims" (
	"message_id" text PRIMARY KEY NOT NULL,
	"doc_name" text NOT NULL,
	"token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
