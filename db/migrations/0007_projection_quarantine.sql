CREATE TABLE "projection_quarantine" (
	"doc_name" text NOT NULL,
	"item_key" text NOT NULL,
	"seq" bigint NOT NULL,
	"error" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"quarantined_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projection_quarantine_doc_name_item_key_pk" PRIMARY KEY("doc_name","item_key")
);
