-- Search (api/src/search): accent-insensitive English full text, trigrams for substrings and text
-- without spaces, btree_gin for channel and word in one index. Both extensions are trusted on PostgreSQL 13+ (RDS included) and ship with PGlite.
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION confab_search (COPY = english);--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION confab_search
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
  WITH unaccent, english_stem;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('confab_search'::regconfig, coalesce("name", '')), 'A') || setweight(to_tsvector('confab_search'::regconfig, "topic"), 'B') || setweight(to_tsvector('confab_search'::regconfig, "purpose"), 'C')) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('confab_search'::regconfig, translate("name", '._-', '   ')), 'A') || setweight(to_tsvector('confab_search'::regconfig, coalesce("extracted_text", '')), 'B')) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('confab_search'::regconfig, "text")) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "users_name_trgm_idx" ON "users" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "channels_search_idx" ON "channels" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "channels_name_trgm_idx" ON "channels" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "files_search_idx" ON "files" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "files_name_trgm_idx" ON "files" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "messages_channel_search_idx" ON "messages" USING gin ("channel_id","search_vector") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "messages_text_trgm_idx" ON "messages" USING gin ("text" gin_trgm_ops);